/*
 * kw_stats.c: counts for frequency lists, n-grams, clusters, collocates and
 * dispersion (see kw_core.h). The statistics themselves are computed by the
 * caller from these counts. Tokens are keyed by the postings groups of an
 * attribute (kw_attr.h): fold groups for word, types for any other; the
 * plain calls count word.
 *
 * Frequency lists: one pass over the token stream, document by document;
 * each id keeps the serial number of the last non-empty document it was
 * seen in, so its document count grows once per document.
 *
 * N-grams and clusters: a hash table keyed by KW_MAX_GRAM or fewer uint32
 * ids. Rows live in parallel arrays (keys, counts, documents, last
 * document, hash) that double as they fill; an open-addressing slot array
 * of row + 1 (0 marks an empty slot), with linear probing, at most half
 * full, grows by rehashing the stored hashes, never the keys.
 *
 * Collocates: windows are walked from each hit outward over the token
 * stream, counting words only, inside the hit's document; a bitmap over the
 * token stream marks the positions already counted, so overlapping windows
 * count each token once.
 */
#include <string.h>

#include "kw_alloc.h"
#include "kw_cancel.h"
#include "kw_hits.h"
#include "kw_index.h"
#include "kw_steps.h"

void kw_table_free(kw_table *t)
{
    if (!t)
        return;
    kw_free(&t->alloc, t->ids);
    kw_free(&t->alloc, t->counts);
    kw_free(&t->alloc, t->docs);
    t->alloc.free(t->alloc.ctx, t);
}

static kw_table *new_table(const kw_alloc *a, uint32_t width)
{
    kw_table *t = kw_malloc(a, sizeof *t);
    if (t) {
        memset(t, 0, sizeof *t);
        t->alloc = *a;
        t->width = width;
    }
    return t;
}

/* ---- frequency lists ---- */

uint32_t kw_index_group_count(const kw_index *ix, uint32_t group)
{
    return ix->post_start[group + 1] - ix->post_start[group];
}

uint32_t kw_index_group_rank(const kw_index *ix, uint32_t group) { return ix->group_rank[group]; }

uint32_t kw_index_doc_n_tokens(const kw_index *ix, size_t doc)
{
    return ix->doc_tok[doc + 1] - ix->doc_tok[doc];
}

kw_status kw_index_freq(const kw_index *ix, int by_type, const uint8_t *doc_mask, kw_table **out)
{
    return kw_index_attr_freq(ix, 0, by_type, 0, doc_mask, out);
}

/* Count one token of type `type`, keyed by map[type] where map is not
 * NULL, in the document of serial number `serial`. */
static inline void count_token(uint32_t type, const uint32_t *map, uint32_t serial, kw_table *t,
                               uint32_t *last)
{
    const uint32_t id = map ? map[type] : type;
    t->counts[id]++;
    if (last[id] != serial) {
        last[id] = serial;
        t->docs[id]++;
    }
}

/* Count tokens [lo, hi); a stream of 4 bytes a token (a built index's
 * word) is read with no test of its width per token. */
static inline void count_tokens(const kw_attr *at, const uint32_t *map, size_t lo, size_t hi,
                                uint32_t serial, kw_table *t, uint32_t *last)
{
    if (at->toks) {
        for (size_t p = lo; p < hi; p++)
            count_token(at->toks[p], map, serial, t, last);
    } else {
        for (size_t p = lo; p < hi; p++)
            count_token(kw_attr_type(at, p), map, serial, t, last);
    }
}

