/* kw_index.c: building the index, queries and KWIC layout (see kw_core.h). */
#include <string.h>

#include "kw_internal.h"
#include "kw_text.h"

const char *kw_status_message(kw_status status)
{
    switch (status) {
    case KW_OK: return "ok";
    case KW_ENOMEM: return "out of memory";
    case KW_EUTF8: return "invalid UTF-8";
    case KW_ETOOBIG: return "corpus too large (more than 4,294,967,294 tokens or types)";
    case KW_EEMPTY: return "the query has no token in it";
    }
    return "unknown error";
}

/* ---- building ---- */

kw_status kw_builder_new(const kw_alloc *alloc, kw_builder **out)
{
    kw_builder *b = kw_malloc(alloc, sizeof *b);
    if (!b)
        return KW_ENOMEM;
    memset(b, 0, sizeof *b);
    b->alloc = *alloc;
    kw_strtab_init(&b->surface);
    if (kw_reserve(alloc, (void **)&b->doc_byte, &b->docs_cap, 2, sizeof *b->doc_byte) != KW_OK) {
        kw_free(alloc, b);
        return KW_ENOMEM;
    }
    size_t cap = 0;
    if (kw_reserve(alloc, (void **)&b->doc_tok, &cap, b->docs_cap, sizeof *b->doc_tok) != KW_OK) {
        kw_free(alloc, b->doc_byte);
        kw_free(alloc, b);
        return KW_ENOMEM;
    }
    b->doc_byte[0] = 0;
    b->doc_tok[0] = 0;
    *out = b;
    return KW_OK;
}

void kw_builder_free(kw_builder *b)
{
    if (!b)
        return;
    const kw_alloc *a = &b->alloc;
    kw_free(a, b->text);
    kw_free(a, b->doc_byte);
    kw_free(a, b->doc_tok);
    kw_free(a, b->toks);
    kw_free(a, b->checkpoints);
    kw_free(a, b->is_word);
    kw_strtab_free(&b->surface, a);
    a->free(a->ctx, b);
}

/* Both document arrays share one capacity, so grow them together. */
static kw_status reserve_docs(kw_builder *b, size_t need)
{
    if (need <= b->docs_cap)
        return KW_OK;
    size_t byte_cap = b->docs_cap, tok_cap = b->docs_cap;
    kw_status st = kw_reserve(&b->alloc, (void **)&b->doc_byte, &byte_cap, need,
                              sizeof *b->doc_byte);
    if (st == KW_OK)
        st = kw_reserve(&b->alloc, (void **)&b->doc_tok, &tok_cap, need, sizeof *b->doc_tok);
    if (st == KW_OK)
        b->docs_cap = byte_cap < tok_cap ? byte_cap : tok_cap;
    return st;
}

static kw_status add_token(kw_builder *b, const char *doc, const kw_tokspan *t, size_t doc_start)
{
    kw_status st;
    if (b->n_tokens >= KW_MAX_TOKENS)
        return KW_ETOOBIG;
    if (b->n_tokens % KW_CHECKPOINT == 0) {
        if ((st = kw_reserve(&b->alloc, (void **)&b->checkpoints, &b->checkpoints_cap,
                             b->n_checkpoints + 1, sizeof *b->checkpoints)) != KW_OK)
            return st;
        b->checkpoints[b->n_checkpoints].byte = doc_start + t->begin;
        b->checkpoints[b->n_checkpoints].chars = t->char_begin;
        b->n_checkpoints++;
    }
    if (b->n_tokens == b->toks_cap
        && (st = kw_reserve(&b->alloc, (void **)&b->toks, &b->toks_cap, b->n_tokens + 1,
                            sizeof *b->toks)) != KW_OK)
        return st;
    const char *form = doc + t->begin;
    size_t len = t->end - t->begin;
    uint32_t id;
    int added;
    if ((st = kw_strtab_intern(&b->surface, &b->alloc, form, len, kw_hash(form, len), &id,
                               &added)) != KW_OK)
        return st;
    if (added) {
        if ((st = kw_reserve(&b->alloc, (void **)&b->is_word, &b->is_word_cap, id + 1, 1))
            != KW_OK)
            return st;
        b->is_word[id] = (uint8_t)t->is_word;
    }
    b->toks[b->n_tokens++] = id;
    return KW_OK;
}

