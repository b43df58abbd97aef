/*
 * kw_core.h: the public C API of the kwiq core.
 *
 * The core knows no Python. It tokenizes UTF-8 documents, interns token
 * forms in a vocabulary, keeps the token stream and an inverted index, finds
 * word and phrase queries and lays out keyword-in-context lines.
 *
 * Data flow:
 *   kw_builder_add (one call per document, UTF-8 validated and copied)
 *   [kw_builder_append: builders of consecutive runs of documents, made on
 *    several threads, joined in order into the one builder would make]
 *   -> kw_builder_finish: case-fold every surface type into a fold group,
 *      postings per fold group by a counting sort (two linear passes)
 *   -> kw_index_find: query tokens -> fold groups (or surface types when
 *      exact) -> positions, phrases checked from the rarest token
 *   -> kw_line_at: context bounds counted in words (or characters, and
 *      stopped at sentence or paragraph ends), offsets recovered by
 *      re-scanning the text from the nearest checkpoint.
 *   -> kw_hits_sort: hits ordered by context words, match, document or
 *      position, by an LSD radix sort on ranks of case-folded forms that
 *      kw_builder_finish computes once.
 *   kw_index_save writes an index as one file through a callback;
 *   kw_index_load makes an index that reads that file's bytes in place,
 *   after checking all of them (see kw_file.c for the format).
 *
 * Units. A token position is a uint32 index into the corpus-wide token
 * stream; kw_line reports positions relative to its document. Byte offsets
 * index the UTF-8 text; character offsets count code points from the start
 * of the document, which is exactly a Python str index.
 *
 * Ownership. Every object is created with a kw_alloc and freed with the
 * matching *_free. An index is immutable once built, so any number of
 * threads may query it at once; hits borrow from their index and must not
 * outlive it. A hit list from kw_index_find ascends by position; one from
 * kw_hits_select or kw_hits_sort is in the order asked for.
 */
#ifndef KW_CORE_H
#define KW_CORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct kw_alloc {
    void *(*malloc)(void *ctx, size_t size);
    void *(*realloc)(void *ctx, void *ptr, size_t size);
    void (*free)(void *ctx, void *ptr);
    void *ctx;
} kw_alloc;

/* The C library's allocator, for callers with no allocator of their own. */
extern const kw_alloc kw_alloc_libc;

typedef enum kw_status {
    KW_OK = 0,
    KW_ENOMEM,  /* an allocation failed; the object is as it was before the call */
    KW_EUTF8,   /* invalid UTF-8; the byte offset is reported */
    KW_ETOOBIG, /* more than KW_MAX_TOKENS tokens, or a size that overflows */
    KW_EEMPTY,  /* a query with no token in it */
    KW_EINVAL,  /* an argument outside its documented range (an id, a sort key) */
    KW_EFORMAT, /* saved bytes that are not a valid index; kw_load_error says why */
    KW_EIO,     /* the write callback of kw_index_save reported a failure */
    KW_EINTR    /* a kw_cancel asked the call to stop; see kw_cancel */
} kw_status;

/* Token positions are uint32; the last value is kept free as a sentinel. */
#define KW_MAX_TOKENS ((uint64_t)UINT32_MAX - 1)

/* A short English description of a status, for error messages. */
const char *kw_status_message(kw_status status);

/* Stopping long work. The calls that may run long (kw_builder_add, _append
 * and _finish through kw_builder_set_cancel; kw_hits_sort, kw_hits_merge,
 * kw_hits_collocates and kw_line_columns_fill through an argument) ask
 * poll(ctx) between bounded chunks of work: once every KW_POLL_EVERY
 * tokens, hits or lines (bytes, for copying text: KW_POLL_EVERY * 256), a
 * few milliseconds of work at most, never inside a hot loop. A nonzero
 * answer stops the call, which returns KW_EINTR and leaves nothing
 * half-made: what it allocated is freed and its inputs are as before the
 * call, except where a call says otherwise. With a runner (kw_runner),
 * poll is called from each of the runner's threads, at once, and one
 * part's stop stops them all. poll must be quick and safe to call so.
 * A NULL kw_cancel never stops. */
typedef struct kw_cancel {
    int (*poll)(void *ctx);
    void *ctx;
} kw_cancel;

#define KW_POLL_EVERY 65536

typedef struct kw_builder kw_builder;
typedef struct kw_index kw_index;
typedef struct kw_hits kw_hits;

/* ---- building ---- */

kw_status kw_builder_new(const kw_alloc *alloc, kw_builder **out);

/* Tokenize one document and append it. On KW_EUTF8, *bad_offset is the
 * byte offset of the first invalid sequence in this document. On any error
 * the builder is left exactly as before the call. */
kw_status kw_builder_add(kw_builder *b, const char *utf8, size_t n_bytes, size_t *bad_offset);

/* Make room for documents of text_bytes bytes and n_tokens tokens in all,
 * a hint given before adding them: the arrays then grow at most a few
 * times from there (by doubling) instead of from nothing, so less memory
 * is copied and left behind by the allocator; room left unused is given
 * back by kw_builder_finish. KW_ENOMEM or KW_ETOOBIG: the builder is as it
 * was, and works without the room. */
kw_status kw_builder_reserve(kw_builder *b, size_t text_bytes, size_t n_tokens);

/* Documents added so far (after a failed kw_builder_add: those before it). */
size_t kw_builder_n_docs(const kw_builder *b);

/* Append src's documents after dst's, as if each had been given to dst by
 * kw_builder_add in order: src's types are interned into dst in src's id
 * order, so dst assigns exactly the ids one builder fed every document
 * would (ids in corpus-wide first-occurrence order), src's tokens are
 * renumbered, its text, documents and checkpoints are appended. So a corpus
 * may be cut into consecutive runs of documents, each built on its own
 * thread, and the builders appended in order: the index is identical,
 * array for array, whatever the cut. dst grows to exactly what it needs
 * (no doubling), and src is freed once copied. Annotated builders
 * (kw_builder_annotate) are not appended: KW_EINVAL.
 *
 * On success src is consumed (freed; do not use it). On error (KW_ENOMEM,
 * KW_ETOOBIG: more than KW_MAX_TOKENS tokens or UINT32_MAX - 1 types in
 * all; KW_EINVAL: src == dst) both are exactly as before the call; on
 * KW_EINTR (kw_builder_set_cancel) dst is, and src is consumed. Neither
 * may be used by another thread during the call. See also
 * kw_builder_append_with, below, to copy on several threads. */
