/*
 * kw_attr.h: positional attributes and structures, the annotation layer of
 * an index (DESIGN.md, "Annotated text"); internal to the core.
 *
 * A positional attribute gives every token of the corpus one value of a
 * vocabulary of its own (`word`, `lemma`, `upos`, ...): a token stream of
 * type ids and CSR postings, as the surface forms have. Attribute 0 of
 * every index is `word`, a view of the surface forms (kw_index.h), whose
 * postings are grouped by fold group, four bytes a position. An
 * annotation's own attributes have one postings group per type, delta-coded
 * (each position as its distance from the one before, the first from -1,
 * in LEB128: 7 bits a byte, low first, the high bit set on all but the
 * last byte), since a vocabulary as small as upos's gives gaps of a few
 * tokens, a byte each instead of four. kw_postings reads either kind.
 *
 * A structure (`text`, `s`, `p`) is a sorted list of regions, each a range
 * [start, end) of corpus-wide token positions inside one document; regions
 * do not overlap and may be empty. Structure 0 of every index is `text`,
 * the documents themselves.
 */
#ifndef KW_ATTR_H
#define KW_ATTR_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "kw_core.h"
#include "kw_strtab.h"

typedef struct kw_attr {
    const char *name;               /* NUL-terminated */
    kw_strtab forms;                /* the vocabulary: type id -> value (UTF-8) */
    const uint32_t *toks;           /* the type of each token, when tok_width is 4 */
    const unsigned char *tok_bytes; /* else tok_width (1, 2 or 3) bytes a token, little-endian */
    unsigned tok_width;
    const uint32_t *group_of; /* type -> postings group; NULL: each type is its own group */
    size_t n_groups;
    const uint32_t *post_start;  /* n_groups + 1: group g has post_start[g + 1] - post_start[g]
                                   * positions, at post[post_start[g]] .. (word) */
    const uint32_t *post;        /* word: every position, grouped, ascending within a group */
    const uint64_t *vpost_start; /* others: n_groups + 1 byte offsets into vpost */
    const unsigned char *vpost;  /* others: each group's positions, delta-coded */
    /* Beyond word: each type's rank in the byte order of the values, made
     * by the first call that needs it (kw_index_attr_ranks) and kept until
     * kw_index_free; NULL until then. */
    _Atomic(uint32_t *) rank;
} kw_attr;

/* The type of token `pos` under attribute a. */
static inline uint32_t kw_attr_type(const kw_attr *a, size_t pos)
{
    if (a->tok_width == 4)
        return a->toks[pos];
    const unsigned char *p = a->tok_bytes + pos * a->tok_width;
    switch (a->tok_width) {
    case 1:
        return p[0];
    case 2:
        return (uint32_t)p[0] | (uint32_t)p[1] << 8;
    default:
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    }
}

/* The postings group of a type: where its positions are. */
static inline uint32_t kw_attr_group(const kw_attr *a, uint32_t type)
{
    return a->group_of ? a->group_of[type] : type;
}

/* How many positions group g has. */
static inline size_t kw_attr_group_size(const kw_attr *a, uint32_t g)
{
    return a->post_start[g + 1] - a->post_start[g];
}

/* Reads the positions of one postings group in ascending order. */
typedef struct kw_postings {
    const uint32_t *u32;    /* word's, or NULL */
    const unsigned char *p; /* else the delta-coded bytes */
    size_t left;
    uint32_t last;
} kw_postings;

static inline void kw_attr_postings(const kw_attr *a, uint32_t g, kw_postings *it)
{
    it->left = kw_attr_group_size(a, g);
    it->u32 = a->post ? a->post + a->post_start[g] : NULL;
    it->p = a->post ? NULL : a->vpost + a->vpost_start[g];
    it->last = UINT32_MAX; /* -1, so that the first distance is the position + 1 */
}

