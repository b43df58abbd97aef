/*
 * kw_annot.c: adding annotated documents to a builder (see kw_core.h).
 *
 * An annotated document comes with its tokens: each one's span of the
 * text, its word form and its value of every attribute, and the regions of
 * its structures. All of it is checked before anything is added, so a bad
 * document leaves the builder as it was; then each form and value is
 * interned into its vocabulary, the spans are recorded in two bytes a token
 * (kw_spans.h), and every KW_CHECKPOINT-th token records its offsets, as
 * tokenized documents do.
 */
#include <string.h>

#include "kw_alloc.h"
#include "kw_attr.h"
#include "kw_cancel.h"
#include "kw_index.h"
#include "kw_spans.h"
#include "kw_strtab.h"
#include "kw_text.h"

static int same_name(const char *a, const char *b) { return strcmp(a, b) == 0; }

/* 1 if the n names are non-empty, distinct and not `reserved`. */
static int names_ok(const char *const *names, size_t n, const char *reserved)
{
    for (size_t i = 0; i < n; i++) {
        if (!names[i] || !names[i][0] || same_name(names[i], reserved))
            return 0;
        for (size_t j = 0; j < i; j++)
            if (same_name(names[i], names[j]))
                return 0;
    }
    return 1;
}

kw_status kw_builder_annotate(kw_builder *b, const char *const *attrs, size_t n_attrs,
                              const char *const *structures, size_t n_structures)
{
    if (b->annotated || b->n_docs || !names_ok(attrs, n_attrs, "word")
        || !names_ok(structures, n_structures, "text"))
        return KW_EINVAL;
    const kw_alloc *a = &b->alloc;
    kw_attr_builder *ab = kw_malloc(a, (n_attrs ? n_attrs : 1) * sizeof *ab);
    kw_structure_builder *sb = kw_malloc(a, (n_structures ? n_structures : 1) * sizeof *sb);
    kw_status st = ab && sb ? KW_OK : KW_ENOMEM;
    size_t made_attrs = 0, made_structures = 0;
    while (st == KW_OK && made_attrs < n_attrs) {
        if ((st = kw_attr_builder_init(&ab[made_attrs], a, attrs[made_attrs])) == KW_OK)
            made_attrs++;
        else
            kw_attr_builder_free(&ab[made_attrs], a);
    }
    while (st == KW_OK && made_structures < n_structures) {
        st = kw_structure_builder_init(&sb[made_structures], a, structures[made_structures]);
        if (st == KW_OK)
            made_structures++;
        else
            kw_structure_builder_free(&sb[made_structures], a);
    }
    if (st != KW_OK) {
        for (size_t i = 0; i < made_attrs; i++)
            kw_attr_builder_free(&ab[i], a);
        for (size_t i = 0; i < made_structures; i++)
            kw_structure_builder_free(&sb[i], a);
        kw_free(a, ab);
        kw_free(a, sb);
        return st;
    }
    b->attrs = ab;
    b->n_attrs = n_attrs;
    b->structures = sb;
    b->n_structures = n_structures;
    b->annotated = 1;
    return KW_OK;
}

static int valid_utf8(const char *p, size_t n) { return kw_utf8_valid_prefix(p, n) == n; }

static int continues_a_character(const char *text, size_t at, size_t n_bytes)
{
    return at < n_bytes && ((unsigned char)text[at] & 0xC0) == 0x80;
}

static kw_status check_document(const kw_builder *b, const char *text, size_t n_bytes,
                                const kw_ext_token *tokens, size_t n_tokens,
                                const kw_ext_region *regions, size_t n_regions,
                                kw_annot_problem *problem)
{
    if (!valid_utf8(text, n_bytes)) {
        *problem = (kw_annot_problem){"the text is not valid UTF-8", KW_ANNOT_TEXT, 0};
        return KW_EUTF8;
    }
    size_t prev_begin = 0, prev_end = 0;
    for (size_t i = 0; i < n_tokens; i++) {
        const kw_ext_token *t = &tokens[i];
        const char *what = NULL;
        if (t->begin >= t->end || t->end > n_bytes)
            what = "its span is empty or ends past the text";
        else if (continues_a_character(text, t->begin, n_bytes)
                 || continues_a_character(text, t->end, n_bytes))
            what = "its span cuts a character";
        else if (i && t->begin < prev_end && !(t->begin == prev_begin && t->end == prev_end))
            what = "its span overlaps the token before it";
        else if (!t->word_len)
            what = "its word is empty";
        else if (!valid_utf8(t->word, t->word_len))
            what = "its word is not valid UTF-8";
        for (size_t k = 0; !what && k < b->n_attrs; k++)
            if (!valid_utf8(t->values[k], t->value_lens[k]))
                what = "a value of it is not valid UTF-8";
        if (what) {
            *problem = (kw_annot_problem){what, KW_ANNOT_TOKEN, i};
            return KW_EINVAL;
        }
        prev_begin = t->begin;
        prev_end = t->end;
    }
    for (size_t i = 0; i < n_regions; i++) {
        const kw_ext_region *r = &regions[i];
        const char *what = NULL;
        if (r->structure >= b->n_structures)
            what = "its structure is not one the builder was given";
        else if (r->start > r->end || r->end > n_tokens)
            what = "its tokens are not a range of the document's";
        else
            for (size_t j = i; j-- > 0;)
                if (regions[j].structure == r->structure) {
                    if (regions[j].end > r->start)
                        what = "it does not come after the region before it";
                    break;
                }
        if (what) {
            *problem = (kw_annot_problem){what, KW_ANNOT_REGION, i};
            return KW_EINVAL;
        }
    }
    return KW_OK;
}

