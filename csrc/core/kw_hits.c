/*
 * kw_hits.c: hit lists (see kw_core.h and kw_hits.h).
 *
 * A list is an array of first positions, borrowed from the index's
 * postings (a folded single word) or owned; the hits' lengths and query
 * numbers are arrays only in lists that mix them (merged or selected),
 * else one length and query 0 for all. Merging several queries' lists
 * takes, step by step, the least position among the parts' next hits
 * from a heap; selecting copies the hits in the order given, each
 * with its length and query.
 */
#include <string.h>

#include "kw_alloc.h"
#include "kw_cancel.h"
#include "kw_hits.h"
#include "kw_index.h"
#include "kw_steps.h"

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
uint32_t kw_hits_length(const kw_hits *h, size_t i)
{
    return h->lengths ? h->lengths[i] : h->length;
}
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

/* Merging: a binary min-heap of the parts that have hits left, keyed by
 * their next hit. */
typedef struct merge_heap {
    kw_hits *const *parts;
    size_t *next;   /* per part: its next hit */
    uint32_t *part; /* the heap: part numbers */
    size_t n;
} merge_heap;

/* Whether part x's next hit comes first: by position, ties to the earlier query. */
static int merge_before(const merge_heap *m, uint32_t x, uint32_t y)
{
    KW_STEP();
    const uint32_t px = m->parts[x]->pos[m->next[x]], py = m->parts[y]->pos[m->next[y]];
    return px < py || (px == py && x < y);
}

