/*
 * test_core.c: tests of the C core, without Python.
 *
 * Prints one line per failed check and closes with "N passed, N failed".
 * Every out-of-memory path is walked by an allocator that fails its k-th
 * call, for every k a scenario makes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kw_core.h"
#include "kw_endian.h"
#include "kw_index.h" /* white-box: indexes compared array for array */
#include "kw_text.h"
#include "test_support.h"

/* ---- helpers ---- */

static size_t count(const kw_index *ix, const char *query, int exact)
{
    kw_hits *h;
    size_t bad;
    if (kw_index_find(ix, query, strlen(query), exact, &h, &bad) != KW_OK)
        return (size_t)-1;
    size_t n = kw_hits_count(h);
    kw_hits_free(h);
    return n;
}

/* The tokens of s joined by '|', for compact expectations. */
static const char *tokens_of(const char *s)
{
    static char out[512];
    kw_scan scan;
    kw_tokspan t;
    size_t len = 0;
    kw_scan_init(&scan, s, strlen(s), 0, 0);
    out[0] = 0;
    while (kw_scan_next(&scan, &t) == 1) {
        if (len)
            out[len++] = '|';
        memcpy(out + len, s + t.begin, t.end - t.begin);
        len += t.end - t.begin;
        out[len] = 0;
    }
    return out;
}

/* ASCII case-insensitive comparison of n bytes (strncasecmp is not C11). */
static int ascii_ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
        char y = b[i] >= 'A' && b[i] <= 'Z' ? (char)(b[i] + 32) : b[i];
        if (x != y)
            return 0;
    }
    return 1;
}

static int span_is(const char *text, size_t begin, size_t end, const char *expected)
{
    return end - begin == strlen(expected) && memcmp(text + begin, expected, end - begin) == 0;
}

/* Lay out hit i of a case-insensitive query with `ctx`; 1 if the contexts
 * are exactly `left` and `right` (as written), else 0 and what they were. */
static int lays_out(const kw_index *ix, const char *query, size_t i, kw_context ctx,
                    const char *left, const char *right)
{
    kw_hits *h;
    size_t bad, n;
    int ok = 0;
    if (kw_index_find(ix, query, strlen(query), 0, &h, &bad) != KW_OK)
        return 0;
    if (i < kw_hits_count(h)) {
        kw_line ln;
        kw_line_at(ix, h, i, &ctx, NULL, &ln);
        const char *text = kw_index_doc_text(ix, ln.doc, &n);
        ok = span_is(text, ln.left_begin, ln.left_end, left)
             && span_is(text, ln.right_begin, ln.right_end, right) && ln.left_end == ln.match_begin
             && ln.right_begin == ln.match_end;
        if (!ok)
            printf("  %s #%zu: left \"%.*s\" right \"%.*s\"\n", query, i,
                   (int)(ln.left_end - ln.left_begin), text + ln.left_begin,
                   (int)(ln.right_end - ln.right_begin), text + ln.right_begin);
    }
    kw_hits_free(h);
    return ok;
}

/* ---- tokenizer ---- */

static void test_tokenizer(void)
{
    CHECK(strcmp(tokens_of("U-2"), "U|-|2") == 0);
    CHECK(strcmp(tokens_of("Khrushchev's"), "Khrushchev|'|s") == 0);
    CHECK(strcmp(tokens_of("messages--that"), "messages|-|-|that") == 0);
    CHECK(strcmp(tokens_of("  a\tb\n\nc\xc2\xa0"
                           "d\xe3\x80\x80"
                           "e "),
                 "a|b|c|d|e")
          == 0);
    /* Han and kana: one word a character; Latin runs stay whole. */
    CHECK(strcmp(tokens_of("\xe5\x92\x8c\xe5\xb9\xb3"
                           "abc"
                           "\xe3\x81\x82"),
                 "\xe5\x92\x8c|\xe5\xb9\xb3|abc|\xe3\x81\x82")
          == 0);
    /* A combining mark stays with the kana before it (U+304B U+3099). */
    CHECK(strcmp(tokens_of("\xe3\x81\x8b\xe3\x82\x99\xe3\x81\x82"),
                 "\xe3\x81\x8b\xe3\x82\x99|\xe3\x81\x82")
          == 0);
    /* Marks and digits run on in a word: "e" + U+0301, "x2". */
    CHECK(strcmp(tokens_of("cafe\xcc\x81 x2"), "cafe\xcc\x81|x2") == 0);
    /* Symbols and emoji are one token each. */
    CHECK(strcmp(tokens_of("a\xe2\x80\x99s \xf0\x9f\x98\x80\xf0\x9f\x98\x80"),
                 "a|\xe2\x80\x99|s|\xf0\x9f\x98\x80|\xf0\x9f\x98\x80")
          == 0);

    /* Character offsets count code points. */
    const char *s = "\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80 x";
    kw_scan scan;
    kw_tokspan t;
    kw_scan_init(&scan, s, strlen(s), 0, 0);
    CHECK(kw_scan_next(&scan, &t) == 1 && t.char_begin == 0 && t.char_end == 3 && t.is_word);
    CHECK(kw_scan_next(&scan, &t) == 1 && t.char_begin == 4 && t.char_end == 5 && !t.is_word);
    CHECK(kw_scan_next(&scan, &t) == 1 && t.char_begin == 6 && t.char_end == 7);
    CHECK(kw_scan_next(&scan, &t) == 0);

    /* Invalid UTF-8 stops the scan at the offending byte. */
    const char *bad = "ok \xff no";
    kw_scan_init(&scan, bad, strlen(bad), 0, 0);
    CHECK(kw_scan_next(&scan, &t) == 1);
    CHECK(kw_scan_next(&scan, &t) == -1 && kw_scan_offset(&scan) == 3);
}

/* Up to 8 tokens that kw_tokenize gave, and how many it gave. */
typedef struct token_list {
    kw_tokspan tokens[8];
    size_t n, stop_after;
} token_list;

static int keep_token(void *ctx, const kw_tokspan *t)
{
    token_list *list = ctx;
    if (list->n < 8)
        list->tokens[list->n] = *t;
    return ++list->n == list->stop_after;
}

/* kw_tokenize gives the tokens the scanner gives, and stops when asked. */
static void test_tokenize(void)
{
    const char *s = "\xc3\xa9t\xc3\xa9, x";
    token_list list = {.stop_after = 0};
    size_t bad = 0;
    CHECK(kw_tokenize(s, strlen(s), keep_token, &list, &bad) == KW_OK && list.n == 3);
    CHECK(list.tokens[0].begin == 0 && list.tokens[0].end == 5 && list.tokens[0].is_word);
    CHECK(list.tokens[0].char_begin == 0 && list.tokens[0].char_end == 3);
    CHECK(list.tokens[1].begin == 5 && list.tokens[1].end == 6 && !list.tokens[1].is_word);
    CHECK(list.tokens[2].char_begin == 5 && list.tokens[2].char_end == 6 && list.tokens[2].is_word);
    token_list first = {.stop_after = 1};
    CHECK(kw_tokenize(s, strlen(s), keep_token, &first, &bad) == KW_OK && first.n == 1);
    token_list none = {.stop_after = 0};
    CHECK(kw_tokenize(" \t ", 3, keep_token, &none, &bad) == KW_OK && none.n == 0);
    /* Invalid UTF-8: its offset, as kw_builder_add reports it, after the
     * tokens before it. */
    const char *invalid = "ok \xff no";
    token_list before = {.stop_after = 0};
    CHECK(kw_tokenize(invalid, strlen(invalid), keep_token, &before, &bad) == KW_EUTF8 && bad == 3
          && before.n == 1);
}

/* kw_utf8_from_units: strings of each width, and the first unit UTF-8
 * cannot hold. */
static void test_utf8_from_units(void)
{
    char out[64];
    size_t n = 0, bad = 99;
    CHECK(kw_utf8_per_unit(1) == 2 && kw_utf8_per_unit(2) == 3 && kw_utf8_per_unit(4) == 4);
    static const uint8_t latin1[] = {'c', 'a', 'f', 0xE9, 0xFF};
    CHECK(kw_utf8_from_units(latin1, 5, 1, out, &n, &bad) == KW_OK && n == 7
          && memcmp(out, "caf\xc3\xa9\xc3\xbf", 7) == 0);
    static const uint16_t ucs2[] = {'H', 0x20AC, 0xD55C, 0x07FF, 0xFFFF};
    CHECK(kw_utf8_from_units(ucs2, 5, 2, out, &n, &bad) == KW_OK && n == 12
          && memcmp(out, "H\xe2\x82\xac\xed\x95\x9c\xdf\xbf\xef\xbf\xbf", 12) == 0);
    static const uint32_t ucs4[] = {0x1F600, 'a', 0x10FFFF, 0x80};
    CHECK(kw_utf8_from_units(ucs4, 4, 4, out, &n, &bad) == KW_OK && n == 11
          && memcmp(out,
                    "\xf0\x9f\x98\x80"
                    "a\xf4\x8f\xbf\xbf\xc2\x80",
                    11)
                 == 0);
    CHECK(kw_utf8_from_units(ucs4, 0, 4, out, &n, &bad) == KW_OK && n == 0);
    /* Lone surrogates, and a pair: UCS-4 holds code points, so a pair is
     * two surrogates, not the character UTF-16 would make of them. */
    static const uint16_t lone_high[] = {'a', 0xD800, 'b'};
    CHECK(kw_utf8_from_units(lone_high, 3, 2, out, &n, &bad) == KW_EUTF8 && bad == 1);
    static const uint16_t lone_low_last[] = {'a', 0xE9, 0x4E2D, 0xDFFF};
    CHECK(kw_utf8_from_units(lone_low_last, 4, 2, out, &n, &bad) == KW_EUTF8 && bad == 3);
    static const uint32_t pair[] = {'x', 'y', 0xD83D, 0xDE00};
    CHECK(kw_utf8_from_units(pair, 4, 4, out, &n, &bad) == KW_EUTF8 && bad == 2);
    static const uint32_t too_big[] = {'x', 0x110000};
    CHECK(kw_utf8_from_units(too_big, 2, 4, out, &n, &bad) == KW_EUTF8 && bad == 1);
    static const uint32_t last_bits[] = {0xFFFFFFFF};
    CHECK(kw_utf8_from_units(last_bits, 1, 4, out, &n, &bad) == KW_EUTF8 && bad == 0);
    CHECK(kw_utf8_from_units(lone_high, 3, 2, out, &n, NULL) == KW_EUTF8);
    CHECK(kw_utf8_from_units(latin1, 5, 3, out, &n, &bad) == KW_EINVAL);
}

static void test_utf8(void)
{
    uint32_t cp;
    const unsigned char *u;
#define DECODES(bytes, n, expected_len) \
    (u = (const unsigned char *)(bytes), kw_utf8_decode(u, u + (n), &cp) == (expected_len))
    CHECK(DECODES("\xc3\xa9", 2, 2) && cp == 0xE9);
    CHECK(DECODES("\xf4\x8f\xbf\xbf", 4, 4) && cp == 0x10FFFF);
    CHECK(DECODES("\xc0\xaf", 2, 0));         /* overlong */
    CHECK(DECODES("\xe0\x80\xaf", 3, 0));     /* overlong */
    CHECK(DECODES("\xed\xa0\x80", 3, 0));     /* surrogate */
    CHECK(DECODES("\xf4\x90\x80\x80", 4, 0)); /* past U+10FFFF */
    CHECK(DECODES("\xe2\x82", 2, 0));         /* truncated */
    CHECK(DECODES("\x80", 1, 0));             /* stray continuation */
#undef DECODES
    /* The ASCII fast path agrees with the tables (a lone ASCII character
     * is a word token, a punctuation token, or white space and no token). */
    int agree = 1;
    for (uint32_t c = 0; c < 256; c++) {
        char one = (char)c;
        kw_scan scan;
        kw_tokspan t;
        kw_scan_init(&scan, &one, 1, 0, 0);
        int expected = c >= 0x80                                   ? 0
                       : kw_cp_is_space(c)                         ? 2
                       : kw_scan_next(&scan, &t) == 1 && t.is_word ? 1
                                                                   : 0;
        agree &= kw_ascii_kind[c] == expected;
    }
    CHECK(agree);
    /* Round trip of every scalar value. */
    int ok = 1;
    for (uint32_t c = 0; c <= 0x10FFFF && ok; c++) {
        unsigned char buf[4];
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        int n = kw_utf8_encode(c, buf);
        ok = kw_utf8_decode(buf, buf + n, &cp) == n && cp == c;
    }
    CHECK(ok);
}

/* Random text from pieces that meet every path of the scanner and of the
 * space collapser: ASCII words, digits, punctuation and white space runs,
 * two-byte letters, a combining mark, Han, and Unicode white space; or, with
 * `ascii_only`, from the first pieces alone, for long runs of ASCII. */
static size_t random_text(uint64_t *state, int ascii_only, char *out, size_t max)
{
    static const char *const pieces[] = {
        "a",
        "Zq",
        "7",
        "word",
        "x9",
        ".",
        ",",
        "'",
        "-",
        "_",
        " ",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "\x0b",
        "\xc3\xa9",
        "\xcc\x81",
        "\xe4\xb8\xad",
        "\xe3\x80\x80",
        "\xc2\xa0",
        "\xc2\x85",
        "@",
        "~",
        "\x7f",
        "\x01",
        "[",
        "`",
        "{",
        "/",
        ":",
    };
    size_t n = 0;
    for (;;) {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        const char *piece = pieces[*state % (ascii_only ? 17 : sizeof pieces / sizeof *pieces)];
        size_t len = strlen(piece);
        if (n + len > max)
            return n;
        memcpy(out + n, piece, len);
        n += len;
    }
}

/* What kw_collapse_space must write: one code point at a time. */
static size_t collapse_slowly(const char *src, size_t n, char *dst)
{
    const unsigned char *p = (const unsigned char *)src, *end = p + n;
    size_t out = 0;
    int in_space = 0;
    while (p < end) {
        uint32_t cp;
        int len = kw_utf8_decode(p, end, &cp);
        if (kw_cp_is_space(cp)) {
            if (!in_space)
                dst[out++] = ' ';
            in_space = 1;
        } else {
            memcpy(dst + out, p, (size_t)len);
            out += (size_t)len;
            in_space = 0;
        }
        p += len;
    }
    return out;
}

/* kw_scan_skip, which passes ASCII eight bytes at a time, lands where as
 * many kw_scan_next calls do, from every token and for every count; and
 * kw_collapse_space, which copies eight bytes at a time, writes what a code
 * point at a time writes, from every start and end. */
static void test_skip_and_collapse(void)
{
    uint64_t state = 0x9E3779B97F4A7C15ULL;
    size_t skip_wrong = 0, collapse_wrong = 0, texts = 0;
    for (int round = 0; round < 300; round++) {
        char text[160];
        size_t n = random_text(&state, round % 2, text, 40 + (size_t)round % 120);
        kw_tokspan tokens[160];
        size_t n_tokens = 0;
        kw_scan scan;
        kw_scan_init(&scan, text, n, 0, 0);
        while (kw_scan_next(&scan, &tokens[n_tokens]) == 1)
            n_tokens++;
        for (size_t a = 0; a <= n_tokens; a++) {
            size_t from = a ? tokens[a - 1].end : 0;
            uint64_t from_chars = a ? tokens[a - 1].char_end : 0;
            for (size_t k = 0; k <= n_tokens - a + 1; k++) {
                kw_scan_init(&scan, text, n, from, from_chars);
                size_t skipped = kw_scan_skip(&scan, k);
                kw_tokspan t;
                int more = kw_scan_next(&scan, &t);
                int right = a + k < n_tokens
                                ? skipped == k && more == 1 && t.begin == tokens[a + k].begin
                                      && t.char_begin == tokens[a + k].char_begin
                                : skipped == n_tokens - a && more == 0;
                if (!right && skip_wrong++ == 0)
                    printf("  skip %zu from token %zu of \"%.*s\"\n", k, a, (int)n, text);
            }
        }
        for (size_t b = 0; b < n_tokens; b++) {
            for (size_t e = b; e < n_tokens; e++) {
                size_t begin = tokens[b].begin, end = tokens[e].end;
                char fast[160], slow[160];
                int ascii;
                size_t len = kw_collapse_space(text + begin, end - begin, fast, &ascii);
                size_t expected = collapse_slowly(text + begin, end - begin, slow);
                int all_ascii = 1;
                for (size_t i = 0; i < expected; i++)
                    all_ascii &= (unsigned char)slow[i] < 0x80;
                if ((len != expected || memcmp(fast, slow, len) != 0 || ascii != all_ascii)
                    && collapse_wrong++ == 0)
                    printf("  collapse \"%.*s\"\n", (int)(end - begin), text + begin);
            }
        }
        texts++;
    }
    CHECK(texts == 300);
    CHECK(skip_wrong == 0);
    CHECK(collapse_wrong == 0);
}

static void test_folding(void)
{
    char out[64];
    size_t n;
#define FOLDS_TO(src, expected)                 \
    (n = kw_fold_utf8((src), strlen(src), out), \
     n == strlen(expected) && memcmp(out, expected, n) == 0)
    CHECK(FOLDS_TO("STRASSE", "strasse"));
    CHECK(FOLDS_TO("Stra\xc3\x9f"
                   "e",
                   "strasse"));                                              /* ß -> ss */
    CHECK(FOLDS_TO("\xce\xa3\xcf\x83\xcf\x82", "\xcf\x83\xcf\x83\xcf\x83")); /* Σσς */
    CHECK(FOLDS_TO("\xd0\x9c\xd0\x98\xd0\xa0", "\xd0\xbc\xd0\xb8\xd1\x80")); /* МИР */
    CHECK(FOLDS_TO("\xc4\xb0", "i\xcc\x87"));                                /* İ -> i̇ */
    CHECK(FOLDS_TO("\xc4\xb1", "\xc4\xb1"));                                 /* ı stays */
    CHECK(FOLDS_TO("\xe2\x80\x99", "'"));                                    /* ’ -> ' */
#undef FOLDS_TO
    /* No code point folds to more than KW_FOLD_GROWTH times its bytes. */
    int ok = 1;
    for (uint32_t c = 0; c <= 0x10FFFF && ok; c++) {
        unsigned char buf[4];
        char folded[4 * KW_FOLD_MAX_CP];
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        int len = kw_utf8_encode(c, buf);
        ok = kw_fold_utf8((const char *)buf, (size_t)len, folded) <= (size_t)len * KW_FOLD_GROWTH;
    }
    CHECK(ok);
}

