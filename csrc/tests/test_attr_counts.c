/*
 * test_attr_counts.c: counts, sort keys, tagged lines and sentence bounds
 * over attributes other than word (kw_index_attr_*, kw_hits_attr_*,
 * kw_sort_key.attr, kw_tagged_columns, kw_context.bound on an annotated
 * index), on a corpus small enough to count by hand, without Python.
 *
 * Prints one line per failed check and closes with "N passed, N failed".
 */
#include <string.h>

#include "kw_core.h"
#include "test_support.h"

/* Counted by the core in the C tests' build (-DKW_COUNT_STEPS, kw_steps.h). */
uint64_t kw_steps;

/* An allocator that fails every allocation once `left` reaches 0. */
static long left = -1;

static void *limited_malloc(void *ctx, size_t n)
{
    (void)ctx;
    if (left == 0)
        return NULL;
    if (left > 0)
        left--;
    return malloc(n ? n : 1);
}

static void *limited_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    if (left == 0)
        return NULL;
    if (left > 0)
        left--;
    return realloc(p, n ? n : 1);
}

static void limited_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static const kw_alloc limited = {limited_malloc, limited_realloc, limited_free, NULL};

enum { WORD, LEMMA, UPOS };

/* "The cats sat. Cats ran!" in two sentences, then "Cats sat." in one:
 * tokens 0-6 and 7-9. */
static kw_index *small_corpus(void)
{
    static const char *const attrs[] = {"lemma", "upos"};
    static const char *const structures[] = {"s"};
    static const char *const text[] = {"The cats sat. Cats ran!", "Cats sat."};
    static const struct {
        size_t doc, begin, end;
        const char *word, *lemma, *upos;
    } tt[] = {{0, 0, 3, "The", "the", "DET"},     {0, 4, 8, "cats", "cat", "NOUN"},
              {0, 9, 12, "sat", "sit", "VERB"},   {0, 12, 13, ".", ".", "PUNCT"},
              {0, 14, 18, "Cats", "cat", "NOUN"}, {0, 19, 22, "ran", "run", "VERB"},
              {0, 22, 23, "!", "!", "PUNCT"},     {1, 0, 4, "Cats", "cat", "NOUN"},
              {1, 5, 8, "sat", "sit", "VERB"},    {1, 8, 9, ".", ".", "PUNCT"}};
    const kw_ext_region regions[2][2] = {{{0, 0, 4}, {0, 4, 7}}, {{0, 0, 3}, {0, 0, 0}}};
    kw_builder *b;
    kw_index *ix = NULL;
    if (kw_builder_new(&limited, &b) != KW_OK)
        return NULL;
    kw_status st = kw_builder_annotate(b, attrs, 2, structures, 1);
    for (size_t d = 0, first = 0; d < 2 && st == KW_OK; d++) {
        kw_ext_token tokens[8];
        const char *values[8][2];
        size_t lens[8][2], n = 0;
        for (; first + n < 10 && tt[first + n].doc == d; n++) {
            values[n][0] = tt[first + n].lemma;
            values[n][1] = tt[first + n].upos;
            lens[n][0] = strlen(values[n][0]);
            lens[n][1] = strlen(values[n][1]);
            tokens[n] =
                (kw_ext_token){tt[first + n].begin,        tt[first + n].end, tt[first + n].word,
                               strlen(tt[first + n].word), values[n],         lens[n]};
        }
        kw_annot_problem problem;
        st = kw_builder_add_annotated(b, text[d], strlen(text[d]), tokens, n, regions[d],
                                      d == 0 ? 2 : 1, &problem);
        first += n;
    }
    if (st != KW_OK || kw_builder_finish(b, &ix) != KW_OK) {
        kw_builder_free(b);
        return NULL;
    }
    return ix;
}

/* The row of a table of width 1 whose form is `form`, or t->n. */
static size_t row_of(const kw_index *ix, const kw_table *t, size_t attr, const char *form)
{
    for (size_t k = 0; k < t->n; k++) {
        size_t n;
        const char *f = kw_index_attr_form(ix, attr, t->ids[k], &n);
        if (n == strlen(form) && memcmp(f, form, n) == 0)
            return k;
    }
    return t->n;
}

static uint32_t count_of(const kw_index *ix, const kw_table *t, size_t attr, const char *form)
{
    size_t k = row_of(ix, t, attr, form);
    return k < t->n ? t->counts[k] : 0;
}

