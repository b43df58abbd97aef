/*
 * kw_text.h: UTF-8, character classes, the tokenizer's scanner and case
 * folding, for the core's files; internal to the core. The rules of the
 * tokenizer, and the text functions callers use, are in kw_core.h.
 */
#ifndef KW_TEXT_H
#define KW_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "kw_core.h"

/* The most code points a code point folds to. */
#define KW_FOLD_MAX_CP 3

/* Decode one code point of valid, shortest-form UTF-8 (no surrogates).
 * Returns its length in bytes, or 0 if the bytes at p are not valid. */
int kw_utf8_decode(const unsigned char *p, const unsigned char *end, uint32_t *cp);

/* The length of the longest valid UTF-8 prefix of text[0 .. n): n when all
 * of it is valid. */
size_t kw_utf8_valid_prefix(const char *text, size_t n);

/* Encode a code point (<= 0x10FFFF) as UTF-8; returns the length (1..4). */
int kw_utf8_encode(uint32_t cp, unsigned char out[4]);

/* A tokenizer over one document. Offsets are relative to `base`. */
typedef struct kw_scan {
    const unsigned char *base, *p, *end;
    uint64_t chars; /* code points before p, counted from the document start */
} kw_scan;

/* Start scanning document text at base + start, where start is 0 or the
 * byte offset of a token's start or end, chars_before code points in. */
void kw_scan_init(kw_scan *s, const char *base, size_t n_bytes, size_t start,
                  uint64_t chars_before);

/* The next token: 1 and *t filled; 0 at the end; -1 on invalid UTF-8, with
 * the scan left at the offending byte (kw_scan_offset). */
int kw_scan_next(kw_scan *s, kw_tokspan *t);

/* Pass over n tokens, as n calls of kw_scan_next would, without reporting
 * them; returns how many there were (fewer at the end or before invalid
 * UTF-8). */
size_t kw_scan_skip(kw_scan *s, size_t n);

static inline size_t kw_scan_offset(const kw_scan *s) { return (size_t)(s->p - s->base); }

/* 1 if any code point of valid UTF-8 changes under folding. */
int kw_utf8_folds(const char *src, size_t n);

/* The tokenizer's fast path for ASCII bytes: 1 word, 2 white space, 0
 * anything else (bytes 0x80 and up included). */
extern const unsigned char kw_ascii_kind[256];

/* Whether a code point is white space, for the context layout. */
int kw_cp_is_space(uint32_t cp);

#endif
