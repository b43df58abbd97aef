/*
 * kw_tagged.c: lines of tagged tokens, "word/upos" as CQPweb shows them
 * (see kw_tagged_columns in kw_core.h).
 *
 * The tokens of a line are those kw_line_at gives its contexts and match
 * (kw_line.ctx_start .. ctx_end); each value is copied from its
 * attribute's vocabulary through the token streams, so nothing is
 * allocated per token: only the columns grow, by doubling.
 */
#include <string.h>

#include "kw_alloc.h"
#include "kw_cancel.h"
#include "kw_hits.h"
#include "kw_index.h"

/* Room for n more bytes at the end of string k of column c. */
static kw_status room(const kw_alloc *alloc, kw_text_column *c, size_t k, size_t n)
{
    const size_t used = (size_t)c->offsets[k + 1];
    if (n > SIZE_MAX - used || used + n > (size_t)INT64_MAX)
        return KW_ETOOBIG;
    return kw_reserve(alloc, (void **)&c->data, &c->cap, used + n, 1);
}

/* Append tokens [from, to) (corpus-wide) to string k of column c. */
static kw_status append_tokens(const kw_index *ix, size_t from, size_t to, const uint32_t *attrs,
                               size_t n_attrs, const kw_alloc *alloc, kw_text_column *c, size_t k)
{
    c->offsets[k + 1] = c->offsets[k];
    for (size_t pos = from; pos < to; pos++) {
        for (size_t j = 0; j < n_attrs; j++) {
            const kw_attr *at = &ix->attrs[attrs[j]];
            size_t n;
            const char *value = kw_strtab_form(&at->forms, kw_attr_type(at, pos), &n);
            const int separated = pos > from || j > 0;
            kw_status st = room(alloc, c, k, n + 1);
            if (st != KW_OK)
                return st;
            char *out = c->data + c->offsets[k + 1];
            if (separated)
                *out++ = j > 0 ? '/' : ' ';
            memcpy(out, value, n);
            c->offsets[k + 1] += (int64_t)(n + (size_t)separated);
        }
    }
    return KW_OK;
}

kw_status kw_tagged_columns(const kw_index *ix, const kw_hits *h, size_t start, size_t stop,
                            const kw_context *ctx, const uint32_t *attrs, size_t n_attrs,
                            const kw_alloc *alloc, const kw_cancel *cancel, kw_text_column *left,
                            kw_text_column *match, kw_text_column *right)
{
    if (start > stop || stop > h->n || n_attrs == 0)
        return KW_EINVAL;
    for (size_t j = 0; j < n_attrs; j++)
        if (attrs[j] >= ix->n_attrs)
            return KW_EINVAL;
    match->offsets[0] = 0;
    if (left)
        left->offsets[0] = right->offsets[0] = 0;
    kw_status st = KW_OK;
    for (size_t i = start; i < stop && st == KW_OK; i++) {
        if ((i - start) % KW_POLL_EVERY == KW_POLL_EVERY - 1 && kw_stop_asked(cancel))
            return KW_EINTR;
        const size_t k = i - start, first = h->pos[i], end = first + kw_hits_length(h, i);
        st = append_tokens(ix, first, end, attrs, n_attrs, alloc, match, k);
        if (st != KW_OK || !left)
            continue;
        kw_line line;
        kw_line_at(ix, h, i, ctx, NULL, &line);
        const size_t doc_first = ix->doc_tok[line.doc];
        st = append_tokens(ix, doc_first + line.ctx_start, first, attrs, n_attrs, alloc, left, k);
        if (st == KW_OK)
            st = append_tokens(ix, end, doc_first + line.ctx_end, attrs, n_attrs, alloc, right, k);
    }
    return st;
}
