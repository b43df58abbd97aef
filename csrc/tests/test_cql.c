/*
 * test_cql.c: tests of the CQL evaluator (kw_cql.h), without Python, on an
 * index made by hand: its attributes and structures set as arrays, the
 * programs written step by step, the hits worked out by reading the
 * tokens below.
 *
 * Prints one line per failed check and closes with "N passed, N failed".
 */
#include <stdlib.h>

#include "kw_core.h"
#include "kw_cql.h"
#include "kw_index.h" /* white-box: an index of attrs and structures only */
#include "test_support.h"

/* Counted by the core in the C tests' build (-DKW_COUNT_STEPS, kw_steps.h). */
uint64_t kw_steps;

/*
 * The corpus: two documents, three sentences.
 *
 *   pos   0    1    2    3  | 4    5    6  || 7    8    9    10   11   12
 *   word  The  cat  sat  .  | the  mat  .  || cat  sat  on   the  mat  .
 *   upos  DET  NOUN VERB PCT| DET  NOUN PCT|| NOUN VERB ADP  DET  NOUN PCT
 *
 * word types: 0 the, 1 cat, 2 sat, 3 on, 4 mat, 5 ".", 6 The (fold group
 * of "the": group 0); upos types: 0 DET, 1 NOUN, 2 VERB, 3 ADP, 4 PUNCT.
 */
enum { THE, CAT, SAT, ON, MAT, DOT, THE_UPPER };
enum { DET, NOUN, VERB, ADP, PUNCT };
#define N 13
static const uint32_t word_toks[N] = {THE_UPPER, CAT, SAT, DOT, THE, MAT, DOT,
                                      CAT,       SAT, ON,  THE, MAT, DOT};
static const uint32_t upos_toks[N] = {DET,  NOUN, VERB, PUNCT, DET,  NOUN, PUNCT,
                                      NOUN, VERB, ADP,  DET,   NOUN, PUNCT};
static const uint32_t word_group[7] = {0, 1, 2, 3, 4, 5, 0};
static const uint32_t text_start[] = {0, 7}, text_end[] = {7, 13};
static const uint32_t s_start[] = {0, 4, 7}, s_end[] = {4, 7, 13};
enum { TEXT, S };

static uint32_t word_post_start[7], word_post[N], upos_post_start[6], upos_post[N];

/* CSR postings of a stream of n tokens whose type t is in group group[t]
 * (group NULL: its own), n_groups groups. */
static void postings(const uint32_t *toks, const uint32_t *group, size_t n_groups, uint32_t *start,
                     uint32_t *post)
{
    memset(start, 0, (n_groups + 1) * sizeof *start);
    for (size_t i = 0; i < N; i++)
        start[(group ? group[toks[i]] : toks[i]) + 1]++;
    for (size_t g = 0; g < n_groups; g++)
        start[g + 1] += start[g];
    uint32_t fill[8];
    memcpy(fill, start, n_groups * sizeof *fill);
    for (uint32_t i = 0; i < N; i++)
        post[fill[group ? group[toks[i]] : toks[i]]++] = i;
}

static kw_attr attrs[2];
static kw_structure structures[2];
static kw_index ix;

static void make_index(void)
{
    postings(word_toks, word_group, 6, word_post_start, word_post);
    postings(upos_toks, NULL, 5, upos_post_start, upos_post);
    attrs[0] = (kw_attr){.name = "word",
                         .toks = word_toks,
                         .tok_width = 4,
                         .group_of = word_group,
                         .n_groups = 6,
                         .post_start = word_post_start,
                         .post = word_post};
    attrs[0].forms.n = 7;
    attrs[1] = (kw_attr){.name = "upos",
                         .toks = upos_toks,
                         .tok_width = 4,
                         .n_groups = 5,
                         .post_start = upos_post_start,
                         .post = upos_post};
    attrs[1].forms.n = 5;
    structures[TEXT] = (kw_structure){.name = "text", .start = text_start, .end = text_end, .n = 2};
    structures[S] = (kw_structure){.name = "s", .start = s_start, .end = s_end, .n = 3};
    ix.alloc = kw_alloc_libc;
    ix.n_tokens = N;
    ix.attrs = attrs;
    ix.n_attrs = 2;
    ix.structures = structures;
    ix.n_structures = 2;
}

/* ---- writing programs ---- */