kw_status kw_index_attr_freq(const kw_index *ix, size_t attr, int by_type, int words_only,
                             const uint8_t *doc_mask, kw_table **out)
{
    if (attr >= ix->n_attrs)
        return KW_EINVAL;
    const kw_attr at = kw_attr_stream(&ix->attrs[attr]);
    const uint32_t *map = by_type ? NULL : at.group_of;
    const kw_alloc *a = &ix->alloc;
    const size_t n = by_type ? ix->attrs[attr].forms.n : at.n_groups;
    if (n > SIZE_MAX / sizeof(uint32_t))
        return KW_ETOOBIG;
    kw_table *t = new_table(a, 1);
    uint32_t *last = kw_malloc(a, n * sizeof *last);
    if (t) {
        t->ids = kw_malloc(a, n * sizeof *t->ids);
        t->counts = kw_malloc(a, n * sizeof *t->counts);
        t->docs = kw_malloc(a, n * sizeof *t->docs);
    }
    if (!t || !last || !t->ids || !t->counts || !t->docs) {
        kw_free(a, last);
        kw_table_free(t);
        return KW_ENOMEM;
    }
    for (size_t id = 0; id < n; id++)
        t->ids[id] = (uint32_t)id;
    memset(t->counts, 0, n * sizeof *t->counts);
    memset(t->docs, 0, n * sizeof *t->docs);
    memset(last, 0xFF, n * sizeof *last);
    uint32_t serial = 0; /* non-empty documents so far: fewer than 2^32 */
    uint64_t total = 0;
    for (size_t d = 0; d < ix->n_docs; d++) {
        const uint32_t lo = ix->doc_tok[d], hi = ix->doc_tok[d + 1];
        if (lo == hi || (doc_mask && !doc_mask[d]))
            continue;
        if (!words_only) {
            count_tokens(&at, map, lo, hi, serial, t, last);
            total += hi - lo;
        } else {
            for (uint32_t p = lo; p < hi;) { /* a run of words at a time */
                while (p < hi && !ix->is_word[kw_tok(ix, p)])
                    p++;
                const uint32_t run = p;
                while (p < hi && ix->is_word[kw_tok(ix, p)])
                    p++;
                count_tokens(&at, map, run, p, serial, t, last);
                total += p - run;
            }
        }
        serial++;
    }
    kw_free(a, last);
    t->n = n;
    t->total = total;
    *out = t;
    return KW_OK;
}

/* ---- a hash table of id tuples ---- */

typedef struct gram_table {
    const kw_alloc *a;
    uint32_t width;
    uint32_t *keys; /* n * width */
    uint32_t *counts, *docs, *last, *hashes;
    size_t n, cap;   /* rows, and the capacity every per-row array has */
    size_t keys_cap; /* in uint32 */
    uint32_t *slots; /* row + 1; 0: empty */
    size_t mask;     /* slot count - 1 */
} gram_table;

static void gram_free(gram_table *g)
{
    kw_free(g->a, g->keys);
    kw_free(g->a, g->counts);
    kw_free(g->a, g->docs);
    kw_free(g->a, g->last);
    kw_free(g->a, g->hashes);
    kw_free(g->a, g->slots);
}

static kw_status gram_reserve(gram_table *g);

/* An empty table with room for its first rows, so that even a table that
 * stays empty hands over arrays, never NULL. */
static kw_status gram_init(gram_table *g, const kw_alloc *a, uint32_t width)
{
    memset(g, 0, sizeof *g);
    g->a = a;
    g->width = width;
    const size_t n_slots = 16;
    g->slots = kw_malloc(a, n_slots * sizeof *g->slots);
    if (!g->slots)
        return KW_ENOMEM;
    memset(g->slots, 0, n_slots * sizeof *g->slots);
    g->mask = n_slots - 1;
    return gram_reserve(g);
}

static inline uint32_t hash_ids(const uint32_t *ids, uint32_t width)
{
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (uint32_t k = 0; k < width; k++) {
        h = (h ^ ids[k]) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
    }
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 29;
    return (uint32_t)h;
}

/* Room for one more row in every per-row array, and a slot array at most
 * half full after it. Fails leaving the table as it was (an array may have
 * grown, which changes nothing). */
