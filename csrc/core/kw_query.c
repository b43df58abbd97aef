/*
 * kw_query.c: word and phrase queries (see kw_core.h).
 *
 * Each slot of a query is compiled to a test of one token: its surface type
 * or fold group, a bitmap over types or groups, or any word; and to an
 * estimate of how many positions match it, read from the postings. The
 * slot with the fewest is the anchor: its positions (its groups' postings,
 * merged by a radix sort when there are several) are the candidates, and
 * each candidate is checked slot by slot against the token stream and must
 * lie inside one document. A folded single word needs no check: its hits
 * are its group's postings, borrowed without a copy.
 */
#include <string.h>

#include "kw_alloc.h"
#include "kw_hits.h"
#include "kw_index.h"
#include "kw_strtab.h"
#include "kw_text.h"

/* A slot made ready to test tokens: one key, or a bitmap over type or
 * group ids, and how many positions its postings hold at most. */
enum { MATCH_NOTHING, MATCH_TYPE, MATCH_GROUP, MATCH_TYPE_SET, MATCH_GROUP_SET, MATCH_ANY_WORD };

typedef struct compiled_slot {
    int how;
    uint32_t key;
    uint8_t *bits;
    size_t estimate;
} compiled_slot;

static inline int has_bit(const uint8_t *bits, uint32_t i) { return bits[i >> 3] >> (i & 7) & 1; }
static inline void set_bit(uint8_t *bits, uint32_t i) { bits[i >> 3] |= (uint8_t)(1u << (i & 7)); }

static inline size_t group_size(const kw_index *ix, uint32_t g)
{
    return ix->post_start[g + 1] - ix->post_start[g];
}

static inline int slot_matches(const kw_index *ix, const compiled_slot *s, size_t pos)
{
    uint32_t type = kw_tok(ix, pos);
    switch (s->how) {
    case MATCH_TYPE:
        return type == s->key;
    case MATCH_GROUP:
        return ix->group_of[type] == s->key;
    case MATCH_TYPE_SET:
        return has_bit(s->bits, type);
    case MATCH_GROUP_SET:
        return has_bit(s->bits, ix->group_of[type]);
    case MATCH_ANY_WORD:
        return ix->is_word[type];
    default:
        return 0;
    }
}

static uint8_t *new_bitmap(const kw_alloc *a, size_t n_bits)
{
    uint8_t *bits = kw_malloc(a, n_bits / 8 + 1);
    if (bits)
        memset(bits, 0, n_bits / 8 + 1);
    return bits;
}

/* The groups a set slot draws its candidates from: a bitmap over groups. */
static kw_status groups_of_set(const kw_index *ix, const compiled_slot *s, uint8_t **out)
{
    if (s->how == MATCH_GROUP_SET) {
        *out = NULL;
        return KW_OK;
    }
    uint8_t *groups = new_bitmap(&ix->alloc, ix->folded.n);
    if (!groups)
        return KW_ENOMEM;
    for (uint32_t t = 0; t < ix->surface.n; t++)
        if (has_bit(s->bits, t))
            set_bit(groups, ix->group_of[t]);
    *out = groups;
    return KW_OK;
}

static kw_status compile_slot(const kw_index *ix, const kw_slot *slot, int exact, char *scratch,
                              compiled_slot *c)
{
    const kw_alloc *a = &ix->alloc;
    c->how = MATCH_NOTHING;
    if (slot->kind == KW_SLOT_ANY_WORD) {
        c->how = MATCH_ANY_WORD;
        c->estimate = ix->n_tokens + 1; /* never the anchor while another slot can be */
        return KW_OK;
    }
    if (slot->kind == KW_SLOT_FORM) {
        const char *form = slot->form;
        size_t len = slot->form_len;
        if (exact) {
            if (kw_strtab_find(&ix->surface, form, len, kw_hash(form, len), &c->key)) {
                c->how = MATCH_TYPE;
                c->estimate = group_size(ix, ix->group_of[c->key]);
            }
            return KW_OK;
        }
        if (kw_utf8_folds(form, len)) {
            len = kw_fold_utf8(form, len, scratch);
            form = scratch;
        }
        if (kw_strtab_find(&ix->folded, form, len, kw_hash(form, len), &c->key)) {
            c->how = MATCH_GROUP;
            c->estimate = group_size(ix, c->key);
        }
        return KW_OK;
    }
    int by_type = slot->kind == KW_SLOT_TYPES;
    size_t limit = by_type ? ix->surface.n : ix->folded.n;
    for (size_t k = 0; k < slot->n_ids; k++)
        if (slot->ids[k] >= limit)
            return KW_EINVAL;
    if (slot->n_ids == 0)
        return KW_OK;
    if (!(c->bits = new_bitmap(a, limit)))
        return KW_ENOMEM;
    for (size_t k = 0; k < slot->n_ids; k++)
        set_bit(c->bits, slot->ids[k]);
    c->how = by_type ? MATCH_TYPE_SET : MATCH_GROUP_SET;
    uint8_t *groups;
    kw_status st = groups_of_set(ix, c, &groups);
    if (st != KW_OK)
        return st;
    const uint8_t *counted = groups ? groups : c->bits;
    for (uint32_t g = 0; g < ix->folded.n; g++)
        if (has_bit(counted, g))
            c->estimate += group_size(ix, g);
    kw_free(a, groups);
    return KW_OK;
}

