/*
 * test_select.c: tests of choosing hits (kw_hits_range, kw_hits_where,
 * kw_hits_near, kw_hits_count_docs), their out-of-memory paths included,
 * without Python.
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

static failing_alloc failing = FAILING_ALLOC(failing);

/* The positions of h as a string "0 4 6", for compact expectations. */
static const char *positions_of(const kw_hits *h)
{
    static char out[256];
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < kw_hits_count(h) && at < sizeof out - 12; i++)
        at += (size_t)snprintf(out + at, sizeof out - at, i ? " %u" : "%u",
                               (unsigned)kw_hits_position(h, i));
    return out;
}

/* The hits of h near `query` within (left, right) words: their positions. */
static const char *near_of(const kw_index *ix, const kw_hits *h, const char *query, uint32_t left,
                           uint32_t right)
{
    static char out[256];
    kw_hits *near, *kept;
    size_t bad;
    uint8_t mask[16];
    memset(mask, 1, sizeof mask);
    if (kw_index_find(ix, query, strlen(query), 0, &near, &bad) != KW_OK)
        return "error";
    kw_status st = kw_hits_near(ix, h, near, left, right, NULL, mask);
    kw_hits_free(near);
    if (st != KW_OK || kw_hits_where(h, mask, &kept) != KW_OK)
        return "error";
    snprintf(out, sizeof out, "%s", positions_of(kept));
    kw_hits_free(kept);
    return out;
}

static void test_select_and_near(void)
{
    /* Token positions: a0 b1 ,2 c3 a4 d5 | a6 x7 a8. */
    const char *docs[] = {"a b, c a d", "a x a"};
    kw_index *ix = build(docs, 2);
    CHECK(ix != NULL);
    if (!ix)
        return;
    kw_hits *h, *picked;
    size_t bad, n_docs = 0;
    CHECK(kw_index_find(ix, "a", 1, 0, &h, &bad) == KW_OK);
    CHECK(strcmp(positions_of(h), "0 4 6 8") == 0);

    CHECK(kw_hits_range(h, 3, -1, 4, &picked) == KW_OK);
    CHECK(strcmp(positions_of(picked), "8 6 4 0") == 0);
    kw_hits_free(picked);
    CHECK(kw_hits_range(h, 1, 2, 2, &picked) == KW_OK);
    CHECK(strcmp(positions_of(picked), "4 8") == 0);
    kw_hits_free(picked);
    CHECK(kw_hits_range(h, 0, 1, 0, &picked) == KW_OK && kw_hits_count(picked) == 0);
    kw_hits_free(picked);
    CHECK(kw_hits_range(h, 0, -1, 2, &picked) == KW_EINVAL);
    CHECK(kw_hits_range(h, 2, 1, 3, &picked) == KW_EINVAL);
    CHECK(kw_hits_range(h, 4, 1, 1, &picked) == KW_EINVAL);

    const uint8_t mask[4] = {1, 0, 0, 7};
    CHECK(kw_hits_where(h, mask, &picked) == KW_OK);
    CHECK(strcmp(positions_of(picked), "0 8") == 0);
    CHECK(kw_hits_count_docs(ix, picked, &n_docs) == KW_OK && n_docs == 2);
    kw_hits_free(picked);
    CHECK(kw_hits_count_docs(ix, h, &n_docs) == KW_OK && n_docs == 2);

    /* Windows count words: the comma is passed, not counted. */
    CHECK(strcmp(near_of(ix, h, "c", 1, 0), "4") == 0);
    CHECK(strcmp(near_of(ix, h, "c", 0, 2), "0") == 0);
    CHECK(strcmp(near_of(ix, h, "c", 0, 1), "") == 0);
    CHECK(strcmp(near_of(ix, h, ",", 0, 1), "") == 0); /* after the window's last word */
    CHECK(strcmp(near_of(ix, h, ",", 2, 2), "0 4") == 0);
    /* A phrase must lie wholly inside. */
    CHECK(strcmp(near_of(ix, h, "b ,", 0, 1), "") == 0);
    CHECK(strcmp(near_of(ix, h, "b ,", 0, 2), "0") == 0);
    /* Windows stop at documents' edges; a hit's own tokens are not near it. */
    CHECK(strcmp(near_of(ix, h, "d", 5, 5), "0 4") == 0);
    CHECK(strcmp(near_of(ix, h, "x", 1, 1), "6 8") == 0);
    CHECK(strcmp(near_of(ix, h, "a", 0, 0), "") == 0);
    CHECK(strcmp(near_of(ix, h, "a", 1, 1), "") == 0);
    CHECK(strcmp(near_of(ix, h, "a", 2, 2), "6 8") == 0);
    /* A cleared byte stays cleared. */
    kw_hits *near;
    uint8_t some[4] = {1, 1, 0, 1};
    CHECK(kw_index_find(ix, "x", 1, 0, &near, &bad) == KW_OK);
    CHECK(kw_hits_near(ix, h, near, 1, 1, NULL, some) == KW_OK);
    CHECK(some[0] == 0 && some[1] == 0 && some[2] == 0 && some[3] == 1);
    kw_hits_free(near);
    kw_hits_free(h);
    kw_index_free(ix);
}

/* kw_hits_range, _where and _count_docs with the fail_at-th allocation
 * failing: each succeeds or reports KW_ENOMEM and is retried. Returns the
 * counts as digits, or -1 on a wrong status. */
static long oom_select_scenario(void)
{
    const char *text = "a b a c a";
    kw_builder *b = NULL;
    kw_index *ix = NULL;
    kw_hits *h = NULL, *picked = NULL;
    size_t bad, n_docs = 0;
    kw_status st;
    while ((st = kw_builder_new(&failing.alloc, &b)) == KW_ENOMEM) {
    }
    while ((st = kw_builder_add(b, text, strlen(text), &bad)) == KW_ENOMEM) {
    }
    while ((st = kw_builder_finish(b, &ix)) == KW_ENOMEM) {
    }
    while ((st = kw_index_find(ix, "a", 1, 0, &h, &bad)) == KW_ENOMEM) {
    }
    if (st != KW_OK)
        return -1;
    long digest = 0;
    while ((st = kw_hits_range(h, 2, -1, 2, &picked)) == KW_ENOMEM) {
    }
    if (st != KW_OK)
        return -1;
    digest = digest * 10 + (long)kw_hits_count(picked);
    kw_hits_free(picked);
    const uint8_t mask[3] = {0, 1, 1};
    while ((st = kw_hits_where(h, mask, &picked)) == KW_ENOMEM) {
    }
    if (st != KW_OK)
        return -1;
    digest = digest * 10 + (long)kw_hits_position(picked, 0);
    kw_hits_free(picked);
    while ((st = kw_hits_count_docs(ix, h, &n_docs)) == KW_ENOMEM) {
    }
    if (st != KW_OK)
        return -1;
    digest = digest * 10 + (long)n_docs;
    kw_hits_free(h);
    kw_index_free(ix);
    return digest;
}

static void test_select_out_of_memory(void)
{
    failing.fail_at = -1;
    failing.calls = 0;
    long expected = oom_select_scenario();
    long total_calls = failing.calls;
    CHECK(expected == 221);
    int ok = 1;
    for (long k = 0; k < total_calls; k++) {
        failing.fail_at = k;
        failing.calls = 0;
        ok &= oom_select_scenario() == expected;
    }
    failing.fail_at = -1;
    CHECK(ok);
}

int main(void)
{
    test_select_and_near();
    test_select_out_of_memory();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
