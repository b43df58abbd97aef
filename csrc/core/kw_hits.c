/*
 * kw_hits.c: hit lists (see kw_core.h and kw_hits.h).
 *
 * A list is an array of first positions, borrowed from the index's
 * postings (a folded single word) or owned; the hits' lengths and query
 * numbers are arrays only in lists that mix them (merged or selected),
 * else one length and query 0 for all. Merging several queries' lists
 * takes, step by step, the least position among the parts' next hits
 * (queries are few); selecting copies the hits in the order given, each
 * with its length and query.
 */
#include <string.h>

#include "kw_alloc.h"
#include "kw_cancel.h"
#include "kw_hits.h"

kw_status kw_hits_new(const kw_alloc *a, uint32_t length, kw_hits **out)
{
    kw_hits *h = kw_malloc(a, sizeof *h);
    if (!h)
        return KW_ENOMEM;
    memset(h, 0, sizeof *h);
    h->alloc = *a;
    h->length = length;
    *out = h;
    return KW_OK;
}

void kw_hits_free(kw_hits *h)
{
    if (!h)
        return;
    kw_free(&h->alloc, h->owned);
    kw_free(&h->alloc, h->lengths);
    kw_free(&h->alloc, h->queries);
    h->alloc.free(h->alloc.ctx, h);
}

size_t kw_hits_count(const kw_hits *h) { return h->n; }
uint32_t kw_hits_position(const kw_hits *h, size_t i) { return h->pos[i]; }
uint32_t kw_hits_length(const kw_hits *h, size_t i) { return h->lengths ? h->lengths[i] : h->length; }
uint32_t kw_hits_query(const kw_hits *h, size_t i) { return h->queries ? h->queries[i] : 0; }

/* Hits with every per-hit array owned and allocated for n entries. */
static kw_status new_owned_hits(const kw_alloc *a, size_t n, kw_hits **out)
{
    kw_hits *h;
    kw_status st = kw_hits_new(a, 0, &h);
    if (st != KW_OK)
        return st;
    if (n > SIZE_MAX / sizeof(uint32_t)) {
        kw_hits_free(h);
        return KW_ETOOBIG;
    }
    h->owned = kw_malloc(a, n * sizeof *h->owned);
    h->lengths = kw_malloc(a, n * sizeof *h->lengths);
    h->queries = kw_malloc(a, n * sizeof *h->queries);
    if (!h->owned || !h->lengths || !h->queries) {
        kw_hits_free(h);
        return KW_ENOMEM;
    }
    h->pos = h->owned;
    h->n = n;
    *out = h;
    return KW_OK;
}

static void copy_hit(kw_hits *to, size_t k, const kw_hits *from, size_t i, uint32_t query)
{
    to->owned[k] = from->pos[i];
    to->lengths[k] = kw_hits_length(from, i);
    to->queries[k] = query;
}

kw_status kw_hits_merge(const kw_alloc *a, kw_hits *const *parts, size_t n_parts,
                        const kw_cancel *cancel, kw_hits **out)
{
    size_t total = 0;
    for (size_t p = 0; p < n_parts; p++) {
        if (parts[p]->n > SIZE_MAX - total)
            return KW_ETOOBIG;
        total += parts[p]->n;
    }
    if (n_parts > UINT32_MAX)
        return KW_ETOOBIG;
    kw_hits *h;
    kw_status st = new_owned_hits(a, total, &h);
    if (st != KW_OK)
        return st;
    size_t *next = kw_malloc(a, (n_parts ? n_parts : 1) * sizeof *next);
    if (!next) {
        kw_hits_free(h);
        return KW_ENOMEM;
    }
    memset(next, 0, (n_parts ? n_parts : 1) * sizeof *next);
    /* Queries are few, so each step picks the least position by a linear
     * look over the parts; ties go to the earlier query. */
    for (size_t k = 0; k < total; k++) {
        if (k % KW_POLL_EVERY == KW_POLL_EVERY - 1 && kw_stop_asked(cancel)) {
            kw_free(a, next);
            kw_hits_free(h);
            return KW_EINTR;
        }
        size_t best = n_parts;
        for (size_t p = 0; p < n_parts; p++)
            if (next[p] < parts[p]->n
                && (best == n_parts || parts[p]->pos[next[p]] < parts[best]->pos[next[best]]))
                best = p;
        copy_hit(h, k, parts[best], next[best], (uint32_t)best);
        next[best]++;
    }
    kw_free(a, next);
    *out = h;
    return KW_OK;
}

kw_status kw_hits_select(const kw_hits *h, const uint32_t *order, size_t n, kw_hits **out)
{
    kw_hits *selected;
    kw_status st = new_owned_hits(&h->alloc, n, &selected);
    if (st != KW_OK)
        return st;
    for (size_t k = 0; k < n; k++)
        copy_hit(selected, k, h, order[k], kw_hits_query(h, order[k]));
    *out = selected;
    return KW_OK;
}
