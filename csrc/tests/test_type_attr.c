/*
 * test_type_attr.c: tests of kw_index_add_type_attr (kw_type_attr.c), an
 * attribute given per surface type, without Python.
 *
 * Prints one line per failed check and closes with "N passed, N failed".
 */
#include <string.h>

#include "kw_core.h"
#include "kw_endian.h"
#include "kw_index.h" /* white-box: the attribute's arrays and the spans */
#include "kw_spans.h"
#include "test_support.h"

/* Counted by the core in the C tests' build (-DKW_COUNT_STEPS, kw_steps.h). */
uint64_t kw_steps;

/* A value for each surface type that several types share: its first byte
 * ("~" for a non-ASCII one), or "" for types starting with a digit (an
 * empty value is a value). */
typedef struct type_values {
    char first[1 << 16][2];
    const char *ptrs[1 << 16];
    size_t lens[1 << 16];
} type_values;

static type_values tv;

static void values_of(const kw_index *ix)
{
    for (uint32_t t = 0; t < kw_index_n_types(ix); t++) {
        size_t len;
        const char *form = kw_index_type_form(ix, t, &len);
        tv.first[t][0] = (unsigned char)form[0] < 0x80 ? form[0] : '~';
        tv.ptrs[t] = tv.first[t];
        tv.lens[t] = form[0] >= '0' && form[0] <= '9' ? 0 : 1;
    }
}

/* The value of every token is its type's; the vocabulary is distinct; each
 * value's postings are exactly its tokens, in order. */
static void check_attr(const kw_index *ix, size_t attr)
{
    CHECK(attr < kw_index_n_attrs(ix));
    if (attr >= kw_index_n_attrs(ix))
        return;
    const kw_attr *a = &ix->attrs[attr];
    for (size_t pos = 0; pos < ix->n_tokens; pos++) {
        uint32_t type = kw_index_attr_type(ix, 0, pos);
        size_t len;
        const char *value = kw_index_attr_form(ix, attr, kw_index_attr_type(ix, attr, pos), &len);
        CHECK(len == tv.lens[type] && memcmp(value, tv.ptrs[type], len) == 0);
    }
    for (uint32_t v = 0; v < kw_index_attr_n_types(ix, attr); v++)
        for (uint32_t w = 0; w < v; w++) {
            size_t n1, n2;
            const char *f1 = kw_index_attr_form(ix, attr, v, &n1);
            const char *f2 = kw_index_attr_form(ix, attr, w, &n2);
            CHECK(n1 != n2 || memcmp(f1, f2, n1) != 0);
        }
    for (uint32_t g = 0; g < a->n_groups; g++) {
        kw_postings it;
        kw_attr_postings(a, g, &it);
        uint32_t pos;
        for (size_t scan = 0; scan < ix->n_tokens; scan++)
            if (kw_attr_type(a, scan) == g)
                CHECK(kw_postings_next(&it, &pos) && pos == scan);
        CHECK(!kw_postings_next(&it, &pos));
    }
}

/* The lines of every hit of `query`, under three contexts, are the same in
 * both indexes. */
static void check_same_lines(const kw_index *a, const kw_index *b, const char *query)
{
    const kw_context contexts[] = {
        {2, 3, 0, KW_BOUND_NONE}, {0, 0, 12, KW_BOUND_NONE}, {5, 5, 0, KW_BOUND_SENTENCE}};
    kw_hits *ha, *hb;
    size_t bad;
    CHECK(kw_index_find(a, query, strlen(query), 0, &ha, &bad) == KW_OK);
    CHECK(kw_index_find(b, query, strlen(query), 0, &hb, &bad) == KW_OK);
    CHECK(kw_hits_count(ha) == kw_hits_count(hb) && kw_hits_count(ha) > 0);
    for (size_t c = 0; c < 3; c++)
        for (size_t i = 0; i < kw_hits_count(ha) && i < kw_hits_count(hb); i++) {
            kw_line la, lb;
            kw_line_at(a, ha, i, &contexts[c], NULL, &la);
            kw_line_at(b, hb, i, &contexts[c], NULL, &lb);
            CHECK(memcmp(&la, &lb, sizeof la) == 0);
        }
    kw_hits_free(ha);
    kw_hits_free(hb);
}

static char long_doc[2048];

/* A document with what the spans must escape: a token longer than 254
 * bytes, a gap longer than 253; and empty documents, and non-ASCII. */
static void make_long_doc(void)
{
    size_t at = 0;
    at += (size_t)sprintf(long_doc, "Über 12 peace. ");
    memset(long_doc + at, 'x', 300);
    at += 300;
    memset(long_doc + at, ' ', 400);
    at += 400;
    sprintf(long_doc + at, "peace, and 34 more: peace!");
}