/* Tests: each one of the ids below, word or upos. */
static const uint32_t id_the[] = {THE}, id_cat[] = {CAT}, id_mat[] = {MAT};
static const uint32_t id_the_any_case[] = {THE, THE_UPPER};
static const uint32_t id_det[] = {DET}, id_noun[] = {NOUN}, id_verb[] = {VERB};
static const uint32_t id_adp[] = {ADP}, id_punct[] = {PUNCT};
enum {
    T_THE,
    T_CAT,
    T_MAT,
    T_THE_ANY,
    T_DET,
    T_NOUN,
    T_VERB,
    T_ADP,
    T_PUNCT,
    T_NOT_PUNCT,
    N_TESTS
};
static const kw_cql_test tests[N_TESTS] = {
    {0, id_the, 1, 0},   {0, id_cat, 1, 0},   {0, id_mat, 1, 0},  {0, id_the_any_case, 2, 0},
    {1, id_det, 1, 0},   {1, id_noun, 1, 0},  {1, id_verb, 1, 0}, {1, id_adp, 1, 0},
    {1, id_punct, 1, 0}, {1, id_punct, 1, 1},
};

/* A program being written: constraints, steps and hints. */
typedef struct prog {
    kw_cql_bool bools[64];
    uint32_t cond_start[17];
    size_t n_conds;
    kw_cql_step steps[64];
    size_t n_steps;
    kw_cql_hint hints[4];
    uint32_t hint_conds[4][4];
    size_t n_hints;
    kw_cql_program p;
} prog;

static void prog_init(prog *g) { memset(g, 0, sizeof *g); }

/* A constraint of one test; returns its number. */
static uint32_t cond1(prog *g, uint32_t test)
{
    uint32_t at = g->cond_start[g->n_conds];
    g->bools[at] = (kw_cql_bool){KW_CQL_TEST, test};
    g->cond_start[++g->n_conds] = at + 1;
    return (uint32_t)g->n_conds - 1;
}

/* A constraint of two tests joined by op. */
static uint32_t cond2(prog *g, uint32_t t1, kw_cql_bool_op op, uint32_t t2)
{
    uint32_t at = g->cond_start[g->n_conds];
    g->bools[at] = (kw_cql_bool){KW_CQL_TEST, t1};
    g->bools[at + 1] = (kw_cql_bool){KW_CQL_TEST, t2};
    g->bools[at + 2] = (kw_cql_bool){op, 0};
    g->cond_start[++g->n_conds] = at + 3;
    return (uint32_t)g->n_conds - 1;
}

static uint32_t step(prog *g, kw_cql_op op, uint32_t a, uint32_t b)
{
    g->steps[g->n_steps] = (kw_cql_step){op, a, b};
    return (uint32_t)g->n_steps++;
}

static void hint(prog *g, uint32_t cond, uint32_t lo, uint32_t hi)
{
    g->hint_conds[g->n_hints][0] = cond;
    g->hints[g->n_hints] = (kw_cql_hint){g->hint_conds[g->n_hints], 1, lo, hi};
    g->n_hints++;
}

static const kw_cql_program *done(prog *g, uint32_t within, kw_cql_strategy strategy,
                                  uint32_t n_strict)
{
    step(g, KW_CQL_MATCH, 0, 0);
    g->p = (kw_cql_program){tests,      N_TESTS,  g->bools,   g->cond_start, g->n_conds, g->steps,
                            g->n_steps, g->hints, g->n_hints, within,        n_strict,   strategy};
    return &g->p;
}

/* The hits of p equal expected[] (pairs of position and length). */
static int hits_are(const kw_cql_program *p, const uint32_t *expected, size_t n)
{
    kw_hits *h = NULL;
    if (kw_cql_find(&ix, p, NULL, &h) != KW_OK)
        return 0;
    int same = kw_hits_count(h) == n;
    for (size_t i = 0; same && i < n; i++)
        same = kw_hits_position(h, i) == expected[2 * i]
               && kw_hits_length(h, i) == expected[2 * i + 1];
    if (!same) {
        printf("  hits:");
        for (size_t i = 0; i < kw_hits_count(h); i++)
            printf(" (%u,%u)", kw_hits_position(h, i), kw_hits_length(h, i));
        printf("\n");
    }
    kw_hits_free(h);
    return same;
}

#define HITS_ARE(p, ...)                                                           \
    do {                                                                           \
        static const uint32_t expected_[] = {__VA_ARGS__};                         \
        CHECK(hits_are((p), expected_, sizeof expected_ / sizeof *expected_ / 2)); \
    } while (0)

