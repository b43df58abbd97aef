/*
 * kw_cql_plan.h: what kw_cql_find decides before it runs (see kw_cql.h):
 * whether a program holds together, and where its candidates come from;
 * internal to the core.
 *
 * Each constraint of a program has postings that hold every position
 * where it holds: those of a test (not negated), of the smaller side of an
 * AND, of both sides of an OR; a negated test has none. A hint's positions
 * are its constraints' postings, and its cost those positions times the
 * width of its distance range; the cheapest hint is taken if it costs less
 * than half the tokens, else every position is a candidate.
 */
#ifndef KW_CQL_PLAN_H
#define KW_CQL_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "kw_core.h"
#include "kw_cql_program.h"

/* 1 if p holds together for ix (kw_cql_find lists what it checks), else 0. */
int kw_cql_program_ok(const kw_index *ix, const kw_cql_program *p);

/* Scratch for the estimates of one checked program. */
typedef struct kw_cql_plan {
    const kw_index *ix;
    const kw_cql_program *p;
    uint64_t *est;          /* per Boolean operation: the positions of its postings */
    uint32_t *left, *stack; /* per Boolean operation */
} kw_cql_plan;

/* KW_ENOMEM, with nothing to free. */
kw_status kw_cql_plan_new(const kw_index *ix, const kw_cql_program *p, kw_cql_plan *out);
void kw_cql_plan_free(kw_cql_plan *plan);

/* How many positions the postings of constraint c hold at most
 * (UINT64_MAX: none to read); with `which` (a flag per test, cleared by
 * the caller), the tests whose postings those are get their flag set. The
 * postings of a test are those of the postings groups of its ids, one
 * group read once for each id in it. */
uint64_t kw_cql_cond_estimate(kw_cql_plan *plan, uint32_t c, uint8_t *which);

/* The cheapest hint, or NULL to scan; *positions: its positions at most. */
const kw_cql_hint *kw_cql_best_hint(kw_cql_plan *plan, uint64_t *positions);

#endif
