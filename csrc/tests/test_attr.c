/*
 * test_attr.c: tests of the annotation layer (kw_attr.h), without Python.
 *
 * Prints one line per failed check and closes with "N passed, N failed".
 */
#include <string.h>

#include "kw_core.h"
#include "kw_endian.h"
#include "kw_index.h" /* white-box: the views compared with the arrays they show */
#include "kw_spans.h"
#include "test_support.h"

/* Counted by the core in the C tests' build (-DKW_COUNT_STEPS, kw_steps.h). */
uint64_t kw_steps;

/* Every group's postings, read by kw_postings, are the positions whose type
 * is in the group, in order: a scan of the stream is the oracle. */
static int postings_agree(const kw_index *ix)
{
    int ok = 1;
    for (size_t a = 0; a < ix->n_attrs; a++) {
        const kw_attr *attr = &ix->attrs[a];
        for (uint32_t g = 0; g < attr->n_groups; g++) {
            kw_postings it;
            kw_attr_postings(attr, g, &it);
            uint32_t pos;
            size_t seen = 0;
            for (size_t scan = 0; scan < ix->n_tokens; scan++) {
                if (kw_attr_group(attr, kw_attr_type(attr, scan)) != g)
                    continue;
                ok &= kw_postings_next(&it, &pos) && pos == scan;
                seen++;
            }
            ok &= !kw_postings_next(&it, &pos) && seen == kw_attr_group_size(attr, g);
        }
    }
    return ok;
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
    CHECK(kw_index_n_structures(ix) == 3);
    CHECK(strcmp(kw_index_structure_name(ix, 0), "text") == 0);
    CHECK(strcmp(kw_index_structure_name(ix, 1), "s") == 0);
    CHECK(strcmp(kw_index_structure_name(ix, 2), "p") == 0);
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
    uint32_t g = kw_attr_group(word, kw_attr_type(word, 0)), pos;
    CHECK(g == kw_attr_group(word, kw_attr_type(word, 2)));
    CHECK(kw_attr_group_size(word, g) == 3);
    kw_postings it;
    kw_attr_postings(word, g, &it);
    CHECK(kw_postings_next(&it, &pos) && pos == 0);
    CHECK(kw_postings_next(&it, &pos) && pos == 2);
    kw_index_free(ix);
}

static void check_regions(const kw_index *ix, size_t s, const uint32_t *pairs, size_t n)
{
    CHECK(kw_index_structure_n_regions(ix, s) == n);
    for (size_t i = 0; i < n && i < kw_index_structure_n_regions(ix, s); i++) {
        uint32_t start, end;
        kw_index_structure_region(ix, s, i, &start, &end);
        CHECK(start == pairs[2 * i] && end == pairs[2 * i + 1]);
    }
}

/* A plain index's s and p, by the rule of kw_context's bound: "Mr." and
 * "J." end no sentence, "came." before "He" does, a blank line ends a
 * paragraph (and a sentence); an empty document has no region. A line
 * bounded by the sentence keeps to the region of s that holds its match.
 * Saved and loaded, the index finds the same regions again. */