static void test_counts(const kw_index *ix)
{
    kw_table *t;
    CHECK(kw_index_attr_freq(ix, LEMMA, 0, 1, NULL, &t) == KW_OK);
    CHECK(t->total == 7 && count_of(ix, t, LEMMA, "cat") == 3);
    CHECK(count_of(ix, t, LEMMA, "sit") == 2 && count_of(ix, t, LEMMA, ".") == 0);
    CHECK(t->docs[row_of(ix, t, LEMMA, "cat")] == 2);
    kw_table_free(t);
    CHECK(kw_index_attr_freq(ix, UPOS, 0, 0, NULL, &t) == KW_OK);
    CHECK(t->total == 10 && count_of(ix, t, UPOS, "PUNCT") == 3);
    kw_table_free(t);
    const uint8_t second_only[2] = {0, 1};
    CHECK(kw_index_attr_freq(ix, UPOS, 0, 0, second_only, &t) == KW_OK);
    CHECK(t->total == 3 && count_of(ix, t, UPOS, "NOUN") == 1);
    kw_table_free(t);
    /* word through the attribute calls: what the plain call counts. */
    kw_table *plain;
    CHECK(kw_index_attr_freq(ix, WORD, 0, 0, NULL, &t) == KW_OK);
    CHECK(kw_index_freq(ix, 0, NULL, &plain) == KW_OK);
    CHECK(t->n == plain->n && t->total == plain->total
          && memcmp(t->counts, plain->counts, t->n * sizeof *t->counts) == 0);
    kw_table_free(t);
    kw_table_free(plain);
    /* Bigrams of upos: DET NOUN once, NOUN VERB three times; none crosses
     * a punctuation token. */
    CHECK(kw_index_attr_ngrams(ix, UPOS, 2, 1, NULL, &t) == KW_OK);
    CHECK(t->n == 2 && t->total == 4 && t->counts[0] + t->counts[1] == 4);
    for (size_t k = 0; k < t->n; k++) {
        size_t n;
        const char *first = kw_index_attr_form(ix, UPOS, t->ids[2 * k], &n);
        CHECK(t->counts[k] == (memcmp(first, "DET", 3) == 0 ? 1u : 3u));
    }
    kw_table_free(t);
    CHECK(kw_index_attr_ngrams(ix, 3, 2, 1, NULL, &t) == KW_EINVAL);
    CHECK(kw_index_attr_freq(ix, 3, 0, 0, NULL, &t) == KW_EINVAL);
}

