/*
 * kw_sort.c: hits sorted by context words, match, document or position
 * (see kw_core.h).
 *
 * Words compare by the rank of their fold group, which kw_builder_finish
 * computed once (kw_index.c), so sorting never compares a string; another
 * attribute's values by their rank, computed by the first sort that needs
 * it and kept in the index (kw_index_attr_ranks). A key
 * gives every hit one or more columns of numbers: a context word is its
 * group's rank + 1, or 0 where the document has no such word; the match is
 * one column per token, 0 past a hit's last token; the document number; the
 * position. An LSD radix sort takes the columns from the last (of the last
 * key) to the first, each one a stable counting sort of a permutation of
 * the hits, in digits of at most 16 bits chosen so the passes cost least
 * for this many hits. kw_hits_select then gathers the hits in the sorted
 * order.
 */
#include <string.h>

#include "kw_alloc.h"
#include "kw_cancel.h"
#include "kw_hits.h"
#include "kw_index.h"
#include "kw_steps.h"

enum { MAX_DIGIT_BITS = 16 };

typedef struct sorter {
    const kw_index *ix;
    const uint32_t *const *ranks; /* each attribute's group ranks, where a key needs them */
    const kw_hits *h;
    size_t n;
    uint32_t *perm;     /* the order so far: indices into h */
    uint32_t *spare;    /* room for the next order */
    uint32_t *column;   /* one number per hit, indexed like h */
    uint32_t *count;    /* 1 << max_digit buckets */
    unsigned max_digit; /* bits of the widest digit any column may use */
    const kw_cancel *cancel;
    int stopped; /* the cancel said stop: the order is left unfinished */
} sorter;

/* Asked between chunks of KW_POLL_EVERY hits: 1 once told to stop. */
static int sorter_stopped(sorter *s)
{
    if (!s->stopped && kw_stop_asked(s->cancel))
        s->stopped = 1;
    return s->stopped;
}

static unsigned bits_of(uint64_t x)
{
    unsigned b = 0;
    for (; x; x >>= 1)
        b++;
    return b;
}

/* The digit width for sorting n numbers of `bits` bits: the fewest steps,
 * each pass reading and moving n hits and clearing and summing 2^width
 * buckets. */
static unsigned digit_bits(size_t n, unsigned bits)
{
    unsigned best = 1;
    uint64_t best_cost = UINT64_MAX;
    for (unsigned w = 1; w <= MAX_DIGIT_BITS && w <= (bits ? bits : 1); w++) {
        uint64_t passes = (bits + w - 1) / w;
        uint64_t cost = passes * (2 * (uint64_t)n + 2 * ((uint64_t)1 << w));
        if (cost < best_cost) {
            best_cost = cost;
            best = w;
        }
    }
    return best;
}

/* The largest number a key's columns can hold. */
static uint64_t key_bound(const kw_index *ix, const kw_sort_key *key)
{
    switch (key->by) {
    case KW_SORT_DOC:
        return ix->n_docs;
    case KW_SORT_POSITION:
        return ix->n_tokens;
    default:
        return ix->attrs[key->attr].n_groups; /* a group's rank + 1 */
    }
}

/* Stable sort of s->perm by s->column, least significant digit first. */
static void sort_by_column(sorter *s)
{
    const uint32_t *col = s->column;
    uint32_t lo = UINT32_MAX, hi = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (col[i] < lo)
            lo = col[i];
        if (col[i] > hi)
            hi = col[i];
    }
    if (s->n == 0 || lo == hi)
        return;
    const unsigned bits = bits_of(hi);
    unsigned width = digit_bits(s->n, bits);
    if (width > s->max_digit)
        width = s->max_digit;
    const size_t buckets = (size_t)1 << width;
    const uint32_t mask = (uint32_t)(buckets - 1);
    uint32_t *count = s->count;
    for (unsigned shift = 0; shift < bits; shift += width) {
        memset(count, 0, buckets * sizeof *count);
        for (size_t from = 0; from < s->n; from = kw_chunk_end(from, s->n)) {
            if (sorter_stopped(s))
                return;
            for (size_t k = from; k < kw_chunk_end(from, s->n); k++)
                count[(col[s->perm[k]] >> shift) & mask]++;
        }
        if (count[(col[s->perm[0]] >> shift) & mask] == s->n)
            continue; /* every hit has this digit */
        uint32_t sum = 0;
        for (size_t d = 0; d < buckets; d++) {
            uint32_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t from = 0; from < s->n; from = kw_chunk_end(from, s->n)) {
            if (sorter_stopped(s))
                return;
            for (size_t k = from; k < kw_chunk_end(from, s->n); k++) {
                uint32_t i = s->perm[k];
                s->spare[count[(col[i] >> shift) & mask]++] = i;
            }
        }
        uint32_t *swap = s->perm;
        s->perm = s->spare;
        s->spare = swap;
    }
}

