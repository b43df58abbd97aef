/*
 * kw_type_attr.c: an attribute given per surface type, added to a built
 * index (see kw_index_add_type_attr in kw_core.h).
 *
 * A lemmatizer that knows only the word form (simplemma) gives every token
 * of one surface type the same lemma, so it is asked once a type, not once
 * a token, and the core does the per-token work: it interns each type's
 * value into the new attribute's vocabulary, writes the stream as
 * value_of[type] for every token and lets kw_attr_finish make the postings,
 * as for an attribute read from an annotated source.
 *
 * An index made by the tokenizer records no spans (kw_spans.h): it finds
 * its tokens again by tokenizing. The saved file keeps attributes beyond
 * word only beside spans (kw_annot_file.c), so the tokenizer's spans are
 * recorded here, once (record_spans says how, without tokenizing again);
 * lines and offsets read from them are those the tokenizer gives. With
 * spans, the index no longer counts as tokenized when loaded, so its
 * sentences and paragraphs, found from its text until now (kw_bounds.h),
 * become structures of its own here (keep_found_structures), and save
 * and load with it.
 */
#include <string.h>

#include "kw_alloc.h"
#include "kw_attr.h"
#include "kw_cancel.h"
#include "kw_index.h"
#include "kw_spans.h"
#include "kw_strtab.h"
#include "kw_text.h"

/* Where the white space from text[at] ends (kw_cp_is_space: White_Space). */
static size_t skip_space(const unsigned char *text, size_t at, size_t n)
{
    while (at < n) {
        const unsigned char c = text[at];
        if (c < 0x80) {
            if (c != ' ' && (c < 0x09 || c > 0x0D))
                return at;
            at++;
            continue;
        }
        uint32_t cp;
        const int k = kw_utf8_decode(text + at, text + n, &cp);
        if (!k || !kw_cp_is_space(cp))
            return at;
        at += (size_t)k;
    }
    return at;
}

/* The tokenizer's span of every token of ix, into *out (arrays from ix's
 * allocator). No token is tokenized again: tokens cover every character
 * that is not white space (docs/guide/queries.md, "Tokens"), so a token
 * starts where the white space after the one before it ends, and its bytes
 * are its surface form. KW_ENOMEM, KW_EINTR: nothing made. */
static kw_status record_spans(const kw_index *ix, const kw_cancel *cancel, kw_spans *out)
{
    const kw_alloc *a = &ix->alloc;
    kw_spans sp = {kw_malloc(a, ix->n_tokens), kw_malloc(a, ix->n_tokens), NULL, 0};
    size_t escapes_cap = 0;
    kw_status st = sp.gap && sp.len ? KW_OK : KW_ENOMEM;
    const kw_attr word = kw_attr_stream(&ix->attrs[0]);
    for (size_t d = 0; st == KW_OK && d < ix->n_docs; d++) {
        if (ix->doc_tok[d] == ix->doc_tok[d + 1])
            continue; /* its text may be none at all: no pointer from NULL */
        const unsigned char *text = (const unsigned char *)ix->text + ix->doc_byte[d];
        const size_t n = (size_t)(ix->doc_byte[d + 1] - ix->doc_byte[d]);
        size_t prev_end = 0;
        for (size_t pos = ix->doc_tok[d]; pos < ix->doc_tok[d + 1]; pos++) {
            if (pos % KW_POLL_EVERY == KW_POLL_EVERY - 1 && kw_stop_asked(cancel)) {
                st = KW_EINTR;
                break;
            }
            const size_t begin = skip_space(text, prev_end, n);
            size_t len;
            kw_strtab_form(&ix->surface, kw_attr_type(&word, pos), &len);
            const size_t gap = begin - prev_end;
            sp.gap[pos] = gap <= KW_GAP_MAX ? (uint8_t)gap : KW_GAP_ESCAPE;
            sp.len[pos] = len <= KW_LEN_MAX ? (uint8_t)len : KW_LEN_ESCAPE;
            if (gap > KW_GAP_MAX || len > KW_LEN_MAX) {
                if ((st = kw_reserve(a, (void **)&sp.escapes, &escapes_cap, sp.n_escapes + 1,
                                     sizeof *sp.escapes)))
                    break;
                sp.escapes[sp.n_escapes++] =
                    (kw_span_escape){.tok = (uint32_t)pos, .gap = gap, .len = len};
            }
            prev_end = begin + len;
        }
    }
    if (st != KW_OK) {
        kw_free(a, sp.gap);
        kw_free(a, sp.len);
        kw_free(a, sp.escapes);
        return st;
    }
    *out = sp;
    return KW_OK;
}

/* b's vocabulary holds each type's value, and value_of[type] its id. */
static kw_status intern_values(const kw_index *ix, kw_attr_builder *b, const char *const *values,
                               const size_t *lens, uint32_t *value_of)
{
    for (size_t type = 0; type < ix->surface.n; type++) {
        if (kw_utf8_valid_prefix(values[type], lens[type]) != lens[type])
            return KW_EUTF8;
        int added;
        kw_status st = kw_strtab_intern(&b->forms, &ix->alloc, values[type], lens[type],
                                        kw_hash(values[type], lens[type]), &value_of[type], &added);
        if (st != KW_OK)
            return st;
    }
    return KW_OK;
}