/* Room for n_tokens more tokens and n_regions more regions, in every array
 * they go to; the arrays grow by doubling, and what is not used is kept. */
static kw_status reserve_document(kw_builder *b, size_t n_bytes, size_t n_tokens,
                                  const kw_ext_region *regions, size_t n_regions)
{
    const kw_alloc *a = &b->alloc;
    const size_t need = b->n_tokens + n_tokens;
    kw_status st;
    size_t gap_cap = b->spans_cap, len_cap = b->spans_cap;
    if ((st = kw_reserve(a, (void **)&b->text, &b->text_cap, b->text_len + n_bytes, 1))
        || (st = kw_reserve(a, (void **)&b->toks, &b->toks_cap, need, sizeof *b->toks))
        || (st =
                kw_reserve(a, (void **)&b->checkpoints, &b->checkpoints_cap,
                           b->n_checkpoints + n_tokens / KW_CHECKPOINT + 1, sizeof *b->checkpoints))
        || (st = kw_reserve(a, (void **)&b->spans.gap, &gap_cap, need, 1))
        || (st = kw_reserve(a, (void **)&b->spans.len, &len_cap, need, 1)))
        return st;
    b->spans_cap = gap_cap < len_cap ? gap_cap : len_cap;
    for (size_t k = 0; k < b->n_attrs; k++)
        if ((st = kw_reserve(a, (void **)&b->attrs[k].toks, &b->attrs[k].toks_cap, need,
                             sizeof *b->attrs[k].toks)))
            return st;
    for (size_t k = 0; k < b->n_structures; k++) {
        kw_structure_builder *s = &b->structures[k];
        size_t more = 0;
        for (size_t i = 0; i < n_regions; i++)
            more += regions[i].structure == k;
        size_t start_cap = s->cap, end_cap = s->cap;
        if ((st = kw_reserve(a, (void **)&s->start, &start_cap, s->n + more, sizeof *s->start))
            || (st = kw_reserve(a, (void **)&s->end, &end_cap, s->n + more, sizeof *s->end)))
            return st;
        s->cap = start_cap < end_cap ? start_cap : end_cap;
    }
    return kw_builder_reserve_docs(b, b->n_docs + 2);
}

/* 1 if the form holds a word as the tokenizer cuts words (a letter, mark or
 * number), so that word windows count it. */
static int form_is_word(const char *form, size_t n)
{
    kw_scan scan;
    kw_tokspan t;
    kw_scan_init(&scan, form, n, 0, 0);
    while (kw_scan_next(&scan, &t) == 1)
        if (t.is_word)
            return 1;
    return 0;
}

static uint64_t code_points(const char *p, size_t n)
{
    uint64_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)p[i] & 0xC0) != 0x80;
    return count;
}

static kw_status add_escape(kw_builder *b, size_t tok, uint64_t gap, uint64_t len)
{
    kw_status st = kw_reserve(&b->alloc, (void **)&b->spans.escapes, &b->escapes_cap,
                              b->spans.n_escapes + 1, sizeof *b->spans.escapes);
    if (st == KW_OK)
        b->spans.escapes[b->spans.n_escapes++] =
            (kw_span_escape){.tok = (uint32_t)tok, .gap = gap, .len = len};
    return st;
}

/* Intern one token's word and values and record its span; the arrays have
 * room (reserve_document). */
