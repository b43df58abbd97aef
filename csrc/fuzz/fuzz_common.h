/*
 * fuzz_common.h: what the libFuzzer harnesses of csrc/fuzz/ share.
 *
 * Each harness defines LLVMFuzzerTestOneInput and checks invariants of the
 * core with FUZZ_CHECK, which aborts (a crash to libFuzzer) whatever NDEBUG
 * says. Built by tools/fuzz.py with clang, -fsanitize=fuzzer,address,undefined.
 */
#ifndef KW_FUZZ_COMMON_H
#define KW_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kw_core.h"
#include "kw_index.h"
#include "kw_text.h"

#define FUZZ_CHECK(cond)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "invariant broken at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

/* Whether data[0 .. n) is valid UTF-8 as the core defines it. */
static inline int fuzz_valid_utf8(const uint8_t *data, size_t n)
{
    const uint8_t *p = data, *end = data + n;
    uint32_t cp;
    while (p < end) {
        int len = kw_utf8_decode(p, end, &cp);
        if (len == 0)
            return 0;
        p += len;
    }
    return 1;
}

/* An index of the documents of text[0 .. n), cut at every byte `cut`
 * (NULL if the text is not valid UTF-8 or memory runs out). */
static inline kw_index *fuzz_build(const uint8_t *text, size_t n, uint8_t cut)
{
    kw_builder *b;
    kw_index *ix = NULL;
    size_t bad;
    if (kw_builder_new(&kw_alloc_libc, &b) != KW_OK)
        return NULL;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && text[i] != cut)
            continue;
        if (kw_builder_add(b, (const char *)text + start, i - start, &bad) != KW_OK) {
            kw_builder_free(b);
            return NULL;
        }
        start = i + 1;
    }
    if (kw_builder_finish(b, &ix) != KW_OK) {
        kw_builder_free(b);
        return NULL;
    }
    return ix;
}

/* Lay out the first max_lines hits of h with ctx (a line costs a scan
 * of up to a few dozen tokens, so all hits of a frequent token would slow
 * the fuzzer down) and check that the spans tile the document: left,
 * match, right in order, inside the text, the match's code points what
 * its char offsets say; and that a run laid out with a cursor and the
 * prefetch hint gives the lines laid out alone. */
static inline void fuzz_check_lines(const kw_index *ix, const kw_hits *h, const kw_context *ctx,
                                    size_t max_lines)
{
    kw_line_cursor *cursor;
    if (kw_line_cursor_new(&kw_alloc_libc, &cursor) != KW_OK)
        return;
    for (size_t i = 0; i < kw_hits_count(h) && i < max_lines; i++) {
        kw_line line, alone;
        kw_line_prefetch(ix, h, i);
        kw_line_at(ix, h, i, ctx, cursor, &line);
        kw_line_at(ix, h, i, ctx, NULL, &alone);
        FUZZ_CHECK(memcmp(&line, &alone, sizeof line) == 0);
        size_t n_bytes;
        const char *text = kw_index_doc_text(ix, line.doc, &n_bytes);
        FUZZ_CHECK(line.doc < kw_index_n_docs(ix));
        FUZZ_CHECK(line.left_begin <= line.left_end && line.left_end == line.match_begin);
        FUZZ_CHECK(line.match_begin < line.match_end && line.match_end == line.right_begin);
        FUZZ_CHECK(line.right_begin <= line.right_end && line.right_end <= n_bytes);
        FUZZ_CHECK(line.tok_end - line.tok_start == kw_hits_length(h, i));
        uint64_t chars = 0;
        const uint8_t *p = (const uint8_t *)text + line.match_begin;
        const uint8_t *end = (const uint8_t *)text + line.match_end;
        while (p < end) {
            uint32_t cp;
            int len = kw_utf8_decode(p, end, &cp);
            FUZZ_CHECK(len > 0);
            p += len;
            chars++;
        }
        FUZZ_CHECK(line.char_end - line.char_start == chars);
    }
    kw_line_cursor_free(cursor);
}

#define FUZZ_COLUMN_ROWS 128

/* Lay out all of h (when it has at most FUZZ_COLUMN_ROWS hits) as columns
 * for a data frame and check each row against its line laid out alone,
 * its texts collapsed as kw_collapse_space does. */