/* LSD radix, a byte at a time, skipping bytes that every position shares. */
kw_status kw_sort_positions(const kw_alloc *a, uint32_t *v, size_t n)
{
    if (n < 2)
        return KW_OK;
    uint32_t *tmp = kw_malloc(a, n * sizeof *tmp);
    if (!tmp)
        return KW_ENOMEM;
    uint32_t *from = v, *to = tmp;
    for (unsigned shift = 0; shift < 32; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((from[i] >> shift) & 0xFF) + 1]++;
        if (count[((from[0] >> shift) & 0xFF) + 1] == n)
            continue;
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            to[count[(from[i] >> shift) & 0xFF]++] = from[i];
        uint32_t *swap = from;
        from = to;
        to = swap;
    }
    if (from != v)
        memcpy(v, from, n * sizeof *v);
    kw_free(a, tmp);
    return KW_OK;
}

/* The positions where the anchor slot matches, ascending, in a new array
 * of at most c->estimate entries (*n set). */
static kw_status anchor_positions(const kw_index *ix, const compiled_slot *c, uint32_t **out,
                                  size_t *n)
{
    const kw_alloc *a = &ix->alloc;
    size_t cap = c->how == MATCH_ANY_WORD ? ix->n_tokens : c->estimate;
    uint32_t *pos = kw_malloc(a, cap * sizeof *pos);
    if (!pos)
        return KW_ENOMEM;
    size_t k = 0;
    kw_status st = KW_OK;
    if (c->how == MATCH_ANY_WORD) {
        for (size_t p = 0; p < ix->n_tokens; p++)
            if (ix->is_word[kw_tok(ix, p)])
                pos[k++] = (uint32_t)p;
    } else if (c->how == MATCH_TYPE || c->how == MATCH_GROUP) {
        uint32_t g = c->how == MATCH_GROUP ? c->key : ix->group_of[c->key];
        for (uint32_t i = ix->post_start[g]; i < ix->post_start[g + 1]; i++)
            if (slot_matches(ix, c, ix->post[i]))
                pos[k++] = ix->post[i];
    } else {
        uint8_t *groups = NULL;
        size_t n_groups_used = 0;
        if ((st = groups_of_set(ix, c, &groups)) == KW_OK) {
            const uint8_t *from = groups ? groups : c->bits;
            for (uint32_t g = 0; g < ix->folded.n; g++) {
                if (!has_bit(from, g))
                    continue;
                n_groups_used++;
                for (uint32_t i = ix->post_start[g]; i < ix->post_start[g + 1]; i++)
                    if (slot_matches(ix, c, ix->post[i]))
                        pos[k++] = ix->post[i];
            }
            kw_free(a, groups);
            /* Each group's postings ascend; several need merging. */
            if (n_groups_used > 1)
                st = kw_sort_positions(a, pos, k);
        }
    }
    if (st != KW_OK) {
        kw_free(a, pos);
        return st;
    }
    *out = pos;
    *n = k;
    return KW_OK;
}

/* Candidates come from the slot with the fewest postings; each is checked
 * slot by slot against the token stream and must lie inside one document. */