/* The hits of the program equal expected, with its hints and without
 * them (every position a candidate). */
static int both_ways(prog *g, const uint32_t *expected, size_t n)
{
    int with_hints = hits_are(&g->p, expected, n);
    size_t n_hints = g->p.n_hints;
    g->p.n_hints = 0;
    int scanning = hits_are(&g->p, expected, n);
    g->p.n_hints = n_hints;
    return with_hints && scanning;
}

#define BOTH_WAYS(g, ...)                                                           \
    do {                                                                            \
        static const uint32_t expected_[] = {__VA_ARGS__};                          \
        CHECK(both_ways((g), expected_, sizeof expected_ / sizeof *expected_ / 2)); \
    } while (0)

/* "the": a word as written; the same with %c, the types of a fold group. */
static void test_one_token(void)
{
    prog g;
    prog_init(&g);
    hint(&g, cond1(&g, T_THE), 0, 0);
    step(&g, KW_CQL_TOKEN, 0, 0);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    BOTH_WAYS(&g, 4, 1, 10, 1);
    prog_init(&g);
    hint(&g, cond1(&g, T_THE_ANY), 0, 0);
    step(&g, KW_CQL_TOKEN, 0, 0);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    BOTH_WAYS(&g, 0, 1, 4, 1, 10, 1);
}

/* [upos="DET"] [upos="NOUN"]; [upos="PUNCT"] [upos="NOUN"] never crosses
 * from one document to the next; [upos="PUNCT"] [] has one hit. */
static void test_sequence(void)
{
    prog g;
    prog_init(&g);
    hint(&g, cond1(&g, T_DET), 0, 0);
    hint(&g, cond1(&g, T_NOUN), 1, 1);
    step(&g, KW_CQL_TOKEN, 0, 0);
    step(&g, KW_CQL_TOKEN, 1, 0);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    BOTH_WAYS(&g, 0, 2, 4, 2, 10, 2);
    prog_init(&g);
    hint(&g, cond1(&g, T_PUNCT), 0, 0);
    hint(&g, cond1(&g, T_NOUN), 1, 1);
    step(&g, KW_CQL_TOKEN, 0, 0);
    step(&g, KW_CQL_TOKEN, 1, 0);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    CHECK(both_ways(&g, NULL, 0));
    /* No match under each strategy: nothing is ever found or moved. */
    g.p.strategy = KW_CQL_SHORTEST;
    CHECK(both_ways(&g, NULL, 0));
    g.p.strategy = KW_CQL_ALL;
    CHECK(both_ways(&g, NULL, 0));
    prog_init(&g);
    hint(&g, cond1(&g, T_PUNCT), 0, 0);
    step(&g, KW_CQL_TOKEN, 0, 0);
    step(&g, KW_CQL_TOKEN, KW_CQL_ANY, 0);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    BOTH_WAYS(&g, 3, 2);
}

/* [upos!="PUNCT"]+ under each strategy. */
static void test_strategies(void)
{
    prog g;
    prog_init(&g);
    hint(&g, cond1(&g, T_NOT_PUNCT), 0, 0);
    step(&g, KW_CQL_TOKEN, 0, 0);
    step(&g, KW_CQL_SPLIT, 0, 2);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    BOTH_WAYS(&g, 0, 3, 4, 2, 7, 5);
    g.p.strategy = KW_CQL_SHORTEST;
    BOTH_WAYS(&g, 0, 1, 1, 1, 2, 1, 4, 1, 5, 1, 7, 1, 8, 1, 9, 1, 10, 1, 11, 1);
    g.p.strategy = KW_CQL_ALL;
    BOTH_WAYS(&g, 0, 1, 0, 2, 0, 3, 1, 1, 1, 2, 2, 1, 4, 1, 4, 2, 5, 1, 7, 1, 7, 2, 7, 3, 7, 4, 7,
              5, 8, 1, 8, 2, 8, 3, 8, 4, 9, 1, 9, 2, 9, 3, 10, 1, 10, 2, 11, 1);
}

