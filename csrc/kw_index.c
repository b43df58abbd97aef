/* kw_index.c: building the index (see kw_core.h). */
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
    case KW_EINVAL: return "an argument out of range (a type or group id, a sort key)";
    case KW_EFORMAT: return "not a valid saved kwiq index";
    case KW_EIO: return "writing the saved index failed";
    }
    return "unknown error";
}

/* ---- building ---- */

/* The document arrays share one capacity, so grow them together. */
static kw_status reserve_docs(kw_builder *b, size_t need)
{
    if (need <= b->docs_cap)
        return KW_OK;
    size_t byte_cap = b->docs_cap, tok_cap = b->docs_cap, ck_cap = b->docs_cap;
    kw_status st = kw_reserve(&b->alloc, (void **)&b->doc_byte, &byte_cap, need,
                              sizeof *b->doc_byte);
    if (st == KW_OK)
        st = kw_reserve(&b->alloc, (void **)&b->doc_tok, &tok_cap, need, sizeof *b->doc_tok);
    if (st == KW_OK)
        st = kw_reserve(&b->alloc, (void **)&b->doc_ck, &ck_cap, need, sizeof *b->doc_ck);
    if (st == KW_OK)
        b->docs_cap = byte_cap < tok_cap ? byte_cap : tok_cap < ck_cap ? tok_cap : ck_cap;
    return st;
}

kw_status kw_builder_new(const kw_alloc *alloc, kw_builder **out)
{
    kw_builder *b = kw_malloc(alloc, sizeof *b);
    if (!b)
        return KW_ENOMEM;
    memset(b, 0, sizeof *b);
    b->alloc = *alloc;
    kw_strtab_init(&b->surface);
    if (reserve_docs(b, 2) != KW_OK) {
        kw_builder_free(b);
        return KW_ENOMEM;
    }
    b->doc_byte[0] = 0;
    b->doc_tok[0] = 0;
    b->doc_ck[0] = 0;
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
    kw_free(a, b->doc_ck);
    kw_free(a, b->toks);
    kw_free(a, b->checkpoints);
    kw_free(a, b->is_word);
    kw_strtab_free(&b->surface, a);
    a->free(a->ctx, b);
}

/* Append one token; `in_doc` is how many tokens of its document precede it. */
static kw_status add_token(kw_builder *b, const char *doc, const kw_tokspan *t, size_t in_doc)
{
    kw_status st;
    if (b->n_tokens >= KW_MAX_TOKENS)
        return KW_ETOOBIG;
    if (in_doc && in_doc % KW_CHECKPOINT == 0) {
        if ((st = kw_reserve(&b->alloc, (void **)&b->checkpoints, &b->checkpoints_cap,
                             b->n_checkpoints + 1, sizeof *b->checkpoints)) != KW_OK)
            return st;
        b->checkpoints[b->n_checkpoints].byte = t->begin;
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
        if ((st = add_token(b, utf8, &t, b->n_tokens - tokens_before)) != KW_OK)
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
    b->doc_ck[b->n_docs] = (uint32_t)b->n_checkpoints;
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
    if (st == KW_OK)
        st = kw_rank_groups(ix);
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
    ix->doc_ck = b->doc_ck;
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
    if (ix->borrowed) {
        a->free(a->ctx, ix); /* a loaded index: the arrays are the caller's bytes */
        return;
    }
    kw_free(a, ix->text);
    kw_free(a, ix->doc_byte);
    kw_free(a, ix->doc_tok);
    kw_free(a, ix->doc_ck);
    kw_free(a, ix->toks);
    kw_free(a, ix->checkpoints);
    kw_free(a, ix->is_word);
    kw_free(a, ix->group_of);
    kw_free(a, ix->group_rank);
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

const char *kw_index_type_form(const kw_index *ix, uint32_t type, size_t *len)
{
    return kw_strtab_form(&ix->surface, type, len);
}

const char *kw_index_group_form(const kw_index *ix, uint32_t group, size_t *len)
{
    return kw_strtab_form(&ix->folded, group, len);
}

uint32_t kw_index_group_of(const kw_index *ix, uint32_t type) { return ix->group_of[type]; }
int kw_index_type_is_word(const kw_index *ix, uint32_t type) { return ix->is_word[type]; }

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