static kw_status gram_reserve(gram_table *g)
{
    const size_t need = g->n + 1;
    kw_status st;
    if (need > UINT32_MAX - 1)
        return KW_ETOOBIG;
    if (need > g->cap) {
        size_t caps[5] = {g->cap, g->cap, g->cap, g->cap, g->cap};
        uint32_t **arrays[5] = {&g->counts, &g->docs, &g->last, &g->hashes, NULL};
        for (int k = 0; k < 4; k++)
            if ((st = kw_reserve(g->a, (void **)arrays[k], &caps[k], need, sizeof(uint32_t)))
                != KW_OK)
                return st;
        size_t cap = caps[0];
        for (int k = 1; k < 4; k++)
            if (caps[k] < cap)
                cap = caps[k];
        g->cap = cap;
    }
    if (need > SIZE_MAX / g->width)
        return KW_ETOOBIG;
    if ((st = kw_reserve(g->a, (void **)&g->keys, &g->keys_cap, need * g->width, sizeof(uint32_t)))
        != KW_OK)
        return st;
    if (need * 2 > g->mask + 1) {
        size_t n_slots = (g->mask + 1) * 2;
        if (n_slots > SIZE_MAX / sizeof(uint32_t))
            return KW_ETOOBIG;
        uint32_t *slots = kw_malloc(g->a, n_slots * sizeof *slots);
        if (!slots)
            return KW_ENOMEM;
        memset(slots, 0, n_slots * sizeof *slots);
        const size_t mask = n_slots - 1;
        for (size_t row = 0; row < g->n; row++) {
            size_t s = g->hashes[row] & mask;
            while (slots[s])
                s = (s + 1) & mask;
            slots[s] = (uint32_t)(row + 1);
        }
        kw_free(g->a, g->slots);
        g->slots = slots;
        g->mask = mask;
    }
    return KW_OK;
}

/* Count one occurrence of key in the document of serial number `doc`. */
static kw_status gram_add(gram_table *g, const uint32_t *key, uint32_t doc)
{
    const uint32_t width = g->width, hash = hash_ids(key, width);
    size_t s = hash & g->mask;
    for (uint32_t row1; (row1 = g->slots[s]) != 0; s = (s + 1) & g->mask) {
        const size_t row = row1 - 1;
        if (g->hashes[row] == hash
            && memcmp(g->keys + row * width, key, width * sizeof *key) == 0) {
            g->counts[row]++;
            if (g->last[row] != doc) {
                g->last[row] = doc;
                g->docs[row]++;
            }
            return KW_OK;
        }
    }
    kw_status st = gram_reserve(g);
    if (st != KW_OK)
        return st;
    s = hash & g->mask; /* the slot array may have grown */
    while (g->slots[s])
        s = (s + 1) & g->mask;
    const size_t row = g->n++;
    memcpy(g->keys + row * width, key, width * sizeof *key);
    g->counts[row] = 1;
    g->docs[row] = 1;
    g->last[row] = doc;
    g->hashes[row] = hash;
    g->slots[s] = (uint32_t)(row + 1);
    return KW_OK;
}

/* Move the rows counted at least min_count times into `t` and free the rest
 * of the table. Allocates nothing, so it cannot fail. */
static void gram_finish(gram_table *g, uint32_t min_count, uint64_t total, kw_table *t)
{
    const uint32_t width = g->width;
    size_t kept = 0;
    for (size_t row = 0; row < g->n; row++) {
        if (g->counts[row] < min_count)
            continue;
        if (kept != row) {
            memmove(g->keys + kept * width, g->keys + row * width, width * sizeof *g->keys);
            g->counts[kept] = g->counts[row];
            g->docs[kept] = g->docs[row];
        }
        kept++;
    }
    t->n = kept;
    t->ids = g->keys;
    t->counts = g->counts;
    t->docs = g->docs;
    t->total = total;
    g->keys = g->counts = g->docs = NULL;
    gram_free(g);
}

/* ---- n-grams and clusters ---- */

/* What counts key token pos by: its postings group under attribute at
 * (its fold group under word, its type under any other). */
