/*
 * fuzz_query.c: what the core does with queries, on a corpus made of the
 * input.
 *
 * Input: corpus text, a 0x00 byte, then a query program (no 0x00: the
 * whole input is the text and the program). The text is cut into
 * documents at every 0x1E byte and indexed (invalid UTF-8: nothing to do).
 * The program's first byte chooses exact case and the number of slots;
 * each slot is a kind byte followed by its operands: a form (a vocabulary
 * form by number, or bytes of the program when they are valid UTF-8), a
 * set of type or group ids (out-of-range ids included, which must give
 * KW_EINVAL), or any word. The hits of kw_index_match are compared with a
 * brute-force scan of the token stream, then laid out, sorted, merged and
 * counted with contexts the program chooses. The program's bytes are also
 * run as a query string through kw_index_find.
 */
#include "fuzz_common.h"

#define MAX_SLOTS 6
#define MAX_IDS 8

typedef struct program {
    const uint8_t *p, *end;
} program;

static unsigned next_byte(program *pr) { return pr->p < pr->end ? *pr->p++ : 0; }

static uint32_t next_u16(program *pr)
{
    uint32_t lo = next_byte(pr);
    return lo | next_byte(pr) << 8;
}

/* Whether token `type` (a surface type id) fits slot s, as kw_index_match
 * defines it. */
