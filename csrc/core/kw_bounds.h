/*
 * kw_bounds.h: where sentences and paragraphs of a text end, by the rule
 * kw_core.h gives with kw_bound; internal to the core. Contexts stop there
 * (kw_kwic.c), and a plain index's structures s and p are the stretches
 * between (kw_index_find_structures), so that both read the one rule.
 */
#ifndef KW_BOUNDS_H
#define KW_BOUNDS_H

#include <stdint.h>

#include "kw_core.h"

/* The boundary between tokens `prev` and `next` of one document's text:
 * KW_BOUND_PARAGRAPH at a paragraph break, else KW_BOUND_SENTENCE at a
 * sentence end when `wanted` is KW_BOUND_SENTENCE (a paragraph bound asks
 * for no more), else KW_BOUND_NONE. `before` is the token before `prev` in
 * the same document, or NULL, and `before_type` its surface type; the
 * abbreviation rule reads it. */
kw_bound kw_boundary(const kw_index *ix, const char *text, kw_bound wanted,
                     const kw_tokspan *before, uint32_t before_type, const kw_tokspan *prev,
                     const kw_tokspan *next);

#endif