kw_status kw_builder_add(kw_builder *b, const char *utf8, size_t n_bytes, size_t *bad_offset)
{
    const size_t tokens_before = b->n_tokens, checkpoints_before = b->n_checkpoints;
    const size_t types_before = b->surface.n;
    kw_status st;

    if (n_bytes > SIZE_MAX - b->text_len)
        return KW_ETOOBIG;
    if ((st = reserve_docs(b, b->n_docs + 2)) != KW_OK)
        return st;
    if ((st = kw_reserve(&b->alloc, (void **)&b->text, &b->text_cap, b->text_len + n_bytes, 1))
        != KW_OK)
        return st;

    kw_scan scan;
    kw_tokspan t;
    int r;
    kw_scan_init(&scan, utf8, n_bytes, 0, 0);
    while ((r = kw_scan_next(&scan, &t)) == 1) {
        if ((st = add_token(b, utf8, &t, b->text_len)) != KW_OK)
            goto undo;
    }
    if (r < 0) {
        *bad_offset = kw_scan_offset(&scan);
        st = KW_EUTF8;
        goto undo;
    }
    if (n_bytes)
        memcpy(b->text + b->text_len, utf8, n_bytes);
    b->text_len += n_bytes;
    b->n_docs++;
    b->doc_byte[b->n_docs] = b->text_len;
    b->doc_tok[b->n_docs] = (uint32_t)b->n_tokens;
    return KW_OK;

undo:
    b->n_tokens = tokens_before;
    b->n_checkpoints = checkpoints_before;
    kw_strtab_truncate(&b->surface, types_before);
    return st;
}

/* Give back the slack of a doubled array; keep it if the allocator will not. */
static void *shrink(const kw_alloc *a, void *p, size_t size)
{
    void *smaller = p ? a->realloc(a->ctx, p, size ? size : 1) : p;
    return smaller ? smaller : p;
}

static kw_status fold_groups(kw_index *ix, const kw_strtab *surface)
{
    const kw_alloc *a = &ix->alloc;
    size_t longest = 0;
    for (size_t id = 0; id < surface->n; id++) {
        size_t len = (size_t)(surface->offsets[id + 1] - surface->offsets[id]);
        if (len > longest)
            longest = len;
    }
    if (longest > SIZE_MAX / KW_FOLD_GROWTH)
        return KW_ETOOBIG;
    char *scratch = kw_malloc(a, longest * KW_FOLD_GROWTH);
    ix->group_of = kw_malloc(a, surface->n * sizeof *ix->group_of);
    if (!scratch || !ix->group_of) {
        kw_free(a, scratch);
        return KW_ENOMEM;
    }
    kw_status st = KW_OK;
    for (size_t id = 0; id < surface->n && st == KW_OK; id++) {
        size_t len;
        const char *form = kw_strtab_form(surface, (uint32_t)id, &len);
        if (kw_utf8_folds(form, len)) {
            len = kw_fold_utf8(form, len, scratch);
            form = scratch;
        }
        int added;
        st = kw_strtab_intern(&ix->folded, a, form, len, kw_hash(form, len),
                              &ix->group_of[id], &added);
    }
    kw_free(a, scratch);
    return st;
}

/* Postings by a counting sort: count per group, prefix sums, then one
 * stable pass over the token stream, so each group's list ascends. */
static kw_status build_postings(kw_index *ix)
{
    const kw_alloc *a = &ix->alloc;
    size_t n_groups = ix->folded.n;
    ix->post_start = kw_malloc(a, (n_groups + 1) * sizeof *ix->post_start);
    ix->post = kw_malloc(a, ix->n_tokens * sizeof *ix->post);
    uint32_t *next = kw_malloc(a, (n_groups + 1) * sizeof *next);
    if (!ix->post_start || !ix->post || !next) {
        kw_free(a, next);
        return KW_ENOMEM;
    }
    memset(next, 0, (n_groups + 1) * sizeof *next);
    for (size_t i = 0; i < ix->n_tokens; i++)
        next[ix->group_of[ix->toks[i]]]++;
    uint32_t sum = 0;
    for (size_t g = 0; g < n_groups; g++) {
        uint32_t count = next[g];
        ix->post_start[g] = sum;
        next[g] = sum;
        sum += count;
    }
    ix->post_start[n_groups] = sum;
    for (size_t i = 0; i < ix->n_tokens; i++)
        ix->post[next[ix->group_of[ix->toks[i]]]++] = (uint32_t)i;
    kw_free(a, next);
    return KW_OK;
}

kw_status kw_builder_finish(kw_builder *b, kw_index **out)
{
    const kw_alloc *a = &b->alloc;
    kw_index *ix = kw_malloc(a, sizeof *ix);
    if (!ix)
        return KW_ENOMEM;
    memset(ix, 0, sizeof *ix);
    ix->alloc = *a;
    ix->toks = b->toks;
    ix->n_tokens = b->n_tokens;
    kw_strtab_init(&ix->folded);

    kw_status st = fold_groups(ix, &b->surface);
    if (st == KW_OK)
        st = build_postings(ix);
    if (st != KW_OK) {
        kw_free(a, ix->group_of);
        kw_free(a, ix->post_start);
        kw_free(a, ix->post);
        kw_strtab_free(&ix->folded, a);
        kw_free(a, ix);
        return st;
    }

    ix->text = shrink(a, b->text, b->text_len);
    ix->text_len = b->text_len;
    ix->doc_byte = b->doc_byte;
    ix->doc_tok = b->doc_tok;
    ix->n_docs = b->n_docs;
    ix->toks = shrink(a, b->toks, b->n_tokens * sizeof *b->toks);
    ix->checkpoints = shrink(a, b->checkpoints, b->n_checkpoints * sizeof *b->checkpoints);
    ix->surface = b->surface;
    ix->is_word = b->is_word;
    a->free(a->ctx, b);
    *out = ix;
    return KW_OK;
}