/* ---- index and queries ---- */

static void test_queries(void)
{
    const char *docs[] = {
        "Peace and war. PEACE, peace! The U-2 plane; U - 2 again, U 2 not.",
        "",
        "Die Stra\xc3\x9f"
        "e und die STRASSE. \xce\xa3\xce\x9f\xce\xa6\xce\x99\xce\x91 "
        "\xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1 Khrushchev's letter said, the end",
        "said the end. peace",
    };
    kw_index *ix = build(docs, 4);
    CHECK(ix != NULL);
    if (!ix)
        return;
    CHECK(kw_index_n_docs(ix) == 4);
    CHECK(count(ix, "peace", 0) == 4);
    CHECK(count(ix, "PEACE", 0) == 4);
    CHECK(count(ix, "peace", 1) == 2);
    CHECK(count(ix, "Peace", 1) == 1);
    CHECK(count(ix, "U-2", 0) == 2);
    CHECK(count(ix, "u - 2", 0) == 2);
    CHECK(count(ix, "U 2", 0) == 1);
    CHECK(count(ix, "strasse", 0) == 2);
    CHECK(count(ix,
                "STRA\xc3\x9f"
                "E",
                0)
          == 2);
    CHECK(count(ix,
                "Stra\xc3\x9f"
                "e",
                1)
          == 1);
    CHECK(count(ix, "\xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1", 0) == 2); /* σοφια */
    CHECK(count(ix, "Khrushchev", 0) == 1);
    CHECK(count(ix, "Khrushchev\xe2\x80\x99s", 0) == 1); /* typographic apostrophe */
    CHECK(count(ix, "Khrushchev\xe2\x80\x99s", 1) == 0);
    CHECK(count(ix, "said the", 0) == 1); /* not across the comma of doc 2 */
    CHECK(count(ix, "said , the", 0) == 1);
    CHECK(count(ix, "the end", 0) == 2);
    CHECK(count(ix, "end peace", 0) == 0); /* not across the full stop */
    CHECK(count(ix, "end said", 0) == 0);  /* not across documents */
    CHECK(count(ix, "nothing", 0) == 0);
    CHECK(count(ix, "peace nothing", 0) == 0);

    kw_hits *h;
    size_t bad = 99;
    CHECK(kw_index_find(ix, " \t", 2, 0, &h, &bad) == KW_EEMPTY);
    CHECK(kw_index_find(ix, "", 0, 0, &h, &bad) == KW_EEMPTY);
    CHECK(kw_index_find(ix, "ab\xc3", 3, 0, &h, &bad) == KW_EUTF8 && bad == 2);
    kw_index_free(ix);
}

static void test_lines(void)
{
    const char *docs[] = {
        "One, two three.  Four five\n\nsix seven eight nine ten.",
        "peace",
    };
    kw_index *ix = build(docs, 2);
    CHECK(ix != NULL);
    if (!ix)
        return;
    kw_hits *h;
    kw_line ln;
    size_t bad, n;
    const char *text;

    CHECK(kw_index_find(ix, "five", 4, 0, &h, &bad) == KW_OK && kw_hits_count(h) == 1);
    kw_line_at(ix, h, 0, &(kw_context){2, 3, 0, KW_BOUND_NONE}, NULL, &ln);
    text = kw_index_doc_text(ix, ln.doc, &n);
    CHECK(ln.doc == 0 && ln.tok_start == 6 && ln.tok_end == 7);
    CHECK(span_is(text, ln.match_begin, ln.match_end, "five"));
    CHECK(ln.char_start == 22 && ln.char_end == 26);
    /* Two words to the left: the full stop between is shown, not counted. */
    CHECK(span_is(text, ln.left_begin, ln.left_end, "three.  Four "));
    CHECK(span_is(text, ln.right_begin, ln.right_end, "\n\nsix seven eight"));
    kw_line_at(ix, h, 0, &(kw_context){0, 0, 0, KW_BOUND_NONE}, NULL, &ln);
    CHECK(ln.left_begin == ln.left_end && ln.right_begin == ln.right_end);
    /* Windows past the document edges are clipped to them. */
    kw_line_at(ix, h, 0, &(kw_context){50, 50, 0, KW_BOUND_NONE}, NULL, &ln);
    CHECK(span_is(text, ln.left_begin, ln.left_end, "One, two three.  Four "));
    CHECK(span_is(text, ln.right_begin, ln.right_end, "\n\nsix seven eight nine ten."));
    kw_hits_free(h);

    CHECK(kw_index_find(ix, "peace", 5, 0, &h, &bad) == KW_OK && kw_hits_count(h) == 1);
    kw_line_at(ix, h, 0, &(kw_context){5, 5, 0, KW_BOUND_NONE}, NULL, &ln);
    CHECK(ln.doc == 1 && ln.tok_start == 0 && ln.char_start == 0 && ln.char_end == 5);
    CHECK(ln.left_begin == ln.left_end && ln.right_begin == ln.right_end);
    kw_hits_free(h);

    char collapsed[64];
    const char *spaced = "a \t\n b\xe3\x80\x80"
                         "c";
    int ascii;
    size_t len = kw_collapse_space(spaced, strlen(spaced), collapsed, &ascii);
    CHECK(len == 5 && memcmp(collapsed, "a b c", 5) == 0 && ascii);
    kw_index_free(ix);
}

/* An index of n_docs random texts (random_text, ASCII and not by turns) of
 * at most doc_bytes each; NULL, a failed check, if it cannot be built. */
static kw_index *random_index(uint64_t seed, size_t n_docs, size_t doc_bytes)
{
    char *text = malloc(doc_bytes);
    kw_builder *b;
    kw_index *ix = NULL;
    size_t bad;
    if (!text || kw_builder_new(&kw_alloc_libc, &b) != KW_OK) {
        free(text);
        CHECK(0);
        return NULL;
    }
    for (size_t d = 0; d < n_docs; d++) {
        size_t n = random_text(&seed, d % 2, text, doc_bytes);
        CHECK(kw_builder_add(b, text, n, &bad) == KW_OK);
    }
    CHECK(kw_builder_finish(b, &ix) == KW_OK);
    free(text);
    return ix;
}

/* Whether row i of the columns holds line `ln`, its texts collapsed. */
static int column_row_is(const kw_index *ix, const kw_line_columns *cols, size_t i,
                         const kw_line *ln, uint32_t query)
{
    size_t n_bytes;
    const char *text = kw_index_doc_text(ix, ln->doc, &n_bytes);
    const kw_text_column *texts[] = {&cols->left, &cols->match, &cols->right};
    const size_t spans[][2] = {{ln->left_begin, ln->left_end},
                               {ln->match_begin, ln->match_end},
                               {ln->right_begin, ln->right_end}};
    int ok = cols->doc[i] == ln->doc && cols->tok_start[i] == (int64_t)ln->tok_start
             && cols->tok_end[i] == (int64_t)ln->tok_end
             && cols->char_start[i] == (int64_t)ln->char_start
             && cols->char_end[i] == (int64_t)ln->char_end && cols->query[i] == query;
    for (int t = 0; t < 3 && ok; t++) {
        char expected[4096];
        int ascii;
        size_t n = spans[t][1] - spans[t][0];
        if (n > sizeof expected)
            return 0;
        n = kw_collapse_space(text + spans[t][0], n, expected, &ascii);
        const int64_t *offsets = texts[t]->offsets;
        ok = offsets[i + 1] - offsets[i] == (int64_t)n
             && (n == 0 || memcmp(texts[t]->data + offsets[i], expected, n) == 0);
    }
    return ok;
}

static void free_column_texts(kw_line_columns *cols, const kw_alloc *alloc)
{
    kw_text_column *texts[] = {&cols->left, &cols->match, &cols->right};
    for (int t = 0; t < 3; t++) {
        alloc->free(alloc->ctx, texts[t]->data);
        texts[t]->data = NULL;
        texts[t]->cap = 0;
    }
}

/* Lines laid out in a run with a cursor, which scans on from the line
 * before, and with the prefetch hint, equal lines laid out alone from
 * checkpoints; so do the rows of the same run laid out as columns for a
 * data frame. For dense and sparse hits, in document order and sorted,
 * with every kind of context. */
static void test_line_cursor(void)
{
    enum { MAX_HITS = 4096 };
    kw_index *ix = random_index(0x2545F4914F6CDD1DULL, 6, 3000);
    size_t bad;
    if (!ix)
        return;
    static const char *const queries[] = {"a", "word", ".", "x9 a", "zq"};
    static const kw_context contexts[] = {
        {5, 5, 0, KW_BOUND_NONE},       {0, 3, 0, KW_BOUND_NONE},     {2, 0, 0, KW_BOUND_NONE},
        {40, 40, 0, KW_BOUND_NONE},     {4, 4, 0, KW_BOUND_SENTENCE}, {0, 0, 12, KW_BOUND_NONE},
        {0, 0, 60, KW_BOUND_PARAGRAPH},
    };
    static const kw_sort_key r1[] = {{KW_SORT_RIGHT, 1, 0}};
    static uint64_t doc[MAX_HITS];
    static int64_t tok_start[MAX_HITS], tok_end[MAX_HITS], char_start[MAX_HITS], char_end[MAX_HITS],
        offsets[3][MAX_HITS + 1];
    static uint32_t query[MAX_HITS];
    size_t lines = 0, differ = 0, rows = 0, wrong = 0;
    for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
        kw_hits *found, *sorted;
        if (kw_index_find(ix, queries[q], strlen(queries[q]), 0, &found, &bad) != KW_OK)
            continue;
        if (kw_hits_sort(ix, found, r1, 1, NULL, &sorted) != KW_OK) {
            kw_hits_free(found);
            continue;
        }
        kw_hits *orders[] = {found, sorted};
        for (size_t o = 0; o < 2; o++) {
            for (size_t c = 0; c < sizeof contexts / sizeof *contexts; c++) {
                kw_line_cursor *cursor;
                const int made = kw_line_cursor_new(&kw_alloc_libc, &cursor) == KW_OK;
                CHECK(made);
                if (!made)
                    continue;
                kw_line_columns cols = {doc,
                                        tok_start,
                                        tok_end,
                                        char_start,
                                        char_end,
                                        query,
                                        {offsets[0], NULL, 0},
                                        {offsets[1], NULL, 0},
                                        {offsets[2], NULL, 0}};
                const int in_columns = kw_hits_count(orders[o]) <= MAX_HITS;
                CHECK(!in_columns
                      || kw_line_columns_fill(ix, orders[o], &contexts[c], &kw_alloc_libc, NULL,
                                              &cols)
                             == KW_OK);
                for (size_t i = 0; i < kw_hits_count(orders[o]); i++) {
                    kw_line run, alone;
                    kw_line_prefetch(ix, orders[o], i);
                    kw_line_at(ix, orders[o], i, &contexts[c], cursor, &run);
                    kw_line_at(ix, orders[o], i, &contexts[c], NULL, &alone);
                    lines++;
                    if (memcmp(&run, &alone, sizeof run) != 0 && differ++ == 0)
                        printf("  %s, context %zu, hit %zu laid out differently\n", queries[q], c,
                               i);
                    if (!in_columns)
                        continue;
                    rows++;
                    if (!column_row_is(ix, &cols, i, &alone, kw_hits_query(orders[o], i))
                        && wrong++ == 0)
                        printf("  %s, context %zu, row %zu differs from its line\n", queries[q], c,
                               i);
                }
                free_column_texts(&cols, &kw_alloc_libc);
                kw_line_cursor_free(cursor);
            }
        }
        kw_hits_free(sorted);
        kw_hits_free(found);
    }
    CHECK(lines > 10000 && rows > 10000);
    CHECK(differ == 0 && wrong == 0);
    kw_index_free(ix);
}

/* Offsets found through checkpoints equal those of one scan from the start,
 * for every token of documents longer than many checkpoints, and phrases
 * found by the index are exactly those a brute-force scan finds. */
static void test_windows(void)
{
    const char *docs[] = {
        "Mr. Smith met Dr. Jones. They spoke of peace. Peace came! Then war? no. Peace at "
        "last.\n\nA new day.\n \nPeace again, said J. R. Doe. MR. X left. "
        "Fine.\"Quoted\" stays. 1. Numbered",
        ("one two\r\nthree\r\n\r\nfour five\r\rsix\xe2\x80\xa8\xe2\x80\xa9seven\n\x0c\x0b"
         "eight"),
        "aa bb cc dd ee",
        "aa     bb cc\n\ndd  ee. Ff",
    };
    kw_index *ix = build(docs, 4);
    CHECK(ix != NULL);
    if (!ix)
        return;
    const kw_bound none = KW_BOUND_NONE, sent = KW_BOUND_SENTENCE, para = KW_BOUND_PARAGRAPH;

    /* Uneven word windows. */
    CHECK(lays_out(ix, "cc", 0, (kw_context){1, 2, 0, none}, "bb ", " dd ee"));
    CHECK(lays_out(ix, "cc", 0, (kw_context){0, 1, 0, none}, "", " dd"));
    CHECK(lays_out(ix, "cc", 0, (kw_context){2, 0, 0, none}, "aa bb ", ""));

    /* Sentences: abbreviations and initials end none; the closing mark
     * belongs to the right context. */
    CHECK(lays_out(ix, "spoke", 0, (kw_context){10, 10, 0, sent}, "They ", " of peace."));
    CHECK(lays_out(ix, "jones", 0, (kw_context){10, 10, 0, sent}, "Mr. Smith met Dr. ", "."));
    CHECK(lays_out(ix, "war", 0, (kw_context){10, 10, 0, sent}, "Then ", "? no."));
    CHECK(lays_out(ix, "peace", 1, (kw_context){10, 10, 0, sent}, "", " came!"));
    CHECK(lays_out(ix, "peace", 2, (kw_context){10, 10, 0, sent}, "", " at last."));
    CHECK(lays_out(ix, "doe", 0, (kw_context){10, 10, 0, sent}, "Peace again, said J. R. ", "."));
    CHECK(lays_out(ix, "x", 0, (kw_context){10, 10, 0, sent}, "MR. ", " left."));
    /* No white space after the mark, or a quote before the capital: no end. */
    CHECK(lays_out(ix, "quoted", 0, (kw_context){2, 2, 0, sent}, "Fine.\"", "\" stays. 1"));
    CHECK(lays_out(ix, "numbered", 0, (kw_context){3, 3, 0, sent}, "", ""));
    /* The word window still applies inside the sentence. */
    CHECK(lays_out(ix, "spoke", 0, (kw_context){10, 1, 0, sent}, "They ", " of"));
    /* A paragraph break ends a sentence too. */
    CHECK(lays_out(ix, "new", 0, (kw_context){10, 10, 0, sent}, "A ", " day."));
    CHECK(lays_out(ix, "last", 0, (kw_context){10, 10, 0, sent}, "Peace at ", "."));

    /* Paragraphs: two line breaks, white space allowed between them. */
    CHECK(lays_out(ix, "new", 0, (kw_context){2, 2, 0, none}, "last.\n\nA ", " day.\n \nPeace"));
    CHECK(lays_out(ix, "new", 0, (kw_context){10, 10, 0, para}, "A ", " day."));
    CHECK(lays_out(ix, "came", 0, (kw_context){30, 3, 0, para},
                   "Mr. Smith met Dr. Jones. They spoke of peace. Peace ", "! Then war? no"));
    /* CR LF is one line break; CR CR, LS PS and LF FF VT are two. */
    CHECK(lays_out(ix, "three", 0, (kw_context){5, 5, 0, para}, "one two\r\n", ""));
    CHECK(lays_out(ix, "five", 0, (kw_context){5, 5, 0, para}, "four ", ""));
    CHECK(lays_out(ix, "six", 0, (kw_context){5, 5, 0, para}, "", ""));
    CHECK(lays_out(ix, "seven", 0, (kw_context){5, 5, 0, para}, "", ""));
    CHECK(lays_out(ix, "eight", 0, (kw_context){5, 5, 0, para}, "", ""));

    /* Widths: whole tokens within `width` characters as written. */
    CHECK(lays_out(ix, "cc", 0, (kw_context){0, 0, 2, none}, "", ""));
    CHECK(lays_out(ix, "cc", 0, (kw_context){0, 0, 3, none}, "bb ", " dd"));
    CHECK(lays_out(ix, "cc", 0, (kw_context){0, 0, 5, none}, "bb ", " dd"));
    CHECK(lays_out(ix, "cc", 0, (kw_context){9, 9, 6, none}, "aa bb ", " dd ee"));
    CHECK(lays_out(ix, "cc", 0, (kw_context){0, 0, 1000, none}, "aa bb ", " dd ee"));
    CHECK(lays_out(ix, "bb", 1, (kw_context){0, 0, 6, none}, "", " cc"));
    CHECK(lays_out(ix, "bb", 1, (kw_context){0, 0, 7, none}, "aa     ", " cc\n\ndd"));
    /* A width and a bound together. */
    CHECK(lays_out(ix, "cc", 1, (kw_context){0, 0, 20, para}, "aa     bb ", ""));
    CHECK(lays_out(ix, "dd", 1, (kw_context){0, 0, 20, para}, "", "  ee. Ff"));
    CHECK(lays_out(ix, "dd", 1, (kw_context){0, 0, 20, sent}, "", "  ee."));
    CHECK(lays_out(ix, "ee", 1, (kw_context){0, 0, 4, sent}, "dd  ", "."));

    /* Character offsets are code points. */
    kw_hits *h;
    kw_line ln;
    size_t bad;
    CHECK(kw_index_find(ix, "seven", 5, 0, &h, &bad) == KW_OK && kw_hits_count(h) == 1);
    kw_line_at(ix, h, 0, &(kw_context){0, 0, 3, none}, NULL, &ln);
    CHECK(ln.char_start == 34 && ln.char_end == 39);
    kw_hits_free(h);
    kw_index_free(ix);
}