/* [upos="NOUN"] [upos="VERB"]? under each strategy. */
static void test_optional(void)
{
    prog g;
    prog_init(&g);
    hint(&g, cond1(&g, T_NOUN), 0, 0);
    cond1(&g, T_VERB);
    step(&g, KW_CQL_TOKEN, 0, 0);
    step(&g, KW_CQL_SPLIT, 2, 3);
    step(&g, KW_CQL_TOKEN, 1, 0);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    BOTH_WAYS(&g, 1, 2, 5, 1, 7, 2, 11, 1);
    g.p.strategy = KW_CQL_SHORTEST;
    BOTH_WAYS(&g, 1, 1, 5, 1, 7, 1, 11, 1);
    g.p.strategy = KW_CQL_ALL;
    BOTH_WAYS(&g, 1, 1, 1, 2, 5, 1, 7, 1, 7, 2, 11, 1);
}

/* [upos="NOUN"] []* [upos="NOUN"], alone and within s. */
static void test_gap_and_within(void)
{
    prog g;
    prog_init(&g);
    hint(&g, cond1(&g, T_NOUN), 0, 0);
    hint(&g, cond1(&g, T_NOUN), 1, KW_CQL_ANY);
    step(&g, KW_CQL_TOKEN, 0, 0);
    step(&g, KW_CQL_SPLIT, 2, 4);
    step(&g, KW_CQL_TOKEN, KW_CQL_ANY, 0);
    step(&g, KW_CQL_JUMP, 1, 0);
    step(&g, KW_CQL_TOKEN, 1, 0);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    BOTH_WAYS(&g, 1, 5, 7, 5);
    g.p.within = S;
    BOTH_WAYS(&g, 7, 5);
    g.p.strategy = KW_CQL_ALL;
    BOTH_WAYS(&g, 7, 5);
    g.p.within = TEXT;
    BOTH_WAYS(&g, 1, 5, 7, 5);
}

/* <s> [], [] </s>, <text> [], [] </text>, </s> [upos="DET"]. */
static void test_anchors(void)
{
    prog g;
    prog_init(&g);
    step(&g, KW_CQL_OPEN, S, 0);
    step(&g, KW_CQL_TOKEN, KW_CQL_ANY, 0);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    BOTH_WAYS(&g, 0, 1, 4, 1, 7, 1);
    g.steps[0].a = TEXT;
    BOTH_WAYS(&g, 0, 1, 7, 1);
    prog_init(&g);
    step(&g, KW_CQL_TOKEN, KW_CQL_ANY, 0);
    step(&g, KW_CQL_CLOSE, S, 0);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    BOTH_WAYS(&g, 3, 1, 6, 1, 12, 1);
    g.steps[1].a = TEXT;
    BOTH_WAYS(&g, 6, 1, 12, 1);
    /* </s> at gap 0 of a document is false: the DET at 0 is not a hit. */
    prog_init(&g);
    hint(&g, cond1(&g, T_DET), 0, 0);
    step(&g, KW_CQL_CLOSE, S, 0);
    step(&g, KW_CQL_TOKEN, 0, 0);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    BOTH_WAYS(&g, 4, 1);
}

/* The forms the core runs without the NFA (kw_cql.c, run_form):
 * [upos="DET"] []{1,2} [upos="PUNCT"], and <s> [upos="DET"] []* </s>
 * with the anchors paired, alone and within s. */
static void test_forms(void)
{
    prog g;
    prog_init(&g);
    hint(&g, cond1(&g, T_DET), 0, 0);
    step(&g, KW_CQL_TOKEN, 0, 0);
    step(&g, KW_CQL_TOKEN, KW_CQL_ANY, 0);
    step(&g, KW_CQL_SPLIT, 3, 4);
    step(&g, KW_CQL_TOKEN, KW_CQL_ANY, 0);
    step(&g, KW_CQL_TOKEN, cond1(&g, T_PUNCT), 0);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    BOTH_WAYS(&g, 0, 4, 4, 3, 10, 3);
    g.p.strategy = KW_CQL_ALL;
    BOTH_WAYS(&g, 0, 4, 4, 3, 10, 3);
    prog_init(&g);
    hint(&g, cond1(&g, T_DET), 0, 0);
    step(&g, KW_CQL_OPEN, S, 1);
    step(&g, KW_CQL_TOKEN, 0, 0);
    step(&g, KW_CQL_SPLIT, 3, 5);
    step(&g, KW_CQL_TOKEN, KW_CQL_ANY, 0);
    step(&g, KW_CQL_JUMP, 2, 0);
    step(&g, KW_CQL_CLOSE, S, 1);
    done(&g, KW_CQL_ANY, KW_CQL_SHORTEST, 1);
    BOTH_WAYS(&g, 0, 4, 4, 3);
    g.p.within = S;
    BOTH_WAYS(&g, 0, 4, 4, 3);
    g.p.within = TEXT;
    g.steps[0].a = g.steps[5].a = TEXT;
    BOTH_WAYS(&g, 0, 7);
}

