/*
 * test_vrt.c: tests of reading VRT (kw_vrt_add) without Python: a small
 * file read into an index and checked token by token, malformed input
 * named by its line, a stop asked by the document callback, and every
 * allocation failing in turn.
 *
 * Prints one line per failed check and closes with "N passed, N failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kw_core.h"
#include "test_support.h"

/* Counted by the core in the C tests' build (-DKW_COUNT_STEPS, kw_steps.h). */
uint64_t kw_steps;

static const char *const vrt_attrs[] = {"lemma"};
static const char *const vrt_structures[] = {"s", "p"};

static const char small_vrt[] = "<?xml version=\"1.0\"?>\n"
                                "<text id=\"one\">\n"
                                "<p>\n<s>\n"
                                "\xc3\x9c"
                                "ber\t\xc3\xbc"
                                "ber\n"
                                "all\t\n"
                                "<g/>\n"
                                ".\t.\n"
                                "</s>\n<s>\n"
                                "Ja\tja\n"
                                "</s>\n</p>\n"
                                "</text>\n"
                                "<text>\n</text>\n";

/* The ids the document callback was given, "|"-separated ("-": none). */
static char seen[256];
static long stop_after = -1;

static int note_doc(void *ctx, const char *attrs, size_t len)
{
    long *n_docs = ctx;
    size_t at = strlen(seen);
    snprintf(seen + at, sizeof seen - at, "%s%.*s", at ? "|" : "", attrs ? (int)len : 1,
             attrs ? attrs : "-");
    return ++*n_docs == stop_after;
}

/* A builder annotated for small_vrt, from alloc; NULL if that failed. */
static kw_builder *vrt_builder(const kw_alloc *alloc)
{
    kw_builder *b;
    if (kw_builder_new(alloc, &b) != KW_OK)
        return NULL;
    if (kw_builder_annotate(b, vrt_attrs, 1, vrt_structures, 2) != KW_OK) {
        kw_builder_free(b);
        return NULL;
    }
    return b;
}

static int same(const char *p, size_t n, const char *expected)
{
    return n == strlen(expected) && memcmp(p, expected, n) == 0;
}

static void test_small_file(void)
{
    kw_builder *b = vrt_builder(&kw_alloc_libc);
    kw_index *ix = NULL;
    kw_parse_error err;
    long n_docs = 0;
    seen[0] = '\0';
    CHECK(b != NULL);
    if (!b)
        return;
    CHECK(kw_vrt_add(b, &kw_alloc_libc, small_vrt, sizeof small_vrt - 1, note_doc, &n_docs, NULL,
                     &err)
          == KW_OK);
    CHECK(strcmp(seen, " id=\"one\"|") == 0);
    CHECK(kw_builder_finish(b, &ix) == KW_OK);
    if (!ix) {
        kw_builder_free(b);
        return;
    }
    size_t n;
    const char *text = kw_index_doc_text(ix, 0, &n);
    CHECK(same(text, n,
               "\xc3\x9c"
               "ber all.\nJa"));
    CHECK(kw_index_n_docs(ix) == 2 && kw_index_n_tokens(ix) == 4);
    const char *lemmas[] = {("\xc3\xbc"
                             "ber"),
                            "", ".", "ja"};
    for (size_t pos = 0; pos < 4; pos++) {
        const char *lemma = kw_index_attr_form(ix, 1, kw_index_attr_type(ix, 1, pos), &n);
        CHECK(same(lemma, n, lemmas[pos]));
    }
    uint32_t start, end;
    CHECK(kw_index_structure_n_regions(ix, 1) == 2 && kw_index_structure_n_regions(ix, 2) == 1);
    kw_index_structure_region(ix, 1, 1, &start, &end);
    CHECK(start == 3 && end == 4);
    kw_index_structure_region(ix, 2, 0, &start, &end);
    CHECK(start == 0 && end == 4);
    kw_index_free(ix);
}

static void test_malformed_and_stopped(void)
{
    static const struct {
        const char *vrt;
        size_t line;
        const char *message;
    } cases[] = {
        {"a\tb\nc\n", 2, "too few attributes"},
        {"<s>\na\tb\n</p>\n", 3, "closes no open <p>"},
        {"<p>\n<s>\n</p>\n", 3, "does not nest: the <s> opened on line 2"},
        {"<text>\n<s>\n", 2, "<s> opened on line 2 is not closed"},
        {"<x>\n", 1, "unknown element <x>"},
        {"a\tb\n\xff\n", 2, "invalid UTF-8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kw_builder *b = vrt_builder(&kw_alloc_libc);
        kw_parse_error err;
        CHECK(b != NULL);
        if (!b)
            continue;
        CHECK(kw_vrt_add(b, &kw_alloc_libc, cases[i].vrt, strlen(cases[i].vrt), NULL, NULL, NULL,
                         &err)
              == KW_EFORMAT);
        CHECK(err.line == cases[i].line && strstr(err.message, cases[i].message) != NULL);
        kw_builder_free(b);
    }
    kw_builder *b = vrt_builder(&kw_alloc_libc);
    kw_parse_error err;
    long n_docs = 0;
    seen[0] = '\0';
    stop_after = 1;
    CHECK(kw_vrt_add(b, &kw_alloc_libc, small_vrt, sizeof small_vrt - 1, note_doc, &n_docs, NULL,
                     &err)
          == KW_EINTR);
    CHECK(n_docs == 1 && kw_builder_n_docs(b) == 1);
    stop_after = -1;
    kw_builder_free(b);
    kw_builder *plain;
    CHECK(kw_builder_new(&kw_alloc_libc, &plain) == KW_OK);
    CHECK(kw_vrt_add(plain, &kw_alloc_libc, "a\n", 2, NULL, NULL, NULL, &err) == KW_EINVAL);
    kw_builder_free(plain);
}

static failing_alloc failing = FAILING_ALLOC(failing);

/* The reader's own scratch allocations failing in turn: each returns
 * KW_ENOMEM (leaks are valgrind's to find), until none fails. */
static void test_out_of_memory(void)
{
    int ok = 1;
    kw_status st = KW_ENOMEM;
    long k;
    for (k = 0; st == KW_ENOMEM && k < 10000; k++) {
        kw_builder *b = vrt_builder(&kw_alloc_libc);
        kw_parse_error err;
        if (!b)
            return;
        failing.calls = 0;
        failing.fail_at = k;
        st = kw_vrt_add(b, &failing.alloc, small_vrt, sizeof small_vrt - 1, NULL, NULL, NULL, &err);
        ok &= st == KW_OK || st == KW_ENOMEM;
        kw_builder_free(b);
    }
    failing.fail_at = -1;
    CHECK(ok && st == KW_OK && k > 3);
}

int main(void)
{
    test_small_file();
    test_malformed_and_stopped();
    test_out_of_memory();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