kw_status kw_builder_append(kw_builder *dst, kw_builder *src);

/* The kw_cancel that kw_builder_add, and kw_builder_append and _finish of
 * this builder (as dst), poll while they run (NULL: none, the default);
 * borrowed until set again. On KW_EINTR kw_builder_add and _finish leave
 * the builder as it was; kw_builder_append leaves dst as it was and frees
 * src (consumed, as on success), since src gives up each array once
 * copied. */
void kw_builder_set_cancel(kw_builder *b, const kw_cancel *cancel);

/* Turn the builder into an index. On success the builder is consumed (do
 * not free it); on error it is untouched and still owned by the caller. */
kw_status kw_builder_finish(kw_builder *b, kw_index **out);

/* Work on several threads. The core starts no thread: a caller that has
 * some passes a runner, and the core cuts the linear passes over the tokens
 * into n_parts parts (disjoint ranges, written to disjoint places) and asks
 * the runner to run them. run() must call task(arg, 0) .. task(arg,
 * n_parts - 1), each once, in any order, at once on different threads or
 * one after the other, and return when all have returned. Tasks allocate
 * nothing and cannot fail: every allocation, and every error, comes before.
 * The result is identical whatever n_parts and order. */
typedef struct kw_runner {
    void (*run)(void *ctx, void (*task)(void *arg, size_t part), void *arg, size_t n_parts);
    void *ctx;
    size_t n_parts;
} kw_runner;

/* kw_builder_append and kw_builder_finish with the renumbering and copying
 * of src, and the counting sort of the postings, cut into runner->n_parts
 * parts, or fewer so that a part has at least 65,536 tokens (runner NULL or
 * n_parts <= 1: on the calling thread, as the plain calls do). Same
 * contracts, same results. */
kw_status kw_builder_append_with(kw_builder *dst, kw_builder *src, const kw_runner *runner);
kw_status kw_builder_finish_with(kw_builder *b, const kw_runner *runner, kw_index **out);

void kw_builder_free(kw_builder *b);

/* ---- annotated documents: tokens, attributes and structures from outside ----
 *
 * A CoNLL-U, VRT or spaCy source gives its own tokens: each with a span of
 * the document's text, a word form (attribute `word`) and a value of each
 * other attribute, and regions of structures (sentences, paragraphs) over
 * them. Queries, lines and counts then work on these tokens as on
 * tokenized ones; offsets come from the spans. */

/* Make b a builder of annotated documents with the attributes `attrs`
 * beyond `word` and the structures `structures` beyond `text`, each a
 * non-empty name, distinct, borrowed for the call. Only before the first
 * document; then kw_builder_add is refused. KW_EINVAL: a document added
 * already, annotate called twice, an empty, repeated or reserved name. */
kw_status kw_builder_annotate(kw_builder *b, const char *const *attrs, size_t n_attrs,
                              const char *const *structures, size_t n_structures);

typedef struct kw_ext_token {
    size_t begin, end; /* its bytes in the document's text, end > begin */
    const char *word;  /* its form: UTF-8, not empty */
    size_t word_len;
    const char *const *values; /* one value of each attribute, UTF-8, maybe empty */
    const size_t *value_lens;
} kw_ext_token;

typedef struct kw_ext_region {
    size_t structure;  /* 0: the first of kw_builder_annotate's structures */
    size_t start, end; /* tokens of the document, end exclusive; start <= end */
} kw_ext_region;

/* What was wrong with a refused annotated document, for the message. */
typedef struct kw_annot_problem {
    const char *what; /* static English text */
    enum { KW_ANNOT_TEXT, KW_ANNOT_TOKEN, KW_ANNOT_REGION } where;
    size_t index; /* the token's or region's index in the call */
} kw_annot_problem;

/* Append one annotated document: its UTF-8 text, its tokens in text order
 * and its regions. Tokens do not overlap, except that a token may have
 * exactly the span of the one before it (the words of a multiword token
 * share its text); spans do not cut a character. The regions of each
 * structure come in order and do not overlap. Everything is borrowed for
 * the call. KW_EINVAL (not annotated, or a bad token or region) and
 * KW_EUTF8 (invalid text, forms or values) fill *problem; with these,
 * KW_ENOMEM, KW_ETOOBIG and KW_EINTR the builder is as before the call.
 * Cost: one pass over the tokens, interning each form and value. */
kw_status kw_builder_add_annotated(kw_builder *b, const char *text, size_t n_bytes,
                                   const kw_ext_token *tokens, size_t n_tokens,
                                   const kw_ext_region *regions, size_t n_regions,
                                   kw_annot_problem *problem);

/* Append document `doc` of ix, an annotated index, to b, a builder that
 * kw_builder_annotate made with ix's attributes and structures beyond word
 * and text, in ix's order: the same text, tokens, values and regions. So
 * a part of an annotated corpus becomes a corpus of its own (saving a
 * view). KW_EINVAL: ix not annotated, names that differ, no such doc;
 * otherwise as kw_builder_add_annotated, the builder as before the call.
 * Cost: one pass over the document's tokens. */
kw_status kw_builder_add_document_of(kw_builder *b, const kw_index *ix, size_t doc);

/* ---- CoNLL-U (kw_conllu.c) ---- */

/* The attributes a CoNLL-U source may give (its columns LEMMA, UPOS, XPOS,
 * FEATS, DEPREL and HEAD) and the structures it gives. */