/* <s> []* </s>: strict, whole sentences; plain anchors, runs of them. */
static void test_strict_regions(void)
{
    prog g;
    prog_init(&g);
    step(&g, KW_CQL_OPEN, S, 1);
    step(&g, KW_CQL_SPLIT, 2, 4);
    step(&g, KW_CQL_TOKEN, KW_CQL_ANY, 0);
    step(&g, KW_CQL_JUMP, 1, 0);
    step(&g, KW_CQL_CLOSE, S, 1);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 1);
    BOTH_WAYS(&g, 0, 4, 4, 3, 7, 6);
    g.p.strategy = KW_CQL_ALL;
    BOTH_WAYS(&g, 0, 4, 4, 3, 7, 6);
    g.steps[0].b = g.steps[4].b = 0;
    g.p.n_strict = 0;
    BOTH_WAYS(&g, 0, 4, 0, 7, 4, 3, 7, 6);
    g.p.strategy = KW_CQL_LONGEST;
    BOTH_WAYS(&g, 0, 7, 7, 6);
    /* A strict </s> with nothing recorded fails: [] </s> after an <s> that
     * an alternative skipped ((<s>)? [] </s>: only after <s>, one token
     * sentences, and there are none). */
    prog_init(&g);
    step(&g, KW_CQL_SPLIT, 1, 2);
    step(&g, KW_CQL_OPEN, S, 1);
    step(&g, KW_CQL_TOKEN, KW_CQL_ANY, 0);
    step(&g, KW_CQL_CLOSE, S, 1);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 1);
    CHECK(both_ways(&g, NULL, 0));
}

/* Two strict slots, text (1) and s (2): <text> <s> []* </s> []* </text>
 * finds whole documents; <text> <s> []* </text> leaves the sentence open,
 * so the match may not pass its end: only the document of one sentence. */
static void test_two_strict_slots(void)
{
    prog g;
    prog_init(&g);
    step(&g, KW_CQL_OPEN, TEXT, 1);        /* 0 */
    step(&g, KW_CQL_OPEN, S, 2);           /* 1 */
    step(&g, KW_CQL_SPLIT, 3, 5);          /* 2 */
    step(&g, KW_CQL_TOKEN, KW_CQL_ANY, 0); /* 3 */
    step(&g, KW_CQL_JUMP, 2, 0);           /* 4 */
    step(&g, KW_CQL_CLOSE, S, 2);          /* 5 */
    step(&g, KW_CQL_SPLIT, 7, 9);          /* 6 */
    step(&g, KW_CQL_TOKEN, KW_CQL_ANY, 0); /* 7 */
    step(&g, KW_CQL_JUMP, 6, 0);           /* 8 */
    step(&g, KW_CQL_CLOSE, TEXT, 1);       /* 9 */
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 2);
    BOTH_WAYS(&g, 0, 7, 7, 6);
    prog_init(&g);
    step(&g, KW_CQL_OPEN, TEXT, 1);
    step(&g, KW_CQL_OPEN, S, 2);
    step(&g, KW_CQL_SPLIT, 3, 5);
    step(&g, KW_CQL_TOKEN, KW_CQL_ANY, 0);
    step(&g, KW_CQL_JUMP, 2, 0);
    step(&g, KW_CQL_CLOSE, TEXT, 1);
    done(&g, KW_CQL_ANY, KW_CQL_ALL, 2);
    BOTH_WAYS(&g, 7, 6);
}

