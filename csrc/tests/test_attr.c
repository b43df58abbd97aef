/*
 * test_attr.c: tests of the annotation layer (kw_attr.h), without Python.
 *
 * Prints one line per failed check and closes with "N passed, N failed".
 */
#include <stdio.h>
#include <string.h>

#include "kw_core.h"
#include "kw_index.h" /* white-box: the views compared with the arrays they show */

static int passed, failed;

/* Counted by the core in the C tests' build (-DKW_COUNT_STEPS, kw_steps.h). */
uint64_t kw_steps;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (cond) {                                                        \
            passed++;                                                      \
        } else {                                                           \
            failed++;                                                      \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);         \
        }                                                                  \
    } while (0)

static kw_index *build(const char *const *docs, size_t n)
{
    kw_builder *b;
    kw_index *ix = NULL;
    size_t bad;
    if (kw_builder_new(&kw_alloc_libc, &b) != KW_OK)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (kw_builder_add(b, docs[i], strlen(docs[i]), &bad) != KW_OK) {
            kw_builder_free(b);
            return NULL;
        }
    if (kw_builder_finish(b, &ix) != KW_OK)
        kw_builder_free(b);
    return ix;
}

/* `word` and `text` of a plain index are its surface forms and documents. */
static void test_views_of_a_plain_index(void)
{
    const char *docs[] = {"", "Peace, peace!", "", "", "War and peace."};
    kw_index *ix = build(docs, 5);
    CHECK(ix != NULL);
    if (!ix)
        return;
    CHECK(kw_index_n_attrs(ix) == 1);
    CHECK(strcmp(kw_index_attr_name(ix, 0), "word") == 0);
    CHECK(kw_index_attr_n_types(ix, 0) == kw_index_n_types(ix));
    for (size_t pos = 0; pos < kw_index_n_tokens(ix); pos++)
        CHECK(kw_index_attr_type(ix, 0, pos) == kw_tok(ix, pos));
    CHECK(kw_index_n_structures(ix) == 1);
    CHECK(strcmp(kw_index_structure_name(ix, 0), "text") == 0);
    CHECK(kw_index_structure_n_regions(ix, 0) == 5);
    for (size_t d = 0; d < 5; d++) {
        uint32_t start, end;
        kw_index_structure_region(ix, 0, d, &start, &end);
        CHECK(start == ix->doc_tok[d] && end == ix->doc_tok[d + 1]);
    }
    /* Tokens 0-3 are the second document's (Peace , peace !), 4-7 the
     * fifth's: kw_structure_find passes over the empty ones. */
    const kw_structure *text = &ix->structures[0];
    CHECK(kw_structure_find(text, 0) == 1);
    CHECK(kw_structure_find(text, 3) == 1);
    CHECK(kw_structure_find(text, 4) == 4);
    CHECK(kw_structure_find(text, 7) == 4);
    CHECK(kw_structure_find(text, 8) == text->n);
    /* The postings of `word` are those of the fold groups: "Peace" and
     * "peace" share theirs. */
    const kw_attr *word = &ix->attrs[0];
    uint32_t g = kw_attr_group(word, kw_attr_type(word, 0));
    CHECK(g == kw_attr_group(word, kw_attr_type(word, 2)));
    CHECK(word->post_start[g + 1] - word->post_start[g] == 3);
    kw_index_free(ix);
}

/* A structure whose regions leave gaps: a position in a gap is in none. */
static void test_structure_find_in_gaps(void)
{
    const uint32_t start[] = {2, 5, 5, 9};
    const uint32_t end[] = {4, 5, 8, 10};
    kw_structure st = {.name = "s", .start = start, .end = end, .n = 4};
    const size_t expected[] = {4, 4, 0, 0, 4, 2, 2, 2, 4, 3, 4};
    for (uint32_t pos = 0; pos <= 10; pos++)
        CHECK(kw_structure_find(&st, pos) == expected[pos]);
}

int main(void)
{
    test_views_of_a_plain_index();
    test_structure_find_in_gaps();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