#define KW_CONLLU_N_ATTRS 6
#define KW_CONLLU_N_STRUCTURES 2
extern const char *const kw_conllu_attrs[KW_CONLLU_N_ATTRS];
extern const char *const kw_conllu_structures[KW_CONLLU_N_STRUCTURES];

/* Where input was malformed: its 1-based line, and what was wrong. */
typedef struct kw_parse_error {
    size_t line;
    char message[200];
} kw_parse_error;

/* Called once a document is added, with its `# newdoc id =` value (NULL if
 * it has none), borrowed for the call; nonzero stops reading (KW_EINTR). */
typedef int (*kw_conllu_doc_fn)(void *ctx, const char *id, size_t id_len);

/* Add the documents of CoNLL-U data[0 .. n) to b, keeping the attributes
 * attrs[0 .. n_attrs) (some of kw_conllu_attrs, in any order): b must be
 * annotated (kw_builder_annotate) with exactly these attributes in this
 * order and with kw_conllu_structures. The rules of reading (which rows are
 * tokens, the rebuilt text, the documents, sentences and paragraphs, `_`)
 * are those of the docstring of kwiq.Corpus.from_conllu. Scratch
 * memory comes from alloc. KW_EFORMAT: malformed input, *err says where
 * and what; the documents before the one holding the problem stay added
 * (callers drop the builder). KW_EINVAL: an attribute CoNLL-U does not
 * give. KW_EINTR: cancel or doc_added asked to stop. */
kw_status kw_conllu_add(kw_builder *b, const kw_alloc *alloc, const char *data, size_t n,
                        const char *const *attrs, size_t n_attrs, kw_conllu_doc_fn doc_added,
                        void *ctx, const kw_cancel *cancel, kw_parse_error *err);

/* ---- VRT (kw_vrt.c) ---- */

/* Called once a document is added, with what its <text> tag holds after
 * the name (its XML attributes as written, e.g. ` id="a" year="1990"`), or
 * NULL for a file without <text>; borrowed for the call. Nonzero stops
 * reading (KW_EINTR). */
typedef int (*kw_vrt_doc_fn)(void *ctx, const char *text_attrs, size_t len);

/* Add the documents of VRT data[0 .. n) to b, annotated (kw_builder_annotate)
 * with the attributes of the columns after the first (`word`), in order, and
 * the structures whose elements are read. The rules of reading (tokens,
 * tags, the rebuilt text, the documents) are those of the docstring of
 * kwiq.Corpus.from_vrt. Scratch memory comes from alloc. KW_EINVAL: b is not
 * annotated. KW_EFORMAT: malformed input, *err says where and what; the
 * documents before the one holding the problem stay added (callers drop the
 * builder). KW_EINTR: cancel or doc_added asked to stop. */
kw_status kw_vrt_add(kw_builder *b, const kw_alloc *alloc, const char *data, size_t n,
                     kw_vrt_doc_fn doc_added, void *ctx, const kw_cancel *cancel,
                     kw_parse_error *err);

/* ---- the index ---- */

void kw_index_free(kw_index *ix);
size_t kw_index_n_docs(const kw_index *ix);
size_t kw_index_n_tokens(const kw_index *ix);
size_t kw_index_n_types(const kw_index *ix);  /* distinct surface forms */
size_t kw_index_n_groups(const kw_index *ix); /* distinct case-folded forms */

/* The UTF-8 text of document `doc` (doc < n_docs), borrowed from the index. */
const char *kw_index_doc_text(const kw_index *ix, size_t doc, size_t *n_bytes);

/* Document of a corpus-wide token position (pos < n_tokens). */
size_t kw_index_doc_of(const kw_index *ix, uint32_t pos);

/* ---- queries ---- */

/* Find a query: it is tokenized like the text, several tokens make a phrase
 * of consecutive tokens within one document. exact=0 compares case-folded
 * forms, exact=1 the forms as written. A query whose tokens are not all in
 * the vocabulary gives zero hits, not an error. KW_EEMPTY: no token;
 * KW_EUTF8: invalid query bytes (*bad_offset set). */
kw_status kw_index_find(const kw_index *ix, const char *query, size_t n_bytes, int exact,
                        kw_hits **out, size_t *bad_offset);

/* One token of a query, for kw_index_match. */
typedef enum kw_slot_kind {
    KW_SLOT_FORM,    /* one token's text: its surface type if exact, else its fold group */
    KW_SLOT_TYPES,   /* any of ids[]: surface type ids (< kw_index_n_types) */
    KW_SLOT_GROUPS,  /* any of ids[]: fold group ids (< kw_index_n_groups) */
    KW_SLOT_ANY_WORD /* any word token, never punctuation */
} kw_slot_kind;

typedef struct kw_slot {
    kw_slot_kind kind;
    const char *form; /* KW_SLOT_FORM: valid UTF-8, borrowed for the call */
    size_t form_len;
    const uint32_t *ids; /* KW_SLOT_TYPES, KW_SLOT_GROUPS: any order, repeats allowed */
    size_t n_ids;
} kw_slot;

/* Hits of a sequence of slots matched by consecutive tokens within one
 * document. `exact` applies to KW_SLOT_FORM. An empty id set or a form not
 * in the vocabulary gives zero hits. KW_EEMPTY: no slot; KW_EINVAL: an id
 * out of range. Costs: a set slot takes a bitmap over the vocabulary; the
 * slot with the fewest postings supplies the candidates. */
kw_status kw_index_match(const kw_index *ix, const kw_slot *slots, size_t n_slots, int exact,
                         kw_hits **out);

/* The vocabulary, for matching patterns outside the core: the form of a
 * surface type or of a fold group (borrowed UTF-8), a type's fold group, and
 * whether a type is a word (1) or punctuation (0). */
const char *kw_index_type_form(const kw_index *ix, uint32_t type, size_t *len);
const char *kw_index_group_form(const kw_index *ix, uint32_t group, size_t *len);
uint32_t kw_index_group_of(const kw_index *ix, uint32_t type);
int kw_index_type_is_word(const kw_index *ix, uint32_t type);

/* ---- the annotation layer: positional attributes and structures ---- */