/* 1 and the next position, or 0 after the last. */
static inline int kw_postings_next(kw_postings *it, uint32_t *pos)
{
    if (!it->left)
        return 0;
    it->left--;
    if (it->u32) {
        *pos = *it->u32++;
        return 1;
    }
    uint32_t gap = 0;
    unsigned shift = 0;
    unsigned char byte;
    do {
        byte = *it->p++;
        gap |= (uint32_t)(byte & 0x7F) << shift;
        shift += 7;
    } while (byte & 0x80);
    it->last += gap;
    *pos = it->last;
    return 1;
}

/* A copy of a's token stream and groups, for a loop that reads them at
 * every token: its stores (of uint32 counts, ranks, ...) could otherwise
 * alias a's width and make the compiler read a again each time. */
static inline kw_attr kw_attr_stream(const kw_attr *a)
{
    return (kw_attr){.toks = a->toks,
                     .tok_bytes = a->tok_bytes,
                     .tok_width = a->tok_width,
                     .group_of = a->group_of,
                     .n_groups = a->n_groups};
}

typedef struct kw_structure {
    const char *name;      /* NUL-terminated */
    const uint32_t *start; /* n: first token of each region, ascending */
    const uint32_t *end;   /* n: one past its last token */
    size_t n;
    /* KW_BOUND_NONE for a structure given with the index. A plain index
     * (tokenized by kwiq, no structure given) has s (KW_BOUND_SENTENCE) and
     * p (KW_BOUND_PARAGRAPH) besides, the stretches between the boundaries
     * of its text (kw_bounds.h): this entry stays empty, and the first
     * kw_index_find_structures puts them in `made`, NULL until then and
     * kept until kw_index_free. kw_index_structure reads either. */
    kw_bound found_by;
    _Atomic(struct kw_structure *) made;
} kw_structure;

/* The region of structure st holding token pos, or st->n when none does:
 * a binary search over the starts. */
size_t kw_structure_find(const kw_structure *st, uint32_t pos);

/* ---- building (kw_annot.c adds to these, kw_index.c finishes them) ---- */

typedef struct kw_attr_builder {
    char *name;
    kw_strtab forms;
    uint32_t *toks; /* one type id a token of the corpus */
    size_t toks_cap;
    size_t forms_mark; /* forms before the document being added */
} kw_attr_builder;

typedef struct kw_structure_builder {
    char *name;
    uint32_t *start, *end;
    size_t n, cap;
} kw_structure_builder;

/* A copy of name in a new builder; KW_ENOMEM. */
kw_status kw_attr_builder_init(kw_attr_builder *b, const kw_alloc *a, const char *name);
void kw_attr_builder_free(kw_attr_builder *b, const kw_alloc *a);
kw_status kw_structure_builder_init(kw_structure_builder *b, const kw_alloc *a, const char *name);
void kw_structure_builder_free(kw_structure_builder *b, const kw_alloc *a);

/* The attribute of n_tokens tokens that b built: its stream in the fewest
 * bytes a token that hold every type id, its postings by a counting sort
 * (one group a type). *out borrows b's name and forms (and its stream, at
 * 4 bytes a token) until kw_attr_builder_hand_over gives them to it, once
 * every part of the index is made; kw_attr_unfinish undoes a finish not
 * handed over. KW_ENOMEM, KW_EINTR: nothing made. */
kw_status kw_attr_finish(kw_attr_builder *b, const kw_alloc *a, size_t n_tokens,
                         const kw_cancel *cancel, kw_attr *out);
void kw_attr_unfinish(kw_attr *attr, const kw_alloc *a);
void kw_attr_builder_hand_over(kw_attr_builder *b, const kw_attr *finished, const kw_alloc *a);
/* The same for a structure: its arrays move into *out, trimmed. */
void kw_structure_finish(kw_structure_builder *b, kw_structure *out);

/* Free what kw_attr_finish or kw_structure_finish made. */
void kw_attr_free(kw_attr *attr, const kw_alloc *a);
void kw_structure_free(kw_structure *st, const kw_alloc *a);
/* Free what kw_index_find_structures put in st->made, if anything. */
void kw_structure_free_found(kw_structure *st, const kw_alloc *a);

#endif
