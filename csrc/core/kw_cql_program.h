/*
 * kw_cql_program.h: the layout of a compiled CQL program, which kw_cql_find
 * evaluates; kw_cql.h says what each part means.
 */
#ifndef KW_CQL_PROGRAM_H
#define KW_CQL_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

typedef enum kw_cql_op {
    KW_CQL_TOKEN,
    KW_CQL_SPLIT,
    KW_CQL_JUMP,
    KW_CQL_OPEN,
    KW_CQL_CLOSE,
    KW_CQL_MATCH
} kw_cql_op;

/* Operations of the Boolean programs. */
typedef enum kw_cql_bool_op {
    KW_CQL_TEST, /* push test `arg` */
    KW_CQL_AND,  /* pop two, push their conjunction */
    KW_CQL_OR    /* pop two, push their disjunction */
} kw_cql_bool_op;

typedef enum kw_cql_strategy { KW_CQL_LONGEST, KW_CQL_SHORTEST, KW_CQL_ALL } kw_cql_strategy;

/* TOKEN's a for [], and a hint's hi for "any distance". */
#define KW_CQL_ANY UINT32_MAX

/* The most strict structures, Boolean depth and steps of a program. */
#define KW_CQL_MAX_STRICT 4
#define KW_CQL_MAX_DEPTH 64
#define KW_CQL_MAX_STEPS 65536

typedef struct kw_cql_test {
    uint32_t attr;
    const uint32_t *ids; /* type ids of attr, any order, repeats allowed */
    size_t n_ids;
    int negated;
} kw_cql_test;

typedef struct kw_cql_bool {
    kw_cql_bool_op op;
    uint32_t arg;
} kw_cql_bool;

typedef struct kw_cql_step {
    kw_cql_op op;
    uint32_t a; /* TOKEN: constraint; SPLIT, JUMP: a step; OPEN, CLOSE: a structure */
    uint32_t b; /* SPLIT: a step; OPEN, CLOSE: strict slot + 1, or 0 */
} kw_cql_step;

/* Every match consumes, between lo and hi tokens after its start (hi
 * KW_CQL_ANY: any), a token that one of conds[0 .. n_conds) accepts. */
typedef struct kw_cql_hint {
    const uint32_t *conds;
    size_t n_conds;
    uint32_t lo, hi;
} kw_cql_hint;

typedef struct kw_cql_program {
    const kw_cql_test *tests;
    size_t n_tests;
    const kw_cql_bool *bools;
    const uint32_t *cond_start; /* n_conds + 1: constraint c is bools[cond_start[c] ..
                                   cond_start[c + 1]), leaving one value */
    size_t n_conds;
    const kw_cql_step *steps;
    size_t n_steps;
    const kw_cql_hint *hints;
    size_t n_hints;
    uint32_t within;   /* a structure, or KW_CQL_ANY for none */
    uint32_t n_strict; /* strict slots 1 .. n_strict */
    kw_cql_strategy strategy;
} kw_cql_program;

#endif