/* 1 if ix's tokens came with its documents (kw_builder_add_annotated and
 * the sources built on it), 0 if kwiq's tokenizer found them. */
int kw_index_is_annotated(const kw_index *ix);

/* Attributes: each token has one value of each, from the attribute's own
 * vocabulary of type ids. Attribute 0 is `word`: its types are the surface
 * types above. kw_index_attr_type reads token `pos` (corpus-wide). */
size_t kw_index_n_attrs(const kw_index *ix);
const char *kw_index_attr_name(const kw_index *ix, size_t attr);
size_t kw_index_attr_n_types(const kw_index *ix, size_t attr);
const char *kw_index_attr_form(const kw_index *ix, size_t attr, uint32_t type, size_t *len);
uint32_t kw_index_attr_type(const kw_index *ix, size_t attr, size_t pos);

/* Add attribute `name` to ix, giving every token of surface type t the
 * value values[t] (lens[t] bytes of UTF-8, maybe empty; one for each of
 * kw_index_n_types types, borrowed for the call), with a vocabulary,
 * stream and postings of its own as an annotated source's attributes
 * have: for a value that depends on the form alone (a lemma from a
 * lemmatizer without context), computed once a type, not once a token.
 * An index made by the tokenizer records its tokens' spans here, two
 * bytes a token, so that it saves with its attributes (kw_type_attr.c).
 * Only on an index built in this process and not yet shared with other
 * threads. KW_EINVAL: a loaded index, an empty name or one ix has;
 * KW_EUTF8: a value is not UTF-8; with these, KW_ENOMEM and KW_EINTR the
 * index is as it was. Cost: one pass over the tokens, and kw_attr_finish's
 * two (and one tokenizing pass over the text for the spans). */
kw_status kw_index_add_type_attr(kw_index *ix, const char *name, const char *const *values,
                                 const size_t *lens, const kw_cancel *cancel);

/* Structures: sorted, non-overlapping regions [start, end) of corpus-wide
 * token positions, each inside one document, possibly empty. Structure 0
 * is `text`, one region a document. An annotated index has the structures
 * its source gives; a plain one (tokenized by kwiq) has `s` and `p` after
 * `text`, found in its text by the rule of kw_context's bound: each
 * document's stretches between sentence boundaries (a paragraph break is
 * one too), and between paragraph breaks; a document without tokens has
 * none. They are found once, by the first kw_index_find_structures (one
 * scan of the text; kw_cql_find calls it when a query needs them), and
 * kept; before it their regions read as none. */
kw_status kw_index_find_structures(const kw_index *ix, const kw_cancel *cancel);
size_t kw_index_n_structures(const kw_index *ix);
const char *kw_index_structure_name(const kw_index *ix, size_t s);
size_t kw_index_structure_n_regions(const kw_index *ix, size_t s);
void kw_index_structure_region(const kw_index *ix, size_t s, size_t i, uint32_t *start,
                               uint32_t *end);

void kw_hits_free(kw_hits *h);
size_t kw_hits_count(const kw_hits *h);
uint32_t kw_hits_position(const kw_hits *h, size_t i); /* corpus-wide first token */
uint32_t kw_hits_length(const kw_hits *h, size_t i);   /* tokens in hit i */
uint32_t kw_hits_query(const kw_hits *h, size_t i);    /* which query found hit i */

/* The hits of several queries in one list, ordered by position, then by
 * query; hit k's query number is the index of its part. The parts are not
 * consumed, and the result does not borrow from them. A heap of the parts'
 * next hits: each hit costs about 2 log2(n_parts) comparisons. */
kw_status kw_hits_merge(const kw_alloc *alloc, kw_hits *const *parts, size_t n_parts,
                        const kw_cancel *cancel, kw_hits **out);

/* New hits: hit order[k] of h for k < n (each order[k] < count), e.g. to
 * sort or filter. Every hit of h keeps its length and query. */
kw_status kw_hits_select(const kw_hits *h, const uint32_t *order, size_t n, kw_hits **out);

/* New hits: hits start, start + step, ... of h, n of them (step may be
 * negative); KW_EINVAL unless every one is < count. */
kw_status kw_hits_range(const kw_hits *h, size_t start, ptrdiff_t step, size_t n, kw_hits **out);

/* New hits: those hits i of h, in order, with mask[i] != 0 (mask: count
 * bytes). Each keeps its length and query. */
kw_status kw_hits_where(const kw_hits *h, const uint8_t *mask, kw_hits **out);

/* A context filter, as AntConc's context-word search: for each hit i of h
 * (hits of ix, any order) with mask[i] != 0, mask[i] becomes 1 if a hit of
 * `near` lies wholly within the `left` words before hit i or wholly within
 * the `right` words after it, and 0 otherwise; hits with mask[i] == 0 are
 * left so, so that calls AND their conditions. Windows count words as
 * kw_line_at does (punctuation inside them is in the window but not
 * counted, at most KW_MAX_SKIP of it a side) and stop at the document's
 * edges; a hit of `near` that overlaps hit i is in neither window. `near`
 * must ascend by position, as every list from kw_index_find,
 * kw_index_match and kw_hits_merge does. Cost: per hit, its two windows
 * and a binary search of `near`. Allocates nothing; KW_EINTR leaves mask
 * partly updated. */
kw_status kw_hits_near(const kw_index *ix, const kw_hits *h, const kw_hits *near, uint32_t left,
                       uint32_t right, const kw_cancel *cancel, uint8_t *mask);

/* The number of distinct documents the hits of h (hits of ix) lie in, into
 * *n_docs. Scratch: a bit per document, from h's allocator (KW_ENOMEM). */
kw_status kw_hits_count_docs(const kw_index *ix, const kw_hits *h, size_t *n_docs);

/* ---- sorting ---- */

/* What a sort key compares; see kw_sort_key. */
typedef enum kw_sort_by {
    KW_SORT_LEFT,    /* the `word`-th word left of the match (1: the nearest) */
    KW_SORT_RIGHT,   /* the `word`-th word right of the match (1: the nearest) */
    KW_SORT_MATCH,   /* the matched tokens, one by one */
    KW_SORT_DOC,     /* the document number */
    KW_SORT_POSITION /* the corpus-wide position: document, then token */
} kw_sort_by;