/* A width wider than the ring of offsets kept while scanning, in a
 * document of many checkpoints. */
static void test_wide_width(void)
{
    static char doc[2000];
    const char *docs[] = {"first doc", doc};
    size_t len = 0;
    for (int k = 0; k < 400; k++)
        doc[len++] = 'b', doc[len++] = ' ';
    doc[len++] = 'x', doc[len++] = ' ';
    for (int k = 0; k < 400; k++)
        doc[len++] = 'b', doc[len++] = ' ';
    doc[len] = 0;
    kw_index *ix = build(docs, 2);
    CHECK(ix != NULL);
    if (!ix)
        return;
    kw_hits *h;
    size_t bad;
    CHECK(kw_index_find(ix, "x", 1, 0, &h, &bad) == KW_OK && kw_hits_count(h) == 1);
    int ok = 1;
    for (uint64_t width = 1; width <= 900 && ok; width += 7) {
        for (int bound = KW_BOUND_NONE; bound <= KW_BOUND_PARAGRAPH; bound++) {
            kw_line ln;
            kw_line_at(ix, h, 0, &(kw_context){0, 0, width, (kw_bound)bound}, NULL, &ln);
            /* Token j of the 801 starts at byte 2j; x is token 400, and a
             * width holds width / 2 tokens each side, 400 at most. */
            size_t fit = width / 2 > 400 ? 400 : (size_t)width / 2;
            ok &= ln.match_begin == 800 && ln.left_begin == 800 - 2 * fit;
            ok &= ln.right_end == 801 + 2 * fit;
        }
    }
    CHECK(ok);
    kw_hits_free(h);
    kw_index_free(ix);
}

static void test_upper_case(void)
{
#define UPPER(s) kw_utf8_starts_upper((s), strlen(s))
    CHECK(UPPER("A") && UPPER("Zebra") && !UPPER("a") && !UPPER("1") && !UPPER(".") && !UPPER(""));
    CHECK(UPPER("\xc3\x89") && !UPPER("\xc3\xa9"));          /* É é */
    CHECK(UPPER("\xc7\x85"));                                /* ǅ, Lt */
    CHECK(UPPER("\xce\xa3") && !UPPER("\xcf\x82"));          /* Σ ς */
    CHECK(!UPPER("\xc3\x9f") && UPPER("\xe1\xba\x9e"));      /* ß ẞ */
    CHECK(UPPER("\xf0\x9d\x90\x80"));                        /* U+1D400 MATHEMATICAL BOLD A */
    CHECK(!UPPER("\xe5\x92\x8c") && !UPPER("\xe2\x85\xa0")); /* 和, Ⅰ (Nl) */
    CHECK(!UPPER("\xff"));
#undef UPPER
}

static void test_long_documents(void)
{
    static const char *words[] = {
        "alpha", "Beta", "\xc3\xa9t\xc3\xa9", "gamma", ",", "BETA", "\xe4\xb8\xad",
        "delta", ".",    "\xf0\x9f\x98\x80"};
    enum { N_DOCS = 5, WORDS_PER_DOC = 700 };
    static char docs[N_DOCS][WORDS_PER_DOC * 8];
    const char *ptrs[N_DOCS];
    unsigned seed = 12345;
    for (int d = 0; d < N_DOCS; d++) {
        size_t len = 0;
        for (int w = 0; w < WORDS_PER_DOC; w++) {
            seed = seed * 1103515245u + 12345u;
            const char *word = words[(seed >> 16) % 10];
            memcpy(docs[d] + len, word, strlen(word));
            len += strlen(word);
            docs[d][len++] = (seed >> 8) % 3 ? ' ' : '\n';
        }
        docs[d][len] = 0;
        ptrs[d] = docs[d];
    }
    kw_index *ix = build(ptrs, N_DOCS);
    CHECK(ix != NULL);
    if (!ix)
        return;
    kw_hits *h;
    size_t bad;
    CHECK(kw_index_find(ix, "beta", 4, 0, &h, &bad) == KW_OK);
    int ok = 1;
    size_t expected = 0;
    for (int d = 0; d < N_DOCS; d++) {
        kw_scan scan;
        kw_tokspan t;
        kw_scan_init(&scan, docs[d], strlen(docs[d]), 0, 0);
        while (kw_scan_next(&scan, &t) == 1) {
            if (t.end - t.begin != 4 || !ascii_ieq(docs[d] + t.begin, "beta", 4))
                continue;
            kw_line ln;
            if (expected >= kw_hits_count(h)) {
                ok = 0;
                break;
            }
            kw_line_at(ix, h, expected, &(kw_context){3, 3, 0, KW_BOUND_NONE}, NULL, &ln);
            ok &= ln.doc == (size_t)d && ln.match_begin == t.begin && ln.match_end == t.end
                  && ln.char_start == t.char_begin && ln.char_end == t.char_end;
            expected++;
        }
    }
    CHECK(ok);
    CHECK(expected == kw_hits_count(h));
    kw_hits_free(h);

    /* "beta , gamma" by brute force over the token sequence of each doc. */
    size_t phrase_hits = 0;
    for (int d = 0; d < N_DOCS; d++) {
        kw_scan scan;
        kw_tokspan t;
        int state = 0;
        kw_scan_init(&scan, docs[d], strlen(docs[d]), 0, 0);
        while (kw_scan_next(&scan, &t) == 1) {
            size_t len = t.end - t.begin;
            const char *form = docs[d] + t.begin;
            if (state == 2 && len == 5 && ascii_ieq(form, "gamma", 5))
                phrase_hits++;
            if (len == 4 && ascii_ieq(form, "beta", 4))
                state = 1;
            else
                state = state == 1 && len == 1 && *form == ',' ? 2 : 0;
        }
    }
    CHECK(count(ix, "BETA, gamma", 0) == phrase_hits);
    CHECK(phrase_hits > 0);
    kw_index_free(ix);
}

static void test_rollback(void)
{
    kw_builder *b;
    kw_index *ix;
    size_t bad = 0;
    CHECK(kw_builder_new(&kw_alloc_libc, &b) == KW_OK);
    CHECK(kw_builder_add(b, "good words here", 15, &bad) == KW_OK);
    /* New types before the bad byte must vanish with the document. */
    CHECK(kw_builder_add(b, "novel tokens \xc3\x28 end", 19, &bad) == KW_EUTF8 && bad == 13);
    CHECK(kw_builder_add(b, "more words", 10, &bad) == KW_OK);
    CHECK(kw_builder_finish(b, &ix) == KW_OK);
    CHECK(kw_index_n_docs(ix) == 2);
    CHECK(kw_index_n_tokens(ix) == 5);
    CHECK(kw_index_n_types(ix) == 4);
    CHECK(count(ix, "novel", 0) == 0);
    CHECK(count(ix, "words", 0) == 2);
    kw_index_free(ix);
}

/* ---- appending builders ---- */

static int same_bytes(const void *x, const void *y, size_t n)
{
    return n == 0 || memcmp(x, y, n) == 0;
}

static int same_strtab(const kw_strtab *x, const kw_strtab *y)
{
    return x->n == y->n && x->arena_len == y->arena_len
           && same_bytes(x->arena, y->arena, x->arena_len)
           && (x->n == 0 || same_bytes(x->offsets, y->offsets, (x->n + 1) * sizeof *x->offsets))
           && same_bytes(x->hashes, y->hashes, x->n * sizeof *x->hashes);
}

/* Every array of two indexes is the same, byte for byte: what a saved file
 * holds. */
static int same_index(const kw_index *x, const kw_index *y)
{
    size_t nd = x->n_docs, nt = x->n_tokens, ns = x->surface.n, ng = x->folded.n;
    if (nd != y->n_docs || nt != y->n_tokens || x->text_len != y->text_len)
        return 0;
    size_t nck = x->doc_ck[nd];
    return nck == y->doc_ck[nd] && same_bytes(x->text, y->text, x->text_len)
           && same_bytes(x->doc_byte, y->doc_byte, (nd + 1) * sizeof *x->doc_byte)
           && same_bytes(x->doc_tok, y->doc_tok, (nd + 1) * sizeof *x->doc_tok)
           && same_bytes(x->doc_ck, y->doc_ck, (nd + 1) * sizeof *x->doc_ck)
           && same_bytes(x->toks, y->toks, nt * sizeof *x->toks)
           && same_bytes(x->checkpoints, y->checkpoints, nck * sizeof *x->checkpoints)
           && same_strtab(&x->surface, &y->surface) && same_bytes(x->is_word, y->is_word, ns)
           && same_strtab(&x->folded, &y->folded)
           && same_bytes(x->group_of, y->group_of, ns * sizeof *x->group_of)
           && same_bytes(x->group_rank, y->group_rank, ng * sizeof *x->group_rank)
           && same_bytes(x->post_start, y->post_start, (ng + 1) * sizeof *x->post_start)
           && same_bytes(x->post, y->post, nt * sizeof *x->post);
}

/* docs[0..n) built as runs cut before each of cuts[0..n_cuts) (ascending),
 * one builder a run, appended in order. */
static kw_index *build_in_runs(const char *const *docs, size_t n, const size_t *cuts, size_t n_cuts)
{
    kw_builder *runs[8];
    kw_index *ix = NULL;
    size_t bad, doc = 0;
    int ok = 1;
    for (size_t r = 0; r <= n_cuts; r++) {
        size_t end = r < n_cuts ? cuts[r] : n;
        ok &= kw_builder_new(&kw_alloc_libc, &runs[r]) == KW_OK;
        for (; ok && doc < end; doc++)
            ok &= kw_builder_add(runs[r], docs[doc], strlen(docs[doc]), &bad) == KW_OK;
    }
    for (size_t r = 1; r <= n_cuts; r++) {
        if (ok && kw_builder_append(runs[0], runs[r]) == KW_OK)
            runs[r] = NULL;
        else
            ok = 0;
    }
    if (ok && kw_builder_finish(runs[0], &ix) == KW_OK)
        runs[0] = NULL;
    for (size_t r = 0; r <= n_cuts; r++)
        kw_builder_free(runs[r]);
    return ix;
}

/* Empty documents before any text: no builder has a text buffer yet, so
 * nothing may form a pointer from it (UBSan: "applying zero offset to null
 * pointer"), alone or appended. */
static void test_empty_first_documents(void)
{
    kw_builder *a = NULL, *b = NULL;
    kw_index *ix = NULL;
    size_t bad = 0;
    CHECK(kw_builder_new(&kw_alloc_libc, &a) == KW_OK
          && kw_builder_new(&kw_alloc_libc, &b) == KW_OK);
    if (!a || !b) {
        kw_builder_free(a);
        kw_builder_free(b);
        return;
    }
    CHECK(kw_builder_add(a, "", 0, &bad) == KW_OK && kw_builder_add(b, "", 0, &bad) == KW_OK);
    CHECK(kw_builder_append(a, b) == KW_OK);
    CHECK(kw_builder_n_docs(a) == 2);
    CHECK(kw_builder_finish(a, &ix) == KW_OK);
    CHECK(ix && kw_index_n_docs(ix) == 2 && kw_index_n_tokens(ix) == 0);
    kw_index_free(ix);
}

static void test_append(void)
{
    /* Types first seen in later documents, shared ones, case variants,
     * empty documents, non-ASCII, and documents past a checkpoint. */
    static char long_doc[2][600];
    for (int d = 0; d < 2; d++) {
        size_t len = 0;
        for (int w = 0; w < 100; w++)
            len += (size_t)sprintf(long_doc[d] + len, "%s%d ", d ? "W" : "w", w % (d ? 7 : 13));
    }
    const char *docs[] = {"",
                          "The cat sat.",
                          long_doc[0],
                          "",
                          "STRASSE stra\xc3\x9f"
                          "e, cat!",
                          "new words here",
                          "",
                          long_doc[1],
                          "\xe5\x92\x8c\xe5\xb9\xb3 the Cat",
                          "last"};
    enum { N = sizeof docs / sizeof *docs };
    kw_index *whole = build(docs, N);
    CHECK(whole != NULL);
    if (!whole)
        return;
    int ok = 1, built = 1;
    /* Every cut into two and three runs, and every document its own run. */
    for (size_t i = 0; i <= N; i++) {
        for (size_t j = i; j <= N; j++) {
            size_t cuts[2] = {i, j};
            kw_index *ix = build_in_runs(docs, N, cuts, i == j ? 1 : 2);
            built &= ix != NULL;
            ok &= ix && same_index(whole, ix);
            kw_index_free(ix);
        }
    }
    size_t each[7] = {1, 2, 3, 4, 5, 6, 7};
    kw_index *ix = build_in_runs(docs, 8, each, 7);
    kw_index *eight = build(docs, 8);
    ok &= ix && eight && same_index(eight, ix);
    kw_index_free(ix);
    kw_index_free(eight);
    CHECK(built);
    CHECK(ok);
    /* Lines of an appended index come out right: a hit past a checkpoint in
     * a document of the second run ("W6" is token 97 of long_doc[1]). */
    size_t cut = 5;
    ix = build_in_runs(docs, N, &cut, 1);
    kw_hits *h = NULL;
    size_t bad;
    CHECK(ix && kw_index_find(ix, "W6", 2, 1, &h, &bad) == KW_OK);
    if (ix && h) {
        CHECK(kw_hits_count(h) == 14);
        kw_line ln;
        kw_line_at(ix, h, 13, &(kw_context){1, 1, 0, KW_BOUND_NONE}, NULL, &ln);
        size_t n;
        const char *text = kw_index_doc_text(ix, ln.doc, &n);
        CHECK(ln.doc == 7 && ln.tok_start == 97
              && span_is(text, ln.match_begin, ln.match_end, "W6"));
        CHECK(span_is(text, ln.left_begin, ln.right_end, "W5 W6 W0"));
        kw_hits_free(h);
    }
    kw_index_free(ix);

    /* Room reserved up front changes nothing but the allocations. */
    kw_builder *roomy;
    size_t bad_at;
    CHECK(kw_builder_new(&kw_alloc_libc, &roomy) == KW_OK);
    CHECK(kw_builder_reserve(roomy, 0, SIZE_MAX) == KW_ETOOBIG);
    CHECK(kw_builder_reserve(roomy, 10, 2) == KW_OK); /* less than needed */
    CHECK(kw_builder_reserve(roomy, 0, 0) == KW_OK);
    for (size_t d = 0; d < 5; d++)
        CHECK(kw_builder_add(roomy, docs[d], strlen(docs[d]), &bad_at) == KW_OK);
    CHECK(kw_builder_reserve(roomy, 100000, 20000) == KW_OK); /* more than needed */
    for (size_t d = 5; d < N; d++)
        CHECK(kw_builder_add(roomy, docs[d], strlen(docs[d]), &bad_at) == KW_OK);
    CHECK(kw_builder_finish(roomy, &ix) == KW_OK && whole && same_index(whole, ix));
    kw_index_free(ix);
    kw_index_free(whole);

    /* Refusals leave both builders as they were. */
    kw_builder *b = NULL, *c = NULL;
    CHECK(kw_builder_new(&kw_alloc_libc, &b) == KW_OK
          && kw_builder_new(&kw_alloc_libc, &c) == KW_OK);
    CHECK(kw_builder_add(b, "a b", 3, &bad) == KW_OK && kw_builder_add(c, "b c", 3, &bad) == KW_OK);
    CHECK(kw_builder_append(b, b) == KW_EINVAL);
    size_t real = c->n_tokens;
    c->n_tokens = (size_t)KW_MAX_TOKENS - 1; /* pretend: the sum would not fit */
    CHECK(kw_builder_append(b, c) == KW_ETOOBIG);
    c->n_tokens = real;
    CHECK(kw_builder_n_docs(b) == 1 && b->surface.n == 2 && c->surface.n == 2);
    /* An empty builder appends as nothing; a builder appended to an empty
     * one is that builder; dst takes more documents afterwards. */
    kw_builder *empty;
    CHECK(kw_builder_new(&kw_alloc_libc, &empty) == KW_OK);
    CHECK(kw_builder_append(b, empty) == KW_OK);
    CHECK(kw_builder_new(&kw_alloc_libc, &empty) == KW_OK);
    CHECK(kw_builder_append(empty, b) == KW_OK);
    CHECK(kw_builder_append(empty, c) == KW_OK);
    CHECK(kw_builder_add(empty, "c d", 3, &bad) == KW_OK);
    CHECK(kw_builder_n_docs(empty) == 3);
    CHECK(kw_builder_finish(empty, &ix) == KW_OK);
    const char *abc[] = {"a b", "b c", "c d"};
    kw_index *direct = build(abc, 3);
    CHECK(direct && same_index(direct, ix));
    kw_index_free(direct);
    kw_index_free(ix);
}

/* A runner that runs the parts one after the other, last first, and counts
 * them: the core must not depend on their order. */
static size_t parts_run;

static void run_backwards(void *ctx, void (*task)(void *, size_t), void *arg, size_t n_parts)
{
    (void)ctx;
    for (size_t part = n_parts; part-- > 0;) {
        task(arg, part);
        parts_run++;
    }
}

