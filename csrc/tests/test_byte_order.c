/*
 * test_byte_order.c: what a saved index does on each byte order. The
 * fixture tests/data/saved-little-endian.kwiq holds CORPUS as saved on a
 * little-endian machine, with the blob "ids". On a little-endian host it
 * loads and answers as CORPUS built afresh; on a big-endian one (s390x
 * under qemu, tools/cross_check.py) saving is refused with KW_EINVAL and
 * loading with KW_EFORMAT, the message naming the byte order, while the
 * index built in memory answers the same.
 *
 * Run from the repository's root. To write the fixture again (on a
 * little-endian machine): build this program and run it with
 * `--write tests/data/saved-little-endian.kwiq`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kw_core.h"
#include "kw_endian.h"
#include "test_support.h"

/* Counted by the core in the C tests' build (-DKW_COUNT_STEPS, kw_steps.h). */
uint64_t kw_steps;

#define FIXTURE "tests/data/saved-little-endian.kwiq"

static const char *const CORPUS[] = {
    "Die Stra\xc3\x9f"
    "e entlang, the STRASSE and the street: one two three two.",
    "\xe5\x92\x8c \xc3\xa9t\xc3\xa9 one, One, ONE; the end.",
};
static const char *const QUERIES[] = {"the",
                                      "one",
                                      "two",
                                      ("Stra\xc3\x9f"
                                       "e"),
                                      "\xc3\xa9t\xc3\xa9",
                                      "\xe5\x92\x8c",
                                      "street",
                                      "absent"};
enum { N_DOCS = sizeof CORPUS / sizeof *CORPUS, N_QUERIES = sizeof QUERIES / sizeof *QUERIES };

static kw_index *build_corpus(void)
{
    kw_builder *b;
    kw_index *ix = NULL;
    size_t bad;
    if (kw_builder_new(&kw_alloc_libc, &b) != KW_OK)
        return NULL;
    for (size_t i = 0; i < N_DOCS; i++)
        if (kw_builder_add(b, CORPUS[i], strlen(CORPUS[i]), &bad) != KW_OK) {
            kw_builder_free(b);
            return NULL;
        }
    if (kw_builder_finish(b, &ix) != KW_OK)
        kw_builder_free(b);
    return ix;
}

static size_t count(const kw_index *ix, const char *query)
{
    kw_hits *h;
    size_t bad;
    if (kw_index_find(ix, query, strlen(query), 0, &h, &bad) != KW_OK)
        return (size_t)-1;
    size_t n = kw_hits_count(h);
    kw_hits_free(h);
    return n;
}

/* The fixture's bytes in a malloc'd (so 8-byte aligned) buffer. */
static unsigned char *read_fixture(size_t *len)
{
    FILE *f = fopen(FIXTURE, "rb");
    if (!f)
        return NULL;
    unsigned char *data = NULL;
    long size;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0
        && (data = malloc((size_t)size)) && fread(data, 1, (size_t)size, f) != (size_t)size) {
        free(data);
        data = NULL;
    }
    fclose(f);
    *len = data ? (size_t)size : 0;
    return data;
}

static int write_fixture(const kw_index *ix, const char *path)
{
    size_t len;
    unsigned char *bytes = save(ix, "ids", &len);
    FILE *f = bytes ? fopen(path, "wb") : NULL;
    int ok = f && fwrite(bytes, 1, len, f) == len;
    if (f)
        ok &= fclose(f) == 0;
    free(bytes);
    fprintf(stderr, ok ? "wrote %s\n" : "could not write %s\n", path);
    return !ok;
}

static void test_little_endian(const kw_index *ix, const unsigned char *file, size_t len)
{
    kw_index *back = NULL;
    const void *blob;
    size_t blob_len;
    kw_load_error err;
    CHECK(kw_index_load(file, len, &kw_alloc_libc, &back, &blob, &blob_len, &err) == KW_OK);
    if (!back)
        return;
    CHECK(blob_len == 3 && memcmp(blob, "ids", 3) == 0);
    CHECK(kw_index_n_docs(back) == N_DOCS);
    CHECK(kw_index_n_tokens(back) == kw_index_n_tokens(ix));
    CHECK(kw_index_n_types(back) == kw_index_n_types(ix));
    for (size_t q = 0; q < N_QUERIES; q++)
        CHECK(count(back, QUERIES[q]) == count(ix, QUERIES[q]));
    kw_index_free(back);
}

static void test_big_endian(const kw_index *ix, const unsigned char *file, size_t len)
{
    membuf m = {NULL, 0, 0, 0, -1};
    CHECK(kw_index_save(ix, "ids", 3, membuf_write, &m) == KW_EINVAL);
    CHECK(m.len == 0);
    free(m.data);

    kw_index *back = NULL;
    const void *blob;
    size_t blob_len;
    kw_load_error err;
    CHECK(kw_index_load(file, len, &kw_alloc_libc, &back, &blob, &blob_len, &err) == KW_EFORMAT);
    CHECK(back == NULL);
    CHECK(err.section == 0 && err.offset == 0);
    CHECK(strstr(err.message, "big-endian") && strstr(err.message, "little-endian"));
    printf("big-endian load: %s\n", err.message);
}

int main(int argc, char **argv)
{
    kw_index *ix = build_corpus();
    CHECK(ix != NULL);
    if (!ix)
        return 1;
    if (argc == 3 && strcmp(argv[1], "--write") == 0 && host_is_little_endian())
        return write_fixture(ix, argv[2]);
    /* The index in memory answers whatever the byte order: hand-counted. */
    CHECK(count(ix, "the") == 3 && count(ix, "one") == 4 && count(ix, "two") == 2);
    CHECK(count(ix, "Stra\xc3\x9f"
                    "e")
              == 2
          && count(ix, "STRASSE") == 2); /* ß folds to ss */
    CHECK(count(ix, "\xc3\xa9t\xc3\xa9") == 1 && count(ix, "absent") == 0);

    size_t len;
    unsigned char *file = read_fixture(&len);
    CHECK(file != NULL);
    if (file) {
        if (host_is_little_endian())
            test_little_endian(ix, file, len);
        else
            test_big_endian(ix, file, len);
    }
    free(file);
    kw_index_free(ix);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