typedef struct kw_sort_key {
    kw_sort_by by;
    uint32_t word; /* KW_SORT_LEFT and KW_SORT_RIGHT: 1 or more; else ignored */
    uint32_t attr; /* LEFT, RIGHT, MATCH: the attribute compared (0: word) */
} kw_sort_key;

/* New hits: those of h (hits of ix, in any order) sorted by keys[0], ties
 * by keys[1], and so on; hits equal on every key keep their order in h,
 * so a sorted list may be sorted again. n_keys = 0 copies h.
 *
 * Words compare by their case-folded form (as queries fold), in the byte
 * order of its UTF-8, which is code point order: not a locale's collation,
 * and a form sorts before every longer form it begins. Context words count
 * words only, skipping punctuation, as kw_line_at does, however wide the
 * lines are laid out (and so within KW_MAX_SKIP punctuation tokens); a
 * word missing at a document edge (or past KW_MAX_SKIP) sorts before every
 * word, and a hit never looks into the next or previous document. The
 * match compares token by token (punctuation included), a shorter match
 * before a longer one it begins.
 *
 * A key with attr > 0 compares that attribute's values of the same tokens
 * (which tokens count as words is still read from their word forms), as
 * written, in byte order, by kw_index_attr_ranks.
 *
 * Linear in the hits for each key (a stable counting sort per key, from the
 * last key to the first, in digits of at most 16 bits). Scratch memory
 * comes from the index's allocator and the new hits from h's, as in
 * kw_hits_select. KW_ENOMEM: nothing is left behind; KW_EINVAL: a key
 * with an unknown `by`, or LEFT/RIGHT with word 0; KW_ETOOBIG: more than
 * UINT32_MAX hits. */
kw_status kw_hits_sort(const kw_index *ix, const kw_hits *h, const kw_sort_key *keys, size_t n_keys,
                       const kw_cancel *cancel, kw_hits **out);

/* The postings groups of attribute attr: the fold groups for word
 * (kw_index_n_groups), the types for any other. */
size_t kw_index_attr_n_groups(const kw_index *ix, size_t attr);

/* *ranks: the rank of each postings group of attribute attr (attr <
 * kw_index_n_attrs) in the byte order of its form, as kw_hits_sort
 * compares them: kw_index_group_rank's for word; for another attribute,
 * of its values as written, ranked by the first call and kept by the
 * index (threads may ask at once), borrowed until kw_index_free.
 * KW_ENOMEM, KW_EINTR: nothing kept. */
kw_status kw_index_attr_ranks(const kw_index *ix, size_t attr, const kw_cancel *cancel,
                              const uint32_t **ranks);

/* One keyword-in-context line. Spans are byte offsets into the document's
 * text (kw_index_doc_text) and tile it: left ends where the match begins and
 * right begins where it ends, so a context holds the white space beside the
 * match; an empty context (no words, or at a document edge) is empty. */
typedef struct kw_line {
    size_t doc;
    uint32_t tok_start, tok_end; /* token positions in the document, end exclusive */
    uint32_t ctx_start, ctx_end; /* the contexts' tokens: [ctx_start, tok_start) left and
                                     [tok_end, ctx_end) right, positions in the document */
    uint64_t char_start, char_end;
    size_t left_begin, left_end;
    size_t match_begin, match_end;
    size_t right_begin, right_end;
} kw_line;

/* Where a context must stop, besides the document's edges. */
typedef enum kw_bound {
    KW_BOUND_NONE = 0,
    KW_BOUND_SENTENCE = 1, /* at a sentence end or a paragraph break */
    KW_BOUND_PARAGRAPH = 2 /* at a paragraph break */
} kw_bound;

/* How much context a line shows on each side of its match.
 *
 * width == 0: `left` and `right` words; punctuation tokens inside the
 * window are shown but not counted (the window ends at its last word, or
 * where KW_MAX_SKIP stops it).
 *
 * width > 0: `left` and `right` are ignored, and each side holds as many
 * whole tokens as fit in `width` characters (code points) of the text as
 * written, counted from the match outward and including the white space
 * between: the left context [token lo, match) is the longest with
 * char_start - (start of lo) <= width, the right one the longest with
 * (end of its last token) - char_end <= width. Never a part of a token.
 *
 * bound: a boundary lies between two tokens separated by white space.
 *   Paragraph break: that white space holds two or more line breaks (LF, VT,
 *     FF, CR, U+0085, U+2028 or U+2029; CR LF counts as one).
 *   Sentence end (KW_BOUND_SENTENCE only; a paragraph break is one too): the
 *     first token is ".", "!" or "?" and the second starts with an
 *     upper-case or title-case letter (Lu, Lt); except that a "." written
 *     right after (no white space) a word that is one upper-case letter
 *     (an initial, "J.") or, case-folded, one of mr mrs ms messrs mme mlle
 *     dr prof rev hon st mt jr sr gen col capt lt sgt gov sen rep vs, ends
 *     no sentence.
 * The left context never holds a token before the last boundary at or
 * before the match's start; the right context stops at the first boundary
 * after the match's end, so a sentence's closing punctuation is shown on
 * the right. Boundaries inside the match are ignored. The bound only ever
 * shortens what the words or the width give. */
/* A side of a word window passes at most this many punctuation tokens: a
 * stretch with no word (a run of emoji or "=") longer than that ends the
 * side there, after the tokens passed, which a line shows. The k-th word
 * of a side is so the k-th word with at most KW_MAX_SKIP punctuation
 * tokens between it and the match, for lines, sort keys (kw_hits_sort) and
 * collocate windows (kw_hits_collocates) alike, and each side of each of
 * them reads at most its words + KW_MAX_SKIP tokens, however long the
 * stretch: linear in the hits, where scanning to a document's end would
 * grow with the square of a long run of punctuation. */