static inline void fuzz_check_columns(const kw_index *ix, const kw_hits *h, const kw_context *ctx)
{
    const size_t n = kw_hits_count(h);
    if (n > FUZZ_COLUMN_ROWS)
        return;
    uint64_t doc[FUZZ_COLUMN_ROWS];
    int64_t tok_start[FUZZ_COLUMN_ROWS], tok_end[FUZZ_COLUMN_ROWS];
    int64_t char_start[FUZZ_COLUMN_ROWS], char_end[FUZZ_COLUMN_ROWS];
    int64_t offsets[3][FUZZ_COLUMN_ROWS + 1];
    uint32_t query[FUZZ_COLUMN_ROWS];
    kw_line_columns cols = {doc,
                            tok_start,
                            tok_end,
                            char_start,
                            char_end,
                            query,
                            {offsets[0], NULL, 0},
                            {offsets[1], NULL, 0},
                            {offsets[2], NULL, 0}};
    kw_status st = kw_line_columns_fill(ix, h, ctx, &kw_alloc_libc, NULL, &cols);
    kw_text_column *texts[3] = {&cols.left, &cols.match, &cols.right};
    if (st == KW_OK) {
        for (size_t i = 0; i < n; i++) {
            kw_line line;
            kw_line_at(ix, h, i, ctx, NULL, &line);
            FUZZ_CHECK(doc[i] == line.doc && query[i] == kw_hits_query(h, i));
            FUZZ_CHECK(tok_start[i] == line.tok_start && tok_end[i] == line.tok_end);
            FUZZ_CHECK(char_start[i] == (int64_t)line.char_start
                       && char_end[i] == (int64_t)line.char_end);
            size_t n_bytes;
            const char *text = kw_index_doc_text(ix, line.doc, &n_bytes);
            const size_t spans[3][2] = {{line.left_begin, line.left_end},
                                        {line.match_begin, line.match_end},
                                        {line.right_begin, line.right_end}};
            for (int t = 0; t < 3; t++) {
                size_t len = spans[t][1] - spans[t][0];
                char *expected = malloc(len ? len : 1);
                if (!expected)
                    continue;
                int ascii;
                len = kw_collapse_space(text + spans[t][0], len, expected, &ascii);
                const int64_t *off = texts[t]->offsets;
                FUZZ_CHECK(off[i + 1] - off[i] == (int64_t)len);
                FUZZ_CHECK(len == 0 || memcmp(texts[t]->data + off[i], expected, len) == 0);
                free(expected);
            }
        }
    } else {
        FUZZ_CHECK(st == KW_ENOMEM);
    }
    for (int t = 0; t < 3; t++)
        free(texts[t]->data);
}

/* What a reader of annotated input (kw_conllu_add, kw_vrt_add) returned
 * for data[0 .. size): OK, or a refusal: KW_EFORMAT with a message and a
 * line inside the input, or no memory. 1 if it read the input. */
static inline int fuzz_check_read(kw_status st, const kw_parse_error *err, const uint8_t *data,
                                  size_t size)
{
    if (st == KW_OK)
        return 1;
    FUZZ_CHECK(st == KW_EFORMAT || st == KW_ENOMEM || st == KW_ETOOBIG);
    if (st == KW_EFORMAT) {
        FUZZ_CHECK(memchr(err->message, 0, sizeof err->message) && err->message[0]);
        size_t lines = 1;
        for (size_t i = 0; i < size; i++)
            lines += data[i] == '\n';
        FUZZ_CHECK(err->line >= 1 && err->line <= lines);
    }
    return 0;
}

typedef struct fuzz_membuf {
    uint8_t *data;
    size_t len, cap;
} fuzz_membuf;

static inline int fuzz_append(void *ctx, const void *bytes, size_t n)
{
    fuzz_membuf *m = ctx;
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

/* An annotated index read from input: its structures lie inside the
 * tokens, each token as a hit is laid out inside its document, and it
 * saves and loads back to the same bytes. Frees ix. */
static inline void fuzz_check_annotated(kw_index *ix)
{
    for (size_t s = 0; s < ix->n_structures; s++)
        for (size_t i = 0; i < ix->structures[s].n; i++)
            FUZZ_CHECK(ix->structures[s].start[i] <= ix->structures[s].end[i]
                       && ix->structures[s].end[i] <= ix->n_tokens);
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
    fuzz_membuf saved = {0}, again = {0};
    if (kw_index_save(ix, "", 0, fuzz_append, &saved) == KW_OK) {
        kw_index *back;
        kw_load_error load_err;
        FUZZ_CHECK(
            kw_index_load(saved.data, saved.len, &kw_alloc_libc, &back, NULL, NULL, &load_err)
            == KW_OK);
        FUZZ_CHECK(kw_index_save(back, "", 0, fuzz_append, &again) != KW_OK
                   || (again.len == saved.len && memcmp(again.data, saved.data, saved.len) == 0));
        kw_index_free(back);
    }
    free(saved.data);
    free(again.data);
    kw_index_free(ix);
}

#endif