static inline uint32_t group_at(const kw_attr *at, size_t pos)
{
    return kw_attr_group(at, kw_attr_type(at, pos));
}

static inline int word_at(const kw_index *ix, size_t pos) { return ix->is_word[kw_tok(ix, pos)]; }

kw_status kw_index_ngrams(const kw_index *ix, uint32_t n, uint32_t min_count,
                          const uint8_t *doc_mask, kw_table **out)
{
    return kw_index_attr_ngrams(ix, 0, n, min_count, doc_mask, out);
}

kw_status kw_index_attr_ngrams(const kw_index *ix, size_t attr, uint32_t n, uint32_t min_count,
                               const uint8_t *doc_mask, kw_table **out)
{
    if (n < 1 || n > KW_MAX_GRAM || attr >= ix->n_attrs)
        return KW_EINVAL;
    const kw_attr stream = kw_attr_stream(&ix->attrs[attr]), *at = &stream;
    const kw_alloc *a = &ix->alloc;
    kw_table *t = new_table(a, n);
    if (!t)
        return KW_ENOMEM;
    gram_table g;
    kw_status st = gram_init(&g, a, n);
    uint64_t total = 0;
    uint32_t recent[2 * KW_MAX_GRAM];
    uint32_t serial = 0;
    for (size_t d = 0; d < ix->n_docs && st == KW_OK; d++) {
        const uint32_t lo = ix->doc_tok[d], hi = ix->doc_tok[d + 1];
        if (lo == hi || (doc_mask && !doc_mask[d]))
            continue;
        uint32_t run = 0; /* words in a row ending at p */
        uint32_t slot = 0;
        for (uint32_t p = lo; p < hi && st == KW_OK; p++) {
            if (!word_at(ix, p)) {
                run = 0;
                continue;
            }
            /* Each token's group is read once, however large n: recent[]
             * holds the last n twice over, so that the n ending at `slot`
             * lie in order at recent + slot + 1. */
            slot = slot + 1 == n ? 0 : slot + 1;
            recent[slot] = recent[slot + n] = group_at(at, p);
            if (++run < n)
                continue;
            st = gram_add(&g, recent + slot + 1, serial);
            total++;
        }
        serial++;
    }
    if (st != KW_OK) {
        gram_free(&g);
        kw_table_free(t);
        return st;
    }
    gram_finish(&g, min_count, total, t);
    *out = t;
    return KW_OK;
}

kw_status kw_hits_clusters(const kw_index *ix, const kw_hits *h, uint32_t n, int left,
                           uint32_t min_count, kw_table **out)
{
    return kw_hits_attr_clusters(ix, h, 0, n, left, min_count, out);
}

kw_status kw_hits_attr_clusters(const kw_index *ix, const kw_hits *h, size_t attr, uint32_t n,
                                int left, uint32_t min_count, kw_table **out)
{
    if (n < 1 || n > KW_MAX_GRAM || attr >= ix->n_attrs)
        return KW_EINVAL;
    const kw_attr stream = kw_attr_stream(&ix->attrs[attr]), *at = &stream;
    const kw_alloc *a = &ix->alloc;
    kw_table *t = new_table(a, n);
    if (!t)
        return KW_ENOMEM;
    gram_table g;
    kw_status st = gram_init(&g, a, n);
    uint64_t total = 0;
    uint32_t key[KW_MAX_GRAM];
    for (size_t i = 0; i < h->n && st == KW_OK; i++) {
        const uint32_t pos = h->pos[i], length = kw_hits_length(h, i);
        if (length > n)
            continue;
        const size_t doc = kw_index_doc_of(ix, pos);
        const uint32_t extra = n - length;
        /* The cluster's tokens: [first, first + n). */
        uint32_t first;
        if (left) {
            if (pos - ix->doc_tok[doc] < extra)
                continue;
            first = pos - extra;
        } else {
            if (ix->doc_tok[doc + 1] - (pos + length) < extra)
                continue;
            first = pos;
        }
        const uint32_t words_from = left ? first : pos + length;
        uint32_t k = 0;
        while (k < extra && word_at(ix, words_from + k))
            k++;
        if (k < extra)
            continue;
        for (k = 0; k < n; k++)
            key[k] = group_at(at, (size_t)first + k);
        st = gram_add(&g, key, (uint32_t)doc);
        total++;
    }
    if (st != KW_OK) {
        gram_free(&g);
        kw_table_free(t);
        return st;
    }
    gram_finish(&g, min_count, total, t);
    *out = t;
    return KW_OK;
}