static void test_runner(void)
{
    /* 24 documents of 20,000 words: enough tokens for finish to cut the
     * postings into five parts (at least 65,536 tokens each). */
    static const char *words[] = {"the",
                                  "The",
                                  "THE",
                                  "peace",
                                  "Peace",
                                  "war",
                                  ",",
                                  ".",
                                  "\xc3\xa9t\xc3\xa9",
                                  "\xc3\x89T\xc3\x89",
                                  ("Stra\xc3\x9f"
                                   "e"),
                                  "STRASSE",
                                  "\xe5\x92\x8c",
                                  "x1",
                                  "x2",
                                  "x3",
                                  "x4",
                                  "x5"};
    enum { N_DOCS = 24, WORDS = 20000, N_WORDS = sizeof words / sizeof *words };
    char **docs = malloc(N_DOCS * sizeof *docs);
    unsigned seed = 7;
    for (int d = 0; d < N_DOCS; d++) {
        docs[d] = malloc(WORDS * 12);
        size_t len = 0;
        for (int w = 0; w < WORDS; w++) {
            seed = seed * 1103515245u + 12345u;
            const char *word = words[(seed >> 16) % N_WORDS];
            /* a few words only in later documents, so appends add types */
            if ((seed >> 8) % 97 == 0)
                len += (size_t)sprintf(docs[d] + len, "new%d ", d);
            memcpy(docs[d] + len, word, strlen(word));
            len += strlen(word);
            docs[d][len++] = ' ';
        }
        docs[d][len] = 0;
    }
    const char *const *cdocs = (const char *const *)docs;
    kw_index *whole = build(cdocs, N_DOCS);
    CHECK(whole && kw_index_n_tokens(whole) > 5 * 65536);
    int ok = 1;
    for (size_t n_parts = 2; whole && n_parts <= 5; n_parts++) {
        kw_runner runner = {run_backwards, NULL, n_parts};
        kw_builder *runs[3];
        /* The second run is cut into n_parts when appended. */
        size_t cuts[4] = {0, 2, 2 + 4 * n_parts, N_DOCS}, bad, expected = 0;
        for (int r = 0; r < 3; r++) {
            ok &= kw_builder_new(&kw_alloc_libc, &runs[r]) == KW_OK;
            for (size_t d = cuts[r]; d < cuts[r + 1]; d++)
                ok &= kw_builder_add(runs[r], docs[d], strlen(docs[d]), &bad) == KW_OK;
            /* Parts through the runner; one part runs inline. */
            size_t most = runs[r]->n_tokens / 65536, parts = most < n_parts ? most : n_parts;
            expected += r == 0 || parts < 2 ? 0 : parts;
        }
        ok &= expected >= n_parts;
        parts_run = 0;
        ok &= kw_builder_append_with(runs[0], runs[1], &runner) == KW_OK;
        ok &= kw_builder_append_with(runs[0], runs[2], &runner) == KW_OK;
        ok &= parts_run == 2 * expected; /* the text, then the tokens */
        kw_index *ix = NULL;
        parts_run = 0;
        ok &= kw_builder_finish_with(runs[0], &runner, &ix) == KW_OK;
        ok &= parts_run == 2 * n_parts; /* counting, then placing */
        ok &= ix && same_index(whole, ix);
        kw_index_free(ix);
    }
    CHECK(ok);
    /* Postings written in order first (as for a large corpus) are the same. */
    size_t touch_from = kw_touch_postings_bytes;
    kw_touch_postings_bytes = 0;
    for (size_t n_parts = 1; whole && n_parts <= 3; n_parts++) {
        kw_runner runner = {run_backwards, NULL, n_parts};
        kw_index *touched = NULL;
        kw_builder *b1;
        size_t bad1;
        ok &= kw_builder_new(&kw_alloc_libc, &b1) == KW_OK;
        for (int d = 0; d < N_DOCS; d++)
            ok &= kw_builder_add(b1, docs[d], strlen(docs[d]), &bad1) == KW_OK;
        parts_run = 0;
        ok &= kw_builder_finish_with(b1, &runner, &touched) == KW_OK;
        ok &= parts_run == (n_parts > 1 ? 3 * n_parts : 0); /* count, touch, place */
        ok &= touched && same_index(whole, touched);
        kw_index_free(touched);
    }
    kw_touch_postings_bytes = touch_from;
    CHECK(ok);
    /* A runner of one part, or none, is the plain call. */
    kw_builder *b;
    size_t bad;
    kw_index *ix = NULL;
    kw_runner one = {run_backwards, NULL, 1};
    CHECK(kw_builder_new(&kw_alloc_libc, &b) == KW_OK);
    for (int d = 0; d < N_DOCS; d++)
        CHECK(kw_builder_add(b, docs[d], strlen(docs[d]), &bad) == KW_OK);
    parts_run = 0;
    CHECK(kw_builder_finish_with(b, &one, &ix) == KW_OK && parts_run == 0);
    CHECK(ix && whole && same_index(whole, ix));
    kw_index_free(ix);
    kw_index_free(whole);
    for (int d = 0; d < N_DOCS; d++)
        free(docs[d]);
    free(docs);
}

/* A kw_cancel that says stop from its (stop_at + 1)-th question on. */
typedef struct countdown {
    int asked, stop_at;
} countdown;

static int stop_after(void *ctx)
{
    countdown *c = ctx;
    return ++c->asked > c->stop_at;
}

/* Documents of "x" between words of many forms: x has a hit every other
 * token, so every long operation asks its cancel several times. */
enum { CANCEL_DOCS = 3, CANCEL_PAIRS = 50000 };

static char **cancel_docs(void)
{
    char **docs = malloc(CANCEL_DOCS * sizeof *docs);
    unsigned seed = 11;
    for (int d = 0; d < CANCEL_DOCS; d++) {
        docs[d] = malloc(CANCEL_PAIRS * 12 + 1);
        size_t len = 0;
        for (int w = 0; w < CANCEL_PAIRS; w++) {
            seed = seed * 1103515245u + 12345u;
            len += (size_t)sprintf(docs[d] + len, "x w%u ", (seed >> 8) % 100000);
        }
        docs[d][len] = 0;
    }
    return docs;
}

/* A builder of docs[from .. to), or NULL if a call was stopped. */
static kw_builder *cancel_run(char **docs, int from, int to, const kw_cancel *cancel, int *stopped)
{
    kw_builder *b;
    size_t bad;
    if (kw_builder_new(&kw_alloc_libc, &b) != KW_OK)
        return NULL;
    kw_builder_set_cancel(b, cancel);
    for (int d = from; d < to; d++) {
        size_t before = kw_builder_n_docs(b);
        if (kw_builder_add(b, docs[d], strlen(docs[d]), &bad) == KW_EINTR) {
            /* Left as it was: the same add, unstopped, goes through. */
            kw_builder_set_cancel(b, NULL);
            *stopped |= kw_builder_n_docs(b) != before
                        || kw_builder_add(b, docs[d], strlen(docs[d]), &bad) != KW_OK;
            kw_builder_free(b);
            *stopped |= 2;
            return NULL;
        }
    }
    return b;
}

static void test_cancel(void)
{
    char **docs = cancel_docs();
    kw_index *whole = build((const char *const *)docs, CANCEL_DOCS);
    CHECK(whole != NULL);
    /* Building: stopped at each question in turn, from the first, until a
     * build is not stopped; each stopped call returns KW_EINTR, leaves its
     * builder as it was (1: it did not) and leaks nothing (valgrind, ASan). */
    int seen = 0, ok = 1;
    for (int stop_at = 0; whole; stop_at++) {
        countdown c = {0, stop_at};
        kw_cancel cancel = {stop_after, &c};
        kw_runner runner = {run_backwards, NULL, 2};
        int stopped = 0;
        kw_builder *first = cancel_run(docs, 0, 1, &cancel, &stopped);
        kw_builder *rest = first ? cancel_run(docs, 1, CANCEL_DOCS, &cancel, &stopped) : NULL;
        ok &= !(stopped & 1);
        if (!rest) {
            kw_builder_free(first);
            seen |= 1;
            continue;
        }
        size_t docs_before = kw_builder_n_docs(first);
        if (kw_builder_append_with(first, rest, &runner) == KW_EINTR) {
            /* rest is freed; first is as it was. */
            ok &= kw_builder_n_docs(first) == docs_before;
            kw_builder_free(first);
            seen |= 2;
            continue;
        }
        kw_index *ix = NULL;
        if (kw_builder_finish_with(first, &runner, &ix) == KW_EINTR) {
            kw_builder_set_cancel(first, NULL);
            ok &= kw_builder_finish_with(first, &runner, &ix) == KW_OK && same_index(whole, ix);
            kw_index_free(ix);
            seen |= 4;
            continue;
        }
        ok &= ix && same_index(whole, ix);
        kw_index_free(ix);
        break;
    }
    CHECK(ok && seen == 7);

    /* Sorting, collocates, lines and merging, the same way: the result once
     * not stopped is the one made with no cancel. */
    kw_hits *h = NULL, *merged = NULL, *sorted = NULL, *got;
    size_t bad;
    CHECK(whole && kw_index_find(whole, "x", 1, 0, &h, &bad) == KW_OK
          && kw_hits_count(h) == CANCEL_DOCS * CANCEL_PAIRS);
    kw_hits *parts[2] = {h, h};
    const kw_sort_key keys[2] = {{KW_SORT_RIGHT, 1, 0}, {KW_SORT_LEFT, 2, 0}};
    CHECK(h && kw_hits_merge(&kw_alloc_libc, parts, 2, NULL, &merged) == KW_OK);
    CHECK(h && kw_hits_sort(whole, h, keys, 2, NULL, &sorted) == KW_OK);
    int stops[4] = {0};
    for (int stop_at = 0; h && stop_at < 64; stop_at++) {
        countdown c = {0, stop_at};
        kw_cancel cancel = {stop_after, &c};
        kw_status st = kw_hits_sort(whole, h, keys, 2, &cancel, &got);
        if (st == KW_OK) {
            for (size_t i = 0; i < kw_hits_count(h); i++)
                ok &= kw_hits_position(got, i) == kw_hits_position(sorted, i);
            kw_hits_free(got);
        }
        stops[0] += st == KW_EINTR;
        c.asked = 0;
        st = kw_hits_merge(&kw_alloc_libc, parts, 2, &cancel, &got);
        if (st == KW_OK) {
            ok &= kw_hits_count(got) == kw_hits_count(merged);
            kw_hits_free(got);
        }
        stops[1] += st == KW_EINTR;
        c.asked = 0;
        kw_table *t;
        st = kw_hits_collocates(whole, h, 3, 3, 0, &cancel, &t);
        if (st == KW_OK)
            kw_table_free(t);
        stops[2] += st == KW_EINTR;
        c.asked = 0;
        const size_t n = kw_hits_count(h);
        uint64_t *doc = malloc(n * sizeof *doc);
        int64_t *numbers = malloc(4 * n * sizeof *numbers), *offsets = malloc(3 * (n + 1) * 8);
        uint32_t *query = malloc(n * sizeof *query);
        kw_line_columns cols = {doc,
                                numbers,
                                numbers + n,
                                numbers + 2 * n,
                                numbers + 3 * n,
                                query,
                                {offsets, NULL, 0},
                                {offsets + n + 1, NULL, 0},
                                {offsets + 2 * (n + 1), NULL, 0}};
        const kw_context ctx = {4, 4, 0, KW_BOUND_NONE};
        st = kw_line_columns_fill(whole, h, &ctx, &kw_alloc_libc, &cancel, &cols);
        stops[3] += st == KW_EINTR;
        free(cols.left.data);
        free(cols.match.data);
        free(cols.right.data);
        free(doc);
        free(numbers);
        free(offsets);
        free(query);
    }
    /* Each asked at least twice before it finished, and stopped then. */
    CHECK(ok && stops[0] >= 2 && stops[1] >= 2 && stops[2] >= 2 && stops[3] >= 2);
    kw_hits_free(sorted);
    kw_hits_free(merged);
    kw_hits_free(h);
    kw_index_free(whole);
    for (int d = 0; d < CANCEL_DOCS; d++)
        free(docs[d]);
    free(docs);
}

/* Counted by the core in this build only (-DKW_COUNT_STEPS, kw_steps.h). */
uint64_t kw_steps;

static void test_bounded_work(void)
{
    /* One word, 20,000 "=" and a word: every "=" is a hit whose window
     * finds no word, so scanning each side to the edge would cost
     * 20,000^2 / 2 = 2e8 steps; KW_MAX_SKIP keeps each side to at most its
     * words + KW_MAX_SKIP + 1 tokens looked at. */
    enum { N = 20000, PARTS = 1000 };
    char *doc = malloc(2 * N + 8);
    size_t len = (size_t)sprintf(doc, "a ");
    for (int k = 0; k < N; k++) {
        doc[len++] = '=';
        doc[len++] = ' ';
    }
    memcpy(doc + len, "b", 2);
    const char *docs[1] = {doc};
    kw_index *ix = build(docs, 1);
    kw_hits *h = NULL;
    size_t bad;
    CHECK(ix && kw_index_find(ix, "=", 1, 0, &h, &bad) == KW_OK && kw_hits_count(h) == N);
    const uint64_t side = 5 + KW_MAX_SKIP + 1;
    const kw_context ctx = {5, 5, 0, KW_BOUND_NONE};
    kw_line ln;
    kw_steps = 0;
    for (size_t i = 0; h && i < N; i++)
        kw_line_at(ix, h, i, &ctx, NULL, &ln);
    CHECK(kw_steps <= N * 2 * side);
    /* In the middle, each side ends after KW_MAX_SKIP "=" (two bytes each);
     * near the start, the left side reaches the word "a". */
    kw_line_at(ix, h, N / 2, &ctx, NULL, &ln);
    CHECK(ln.left_end - ln.left_begin == 2 * KW_MAX_SKIP);
    CHECK(ln.right_end - ln.right_begin == 2 * KW_MAX_SKIP);
    kw_line_at(ix, h, 3, &ctx, NULL, &ln);
    CHECK(ln.left_begin == 0);

    const kw_sort_key keys[2] = {{KW_SORT_LEFT, 1, 0}, {KW_SORT_RIGHT, 1, 0}};
    kw_hits *sorted = NULL;
    kw_steps = 0;
    CHECK(kw_hits_sort(ix, h, keys, 2, NULL, &sorted) == KW_OK);
    CHECK(kw_steps <= N * 2 * side);
    kw_hits_free(sorted);

    kw_table *t = NULL;
    kw_steps = 0;
    CHECK(kw_hits_collocates(ix, h, 5, 5, 0, NULL, &t) == KW_OK);
    CHECK(kw_steps <= N * 2 * side);
    /* "a" is in the windows of the first KW_MAX_SKIP + 1 hits, "b" of the last. */
    CHECK(t && t->n == 2 && t->total == 2);
    kw_table_free(t);

    /* Merging PARTS lists: a heap costs at most 2 comparisons a level, for
     * each hit and once to start; a look over every part for every hit
     * would cost N * PARTS = 2e7. */
    kw_hits *parts[PARTS] = {NULL}, *merged = NULL;
    uint32_t *order = malloc(N * sizeof *order);
    int ok = 1;
    for (size_t p = 0; p < PARTS; p++) {
        size_t n = 0;
        for (size_t i = p; i < N; i += PARTS)
            order[n++] = (uint32_t)i;
        ok &= kw_hits_select(h, order, n, &parts[p]) == KW_OK;
    }
    CHECK(ok);
    const uint64_t levels = 10; /* 2^10 >= PARTS */
    kw_steps = 0;
    CHECK(kw_hits_merge(&kw_alloc_libc, parts, PARTS, NULL, &merged) == KW_OK);
    CHECK(kw_steps <= (N + PARTS) * 2 * levels);
    for (size_t k = 0; merged && k < N; k++)
        ok &= kw_hits_position(merged, k) == kw_hits_position(h, k)
              && kw_hits_query(merged, k) == k % PARTS;
    CHECK(ok);
    kw_hits_free(merged);
    for (size_t p = 0; p < PARTS; p++)
        kw_hits_free(parts[p]);
    free(order);
    kw_hits_free(h);
    kw_index_free(ix);
    free(doc);
}

static void test_merge_and_select(void)
{
    const char *docs[] = {"a b. a c", "c a b"};
    kw_index *ix = build(docs, 2);
    CHECK(ix != NULL);
    if (!ix)
        return;
    kw_hits *parts[2], *merged, *picked;
    size_t bad;
    CHECK(kw_index_find(ix, "a", 1, 0, &parts[0], &bad) == KW_OK);
    CHECK(kw_index_find(ix, "c a", 3, 0, &parts[1], &bad) == KW_OK);
    CHECK(kw_hits_merge(&kw_alloc_libc, parts, 2, NULL, &merged) == KW_OK);
    /* Token positions: a0 b1 .2 a3 c4 | c5 a6 b7. */
    static const uint32_t pos[] = {0, 3, 5, 6}, len[] = {1, 1, 2, 1}, query[] = {0, 0, 1, 0};
    CHECK(kw_hits_count(merged) == 4);
    int ok = 1;
    for (size_t i = 0; i < 4 && kw_hits_count(merged) == 4; i++)
        ok &= kw_hits_position(merged, i) == pos[i] && kw_hits_length(merged, i) == len[i]
              && kw_hits_query(merged, i) == query[i];
    CHECK(ok);
    /* A line of a two-token hit spans both tokens. */
    kw_line ln;
    kw_line_at(ix, merged, 2, &(kw_context){0, 0, 0, KW_BOUND_NONE}, NULL, &ln);
    CHECK(ln.doc == 1 && ln.tok_start == 0 && ln.tok_end == 2 && ln.char_end == 3);

    static const uint32_t order[] = {2, 0};
    CHECK(kw_hits_select(merged, order, 2, &picked) == KW_OK);
    CHECK(kw_hits_count(picked) == 2 && kw_hits_position(picked, 0) == 5
          && kw_hits_length(picked, 0) == 2 && kw_hits_query(picked, 0) == 1
          && kw_hits_position(picked, 1) == 0 && kw_hits_query(picked, 1) == 0);
    kw_hits_free(picked);
    kw_hits_free(merged);
    kw_hits_free(parts[0]);
    kw_hits_free(parts[1]);
    kw_index_free(ix);
}

/* The type id of an exact form, or UINT32_MAX. */
static uint32_t type_id(const kw_index *ix, const char *form)
{
    for (uint32_t t = 0; t < kw_index_n_types(ix); t++) {
        size_t len;
        const char *f = kw_index_type_form(ix, t, &len);
        if (len == strlen(form) && memcmp(f, form, len) == 0)
            return t;
    }
    return UINT32_MAX;
}

static size_t match_count(const kw_index *ix, const kw_slot *slots, size_t n, int exact)
{
    kw_hits *h;
    if (kw_index_match(ix, slots, n, exact, &h) != KW_OK)
        return (size_t)-1;
    size_t count_ = kw_hits_count(h);
    kw_hits_free(h);
    return count_;
}