/* The regions of ix's found structures s and p, found now if they were
 * not yet, with a copy of each name: what keep_found_structures makes
 * them. KW_ENOMEM, KW_EINTR: nothing kept. */
static kw_status find_to_keep(kw_index *ix, const kw_cancel *cancel, char **names)
{
    kw_status st = kw_index_find_structures(ix, cancel);
    for (size_t k = 1; k < ix->n_structures; k++) {
        const kw_structure *found = &ix->structures[k];
        if (found->found_by == KW_BOUND_NONE)
            continue;
        const size_t len = strlen(found->name) + 1;
        if (st == KW_OK && !(names[k] = kw_malloc(&ix->alloc, len)))
            st = KW_ENOMEM;
        if (st == KW_OK)
            memcpy(names[k], found->name, len);
    }
    return st;
}

/* The found structures become structures of ix's own, their regions and
 * names (from find_to_keep) owned by the index as a source's are. */
static void keep_found_structures(kw_index *ix, char **names)
{
    for (size_t k = 1; k < ix->n_structures; k++) {
        kw_structure *st = &ix->structures[k];
        if (st->found_by == KW_BOUND_NONE)
            continue;
        kw_structure *made = atomic_exchange(&st->made, NULL);
        *st = (kw_structure){.name = names[k],
                             .start = made->start,
                             .end = made->end,
                             .n = made->n,
                             .found_by = KW_BOUND_NONE};
        kw_free(&ix->alloc, made);
    }
}

kw_status kw_index_add_type_attr(kw_index *ix, const char *name, const char *const *values,
                                 const size_t *lens, const kw_cancel *cancel)
{
    if (ix->borrowed || !name || !name[0])
        return KW_EINVAL;
    for (size_t k = 0; k < ix->n_attrs; k++)
        if (strcmp(ix->attrs[k].name, name) == 0)
            return KW_EINVAL;
    const kw_alloc *a = &ix->alloc;
    kw_attr_builder b;
    kw_status st = kw_attr_builder_init(&b, a, name);
    uint32_t *value_of = kw_malloc(a, ix->surface.n * sizeof *value_of);
    kw_attr *attrs = kw_malloc(a, (ix->n_attrs + 1) * sizeof *attrs);
    kw_spans spans = ix->spans;
    kw_attr finished;
    int have_finished = 0;
    if (st == KW_OK && (!value_of || !attrs))
        st = KW_ENOMEM;
    if (st == KW_OK)
        st = intern_values(ix, &b, values, lens, value_of);
    if (st == KW_OK)
        st = kw_reserve_exact(a, (void **)&b.toks, &b.toks_cap, ix->n_tokens, sizeof *b.toks);
    for (size_t lo = 0; st == KW_OK && lo < ix->n_tokens; lo = kw_chunk_end(lo, ix->n_tokens)) {
        if (lo && kw_stop_asked(cancel)) {
            st = KW_EINTR;
            break;
        }
        const kw_attr word = kw_attr_stream(&ix->attrs[0]);
        for (size_t pos = lo, end = kw_chunk_end(lo, ix->n_tokens); pos < end; pos++)
            b.toks[pos] = value_of[kw_attr_type(&word, pos)];
    }
    if (st == KW_OK && (st = kw_attr_finish(&b, a, ix->n_tokens, cancel, &finished)) == KW_OK)
        have_finished = 1;
    /* A copy of each found structure's name, NULL for the others. */
    const int keeps = !spans.gap;
    char **names = kw_malloc(a, ix->n_structures * sizeof *names);
    if (names)
        memset(names, 0, ix->n_structures * sizeof *names);
    else if (st == KW_OK)
        st = KW_ENOMEM;
    if (st == KW_OK && !spans.gap)
        st = record_spans(ix, cancel, &spans);
    if (st == KW_OK && keeps)
        st = find_to_keep(ix, cancel, names);
    if (st != KW_OK) {
        for (size_t k = 0; names && k < ix->n_structures; k++)
            kw_free(a, names[k]);
        kw_free(a, names);
        if (spans.gap != ix->spans.gap) {
            kw_free(a, spans.gap);
            kw_free(a, spans.len);
            kw_free(a, spans.escapes);
        }
        if (have_finished)
            kw_attr_unfinish(&finished, a);
        kw_attr_builder_free(&b, a);
        kw_free(a, value_of);
        kw_free(a, attrs);
        return st;
    }
    /* Nothing fails from here: the index changes all at once. */
    kw_attr_builder_hand_over(&b, &finished, a);
    kw_attr_builder_free(&b, a);
    kw_free(a, value_of);
    memcpy(attrs, ix->attrs, ix->n_attrs * sizeof *attrs);
    attrs[ix->n_attrs] = finished;
    atomic_init(&attrs[ix->n_attrs].rank, NULL);
    kw_free(a, ix->attrs);
    ix->attrs = attrs;
    ix->n_attrs++;
    ix->spans = spans;
    if (keeps)
        keep_found_structures(ix, names);
    kw_free(a, names);
    return KW_OK;
}