#define KW_MAX_SKIP 256

typedef struct kw_context {
    uint32_t left, right; /* words each side, when width == 0 */
    uint64_t width;       /* characters each side, or 0 */
    kw_bound bound;
} kw_context;

/* Where the scan of the last line laid out by words alone (no width, no
 * bound) passed the ends of its context and of its match: the next line,
 * when it starts a little further on in the same document (as the lines of
 * a frequent word in document order do), scans on from the nearest of them
 * instead of from a checkpoint. Make one for each run of lines; a cursor
 * belongs to one index and one thread. */
typedef struct kw_line_cursor kw_line_cursor;

/* A cursor that has seen no line yet, from alloc. KW_ENOMEM. */
kw_status kw_line_cursor_new(const kw_alloc *alloc, kw_line_cursor **out);
void kw_line_cursor_free(kw_line_cursor *cursor);

/* Lay out hit i (i < count) with the context `ctx`. Contexts stop at
 * document edges. Allocates nothing. Cost: the text is scanned from the
 * checkpoint (every 32nd token) before the widest possible context, i.e.
 * the word window, or at most `width` tokens each side, or from the
 * cursor's nearest point when that lies nearer (cursor may be NULL). */
void kw_line_at(const kw_index *ix, const kw_hits *h, size_t i, const kw_context *ctx,
                kw_line_cursor *cursor, kw_line *out);

/* Ask for what laying out the hits some way after i will read, so that a
 * run of lines waits on memory for several at once rather than for one
 * after another: call it before kw_line_at(i), for each i of the run in
 * order. Lines of a rare word lie far apart in a large corpus, and each
 * would otherwise wait for its token stream, its checkpoint and then the
 * text that checkpoint points to. Only a hint: it changes nothing. */
void kw_line_prefetch(const kw_index *ix, const kw_hits *h, size_t i);

/* A column of strings laid out as Arrow's large_string: string k is
 * data[offsets[k] .. offsets[k + 1]), offsets[0] == 0. */
typedef struct kw_text_column {
    int64_t *offsets; /* count + 1 entries, given by the caller */
    char *data;       /* grown with the allocator: NULL at first, freed by the caller */
    size_t cap;       /* bytes allocated at data */
} kw_text_column;

/* Every line of a hit list, one array per field, for a data frame. */
typedef struct kw_line_columns {
    uint64_t *doc;                /* the document's number */
    int64_t *tok_start, *tok_end; /* as kw_line */
    int64_t *char_start, *char_end;
    uint32_t *query;                   /* kw_hits_query */
    kw_text_column left, match, right; /* white space collapsed (kw_collapse_space) */
} kw_line_columns;

/* Lay out every hit of h with the context `ctx`, as kw_line_at does, into
 * `out`: the caller gives the number arrays (kw_hits_count entries each)
 * and the text columns' offsets (one more each), with their data NULL and
 * cap 0; the text grows with `alloc`, and the caller frees it (with
 * `alloc`), whatever the status. KW_ENOMEM, or KW_ETOOBIG when a column's
 * text would not fit in memory. */
kw_status kw_line_columns_fill(const kw_index *ix, const kw_hits *h, const kw_context *ctx,
                               const kw_alloc *alloc, const kw_cancel *cancel,
                               kw_line_columns *out);

/* Tagged tokens, as CQPweb shows them (kw_tagged.c): for hits [start,
 * stop) of h, string k = i - start of `match` holds the tokens of hit i,
 * and those of `left` and `right` the tokens of its contexts as kw_line_at
 * lays them out with ctx (left and right may both be NULL: the matches
 * alone). Each token is written as its values of the attributes attrs[0
 * .. n_attrs) (0: the word form) joined by "/", and the tokens of a
 * string are joined by one space: "the/DET war/NOUN". The columns are as
 * kw_line_columns_fill's: offsets given by the caller (stop - start + 1
 * each), data grown with alloc and freed by the caller whatever the
 * status. KW_EINVAL: a range or attribute out of range, or no attribute;
 * KW_ENOMEM; KW_ETOOBIG; KW_EINTR. */
kw_status kw_tagged_columns(const kw_index *ix, const kw_hits *h, size_t start, size_t stop,
                            const kw_context *ctx, const uint32_t *attrs, size_t n_attrs,
                            const kw_alloc *alloc, const kw_cancel *cancel, kw_text_column *left,
                            kw_text_column *match, kw_text_column *right);

/* ---- saving and loading (kw_file.c) ---- */

/* Where kw_index_save sends the file: called with the bytes in order, each
 * call at most 1 MiB; returns 0 on success, anything else to stop the save
 * (which then returns KW_EIO). */
typedef int (*kw_write_fn)(void *ctx, const void *data, size_t n);

/* The exact number of bytes kw_index_save writes for ix and a blob of
 * blob_len bytes. */
uint64_t kw_index_saved_size(const kw_index *ix, size_t blob_len);

/* Write ix as one file (format in kw_file.c): everything the index holds,
 * and `blob`, blob_len opaque bytes of the caller's (the Python package
 * keeps the document ids there), each section checksummed. The same index
 * and blob give the same bytes on every save, and a loaded index saves to
 * the bytes it was loaded from. Scratch memory comes from the index's
 * allocator. KW_EIO: `write` failed (what was written is incomplete);
 * KW_ENOMEM; KW_EINVAL on a big-endian machine (the format is
 * little-endian and is read in place). */
kw_status kw_index_save(const kw_index *ix, const void *blob, size_t blob_len, kw_write_fn write,
                        void *ctx);

/* Why kw_index_load refused its bytes. */
typedef struct kw_load_error {
    int section;       /* the section at fault (its id, 1..21), or 0: the header or section table */
    uint64_t offset;   /* the byte of the file where the problem shows */
    char message[240]; /* what is wrong, in English, naming the section */
} kw_load_error;

