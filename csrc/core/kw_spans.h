/*
 * kw_spans.h: where each token of an annotated corpus lies in its text;
 * internal to the core.
 *
 * The tokenizer cannot find the tokens of an annotated source again (a
 * CoNLL-U word is not always a kwiq token, and the words of a multiword
 * token share one stretch of text), so their spans are recorded, in two
 * bytes a token instead of the 16 of two offsets: how far the token starts
 * after the previous one's end, and its length, both in bytes. Offsets are
 * recovered by reading forward from a checkpoint (kw_index.h), counting
 * code points in the text as they go by. The rare token whose gap or
 * length does not fit in a byte is an escape, kept aside in full.
 */
#ifndef KW_SPANS_H
#define KW_SPANS_H

#include <stddef.h>
#include <stdint.h>

#include "kw_core.h"

/* gap[t]: up to KW_GAP_MAX, bytes from the end of the document's previous
 * token (its start, for its first token) to token t's start. */
#define KW_GAP_MAX 253
#define KW_GAP_ESCAPE 254 /* in the escapes */
#define KW_GAP_SAME 255   /* the span of the previous token again */
/* len[t]: 1 .. KW_LEN_MAX bytes, or KW_LEN_ESCAPE. */
#define KW_LEN_MAX 254
#define KW_LEN_ESCAPE 255

typedef struct kw_span_escape {
    uint32_t tok;      /* corpus-wide position */
    uint32_t reserved; /* zero: the record is 24 bytes, as saved */
    uint64_t gap, len; /* the token's own, whichever did not fit */
} kw_span_escape;

typedef struct kw_spans {
    uint8_t *gap, *len;      /* one a token */
    kw_span_escape *escapes; /* ascending by tok */
    size_t n_escapes;
} kw_spans;

/* Reads the spans of one document's tokens in order, as kw_scan reads a
 * tokenized one. */
typedef struct kw_span_reader {
    const kw_spans *spans;
    const unsigned char *text; /* the document's */
    size_t n_bytes;
    size_t tok;     /* corpus-wide position of the next token */
    size_t at;      /* bytes: the previous token's end, or a start */
    uint64_t chars; /* code points before `at` */
    int at_start;   /* `at` is the next token's start (a checkpoint) */
} kw_span_reader;

/* Start reading at token `tok` (corpus-wide), whose start is byte `at` of
 * the document, `chars` code points in (at_start = 1: a checkpoint), or
 * which follows a token that ends there (at_start = 0; at = chars = 0 for
 * a document's first token). */
void kw_span_reader_init(kw_span_reader *r, const kw_spans *spans, const char *text, size_t n_bytes,
                         size_t tok, size_t at, uint64_t chars, int at_start);

/* The next token's bytes and code points (t->is_word left alone). */
void kw_span_reader_next(kw_span_reader *r, kw_tokspan *t);

/* The escape of token tok, or NULL. */
const kw_span_escape *kw_span_escape_of(const kw_spans *spans, size_t tok);

#endif
