/*
 * kw_cql.h: evaluating a compiled CQL query (the query language of
 * CWB/CQP) over the annotation layer of an index (kw_attr.h): its
 * attributes and structures. The parser and compiler are the caller's
 * (pkg/kwiq/_cql.py); this is the public C API of the evaluator.
 *
 * A program (kw_cql_program.h) has three parts.
 *   - Constraints on one token: tests, each "the token's type under
 *     attribute `attr` is (negated: is not) one of ids[]", combined by a
 *     postfix Boolean program of TEST, AND and OR (negations pushed into
 *     the tests).
 *   - A Thompson NFA over token positions (steps; entry at step 0): TOKEN
 *     consumes one token that constraint a accepts (KW_CQL_ANY: any
 *     token); SPLIT goes on at a and at b; JUMP at a; OPEN and CLOSE are
 *     the zero-width anchors <X> and </X> of structure a; MATCH ends a
 *     match.
 *   - Hints: constraints that every match meets at a known distance from
 *     its start, for choosing where candidates come from.
 *
 * Semantics (the caller's specification, tests/cql_oracle.py, in short).
 * Positions are gaps between tokens; a match from gap `start` to gap `end`
 * is the hit [start, end), never empty, never across a document. The
 * match may not consume, nor look at with <X>, a token at or past its
 * limit: its document's end, or with `within` the end of the region of
 * that structure holding token `start` (a start in no such region has no
 * match). <X> holds at gap p when token p is the first of a non-empty X
 * region, </X> when token p - 1 is the last of one (and p is not the
 * start of the document). A strict anchor (b = slot + 1 > 0: CQP's
 * StrictRegions, the caller numbers the structures whose </X> follows an
 * <X> in the query) records, on <X>, the region it opens; until a strict
 * </X> closes exactly that region (which it must: a strict </X> holds only
 * at its end, and forgets it) the match may not go past it either.
 *
 * Hits: of all matching spans, KW_CQL_LONGEST keeps those not strictly
 * contained in another of their document, KW_CQL_SHORTEST those strictly
 * containing no other, KW_CQL_ALL every one; sorted by position, then
 * length, each with its own length (kw_hits_length).
 *
 * Evaluation. Candidates start from the hint whose constraints' postings
 * are fewest (times the width of its distance range): the postings of a
 * test's types (grouped by fold group for `word`), each position checked
 * against its constraint; or, when no hint is selective, every position
 * is a candidate. A candidate that another hint of a narrow distance range
 * rules out (none of its constraints holds in that range) is not run. A
 * program of the form <X> A []* </X> (anchors paired) takes the first
 * tokens of X's regions as its candidates when they are fewer. Programs of
 * the forms A X{m,n} B (n may be unbounded; `"the" []{0,3} "of"`, `A+ B`)
 * and <X> A []* </X> are run from each candidate by a loop over the
 * tokens, or the regions, that finds what the NFA would (kw_cql.c,
 * run_form); any other program by the NFA, one gap at a time, its state
 * set deduplicated: a state is a step and, per strict structure, 2
 * bits (nothing recorded, the region holding the next token, or one that
 * ends here), so a gap holds at most n_steps * 4^n_strict states and the
 * work per candidate is linear in the tokens it reaches. The cancel is
 * asked every KW_POLL_EVERY states.
 *
 * Structures' regions are assumed sorted with both their starts and ends
 * non-decreasing (kw_attr.h).
 */
#ifndef KW_CQL_H
#define KW_CQL_H

#include <stddef.h>
#include <stdint.h>

#include "kw_core.h"
#include "kw_cql_program.h"

/* The hits of program p in ix (see above), from the index's allocator.
 * KW_EINVAL, before any work, for a program that does not hold together:
 * an id, attribute, structure, step, constraint or slot out of range, a
 * Boolean program that does not leave one value or is deeper than
 * KW_CQL_MAX_DEPTH, more than KW_CQL_MAX_STRICT slots or
 * KW_CQL_MAX_STEPS steps, a hint with lo > hi or no constraint; an index
 * without structures (every index has text). A hint the program does not
 * keep gives wrong hits, never a fault. KW_ENOMEM, KW_EINTR (nothing
 * made). */
kw_status kw_cql_find(const kw_index *ix, const kw_cql_program *p, const kw_cancel *cancel,
                      kw_hits **out);

/* kw_cql_find with a scan (no hint selective enough) cut into
 * runner->n_parts ranges of starts (kw_runner, kw_core.h), or fewer so
 * that a part has at least KW_CQL_MIN_PART positions (runner NULL: on the
 * calling thread, as kw_cql_find does). Same contract, same hits in the
 * same order. */
#define KW_CQL_MIN_PART 4096
kw_status kw_cql_find_with(const kw_index *ix, const kw_cql_program *p, const kw_runner *runner,
                           const kw_cancel *cancel, kw_hits **out);

#endif