static void test_structures_found_in_plain_text(void)
{
    /* Tokens: Mr . Smith came . | He saw J . Doe ! || Then war . */
    const char *docs[] = {"", "Mr. Smith came. He saw J. Doe!\n\nThen war.", "no end here"};
    static const uint32_t sentences[] = {0, 5, 5, 11, 11, 14, 14, 17};
    static const uint32_t paragraphs[] = {0, 11, 11, 14, 14, 17};
    kw_index *ix = build(docs, 3), *back = NULL;
    CHECK(ix != NULL);
    if (!ix)
        return;
    CHECK(kw_index_structure_n_regions(ix, 1) == 0); /* not found yet */
    CHECK(kw_index_find_structures(ix, NULL) == KW_OK);
    check_regions(ix, 1, sentences, 4);
    check_regions(ix, 2, paragraphs, 3);
    CHECK(kw_index_find_structures(ix, NULL) == KW_OK); /* found once, kept */
    check_regions(ix, 1, sentences, 4);

    const kw_context ctx = {0, 0, 1000, KW_BOUND_SENTENCE};
    const char *queries[] = {"Smith", "saw", "Doe", "war", "end"};
    for (size_t q = 0; q < 5; q++) {
        kw_hits *h;
        size_t bad;
        CHECK(kw_index_find(ix, queries[q], strlen(queries[q]), 0, &h, &bad) == KW_OK);
        CHECK(kw_hits_count(h) == 1);
        kw_line ln;
        kw_line_at(ix, h, 0, &ctx, NULL, &ln);
        const size_t at = kw_hits_position(h, 0), doc_first = ix->doc_tok[ln.doc];
        size_t i = 0;
        while (i + 1 < 4 && sentences[2 * i + 1] <= at)
            i++;
        CHECK(ln.ctx_start + doc_first == sentences[2 * i]);
        CHECK(ln.ctx_end + doc_first == sentences[2 * i + 1]);
        kw_hits_free(h);
    }

    if (host_is_little_endian()) {
        size_t len;
        unsigned char *file = save(ix, "", &len);
        kw_load_error err;
        CHECK(file && load(file, len, &back, &err) == KW_OK);
        if (back) {
            CHECK(kw_index_n_structures(back) == 3);
            CHECK(kw_index_find_structures(back, NULL) == KW_OK);
            check_regions(back, 1, sentences, 4);
            check_regions(back, 2, paragraphs, 3);
            kw_index_free(back);
        }
        free(file);
    }
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

/* One annotated token: its span, its word, its lemma and upos. */
typedef struct test_token {
    size_t begin, end;
    const char *word, *lemma, *upos;
} test_token;

static const char *const test_attrs[] = {"lemma", "upos"};
static const char *const test_structures[] = {"s"};

/* Add a document of these tokens, sentences as given; the status. */
static kw_status add_doc(kw_builder *b, const char *text, const test_token *tt, size_t n,
                         const kw_ext_region *regions, size_t n_regions, kw_annot_problem *problem)
{
    kw_ext_token tokens[64];
    const char *values[64][2];
    size_t lens[64][2];
    for (size_t i = 0; i < n; i++) {
        values[i][0] = tt[i].lemma;
        values[i][1] = tt[i].upos;
        lens[i][0] = strlen(tt[i].lemma);
        lens[i][1] = strlen(tt[i].upos);
        tokens[i] = (kw_ext_token){tt[i].begin,        tt[i].end, tt[i].word,
                                   strlen(tt[i].word), values[i], lens[i]};
    }
    return kw_builder_add_annotated(b, text, strlen(text), tokens, n, regions, n_regions, problem);
}

/* Attribute values, spans (a multiword token's words share its span; a gap
 * and a length too long for a byte) and sentences, read back. */
static void test_annotated_documents(void)
{
    kw_builder *b;
    CHECK(kw_builder_new(&kw_alloc_libc, &b) == KW_OK);
    CHECK(kw_builder_annotate(b, test_attrs, 2, test_structures, 1) == KW_OK);
    CHECK(kw_builder_annotate(b, test_attrs, 2, test_structures, 1) == KW_EINVAL);
    size_t bad;
    CHECK(kw_builder_add(b, "plain", 5, &bad) == KW_EINVAL);
    kw_annot_problem problem;
    /* "Im Haus. Ja." with "Im" = "In" + "dem". */
    const test_token doc0[] = {{0, 2, "In", "in", "ADP"},      {0, 2, "dem", "der", "DET"},
                               {3, 7, "Haus", "Haus", "NOUN"}, {7, 8, ".", ".", "PUNCT"},
                               {9, 11, "Ja", "ja", "INTJ"},    {11, 12, ".", ".", "PUNCT"}};
    const kw_ext_region s0[] = {{0, 0, 4}, {0, 4, 6}};
    CHECK(add_doc(b, "Im Haus. Ja.", doc0, 6, s0, 2, &problem) == KW_OK);
    /* A long gap and a long token: escapes. */
    char text1[700];
    memset(text1, ' ', sizeof text1);
    memcpy(text1 + 300, "über", 5);
    memset(text1 + 305, 'x', 300);
    text1[605] = '\0';
    const test_token doc1[] = {{300, 305, "über", "über", "ADP"}, {305, 605, "x", "x", "X"}};
    CHECK(add_doc(b, text1, doc1, 2, NULL, 0, &problem) == KW_OK);
    /* Refused, the builder as before: an overlap, a cut character, a region
     * out of order, a region past the tokens. */
    const test_token overlap[] = {{0, 2, "ab", "ab", "X"}, {1, 3, "bc", "bc", "X"}};
    CHECK(add_doc(b, "abc", overlap, 2, NULL, 0, &problem) == KW_EINVAL);
    CHECK(problem.where == KW_ANNOT_TOKEN && problem.index == 1);
    const test_token cut[] = {{0, 1, "\xc3", "x", "X"}};
    CHECK(add_doc(b, "\xc3\xbc", cut, 1, NULL, 0, &problem) == KW_EINVAL);
    const test_token one[] = {{0, 1, "a", "a", "X"}};
    const kw_ext_region backwards[] = {{0, 1, 1}, {0, 0, 1}};
    CHECK(add_doc(b, "a", one, 1, backwards, 2, &problem) == KW_EINVAL);
    CHECK(problem.where == KW_ANNOT_REGION && problem.index == 1);
    const kw_ext_region past[] = {{0, 0, 2}};
    CHECK(add_doc(b, "a", one, 1, past, 1, &problem) == KW_EINVAL);
    CHECK(add_doc(b, "\xff", one, 1, NULL, 0, &problem) == KW_EUTF8);
    CHECK(kw_builder_n_docs(b) == 2);

    kw_index *ix = NULL;
    CHECK(kw_builder_finish(b, &ix) == KW_OK);
    if (!ix)
        return;
    CHECK(kw_index_n_tokens(ix) == 8 && kw_index_n_docs(ix) == 2);
    CHECK(kw_index_n_attrs(ix) == 3);
    CHECK(strcmp(kw_index_attr_name(ix, 1), "lemma") == 0);
    CHECK(strcmp(kw_index_attr_name(ix, 2), "upos") == 0);
    const char *words[] = {"In", "dem", "Haus", ".", "Ja", ".", "über", "x"};
    const char *upos[] = {"ADP", "DET", "NOUN", "PUNCT", "INTJ", "PUNCT", "ADP", "X"};
    for (size_t pos = 0; pos < 8; pos++) {
        size_t n;
        const char *form = kw_index_attr_form(ix, 0, kw_index_attr_type(ix, 0, pos), &n);
        CHECK(n == strlen(words[pos]) && memcmp(form, words[pos], n) == 0);
        form = kw_index_attr_form(ix, 2, kw_index_attr_type(ix, 2, pos), &n);
        CHECK(n == strlen(upos[pos]) && memcmp(form, upos[pos], n) == 0);
    }
    /* upos's postings: ADP at 0 and 6, PUNCT at 3 and 5. */
    const kw_attr *u = &ix->attrs[2];
    CHECK(u->tok_width == 1);
    uint32_t adp = kw_attr_type(u, 0), pos;
    CHECK(kw_attr_group_size(u, adp) == 2);
    kw_postings it;
    kw_attr_postings(u, adp, &it);
    CHECK(kw_postings_next(&it, &pos) && pos == 0);
    CHECK(kw_postings_next(&it, &pos) && pos == 6);
    CHECK(!kw_postings_next(&it, &pos));
    CHECK(kw_index_n_structures(ix) == 2);
    CHECK(kw_index_structure_n_regions(ix, 1) == 2);
    uint32_t start, end;
    kw_index_structure_region(ix, 1, 1, &start, &end);
    CHECK(start == 4 && end == 6);
    /* Lines: the words of "Im" both match "Im"; "x" is 300 bytes long after
     * "über" (5 bytes, 4 characters) and 300 spaces. */
    const kw_context ctx = {1, 1, 0, KW_BOUND_NONE};
    kw_line ln;
    kw_hits *h;
    CHECK(kw_index_find(ix, "dem", 3, 1, &h, &bad) == KW_OK && kw_hits_count(h) == 1);
    kw_line_at(ix, h, 0, &ctx, NULL, &ln);
    CHECK(ln.match_begin == 0 && ln.match_end == 2 && ln.char_start == 0 && ln.char_end == 2);
    CHECK(ln.left_begin == 0 && ln.right_end == 7);
    kw_hits_free(h);
    CHECK(kw_index_find(ix, "x", 1, 1, &h, &bad) == KW_OK && kw_hits_count(h) == 1);
    kw_line_at(ix, h, 0, &ctx, NULL, &ln);
    CHECK(ln.doc == 1 && ln.match_begin == 305 && ln.match_end == 605);
    CHECK(ln.char_start == 304 && ln.char_end == 604 && ln.left_begin == 300);
    kw_hits_free(h);
    CHECK(ix->spans.n_escapes == 2);
    CHECK(postings_agree(ix));
    kw_index_free(ix);
}

/* Spans read from every checkpoint of a long document agree with one read
 * from its start. */
static void test_spans_from_checkpoints(void)
{
    kw_builder *b;
    CHECK(kw_builder_new(&kw_alloc_libc, &b) == KW_OK);
    CHECK(kw_builder_annotate(b, test_attrs, 2, test_structures, 1) == KW_OK);
    /* 100 tokens "é" "ab" alternating, one space between; every fifth
     * repeats the span of the one before (a multiword token). */
    char text[400];
    size_t at = 0;
    kw_ext_token tokens[100];
    const char *values[2] = {"v", "V"};
    const size_t lens[2] = {1, 1};
    for (size_t i = 0; i < 100; i++) {
        if (i % 5 == 4) {
            tokens[i] = tokens[i - 1];
            continue;
        }
        const char *form = i % 2 ? "ab" : "\xc3\xa9";
        size_t n = 2;
        memcpy(text + at, form, n);
        tokens[i] = (kw_ext_token){at, at + n, form, n, values, lens};
        at += n;
        text[at++] = ' ';
    }
    kw_annot_problem problem;
    CHECK(kw_builder_add_annotated(b, text, at, tokens, 100, NULL, 0, &problem) == KW_OK);
    kw_index *ix = NULL;
    CHECK(kw_builder_finish(b, &ix) == KW_OK);
    if (!ix)
        return;
    kw_span_reader r;
    kw_tokspan t;
    uint64_t chars = 0;
    size_t counted = 0;
    kw_span_reader_init(&r, &ix->spans, text, at, 0, 0, 0, 0);
    for (size_t i = 0; i < 100; i++) {
        kw_span_reader_next(&r, &t);
        for (; counted < tokens[i].begin; counted++)
            chars += ((unsigned char)text[counted] & 0xC0) != 0x80;
        CHECK(t.begin == tokens[i].begin && t.end == tokens[i].end);
        CHECK(t.char_begin == chars);
        if (i && i % KW_CHECKPOINT == 0) {
            const kw_checkpoint *cp = kw_checkpoint_of(ix, 0, i / KW_CHECKPOINT);
            CHECK(cp->byte == t.begin && cp->chars == t.char_begin);
            kw_span_reader from;
            kw_tokspan u;
            kw_span_reader_init(&from, &ix->spans, text, at, i, (size_t)cp->byte, cp->chars, 1);
            kw_span_reader_next(&from, &u);
            CHECK(u.begin == t.begin && u.end == t.end && u.char_end == t.char_end);
        }
    }
    kw_index_free(ix);
}

/* An annotated index: "Im Haus. Ja." (a multiword token, two sentences),
 * then a document with a long gap and a long token (escapes). */
static kw_index *small_annotated(void)
{
    kw_builder *b;
    kw_index *ix = NULL;
    kw_annot_problem problem;
    if (kw_builder_new(&kw_alloc_libc, &b) != KW_OK)
        return NULL;
    const test_token doc0[] = {{0, 2, "In", "in", "ADP"},      {0, 2, "dem", "der", "DET"},
                               {3, 7, "Haus", "Haus", "NOUN"}, {7, 8, ".", ".", "PUNCT"},
                               {9, 11, "Ja", "ja", "INTJ"},    {11, 12, ".", ".", "PUNCT"}};
    const kw_ext_region s0[] = {{0, 0, 4}, {0, 4, 6}};
    char text1[700];
    memset(text1, ' ', sizeof text1);
    memcpy(text1 + 300,
           "\xc3\xbc"
           "ber",
           5);
    memset(text1 + 305, 'x', 300);
    text1[605] = '\0';
    const test_token doc1[] = {{300, 305,
                                "\xc3\xbc"
                                "ber",
                                "\xc3\xbc"
                                "ber",
                                "ADP"},
                               {305, 605, "x", "x", "X"}};
    /* 40 tokens, so that the document has a checkpoint. */
    char text2[200];
    test_token doc2[40];
    for (size_t i = 0; i < 40; i++) {
        memcpy(text2 + 3 * i, "ab ", 3);
        doc2[i] = (test_token){3 * i, 3 * i + 2, "ab", "", "X"};
    }
    text2[120] = '\0';
    if (kw_builder_annotate(b, test_attrs, 2, test_structures, 1) != KW_OK
        || add_doc(b, "Im Haus. Ja.", doc0, 6, s0, 2, &problem) != KW_OK
        || add_doc(b, text1, doc1, 2, NULL, 0, &problem) != KW_OK
        || add_doc(b, text2, doc2, 40, NULL, 0, &problem) != KW_OK
        || kw_builder_finish(b, &ix) != KW_OK) {
        kw_builder_free(b);
        return NULL;
    }
    return ix;
}

/* The checksums of a saved index recomputed after bytes were changed on
 * purpose, so that loading must find the damage by checking. */
static void reseal(unsigned char *file)
{
    uint32_t n_sections;
    memcpy(&n_sections, file + 12, 4);
    for (uint32_t id = 1; id <= n_sections; id++) {
        unsigned char *entry = file + 64 + 32 * (id - 1);
        uint64_t off, len, sum;
        memcpy(&off, entry + 8, 8);
        memcpy(&len, entry + 16, 8);
        sum = kw_checksum(file + off, (size_t)len, id);
        memcpy(entry + 24, &sum, 8);
    }
    unsigned char head[64 + 32 * 21];
    size_t table = 32 * n_sections;
    memcpy(head, file, 56);
    memcpy(head + 56, file + 64, table);
    uint64_t sum = kw_checksum(head, 56 + table, 0);
    memcpy(file + 56, &sum, 8);
}

static uint64_t annotation_offset(const unsigned char *file)
{
    uint64_t off;
    memcpy(&off, file + 64 + 32 * 20 + 8, 8);
    return off;
}

/* Saved and loaded: the same tokens, values, structures and lines; saved
 * again, the same bytes. */
static void test_save_load_annotated(void)
{
    kw_index *ix = small_annotated(), *back = NULL;
    CHECK(ix != NULL);
    if (!ix)
        return;
    size_t len, len2;
    unsigned char *file = save(ix, "", &len);
    CHECK(file && len == kw_index_saved_size(ix, 0));
    kw_load_error err;
    CHECK(file && load(file, len, &back, &err) == KW_OK);
    if (back) {
        CHECK(kw_index_n_attrs(back) == 3 && kw_index_n_structures(back) == 2);
        for (size_t a = 0; a < 3; a++)
            for (size_t pos = 0; pos < kw_index_n_tokens(ix); pos++) {
                size_t n1, n2;
                const char *v1 = kw_index_attr_form(ix, a, kw_index_attr_type(ix, a, pos), &n1);
                const char *v2 = kw_index_attr_form(back, a, kw_index_attr_type(back, a, pos), &n2);
                CHECK(n1 == n2 && memcmp(v1, v2, n1) == 0);
            }
        for (size_t i = 0; i < 2; i++) {
            uint32_t s1, e1, s2, e2;
            kw_index_structure_region(ix, 1, i, &s1, &e1);
            kw_index_structure_region(back, 1, i, &s2, &e2);
            CHECK(s1 == s2 && e1 == e2);
        }
        const kw_context ctx = {2, 2, 0, KW_BOUND_NONE};
        kw_hits *h1, *h2;
        size_t bad;
        const char *queries[] = {"dem", "x", "ab", "ja"};
        for (size_t q = 0; q < 4; q++) {
            CHECK(kw_index_find(ix, queries[q], strlen(queries[q]), 0, &h1, &bad) == KW_OK);
            CHECK(kw_index_find(back, queries[q], strlen(queries[q]), 0, &h2, &bad) == KW_OK);
            CHECK(kw_hits_count(h1) == kw_hits_count(h2) && kw_hits_count(h1) > 0);
            for (size_t i = 0; i < kw_hits_count(h1) && i < kw_hits_count(h2); i++) {
                kw_line l1, l2;
                kw_line_at(ix, h1, i, &ctx, NULL, &l1);
                kw_line_at(back, h2, i, &ctx, NULL, &l2);
                CHECK(memcmp(&l1, &l2, sizeof l1) == 0);
            }
            kw_hits_free(h1);
            kw_hits_free(h2);
        }
        unsigned char *file2 = save(back, "", &len2);
        CHECK(file2 && len2 == len && memcmp(file, file2, len) == 0);
        free(file2);
        kw_index_free(back);
    }
    free(file);
    kw_index_free(ix);
}

/* Bytes of the annotation changed, checksums recomputed: each is refused
 * with a message, never read. */
static void test_load_damaged_annotation(void)
{
    kw_index *ix = small_annotated();
    if (!ix)
        return;
    size_t len;
    unsigned char *file = save(ix, "", &len);
    const size_t N = kw_index_n_tokens(ix);
    kw_index_free(ix);
    if (!file)
        return;
    const uint64_t at = annotation_offset(file), gap = at + 16, lens = gap + (N + 7) / 8 * 8;
    /* Offsets in the section and a byte to put there, each a damage. */
    const struct {
        uint64_t offset;
        unsigned char value;
        const char *says;
    } damages[] = {
        {gap + 2, 200, "starts past its document"}, /* "Haus" */
        {lens + 2, 9, "leaves its document"},       /* "Haus" runs past it */
        {gap + 0, KW_GAP_SAME, "repeats a span"},   /* the first token repeats nothing */
        {gap + 3, KW_GAP_ESCAPE, "has no span escape"},
        {lens + 13, 1, "checkpoint"},      /* the third document's tokens move */
        {lens + 6, 1, "cuts a character"}, /* "über" cut after its first byte */
        {at + 0, 9, "section annotation"}, /* 9 attributes: the parts do not fit */
    };
    for (size_t k = 0; k < sizeof damages / sizeof damages[0]; k++) {
        unsigned char *copy = malloc(len);
        if (!copy)
            break;
        memcpy(copy, file, len);
        copy[damages[k].offset] = damages[k].value;
        reseal(copy);
        kw_index *back = NULL;
        kw_load_error err;
        kw_status st = load(copy, len, &back, &err);
        CHECK(st == KW_EFORMAT && back == NULL);
        CHECK(st != KW_EFORMAT || strstr(err.message, damages[k].says) != NULL);
        if (st == KW_EFORMAT && !strstr(err.message, damages[k].says))
            printf("  damage %zu: %s\n", k, err.message);
        if (st != KW_EFORMAT) {
            printf("  damage %zu loaded\n", k);
            kw_index_free(back);
        }
        free(copy);
    }
    free(file);
}

/* Distances of one, two and three bytes: a rare value among 40,000 tokens. */
static void test_postings_far_apart(void)
{
    enum { N = 40000 };
    const size_t rare[] = {0, 127, 128, 16511, 16512, 39999};
    kw_builder *b;
    CHECK(kw_builder_new(&kw_alloc_libc, &b) == KW_OK);
    CHECK(kw_builder_annotate(b, test_attrs, 2, test_structures, 1) == KW_OK);
    char *text = malloc(2 * N);
    kw_ext_token *tokens = malloc(N * sizeof *tokens);
    static const char *const common[2] = {"a", "X"}, *const odd[2] = {"b", "Y"};
    static const size_t lens[2] = {1, 1};
    if (!text || !tokens) {
        free(text);
        free(tokens);
        kw_builder_free(b);
        return;
    }
    size_t next_rare = 0;
    for (size_t i = 0; i < N; i++) {
        const int is_rare = next_rare < 6 && rare[next_rare] == i;
        next_rare += (size_t)is_rare;
        text[2 * i] = 'w';
        text[2 * i + 1] = ' ';
        tokens[i] = (kw_ext_token){2 * i, 2 * i + 1, "w", 1, is_rare ? odd : common, lens};
    }
    kw_annot_problem problem;
    CHECK(kw_builder_add_annotated(b, text, 2 * N, tokens, N, NULL, 0, &problem) == KW_OK);
    kw_index *ix = NULL, *back = NULL;
    CHECK(kw_builder_finish(b, &ix) == KW_OK);
    if (ix)
        CHECK(postings_agree(ix));
    /* Saved indexes exist on little-endian machines only (test_byte_order.c). */
    if (ix && host_is_little_endian()) {
        size_t len;
        unsigned char *file = save(ix, "", &len);
        kw_load_error err;
        CHECK(file && load(file, len, &back, &err) == KW_OK);
        if (back) {
            CHECK(postings_agree(back));
            kw_index_free(back);
        }
        free(file);
    }
    kw_index_free(ix);
    free(text);
    free(tokens);
}

/* 1 if tokens [0, n) of a and b have the same value of every attribute. */
static int same_values(const kw_index *a, const kw_index *b, size_t n)
{
    int same = 1;
    for (size_t pos = 0; pos < n; pos++)
        for (size_t k = 0; k < kw_index_n_attrs(a); k++) {
            size_t n_a, n_b;
            const char *va = kw_index_attr_form(a, k, kw_index_attr_type(a, k, pos), &n_a);
            const char *vb = kw_index_attr_form(b, k, kw_index_attr_type(b, k, pos), &n_b);
            same &= n_a == n_b && memcmp(va, vb, n_a) == 0;
        }
    return same;
}

/* Every document of an annotated index copied into a new builder, in
 * order, makes the same index (the same values; on a little-endian host,
 * which saves, the same saved bytes: text, spans with a multiword token
 * and escapes, values, regions); one copied alone reads as in the whole;
 * a plain index, other names or no such document: KW_EINVAL. */
static void test_add_document_of(void)
{
    kw_index *ix = small_annotated(), *copy = NULL, *one = NULL;
    CHECK(ix != NULL);
    if (!ix)
        return;
    kw_builder *b;
    CHECK(kw_builder_new(&kw_alloc_libc, &b) == KW_OK);
    CHECK(kw_builder_annotate(b, test_attrs, 2, test_structures, 1) == KW_OK);
    CHECK(kw_builder_add_document_of(b, ix, 3) == KW_EINVAL);
    for (size_t d = 0; d < 3; d++)
        CHECK(kw_builder_add_document_of(b, ix, d) == KW_OK);
    CHECK(kw_builder_finish(b, &copy) == KW_OK);
    CHECK(kw_index_n_tokens(copy) == kw_index_n_tokens(ix)
          && same_values(copy, ix, kw_index_n_tokens(ix)));
    if (host_is_little_endian()) {
        size_t len_ix = 0, len_copy = 0;
        unsigned char *saved_ix = save(ix, "", &len_ix), *saved_copy = save(copy, "", &len_copy);
        CHECK(saved_ix && saved_copy && len_ix == len_copy
              && memcmp(saved_ix, saved_copy, len_ix) == 0);
        free(saved_ix);
        free(saved_copy);
    }

    CHECK(kw_builder_new(&kw_alloc_libc, &b) == KW_OK);
    CHECK(kw_builder_annotate(b, test_attrs, 2, test_structures, 1) == KW_OK);
    CHECK(kw_builder_add_document_of(b, ix, 0) == KW_OK);
    CHECK(kw_builder_finish(b, &one) == KW_OK);
    CHECK(kw_index_n_tokens(one) == 6 && kw_index_structure_n_regions(one, 1) == 2);
    CHECK(same_values(one, ix, 6));

    const char *const other[] = {"upos", "lemma"};
    CHECK(kw_builder_new(&kw_alloc_libc, &b) == KW_OK);
    CHECK(kw_builder_annotate(b, other, 2, test_structures, 1) == KW_OK);
    CHECK(kw_builder_add_document_of(b, ix, 0) == KW_EINVAL);
    kw_builder_free(b);
    const char *const docs[] = {"plain text."};
    kw_index *plain = build(docs, 1);
    CHECK(kw_builder_new(&kw_alloc_libc, &b) == KW_OK);
    CHECK(kw_builder_annotate(b, NULL, 0, NULL, 0) == KW_OK);
    CHECK(plain && kw_builder_add_document_of(b, plain, 0) == KW_EINVAL);
    CHECK(kw_builder_n_docs(b) == 0);
    kw_builder_free(b);
    kw_index_free(plain);
    kw_index_free(one);
    kw_index_free(copy);
    kw_index_free(ix);
}

int main(void)
{
    test_postings_far_apart();
    if (host_is_little_endian()) {
        test_save_load_annotated();
        test_load_damaged_annotation();
    }
    test_annotated_documents();
    test_spans_from_checkpoints();
    test_views_of_a_plain_index();
    test_structure_find_in_gaps();
    test_add_document_of();
    test_structures_found_in_plain_text();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