static void test_slots(void)
{
    const char *docs[] = {"The peace, the Peaceful war. THE end", "war peace the"};
    kw_index *ix = build(docs, 2);
    CHECK(ix != NULL);
    if (!ix)
        return;
    uint32_t the = type_id(ix, "the"), The = type_id(ix, "The"), THE = type_id(ix, "THE");
    uint32_t peace = type_id(ix, "peace"), peaceful = type_id(ix, "Peaceful");
    CHECK(the != UINT32_MAX && The != UINT32_MAX && THE != UINT32_MAX);
    CHECK(kw_index_group_of(ix, the) == kw_index_group_of(ix, THE));
    CHECK(kw_index_type_is_word(ix, the) && !kw_index_type_is_word(ix, type_id(ix, ",")));
    size_t len;
    const char *gform = kw_index_group_form(ix, kw_index_group_of(ix, peaceful), &len);
    CHECK(len == 8 && memcmp(gform, "peaceful", 8) == 0);

    uint32_t two_types[] = {The, peace, The};
    kw_slot types = {KW_SLOT_TYPES, NULL, 0, two_types, 3};
    CHECK(match_count(ix, &types, 1, 0) == 3); /* The, peace (twice) */
    uint32_t groups_ids[] = {kw_index_group_of(ix, the), kw_index_group_of(ix, peaceful)};
    kw_slot groups = {KW_SLOT_GROUPS, NULL, 0, groups_ids, 2};
    CHECK(match_count(ix, &groups, 1, 0) == 5); /* The the Peaceful THE the */
    kw_slot any = {KW_SLOT_ANY_WORD, NULL, 0, NULL, 0};
    CHECK(match_count(ix, &any, 1, 0) == 10);
    kw_slot the_form = {KW_SLOT_FORM, "the", 3, NULL, 0};
    kw_slot phrase[] = {the_form, any};
    CHECK(match_count(ix, phrase, 2, 0) == 3); /* The peace, the Peaceful, THE end */
    CHECK(match_count(ix, phrase, 2, 1) == 1); /* the Peaceful */
    kw_slot any_the[] = {any, the_form};
    CHECK(match_count(ix, any_the, 2, 0) == 1); /* peace the; not "war. THE" */
    kw_slot any_any[] = {any, any};
    CHECK(match_count(ix, any_any, 2, 0) == 6);
    kw_slot set_then_set[] = {groups, types};
    CHECK(match_count(ix, set_then_set, 2, 0) == 1); /* The peace */

    kw_slot empty = {KW_SLOT_TYPES, NULL, 0, two_types, 0};
    kw_slot with_empty[] = {the_form, empty};
    CHECK(match_count(ix, with_empty, 2, 0) == 0);
    uint32_t too_big[] = {(uint32_t)kw_index_n_types(ix)};
    kw_slot bad_ids = {KW_SLOT_TYPES, NULL, 0, too_big, 1};
    kw_hits *h;
    CHECK(kw_index_match(ix, &bad_ids, 1, 0, &h) == KW_EINVAL);
    too_big[0] = (uint32_t)kw_index_n_groups(ix);
    bad_ids.kind = KW_SLOT_GROUPS;
    CHECK(kw_index_match(ix, &bad_ids, 1, 0, &h) == KW_EINVAL);
    CHECK(kw_index_match(ix, &any, 0, 0, &h) == KW_EEMPTY);
    kw_index_free(ix);
}

/* ---- sorting ---- */

/* 1 if sorting h by keys gives hits at exactly these positions. */
static int sorts_to(const kw_index *ix, const kw_hits *h, const kw_sort_key *keys, size_t n_keys,
                    const uint32_t *expected, size_t n)
{
    kw_hits *sorted;
    if (kw_hits_sort(ix, h, keys, n_keys, NULL, &sorted) != KW_OK)
        return 0;
    int ok = kw_hits_count(sorted) == n;
    for (size_t i = 0; ok && i < n; i++)
        ok = kw_hits_position(sorted, i) == expected[i];
    if (!ok) {
        printf("  sorted:");
        for (size_t i = 0; i < kw_hits_count(sorted); i++)
            printf(" %u", (unsigned)kw_hits_position(sorted, i));
        printf("\n");
    }
    kw_hits_free(sorted);
    return ok;
}

#define N_OF(array) (sizeof(array) / sizeof *(array))
#define SORTS_TO(h, keys, expected) \
    sorts_to(ix, (h), (keys), N_OF(keys), (expected), N_OF(expected))

static void test_sort(void)
{
    /* Token positions of "x": 0 3 5 7 9 11 | 13 | 15 | 17. */
    const char *docs[] = {
        ("x, Beta x alpha x \xc3\x89"
         "clair x ab x a x"), /* x , Beta x alpha x Éclair x ab x a x */
        "zeta x",
        "aaa x zulu",
        "x BETA",
    };
    kw_index *ix = build(docs, 4);
    CHECK(ix != NULL);
    if (!ix)
        return;
    kw_hits *h, *reversed, *parts[4], *merged;
    size_t bad;
    CHECK(kw_index_find(ix, "x", 1, 0, &h, &bad) == KW_OK && kw_hits_count(h) == 9);

    /* R1: a missing word (document end) first, then a < ab < alpha < beta
     * (any case) < zulu < éclair, by the bytes of the folded forms; the two
     * betas keep their order. Hit 11 does not see "zeta" of the next
     * document. */
    static const kw_sort_key r1[] = {{KW_SORT_RIGHT, 1, 0}};
    static const uint32_t by_r1[] = {11, 13, 9, 7, 3, 0, 17, 15, 5};
    CHECK(SORTS_TO(h, r1, by_r1));
    /* L1 skips the comma; hits 0 and 17 start their documents. */
    static const kw_sort_key l1[] = {{KW_SORT_LEFT, 1, 0}};
    static const uint32_t by_l1[] = {0, 17, 11, 15, 9, 5, 3, 13, 7};
    CHECK(SORTS_TO(h, l1, by_l1));
    /* L2 missing for 0, 13, 15, 17 (not across the edge), "x" for the
     * rest; R1 breaks the ties. */
    static const kw_sort_key l2_r1[] = {{KW_SORT_LEFT, 2, 0}, {KW_SORT_RIGHT, 1, 0}};
    static const uint32_t by_l2_r1[] = {13, 0, 17, 15, 11, 9, 7, 3, 5};
    CHECK(SORTS_TO(h, l2_r1, by_l2_r1));
    /* R2 breaks the tie of the betas: missing after hit 17's BETA. */
    static const kw_sort_key r1_r2[] = {{KW_SORT_RIGHT, 1, 0}, {KW_SORT_RIGHT, 2, 0}};
    static const uint32_t by_r1_r2[] = {11, 13, 9, 7, 3, 17, 0, 15, 5};
    CHECK(SORTS_TO(h, r1_r2, by_r1_r2));
    /* L5 counts words far past any window: 7 beta, 9 alpha, 11 éclair. */
    static const kw_sort_key l5[] = {{KW_SORT_LEFT, 5, 0}};
    static const uint32_t by_l5[] = {0, 3, 5, 13, 15, 17, 9, 7, 11};
    CHECK(SORTS_TO(h, l5, by_l5));
    static const kw_sort_key none[] = {{KW_SORT_DOC, 0, 0}};
    static const uint32_t in_order[] = {0, 3, 5, 7, 9, 11, 13, 15, 17};
    CHECK(sorts_to(ix, h, none, 0, in_order, 9));

    /* Sorting is stable relative to the order the hits are in. */
    static const uint32_t backwards[] = {8, 7, 6, 5, 4, 3, 2, 1, 0};
    CHECK(kw_hits_select(h, backwards, 9, &reversed) == KW_OK);
    static const uint32_t reversed_by_r1[] = {13, 11, 9, 7, 3, 17, 0, 15, 5};
    CHECK(SORTS_TO(reversed, r1, reversed_by_r1));
    static const kw_sort_key doc[] = {{KW_SORT_DOC, 0, 0}};
    static const uint32_t reversed_by_doc[] = {11, 9, 7, 5, 3, 0, 13, 15, 17};
    CHECK(SORTS_TO(reversed, doc, reversed_by_doc));
    static const kw_sort_key position[] = {{KW_SORT_POSITION, 0, 0}};
    CHECK(SORTS_TO(reversed, position, in_order));

    /* The match, token by token: "a" < "ab x" < "x" < "x ,"; a hit's
     * length and query travel with it. */
    CHECK(kw_index_find(ix, "x,", 2, 0, &parts[0], &bad) == KW_OK);
    CHECK(kw_index_find(ix, "x", 1, 0, &parts[1], &bad) == KW_OK);
    CHECK(kw_index_find(ix, "ab x", 4, 0, &parts[2], &bad) == KW_OK);
    CHECK(kw_index_find(ix, "A", 1, 0, &parts[3], &bad) == KW_OK);
    CHECK(kw_hits_merge(&kw_alloc_libc, parts, 4, NULL, &merged) == KW_OK);
    static const kw_sort_key match[] = {{KW_SORT_MATCH, 0, 0}};
    static const uint32_t by_match[] = {10, 8, 0, 3, 5, 7, 9, 11, 13, 15, 17, 0};
    CHECK(SORTS_TO(merged, match, by_match));
    kw_hits *sorted;
    CHECK(kw_hits_sort(ix, merged, match, 1, NULL, &sorted) == KW_OK);
    CHECK(kw_hits_length(sorted, 1) == 2 && kw_hits_query(sorted, 1) == 2);
    CHECK(kw_hits_length(sorted, 2) == 1 && kw_hits_query(sorted, 2) == 1);
    CHECK(kw_hits_length(sorted, 11) == 2 && kw_hits_query(sorted, 11) == 0);
    kw_hits_free(sorted);
    /* R1 of a two-token hit starts after its last token: "ab x" has R1 "a"
     * and "x ," has R1 "beta"; the match breaks the ties. */
    static const kw_sort_key r1_match[] = {{KW_SORT_RIGHT, 1, 0}, {KW_SORT_MATCH, 0, 0}};
    static const uint32_t by_r1_match[] = {11, 13, 8, 9, 7, 3, 0, 17, 0, 10, 15, 5};
    CHECK(SORTS_TO(merged, r1_match, by_r1_match));
    CHECK(kw_hits_sort(ix, merged, r1_match, 2, NULL, &sorted) == KW_OK);
    CHECK(kw_hits_length(sorted, 6) == 1 && kw_hits_length(sorted, 8) == 2);
    kw_hits_free(sorted);

    static const kw_sort_key bad_word[] = {{KW_SORT_LEFT, 0, 0}};
    static const kw_sort_key bad_by[] = {{(kw_sort_by)99, 1, 0}};
    CHECK(kw_hits_sort(ix, h, bad_word, 1, NULL, &sorted) == KW_EINVAL);
    CHECK(kw_hits_sort(ix, h, bad_by, 1, NULL, &sorted) == KW_EINVAL);

    kw_hits_free(merged);
    for (int p = 0; p < 4; p++)
        kw_hits_free(parts[p]);
    kw_hits_free(reversed);
    kw_hits_free(h);
    kw_index_free(ix);
}

/* Byte order of the folded forms of two words: <0, 0 or >0. */
static int folded_cmp(const char *x, const char *y)
{
    char fx[256], fy[256];
    size_t nx = kw_fold_utf8(x, strlen(x), fx), ny = kw_fold_utf8(y, strlen(y), fy);
    int c = memcmp(fx, fy, nx < ny ? nx : ny);
    return c ? c : (nx > ny) - (nx < ny);
}

/* 1 if `sorted` is `in` sorted by R1 in a text "k w0 k w1 ... k w(n-1) k":
 * the same hits, the last "k" (no R1) first, then words by folded_cmp, and
 * hits with equal words in the order of `in`. */
static int sorted_by_r1(const kw_hits *in, const kw_hits *sorted, char (*words)[32], size_t n)
{
    size_t m = kw_hits_count(in);
    if (kw_hits_count(sorted) != m)
        return 0;
    /* rank_in[p / 2]: where the hit at position p stands in `in`, plus 1. */
    size_t *rank_in = calloc(n + 1, sizeof *rank_in);
    if (!rank_in)
        return 0;
    for (size_t i = 0; i < m; i++)
        rank_in[kw_hits_position(in, i) / 2] = i + 1;
    int ok = 1;
    for (size_t i = 0; ok && i < m; i++) {
        size_t b = kw_hits_position(sorted, i) / 2;
        ok = rank_in[b] != 0 && kw_hits_position(sorted, i) % 2 == 0;
        if (ok && i == 0)
            continue;
        size_t a = kw_hits_position(sorted, i - 1) / 2;
        if (!ok || b == n) {
            ok = 0; /* the hit without R1 must come first */
            break;
        }
        int c = a == n ? -1 : folded_cmp(words[a], words[b]);
        ok = c < 0 || (c == 0 && rank_in[a] < rank_in[b]);
    }
    free(rank_in);
    return ok;
}

/* Many forms, some sharing long prefixes and differing in case, so ranks
 * go through several merge passes and ties of the 8-byte prefixes; sorting
 * a few hits takes several radix digits. */
static void test_sort_many_words(void)
{
    static const char *pieces[] = {"a",        "b", "A", "B",       "\xc3\xa9",
                                   "\xc3\x89", "z", "s", "\xc3\x9f"};
    enum { N_WORDS = 3000 };
    static char words[N_WORDS][32];
    static char text[N_WORDS * 34 + 2];
    size_t len = 0;
    unsigned seed = 4242;
    for (size_t w = 0; w < N_WORDS; w++) {
        seed = seed * 1103515245u + 12345u;
        size_t n_pieces = 1 + (seed >> 16) % 12, wlen = 0;
        for (size_t k = 0; k < n_pieces; k++) {
            seed = seed * 1103515245u + 12345u;
            /* Mostly "a" and "A", so many words share long prefixes. */
            size_t piece = (seed >> 16) % 16;
            const char *p = pieces[piece < N_OF(pieces) ? piece : piece % 3 == 0 ? 2 : 0];
            memcpy(words[w] + wlen, p, strlen(p));
            wlen += strlen(p);
        }
        words[w][wlen] = 0;
        memcpy(text + len, "k ", 2);
        memcpy(text + len + 2, words[w], wlen);
        len += 2 + wlen;
        text[len++] = ' ';
    }
    text[len++] = 'k';
    text[len] = 0;
    const char *docs[] = {text};
    kw_index *ix = build(docs, 1);
    CHECK(ix != NULL);
    if (!ix)
        return;
    CHECK(kw_index_n_groups(ix) > 1000);
    kw_hits *h, *sorted, *some, *some_sorted;
    size_t bad;
    CHECK(kw_index_find(ix, "k", 1, 0, &h, &bad) == KW_OK && kw_hits_count(h) == N_WORDS + 1);
    static const kw_sort_key r1[] = {{KW_SORT_RIGHT, 1, 0}};
    CHECK(kw_hits_sort(ix, h, r1, 1, NULL, &sorted) == KW_OK);
    CHECK(sorted_by_r1(h, sorted, words, N_WORDS));
    /* Every 7th hit, backwards: few hits, so several narrow digits. */
    uint32_t order[N_WORDS / 7 + 1];
    size_t n_some = 0;
    for (size_t i = N_WORDS + 1; i-- > 0;)
        if (i % 7 == 0)
            order[n_some++] = (uint32_t)i;
    CHECK(kw_hits_select(h, order, n_some, &some) == KW_OK);
    CHECK(kw_hits_sort(ix, some, r1, 1, NULL, &some_sorted) == KW_OK);
    CHECK(sorted_by_r1(some, some_sorted, words, N_WORDS));
    kw_hits_free(some_sorted);
    kw_hits_free(some);
    kw_hits_free(sorted);
    kw_hits_free(h);
    kw_index_free(ix);
}

/* ---- limits ---- */

/* Offsets past 2^32 characters and positions past 2^31 tokens, without
 * allocating such a corpus: a small index whose checkpoint claims that its
 * document starts 2^32 + 5 characters earlier, and a document table at the
 * edges of uint32 positions. */
static void test_large_offsets(void)
{
    char doc[40 * 3 + 1];
    for (int i = 0; i < 40; i++)
        memcpy(doc + 3 * i, i == 35 ? "zz " : "ab ", 3);
    doc[120] = 0;
    const char *docs[] = {doc};
    kw_index *ix = build(docs, 1);
    CHECK(ix != NULL);
    if (!ix)
        return;
    const uint64_t far = ((uint64_t)1 << 32) + 5;
    CHECK(ix->doc_ck[1] - ix->doc_ck[0] == 1); /* the 32nd token has the only checkpoint */
    ix->checkpoints[0].chars += far;
    kw_hits *h;
    size_t bad;
    CHECK(kw_index_find(ix, "zz", 2, 0, &h, &bad) == KW_OK && kw_hits_count(h) == 1);
    kw_line ln;
    kw_context words = {2, 2, 0, KW_BOUND_NONE};
    kw_line_at(ix, h, 0, &words, NULL, &ln);
    CHECK(ln.char_start == far + 105 && ln.char_end == far + 107);
    CHECK(ln.match_begin == 105 && ln.left_begin == 99 && ln.right_end == 113);
    /* A width counts characters from the match, whatever their offsets
     * (two characters hold neither neighbour with its space). */
    kw_context width = {0, 0, 2, KW_BOUND_NONE};
    kw_line_at(ix, h, 0, &width, NULL, &ln);
    CHECK(ln.char_start == far + 105 && ln.left_begin == 105 && ln.right_end == 107);
    width.width = 3;
    kw_line_at(ix, h, 0, &width, NULL, &ln);
    CHECK(ln.char_start == far + 105 && ln.left_begin == 102 && ln.right_end == 110);
    kw_hits_free(h);

    /* Document of a position near 2^32 tokens: pure arithmetic on doc_tok. */
    uint32_t *real = ix->doc_tok;
    size_t real_docs = ix->n_docs;
    uint32_t edges[] = {0, (uint32_t)1 << 31, UINT32_MAX - 2, UINT32_MAX - 1};
    ix->doc_tok = edges;
    ix->n_docs = 3;
    CHECK(kw_index_doc_of(ix, 0) == 0);
    CHECK(kw_index_doc_of(ix, ((uint32_t)1 << 31) - 1) == 0);
    CHECK(kw_index_doc_of(ix, (uint32_t)1 << 31) == 1);
    CHECK(kw_index_doc_of(ix, UINT32_MAX - 3) == 1);
    CHECK(kw_index_doc_of(ix, UINT32_MAX - 2) == 2);
    ix->doc_tok = real;
    ix->n_docs = real_docs;
    CHECK(KW_MAX_TOKENS == (uint64_t)UINT32_MAX - 1);
    kw_index_free(ix);
}

