/*
 * kw_internal.h: layouts shared by the core's .c files; not part of the API.
 */
#ifndef KW_INTERNAL_H
#define KW_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "kw_core.h"

static inline void *kw_malloc(const kw_alloc *a, size_t n) { return a->malloc(a->ctx, n ? n : 1); }
static inline void kw_free(const kw_alloc *a, void *p) { if (p) a->free(a->ctx, p); }

/* Grow *array so that it holds at least `need` elements of `size` bytes,
 * doubling the capacity. Fails without touching the array when the
 * allocation fails or the byte count would overflow. */
kw_status kw_reserve(const kw_alloc *a, void **array, size_t *cap, size_t need, size_t size);

/* The same, growing to exactly `need`: for arrays whose final size is
 * known, where doubling would only leave slack. */
kw_status kw_reserve_exact(const kw_alloc *a, void **array, size_t *cap, size_t need,
                           size_t size);

/* 64-bit hash of a byte string: word-at-a-time multiply-xorshift mixing. */
uint64_t kw_hash(const char *s, size_t n);

/*
 * A string table: interns byte strings to dense uint32 ids in insertion
 * order. Forms live back to back in one arena; an open-addressing table of
 * id+1 (0 marks an empty slot) with linear probing, at most half full, and
 * the hash of every form kept beside it so probes compare 32 bits first and
 * growth never rehashes a string.
 */
typedef struct kw_strtab {
    char *arena;
    size_t arena_len, arena_cap;
    uint64_t *offsets;  /* n + 1 entries once n > 0: form i is arena[offsets[i], offsets[i+1]) */
    uint32_t *hashes;
    size_t n, cap;
    uint32_t *slots;
    size_t mask;        /* slot count - 1; slot count a power of two */
} kw_strtab;

void kw_strtab_init(kw_strtab *t);
void kw_strtab_free(kw_strtab *t, const kw_alloc *a);
/* The id of s, added if new (*added set to 1). */
kw_status kw_strtab_intern(kw_strtab *t, const kw_alloc *a, const char *s, size_t n,
                           uint64_t hash, uint32_t *id, int *added);
/* 1 and *id if s is present, else 0. */
int kw_strtab_find(const kw_strtab *t, const char *s, size_t n, uint64_t hash, uint32_t *id);
/* Forget every id >= n (to undo a failed document). */
void kw_strtab_truncate(kw_strtab *t, size_t n);

static inline const char *kw_strtab_form(const kw_strtab *t, uint32_t id, size_t *len)
{
    *len = (size_t)(t->offsets[id + 1] - t->offsets[id]);
    return t->arena + t->offsets[id];
}

/* Every KW_CHECKPOINT-th token of a document (the 32nd, 64th, ...; its
 * first token starts at offset 0) records where it starts, so offsets of any
 * token are recovered by re-scanning fewer than KW_CHECKPOINT tokens instead
 * of storing 16 bytes of offsets per token. Checkpoints are per document and
 * relative to it, so a document's run of them moves unchanged when builders
 * are joined or an index is saved. */
#define KW_CHECKPOINT 32

typedef struct kw_checkpoint {
    uint64_t byte;  /* from the start of its document */
    uint64_t chars; /* code points before it in its document */
} kw_checkpoint;

struct kw_builder {
    kw_alloc alloc;
    char *text;
    size_t text_len, text_cap;
    uint64_t *doc_byte;   /* n_docs + 1 */
    uint32_t *doc_tok;    /* n_docs + 1 */
    uint32_t *doc_ck;     /* n_docs + 1: the checkpoints of doc d are [doc_ck[d], doc_ck[d+1]) */
    size_t n_docs, docs_cap;
    uint32_t *toks;       /* surface type of every token */
    size_t n_tokens, toks_cap;
    kw_checkpoint *checkpoints;
    size_t n_checkpoints, checkpoints_cap;
    kw_strtab surface;
    uint8_t *is_word;     /* per surface type */
    size_t is_word_cap;
};

struct kw_index {
    kw_alloc alloc;
    char *text;
    size_t text_len;
    uint64_t *doc_byte;
    uint32_t *doc_tok;
    uint32_t *doc_ck;
    size_t n_docs;
    uint32_t *toks;       /* surface type of every token; NULL in a loaded index of narrow ids */
    size_t n_tokens;
    kw_checkpoint *checkpoints;
    kw_strtab surface;
    uint8_t *is_word;
    kw_strtab folded;     /* case-folded forms: the fold groups */
    uint32_t *group_of;   /* surface type -> fold group */
    uint32_t *group_rank; /* fold group -> rank of its folded form in byte order */
    uint32_t *post_start; /* n_groups + 1: postings of group g are post[post_start[g] ..] */
    uint32_t *post;       /* every position, grouped, ascending within a group */
    /* A loaded index (kw_file.c) reads the saved bytes in place: every
     * array above points into them and `borrowed` keeps kw_index_free from
     * freeing any. Its token stream is tok_width bytes a token (2, 3 or 4,
     * little-endian: the fewest that hold every type id), also in `toks`
     * when 4. A built index has tok_bytes NULL and tok_width 0. */
    const unsigned char *tok_bytes;
    unsigned tok_width;
    int borrowed;
};

/* The surface type of token `pos`, whichever way the index keeps them. */
static inline uint32_t kw_tok(const kw_index *ix, size_t pos)
{
    if (ix->toks)
        return ix->toks[pos];
    const unsigned char *p = ix->tok_bytes + pos * ix->tok_width;
    uint32_t type = (uint32_t)p[0] | (uint32_t)p[1] << 8;
    return ix->tok_width == 2 ? type : type | (uint32_t)p[2] << 16;
}

/* Postings of at least this many bytes are written in order before the
 * counting sort scatters into them (kw_index.c says why). */
extern size_t kw_touch_postings_bytes;

/* ix->group_rank from ix->folded: each group's rank, 0 .. n_groups - 1, in
 * the byte order of the folded forms (a form before any longer one it
 * begins). Sets ix->group_rank only on success; KW_ENOMEM otherwise. */
kw_status kw_rank_groups(kw_index *ix);

/* Checkpoint k (1-based: token k * KW_CHECKPOINT of the document) of doc. */
static inline const kw_checkpoint *kw_checkpoint_of(const kw_index *ix, size_t doc, size_t k)
{
    return &ix->checkpoints[ix->doc_ck[doc] + k - 1];
}

struct kw_hits {
    kw_alloc alloc;
    const uint32_t *pos;  /* into the index's postings, or `owned` */
    uint32_t *owned;
    uint32_t *lengths;    /* tokens of each hit; NULL: every hit is `length` long */
    uint32_t *queries;    /* query number of each hit; NULL: all are query 0 */
    size_t n;
    uint32_t length;
};

#endif
