/*
 * fuzz_vrt.c: the VRT reader, on any bytes.
 *
 * Input is read into a builder with the attributes lemma and upos (three
 * columns) and the structures s, p and ne. Malformed input must be refused
 * with a message and a line inside the input; each document's <text>
 * attributes handed to the callback must lie inside the input; input read
 * must give an index that fuzz_check_annotated accepts.
 */
#include "fuzz_common.h"

static const char *const vrt_attrs[] = {"lemma", "upos"};
static const char *const vrt_structures[] = {"s", "p", "ne"};

typedef struct {
    const char *begin, *end;
} input_bounds;

static int text_attrs_inside(void *ctx, const char *attrs, size_t len)
{
    const input_bounds *in = ctx;
    FUZZ_CHECK(!attrs || (attrs >= in->begin && attrs + len <= in->end));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kw_builder *b;
    FUZZ_CHECK(kw_builder_new(&kw_alloc_libc, &b) == KW_OK);
    FUZZ_CHECK(kw_builder_annotate(b, vrt_attrs, 2, vrt_structures, 3) == KW_OK);
    kw_parse_error err;
    input_bounds in = {(const char *)data, (const char *)data + size};
    kw_status st =
        kw_vrt_add(b, &kw_alloc_libc, (const char *)data, size, text_attrs_inside, &in, NULL, &err);
    kw_index *ix;
    if (!fuzz_check_read(st, &err, data, size) || kw_builder_finish(b, &ix) != KW_OK) {
        kw_builder_free(b);
        return 0;
    }
    fuzz_check_annotated(ix);
    return 0;
}
