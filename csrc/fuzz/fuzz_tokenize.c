/*
 * fuzz_tokenize.c: the tokenizer, UTF-8 checking and case folding, on any
 * bytes.
 *
 * Checks: tokens come in order, non-empty, inside the input, code point
 * offsets agree with the bytes; kw_scan_skip counts what kw_scan_next
 * reports; scanning restarted at a token start gives the same tokens; the
 * builder accepts exactly the input the scanner accepts, reports the same
 * bad offset, and indexes the same tokens; kw_tokenize gives the scanner's
 * tokens; folding stays inside its bound and gives valid UTF-8; every token
 * is found by a query of its own text. And the input read as code units of
 * 1, 2 and 4 bytes: kw_utf8_from_units either gives UTF-8 that decodes to
 * those units, within its bound, or stops at the first unit that is a
 * surrogate or above U+10FFFF.
 */
#include "fuzz_common.h"

#define MAX_TOKENS 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Unit k of an array of units `width` bytes wide. */
static uint32_t unit_at(const void *units, int width, size_t k)
{
    if (width == 1)
        return ((const uint8_t *)units)[k];
    if (width == 2)
        return ((const uint16_t *)units)[k];
    return ((const uint32_t *)units)[k];
}

static int encodable(uint32_t cp) { return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF); }

/* The scanner's tokens, which kw_tokenize must give in order. */
typedef struct given {
    const kw_tokspan *expected;
    size_t n;
} given;

static int check_given(void *ctx, const kw_tokspan *t)
{
    given *g = ctx;
    if (g->n < MAX_TOKENS) {
        const kw_tokspan *e = &g->expected[g->n];
        FUZZ_CHECK(t->begin == e->begin && t->end == e->end && t->is_word == e->is_word);
        FUZZ_CHECK(t->char_begin == e->char_begin && t->char_end == e->char_end);
    }
    g->n++;
    return 0;
}