/* ---- the index ---- */

void kw_index_free(kw_index *ix)
{
    if (!ix)
        return;
    const kw_alloc *a = &ix->alloc;
    kw_free(a, ix->text);
    kw_free(a, ix->doc_byte);
    kw_free(a, ix->doc_tok);
    kw_free(a, ix->toks);
    kw_free(a, ix->checkpoints);
    kw_free(a, ix->is_word);
    kw_free(a, ix->group_of);
    kw_free(a, ix->post_start);
    kw_free(a, ix->post);
    kw_strtab_free(&ix->surface, a);
    kw_strtab_free(&ix->folded, a);
    a->free(a->ctx, ix);
}

size_t kw_index_n_docs(const kw_index *ix) { return ix->n_docs; }
size_t kw_index_n_tokens(const kw_index *ix) { return ix->n_tokens; }
size_t kw_index_n_types(const kw_index *ix) { return ix->surface.n; }
size_t kw_index_n_groups(const kw_index *ix) { return ix->folded.n; }

const char *kw_index_doc_text(const kw_index *ix, size_t doc, size_t *n_bytes)
{
    *n_bytes = (size_t)(ix->doc_byte[doc + 1] - ix->doc_byte[doc]);
    return ix->text + ix->doc_byte[doc];
}

size_t kw_index_doc_of(const kw_index *ix, uint32_t pos)
{
    /* The last document starting at or before pos; empty documents share
     * their start with the next one, and this skips past them. */
    size_t lo = 0, hi = ix->n_docs;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->doc_tok[mid] <= pos)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

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
    h->alloc.free(h->alloc.ctx, h);
}

size_t kw_hits_count(const kw_hits *h) { return h->n; }
uint32_t kw_hits_length(const kw_hits *h) { return h->length; }
uint32_t kw_hits_position(const kw_hits *h, size_t i) { return h->pos[i]; }

/* ---- KWIC ---- */

void kw_line_at(const kw_index *ix, const kw_hits *h, size_t i, uint32_t left, uint32_t right,
                kw_line *out)
{
    const size_t first = h->pos[i], last = first + h->length - 1;
    const size_t doc = kw_index_doc_of(ix, (uint32_t)first);
    const size_t doc_first = ix->doc_tok[doc], doc_end = ix->doc_tok[doc + 1];

    /* Context bounds count words only; punctuation inside them is shown. */
    size_t lo = first, words = 0;
    while (words < left && lo > doc_first) {
        lo--;
        words += ix->is_word[ix->toks[lo]];
    }
    size_t hi = last + 1;
    words = 0;
    while (words < right && hi < doc_end) {
        words += ix->is_word[ix->toks[hi]];
        hi++;
    }

    size_t n_bytes;
    const char *text = kw_index_doc_text(ix, doc, &n_bytes);
    size_t tok = (lo / KW_CHECKPOINT) * KW_CHECKPOINT;
    kw_scan scan;
    if (tok > doc_first) {
        const kw_checkpoint *cp = &ix->checkpoints[lo / KW_CHECKPOINT];
        kw_scan_init(&scan, text, n_bytes, (size_t)(cp->byte - ix->doc_byte[doc]), cp->chars);
    } else {
        tok = doc_first;
        kw_scan_init(&scan, text, n_bytes, 0, 0);
    }

    kw_tokspan t;
    for (; tok < hi; tok++) {
        kw_scan_next(&scan, &t);
        if (tok == lo)
            out->left_begin = t.begin;
        if (tok == first) {
            out->match_begin = t.begin;
            out->char_start = t.char_begin;
        }
        if (tok == last) {
            out->match_end = t.end;
            out->char_end = t.char_end;
        }
        if (tok + 1 == hi)
            out->right_end = t.end;
    }
    /* The contexts take the white space beside the match, so that left,
     * match and right laid end to end read as the text does. */
    out->left_end = out->match_begin;
    out->right_begin = out->match_end;
    if (lo == first)
        out->left_begin = out->match_begin;
    if (hi == last + 1)
        out->right_end = out->match_end;
    out->doc = doc;
    out->tok_start = (uint32_t)(first - doc_first);
    out->tok_end = (uint32_t)(last + 1 - doc_first);
}