static kw_status match_slots(const kw_index *ix, const compiled_slot *cs, size_t m, kw_hits *h)
{
    size_t anchor = 0;
    for (size_t j = 1; j < m; j++)
        if (cs[j].estimate < cs[anchor].estimate)
            anchor = j;
    if (cs[anchor].how == MATCH_NOTHING)
        return KW_OK;
    if (m == 1 && cs[0].how == MATCH_GROUP) {
        /* A folded single word is exactly its group's postings: no copy. */
        h->pos = ix->post + ix->post_start[cs[0].key];
        h->n = group_size(ix, cs[0].key);
        return KW_OK;
    }
    uint32_t *cand;
    size_t n_cand;
    kw_status st = anchor_positions(ix, &cs[anchor], &cand, &n_cand);
    if (st != KW_OK)
        return st;
    size_t n = 0;
    for (size_t k = 0; k < n_cand; k++) {
        size_t p = cand[k];
        if (p < anchor || p - anchor + m > ix->n_tokens)
            continue;
        size_t first = p - anchor;
        size_t j = 0;
        while (j < m && (j == anchor || slot_matches(ix, &cs[j], first + j)))
            j++;
        if (j < m)
            continue;
        if (m > 1) {
            size_t doc = kw_index_doc_of(ix, (uint32_t)first);
            if (ix->doc_tok[doc + 1] < first + m)
                continue;
        }
        cand[n++] = (uint32_t)first; /* n <= k: overwrites only what was read */
    }
    h->owned = cand;
    h->pos = cand;
    h->n = n;
    return KW_OK;
}

kw_status kw_index_match(const kw_index *ix, const kw_slot *slots, size_t n_slots, int exact,
                         kw_hits **out)
{
    const kw_alloc *a = &ix->alloc;
    if (n_slots == 0)
        return KW_EEMPTY;
    if (n_slots > UINT32_MAX || n_slots > SIZE_MAX / sizeof(compiled_slot))
        return KW_ETOOBIG;
    size_t longest = 0;
    for (size_t j = 0; j < n_slots; j++)
        if (slots[j].kind == KW_SLOT_FORM && slots[j].form_len > longest)
            longest = slots[j].form_len;
    if (longest > SIZE_MAX / KW_FOLD_GROWTH)
        return KW_ETOOBIG;

    compiled_slot *cs = kw_malloc(a, n_slots * sizeof *cs);
    char *scratch = kw_malloc(a, longest * KW_FOLD_GROWTH);
    kw_hits *h = NULL;
    kw_status st = KW_ENOMEM;
    if (cs)
        memset(cs, 0, n_slots * sizeof *cs);
    if (!cs || !scratch || (st = kw_hits_new(a, (uint32_t)n_slots, &h)) != KW_OK)
        goto done;
    for (size_t j = 0; j < n_slots; j++)
        if ((st = compile_slot(ix, &slots[j], exact, scratch, &cs[j])) != KW_OK)
            goto done;
    st = match_slots(ix, cs, n_slots, h);

done:
    for (size_t j = 0; cs && j < n_slots; j++)
        kw_free(a, cs[j].bits);
    kw_free(a, cs);
    kw_free(a, scratch);
    if (st != KW_OK) {
        kw_hits_free(h);
        return st;
    }
    *out = h;
    return KW_OK;
}

/* The slots of kw_index_find's query, one a token, as kw_tokenize gives
 * them; `st` says why it was stopped. */
typedef struct form_slots {
    const kw_alloc *alloc;
    const char *query;
    kw_slot *slots;
    size_t n, cap;
    kw_status st;
} form_slots;

static int add_form_slot(void *ctx, const kw_tokspan *t)
{
    form_slots *f = ctx;
    if ((f->st = kw_reserve(f->alloc, (void **)&f->slots, &f->cap, f->n + 1, sizeof *f->slots))
        != KW_OK)
        return 1;
    kw_slot *slot = &f->slots[f->n++];
    memset(slot, 0, sizeof *slot);
    slot->kind = KW_SLOT_FORM;
    slot->form = f->query + t->begin;
    slot->form_len = t->end - t->begin;
    return 0;
}

kw_status kw_index_find(const kw_index *ix, const char *query, size_t n_bytes, int exact,
                        kw_hits **out, size_t *bad_offset)
{
    form_slots f = {&ix->alloc, query, NULL, 0, 0, KW_OK};
    kw_status st = kw_tokenize(query, n_bytes, add_form_slot, &f, bad_offset);
    if (st == KW_OK)
        st = f.st;
    if (st == KW_OK)
        st = f.n ? kw_index_match(ix, f.slots, f.n, exact, out) : KW_EEMPTY;
    kw_free(&ix->alloc, f.slots);
    return st;
}
