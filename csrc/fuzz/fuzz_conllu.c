/*
 * fuzz_conllu.c: the CoNLL-U reader, on any bytes.
 *
 * Input is read into a builder with every CoNLL-U attribute. Malformed input
 * must be refused with a message and a line inside the input; input read
 * must give an index whose tokens lie inside their documents (each line of
 * a hit laid out inside its text), whose sentences and paragraphs lie inside
 * the tokens, and which saves and loads back to the same bytes.
 */
#include "fuzz_common.h"

typedef struct membuf {
    uint8_t *data;
    size_t len, cap;
} membuf;

static int append(void *ctx, const void *bytes, size_t n)
{
    membuf *m = ctx;
    if (m->len + n > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 4096;
        while (cap < m->len + n)
            cap *= 2;
        uint8_t *grown = realloc(m->data, cap);
        if (!grown)
            return -1;
        m->data = grown;
        m->cap = cap;
    }
    memcpy(m->data + m->len, bytes, n);
    m->len += n;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kw_builder *b;
    FUZZ_CHECK(kw_builder_new(&kw_alloc_libc, &b) == KW_OK);
    FUZZ_CHECK(kw_builder_annotate(b, kw_conllu_attrs, KW_CONLLU_N_ATTRS, kw_conllu_structures,
                                   KW_CONLLU_N_STRUCTURES) == KW_OK);
    kw_parse_error err;
    kw_status st = kw_conllu_add(b, &kw_alloc_libc, (const char *)data, size, kw_conllu_attrs,
                                 KW_CONLLU_N_ATTRS, NULL, NULL, NULL, &err);
    if (st != KW_OK) {
        FUZZ_CHECK(st == KW_EFORMAT || st == KW_ENOMEM || st == KW_ETOOBIG);
        if (st == KW_EFORMAT) {
            FUZZ_CHECK(memchr(err.message, 0, sizeof err.message) && err.message[0]);
            size_t lines = 1;
            for (size_t i = 0; i < size; i++)
                lines += data[i] == '\n';
            FUZZ_CHECK(err.line >= 1 && err.line <= lines);
        }
        kw_builder_free(b);
        return 0;
    }
    kw_index *ix;
    if (kw_builder_finish(b, &ix) != KW_OK) {
        kw_builder_free(b);
        return 0;
    }
    for (size_t s = 0; s < ix->n_structures; s++)
        for (size_t i = 0; i < ix->structures[s].n; i++)
            FUZZ_CHECK(ix->structures[s].start[i] <= ix->structures[s].end[i]
                       && ix->structures[s].end[i] <= ix->n_tokens);
    /* Every token as a hit, laid out inside its document. */
    const kw_context ctx = {2, 2, 0, KW_BOUND_SENTENCE};
    for (size_t t = 0; t < kw_index_n_types(ix) && t < 32; t++) {
        size_t len, bad;
        const char *form = kw_index_type_form(ix, (uint32_t)t, &len);
        kw_hits *h;
        if (kw_index_find(ix, form, len, 1, &h, &bad) != KW_OK)
            continue;
        for (size_t i = 0; i < kw_hits_count(h) && i < 64; i++) {
            kw_line line;
            kw_line_at(ix, h, i, &ctx, NULL, &line);
            size_t n_bytes;
            kw_index_doc_text(ix, line.doc, &n_bytes);
            FUZZ_CHECK(line.left_begin <= line.match_begin && line.match_begin < line.match_end
                       && line.match_end <= line.right_end && line.right_end <= n_bytes);
        }
        kw_hits_free(h);
    }
    membuf saved = {0}, again = {0};
    if (kw_index_save(ix, "", 0, append, &saved) == KW_OK) {
        kw_index *back;
        kw_load_error load_err;
        FUZZ_CHECK(kw_index_load(saved.data, saved.len, &kw_alloc_libc, &back, NULL, NULL,
                                 &load_err) == KW_OK);
        FUZZ_CHECK(kw_index_save(back, "", 0, append, &again) != KW_OK
                   || (again.len == saved.len && memcmp(again.data, saved.data, saved.len) == 0));
        kw_index_free(back);
    }
    free(saved.data);
    free(again.data);
    kw_index_free(ix);
    return 0;
}