/* ---- counts and statistics ---- */

/* The fold group of a case-folded form, or UINT32_MAX. */
static uint32_t group_id(const kw_index *ix, const char *form)
{
    for (uint32_t g = 0; g < kw_index_n_groups(ix); g++) {
        size_t len;
        const char *f = kw_index_group_form(ix, g, &len);
        if (len == strlen(form) && memcmp(f, form, len) == 0)
            return g;
    }
    return UINT32_MAX;
}

/* The row of t whose ids are the groups of the space-separated folded
 * forms in `words`, or SIZE_MAX. */
static size_t row_of(const kw_index *ix, const kw_table *t, const char *words)
{
    uint32_t key[KW_MAX_GRAM];
    char buf[128];
    uint32_t n = 0;
    strncpy(buf, words, sizeof buf - 1);
    buf[sizeof buf - 1] = 0;
    for (char *w = strtok(buf, " "); w && n < KW_MAX_GRAM; w = strtok(NULL, " "))
        key[n++] = group_id(ix, w);
    if (n != t->width)
        return SIZE_MAX;
    for (size_t k = 0; k < t->n; k++)
        if (memcmp(t->ids + k * t->width, key, n * sizeof *key) == 0)
            return k;
    return SIZE_MAX;
}

static int has_row(const kw_index *ix, const kw_table *t, const char *words, uint32_t count_,
                   uint32_t docs)
{
    size_t k = row_of(ix, t, words);
    return k != SIZE_MAX && t->counts[k] == count_ && (!t->docs || t->docs[k] == docs);
}

static kw_hits *find(const kw_index *ix, const char *query)
{
    kw_hits *h = NULL;
    size_t bad;
    if (kw_index_find(ix, query, strlen(query), 0, &h, &bad) != KW_OK)
        return NULL;
    return h;
}

static void test_stats(void)
{
    /* Tokens: The0 cat1 sat2 .3 The4 cat5 ran6 | cat7 sat8 ,9 the10 dog11 |
     * (empty) | the12 cat13 sat14 the15 cat16. */
    const char *docs[] = {"The cat sat. The cat ran", "cat sat, the dog", "",
                          "the cat sat the cat"};
    kw_index *ix = build(docs, 4);
    CHECK(ix != NULL);
    if (!ix)
        return;
    kw_table *t;

    /* Frequency lists: row k is id k. */
    CHECK(kw_index_freq(ix, 0, NULL, &t) == KW_OK);
    CHECK(t->n == kw_index_n_groups(ix) && t->width == 1 && t->total == 17);
    const uint32_t the = group_id(ix, "the"), cat = group_id(ix, "cat");
    CHECK(t->ids[the] == the && t->counts[the] == 5 && t->docs[the] == 3);
    CHECK(t->counts[cat] == 5 && t->docs[cat] == 3);
    CHECK(t->counts[group_id(ix, "ran")] == 1 && t->docs[group_id(ix, "ran")] == 1);
    CHECK(t->counts[group_id(ix, ",")] == 1);
    uint64_t sum = 0;
    for (size_t k = 0; k < t->n; k++)
        sum += t->counts[k];
    CHECK(sum == 17);
    kw_table_free(t);
    CHECK(kw_index_freq(ix, 1, NULL, &t) == KW_OK);
    CHECK(t->n == kw_index_n_types(ix));
    const uint32_t The = type_id(ix, "The"), the_ = type_id(ix, "the");
    CHECK(t->counts[The] == 2 && t->docs[The] == 1 && t->counts[the_] == 3 && t->docs[the_] == 2);
    kw_table_free(t);
    CHECK(kw_index_group_count(ix, cat) == 5 && kw_index_group_count(ix, the) == 5);
    /* Ranks in code-point order: , . cat dog ran sat the. */
    CHECK(kw_index_group_rank(ix, group_id(ix, ",")) == 0 && kw_index_group_rank(ix, cat) == 2
          && kw_index_group_rank(ix, the) == 6);
    CHECK(kw_index_doc_n_tokens(ix, 0) == 7 && kw_index_doc_n_tokens(ix, 2) == 0
          && kw_index_doc_n_tokens(ix, 3) == 5);

    /* N-grams never cross punctuation or documents. */
    CHECK(kw_index_ngrams(ix, 2, 1, NULL, &t) == KW_OK);
    CHECK(t->n == 5 && t->total == 10 && t->width == 2);
    CHECK(has_row(ix, t, "the cat", 4, 2) && has_row(ix, t, "cat sat", 3, 3)
          && has_row(ix, t, "cat ran", 1, 1) && has_row(ix, t, "the dog", 1, 1)
          && has_row(ix, t, "sat the", 1, 1));
    CHECK(row_of(ix, t, "sat the") != SIZE_MAX && row_of(ix, t, "ran cat") == SIZE_MAX);
    kw_table_free(t);
    CHECK(kw_index_ngrams(ix, 2, 2, NULL, &t) == KW_OK);
    CHECK(t->n == 2 && t->total == 10 && has_row(ix, t, "the cat", 4, 2)
          && has_row(ix, t, "cat sat", 3, 3));
    kw_table_free(t);
    CHECK(kw_index_ngrams(ix, 3, 1, NULL, &t) == KW_OK);
    CHECK(t->n == 4 && t->total == 5 && has_row(ix, t, "the cat sat", 2, 2)
          && has_row(ix, t, "sat the cat", 1, 1));
    kw_table_free(t);
    CHECK(kw_index_ngrams(ix, 1, 1, NULL, &t) == KW_OK);
    CHECK(t->total == 15 && has_row(ix, t, "cat", 5, 3) && row_of(ix, t, ".") == SIZE_MAX);
    kw_table_free(t);
    CHECK(kw_index_ngrams(ix, 6, 1, NULL, &t) == KW_OK);
    CHECK(t->n == 0 && t->total == 0 && t->docs != NULL && t->ids != NULL);
    kw_table_free(t);
    CHECK(kw_index_ngrams(ix, 0, 1, NULL, &t) == KW_EINVAL);
    CHECK(kw_index_ngrams(ix, KW_MAX_GRAM + 1, 1, NULL, &t) == KW_EINVAL);

    /* Clusters. */
    kw_hits *h = find(ix, "cat");
    CHECK(h && kw_hits_count(h) == 5);
    CHECK(kw_hits_clusters(ix, h, 2, 0, 1, &t) == KW_OK);
    CHECK(t->n == 2 && t->total == 4 && has_row(ix, t, "cat sat", 3, 3)
          && has_row(ix, t, "cat ran", 1, 1));
    kw_table_free(t);
    CHECK(kw_hits_clusters(ix, h, 2, 1, 1, &t) == KW_OK);
    CHECK(t->n == 1 && t->total == 4 && has_row(ix, t, "the cat", 4, 2));
    kw_table_free(t);
    CHECK(kw_hits_clusters(ix, h, 1, 0, 1, &t) == KW_OK);
    CHECK(t->n == 1 && has_row(ix, t, "cat", 5, 3));
    kw_table_free(t);
    CHECK(kw_hits_clusters(ix, h, 2, 0, 2, &t) == KW_OK);
    CHECK(t->n == 1 && t->total == 4 && has_row(ix, t, "cat sat", 3, 3));
    kw_table_free(t);
    CHECK(kw_hits_clusters(ix, h, 0, 0, 1, &t) == KW_EINVAL);

    /* Collocates: windows of words, overlaps counted once, another hit's
     * match inside a window counted. */
    CHECK(kw_hits_collocates(ix, h, 1, 1, 0, NULL, &t) == KW_OK);
    CHECK(t->total == 8 && t->docs == NULL && has_row(ix, t, "the", 4, 0)
          && has_row(ix, t, "sat", 3, 0) && has_row(ix, t, "ran", 1, 0) && t->n == 3);
    kw_table_free(t);
    uint64_t where[5];
    uint32_t starts[5];
    kw_hits_locate(ix, h, where, starts);
    CHECK(where[0] == 0 && where[1] == 0 && where[2] == 1 && where[3] == 3 && where[4] == 3);
    CHECK(starts[0] == 1 && starts[1] == 5 && starts[2] == 0 && starts[3] == 1 && starts[4] == 4);
    kw_hits_free(h);
    h = find(ix, "the");
    CHECK(kw_hits_collocates(ix, h, 3, 2, 0, NULL, &t) == KW_OK);
    CHECK(t->total == 12 && has_row(ix, t, "the", 2, 0) && has_row(ix, t, "cat", 5, 0)
          && has_row(ix, t, "sat", 3, 0) && has_row(ix, t, "dog", 1, 0));
    kw_table_free(t);
    CHECK(kw_hits_collocates(ix, h, 0, 0, 0, NULL, &t) == KW_OK);
    CHECK(t->n == 0 && t->total == 0);
    kw_table_free(t);
    kw_hits_free(h);
    /* Each window on its own: a token in two windows counts twice ("the"
     * at 4 of document 0 and at 3 of document 3, "sat" at 2 of both). */
    h = find(ix, "cat");
    CHECK(kw_hits_collocates(ix, h, 2, 2, 1, NULL, &t) == KW_OK);
    CHECK(t->total == 13 && t->n == 3 && has_row(ix, t, "the", 7, 0) && has_row(ix, t, "sat", 5, 0)
          && has_row(ix, t, "ran", 1, 0));
    kw_table_free(t);
    kw_hits_free(h);

    /* Hits from arrays: the same hits again; none empty, past the tokens
     * or across a document's end (token 6, "ran", ends document 0). */
    h = find(ix, "the");
    {
        const size_t n = kw_hits_count(h);
        uint32_t p[8], l[8], q[8];
        CHECK(n > 0 && n <= 8);
        for (size_t i = 0; i < n && i < 8; i++) {
            p[i] = kw_hits_position(h, i);
            l[i] = kw_hits_length(h, i);
            q[i] = kw_hits_query(h, i) + (uint32_t)i;
        }
        kw_hits *again;
        CHECK(kw_hits_from(ix, p, l, q, n, &again) == KW_OK && kw_hits_count(again) == n);
        for (size_t i = 0; i < n && i < 8; i++)
            CHECK(kw_hits_position(again, i) == p[i] && kw_hits_length(again, i) == l[i]
                  && kw_hits_query(again, i) == q[i]);
        kw_hits_free(again);
        CHECK(kw_hits_from(ix, p, l, q, 0, &again) == KW_OK && kw_hits_count(again) == 0);
        kw_hits_free(again);
        l[0] = 0;
        CHECK(kw_hits_from(ix, p, l, q, n, &again) == KW_EINVAL);
        p[0] = 6;
        l[0] = 2;
        CHECK(kw_hits_from(ix, p, l, q, n, &again) == KW_EINVAL);
        l[0] = 1;
        CHECK(kw_hits_from(ix, p, l, q, n, &again) == KW_OK);
        kw_hits_free(again);
        p[0] = (uint32_t)kw_index_n_tokens(ix);
        CHECK(kw_hits_from(ix, p, l, q, n, &again) == KW_EINVAL);
    }
    kw_hits_free(h);

    /* A document mask: documents 1, 2 (empty) and 3, as if alone. */
    const uint8_t mask[4] = {0, 1, 1, 1}, none[4] = {0, 0, 0, 0};
    CHECK(kw_index_freq(ix, 0, mask, &t) == KW_OK);
    CHECK(t->n == kw_index_n_groups(ix) && t->total == 10);
    CHECK(t->counts[the] == 3 && t->docs[the] == 2 && t->counts[cat] == 3 && t->docs[cat] == 2);
    CHECK(t->counts[group_id(ix, "ran")] == 0 && t->docs[group_id(ix, "ran")] == 0);
    CHECK(t->counts[group_id(ix, ".")] == 0 && t->counts[group_id(ix, ",")] == 1);
    kw_table_free(t);
    CHECK(kw_index_freq(ix, 1, none, &t) == KW_OK);
    CHECK(t->total == 0 && t->counts[The] == 0 && t->docs[the_] == 0);
    kw_table_free(t);
    CHECK(kw_index_ngrams(ix, 2, 1, mask, &t) == KW_OK);
    CHECK(t->n == 4 && t->total == 6 && has_row(ix, t, "the cat", 2, 1)
          && has_row(ix, t, "cat sat", 2, 2) && has_row(ix, t, "the dog", 1, 1)
          && has_row(ix, t, "sat the", 1, 1) && row_of(ix, t, "cat ran") == SIZE_MAX);
    kw_table_free(t);
    h = find(ix, "cat");
    kw_hits *in;
    CHECK(kw_hits_in_docs(ix, h, mask, &in) == KW_OK);
    CHECK(kw_hits_count(in) == 3 && kw_hits_position(in, 0) == 7 && kw_hits_position(in, 1) == 13
          && kw_hits_position(in, 2) == 16);
    kw_hits_free(in);
    CHECK(kw_hits_in_docs(ix, h, none, &in) == KW_OK);
    CHECK(kw_hits_count(in) == 0);
    kw_hits_free(in);
    kw_hits_free(h);

    /* Phrases: a cluster holds the whole match; a longer match gives none. */
    h = find(ix, "the cat");
    CHECK(h && kw_hits_count(h) == 4);
    CHECK(kw_hits_clusters(ix, h, 3, 0, 1, &t) == KW_OK);
    CHECK(t->total == 3 && has_row(ix, t, "the cat sat", 2, 2)
          && has_row(ix, t, "the cat ran", 1, 1));
    kw_table_free(t);
    CHECK(kw_hits_clusters(ix, h, 1, 0, 1, &t) == KW_OK);
    CHECK(t->n == 0 && t->total == 0);
    kw_table_free(t);
    kw_hits_free(h);
    h = find(ix, "sat");
    CHECK(kw_hits_clusters(ix, h, 2, 0, 1, &t) == KW_OK);
    CHECK(t->n == 1 && t->total == 1 && has_row(ix, t, "sat the", 1, 1));
    kw_table_free(t);
    kw_hits_free(h);
    kw_index_free(ix);
}

/* Many distinct n-grams: the hash table grows many times and keeps every
 * count. Words w0 .. w(n-1) in a cycle of `period`: each bigram is counted
 * once per lap. */
static void test_ngrams_grow(void)
{
    enum { WORDS = 3000, LAPS = 3 };
    size_t cap = (size_t)WORDS * LAPS * 8 + 1;
    char *text = malloc(cap);
    CHECK(text != NULL);
    if (!text)
        return;
    size_t len = 0;
    for (int lap = 0; lap < LAPS; lap++)
        for (int w = 0; w < WORDS; w++)
            len += (size_t)snprintf(text + len, cap - len, "w%d ", w);
    const char *docs[] = {text};
    kw_index *ix = build(docs, 1);
    free(text);
    CHECK(ix != NULL);
    if (!ix)
        return;
    kw_table *t;
    CHECK(kw_index_ngrams(ix, 2, 1, NULL, &t) == KW_OK);
    /* WORDS - 1 bigrams inside a lap, each LAPS times; the lap joint
     * "w2999 w0" LAPS - 1 times. */
    CHECK(t->n == WORDS && t->total == (uint64_t)WORDS * LAPS - 1);
    int ok = 1;
    for (size_t k = 0; k < t->n; k++)
        ok &= t->counts[k] == LAPS
              || (t->counts[k] == LAPS - 1 && has_row(ix, t, "w2999 w0", LAPS - 1, 1));
    CHECK(ok);
    CHECK(has_row(ix, t, "w17 w18", LAPS, 1));
    kw_table_free(t);
    kw_index_free(ix);
}

/* ---- saving and loading ---- */

/* The format's numbers, as kw_file.c documents them. */
enum {
    F_DOC_BYTE = 1,
    F_DOC_TOK,
    F_DOC_CK,
    F_CHECKPOINTS,
    F_TYPE_FORMS,
    F_TYPE_OFFSETS,
    F_TYPE_HASHES,
    F_TYPE_SLOTS,
    F_IS_WORD,
    F_GROUP_OF,
    F_GROUP_FORMS,
    F_GROUP_OFFSETS,
    F_GROUP_HASHES,
    F_GROUP_SLOTS,
    F_GROUP_RANK,
    F_POST_START,
    F_BLOB,
    F_TEXT,
    F_TOKS,
    F_POST,
    F_SECTIONS = F_POST,
    F_TABLE_END = 64 + 32 * F_SECTIONS
};

static uint64_t rd64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void wr64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static size_t section_at(const unsigned char *file, int id, size_t *len)
{
    const unsigned char *entry = file + 64 + 32 * (id - 1);
    *len = (size_t)rd64(entry + 16);
    return (size_t)rd64(entry + 8);
}

/* Recompute every checksum, as someone altering a file on purpose would. */
static void reseal(unsigned char *file)
{
    for (int id = 1; id <= F_SECTIONS; id++) {
        size_t len, off = section_at(file, id, &len);
        wr64(file + 64 + 32 * (id - 1) + 24, kw_checksum(file + off, len, (uint64_t)id));
    }
    unsigned char head[56 + F_TABLE_END - 64];
    memcpy(head, file, 56);
    memcpy(head + 56, file + 64, F_TABLE_END - 64);
    wr64(file + 56, kw_checksum(head, sizeof head, 0));
}

/* Two indexes answer alike: the same counts, texts and vocabulary, hits
 * and lines of single-form queries (folded and exact), of phrases and of
 * sorts: for every form, or some 200 spread over a big vocabulary. */