/* An index over the saved bytes data[0 .. len), read in place: it borrows
 * them (nothing is copied), so they must stay unchanged and mapped until
 * kw_index_free, and `data` must be 8-byte aligned (a page of mmap is).
 * Every byte is checked before the index is returned: the header, the
 * section table, the zero padding, every section's checksum, and every
 * count, offset, id and position the queries will follow (see kw_file.c).
 * *blob and *blob_len give the caller's blob, inside data (blob, blob_len
 * and err may be NULL).
 *
 * Cost: one pass over the bytes, a few bytes of work each; the queries of
 * a loaded index cost what they cost on the index that was saved.
 * KW_EFORMAT: not a valid saved index (*err says what is wrong and where;
 * a file cut short is always refused, one with bytes changed unless the
 * change keeps a 64-bit checksum, a 2^-64 chance for an accident);
 * KW_EINVAL: data not 8-byte aligned; KW_ENOMEM. On a big-endian machine
 * every file is refused with KW_EFORMAT, *err naming the byte order. */
kw_status kw_index_load(const void *data, size_t len, const kw_alloc *alloc, kw_index **out,
                        const void **blob, size_t *blob_len, kw_load_error *err);

/* The checksum of the format: XXH64 of data[0 .. n) with `seed` (the
 * published algorithm, written here; tools may recompute it). */
uint64_t kw_checksum(const void *data, size_t n, uint64_t seed);

/* ---- text (kw_text.c) ----
 *
 * Tokens, as the index and its queries cut text into them: one pass over
 * code points, no lookbehind, so scanning may restart at any token start
 * and reproduce the same tokens.
 *   - white space (Unicode White_Space) separates and is never a token;
 *   - a word is a maximal run of letters, marks and numbers (L, M, N);
 *   - a Han ideograph, Hiragana or Katakana character is a word of its own,
 *     together with the combining marks that follow it;
 *   - every other code point is a punctuation token of one character.
 * Character classes and foldings come from one pinned Unicode version
 * (kw_unicode_tables.h, generated by tools/gen_unicode_tables.py). */

/* One token of a text. */
typedef struct kw_tokspan {
    size_t begin, end;             /* bytes from the start of the text, end exclusive */
    uint64_t char_begin, char_end; /* code points from the start of the text */
    int is_word;                   /* 1: a word, 0: punctuation */
} kw_tokspan;

/* Called by kw_tokenize with each token in turn: 0 to go on, anything else
 * to stop (kw_tokenize then returns KW_OK). */
typedef int (*kw_token_fn)(void *ctx, const kw_tokspan *token);

/* Give each token of the UTF-8 text[0 .. n_bytes) to each(ctx, token), in
 * order, in one pass that allocates nothing. KW_EUTF8: the text is not
 * valid UTF-8 from byte *bad_offset on, and the tokens before it have been
 * given. */
kw_status kw_tokenize(const char *text, size_t n_bytes, kw_token_fn each, void *ctx,
                      size_t *bad_offset);

/* The most UTF-8 bytes one code unit `width` bytes wide (1, 2 or 4)
 * encodes to: 2, 3 or 4. */
size_t kw_utf8_per_unit(int width);

/* Encode the n code units at `units`, each `width` bytes wide in native
 * byte order (1: Latin-1, 2: UCS-2, 4: UCS-4, the three kinds of string of
 * PEP 393), as UTF-8 into out, which has room for n * kw_utf8_per_unit(width)
 * bytes; *n_bytes is the length written. One loop per width, ASCII first.
 * KW_EUTF8: unit *bad_unit (if bad_unit is not NULL) is the first that
 * UTF-8 cannot hold, a surrogate (U+D800 .. U+DFFF) or a value above
 * U+10FFFF, and out holds an unfinished encoding; KW_EINVAL: width is not
 * 1, 2 or 4. Allocates nothing. */
kw_status kw_utf8_from_units(const void *units, size_t n, int width, char *out, size_t *n_bytes,
                             size_t *bad_unit);

/* Case folding makes UTF-8 at most this many times longer. */
#define KW_FOLD_GROWTH 3

/* Case-fold valid UTF-8 (full Unicode case folding plus U+2019 -> U+0027),
 * as the index folds its fold groups and the queries that compare with
 * them, into dst, which must hold KW_FOLD_GROWTH * n bytes (a C test checks
 * that no code point's folding is longer than that). Returns the bytes
 * written. */
size_t kw_fold_utf8(const char *src, size_t n, char *dst);

/* 1 if the first code point of valid UTF-8 src (n > 0) is an upper-case or
 * title-case letter (general category Lu or Lt), else 0; 0 for n == 0 or
 * invalid bytes. The sentence rule of kw_context asks it of a word. */
int kw_utf8_starts_upper(const char *src, size_t n);

/* Copy valid UTF-8 from src to dst (at least n bytes), each run of white
 * space written as one U+0020. Returns the bytes written; *ascii is 1 when
 * all of them are ASCII. */
size_t kw_collapse_space(const char *src, size_t n, char *dst, int *ascii);

/* ---- counts and statistics (kw_stats.c) ----
 *
 * Counting over the token stream and hit lists, for frequency lists,
 * n-grams, clusters, collocates and dispersion. Every count is a uint32
 * (a count never exceeds the number of tokens). Scratch memory and results
 * come from the index's allocator; on KW_ENOMEM nothing is left behind. */

/* A table of counted keys: row k is the `width` ids ids[k * width ..]
 * (fold group ids, or surface type ids where said), seen counts[k] times
 * in docs[k] documents (docs NULL where not counted). `total` is what the
 * function that made the table says. Free with kw_table_free. */
typedef struct kw_table {
    kw_alloc alloc;
    size_t n;
    uint32_t width;
    uint32_t *ids;
    uint32_t *counts;
    uint32_t *docs;
    uint64_t total;
} kw_table;

void kw_table_free(kw_table *t);

/* The longest n-gram or cluster, in tokens. */
#define KW_MAX_GRAM 8