static void test_hits_over_attributes(const kw_index *ix)
{
    kw_hits *h;
    size_t bad;
    CHECK(kw_index_find(ix, "cats", 4, 0, &h, &bad) == KW_OK);
    CHECK(kw_hits_count(h) == 3);
    kw_table *t;
    /* Clusters of two: cat sit (twice), cat run. */
    CHECK(kw_hits_attr_clusters(ix, h, LEMMA, 2, 0, 1, &t) == KW_OK);
    CHECK(t->n == 2 && t->total == 3);
    kw_table_free(t);
    /* Windows of one word each side: The and sat, sat again (". Cats"
     * skips the full stop) and ran, sat: four positions, each once. */
    CHECK(kw_hits_attr_collocates(ix, h, UPOS, 1, 1, 0, NULL, &t) == KW_OK);
    CHECK(t->total == 4 && count_of(ix, t, UPOS, "VERB") == 3);
    CHECK(count_of(ix, t, UPOS, "DET") == 1 && count_of(ix, t, UPOS, "PUNCT") == 0);
    kw_table_free(t);
    CHECK(kw_hits_attr_collocates(ix, h, 9, 1, 1, 0, NULL, &t) == KW_EINVAL);

    /* R1 by lemma: run (hit 1) before sit (hits 0, 2, in their order). */
    const kw_sort_key by_lemma[] = {{KW_SORT_RIGHT, 1, LEMMA}};
    kw_hits *sorted;
    CHECK(kw_hits_sort(ix, h, by_lemma, 1, NULL, &sorted) == KW_OK);
    CHECK(kw_hits_position(sorted, 0) == 4 && kw_hits_position(sorted, 1) == 1
          && kw_hits_position(sorted, 2) == 7);
    kw_hits_free(sorted);
    /* L1 by upos: none (hit 2, a document's first token), DET (hit 0),
     * VERB (hit 1: sentences do not stop sort keys). */
    const kw_sort_key by_upos[] = {{KW_SORT_LEFT, 1, UPOS}};
    CHECK(kw_hits_sort(ix, h, by_upos, 1, NULL, &sorted) == KW_OK);
    CHECK(kw_hits_position(sorted, 0) == 7 && kw_hits_position(sorted, 1) == 1
          && kw_hits_position(sorted, 2) == 4);
    kw_hits_free(sorted);
    const kw_sort_key bad_attr[] = {{KW_SORT_MATCH, 0, 3}};
    CHECK(kw_hits_sort(ix, h, bad_attr, 1, NULL, &sorted) == KW_EINVAL);
    const uint32_t *ranks, *again;
    CHECK(kw_index_attr_ranks(ix, UPOS, NULL, &ranks) == KW_OK);
    CHECK(kw_index_attr_ranks(ix, UPOS, NULL, &again) == KW_OK && again == ranks);
    /* DET < NOUN < PUNCT < VERB, in the order first seen: DET NOUN VERB PUNCT. */
    CHECK(ranks[0] == 0 && ranks[1] == 1 && ranks[2] == 3 && ranks[3] == 2);

    /* Tagged lines, a word each side: the window takes the punctuation
     * before its word ("sat ." left of hit 1), none after it ("ran", not
     * "ran !"). */
    int64_t offsets[3][4];
    kw_text_column cols[3] = {{offsets[0], NULL, 0}, {offsets[1], NULL, 0}, {offsets[2], NULL, 0}};
    const uint32_t attrs[] = {WORD, UPOS};
    const kw_context ctx = {1, 1, 0, KW_BOUND_NONE};
    CHECK(kw_tagged_columns(ix, h, 0, 3, &ctx, attrs, 2, &kw_alloc_libc, NULL, &cols[0], &cols[1],
                            &cols[2])
          == KW_OK);
    CHECK(offsets[1][1] == 9 && memcmp(cols[1].data, "cats/NOUN", 9) == 0);
    CHECK(memcmp(cols[0].data, "The/DET", 7) == 0 && offsets[0][1] == 7);
    CHECK(offsets[0][2] - offsets[0][1] == 16
          && memcmp(cols[0].data + offsets[0][1], "sat/VERB ./PUNCT", 16) == 0);
    CHECK(offsets[0][3] == offsets[0][2] && offsets[2][3] - offsets[2][2] == 8);
    CHECK(offsets[2][2] - offsets[2][1] == 8
          && memcmp(cols[2].data + offsets[2][1], "ran/VERB", 8) == 0);
    for (int k = 0; k < 3; k++)
        free(cols[k].data);
    CHECK(kw_tagged_columns(ix, h, 0, 4, &ctx, attrs, 2, &kw_alloc_libc, NULL, NULL, &cols[1], NULL)
          == KW_EINVAL);

    /* A sentence bound keeps to the regions of s: hit 1 starts one. */
    const kw_context sentence = {5, 5, 0, KW_BOUND_SENTENCE};
    kw_line line;
    kw_line_at(ix, h, 1, &sentence, NULL, &line);
    CHECK(line.ctx_start == 4 && line.ctx_end == 7);
    kw_line_at(ix, h, 0, &sentence, NULL, &line);
    CHECK(line.ctx_start == 0 && line.ctx_end == 4);
    kw_hits_free(h);
}

/* Every call fails cleanly at each allocation it makes, then succeeds. */
static void test_out_of_memory(const kw_index *ix)
{
    kw_hits *h;
    size_t bad;
    CHECK(kw_index_find(ix, "cats", 4, 0, &h, &bad) == KW_OK);
    kw_status st;
    kw_table *t;
    for (long k = 0; (left = k, st = kw_index_attr_freq(ix, LEMMA, 0, 1, NULL, &t)) == KW_ENOMEM;
         k++) {
    }
    CHECK(st == KW_OK);
    kw_table_free(t);
    for (long k = 0; (left = k, st = kw_index_attr_ngrams(ix, UPOS, 2, 1, NULL, &t)) == KW_ENOMEM;
         k++) {
    }
    CHECK(st == KW_OK);
    kw_table_free(t);
    for (long k = 0;
         (left = k, st = kw_hits_attr_collocates(ix, h, LEMMA, 2, 2, 0, NULL, &t)) == KW_ENOMEM;
         k++) {
    }
    CHECK(st == KW_OK);
    kw_table_free(t);
    /* The first sort by lemma ranks its values: a failure keeps nothing. */
    const kw_sort_key keys[] = {{KW_SORT_MATCH, 0, LEMMA}, {KW_SORT_LEFT, 1, UPOS}};
    kw_hits *sorted;
    for (long k = 0; (left = k, st = kw_hits_sort(ix, h, keys, 2, NULL, &sorted)) == KW_ENOMEM;
         k++) {
    }
    CHECK(st == KW_OK);
    kw_hits_free(sorted);
    left = -1;
    kw_hits_free(h);
}

int main(void)
{
    kw_index *ix = small_corpus();
    CHECK(ix != NULL);
    if (ix) {
        test_out_of_memory(ix);
        test_counts(ix);
        test_hits_over_attributes(ix);
        kw_index_free(ix);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