static void check_units(const uint8_t *data, size_t size, int width)
{
    const size_t n = size / (size_t)width;
    void *units = malloc(n * (size_t)width + 1);
    char *out = malloc(n * kw_utf8_per_unit(width) + 1);
    FUZZ_CHECK(units && out);
    memcpy(units, data, n * (size_t)width);
    size_t n_bytes = 0, bad = SIZE_MAX;
    kw_status st = kw_utf8_from_units(units, n, width, out, &n_bytes, &bad);
    if (st == KW_OK) {
        FUZZ_CHECK(n_bytes <= n * kw_utf8_per_unit(width));
        const unsigned char *p = (const unsigned char *)out, *end = p + n_bytes;
        for (size_t k = 0; k < n; k++) {
            uint32_t cp;
            int len = kw_utf8_decode(p, end, &cp);
            FUZZ_CHECK(len > 0 && cp == unit_at(units, width, k));
            p += len;
        }
        FUZZ_CHECK(p == end);
    } else {
        FUZZ_CHECK(st == KW_EUTF8 && bad < n && !encodable(unit_at(units, width, bad)));
        for (size_t k = 0; k < bad; k++)
            FUZZ_CHECK(encodable(unit_at(units, width, k)));
    }
    free(units);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static kw_tokspan tokens[MAX_TOKENS];
    kw_scan scan;
    kw_tokspan t;
    size_t n = 0, prev_end = 0;
    uint64_t prev_chars = 0;
    int r;
    kw_scan_init(&scan, (const char *)data, size, 0, 0);
    while ((r = kw_scan_next(&scan, &t)) == 1) {
        FUZZ_CHECK(t.begin >= prev_end && t.begin < t.end && t.end <= size);
        FUZZ_CHECK(t.char_begin >= prev_chars && t.char_begin < t.char_end);
        FUZZ_CHECK(t.char_end - t.char_begin <= t.end - t.begin);
        FUZZ_CHECK(t.is_word == 0 || t.is_word == 1);
        FUZZ_CHECK(fuzz_valid_utf8(data + t.begin, t.end - t.begin));
        if (!t.is_word) {
            uint32_t cp;
            FUZZ_CHECK((size_t)kw_utf8_decode(data + t.begin, data + size, &cp) == t.end - t.begin);
        }
        if (n < MAX_TOKENS)
            tokens[n] = t;
        n++;
        prev_end = t.end;
        prev_chars = t.char_end;
    }
    FUZZ_CHECK(r == 0 || r == -1);
    size_t valid = r == -1 ? kw_scan_offset(&scan) : size;
    FUZZ_CHECK(valid <= size && valid >= prev_end);
    FUZZ_CHECK(fuzz_valid_utf8(data, valid));
    if (r == -1) {
        uint32_t cp;
        FUZZ_CHECK(kw_utf8_decode(data + valid, data + size, &cp) == 0);
    }

    kw_scan skip;
    kw_scan_init(&skip, (const char *)data, size, 0, 0);
    FUZZ_CHECK(kw_scan_skip(&skip, SIZE_MAX) == n);

    given g = {tokens, 0};
    size_t bad_given = 0;
    kw_status st = kw_tokenize((const char *)data, size, check_given, &g, &bad_given);
    FUZZ_CHECK(g.n == n);
    FUZZ_CHECK(r == -1 ? st == KW_EUTF8 && bad_given == kw_scan_offset(&scan) : st == KW_OK);

    check_units(data, size, 1);
    check_units(data, size, 2);
    check_units(data, size, 4);

    /* Restarting at a token start reproduces the tokens from there. */
    size_t stored = n < MAX_TOKENS ? n : MAX_TOKENS;
    for (size_t k = 0; k < stored; k += 1 + stored / 8) {
        kw_scan again;
        kw_scan_init(&again, (const char *)data, size, tokens[k].begin, tokens[k].char_begin);
        for (size_t j = k; j < stored; j++) {
            FUZZ_CHECK(kw_scan_next(&again, &t) == 1);
            FUZZ_CHECK(t.begin == tokens[j].begin && t.end == tokens[j].end);
            FUZZ_CHECK(t.char_begin == tokens[j].char_begin && t.is_word == tokens[j].is_word);
        }
    }

    /* Folding the valid part: within its bound, valid UTF-8, a fixed point
     * once folded (folding is idempotent). */
    char *folded = malloc(KW_FOLD_GROWTH * valid + 1);
    char *twice = malloc(KW_FOLD_GROWTH * KW_FOLD_GROWTH * valid + 1);
    FUZZ_CHECK(folded && twice);
    size_t n_folded = kw_fold_utf8((const char *)data, valid, folded);
    FUZZ_CHECK(n_folded <= KW_FOLD_GROWTH * valid);
    FUZZ_CHECK(fuzz_valid_utf8((const uint8_t *)folded, n_folded));
    size_t n_twice = kw_fold_utf8(folded, n_folded, twice);
    FUZZ_CHECK(n_twice == n_folded && memcmp(folded, twice, n_folded) == 0);
    FUZZ_CHECK(!kw_utf8_folds(folded, n_folded));
    free(folded);
    free(twice);

    /* The builder takes the document exactly when the scanner does. */
    kw_builder *b;
    kw_index *ix = NULL;
    size_t bad = 0;
    if (kw_builder_new(&kw_alloc_libc, &b) != KW_OK)
        return 0;
    kw_status status = kw_builder_add(b, (const char *)data, size, &bad);
    if (status == KW_ENOMEM) {
        kw_builder_free(b);
        return 0;
    }
    if (r == -1) {
        FUZZ_CHECK(status == KW_EUTF8 && bad == valid);
        FUZZ_CHECK(kw_builder_n_docs(b) == 0);
        kw_builder_free(b);
        return 0;
    }
    FUZZ_CHECK(status == KW_OK);
    if (kw_builder_finish(b, &ix) != KW_OK) {
        kw_builder_free(b);
        return 0;
    }
    FUZZ_CHECK(kw_index_n_tokens(ix) == n && kw_index_n_docs(ix) == 1);
    kw_context ctx = {2, 2, 0, KW_BOUND_SENTENCE};
    for (size_t k = 0; k < stored; k += 1 + stored / 16) {
        kw_hits *h;
        status = kw_index_find(ix, (const char *)data + tokens[k].begin,
                               tokens[k].end - tokens[k].begin, 1, &h, &bad);
        if (status == KW_ENOMEM)
            continue;
        FUZZ_CHECK(status == KW_OK);
        int found = 0;
        for (size_t i = 0; i < kw_hits_count(h); i++) {
            FUZZ_CHECK(kw_hits_length(h, i) == 1);
            found |= kw_hits_position(h, i) == k;
        }
        FUZZ_CHECK(found);
        fuzz_check_lines(ix, h, &ctx, 16);
        kw_hits_free(h);
    }
    kw_index_free(ix);
    return 0;
}