static kw_status add_token(kw_builder *b, const kw_ext_token *t, const kw_ext_token *prev,
                           size_t in_doc, uint64_t char_begin)
{
    const kw_alloc *a = &b->alloc;
    const size_t pos = b->n_tokens;
    kw_status st;
    uint32_t id;
    int added;
    if (in_doc && in_doc % KW_CHECKPOINT == 0)
        b->checkpoints[b->n_checkpoints++] = (kw_checkpoint){t->begin, char_begin};
    if ((st = kw_strtab_intern(&b->surface, a, t->word, t->word_len, kw_hash(t->word, t->word_len),
                               &id, &added)))
        return st;
    if (added) {
        if ((st = kw_reserve(a, (void **)&b->is_word, &b->is_word_cap, id + 1, 1)))
            return st;
        b->is_word[id] = (uint8_t)form_is_word(t->word, t->word_len);
    }
    b->toks[pos] = id;
    for (size_t k = 0; k < b->n_attrs; k++) {
        kw_attr_builder *attr = &b->attrs[k];
        const char *value = t->values[k];
        size_t n = t->value_lens[k];
        if ((st = kw_strtab_intern(&attr->forms, a, value, n, kw_hash(value, n), &id, &added)))
            return st;
        attr->toks[pos] = id;
    }
    const size_t len = t->end - t->begin;
    const int same = prev && t->begin == prev->begin && t->end == prev->end;
    const size_t gap = same ? 0 : t->begin - (prev ? prev->end : 0);
    b->spans.gap[pos] = same ? KW_GAP_SAME : gap <= KW_GAP_MAX ? (uint8_t)gap : KW_GAP_ESCAPE;
    b->spans.len[pos] = len <= KW_LEN_MAX ? (uint8_t)len : KW_LEN_ESCAPE;
    if ((!same && gap > KW_GAP_MAX) || len > KW_LEN_MAX)
        if ((st = add_escape(b, pos, gap, len)))
            return st;
    b->n_tokens++;
    return KW_OK;
}

kw_status kw_builder_add_annotated(kw_builder *b, const char *text, size_t n_bytes,
                                   const kw_ext_token *tokens, size_t n_tokens,
                                   const kw_ext_region *regions, size_t n_regions,
                                   kw_annot_problem *problem)
{
    if (!b->annotated)
        return KW_EINVAL;
    if (n_tokens > KW_MAX_TOKENS - b->n_tokens || n_bytes > SIZE_MAX - b->text_len)
        return KW_ETOOBIG;
    kw_status st = check_document(b, text, n_bytes, tokens, n_tokens, regions, n_regions, problem);
    if (st != KW_OK)
        return st;
    if ((st = reserve_document(b, n_bytes, n_tokens, regions, n_regions)))
        return st;

    const size_t tokens_before = b->n_tokens, checkpoints_before = b->n_checkpoints;
    const size_t types_before = b->surface.n, escapes_before = b->spans.n_escapes;
    for (size_t k = 0; k < b->n_attrs; k++)
        b->attrs[k].forms_mark = b->attrs[k].forms.n;
    uint64_t chars = 0;
    size_t counted_to = 0;
    for (size_t i = 0; i < n_tokens; i++) {
        if (i % KW_POLL_EVERY == KW_POLL_EVERY - 1 && kw_stop_asked(b->cancel)) {
            st = KW_EINTR;
            goto undo;
        }
        if (tokens[i].begin >= counted_to) {
            chars += code_points(text + counted_to, tokens[i].begin - counted_to);
            counted_to = tokens[i].begin;
        }
        if ((st = add_token(b, &tokens[i], i ? &tokens[i - 1] : NULL, i, chars)))
            goto undo;
    }
    for (size_t i = 0; i < n_regions; i++) {
        kw_structure_builder *s = &b->structures[regions[i].structure];
        s->start[s->n] = (uint32_t)(tokens_before + regions[i].start);
        s->end[s->n] = (uint32_t)(tokens_before + regions[i].end);
        s->n++;
    }
    if ((st = kw_builder_close_document(b, text, n_bytes)) == KW_OK)
        return KW_OK;
    for (size_t i = 0; i < n_regions; i++)
        b->structures[regions[i].structure].n--;

undo:
    b->n_tokens = tokens_before;
    b->n_checkpoints = checkpoints_before;
    b->spans.n_escapes = escapes_before;
    kw_strtab_truncate(&b->surface, types_before);
    for (size_t k = 0; k < b->n_attrs; k++)
        kw_strtab_truncate(&b->attrs[k].forms, b->attrs[k].forms_mark);
    return st;
}

/* ---- a document of an annotated index again ---- */