/* ---- collocates ---- */

static inline int test_and_set(uint8_t *bits, size_t i)
{
    const uint8_t bit = (uint8_t)(1u << (i & 7));
    const int was = bits[i >> 3] & bit;
    bits[i >> 3] |= bit;
    return was;
}

/* Count the word at p in a window, unless each_window is 0 and another
 * window already counted it; 1 when its count would pass UINT32_MAX. */
static inline int count_in_window(const kw_attr *at, uint32_t p, int each_window, uint8_t *seen,
                                  uint32_t *counts, uint64_t *positions)
{
    if (!each_window && test_and_set(seen, p))
        return 0;
    const uint32_t group = group_at(at, p);
    const int overflow = counts[group] == UINT32_MAX;
    counts[group]++;
    (*positions)++;
    return overflow;
}

kw_status kw_hits_collocates(const kw_index *ix, const kw_hits *h, uint32_t left, uint32_t right,
                             int each_window, const kw_cancel *cancel, kw_table **out)
{
    return kw_hits_attr_collocates(ix, h, 0, left, right, each_window, cancel, out);
}

kw_status kw_hits_attr_collocates(const kw_index *ix, const kw_hits *h, size_t attr, uint32_t left,
                                  uint32_t right, int each_window, const kw_cancel *cancel,
                                  kw_table **out)
{
    if (attr >= ix->n_attrs)
        return KW_EINVAL;
    const kw_attr stream = kw_attr_stream(&ix->attrs[attr]), *at = &stream;
    const kw_alloc *a = &ix->alloc;
    const size_t n_groups = at->n_groups;
    if (n_groups > SIZE_MAX / sizeof(uint32_t))
        return KW_ETOOBIG;
    const size_t n_bytes = ix->n_tokens / 8 + 1;
    kw_table *t = new_table(a, 1);
    uint8_t *seen = kw_malloc(a, n_bytes);
    uint32_t *counts = kw_malloc(a, n_groups * sizeof *counts);
    if (!t || !seen || !counts) {
        kw_table_free(t);
        kw_free(a, seen);
        kw_free(a, counts);
        return KW_ENOMEM;
    }
    memset(seen, 0, n_bytes);
    memset(counts, 0, n_groups * sizeof *counts);
    uint64_t positions = 0;
    int overflow = 0;
    for (size_t i = 0; i < h->n && !overflow; i++) {
        if (i % KW_POLL_EVERY == KW_POLL_EVERY - 1 && kw_stop_asked(cancel)) {
            kw_table_free(t);
            kw_free(a, seen);
            kw_free(a, counts);
            return KW_EINTR;
        }
        const uint32_t pos = h->pos[i];
        const size_t doc = kw_index_doc_of(ix, pos);
        uint32_t words = 0, skipped = 0;
        for (uint32_t p = pos; p > ix->doc_tok[doc] && words < left;) {
            p--;
            KW_STEP();
            if (!word_at(ix, p)) {
                if (++skipped > KW_MAX_SKIP)
                    break;
                continue;
            }
            words++;
            overflow |= count_in_window(at, p, each_window, seen, counts, &positions);
        }
        words = skipped = 0;
        for (uint32_t p = pos + kw_hits_length(h, i); p < ix->doc_tok[doc + 1] && words < right;
             p++) {
            KW_STEP();
            if (!word_at(ix, p)) {
                if (++skipped > KW_MAX_SKIP)
                    break;
                continue;
            }
            words++;
            overflow |= count_in_window(at, p, each_window, seen, counts, &positions);
        }
    }
    kw_free(a, seen);
    if (overflow) {
        kw_table_free(t);
        kw_free(a, counts);
        return KW_ETOOBIG;
    }
    size_t rows = 0;
    for (size_t g = 0; g < n_groups; g++)
        rows += counts[g] != 0;
    t->ids = kw_malloc(a, rows * sizeof *t->ids);
    t->counts = kw_malloc(a, rows * sizeof *t->counts);
    if (!t->ids || !t->counts) {
        kw_table_free(t);
        kw_free(a, counts);
        return KW_ENOMEM;
    }
    size_t k = 0;
    for (size_t g = 0; g < n_groups; g++) {
        if (counts[g]) {
            t->ids[k] = (uint32_t)g;
            t->counts[k] = counts[g];
            k++;
        }
    }
    kw_free(a, counts);
    t->n = rows;
    t->total = positions;
    *out = t;
    return KW_OK;
}