static void merge_sift_down(merge_heap *m, size_t i)
{
    for (;;) {
        size_t first = i, left = 2 * i + 1, right = left + 1;
        if (left < m->n && merge_before(m, m->part[left], m->part[first]))
            first = left;
        if (right < m->n && merge_before(m, m->part[right], m->part[first]))
            first = right;
        if (first == i)
            return;
        uint32_t swap = m->part[i];
        m->part[i] = m->part[first];
        m->part[first] = swap;
        i = first;
    }
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
    merge_heap m = {parts, kw_malloc(a, (n_parts ? n_parts : 1) * sizeof *m.next),
                    kw_malloc(a, (n_parts ? n_parts : 1) * sizeof *m.part), 0};
    if (!m.next || !m.part) {
        kw_free(a, m.next);
        kw_free(a, m.part);
        kw_hits_free(h);
        return KW_ENOMEM;
    }
    for (size_t p = 0; p < n_parts; p++) {
        m.next[p] = 0;
        if (parts[p]->n)
            m.part[m.n++] = (uint32_t)p;
    }
    for (size_t i = m.n / 2; i-- > 0;)
        merge_sift_down(&m, i);
    for (size_t k = 0; k < total; k++) {
        if (k % KW_POLL_EVERY == KW_POLL_EVERY - 1 && kw_stop_asked(cancel)) {
            st = KW_EINTR;
            break;
        }
        const uint32_t best = m.part[0];
        copy_hit(h, k, parts[best], m.next[best], best);
        if (++m.next[best] == parts[best]->n)
            m.part[0] = m.part[--m.n];
        merge_sift_down(&m, 0);
    }
    kw_free(a, m.next);
    kw_free(a, m.part);
    if (st != KW_OK) {
        kw_hits_free(h);
        return st;
    }
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

kw_status kw_hits_range(const kw_hits *h, size_t start, ptrdiff_t step, size_t n, kw_hits **out)
{
    if (n
        && (start >= h->n || (step > 0 && (size_t)step * (n - 1) > h->n - 1 - start)
            || (step < 0 && (size_t)-step * (n - 1) > start)))
        return KW_EINVAL;
    kw_hits *selected;
    kw_status st = new_owned_hits(&h->alloc, n, &selected);
    if (st != KW_OK)
        return st;
    size_t i = start;
    for (size_t k = 0; k < n; k++, i += (size_t)step)
        copy_hit(selected, k, h, i, kw_hits_query(h, i));
    *out = selected;
    return KW_OK;
}

kw_status kw_hits_where(const kw_hits *h, const uint8_t *mask, kw_hits **out)
{
    size_t kept = 0;
    for (size_t i = 0; i < h->n; i++)
        kept += mask[i] != 0;
    kw_hits *selected;
    kw_status st = new_owned_hits(&h->alloc, kept, &selected);
    if (st != KW_OK)
        return st;
    for (size_t i = 0, k = 0; i < h->n; i++)
        if (mask[i])
            copy_hit(selected, k++, h, i, kw_hits_query(h, i));
    *out = selected;
    return KW_OK;
}

/* The first hit of `near` (ascending by position) at or after position p. */
static size_t first_at_or_after(const kw_hits *near, uint32_t p)
{
    size_t lo = 0, hi = near->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (near->pos[mid] < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Whether a hit of `near` lies wholly within tokens [lo, hi). Hits that
 * start there are few (one per position and query), so each is looked at. */
static int near_within(const kw_hits *near, uint32_t lo, uint32_t hi)
{
    for (size_t j = first_at_or_after(near, lo); j < near->n && near->pos[j] < hi; j++)
        if (kw_hits_length(near, j) <= hi - near->pos[j])
            return 1;
    return 0;
}

/* The first token of the window of `words` words before position p in the
 * document starting at token doc_lo (p itself when words is 0). */
static uint32_t window_start(const kw_index *ix, uint32_t p, uint32_t doc_lo, uint32_t words)
{
    uint32_t lo = p, seen = 0, skipped = 0;
    while (p > doc_lo && seen < words) {
        p--;
        KW_STEP();
        if (ix->is_word[kw_tok(ix, p)])
            seen++;
        else if (++skipped > KW_MAX_SKIP)
            break;
        lo = p;
    }
    return lo;
}

/* One past the last token of the window of `words` words from position p
 * on, in the document ending before token doc_hi. */
static uint32_t window_end(const kw_index *ix, uint32_t p, uint32_t doc_hi, uint32_t words)
{
    uint32_t hi = p, seen = 0, skipped = 0;
    for (; p < doc_hi && seen < words; p++) {
        KW_STEP();
        if (ix->is_word[kw_tok(ix, p)])
            seen++;
        else if (++skipped > KW_MAX_SKIP)
            break;
        hi = p + 1;
    }
    return hi;
}

kw_status kw_hits_near(const kw_index *ix, const kw_hits *h, const kw_hits *near, uint32_t left,
                       uint32_t right, const kw_cancel *cancel, uint8_t *mask)
{
    for (size_t i = 0; i < h->n; i++) {
        if (i % KW_POLL_EVERY == KW_POLL_EVERY - 1 && kw_stop_asked(cancel))
            return KW_EINTR;
        if (!mask[i])
            continue;
        const uint32_t pos = h->pos[i], end = pos + kw_hits_length(h, i);
        const size_t doc = kw_index_doc_of(ix, pos);
        const uint32_t lo = window_start(ix, pos, ix->doc_tok[doc], left);
        const uint32_t hi = window_end(ix, end, ix->doc_tok[doc + 1], right);
        mask[i] = (uint8_t)(near_within(near, lo, pos) || near_within(near, end, hi));
    }
    return KW_OK;
}

kw_status kw_hits_count_docs(const kw_index *ix, const kw_hits *h, size_t *n_docs)
{
    const size_t n_bytes = kw_index_n_docs(ix) / 8 + 1;
    uint8_t *seen = kw_malloc(&h->alloc, n_bytes);
    if (!seen)
        return KW_ENOMEM;
    memset(seen, 0, n_bytes);
    size_t count = 0, doc = 0;
    for (size_t i = 0; i < h->n; i++) {
        const uint32_t p = h->pos[i];
        /* Hits in document order mostly stay in the document of the last. */
        if (i == 0 || p < ix->doc_tok[doc] || p >= ix->doc_tok[doc + 1])
            doc = kw_index_doc_of(ix, p);
        if (!(seen[doc / 8] & (1u << doc % 8))) {
            seen[doc / 8] |= (uint8_t)(1u << doc % 8);
            count++;
        }
    }
    kw_free(&h->alloc, seen);
    *n_docs = count;
    return KW_OK;
}