/* The regions [*lo, *hi) of st that lie in the tokens [first, last) of
 * one document: an empty one where two documents meet is the later one's,
 * unless the earlier is empty too (as Corpus.regions reads them). */
static void regions_within(const kw_structure *st, uint32_t first, uint32_t last, size_t *lo,
                           size_t *hi)
{
    size_t low = 0, high = st->n;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (st->start[mid] < first)
            low = mid + 1;
        else
            high = mid;
    }
    *lo = low;
    while (low < st->n && st->end[low] <= last && !(st->start[low] == last && first < last))
        low++;
    *hi = low;
}

/* 1 if b was annotated with ix's attributes and structures, in order. */
static int same_annotation(const kw_builder *b, const kw_index *ix)
{
    if (!b->annotated || !ix->spans.gap || b->n_attrs + 1 != ix->n_attrs
        || b->n_structures + 1 != ix->n_structures)
        return 0;
    for (size_t k = 0; k < b->n_attrs; k++)
        if (!same_name(b->attrs[k].name, ix->attrs[k + 1].name))
            return 0;
    for (size_t k = 0; k < b->n_structures; k++)
        if (!same_name(b->structures[k].name, ix->structures[k + 1].name))
            return 0;
    return 1;
}

/* Each token's span, word and values, read from ix, for
 * kw_builder_add_annotated. */
static void tokens_of(const kw_index *ix, const char *text, size_t n_bytes, uint32_t first,
                      size_t n_tokens, size_t n_values, kw_ext_token *tokens, const char **values,
                      size_t *value_lens)
{
    kw_span_reader reader;
    kw_span_reader_init(&reader, &ix->spans, text, n_bytes, first, 0, 0, 0);
    for (size_t i = 0; i < n_tokens; i++) {
        kw_tokspan span;
        kw_span_reader_next(&reader, &span);
        kw_ext_token *t = &tokens[i];
        t->begin = span.begin;
        t->end = span.end;
        t->word = kw_index_type_form(ix, kw_tok(ix, first + i), &t->word_len);
        t->values = values + i * n_values;
        t->value_lens = value_lens + i * n_values;
        for (size_t k = 0; k < n_values; k++) {
            uint32_t type = kw_index_attr_type(ix, k + 1, first + i);
            values[i * n_values + k] =
                kw_index_attr_form(ix, k + 1, type, &value_lens[i * n_values + k]);
        }
    }
}

kw_status kw_builder_add_document_of(kw_builder *b, const kw_index *ix, size_t doc)
{
    if (doc >= ix->n_docs || !same_annotation(b, ix))
        return KW_EINVAL;
    const kw_alloc *a = &b->alloc;
    const uint32_t first = ix->doc_tok[doc], last = ix->doc_tok[doc + 1];
    const size_t n_tokens = last - first, n_values = b->n_attrs;
    size_t n_bytes, n_regions = 0, lo, hi;
    const char *text = kw_index_doc_text(ix, doc, &n_bytes);
    for (size_t s = 1; s < ix->n_structures; s++) {
        regions_within(kw_index_structure(ix, s), first, last, &lo, &hi);
        n_regions += hi - lo;
    }
    /* +1: no allocation of 0 bytes, which may give NULL. */
    kw_ext_token *tokens = kw_malloc(a, (n_tokens + 1) * sizeof *tokens);
    const char **values = kw_malloc(a, (n_tokens * n_values + 1) * sizeof *values);
    size_t *value_lens = kw_malloc(a, (n_tokens * n_values + 1) * sizeof *value_lens);
    kw_ext_region *regions = kw_malloc(a, (n_regions + 1) * sizeof *regions);
    kw_status st = tokens && values && value_lens && regions ? KW_OK : KW_ENOMEM;
    if (st == KW_OK) {
        tokens_of(ix, text, n_bytes, first, n_tokens, n_values, tokens, values, value_lens);
        size_t n = 0;
        for (size_t s = 1; s < ix->n_structures; s++) {
            const kw_structure *str = kw_index_structure(ix, s);
            regions_within(str, first, last, &lo, &hi);
            for (size_t r = lo; r < hi; r++)
                regions[n++] = (kw_ext_region){s - 1, str->start[r] - first, str->end[r] - first};
        }
        kw_annot_problem problem;
        st = kw_builder_add_annotated(b, text, n_bytes, tokens, n_tokens, regions, n_regions,
                                      &problem);
    }
    kw_free(a, tokens);
    kw_free(a, values);
    kw_free(a, value_lens);
    kw_free(a, regions);
    return st;
}