/* "cat" | "mat", [word="the" & upos="DET"], [word="cat" | upos="ADP"]. */
static void test_alternatives_and_booleans(void)
{
    prog g;
    prog_init(&g);
    uint32_t cat = cond1(&g, T_CAT), mat = cond1(&g, T_MAT);
    g.hint_conds[0][0] = cat;
    g.hint_conds[0][1] = mat;
    g.hints[0] = (kw_cql_hint){g.hint_conds[0], 2, 0, 0};
    g.n_hints = 1;
    step(&g, KW_CQL_SPLIT, 1, 3);
    step(&g, KW_CQL_TOKEN, cat, 0);
    step(&g, KW_CQL_JUMP, 4, 0);
    step(&g, KW_CQL_TOKEN, mat, 0);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    BOTH_WAYS(&g, 1, 1, 5, 1, 7, 1, 11, 1);
    prog_init(&g);
    hint(&g, cond2(&g, T_THE, KW_CQL_AND, T_DET), 0, 0);
    step(&g, KW_CQL_TOKEN, 0, 0);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    BOTH_WAYS(&g, 4, 1, 10, 1);
    prog_init(&g);
    hint(&g, cond2(&g, T_CAT, KW_CQL_OR, T_ADP), 0, 0);
    step(&g, KW_CQL_TOKEN, 0, 0);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    BOTH_WAYS(&g, 1, 1, 7, 1, 9, 1);
}

/* Programs that do not hold together are refused. */
static void test_invalid_programs(void)
{
    prog g;
    prog_init(&g);
    cond1(&g, T_THE);
    step(&g, KW_CQL_TOKEN, 0, 0);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    kw_hits *h = NULL;
    CHECK(kw_cql_find(&ix, &g.p, NULL, &h) == KW_OK);
    kw_hits_free(h);
    g.steps[0].a = 1;
    CHECK(kw_cql_find(&ix, &g.p, NULL, &h) == KW_EINVAL);
    g.steps[0] = (kw_cql_step){KW_CQL_JUMP, 7, 0};
    CHECK(kw_cql_find(&ix, &g.p, NULL, &h) == KW_EINVAL);
    g.steps[0] = (kw_cql_step){KW_CQL_OPEN, 2, 0};
    CHECK(kw_cql_find(&ix, &g.p, NULL, &h) == KW_EINVAL);
    g.steps[0] = (kw_cql_step){KW_CQL_OPEN, S, 1};
    CHECK(kw_cql_find(&ix, &g.p, NULL, &h) == KW_EINVAL);
    g.p.n_strict = KW_CQL_MAX_STRICT + 1;
    CHECK(kw_cql_find(&ix, &g.p, NULL, &h) == KW_EINVAL);
    g.p.n_strict = 1;
    g.p.within = 2;
    CHECK(kw_cql_find(&ix, &g.p, NULL, &h) == KW_EINVAL);
    g.p.within = KW_CQL_ANY;
    g.bools[0].op = KW_CQL_AND;
    CHECK(kw_cql_find(&ix, &g.p, NULL, &h) == KW_EINVAL);
    g.bools[0] = (kw_cql_bool){KW_CQL_TEST, N_TESTS};
    CHECK(kw_cql_find(&ix, &g.p, NULL, &h) == KW_EINVAL);
    g.bools[0].arg = 0;
    static const uint32_t bad_id[] = {7};
    kw_cql_test bad = {0, bad_id, 1, 0};
    g.p.tests = &bad;
    g.p.n_tests = 1;
    CHECK(kw_cql_find(&ix, &g.p, NULL, &h) == KW_EINVAL);
    /* The last step must not go on past the end. */
    prog_init(&g);
    step(&g, KW_CQL_TOKEN, KW_CQL_ANY, 0);
    g.p = (kw_cql_program){tests, N_TESTS, g.bools, g.cond_start, 0, g.steps,
                           1,     NULL,    0,       KW_CQL_ANY,   0, KW_CQL_LONGEST};
    CHECK(kw_cql_find(&ix, &g.p, NULL, &h) == KW_EINVAL);
}

static failing_alloc failing = FAILING_ALLOC(failing);

/* Out of memory at each allocation in turn: KW_ENOMEM and nothing left
 * behind (the sanitizers and valgrind see leaks), until there is enough. */
static void test_out_of_memory(void)
{
    prog g;
    prog_init(&g);
    hint(&g, cond1(&g, T_NOUN), 0, 0);
    cond1(&g, T_VERB);
    step(&g, KW_CQL_TOKEN, 0, 0);
    step(&g, KW_CQL_SPLIT, 2, 3);
    step(&g, KW_CQL_TOKEN, 1, 0);
    done(&g, KW_CQL_ANY, KW_CQL_ALL, 0);
    ix.alloc = failing.alloc;
    int failures = 0, ok = 0;
    for (long k = 0; k < 200 && !ok; k++) {
        failing.fail_at = k;
        failing.calls = 0;
        kw_hits *h = NULL;
        kw_status st = kw_cql_find(&ix, &g.p, NULL, &h);
        if (st == KW_OK) {
            ok = 1;
            CHECK(kw_hits_count(h) == 6);
            kw_hits_free(h);
        } else {
            CHECK(st == KW_ENOMEM);
            failures++;
        }
    }
    ix.alloc = kw_alloc_libc;
    CHECK(ok && failures > 5);
}