static int slot_fits(const kw_index *ix, const kw_slot *s, int exact, uint32_t type)
{
    size_t len;
    const char *form;
    switch (s->kind) {
    case KW_SLOT_ANY_WORD:
        return kw_index_type_is_word(ix, type);
    case KW_SLOT_TYPES:
        for (size_t i = 0; i < s->n_ids; i++)
            if (s->ids[i] == type)
                return 1;
        return 0;
    case KW_SLOT_GROUPS:
        for (size_t i = 0; i < s->n_ids; i++)
            if (s->ids[i] == kw_index_group_of(ix, type))
                return 1;
        return 0;
    case KW_SLOT_FORM:
        if (exact) {
            form = kw_index_type_form(ix, type, &len);
            return len == s->form_len && memcmp(form, s->form, len) == 0;
        } else {
            /* The folded form of the slot's text must be this type's group's form. */
            char *folded = malloc(KW_FOLD_GROWTH * s->form_len + 1);
            FUZZ_CHECK(folded);
            size_t n = kw_fold_utf8(s->form, s->form_len, folded);
            form = kw_index_group_form(ix, kw_index_group_of(ix, type), &len);
            int same = len == n && memcmp(form, folded, n) == 0;
            free(folded);
            return same;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *zero = memchr(data, 0, size);
    size_t text_len = zero ? (size_t)(zero - data) : size;
    program pr = {zero ? zero + 1 : data, data + size};
    kw_index *ix = fuzz_build(data, text_len, 0x1E);
    if (!ix)
        return 0;
    size_t n_types = kw_index_n_types(ix), n_groups = kw_index_n_groups(ix);
    size_t n_tokens = kw_index_n_tokens(ix);

    unsigned head = next_byte(&pr);
    int exact = head & 1;
    size_t n_slots = (head >> 1) % (MAX_SLOTS + 1); /* 0 slots: KW_EEMPTY */
    kw_slot slots[MAX_SLOTS];
    uint32_t ids[MAX_SLOTS][MAX_IDS];
    int out_of_range = 0, impossible = 0;
    for (size_t k = 0; k < n_slots; k++) {
        kw_slot *s = &slots[k];
        memset(s, 0, sizeof *s);
        unsigned kind = next_byte(&pr);
        s->kind = (kw_slot_kind)(kind % 4);
        if (s->kind == KW_SLOT_FORM) {
            size_t len = (kind >> 2) % 16;
            if (len && (size_t)(pr.end - pr.p) >= len && fuzz_valid_utf8(pr.p, len)) {
                s->form = (const char *)pr.p;
                s->form_len = len;
                pr.p += len;
            } else if (n_types) {
                uint32_t type = next_u16(&pr) % (uint32_t)n_types;
                s->form = kw_index_type_form(ix, type, &s->form_len);
            } else {
                s->form = "x";
                s->form_len = 1;
            }
        } else if (s->kind == KW_SLOT_TYPES || s->kind == KW_SLOT_GROUPS) {
            size_t limit = s->kind == KW_SLOT_TYPES ? n_types : n_groups;
            s->n_ids = (kind >> 2) % (MAX_IDS + 1);
            for (size_t i = 0; i < s->n_ids; i++) {
                ids[k][i] = next_u16(&pr) % (uint32_t)(limit + 2);
                out_of_range |= ids[k][i] >= limit;
            }
            s->ids = ids[k];
            impossible |= s->n_ids == 0;
        }
    }

    kw_hits *h = NULL;
    kw_status status = kw_index_match(ix, slots, n_slots, exact, &h);
    if (status == KW_ENOMEM)
        goto done;
    if (n_slots == 0) {
        FUZZ_CHECK(status == KW_EEMPTY);
        goto find;
    }
    if (out_of_range) {
        FUZZ_CHECK(status == KW_EINVAL);
        goto find;
    }
    FUZZ_CHECK(status == KW_OK);
    /* Brute force: every position where each slot fits the next token, in
     * one document. */
    size_t expected = 0, i = 0;
    for (size_t d = 0; d < kw_index_n_docs(ix); d++) {
        size_t first = 0;
        for (size_t dd = 0; dd < d; dd++)
            first += kw_index_doc_n_tokens(ix, dd);
        size_t last = first + kw_index_doc_n_tokens(ix, d);
        for (size_t pos = first; pos + n_slots <= last; pos++) {
            int fits = !impossible;
            for (size_t k = 0; fits && k < n_slots; k++)
                fits = slot_fits(ix, &slots[k], exact, kw_tok(ix, pos + k));
            if (!fits)
                continue;
            FUZZ_CHECK(i < kw_hits_count(h) && kw_hits_position(h, i) == pos);
            FUZZ_CHECK(kw_hits_length(h, i) == n_slots && kw_hits_query(h, i) == 0);
            i++;
            expected++;
        }
    }
    FUZZ_CHECK(kw_hits_count(h) == expected);
    FUZZ_CHECK(n_tokens >= expected);

    /* Lines, sorts, statistics and merging over the hits. */
    kw_context ctx = {next_byte(&pr) % 8, next_byte(&pr) % 8,
                      next_byte(&pr) % 3 ? 0 : next_byte(&pr), (kw_bound)(next_byte(&pr) % 3)};
    fuzz_check_lines(ix, h, &ctx, 128);
    fuzz_check_columns(ix, h, &ctx);
    kw_sort_key keys[3];
    size_t n_keys = next_byte(&pr) % 4;
    for (size_t k = 0; k < n_keys; k++) {
        unsigned key = next_byte(&pr);
        keys[k].by = (kw_sort_by)(key % 5);
        keys[k].word = 1 + (key >> 3) % 6;
        keys[k].attr = (uint32_t)((key >> 6) % kw_index_n_attrs(ix));
    }
    kw_hits *sorted;
    if (kw_hits_sort(ix, h, keys, n_keys, NULL, &sorted) == KW_OK) {
        FUZZ_CHECK(kw_hits_count(sorted) == kw_hits_count(h));
        fuzz_check_lines(ix, sorted, &ctx, 128);
        fuzz_check_columns(ix, sorted, &ctx);
        kw_hits_free(sorted);
    }
    /* Merging ascending lists (as kw_hits_merge expects): each hit twice,
     * query 0 before query 1. */
    kw_hits *parts[2] = {h, h};
    kw_hits *merged;
    if (kw_hits_merge(&kw_alloc_libc, parts, 2, NULL, &merged) == KW_OK) {
        FUZZ_CHECK(kw_hits_count(merged) == 2 * kw_hits_count(h));
        for (size_t m = 0; m < kw_hits_count(merged); m++) {
            FUZZ_CHECK(kw_hits_position(merged, m) == kw_hits_position(h, m / 2));
            FUZZ_CHECK(kw_hits_query(merged, m) == m % 2);
        }
        kw_hits_free(merged);
    }
    kw_table *table;
    if (kw_hits_collocates(ix, h, ctx.left, ctx.right, (int)(ctx.left & 1), NULL, &table) == KW_OK)
        kw_table_free(table);
    if (kw_hits_clusters(ix, h, 1 + ctx.left % KW_MAX_GRAM, ctx.right & 1, 1, &table) == KW_OK)
        kw_table_free(table);

find:
    kw_hits_free(h);
    h = NULL;
    {
        size_t bad = 0;
        size_t len = (size_t)(pr.end - pr.p);
        status = kw_index_find(ix, (const char *)pr.p, len, exact, &h, &bad);
        if (status == KW_EUTF8)
            FUZZ_CHECK(bad < len && !fuzz_valid_utf8(pr.p, len));
        else if (status == KW_OK)
            fuzz_check_lines(ix, h, &(kw_context){3, 3, 0, KW_BOUND_PARAGRAPH}, 128);
        else
            FUZZ_CHECK(status == KW_EEMPTY || status == KW_ENOMEM);
    }
done:
    kw_hits_free(h);
    kw_index_free(ix);
    return 0;
}
