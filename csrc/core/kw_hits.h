/*
 * kw_hits.h: the layout of a hit list, for the core's files that make or
 * read one (queries, sorting, lines, counts); internal to the core.
 */
#ifndef KW_HITS_H
#define KW_HITS_H

#include <stddef.h>
#include <stdint.h>

#include "kw_core.h"

struct kw_hits {
    kw_alloc alloc;
    const uint32_t *pos; /* into the index's postings, or `owned` */
    uint32_t *owned;
    uint32_t *lengths; /* tokens of each hit; NULL: every hit is `length` long */
    uint32_t *queries; /* query number of each hit; NULL: all are query 0 */
    size_t n;
    uint32_t length;
};

/* Empty hits of query 0, each `length` tokens long, from allocator a: the
 * caller sets pos and n (and owned, if it gives them an array). */
kw_status kw_hits_new(const kw_alloc *a, uint32_t length, kw_hits **out);

/* Sort n positions ascending, in place (kw_query.c). KW_ENOMEM. */
kw_status kw_sort_positions(const kw_alloc *a, uint32_t *v, size_t n);

#endif
