/*
 * kw_alloc.h: how the core allocates, through the caller's kw_alloc
 * (kw_core.h); internal to the core.
 *
 * Arrays grow by doubling (kw_reserve) or to a size known in advance
 * (kw_reserve_exact); either fails without touching the array, so a caller
 * reserves everything an operation needs before changing anything and an
 * error leaves its object as it was.
 */
#ifndef KW_ALLOC_H
#define KW_ALLOC_H

#include <stddef.h>

#include "kw_core.h"

static inline void *kw_malloc(const kw_alloc *a, size_t n) { return a->malloc(a->ctx, n ? n : 1); }
static inline void kw_free(const kw_alloc *a, void *p)
{
    if (p)
        a->free(a->ctx, p);
}

/* Grow *array so that it holds at least `need` elements of `size` bytes,
 * doubling the capacity. Fails without touching the array when the
 * allocation fails or the byte count would overflow. */
kw_status kw_reserve(const kw_alloc *a, void **array, size_t *cap, size_t need, size_t size);

/* The same, growing to exactly `need`: for arrays whose final size is
 * known, where doubling would only leave slack. */
kw_status kw_reserve_exact(const kw_alloc *a, void **array, size_t *cap, size_t need, size_t size);

#endif
