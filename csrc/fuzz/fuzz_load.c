/*
 * fuzz_load.c: the saved-file loader, on any bytes.
 *
 * Before loading, the harness writes into the input the checksums its
 * bytes would need (for every section whose table entry lies inside the
 * input, 20 or 21 as byte 12 says, then the header's), as someone altering a file on purpose would:
 * so the fuzzer gets past the checksums to every other check of kw_file.c.
 * Input shorter than the header is loaded as it is. An index that loads
 * must save back to exactly the bytes it was loaded from, and answer
 * queries for its forms, lay out lines, sort and count without reading
 * outside the file (ASan watches the copy, which is exactly input-sized).
 */
#include "fuzz_common.h"

#define HEADER_BYTES 64
#define ENTRY_BYTES 32
#define MAX_SECTIONS 21 /* format version 2, annotated */

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void fix_checksums(uint8_t *data, size_t size)
{
    if (size < HEADER_BYTES)
        return;
    /* As many sections as the header says, if the loader would take it. */
    const unsigned n_sections = data[12] == MAX_SECTIONS ? MAX_SECTIONS : MAX_SECTIONS - 1;
    const size_t table_end = HEADER_BYTES + n_sections * ENTRY_BYTES;
    if (size < table_end)
        return;
    for (unsigned id = 1; id <= n_sections; id++) {
        uint8_t *entry = data + HEADER_BYTES + (id - 1) * ENTRY_BYTES;
        uint64_t offset = get64(entry + 8), length = get64(entry + 16);
        if (offset <= size && length <= size - offset)
            put64(entry + 24, kw_checksum(data + offset, (size_t)length, id));
    }
    /* The header's checksum covers bytes 0 .. 55 and the table. */
    uint8_t covered[56 + MAX_SECTIONS * ENTRY_BYTES];
    memcpy(covered, data, 56);
    memcpy(covered + 56, data + HEADER_BYTES, table_end - HEADER_BYTES);
    put64(data + 56, kw_checksum(covered, 56 + table_end - HEADER_BYTES, 0));
}

typedef struct sink {
    const uint8_t *expected;
    size_t size, written;
    int same;
} sink;

static int compare(void *ctx, const void *bytes, size_t n)
{
    sink *s = ctx;
    if (n > s->size - s->written || memcmp(s->expected + s->written, bytes, n) != 0)
        s->same = 0;
    else
        s->written += n;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* malloc aligns to 16 bytes, as the loader needs 8; ASan guards the end. */
    uint8_t *copy = malloc(size ? size : 1);
    FUZZ_CHECK(copy);
    memcpy(copy, data, size);
    fix_checksums(copy, size);
    kw_index *ix = NULL;
    const void *blob;
    size_t blob_len;
    kw_load_error err;
    kw_status status = kw_index_load(copy, size, &kw_alloc_libc, &ix, &blob, &blob_len, &err);
    if (status != KW_OK) {
        FUZZ_CHECK(status == KW_EFORMAT || status == KW_ENOMEM);
        FUZZ_CHECK(status != KW_EFORMAT || memchr(err.message, 0, sizeof err.message));
        free(copy);
        return 0;
    }
    FUZZ_CHECK((const uint8_t *)blob >= copy && blob_len <= size
               && (const uint8_t *)blob - copy <= (ptrdiff_t)(size - blob_len));

    sink s = {copy, size, 0, 1};
    FUZZ_CHECK(kw_index_saved_size(ix, blob_len) == size);
    if (kw_index_save(ix, blob, blob_len, compare, &s) == KW_OK)
        FUZZ_CHECK(s.same && s.written == size);

    /* Queries over the vocabulary, as a user's would run. Lines of an
     * altered file may be wrong, but must be laid out inside it. */
    size_t n_types = kw_index_n_types(ix);
    kw_context contexts[3] = {
        {3, 3, 0, KW_BOUND_NONE}, {0, 0, 20, KW_BOUND_SENTENCE}, {5, 1, 0, KW_BOUND_PARAGRAPH}};
    kw_sort_key keys[3] = {{KW_SORT_RIGHT, 1, 0}, {KW_SORT_LEFT, 2, 0}, {KW_SORT_MATCH, 0, 0}};
    for (size_t t = 0; t < n_types && t < 16; t++) {
        size_t len;
        const char *form = kw_index_type_form(ix, (uint32_t)t, &len);
        for (int exact = 0; exact < 2; exact++) {
            kw_hits *h, *sorted;
            size_t bad;
            if (kw_index_find(ix, form, len, exact, &h, &bad) != KW_OK)
                continue;
            for (size_t i = 0; i < kw_hits_count(h) && i < 64; i++) {
                kw_line line;
                kw_line_at(ix, h, i, &contexts[(t + i) % 3], NULL, &line);
                size_t n_bytes;
                kw_index_doc_text(ix, line.doc, &n_bytes);
                FUZZ_CHECK(line.doc < kw_index_n_docs(ix) && line.right_end <= n_bytes);
            }
            if (kw_hits_sort(ix, h, keys, 3, NULL, &sorted) == KW_OK)
                kw_hits_free(sorted);
            kw_table *table;
            if (kw_hits_collocates(ix, h, 2, 2, 0, NULL, &table) == KW_OK)
                kw_table_free(table);
            kw_hits_free(h);
        }
    }
    /* The annotation: every value, posting and region a query may read. */
    for (size_t a = 0; a < ix->n_attrs; a++) {
        const kw_attr *attr = &ix->attrs[a];
        for (size_t pos = 0; pos < ix->n_tokens; pos++)
            FUZZ_CHECK(kw_attr_type(attr, pos) < attr->forms.n);
        for (uint32_t g = 0; g < attr->n_groups && g < 64; g++) {
            kw_postings it;
            uint32_t pos, last = 0;
            size_t seen = 0;
            kw_attr_postings(attr, g, &it);
            /* Loading checks the order of an annotation's postings; word's
             * it leaves to the checksum, which this harness recomputes. */
            while (kw_postings_next(&it, &pos)) {
                FUZZ_CHECK(pos < ix->n_tokens && (a == 0 || seen == 0 || pos > last));
                last = pos;
                seen++;
            }
        }
    }
    /* A plain file's s and p are found in its text, which the token stream
     * may not match in a file altered with its checksums recomputed. */
    FUZZ_CHECK(kw_index_find_structures(ix, NULL) == KW_OK);
    for (size_t st = 0; st < ix->n_structures; st++) {
        const kw_structure *s = kw_index_structure(ix, st);
        for (size_t i = 0; i < s->n; i++)
            FUZZ_CHECK(s->start[i] <= s->end[i] && s->end[i] <= ix->n_tokens
                       && (i == 0 || s->start[i] >= s->end[i - 1]));
    }
    kw_table *table;
    if (kw_index_freq(ix, 0, NULL, &table) == KW_OK)
        kw_table_free(table);
    if (kw_index_ngrams(ix, 2, 1, NULL, &table) == KW_OK)
        kw_table_free(table);
    kw_index_free(ix);
    free(copy);
    return 0;
}