static int same_answers(const kw_index *a, const kw_index *b)
{
    if (kw_index_n_docs(a) != kw_index_n_docs(b) || kw_index_n_tokens(a) != kw_index_n_tokens(b)
        || kw_index_n_types(a) != kw_index_n_types(b)
        || kw_index_n_groups(a) != kw_index_n_groups(b))
        return 0;
    for (size_t d = 0; d < kw_index_n_docs(a); d++) {
        size_t na, nb;
        const char *ta = kw_index_doc_text(a, d, &na), *tb = kw_index_doc_text(b, d, &nb);
        if (na != nb || memcmp(ta, tb, na) != 0)
            return 0;
    }
    static const kw_context contexts[] = {
        {5, 2, 0, KW_BOUND_NONE},
        {3, 3, 0, KW_BOUND_SENTENCE},
        {0, 0, 40, KW_BOUND_PARAGRAPH},
    };
    static const kw_sort_key keys[] = {
        {KW_SORT_RIGHT, 1, 0}, {KW_SORT_LEFT, 2, 0}, {KW_SORT_MATCH, 0, 0}};
    const uint32_t step = 1 + (uint32_t)(kw_index_n_types(a) / 200);
    for (uint32_t t = 0; t < kw_index_n_types(a); t += step) {
        size_t len, len_b;
        const char *form = kw_index_type_form(a, t, &len);
        const char *form_b = kw_index_type_form(b, t, &len_b);
        if (len != len_b || memcmp(form, form_b, len) != 0
            || kw_index_group_of(a, t) != kw_index_group_of(b, t)
            || kw_index_type_is_word(a, t) != kw_index_type_is_word(b, t))
            return 0;
        for (int exact = 0; exact < 2; exact++) {
            /* The form alone, and the form followed by any word. */
            kw_slot slots[2] = {{KW_SLOT_FORM, form, len, NULL, 0},
                                {KW_SLOT_ANY_WORD, NULL, 0, NULL, 0}};
            for (size_t n_slots = 1; n_slots <= 2; n_slots++) {
                kw_hits *ha, *hb, *sa, *sb;
                if (kw_index_match(a, slots, n_slots, exact, &ha) != KW_OK)
                    return 0;
                if (kw_index_match(b, slots, n_slots, exact, &hb) != KW_OK) {
                    kw_hits_free(ha);
                    return 0;
                }
                int same = kw_hits_count(ha) == kw_hits_count(hb);
                for (size_t i = 0; same && i < kw_hits_count(ha); i++) {
                    same = kw_hits_position(ha, i) == kw_hits_position(hb, i);
                    for (size_t c = 0;
                         same && n_slots == 1 && c < sizeof contexts / sizeof *contexts; c++) {
                        kw_line la, lb;
                        kw_line_at(a, ha, i, &contexts[c], NULL, &la);
                        kw_line_at(b, hb, i, &contexts[c], NULL, &lb);
                        same = memcmp(&la, &lb, sizeof la) == 0;
                    }
                }
                if (same && kw_hits_sort(a, ha, keys, 3, NULL, &sa) == KW_OK) {
                    if (kw_hits_sort(b, hb, keys, 3, NULL, &sb) == KW_OK) {
                        for (size_t i = 0; same && i < kw_hits_count(sa); i++)
                            same = kw_hits_position(sa, i) == kw_hits_position(sb, i);
                        kw_hits_free(sb);
                    } else {
                        same = 0;
                    }
                    kw_hits_free(sa);
                } else {
                    same = 0;
                }
                kw_hits_free(ha);
                kw_hits_free(hb);
                if (!same)
                    return 0;
            }
        }
    }
    for (uint32_t g = 0; g < kw_index_n_groups(a); g++) {
        size_t len, len_b;
        const char *form = kw_index_group_form(a, g, &len);
        const char *form_b = kw_index_group_form(b, g, &len_b);
        if (len != len_b || memcmp(form, form_b, len) != 0)
            return 0;
    }
    return 1;
}

/* Documents for the saving tests: mixed scripts and case, an empty
 * document, and one long enough for checkpoints. */
static char long_doc[4000];

static kw_index *saved_corpus(void)
{
    if (!long_doc[0]) {
        size_t n = 0;
        for (int i = 0; n + 40 < sizeof long_doc; i++)
            n += (size_t)snprintf(long_doc + n, sizeof long_doc - n,
                                  "%s w%d, Stra\xc3\x9f"
                                  "e. ",
                                  i % 5 ? "the" : "The", i % 97);
    }
    const char *docs[] = {"Peace, peace and war; war!\n\nDie STRASSE", "",
                          "\xe5\x92\x8c\xe5\xb9\xb3 caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d",
                          long_doc};
    return build(docs, 4);
}

static void test_checksum(void)
{
    /* XXH64's published test values. */
    CHECK(kw_checksum("", 0, 0) == 0xEF46DB3751D8E999ull);
    CHECK(kw_checksum("abc", 3, 0) == 0x44BC2CF5AD770999ull);
    CHECK(kw_checksum("Nobody inspects the spammish repetition", 39, 0) == 0xFBCEA83C8A378BF1ull);
}

/* A corpus built in runs, appended and finished in parts, saves to the
 * same bytes as one built by one builder. */
static void test_saved_whatever_the_runs(void)
{
    static const char *words[] = {"one",          "Two",  "THREE", "two", ",", "\xc3\xa9t\xc3\xa9",
                                  "\xe5\x92\x8c", "four", "Four",  "."};
    enum { N_DOCS = 12, WORDS = 15000 };
    char *docs[N_DOCS];
    unsigned seed = 99;
    for (int d = 0; d < N_DOCS; d++) {
        docs[d] = malloc(WORDS * 12);
        size_t len = 0;
        for (int w = 0; w < WORDS; w++) {
            seed = seed * 1103515245u + 12345u;
            len += (size_t)sprintf(docs[d] + len, "%s%s", words[(seed >> 16) % 10],
                                   (seed >> 9) % 50 ? " " : "\n\n");
            if ((seed >> 4) % 211 == 0)
                len += (size_t)sprintf(docs[d] + len, "only%d ", d);
        }
    }
    kw_index *whole = build((const char *const *)docs, N_DOCS);
    size_t whole_len = 0, bad;
    unsigned char *expected = whole ? save(whole, "ids", &whole_len) : NULL;
    CHECK(expected && kw_index_n_tokens(whole) > 2 * 65536);
    int ok = 1;
    for (size_t n_parts = 1; expected && n_parts <= 4; n_parts++) {
        kw_runner runner = {run_backwards, NULL, n_parts};
        kw_builder *runs[4];
        for (size_t r = 0; r < n_parts; r++) {
            ok &= kw_builder_new(&kw_alloc_libc, &runs[r]) == KW_OK;
            for (size_t d = N_DOCS * r / n_parts; d < N_DOCS * (r + 1) / n_parts; d++)
                ok &= kw_builder_add(runs[r], docs[d], strlen(docs[d]), &bad) == KW_OK;
        }
        for (size_t r = 1; r < n_parts; r++)
            ok &= kw_builder_append_with(runs[0], runs[r], &runner) == KW_OK;
        kw_index *ix = NULL;
        ok &= kw_builder_finish_with(runs[0], &runner, &ix) == KW_OK;
        size_t len = 0;
        unsigned char *bytes = ix ? save(ix, "ids", &len) : NULL;
        ok &= bytes && len == whole_len && memcmp(bytes, expected, len) == 0;
        free(bytes);
        kw_index_free(ix);
    }
    CHECK(ok);
    free(expected);
    kw_index_free(whole);
    for (int d = 0; d < N_DOCS; d++)
        free(docs[d]);
}

static void test_save_load(void)
{
    kw_index *ix = saved_corpus(), *back = NULL, *again = NULL;
    CHECK(ix != NULL);
    if (!ix)
        return;
    size_t len, len2, len3;
    unsigned char *file = save(ix, "{\"ids\": 4}", &len);
    CHECK(file != NULL && len == kw_index_saved_size(ix, 10) && len % 64 == 0);
    if (!file) {
        kw_index_free(ix);
        return;
    }
    CHECK(memcmp(file, "\x89KWIQ\r\n\x1a", 8) == 0);
    const void *blob;
    size_t blob_len;
    kw_load_error err;
    CHECK(kw_index_load(file, len, &kw_alloc_libc, &back, &blob, &blob_len, &err) == KW_OK);
    if (back) {
        CHECK(blob_len == 10 && memcmp(blob, "{\"ids\": 4}", 10) == 0);
        CHECK(same_answers(ix, back));
        CHECK(count(back,
                    "Stra\xc3\x9f"
                    "e",
                    1)
              > 1);
        CHECK(count(back, "STRASSE", 0)
              == 1
                     + count(back,
                             "Stra\xc3\x9f"
                             "e",
                             1));
        /* A loaded index saves to the bytes it was loaded from, and so
         * does the built one, every time. */
        unsigned char *file2 = save(back, "{\"ids\": 4}", &len2);
        unsigned char *file3 = save(ix, "{\"ids\": 4}", &len3);
        CHECK(file2 && len2 == len && memcmp(file, file2, len) == 0);
        CHECK(file3 && len3 == len && memcmp(file, file3, len) == 0);
        /* An index loaded from a loaded one's save. */
        if (file2 && load(file2, len2, &again, &err) == KW_OK) {
            CHECK(same_answers(ix, again));
            kw_index_free(again);
        }
        free(file2);
        free(file3);
        kw_index_free(back);
    }
    /* Data that is not 8-byte aligned is refused, not misread. */
    unsigned char *shifted = malloc(len + 8);
    if (shifted) {
        memcpy(shifted + 4, file, len);
        CHECK(load(shifted + 4, len, &back, &err) == KW_EINVAL);
        free(shifted);
    }
    free(file);
    kw_index_free(ix);
}

static void test_save_load_edges(void)
{
    /* No document; only empty documents; one punctuation mark. */
    const char *empty[] = {"", "  \n"};
    const char *mark[] = {"!"};
    kw_index *ixs[3] = {build(NULL, 0), build(empty, 2), build(mark, 1)};
    for (int k = 0; k < 3; k++) {
        CHECK(ixs[k] != NULL);
        if (!ixs[k])
            continue;
        size_t len, len2;
        unsigned char *file = save(ixs[k], "", &len), *file2 = NULL;
        kw_index *back = NULL;
        kw_load_error err;
        CHECK(file && load(file, len, &back, &err) == KW_OK);
        if (back) {
            CHECK(same_answers(ixs[k], back));
            file2 = save(back, "", &len2);
            CHECK(file2 && len2 == len && memcmp(file, file2, len) == 0);
            kw_index_free(back);
        }
        free(file);
        free(file2);
        kw_index_free(ixs[k]);
    }

    /* More than 65,536 types: token ids of three bytes. */
    enum { N_TYPES = 70000 };
    char *doc = malloc(N_TYPES * 8 + 1);
    size_t n = 0;
    for (int i = 0; doc && i < N_TYPES; i++)
        n += (size_t)sprintf(doc + n, "x%d ", i);
    const char *docs[] = {doc};
    kw_index *ix = doc ? build(docs, 1) : NULL;
    CHECK(ix && kw_index_n_types(ix) > 65536);
    if (ix) {
        size_t len, len2;
        unsigned char *file = save(ix, "", &len), *file2 = NULL;
        kw_index *back = NULL;
        kw_load_error err;
        size_t toks_len;
        CHECK(file && section_at(file, F_TOKS, &toks_len) && toks_len == 3 * kw_index_n_tokens(ix));
        CHECK(file && load(file, len, &back, &err) == KW_OK);
        if (back) {
            CHECK(count(back, "x69999", 1) == 1 && count(back, "X1", 0) == 1);
            CHECK(same_answers(ix, back));
            file2 = save(back, "", &len2);
            CHECK(file2 && len2 == len && memcmp(file, file2, len) == 0);
            kw_index_free(back);
        }
        free(file);
        free(file2);
        kw_index_free(ix);
    }
    free(doc);
}

/* Every cut of a saved index, and every byte of it changed, is refused,
 * naming the section the change is in (or the header for the header and
 * the table, or the section before the padding). */
static void test_load_damaged(void)
{
    kw_index *ix = saved_corpus();
    size_t len;
    unsigned char *file = ix ? save(ix, "[\"a\", \"b\", \"c\", \"d\"]", &len) : NULL;
    CHECK(file != NULL);
    if (!file) {
        kw_index_free(ix);
        return;
    }
    unsigned char *copy = malloc(len);
    kw_index *back = NULL;
    kw_load_error err;
    int ok = 1;
    for (size_t cut = 0; cut < len && copy; cut++) {
        memcpy(copy, file, cut);
        ok &= load(copy, cut, &back, &err) == KW_EFORMAT && err.message[0];
    }
    CHECK(ok);
    /* Where each byte belongs: 0 for the header and table, else the id of
     * the section it is in or whose padding it is. */
    int *owner = malloc(len * sizeof *owner);
    for (size_t i = 0; owner && i < len; i++)
        owner[i] = 0;
    for (int id = 1; owner && id <= F_SECTIONS; id++) {
        size_t n, off = section_at(file, id, &n);
        for (size_t i = off; i < (off + n + 63) / 64 * 64; i++)
            owner[i] = id;
    }
    int refused = 1, named = 1;
    for (size_t i = 0; i < len && copy && owner; i++) {
        static const unsigned char flips[] = {0x01, 0x80, 0xFF};
        memcpy(copy, file, len);
        copy[i] ^= flips[i % 3];
        refused &= load(copy, len, &back, &err) == KW_EFORMAT;
        if (err.section != owner[i] && named) {
            printf("  byte %zu of section %d: %s\n", i, owner[i], err.message);
            named = 0; /* report the first only */
        }
    }
    CHECK(refused);
    CHECK(named);
    /* Bytes added at the end. */
    unsigned char *longer = calloc(len + 64, 1);
    if (longer) {
        memcpy(longer, file, len);
        CHECK(load(longer, len + 64, &back, &err) == KW_EFORMAT && err.section == 0);
        free(longer);
    }
    free(owner);
    free(copy);
    free(file);
    kw_index_free(ix);
}

/* A changed file whose checksums were recomputed: each kind of damage the
 * checks look for is refused with the section named. */
static void test_load_crafted(void)
{
    kw_index *ix = saved_corpus();
    size_t len;
    unsigned char *file = ix ? save(ix, "", &len) : NULL;
    unsigned char *copy = file ? malloc(len) : NULL;
    CHECK(copy != NULL);
    if (!copy) {
        free(file);
        kw_index_free(ix);
        return;
    }
    const uint32_t n_types = (uint32_t)kw_index_n_types(ix),
                   n_tokens = (uint32_t)kw_index_n_tokens(ix);
    struct {
        int section;
        size_t at;      /* byte in the section */
        unsigned width; /* of the value written there: 1, 2 or 4 bytes */
        uint32_t value;
    } cases[] = {
        {F_TOKS, 10, 2, n_types},           /* a type id past the vocabulary */
        {F_POST, 8, 4, n_tokens},           /* a position past the tokens */
        {F_POST_START, 4, 4, n_tokens + 1}, /* postings past the end */
        {F_DOC_TOK, 4, 4, 1000000},         /* a document past the tokens */
        {F_DOC_BYTE, 8, 4, 0xFFFFFFu},      /* a document past the text */
        {F_DOC_CK, 4, 4, 1},                /* checkpoints not as the tokens give */
        {F_CHECKPOINTS, 0, 4, 5000},        /* a checkpoint past its document */
        {F_TYPE_SLOTS, 0, 4, n_types + 1},  /* a slot past the forms */
        {F_TYPE_HASHES, 0, 4, 12345},       /* a hash that is not the form's */
        {F_TYPE_OFFSETS, 8, 4, 0},          /* an empty form */
        {F_TYPE_FORMS, 0, 1, 0xFF},         /* a form that is not UTF-8 */
        {F_IS_WORD, 0, 1, 2},
        {F_GROUP_OF, 0, 4, 0xFFFF},
        {F_TEXT, 1, 1, 0xC0}, /* text that is not UTF-8 */
    };
    int ok = 1;
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        memcpy(copy, file, len);
        size_t n, off = section_at(copy, cases[c].section, &n);
        for (unsigned k = 0; k < cases[c].width; k++)
            copy[off + cases[c].at + k] = (unsigned char)(cases[c].value >> (8 * k));
        reseal(copy);
        kw_index *back = NULL;
        kw_load_error err;
        kw_status st = load(copy, len, &back, &err);
        if (st != KW_EFORMAT || err.section != cases[c].section) {
            printf("  case %zu: status %d, section %d: %s\n", c, st, err.section, err.message);
            ok = 0;
        }
        kw_index_free(back);
    }
    CHECK(ok);

    /* Two groups of one rank. */
    memcpy(copy, file, len);
    size_t n_ranks, ranks = section_at(copy, F_GROUP_RANK, &n_ranks);
    memcpy(copy + ranks, copy + ranks + 4, 4);
    reseal(copy);
    kw_index *back = NULL;
    kw_load_error err;
    CHECK(load(copy, len, &back, &err) == KW_EFORMAT && err.section == F_GROUP_RANK);

    /* A checkpoint inside a character: the first checkpoint moved to the
     * second byte of an "ß" (it still passes for a token start by its
     * counts, so only the text shows it). */
    memcpy(copy, file, len);
    size_t n_cps, cps = section_at(copy, F_CHECKPOINTS, &n_cps);
    const char *sz = strstr(long_doc + rd64(copy + cps + 8), "\xc3\x9f");
    CHECK(n_cps >= 16 && sz != NULL);
    if (sz) {
        wr64(copy + cps, (uint64_t)(sz + 1 - long_doc));
        reseal(copy);
        CHECK(load(copy, len, &back, &err) == KW_EFORMAT && err.section == F_CHECKPOINTS
              && strstr(err.message, "inside a character"));
    }

    /* Every slot full: a lookup would never end. */
    memcpy(copy, file, len);
    size_t n_slots, slots = section_at(copy, F_GROUP_SLOTS, &n_slots);
    for (size_t i = 0; i < n_slots; i += 4)
        copy[slots + i] = 1;
    reseal(copy);
    CHECK(load(copy, len, &back, &err) == KW_EFORMAT && err.section == F_GROUP_SLOTS);

    /* Text that no longer tokenizes as the token stream says: loading
     * cannot tell, but every line stays inside its document. */
    memcpy(copy, file, len);
    size_t text_len, text = section_at(copy, F_TEXT, &text_len);
    for (size_t i = 0; i < text_len; i++)
        if (copy[text + i] == 'w' || copy[text + i] == ',')
            copy[text + i] = ' ';
    reseal(copy);
    CHECK(load(copy, len, &back, &err) == KW_OK);
    if (back) {
        static const kw_context contexts[] = {
            {5, 5, 0, KW_BOUND_NONE},
            {3, 3, 0, KW_BOUND_SENTENCE},
            {0, 0, 60, KW_BOUND_NONE},
            {0, 0, 7, KW_BOUND_PARAGRAPH},
        };
        int inside = 1;
        for (uint32_t t = 0; t < kw_index_n_types(back); t++) {
            kw_slot slot = {KW_SLOT_TYPES, NULL, 0, &t, 1};
            kw_hits *h;
            if (kw_index_match(back, &slot, 1, 1, &h) != KW_OK)
                continue;
            for (size_t i = 0; i < kw_hits_count(h); i++) {
                for (size_t c = 0; c < sizeof contexts / sizeof *contexts; c++) {
                    kw_line ln;
                    size_t n_bytes;
                    kw_line_at(back, h, i, &contexts[c], NULL, &ln);
                    kw_index_doc_text(back, ln.doc, &n_bytes);
                    inside &= ln.left_begin <= ln.left_end && ln.left_end == ln.match_begin
                              && ln.match_begin <= ln.match_end && ln.match_end == ln.right_begin
                              && ln.right_begin <= ln.right_end && ln.right_end <= n_bytes;
                }
            }
            kw_hits_free(h);
        }
        CHECK(inside);
        kw_index_free(back);
    }
    free(copy);
    free(file);
    kw_index_free(ix);
}

