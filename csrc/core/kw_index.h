/*
 * kw_index.h: the layout of a builder and of an index, for the core's
 * files that read them (queries, lines, sorting, counts, the saved file);
 * internal to the core.
 */
#ifndef KW_INDEX_H
#define KW_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "kw_attr.h"
#include "kw_spans.h"
#include "kw_core.h"
#include "kw_strtab.h"

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
    uint64_t *doc_byte; /* n_docs + 1 */
    uint32_t *doc_tok;  /* n_docs + 1 */
    uint32_t *doc_ck;   /* n_docs + 1: the checkpoints of doc d are [doc_ck[d], doc_ck[d+1]) */
    size_t n_docs, docs_cap;
    uint32_t *toks; /* surface type of every token */
    size_t n_tokens, toks_cap;
    kw_checkpoint *checkpoints;
    size_t n_checkpoints, checkpoints_cap;
    kw_strtab surface;
    uint8_t *is_word; /* per surface type */
    size_t is_word_cap;
    const kw_cancel *cancel; /* kw_builder_set_cancel */
    /* Annotated documents (kw_annot.c): the attributes beyond word, the
     * structures beyond text, and the spans of every token. A builder
     * takes tokenized or annotated documents, never both. */
    int annotated; /* 1 after kw_builder_annotate */
    kw_attr_builder *attrs;
    size_t n_attrs;
    kw_structure_builder *structures;
    size_t n_structures;
    kw_spans spans;
    size_t spans_cap, escapes_cap;
};

struct kw_index {
    kw_alloc alloc;
    char *text;
    size_t text_len;
    uint64_t *doc_byte;
    uint32_t *doc_tok;
    uint32_t *doc_ck;
    size_t n_docs;
    uint32_t *toks; /* surface type of every token; NULL in a loaded index of narrow ids */
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
    /* The annotation layer (kw_attr.h): attrs[0] is `word`, a view of the
     * surface forms above, and structures[0] is `text`, a view of doc_tok.
     * Both arrays are the index's own, loaded or built. */
    kw_attr *attrs;
    size_t n_attrs;
    kw_structure *structures;
    size_t n_structures;
    /* An annotated index's token spans (spans.gap not NULL): offsets are
     * read from them, not by tokenizing the text again. */
    kw_spans spans;
};

/* Room for `need` documents' entries (+1) in the builder's document arrays. */
kw_status kw_builder_reserve_docs(kw_builder *b, size_t need);

/* The end of a document whose tokens are added: copy its text (room made
 * already) in chunks, asking the builder's cancel between them, and record
 * it. KW_EINTR: stopped, the document not recorded, its tokens for the
 * caller to undo. */
kw_status kw_builder_close_document(kw_builder *b, const char *text, size_t n_bytes);

/* Makes room for word and n_attrs more attributes, text and n_structures
 * more structures, and sets up attrs[0] and structures[0] over the surface
 * forms and documents of a loaded index whose other fields are set; the
 * caller fills the others. An index with neither spans nor n_structures
 * (plain: kwiq tokenized it) gets s and p, found in its text (kw_attr.h),
 * after them. */
kw_status kw_index_init_views(kw_index *ix, size_t n_attrs, size_t n_structures, int has_spans);

/* Structure s (< n_structures) as far as it is known: a found one's
 * regions once kw_index_find_structures has made them, else its empty
 * entry. */
static inline const kw_structure *kw_index_structure(const kw_index *ix, size_t s)
{
    kw_structure *st = &ix->structures[s];
    kw_structure *made = st->found_by != KW_BOUND_NONE ? atomic_load(&st->made) : NULL;
    return made ? made : st;
}

/* *out: the rank of each form of t (0 .. t->n - 1) in byte order, a form
 * before any longer one it begins, from a (at least one entry). KW_ENOMEM,
 * KW_ETOOBIG, KW_EINTR: nothing made. */
kw_status kw_rank_forms(const kw_strtab *t, const kw_alloc *a, const kw_cancel *cancel,
                        uint32_t **out);

/* The surface type of token `pos`, whichever way the index keeps them. */
static inline uint32_t kw_tok(const kw_index *ix, size_t pos)
{
    if (ix->toks)
        return ix->toks[pos];
    const unsigned char *p = ix->tok_bytes + pos * ix->tok_width;
    uint32_t type = (uint32_t)p[0] | (uint32_t)p[1] << 8;
    return ix->tok_width == 2 ? type : type | (uint32_t)p[2] << 16;
}

/* Checkpoint k (1-based: token k * KW_CHECKPOINT of the document) of doc. */
static inline const kw_checkpoint *kw_checkpoint_of(const kw_index *ix, size_t doc, size_t k)
{
    return &ix->checkpoints[ix->doc_ck[doc] + k - 1];
}

/* Postings of at least this many bytes are written in order before the
 * counting sort scatters into them (kw_index.c says why). */
extern size_t kw_touch_postings_bytes;

#endif
