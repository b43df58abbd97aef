/* kw_query.c: word and phrase queries, and hit lists (see kw_core.h). */
#include <string.h>

#include "kw_internal.h"
#include "kw_text.h"

/* ---- queries ---- */

typedef struct query_token {
    uint32_t key;          /* surface type if exact, else fold group */
    uint32_t group;
    const uint32_t *post;  /* the group's postings */
    size_t n_post;
} query_token;

/* Resolve one query token; 0 if it is not in the vocabulary. */
static int resolve(const kw_index *ix, const char *form, size_t len, int exact, char *scratch,
                   query_token *qt)
{
    if (exact) {
        if (!kw_strtab_find(&ix->surface, form, len, kw_hash(form, len), &qt->key))
            return 0;
        qt->group = ix->group_of[qt->key];
    } else {
        if (kw_utf8_folds(form, len)) {
            len = kw_fold_utf8(form, len, scratch);
            form = scratch;
        }
        if (!kw_strtab_find(&ix->folded, form, len, kw_hash(form, len), &qt->key))
            return 0;
        qt->group = qt->key;
    }
    qt->post = ix->post + ix->post_start[qt->group];
    qt->n_post = ix->post_start[qt->group + 1] - ix->post_start[qt->group];
    return 1;
}

static inline int token_matches(const kw_index *ix, size_t pos, const query_token *qt, int exact)
{
    uint32_t type = ix->toks[pos];
    return exact ? type == qt->key : ix->group_of[type] == qt->key;
}

static kw_status new_hits(const kw_alloc *a, uint32_t length, kw_hits **out)
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

/* Candidates come from the rarest token's postings; each is checked token
 * by token against the stream and must lie inside one document. */
static kw_status match_phrase(const kw_index *ix, const query_token *qts, size_t m, int exact,
                              kw_hits *h)
{
    size_t rarest = 0;
    for (size_t j = 1; j < m; j++)
        if (qts[j].n_post < qts[rarest].n_post)
            rarest = j;
    const query_token *anchor = &qts[rarest];
    h->owned = kw_malloc(&h->alloc, anchor->n_post * sizeof *h->owned);
    if (!h->owned)
        return KW_ENOMEM;
    size_t n = 0;
    for (size_t k = 0; k < anchor->n_post; k++) {
        size_t p = anchor->post[k];
        if (p < rarest || p - rarest + m > ix->n_tokens)
            continue;
        size_t first = p - rarest;
        size_t j = 0;
        while (j < m && token_matches(ix, first + j, &qts[j], exact))
            j++;
        if (j < m)
            continue;
        size_t doc = kw_index_doc_of(ix, (uint32_t)first);
        if (ix->doc_tok[doc + 1] < first + m)
            continue;
        h->owned[n++] = (uint32_t)first;
    }
    h->pos = h->owned;
    h->n = n;
    return KW_OK;
}

kw_status kw_index_find(const kw_index *ix, const char *query, size_t n_bytes, int exact,
                        kw_hits **out, size_t *bad_offset)
{
    const kw_alloc *a = &ix->alloc;
    kw_scan scan;
    kw_tokspan t;
    int r;
    size_t m = 0;

    kw_scan_init(&scan, query, n_bytes, 0, 0);
    while ((r = kw_scan_next(&scan, &t)) == 1)
        m++;
    if (r < 0) {
        *bad_offset = kw_scan_offset(&scan);
        return KW_EUTF8;
    }
    if (m == 0)
        return KW_EEMPTY;
    if (m > UINT32_MAX || n_bytes > SIZE_MAX / KW_FOLD_GROWTH || m > SIZE_MAX / sizeof(query_token))
        return KW_ETOOBIG;

    query_token *qts = kw_malloc(a, m * sizeof *qts);
    char *scratch = kw_malloc(a, n_bytes * KW_FOLD_GROWTH);
    kw_hits *h = NULL;
    kw_status st = KW_ENOMEM;
    if (!qts || !scratch || (st = new_hits(a, (uint32_t)m, &h)) != KW_OK)
        goto done;

    int all_found = 1;
    kw_scan_init(&scan, query, n_bytes, 0, 0);
    for (size_t j = 0; j < m && all_found; j++) {
        kw_scan_next(&scan, &t);
        all_found = resolve(ix, query + t.begin, t.end - t.begin, exact, scratch, &qts[j]);
    }
    if (!all_found) {
        st = KW_OK;
    } else if (m == 1 && !exact) {
        /* A folded single word is exactly its group's postings: no copy. */
        h->pos = qts[0].post;
        h->n = qts[0].n_post;
        st = KW_OK;
    } else {
        st = match_phrase(ix, qts, m, exact, h);
    }

done:
    kw_free(a, qts);
    kw_free(a, scratch);
    if (st != KW_OK) {
        kw_hits_free(h);
        return st;
    }
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
    kw_status st = new_hits(a, 0, &h);
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

kw_status kw_hits_merge(const kw_alloc *a, kw_hits *const *parts, size_t n_parts, kw_hits **out)
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