/* A long index of one type, sentences of 10 tokens, for the cancel and
 * the bound on the states. */
#define BIG 200000
static uint32_t big_toks[BIG], big_post[BIG], big_post_start[2] = {0, BIG};
static uint32_t big_text_start[1] = {0}, big_text_end[1] = {BIG};
static uint32_t big_s_start[BIG / 10], big_s_end[BIG / 10];
static kw_attr big_attr;
static kw_structure big_structures[2];
static kw_index big;

static void make_big_index(void)
{
    for (uint32_t i = 0; i < BIG; i++)
        big_post[i] = i;
    for (uint32_t k = 0; k < BIG / 10; k++) {
        big_s_start[k] = 10 * k;
        big_s_end[k] = 10 * k + 10;
    }
    big_attr = (kw_attr){.name = "word",
                         .toks = big_toks,
                         .tok_width = 4,
                         .n_groups = 1,
                         .post_start = big_post_start,
                         .post = big_post};
    big_attr.forms.n = 1;
    big_structures[TEXT] =
        (kw_structure){.name = "text", .start = big_text_start, .end = big_text_end, .n = 1};
    big_structures[S] =
        (kw_structure){.name = "s", .start = big_s_start, .end = big_s_end, .n = BIG / 10};
    big.alloc = kw_alloc_libc;
    big.n_tokens = BIG;
    big.attrs = &big_attr;
    big.n_attrs = 1;
    big.structures = big_structures;
    big.n_structures = 2;
}

static int polls;
static int stop_now(void *ctx)
{
    (void)ctx;
    polls++;
    return 1;
}
static int go_on(void *ctx)
{
    (void)ctx;
    polls++;
    return 0;
}

/* A scan stops when asked, and asks now and then. */
static void test_cancel(void)
{
    prog g;
    prog_init(&g);
    step(&g, KW_CQL_TOKEN, KW_CQL_ANY, 0);
    done(&g, KW_CQL_ANY, KW_CQL_LONGEST, 0);
    g.p.tests = NULL;
    g.p.n_tests = 0;
    kw_hits *h = NULL;
    kw_cancel stop = {stop_now, NULL}, carry_on = {go_on, NULL};
    polls = 0;
    CHECK(kw_cql_find(&big, &g.p, &stop, &h) == KW_EINTR);
    CHECK(polls == 1);
    polls = 0;
    CHECK(kw_cql_find(&big, &g.p, &carry_on, &h) == KW_OK);
    CHECK(polls > 0 && polls <= 2 * (3 * BIG / KW_POLL_EVERY + 1));
    CHECK(kw_hits_count(h) == BIG && kw_hits_length(h, BIG - 1) == 1);
    kw_hits_free(h);
}

/* ((([])*)*)* </s> within s: nested loops that consume nothing add states
 * to a gap, never more than one per step; each start runs to its
 * sentence's end: at most 11 gaps of at most 9 states (steps) each. */
static void test_states_are_bounded(void)
{
    prog g;
    prog_init(&g);
    step(&g, KW_CQL_SPLIT, 1, 8);          /* 0: ( */
    step(&g, KW_CQL_SPLIT, 2, 7);          /* 1:   ( */
    step(&g, KW_CQL_SPLIT, 3, 6);          /* 2:     ( */
    step(&g, KW_CQL_TOKEN, KW_CQL_ANY, 0); /* 3: [] */
    step(&g, KW_CQL_JUMP, 2, 0);           /* 4:     )* */
    step(&g, KW_CQL_JUMP, 2, 0);           /* 5 (unreached) */
    step(&g, KW_CQL_JUMP, 1, 0);           /* 6:   )* */
    step(&g, KW_CQL_JUMP, 0, 0);           /* 7: )* */
    step(&g, KW_CQL_CLOSE, S, 0);          /* 8: </s> */
    done(&g, S, KW_CQL_LONGEST, 0);
    g.p.tests = NULL;
    g.p.n_tests = 0;
    kw_hits *h = NULL;
    kw_steps = 0;
    CHECK(kw_cql_find(&big, &g.p, NULL, &h) == KW_OK);
    CHECK(kw_steps <= (uint64_t)BIG * 11 * 10);
    /* Longest: each sentence whole. */
    CHECK(kw_hits_count(h) == BIG / 10);
    CHECK(kw_hits_position(h, 1) == 10 && kw_hits_length(h, 1) == 10);
    kw_hits_free(h);
}