static void test_values_spans_and_lines(void)
{
    make_long_doc();
    /* White space beyond ASCII's (no-break, ideographic, line separator)
     * separates tokens; a control character is a token. */
    const char *docs[] = {"", "Peace,\xc2\xa0peace!\xe3\x80\x80\xc3\x89te\x01war 7.\r\n\t", "",
                          long_doc, "War \xe2\x80\xa8 and peace."};
    kw_index *ix = build(docs, 5), *plain = build(docs, 5);
    CHECK(ix && plain);
    if (!ix || !plain)
        return;
    values_of(ix);
    CHECK(ix->spans.gap == NULL);
    CHECK(kw_index_add_type_attr(ix, "lemma", tv.ptrs, tv.lens, NULL) == KW_OK);
    CHECK(kw_index_n_attrs(ix) == 2 && strcmp(kw_index_attr_name(ix, 1), "lemma") == 0);
    check_attr(ix, 1);
    CHECK(ix->spans.gap != NULL && ix->spans.n_escapes == 2);
    /* Lines read from the recorded spans are those the tokenizer gives. */
    static char long_token[301];
    memset(long_token, 'x', 300);
    const char *queries[] = {"peace",
                             "war",
                             long_token,
                             "\xc3\xbc"
                             "ber",
                             "\xc3\xa9te",
                             "7"};
    for (size_t q = 0; q < 6; q++)
        check_same_lines(ix, plain, queries[q]);
    /* A second attribute, after the spans are there. */
    CHECK(kw_index_add_type_attr(ix, "second", tv.ptrs, tv.lens, NULL) == KW_OK);
    check_attr(ix, 2);

    /* Saved and loaded where the host saves (little-endian: kw_core.h). */
    size_t len = 0, len2;
    unsigned char *file = host_is_little_endian() ? save(ix, "", &len) : NULL;
    kw_index *back = NULL;
    kw_load_error err;
    CHECK(!host_is_little_endian() || (file && load(file, len, &back, &err) == KW_OK));
    if (back) {
        CHECK(kw_index_n_attrs(back) == 3);
        check_attr(back, 1);
        check_attr(back, 2);
        for (size_t q = 0; q < 6; q++)
            check_same_lines(back, plain, queries[q]);
        unsigned char *again = save(back, "", &len2);
        CHECK(again && len2 == len && memcmp(again, file, len) == 0);
        free(again);
        /* A loaded index reads its bytes in place: nothing is added to it. */
        CHECK(kw_index_add_type_attr(back, "third", tv.ptrs, tv.lens, NULL) == KW_EINVAL);
        CHECK(kw_index_n_attrs(back) == 3);
        kw_index_free(back);
    }
    free(file);
    kw_index_free(ix);
    kw_index_free(plain);
}

static void test_refusals_leave_the_index_as_it_was(void)
{
    const char *docs[] = {"Peace and war."};
    kw_index *ix = build(docs, 1);
    CHECK(ix != NULL);
    if (!ix)
        return;
    values_of(ix);
    CHECK(kw_index_add_type_attr(ix, "word", tv.ptrs, tv.lens, NULL) == KW_EINVAL);
    CHECK(kw_index_add_type_attr(ix, "", tv.ptrs, tv.lens, NULL) == KW_EINVAL);
    const char *saved = tv.ptrs[1];
    tv.ptrs[1] = "\xff";
    CHECK(kw_index_add_type_attr(ix, "lemma", tv.ptrs, tv.lens, NULL) == KW_EUTF8);
    tv.ptrs[1] = saved;
    CHECK(kw_index_n_attrs(ix) == 1 && ix->spans.gap == NULL);
    CHECK(kw_index_add_type_attr(ix, "lemma", tv.ptrs, tv.lens, NULL) == KW_OK);
    CHECK(kw_index_add_type_attr(ix, "lemma", tv.ptrs, tv.lens, NULL) == KW_EINVAL);
    CHECK(kw_index_n_attrs(ix) == 2);
    kw_index_free(ix);
}

static int stop_now(void *ctx)
{
    (void)ctx;
    return 1;
}

/* A stop asked while the stream is written: KW_EINTR, nothing added. */
static void test_stopped(void)
{
    static char text[3 * (KW_POLL_EVERY + 10)];
    for (size_t i = 0; i < KW_POLL_EVERY + 10; i++) {
        text[3 * i] = i % 2 ? 'b' : 'a';
        text[3 * i + 1] = text[3 * i + 2] = ' ';
    }
    text[sizeof text - 1] = '\0';
    const char *docs[] = {text};
    kw_index *ix = build(docs, 1);
    CHECK(ix != NULL);
    if (!ix)
        return;
    values_of(ix);
    const kw_cancel cancel = {stop_now, NULL};
    CHECK(kw_index_add_type_attr(ix, "lemma", tv.ptrs, tv.lens, &cancel) == KW_EINTR);
    CHECK(kw_index_n_attrs(ix) == 1 && ix->spans.gap == NULL);
    CHECK(kw_index_add_type_attr(ix, "lemma", tv.ptrs, tv.lens, NULL) == KW_OK);
    check_attr(ix, 1);
    kw_index_free(ix);
}

int main(void)
{
    test_values_spans_and_lines();
    test_refusals_leave_the_index_as_it_was();
    test_stopped();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