/* A write that fails stops the save with KW_EIO, wherever it comes. */
static void test_save_write_fails(void)
{
    kw_index *ix = saved_corpus();
    CHECK(ix != NULL);
    if (!ix)
        return;
    membuf m = {NULL, 0, 0, 0, -1};
    CHECK(kw_index_save(ix, "", 0, membuf_write, &m) == KW_OK);
    long total = m.writes;
    int ok = total > 20;
    for (long k = 0; k < total; k++) {
        membuf failing_buf = {NULL, 0, 0, 0, k};
        ok &= kw_index_save(ix, "", 0, membuf_write, &failing_buf) == KW_EIO;
        free(failing_buf.data);
    }
    CHECK(ok);
    free(m.data);
    kw_index_free(ix);
}

/* ---- out of memory ---- */

static failing_alloc failing = FAILING_ALLOC(failing);

/* Build and query with the fail_at-th allocation failing. Every call either
 * succeeds or reports KW_ENOMEM and can be retried; the result must equal
 * the run without failures. Returns the hit count, or -1 on a wrong status. */
static long oom_scenario(void)
{
    static const char *docs[] = {"Peace, peace and war; war!",
                                 ("Die Stra\xc3\x9f"
                                  "e"),
                                 "x"};
    kw_builder *b = NULL;
    kw_index *ix = NULL;
    kw_hits *h = NULL;
    size_t bad;
    kw_status st;
    kw_builder *run2 = NULL;
    while ((st = kw_builder_new(&failing.alloc, &b)) == KW_ENOMEM) {
    }
    while ((st = kw_builder_new(&failing.alloc, &run2)) == KW_ENOMEM) {
    }
    while ((st = kw_builder_reserve(run2, 20, 4)) == KW_ENOMEM) {
    }
    /* The first document in b, the others in a second run appended to it. */
    for (int i = 0; i < 3; i++)
        while ((st = kw_builder_add(i ? run2 : b, docs[i], strlen(docs[i]), &bad)) == KW_ENOMEM) {
        }
    if (st != KW_OK)
        return -1;
    kw_runner runner = {run_backwards, NULL, 3};
    while ((st = kw_builder_append_with(b, run2, &runner)) == KW_ENOMEM) {
    }
    if (st != KW_OK)
        return -1;
    while ((st = kw_builder_finish_with(b, &runner, &ix)) == KW_ENOMEM) {
    }
    if (st != KW_OK)
        return -1;
    long total = 0;
    const char *queries[] = {"peace", "war ;", "STRASSE", "peace", "x"};
    for (int q = 0; q < 5; q++) {
        while ((st = kw_index_find(ix, queries[q], strlen(queries[q]), q == 3, &h, &bad))
               == KW_ENOMEM) {
        }
        if (st != KW_OK)
            return -1;
        total = total * 10 + (long)kw_hits_count(h);
        kw_hits_free(h);
    }
    uint32_t every_type[] = {0, 1, 2, 3, 4, 5};
    kw_slot sets[] = {{KW_SLOT_TYPES, NULL, 0, every_type, 6},
                      {KW_SLOT_GROUPS, NULL, 0, every_type, 2},
                      {KW_SLOT_ANY_WORD, NULL, 0, NULL, 0}};
    while ((st = kw_index_match(ix, sets, 3, 0, &h)) == KW_ENOMEM) {
    }
    if (st != KW_OK)
        return -1;
    total = total * 10 + (long)kw_hits_count(h);
    kw_hits_free(h);
    kw_hits *parts[2], *merged, *picked;
    for (int q = 0; q < 2; q++)
        while ((st = kw_index_find(ix, queries[q], strlen(queries[q]), 0, &parts[q], &bad))
               == KW_ENOMEM) {
        }
    while ((st = kw_hits_merge(&failing.alloc, parts, 2, NULL, &merged)) == KW_ENOMEM) {
    }
    static const uint32_t order[] = {2, 1, 0};
    while ((st = kw_hits_select(merged, order, 3, &picked)) == KW_ENOMEM) {
    }
    total = total * 10 + (long)kw_hits_position(picked, 0);
    /* By R1 ("and" < "peace" < "war"), then L1, then the match. */
    static const kw_sort_key keys[] = {
        {KW_SORT_RIGHT, 1, 0}, {KW_SORT_LEFT, 1, 0}, {KW_SORT_MATCH, 0, 0}};
    kw_hits *sorted;
    while ((st = kw_hits_sort(ix, picked, keys, 3, NULL, &sorted)) == KW_ENOMEM) {
    }
    if (st != KW_OK)
        return -1;
    total = total * 10 + (long)kw_hits_position(sorted, 0);
    kw_line_cursor *cursor;
    while ((st = kw_line_cursor_new(&failing.alloc, &cursor)) == KW_ENOMEM) {
    }
    kw_line line;
    const kw_context words = {2, 2, 0, KW_BOUND_NONE};
    kw_line_at(ix, sorted, 0, &words, cursor, &line);
    kw_line_cursor_free(cursor);
    kw_hits_free(sorted);
    kw_hits_free(picked);
    kw_hits_free(merged);
    kw_hits_free(parts[0]);
    kw_hits_free(parts[1]);
    kw_index_free(ix);
    return total;
}

static void test_out_of_memory(void)
{
    failing.fail_at = -1;
    failing.calls = 0;
    long expected = oom_scenario();
    long total_calls = failing.calls;
    /* Digits: the five queries, the three-slot set match, the first hit
     * after reordering ("war ;" at token 4), the first after sorting
     * ("peace and" at 2). */
    CHECK(expected == 21111242);
    int ok = 1;
    for (long k = 0; k < total_calls; k++) {
        failing.fail_at = k;
        failing.calls = 0;
        ok &= oom_scenario() == expected;
    }
    CHECK(ok);
    CHECK(total_calls > 20);
}

/* The counting functions with the fail_at-th allocation failing: each
 * either succeeds or reports KW_ENOMEM and is retried. The fourth document
 * has enough distinct bigrams to make the n-gram table grow. Returns the
 * counts as two decimal digits each, or -1 on a wrong status. */
static long long oom_stats_scenario(void)
{
    static const char *docs[] = {"Peace, peace and war; war!",
                                 ("Die Stra\xc3\x9f"
                                  "e"),
                                 "x", "a b c d e f g h i j k l m n o p q r s t"};
    kw_builder *b = NULL;
    kw_index *ix = NULL;
    kw_hits *h = NULL;
    kw_table *t = NULL;
    size_t bad;
    kw_status st;
    while ((st = kw_builder_new(&failing.alloc, &b)) == KW_ENOMEM) {
    }
    for (int i = 0; i < 4; i++)
        while ((st = kw_builder_add(b, docs[i], strlen(docs[i]), &bad)) == KW_ENOMEM) {
        }
    while ((st = kw_builder_finish(b, &ix)) == KW_ENOMEM) {
    }
    if (st != KW_OK)
        return -1;
    long long digest = 0;
    for (int by_type = 0; by_type < 2; by_type++) {
        while ((st = kw_index_freq(ix, by_type, NULL, &t)) == KW_ENOMEM) {
        }
        if (st != KW_OK)
            return -1;
        digest = digest * 100 + (long long)t->n;
        kw_table_free(t);
    }
    while ((st = kw_index_ngrams(ix, 2, 1, NULL, &t)) == KW_ENOMEM) {
    }
    if (st != KW_OK)
        return -1;
    digest = digest * 100 + (long long)t->n;
    kw_table_free(t);
    while ((st = kw_index_find(ix, "peace", 5, 0, &h, &bad)) == KW_ENOMEM) {
    }
    while ((st = kw_hits_clusters(ix, h, 2, 0, 1, &t)) == KW_ENOMEM) {
    }
    if (st != KW_OK)
        return -1;
    digest = digest * 100 + (long long)t->n;
    kw_table_free(t);
    kw_hits_free(h);
    while ((st = kw_index_find(ix, "war", 3, 0, &h, &bad)) == KW_ENOMEM) {
    }
    while ((st = kw_hits_collocates(ix, h, 1, 1, 0, NULL, &t)) == KW_ENOMEM) {
    }
    if (st != KW_OK)
        return -1;
    digest = digest * 100 + (long long)t->total;
    kw_table_free(t);
    const uint8_t mask[4] = {1, 0, 1, 1};
    kw_hits *in;
    while ((st = kw_hits_in_docs(ix, h, mask, &in)) == KW_ENOMEM) {
    }
    if (st != KW_OK)
        return -1;
    digest = digest * 100 + (long long)kw_hits_count(in);
    kw_hits_free(in);
    kw_hits_free(h);
    while ((st = kw_index_freq(ix, 0, mask, &t)) == KW_ENOMEM) {
    }
    if (st != KW_OK)
        return -1;
    digest = digest * 100 + (long long)(t->total % 100);
    kw_table_free(t);
    while ((st = kw_index_ngrams(ix, 1, 1, mask, &t)) == KW_ENOMEM) {
    }
    if (st != KW_OK)
        return -1;
    digest = digest * 100 + (long long)t->n;
    kw_table_free(t);
    kw_index_free(ix);
    return digest;
}

static void test_stats_out_of_memory(void)
{
    failing.fail_at = -1;
    failing.calls = 0;
    long long expected = oom_stats_scenario();
    long total_calls = failing.calls;
    /* 29 fold groups (peace , and war ; ! die straße x and 20 letters), 30
     * types (Peace and peace), 22 bigrams (peace and, and war, die straße,
     * 19 of letters), 1 cluster (peace and), 3 window positions around
     * "war" (and, war, war); with documents 0, 2 and 3 alone: 2 hits of
     * "war", 29 tokens, 24 words (peace and war x and 20 letters). */
    CHECK(expected == 2930220103022924LL);
    int ok = 1;
    for (long k = 0; k < total_calls; k++) {
        failing.fail_at = k;
        failing.calls = 0;
        ok &= oom_stats_scenario() == expected;
    }
    CHECK(ok);
}

/* Laying out columns whose text cannot grow reports KW_ENOMEM, and the
 * text grown so far is the caller's to free (valgrind and ASan check that
 * none is lost); with memory, the same hits lay out in full. */
static void test_line_columns_out_of_memory(void)
{
    static const char *docs[] = {"peace and war, and peace again; long live peace and friendship"};
    kw_index *ix = build(docs, 1);
    kw_hits *h;
    size_t bad;
    if (!ix || kw_index_find(ix, "peace", 5, 0, &h, &bad) != KW_OK) {
        CHECK(0);
        kw_index_free(ix);
        return;
    }
    enum { N = 3 };
    uint64_t doc[N];
    int64_t tok_start[N], tok_end[N], char_start[N], char_end[N], offsets[3][N + 1];
    uint32_t query[N];
    const kw_context ctx = {2, 2, 0, KW_BOUND_NONE};
    int ok = kw_hits_count(h) == N;
    long k;
    for (k = 0; ok; k++) {
        kw_line_columns cols = {doc,
                                tok_start,
                                tok_end,
                                char_start,
                                char_end,
                                query,
                                {offsets[0], NULL, 0},
                                {offsets[1], NULL, 0},
                                {offsets[2], NULL, 0}};
        failing.fail_at = k;
        failing.calls = 0;
        kw_status st = kw_line_columns_fill(ix, h, &ctx, &failing.alloc, NULL, &cols);
        free_column_texts(&cols, &failing.alloc);
        if (st == KW_OK) {
            ok = offsets[1][N] == 3 * 5 && offsets[0][1] == 0 && offsets[2][1] == 8;
            break;
        }
        ok = st == KW_ENOMEM;
    }
    CHECK(ok && k >= 3); /* each of the three texts had to grow */
    failing.fail_at = -1;
    kw_hits_free(h);
    kw_index_free(ix);
}

/* ---- out of memory while saving and loading ---- */

static void test_file_out_of_memory(void)
{
    kw_index *ix = saved_corpus();
    size_t len;
    unsigned char *file = ix ? save(ix, "", &len) : NULL;
    CHECK(file != NULL);
    if (!file) {
        kw_index_free(ix);
        return;
    }
    kw_index *back = NULL;
    const void *blob;
    size_t blob_len;
    kw_load_error err;
    failing.fail_at = -1;
    failing.calls = 0;
    CHECK(kw_index_load(file, len, &failing.alloc, &back, &blob, &blob_len, &err) == KW_OK);
    long total = failing.calls;
    kw_index_free(back);
    int ok = total >= 2;
    for (long k = 0; k < total; k++) {
        failing.fail_at = k;
        failing.calls = 0;
        back = NULL;
        ok &= kw_index_load(file, len, &failing.alloc, &back, &blob, &blob_len, &err) == KW_ENOMEM
              && back == NULL;
    }
    CHECK(ok);

    /* Saving a built index of narrow token ids takes a buffer. */
    failing.fail_at = -1;
    kw_builder *b;
    size_t bad;
    kw_index *built = NULL;
    if (kw_builder_new(&failing.alloc, &b) == KW_OK) {
        if (kw_builder_add(b, "a few words", 11, &bad) == KW_OK
            && kw_builder_finish(b, &built) == KW_OK) {
            failing.fail_at = failing.calls;
            membuf m = {NULL, 0, 0, 0, -1};
            CHECK(kw_index_save(built, "", 0, membuf_write, &m) == KW_ENOMEM && m.writes == 0);
            failing.fail_at = -1;
            CHECK(kw_index_save(built, "", 0, membuf_write, &m) == KW_OK
                  && m.len == kw_index_saved_size(built, 0));
            free(m.data);
            kw_index_free(built);
        } else {
            kw_builder_free(b);
        }
    }
    CHECK(built != NULL);
    free(file);
    kw_index_free(ix);
}

/* kw_utf8_valid_prefix, ASCII eight bytes at a time, agrees with decoding
 * one code point at a time, on random mixes of ASCII runs, valid sequences
 * and bad bytes, wherever the bad byte falls against the 8-byte steps. */
static void test_utf8_valid_prefix(void)
{
    static const char *const pieces[] = {"abcdefgh",         "a",    "\xc3\xa9", "\xe2\x82\xac",
                                         "\xf0\x9f\x98\x80", "\xff", "\xc3",     "\xed\xa0\x80",
                                         "0123456789abcdef"};
    static const int bad[] = {0, 0, 0, 0, 0, 1, 1, 1, 0};
    unsigned seed = 12345;
    for (int round = 0; round < 2000; round++) {
        char buf[128];
        size_t n = 0;
        while (n < 100) {
            seed = seed * 1103515245u + 12345u;
            const unsigned k = (seed >> 16) % 9;
            /* Bad pieces are rare, so that long valid runs happen. */
            const char *piece = bad[k] && (seed >> 8) % 7 ? "x" : pieces[k];
            size_t len = strlen(piece);
            memcpy(buf + n, piece, len);
            n += len;
        }
        size_t expected = 0;
        uint32_t cp;
        while (expected < n) {
            int len = kw_utf8_decode((const unsigned char *)buf + expected,
                                     (const unsigned char *)buf + n, &cp);
            if (!len)
                break;
            expected += (size_t)len;
        }
        CHECK(kw_utf8_valid_prefix(buf, n) == expected);
    }
}

int main(void)
{
    test_utf8_valid_prefix();
    test_tokenizer();
    test_tokenize();
    test_utf8_from_units();
    test_utf8();
    test_skip_and_collapse();
    test_folding();
    test_queries();
    test_lines();
    test_windows();
    test_line_cursor();
    test_wide_width();
    test_upper_case();
    test_long_documents();
    test_merge_and_select();
    test_slots();
    test_sort();
    test_sort_many_words();
    test_rollback();
    test_empty_first_documents();
    test_append();
    test_runner();
    test_cancel();
    test_bounded_work();
    test_large_offsets();
    test_out_of_memory();
    test_stats();
    test_ngrams_grow();
    test_stats_out_of_memory();
    test_line_columns_out_of_memory();
    test_checksum();
    /* Saved indexes exist on little-endian machines only: test_byte_order.c
     * checks what a big-endian one does instead. */
    if (host_is_little_endian()) {
        test_save_load();
        test_saved_whatever_the_runs();
        test_save_load_edges();
        test_load_damaged();
        test_load_crafted();
        test_save_write_fails();
        test_file_out_of_memory();
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