/* A runner that runs the parts one after the other, last first. */
static size_t parts_run;
static void run_backwards(void *ctx, void (*task)(void *, size_t), void *arg, size_t n_parts)
{
    (void)ctx;
    for (size_t part = n_parts; part-- > 0;) {
        task(arg, part);
        parts_run++;
    }
}

/* The hits of p on big equal those found without a runner. */
static int same_with_parts(const kw_cql_program *p, size_t n_parts, size_t *count)
{
    kw_hits *one = NULL, *cut = NULL;
    kw_runner runner = {run_backwards, NULL, n_parts};
    if (kw_cql_find(&big, p, NULL, &one) != KW_OK)
        return 0;
    int same = kw_cql_find_with(&big, p, &runner, NULL, &cut) == KW_OK
               && kw_hits_count(one) == kw_hits_count(cut);
    for (size_t i = 0; same && i < kw_hits_count(one); i++)
        same = kw_hits_position(one, i) == kw_hits_position(cut, i)
               && kw_hits_length(one, i) == kw_hits_length(cut, i);
    *count = kw_hits_count(one);
    kw_hits_free(one);
    kw_hits_free(cut);
    return same;
}

/* A scan cut into parts finds what one part finds, in the same order,
 * however many spans each start has (more than a part has room for at
 * first); a stop asked in any part stops the scan. */
static void test_scan_in_parts(void)
{
    prog all, to_end;
    prog_init(&all);
    step(&all, KW_CQL_TOKEN, KW_CQL_ANY, 0); /* []{1,3} */
    step(&all, KW_CQL_SPLIT, 2, 5);
    step(&all, KW_CQL_TOKEN, KW_CQL_ANY, 0);
    step(&all, KW_CQL_SPLIT, 4, 5);
    step(&all, KW_CQL_TOKEN, KW_CQL_ANY, 0);
    done(&all, KW_CQL_ANY, KW_CQL_ALL, 0);
    all.p.tests = NULL;
    all.p.n_tests = 0;
    prog_init(&to_end);
    step(&to_end, KW_CQL_TOKEN, KW_CQL_ANY, 0); /* []+ </s> */
    step(&to_end, KW_CQL_SPLIT, 0, 2);
    step(&to_end, KW_CQL_CLOSE, S, 0);
    done(&to_end, S, KW_CQL_LONGEST, 0);
    to_end.p.tests = NULL;
    to_end.p.n_tests = 0;
    size_t sizes[] = {2, 3, 7, 1000};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t count = 0,
               parts = BIG / KW_CQL_MIN_PART < sizes[k] ? BIG / KW_CQL_MIN_PART : sizes[k];
        parts_run = 0;
        CHECK(same_with_parts(&all.p, sizes[k], &count) && count == 3 * (size_t)BIG - 3);
        CHECK(parts_run % parts == 0 && parts_run >= parts);
        for (kw_cql_strategy s = KW_CQL_LONGEST; s <= KW_CQL_ALL; s++) {
            to_end.p.strategy = s;
            CHECK(same_with_parts(&to_end.p, sizes[k], &count)
                  && count == (s == KW_CQL_ALL ? (size_t)BIG : BIG / 10));
        }
    }
    kw_runner runner = {run_backwards, NULL, 4};
    kw_cancel stop = {stop_now, NULL};
    kw_hits *h = NULL;
    polls = 0;
    CHECK(kw_cql_find_with(&big, &all.p, &runner, &stop, &h) == KW_EINTR && h == NULL);
    CHECK(polls == 1);
}

int main(void)
{
    make_index();
    make_big_index();
    test_one_token();
    test_sequence();
    test_strategies();
    test_optional();
    test_gap_and_within();
    test_anchors();
    test_strict_regions();
    test_forms();
    test_two_strict_slots();
    test_alternatives_and_booleans();
    test_invalid_programs();
    test_out_of_memory();
    test_cancel();
    test_states_are_bounded();
    test_scan_in_parts();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