/* ---- documents ---- */

kw_status kw_hits_from(const kw_index *ix, const uint32_t *pos, const uint32_t *lengths,
                       const uint32_t *queries, size_t n, kw_hits **out)
{
    for (size_t i = 0; i < n; i++) {
        if (pos[i] >= ix->n_tokens || lengths[i] == 0
            || lengths[i] > ix->doc_tok[kw_index_doc_of(ix, pos[i]) + 1] - pos[i])
            return KW_EINVAL;
    }
    if (n > SIZE_MAX / sizeof(uint32_t))
        return KW_ETOOBIG;
    const kw_alloc *a = &ix->alloc;
    kw_hits *h;
    kw_status st = kw_hits_new(a, 0, &h);
    if (st != KW_OK)
        return st;
    /* One entry at least, so that no hit still allocates. */
    const size_t bytes = (n ? n : 1) * sizeof(uint32_t);
    h->owned = kw_malloc(a, bytes);
    h->lengths = kw_malloc(a, bytes);
    h->queries = kw_malloc(a, bytes);
    if (!h->owned || !h->lengths || !h->queries) {
        kw_hits_free(h);
        return KW_ENOMEM;
    }
    memcpy(h->owned, pos, n * sizeof(uint32_t));
    memcpy(h->lengths, lengths, n * sizeof(uint32_t));
    memcpy(h->queries, queries, n * sizeof(uint32_t));
    h->pos = h->owned;
    h->n = n;
    *out = h;
    return KW_OK;
}

kw_status kw_hits_in_docs(const kw_index *ix, const kw_hits *h, const uint8_t *doc_mask,
                          kw_hits **out)
{
    const kw_alloc *a = &ix->alloc;
    size_t kept = 0;
    for (size_t i = 0; i < h->n; i++)
        kept += doc_mask[kw_index_doc_of(ix, h->pos[i])] != 0;
    if (kept > SIZE_MAX / sizeof(uint32_t))
        return KW_ETOOBIG;
    /* One entry at least, so that no hit kept still allocates. */
    uint32_t *order = kw_malloc(a, (kept ? kept : 1) * sizeof *order);
    if (!order)
        return KW_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < h->n && k < kept; i++)
        if (doc_mask[kw_index_doc_of(ix, h->pos[i])])
            order[k++] = (uint32_t)i;
    kw_status st = kw_hits_select(h, order, kept, out);
    kw_free(a, order);
    return st;
}

/* ---- dispersion ---- */

void kw_hits_locate(const kw_index *ix, const kw_hits *h, uint64_t *docs, uint32_t *starts)
{
    for (size_t i = 0; i < h->n; i++) {
        const uint32_t pos = h->pos[i];
        const size_t doc = kw_index_doc_of(ix, pos);
        docs[i] = doc;
        starts[i] = pos - ix->doc_tok[doc];
    }
}