/* The rank + 1 of the group of token pos under attribute at. */
static inline uint32_t word_rank(const kw_attr *at, const uint32_t *ranks, size_t pos)
{
    return ranks[kw_attr_group(at, kw_attr_type(at, pos))] + 1;
}

/* Whether the token at p is a word; counts a punctuation token in
 * *skipped, and 0 with *stop set once that passes KW_MAX_SKIP. */
static inline int side_word(const kw_index *ix, size_t p, uint32_t *skipped, int *stop)
{
    KW_STEP();
    if (ix->is_word[kw_tok(ix, p)])
        return 1;
    *stop = ++*skipped > KW_MAX_SKIP;
    return 0;
}

/* The `word`-th word left (or right) of hit i inside its document, as its
 * rank + 1; 0 if the document edge, or KW_MAX_SKIP punctuation tokens,
 * come first. */
static uint32_t context_rank(const kw_index *ix, const kw_hits *h, size_t i, int left,
                             uint32_t word, const kw_attr *at, const uint32_t *ranks)
{
    const size_t first = h->pos[i];
    const size_t doc = kw_index_doc_of(ix, (uint32_t)first);
    uint32_t words = 0, skipped = 0;
    int stop = 0;
    if (left) {
        for (size_t p = first; p > ix->doc_tok[doc] && !stop;) {
            p--;
            if (side_word(ix, p, &skipped, &stop) && ++words == word)
                return word_rank(at, ranks, p);
        }
    } else {
        for (size_t p = first + kw_hits_length(h, i); p < ix->doc_tok[doc + 1] && !stop; p++)
            if (side_word(ix, p, &skipped, &stop) && ++words == word)
                return word_rank(at, ranks, p);
    }
    return 0;
}

/* The column of hits [lo, hi) for `key`; for KW_SORT_MATCH, of the
 * match's token j. */
static void fill_column(sorter *s, const kw_sort_key *key, uint32_t j, size_t lo, size_t hi)
{
    const kw_index *ix = s->ix;
    const kw_hits *h = s->h;
    uint32_t *col = s->column;
    const kw_attr stream = kw_attr_stream(&ix->attrs[key->attr]), *at = &stream;
    const uint32_t *ranks = s->ranks[key->attr];
    switch (key->by) {
    case KW_SORT_LEFT:
    case KW_SORT_RIGHT:
        for (size_t i = lo; i < hi; i++)
            col[i] = context_rank(ix, h, i, key->by == KW_SORT_LEFT, key->word, at, ranks);
        break;
    case KW_SORT_MATCH:
        for (size_t i = lo; i < hi; i++)
            col[i] = j < kw_hits_length(h, i) ? word_rank(at, ranks, (size_t)h->pos[i] + j) : 0;
        break;
    case KW_SORT_DOC:
        for (size_t i = lo; i < hi; i++)
            col[i] = (uint32_t)kw_index_doc_of(ix, h->pos[i]);
        break;
    case KW_SORT_POSITION:
        for (size_t i = lo; i < hi; i++)
            col[i] = h->pos[i];
        break;
    }
}

/* Fill the column of every hit in chunks, then sort by it. */
static void sort_by_one_column(sorter *s, const kw_sort_key *key, uint32_t j)
{
    for (size_t lo = 0; lo < s->n; lo = kw_chunk_end(lo, s->n)) {
        if (sorter_stopped(s))
            return;
        fill_column(s, key, j, lo, kw_chunk_end(lo, s->n));
    }
    sort_by_column(s);
}

