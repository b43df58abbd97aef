/*
 * kw_alloc.c: the C library's allocator, and arrays grown through any
 * allocator (see kw_alloc.h).
 *
 * kw_reserve doubles a capacity (from 16) until it holds what is needed, so
 * appending n elements one at a time copies O(n) in all; kw_reserve_exact
 * grows to the size asked. Both check the byte count for overflow first.
 */
#include <stdint.h>
#include <stdlib.h>

#include "kw_alloc.h"

static void *libc_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return malloc(n);
}
static void *libc_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return realloc(p, n);
}
static void libc_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

const kw_alloc kw_alloc_libc = {libc_malloc, libc_realloc, libc_free, NULL};

kw_status kw_reserve_exact(const kw_alloc *a, void **array, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return KW_OK;
    if (need > SIZE_MAX / size)
        return KW_ETOOBIG;
    void *grown = a->realloc(a->ctx, *array, need * size);
    if (!grown)
        return KW_ENOMEM;
    *array = grown;
    *cap = need;
    return KW_OK;
}

kw_status kw_reserve(const kw_alloc *a, void **array, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return KW_OK;
    size_t new_cap = *cap ? *cap : 16;
    while (new_cap < need) {
        if (new_cap > SIZE_MAX / 2)
            return KW_ETOOBIG;
        new_cap *= 2;
    }
    return kw_reserve_exact(a, array, cap, new_cap, size);
}
