/*
 * fuzz_conllu.c: the CoNLL-U reader, on any bytes.
 *
 * Input is read into a builder with every CoNLL-U attribute. Malformed input
 * must be refused with a message and a line inside the input; input read
 * must give an index whose tokens lie inside their documents (each line of
 * a hit laid out inside its text), whose sentences and paragraphs lie inside
 * the tokens, and which saves and loads back to the same bytes.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kw_builder *b;
    FUZZ_CHECK(kw_builder_new(&kw_alloc_libc, &b) == KW_OK);
    FUZZ_CHECK(kw_builder_annotate(b, kw_conllu_attrs, KW_CONLLU_N_ATTRS, kw_conllu_structures,
                                   KW_CONLLU_N_STRUCTURES)
               == KW_OK);
    kw_parse_error err;
    kw_status st = kw_conllu_add(b, &kw_alloc_libc, (const char *)data, size, kw_conllu_attrs,
                                 KW_CONLLU_N_ATTRS, NULL, NULL, NULL, &err);
    kw_index *ix;
    if (!fuzz_check_read(st, &err, data, size) || kw_builder_finish(b, &ix) != KW_OK) {
        kw_builder_free(b);
        return 0;
    }
    fuzz_check_annotated(ix);
    return 0;
}