static void sort_by_key(sorter *s, const kw_sort_key *key)
{
    if (key->by != KW_SORT_MATCH) {
        sort_by_one_column(s, key, 0);
        return;
    }
    uint32_t longest = 0;
    for (size_t i = 0; i < s->n; i++)
        if (kw_hits_length(s->h, i) > longest)
            longest = kw_hits_length(s->h, i);
    for (uint32_t j = longest; j-- > 0;)
        sort_by_one_column(s, key, j);
}

kw_status kw_hits_sort(const kw_index *ix, const kw_hits *h, const kw_sort_key *keys, size_t n_keys,
                       const kw_cancel *cancel, kw_hits **out)
{
    const kw_alloc *a = &ix->alloc;
    const size_t n = h->n;
    unsigned max_digit = 1;
    for (size_t k = 0; k < n_keys; k++) {
        if (keys[k].attr >= ix->n_attrs)
            return KW_EINVAL;
        switch (keys[k].by) {
        case KW_SORT_LEFT:
        case KW_SORT_RIGHT:
            if (keys[k].word == 0)
                return KW_EINVAL;
            break;
        case KW_SORT_MATCH:
        case KW_SORT_DOC:
        case KW_SORT_POSITION:
            break;
        default:
            return KW_EINVAL;
        }
        unsigned w = digit_bits(n, bits_of(key_bound(ix, &keys[k])));
        if (w > max_digit)
            max_digit = w;
    }
    if (n > UINT32_MAX)
        return KW_ETOOBIG;

    /* Each attribute a key compares, ranked before anything is sorted. */
    const uint32_t **ranks = kw_malloc(a, ix->n_attrs * sizeof *ranks);
    if (!ranks)
        return KW_ENOMEM;
    memset(ranks, 0, ix->n_attrs * sizeof *ranks);
    for (size_t k = 0; k < n_keys; k++) {
        kw_status st = kw_index_attr_ranks(ix, keys[k].attr, cancel, &ranks[keys[k].attr]);
        if (st != KW_OK) {
            kw_free(a, ranks);
            return st;
        }
    }
    sorter s = {ix, ranks, h, n, NULL, NULL, NULL, NULL, max_digit, cancel, 0};
    s.perm = kw_malloc(a, n * sizeof *s.perm);
    s.spare = kw_malloc(a, n * sizeof *s.spare);
    s.column = kw_malloc(a, n * sizeof *s.column);
    s.count = kw_malloc(a, ((size_t)1 << max_digit) * sizeof *s.count);
    kw_status st = KW_ENOMEM;
    if (s.perm && s.spare && s.column && s.count) {
        for (size_t i = 0; i < n; i++)
            s.perm[i] = (uint32_t)i;
        for (size_t k = n_keys; k-- > 0 && !s.stopped;)
            sort_by_key(&s, &keys[k]);
        st = s.stopped ? KW_EINTR : kw_hits_select(h, s.perm, n, out);
    }
    kw_free(a, s.perm);
    kw_free(a, s.spare);
    kw_free(a, s.column);
    kw_free(a, s.count);
    kw_free(a, ranks);
    return st;
}

size_t kw_index_attr_n_groups(const kw_index *ix, size_t attr) { return ix->attrs[attr].n_groups; }

kw_status kw_index_attr_ranks(const kw_index *ix, size_t attr, const kw_cancel *cancel,
                              const uint32_t **ranks)
{
    if (attr >= ix->n_attrs)
        return KW_EINVAL;
    if (attr == 0) {
        *ranks = ix->group_rank;
        return KW_OK;
    }
    kw_attr *at = &ix->attrs[attr];
    uint32_t *kept = atomic_load(&at->rank);
    if (!kept) {
        uint32_t *made;
        kw_status st = kw_rank_forms(&at->forms, &ix->alloc, cancel, &made);
        if (st != KW_OK)
            return st;
        /* Another thread may have ranked it meanwhile: keep the first. */
        if (atomic_compare_exchange_strong(&at->rank, &kept, made))
            kept = made;
        else
            kw_free(&ix->alloc, made);
    }
    *ranks = kept;
    return KW_OK;
}