/* Frequency list: one row per fold group (by_type = 0) or per surface type
 * (by_type = 1), in id order, so row k is id k: its tokens in the corpus and
 * the documents holding at least one. total: the tokens counted. One pass
 * over the token stream with a last-seen-document mark per id.
 *
 * doc_mask: NULL counts every document; else n_docs bytes, and only the
 * documents d with doc_mask[d] != 0 are counted (their token ranges alone
 * are read), as if the corpus held no other. kw_index_ngrams takes the
 * same mask. */
kw_status kw_index_freq(const kw_index *ix, int by_type, const uint8_t *doc_mask, kw_table **out);

/* Tokens of fold group `group` in the corpus (the size of its postings). */
uint32_t kw_index_group_count(const kw_index *ix, uint32_t group);

/* The rank of fold group `group` in the code-point order of the folded
 * forms (0 .. n_groups - 1), as kw_hits_sort compares words. Since a word
 * holds no white space and a punctuation token is one character, ordering
 * rows of groups by their ranks, column by column, orders them as their
 * forms joined by spaces compare. */
uint32_t kw_index_group_rank(const kw_index *ix, uint32_t group);

/* Tokens in document doc (doc < n_docs). */
uint32_t kw_index_doc_n_tokens(const kw_index *ix, size_t doc);

/* N-grams: every run of n consecutive word tokens (1 <= n <= KW_MAX_GRAM)
 * inside one document with no punctuation token among them, keyed by their
 * n fold groups; rows seen fewer than min_count times are dropped. Rows in
 * no particular order. total: the n-grams counted (kept or not). Counted
 * in a hash table keyed by the n group ids. KW_EINVAL: n out of range. */
kw_status kw_index_ngrams(const kw_index *ix, uint32_t n, uint32_t min_count,
                          const uint8_t *doc_mask, kw_table **out);

/* Clusters, as AntConc makes them: for each hit of at most n tokens, the
 * n tokens made of the hit followed (left = 0) or preceded (left = 1) by
 * n - length consecutive words of its document, with no punctuation among
 * those words or between them and the hit; keyed by the n fold groups.
 * A hit with no such words (a document edge or punctuation comes first)
 * or longer than n gives none. Rows seen fewer than min_count times are
 * dropped. docs counts documents exactly when h is ordered by document, as
 * every list from kw_index_find, kw_index_match and kw_hits_merge is.
 * total: the clusters counted. KW_EINVAL: n out of 1..KW_MAX_GRAM. */
kw_status kw_hits_clusters(const kw_index *ix, const kw_hits *h, uint32_t n, int left,
                           uint32_t min_count, kw_table **out);

/* Window cooccurrence: the word tokens within `left` words before and
 * `right` words after each hit, in its document (punctuation skipped and
 * not counted, as kw_line_at counts words, up to KW_MAX_SKIP of it a side;
 * the hit's own tokens are not in its window). With each_window 0, a token
 * in the windows of several hits is counted once, so the windows are a set
 * of positions; with 1, each hit's window is counted on its own, a token
 * once for every window it is in. One row per fold group found there, with
 * its tokens so counted; docs is NULL. total: the tokens counted (the size
 * of the set: R1 of the contingency table, or the sum of the windows'
 * sizes). Hits in any order. Scratch: a bitmap over the token stream and a
 * count per fold group. KW_ETOOBIG: with each_window, a count past
 * UINT32_MAX. */
kw_status kw_hits_collocates(const kw_index *ix, const kw_hits *h, uint32_t left, uint32_t right,
                             int each_window, const kw_cancel *cancel, kw_table **out);

/* The same counts over any attribute. kw_index_freq, _ngrams,
 * kw_hits_clusters and _collocates key tokens by fold group; these key
 * them by the postings groups of attribute `attr` (kw_index_n_attrs):
 * attribute 0, word, has the fold groups (so attr 0 gives exactly what the
 * plain call gives), any other one group a type, its values as written,
 * never folded (kw_index_attr_n_groups of them). Which tokens are words
 * (n-grams, clusters and windows skip punctuation) is read from the word
 * form, whatever attr. kw_index_attr_freq with words_only counts word
 * tokens alone (total: those counted); by_type keys by the attribute's
 * types (the surface types for word). KW_EINVAL: attr out of range. */
kw_status kw_index_attr_freq(const kw_index *ix, size_t attr, int by_type, int words_only,
                             const uint8_t *doc_mask, kw_table **out);
kw_status kw_index_attr_ngrams(const kw_index *ix, size_t attr, uint32_t n, uint32_t min_count,
                               const uint8_t *doc_mask, kw_table **out);
kw_status kw_hits_attr_clusters(const kw_index *ix, const kw_hits *h, size_t attr, uint32_t n,
                                int left, uint32_t min_count, kw_table **out);
kw_status kw_hits_attr_collocates(const kw_index *ix, const kw_hits *h, size_t attr, uint32_t left,
                                  uint32_t right, int each_window, const kw_cancel *cancel,
                                  kw_table **out);

/* New hits: those of h (in its order) whose document d has doc_mask[d] != 0
 * (doc_mask: n_docs bytes), each keeping its length and query, so that
 * clusters, collocates, lines and dispersion see only those documents. Two
 * passes over the hits, a binary search of the document of each. New hits
 * from h's allocator, scratch from the index's; KW_ENOMEM leaves nothing. */
kw_status kw_hits_in_docs(const kw_index *ix, const kw_hits *h, const uint8_t *doc_mask,
                          kw_hits **out);

/* Hits made from arrays of n entries, as kw_hits_position, kw_hits_length
 * and kw_hits_query give them back (a concordance sent to another process
 * and rebuilt there), in that order, from the index's allocator.
 * KW_EINVAL, and nothing made, unless each hit is at least one token long
 * and lies inside one document of ix. */
kw_status kw_hits_from(const kw_index *ix, const uint32_t *pos, const uint32_t *lengths,
                       const uint32_t *queries, size_t n, kw_hits **out);

/* Where each hit stands: docs[i] its document and starts[i] its first
 * token's position in that document, for i < kw_hits_count(h). */
void kw_hits_locate(const kw_index *ix, const kw_hits *h, uint64_t *docs, uint32_t *starts);

#endif
