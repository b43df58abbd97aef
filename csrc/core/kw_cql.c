/*
 * kw_cql.c: evaluating compiled CQL queries (see kw_cql.h).
 *
 * The program is checked, each test made a bitmap over its attribute's
 * types, and the candidate starts chosen: the positions of the hint with
 * the fewest postings, each checked against its constraint and widened to
 * the starts its distance range allows, or every position. From each start
 * the NFA runs gap by gap: the states of a gap are closed over the steps
 * that consume nothing (SPLIT, JUMP, the anchors), then each TOKEN state
 * consumes the token after the gap if its constraint accepts it. A state
 * is a step and two bits per strict slot (kw_cql.h), numbered so that a
 * stamp per state number deduplicates a gap's states.
 */
#include <string.h>

#include "kw_alloc.h"
#include "kw_attr.h"
#include "kw_cancel.h"
#include "kw_cql.h"
#include "kw_cql_plan.h"
#include "kw_hits.h"
#include "kw_index.h"
#include "kw_steps.h"

/* A strict slot's two bits: nothing recorded, the recorded region holds
 * the token after the gap, or it ends at the gap. */
enum { SLOT_NONE = 0, SLOT_HOLDING = 1, SLOT_ENDS_HERE = 2 };
/* The high bit of every slot: set in a state whose recorded region ends here. */
#define ENDS_HERE_BITS 0xAAu

typedef struct cursor {
    const kw_structure *st;
    size_t first; /* the first region whose end is past the gap */
    uint32_t gap; /* the gap it was last moved to */
    uint64_t run; /* the run it was sought for: sought again in a new run */
} cursor;

/* The region of a structure that holds the last start asked for. */
typedef struct region {
    const kw_structure *st;
    uint32_t start, end; /* empty: none known yet */
    size_t after;        /* the first region that starts past the last position asked */
} region;

/* Two common forms of program, run without the NFA (see run_form):
 *   FORM_GAP: A X{m,n} B, tokens of constraints a, x (or any), b, n
 *     KW_CQL_ANY for no bound, as `"the" []{0,3} "of"` and `A+ B` (A A* B);
 *   FORM_REGION: <X> A []* </X> with the anchors paired (strict), as
 *     `<s> [upos="PRON"] []* </s>`: a whole region from its first token. */
enum { FORM_NFA, FORM_GAP, FORM_REGION };

typedef struct shape {
    int kind;
    uint32_t a, x, b, m, n, structure;
} shape;

typedef struct engine {
    const kw_index *ix;
    const kw_cql_program *p;
    uint8_t **bits;  /* per test: over its attribute's types */
    unsigned shift;  /* state = step << shift | slot bits */
    uint32_t *stamp; /* per state number: the gap's generation when seen */
    uint32_t generation;
    uint32_t *stack, *tokens, *seeds, *next_seeds;
    size_t n_tokens, n_seeds, n_next;
    uint32_t *slot_structure; /* per strict slot */
    cursor *cursors;          /* per structure of the index */
    uint32_t *cond_seen;      /* per constraint: the generation of cond_value */
    uint8_t *cond_value;
    uint8_t *cond_kind; /* per constraint: its tests joined by AND alone, by OR alone, or mixed */
    uint32_t gap, doc_start, limit;
    uint64_t run; /* runs so far (from one start each) */
    region doc, within;
    kw_parts_stop *stop;     /* shared by the parts of a scan */
    size_t work;             /* states since the cancel was last asked */
    int owns_bits;           /* the parts of a scan share the first engine's */
    int fixed;               /* the spans may not grow (a part of a scan) */
    int full;                /* fixed, and a span found no room */
    uint32_t *starts, *ends; /* the spans found, by start */
    size_t n_found, cap_found;
    shape form;
} engine;

static inline int has_bit(const uint8_t *bits, uint32_t i) { return bits[i >> 3] >> (i & 7) & 1; }

static inline unsigned slot_get(uint32_t code, uint32_t slot) { return code >> (2 * slot) & 3u; }

static inline uint32_t slot_set(uint32_t code, uint32_t slot, unsigned value)
{
    return (code & ~(3u << (2 * slot))) | (uint32_t)value << (2 * slot);
}

/* ---- tokens and structures ---- */

static inline int test_holds(const engine *e, uint32_t t, uint32_t pos)
{
    const kw_cql_test *test = &e->p->tests[t];
    uint32_t type = kw_attr_type(&e->ix->attrs[test->attr], pos);
    return has_bit(e->bits[t], type) != test->negated;
}

/* How a constraint's tests combine: with AND or OR alone, it is decided by
 * its first false or true test, as most are (`[lemma="go" & upos="VERB"]`). */
enum { COND_MIXED, COND_ALL, COND_ANY };

static int mixed_cond_holds(const engine *e, uint32_t c, uint32_t pos)
{
    const unsigned kind = e->cond_kind[c];
    if (kind != COND_MIXED) {
        const int decisive = kind == COND_ANY;
        for (uint32_t i = e->p->cond_start[c]; i < e->p->cond_start[c + 1]; i++)
            if (e->p->bools[i].op == KW_CQL_TEST
                && test_holds(e, e->p->bools[i].arg, pos) == decisive)
                return decisive;
        return !decisive;
    }
    uint64_t stack = 0;
    for (uint32_t i = e->p->cond_start[c]; i < e->p->cond_start[c + 1]; i++) {
        const kw_cql_bool *b = &e->p->bools[i];
        if (b->op == KW_CQL_TEST) {
            stack = stack << 1 | (uint64_t)test_holds(e, b->arg, pos);
        } else {
            uint64_t right = stack & 1;
            stack >>= 1;
            uint64_t both = b->op == KW_CQL_AND ? (stack & right) : (stack | right);
            stack = (stack & ~(uint64_t)1) | (both & 1);
        }
    }
    return (int)(stack & 1);
}

/* Most constraints are one test, decided here without a call. */
static inline int cond_holds(const engine *e, uint32_t c, uint32_t pos)
{
    const uint32_t first = e->p->cond_start[c];
    if (e->p->cond_start[c + 1] == first + 1)
        return test_holds(e, e->p->bools[first].arg, pos);
    return mixed_cond_holds(e, c, pos);
}

/* The constraint c at the token after the gap, remembered for the gap. */
static int cond_at_gap(engine *e, uint32_t c)
{
    if (e->cond_seen[c] != e->generation) {
        e->cond_seen[c] = e->generation;
        e->cond_value[c] = (uint8_t)cond_holds(e, c, e->gap);
    }
    return e->cond_value[c];
}

/* Starts come in ascending order, most a few regions past the last: the
 * first region after `lo` with end past the gap is looked for among the
 * next few before a binary search (regions' ends do not decrease). */
#define NEAR_REGIONS 8

static void cursor_seek(cursor *c, uint32_t gap, uint64_t run)
{
    size_t lo = c->run && gap >= c->gap ? c->first : 0, hi = c->st->n;
    c->run = run;
    c->gap = gap;
    for (size_t k = 0; k < NEAR_REGIONS && lo < hi && c->st->end[lo] <= gap; k++)
        lo++;
    if (lo < hi && c->st->end[lo] > gap)
        hi = lo;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->st->end[mid] <= gap)
            lo = mid + 1;
        else
            hi = mid;
    }
    c->first = lo;
}

static void cursor_advance(const engine *e, cursor *c, uint32_t gap)
{
    if (c->run != e->run)
        cursor_seek(c, gap, e->run);
    c->gap = gap;
    while (c->first < c->st->n && c->st->end[c->first] <= gap)
        c->first++;
}

/* Token `gap` is the first of a region. */
static int starts_at(engine *e, uint32_t structure, uint32_t gap)
{
    cursor *c = &e->cursors[structure];
    cursor_advance(e, c, gap);
    return c->first < c->st->n && c->st->start[c->first] == gap;
}

/* Token gap - 1 is the last of a region. */
static int ends_at(engine *e, uint32_t structure, uint32_t gap)
{
    cursor *c = &e->cursors[structure];
    cursor_advance(e, c, gap);
    for (size_t j = c->first; j > 0 && c->st->end[j - 1] == gap; j--)
        if (c->st->start[j - 1] < gap)
            return 1;
    return 0;
}

/* kw_structure_find (kw_attr.h) for positions that mostly ascend: *after
 * is the first region that starts past the last position asked (0 at
 * first), and becomes that of pos; the next few regions are looked at
 * before a binary search. */
static size_t find_region_near(const kw_structure *st, uint32_t pos, size_t *after)
{
    size_t lo = *after, hi = st->n;
    if (lo > 0 && st->start[lo - 1] > pos)
        lo = 0;
    for (size_t k = 0; k < NEAR_REGIONS && lo < hi && st->start[lo] <= pos; k++)
        lo++;
    if (lo < hi && st->start[lo] > pos)
        hi = lo;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->start[mid] <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    *after = lo;
    return lo == 0 || pos >= st->end[lo - 1] ? st->n : lo - 1;
}

/* Whether a region of r's structure holds token pos, r set to it: the
 * region known already, or one found near the last. */
static int region_of(region *r, uint32_t pos)
{
    if (pos >= r->start && pos < r->end)
        return 1;
    size_t i = find_region_near(r->st, pos, &r->after);
    if (i == r->st->n)
        return 0;
    r->start = r->st->start[i];
    r->end = r->st->end[i];
    return 1;
}

/* ---- running the NFA ---- */

static void push(engine *e, size_t *depth, uint32_t step, uint32_t code)
{
    uint32_t state = step << e->shift | code;
    if (e->stamp[state] == e->generation)
        return;
    e->stamp[state] = e->generation;
    e->stack[(*depth)++] = state;
}

/* A new generation of stamps: a new gap. */
static void next_generation(engine *e, size_t n_states)
{
    if (++e->generation == 0) {
        memset(e->stamp, 0, n_states * sizeof *e->stamp);
        memset(e->cond_seen, 0, e->p->n_conds * sizeof *e->cond_seen);
        e->generation = 1;
    }
}

/* Close the seeds over the steps that consume nothing, at e->gap: the
 * TOKEN states that may consume go to e->tokens. Returns 1 if MATCH was
 * reached. */
static int close_states(engine *e, size_t n_states)
{
    const kw_cql_program *p = e->p;
    const uint32_t mask = (1u << e->shift) - 1;
    const uint32_t gap = e->gap;
    size_t depth = 0;
    int matched = 0;
    next_generation(e, n_states);
    for (size_t k = 0; k < e->n_seeds; k++) {
        uint32_t step = e->seeds[k] >> e->shift, code = e->seeds[k] & mask;
        for (uint32_t slot = 0; slot < p->n_strict; slot++)
            if (slot_get(code, slot) == SLOT_HOLDING && ends_at(e, e->slot_structure[slot], gap))
                code = slot_set(code, slot, SLOT_ENDS_HERE);
        push(e, &depth, step, code);
    }
    e->n_tokens = 0;
    while (depth) {
        uint32_t state = e->stack[--depth];
        uint32_t code = state & mask;
        const kw_cql_step *s = &p->steps[state >> e->shift];
        uint32_t next = (state >> e->shift) + 1;
        int may_look = gap < e->limit && !(code & ENDS_HERE_BITS);
        e->work++;
        KW_STEP();
        switch (s->op) {
        case KW_CQL_TOKEN:
            if (may_look)
                e->tokens[e->n_tokens++] = state;
            break;
        case KW_CQL_MATCH:
            matched = 1;
            break;
        case KW_CQL_JUMP:
            push(e, &depth, s->a, code);
            break;
        case KW_CQL_SPLIT:
            push(e, &depth, s->a, code);
            push(e, &depth, s->b, code);
            break;
        case KW_CQL_OPEN:
            if (may_look && starts_at(e, s->a, gap))
                push(e, &depth, next, s->b ? slot_set(code, s->b - 1, SLOT_HOLDING) : code);
            break;
        case KW_CQL_CLOSE:
            if (s->b) {
                if (slot_get(code, s->b - 1) == SLOT_ENDS_HERE)
                    push(e, &depth, next, slot_set(code, s->b - 1, SLOT_NONE));
            } else if (gap > e->doc_start && ends_at(e, s->a, gap)) {
                push(e, &depth, next, code);
            }
            break;
        }
    }
    return matched;
}

/* KW_ENOMEM with e->full set: a part of a scan, whose spans may not
 * grow while it runs, has no room left. */
static kw_status found(engine *e, uint32_t start, uint32_t end)
{
    if (e->n_found == e->cap_found) {
        if (e->fixed) {
            e->full = 1;
            return KW_ENOMEM;
        }
        size_t cap = e->cap_found;
        if (kw_reserve(&e->ix->alloc, (void **)&e->starts, &cap, e->n_found + 1, sizeof *e->starts)
                != KW_OK
            || kw_reserve(&e->ix->alloc, (void **)&e->ends, &e->cap_found, e->n_found + 1,
                          sizeof *e->ends)
                   != KW_OK)
            return KW_ENOMEM;
    }
    e->starts[e->n_found] = start;
    e->ends[e->n_found++] = end;
    return KW_OK;
}

/* The matches from `start`, as the strategy asks: every end, or the
 * longest or shortest one. */
static kw_status run_form(engine *e, uint32_t start);

static kw_status run_from(engine *e, uint32_t start, size_t n_states)
{
    if (!region_of(&e->doc, start))
        return KW_OK;
    e->doc_start = e->doc.start;
    e->limit = e->doc.end;
    if (e->p->within != KW_CQL_ANY) {
        if (!region_of(&e->within, start))
            return KW_OK;
        if (e->within.end < e->limit)
            e->limit = e->within.end;
    }
    e->run++;
    if (e->form.kind != FORM_NFA)
        return run_form(e, start);
    e->seeds[0] = 0;
    e->n_seeds = 1;
    uint32_t longest = 0;
    for (e->gap = start;; e->gap++) {
        if (e->work >= KW_POLL_EVERY) {
            e->work = 0;
            if (kw_parts_stopped(e->stop))
                return KW_EINTR;
        }
        if (close_states(e, n_states) && e->gap > start) {
            if (e->p->strategy == KW_CQL_LONGEST) {
                longest = e->gap;
            } else {
                kw_status st = found(e, start, e->gap);
                if (st != KW_OK || e->p->strategy == KW_CQL_SHORTEST)
                    return st;
            }
        }
        if (e->n_tokens == 0 || e->gap >= e->limit)
            break;
        e->n_next = 0;
        for (size_t k = 0; k < e->n_tokens; k++) {
            uint32_t state = e->tokens[k];
            uint32_t cond = e->p->steps[state >> e->shift].a;
            if (cond == KW_CQL_ANY || cond_at_gap(e, cond))
                e->next_seeds[e->n_next++] = state + (1u << e->shift);
        }
        if (e->n_next == 0)
            break;
        uint32_t *swap = e->seeds;
        e->seeds = e->next_seeds;
        e->next_seeds = swap;
        e->n_seeds = e->n_next;
    }
    return longest ? found(e, start, longest) : KW_OK;
}

/* ---- the forms run without the NFA ---- */

static inline int token_holds(const engine *e, uint32_t c, uint32_t pos)
{
    return c == KW_CQL_ANY || cond_holds(e, c, pos);
}

/* What the NFA finds from `start` (e->limit set) for a program of form
 * e->form, found directly. FORM_GAP: a at start, then x at each next token
 * up to n of them; after m or more, b at the token that follows ends a
 * match. FORM_REGION: <X> holds at start, a at start, and the match ends
 * at the first gap past start where a non-empty region of X ends (where
 * </X> holds and the NFA can go no further), if the limit allows. */
static kw_status run_form(engine *e, uint32_t start)
{
    const shape *f = &e->form;
    if (start >= e->limit)
        return KW_OK;
    if (f->kind == FORM_REGION) {
        if (!starts_at(e, f->structure, start) || !token_holds(e, f->a, start))
            return KW_OK;
        const cursor *c = &e->cursors[f->structure];
        size_t j = c->first;
        while (j < c->st->n && c->st->start[j] >= c->st->end[j])
            j++;
        e->work += j - c->first + 1;
        return j < c->st->n && c->st->end[j] <= e->limit ? found(e, start, c->st->end[j]) : KW_OK;
    }
    if (!token_holds(e, f->a, start))
        return KW_OK;
    uint32_t end = 0;
    for (uint32_t g = start + 1, count = 0; g < e->limit; g++, count++) {
        e->work++;
        if (count >= f->m && token_holds(e, f->b, g)) {
            if (e->p->strategy == KW_CQL_LONGEST) {
                end = g + 1;
            } else {
                kw_status st = found(e, start, g + 1);
                if (st != KW_OK || e->p->strategy == KW_CQL_SHORTEST)
                    return st;
            }
        }
        if (count == f->n || !token_holds(e, f->x, g))
            break;
    }
    return end ? found(e, start, end) : KW_OK;
}

/* The form of program p (FORM_NFA: none of the others), read off its
 * steps as pkg/kwiq/_cql.py compiles them. */
static shape form_of(const kw_cql_program *p)
{
    const kw_cql_step *s = p->steps;
    const size_t n = p->n_steps;
    shape f = {FORM_NFA, 0, 0, 0, 0, 0, 0};
    if (n == 7 && s[0].op == KW_CQL_OPEN && s[0].b && s[1].op == KW_CQL_TOKEN
        && s[2].op == KW_CQL_SPLIT && s[2].a == 3 && s[2].b == 5 && s[3].op == KW_CQL_TOKEN
        && s[3].a == KW_CQL_ANY && s[4].op == KW_CQL_JUMP && s[4].a == 2 && s[5].op == KW_CQL_CLOSE
        && s[5].a == s[0].a && s[5].b == s[0].b && s[6].op == KW_CQL_MATCH)
        return (shape){FORM_REGION, s[1].a, 0, 0, 0, 0, s[0].a};
    if (p->n_strict || n < 3 || s[0].op != KW_CQL_TOKEN || s[n - 1].op != KW_CQL_MATCH
        || s[n - 2].op != KW_CQL_TOKEN)
        return f;
    /* Between the first and the last token: m tokens x, then either
     * n - m times (SPLIT to the next and to the last token, x), or
     * (SPLIT to the next and past the JUMP, x, JUMP back to the SPLIT). */
    size_t i = 1, last = n - 2;
    uint32_t x = i < last && s[i].op == KW_CQL_TOKEN       ? s[i].a
                 : i + 1 < last && s[i].op == KW_CQL_SPLIT ? s[i + 1].a
                                                           : KW_CQL_ANY;
    uint32_t m = 0, most;
    for (; i < last && s[i].op == KW_CQL_TOKEN && s[i].a == x; i++)
        m++;
    if (i + 3 == last && s[i].op == KW_CQL_SPLIT && s[i].a == i + 1 && s[i].b == i + 3
        && s[i + 1].op == KW_CQL_TOKEN && s[i + 1].a == x && s[i + 2].op == KW_CQL_JUMP
        && s[i + 2].a == i) {
        most = KW_CQL_ANY;
        i = last;
    } else {
        for (most = m; i + 1 < last && s[i].op == KW_CQL_SPLIT && s[i].a == i + 1 && s[i].b == last
                       && s[i + 1].op == KW_CQL_TOKEN && s[i + 1].a == x;
             i += 2)
            most++;
    }
    if (i != last)
        return f;
    return (shape){FORM_GAP, s[0].a, x, s[last].a, m, most, 0};
}

/* ---- candidates ---- */

/* 1 if a constraint of hint h holds at its distance from `start`. */
static int any_cond_holds(engine *e, const kw_cql_hint *h, size_t start)
{
    if (start + h->lo >= e->ix->n_tokens)
        return 0;
    for (size_t k = 0; k < h->n_conds; k++)
        if (cond_holds(e, h->conds[k], (uint32_t)(start + h->lo)))
            return 1;
    return 0;
}

/* The widest distance range of a hint checked before a run. */
#define NEAR_HINT_WIDTH 8

/* Whether two hints say the same (a query's first token is often also
 * one every match needs, and is given twice). */
static int same_hint(const kw_cql_hint *a, const kw_cql_hint *b)
{
    return a->lo == b->lo && a->hi == b->hi && a->n_conds == b->n_conds
           && !memcmp(a->conds, b->conds, a->n_conds * sizeof *a->conds);
}

/* The hints other than `taken` of a narrow distance range, into near[]
 * (room for every hint); returns how many. */
static size_t near_hints(const kw_cql_program *p, const kw_cql_hint *taken,
                         const kw_cql_hint **near)
{
    size_t n = 0;
    for (size_t k = 0; k < p->n_hints; k++)
        if (!same_hint(&p->hints[k], taken) && p->hints[k].hi - p->hints[k].lo < NEAR_HINT_WIDTH)
            near[n++] = &p->hints[k];
    return n;
}

/* 0 if one of the hints near[0 .. n_near) has none of its constraints
 * holding in its range from `start` (before `end`, the document's end): no
 * match starts there, and the run is saved. */
static int near_hints_hold(engine *e, const kw_cql_hint *const *near, size_t n_near, uint32_t start,
                           uint32_t end)
{
    for (size_t k = 0; k < n_near; k++) {
        const kw_cql_hint *h = near[k];
        if ((uint64_t)start + h->lo >= end)
            continue;
        uint32_t last = end - start - 1 < h->hi ? end - 1 : start + h->hi;
        int any = 0;
        for (uint32_t at = start + h->lo; at <= last && !any; at++)
            for (size_t j = 0; j < h->n_conds && !any; j++)
                any = cond_holds(e, h->conds[j], at);
        if (!any)
            return 0;
    }
    return 1;
}

/* The positions where hint h's constraints hold, ascending, without
 * repeats, from the postings kw_cql_cond_estimate chose: at most `bound`. */
static kw_status hint_positions(engine *e, kw_cql_plan *plan, const kw_cql_hint *h, uint64_t bound,
                                uint32_t **out, size_t *n_out)
{
    const kw_alloc *a = &e->ix->alloc;
    const kw_cql_program *p = e->p;
    uint8_t *which = kw_malloc(a, p->n_tests);
    uint32_t *pos =
        bound <= SIZE_MAX / sizeof *pos ? kw_malloc(a, (size_t)bound * sizeof *pos) : NULL;
    kw_status st = which && pos ? KW_OK : KW_ENOMEM;
    size_t n = 0, groups_read = 0;
    for (size_t k = 0; k < h->n_conds && st == KW_OK; k++) {
        uint32_t c = h->conds[k];
        memset(which, 0, p->n_tests);
        kw_cql_cond_estimate(plan, c, which);
        for (uint32_t t = 0; t < p->n_tests && st == KW_OK; t++) {
            if (!which[t])
                continue;
            const kw_attr *attr = &e->ix->attrs[p->tests[t].attr];
            for (size_t j = 0; j < p->tests[t].n_ids && st == KW_OK; j++) {
                uint32_t g = kw_attr_group(attr, p->tests[t].ids[j]);
                /* A constraint that is this one test holds wherever its
                 * type's postings are, unless they are a fold group's. */
                const int holds = p->cond_start[c + 1] - p->cond_start[c] == 1 && !attr->group_of
                                  && !p->tests[t].negated;
                groups_read++;
                kw_postings it;
                uint32_t at;
                kw_attr_postings(attr, g, &it);
                while (kw_postings_next(&it, &at)) {
                    if (++e->work >= KW_POLL_EVERY) {
                        e->work = 0;
                        if (kw_parts_stopped(e->stop)) {
                            st = KW_EINTR;
                            break;
                        }
                    }
                    if (holds || cond_holds(e, c, at))
                        pos[n++] = at;
                }
            }
        }
    }
    if (st == KW_OK && groups_read > 1)
        st = kw_sort_positions(a, pos, n);
    kw_free(a, which);
    if (st != KW_OK) {
        kw_free(a, pos);
        return st;
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (kept == 0 || pos[kept - 1] != pos[i])
            pos[kept++] = pos[i];
    *out = pos;
    *n_out = kept;
    return KW_OK;
}

/* A hint at a fixed distance, too broad to read postings for, still rules
 * out most starts of a scan at the cost of a test or two: the nearest. */
static const kw_cql_hint *fixed_hint(const kw_cql_program *p)
{
    const kw_cql_hint *fixed = NULL;
    for (size_t k = 0; k < p->n_hints; k++)
        if (p->hints[k].lo == p->hints[k].hi && (!fixed || p->hints[k].lo < fixed->lo))
            fixed = &p->hints[k];
    return fixed;
}

/* One part of a scan: the starts [next, end) still to run, on an engine
 * of its own whose spans do not grow while it runs. */
typedef struct scan_part {
    /* Parts sit side by side and run on different threads: what one
     * writes as it runs is kept off the cache lines another reads. */
    char apart[64];
    engine e;
    size_t begin, next, end;
    kw_status st;
} scan_part;

typedef struct scan_job {
    scan_part *parts;
    const kw_cql_hint *fixed;
    size_t n_states;
} scan_job;

/* Run the part's starts until done, stopped or full: a start whose spans
 * find no room leaves none of them, and is run again once there is room. */
static void scan_task(void *arg, size_t part)
{
    scan_job *job = arg;
    scan_part *sp = &job->parts[part];
    engine *e = &sp->e;
    e->full = 0;
    size_t start = sp->next;
    for (; start < sp->end; start++) {
        if (++e->work >= KW_POLL_EVERY) {
            e->work = 0;
            if (kw_parts_stopped(e->stop)) {
                sp->st = KW_EINTR;
                break;
            }
        }
        if (job->fixed && !any_cond_holds(e, job->fixed, start))
            continue;
        size_t before = e->n_found;
        kw_status st = run_from(e, (uint32_t)start, job->n_states);
        if (st != KW_OK) {
            if (e->full)
                e->n_found = before;
            else
                sp->st = st;
            break;
        }
    }
    sp->next = start;
}

static kw_status engine_init(engine *e, const uint8_t *const *bits, size_t *n_states);
static void engine_free(engine *e);

/* Room for the spans of a part that filled its room: as many again as
 * its starts so far found, for each of its starts to come, an eighth more,
 * and at least twice the room it had. */
static size_t scan_room(const scan_part *sp)
{
    const engine *e = &sp->e;
    uint64_t done = sp->next - sp->begin + 1, left = sp->end - sp->next;
    uint64_t want = e->n_found + (e->n_found + 1) * left / done * 9 / 8;
    uint64_t most = SIZE_MAX / 2 / sizeof *e->starts;
    if (want < 2 * (uint64_t)e->cap_found)
        want = 2 * (uint64_t)e->cap_found;
    return want > most ? (size_t)most : (size_t)want;
}

/* Every position a start, cut into parts run by the runner (NULL: one
 * part, here). A part's spans have room for SCAN_ROOM at first, and a part
 * that fills its room gets more (scan_room) before the next round, so the
 * tasks allocate nothing; the parts' spans, joined in order, are those one
 * part finds. */
#define SCAN_ROOM 4096
static kw_status scan(engine *e, const kw_runner *runner, size_t n_states)
{
    const kw_alloc *a = &e->ix->alloc;
    const size_t n = e->ix->n_tokens;
    size_t n_parts = runner && runner->n_parts > 1 ? runner->n_parts : 1;
    if (n_parts > n / KW_CQL_MIN_PART)
        n_parts = n / KW_CQL_MIN_PART ? n / KW_CQL_MIN_PART : 1;
    scan_job job = {kw_malloc(a, n_parts * sizeof *job.parts), fixed_hint(e->p), n_states};
    if (!job.parts)
        return KW_ENOMEM;
    memset(job.parts, 0, n_parts * sizeof *job.parts);
    kw_status st = KW_OK;
    size_t made = 0;
    for (; made < n_parts && st == KW_OK; made++) {
        scan_part *sp = &job.parts[made];
        sp->e = (engine){.ix = e->ix, .p = e->p, .stop = e->stop, .fixed = 1};
        sp->begin = sp->next = (size_t)((uint64_t)n * made / n_parts);
        sp->end = (size_t)((uint64_t)n * (made + 1) / n_parts);
        st = engine_init(&sp->e, (const uint8_t *const *)e->bits, &n_states);
    }
    for (int more = 1; st == KW_OK && more;) {
        for (size_t k = 0; k < n_parts && st == KW_OK; k++) {
            engine *pe = &job.parts[k].e;
            if ((pe->full || pe->cap_found == 0) && job.parts[k].next < job.parts[k].end) {
                size_t cap = pe->cap_found ? scan_room(&job.parts[k]) : SCAN_ROOM;
                size_t ends_cap = pe->cap_found;
                if (kw_reserve_exact(a, (void **)&pe->starts, &ends_cap, cap, sizeof *pe->starts)
                        != KW_OK
                    || kw_reserve_exact(a, (void **)&pe->ends, &pe->cap_found, cap,
                                        sizeof *pe->ends)
                           != KW_OK)
                    st = KW_ENOMEM;
            }
        }
        if (st != KW_OK)
            break;
        if (n_parts > 1)
            runner->run(runner->ctx, scan_task, &job, n_parts);
        else
            scan_task(&job, 0);
        more = 0;
        for (size_t k = 0; k < n_parts; k++) {
            if (job.parts[k].st != KW_OK && st == KW_OK)
                st = job.parts[k].st;
            more |= job.parts[k].next < job.parts[k].end;
        }
        if (kw_parts_were_stopped(e->stop))
            st = KW_EINTR;
    }
    size_t total = 0;
    for (size_t k = 0; k < made; k++)
        total += job.parts[k].e.n_found;
    if (st == KW_OK && total) {
        e->cap_found = 0;
        size_t cap = 0;
        if (kw_reserve_exact(a, (void **)&e->starts, &cap, total, sizeof *e->starts) != KW_OK
            || kw_reserve_exact(a, (void **)&e->ends, &e->cap_found, total, sizeof *e->ends)
                   != KW_OK)
            st = KW_ENOMEM;
        for (size_t k = 0; k < made && st == KW_OK; k++) {
            const engine *pe = &job.parts[k].e;
            memcpy(e->starts + e->n_found, pe->starts, pe->n_found * sizeof *pe->starts);
            memcpy(e->ends + e->n_found, pe->ends, pe->n_found * sizeof *pe->ends);
            e->n_found += pe->n_found;
        }
    }
    for (size_t k = 0; k < made; k++)
        engine_free(&job.parts[k].e);
    kw_free(a, job.parts);
    return st;
}

/* Run the NFA from every start that hint h allows, in ascending order. */
static kw_status run_candidates(engine *e, kw_cql_plan *plan, const kw_cql_hint *h, uint64_t bound,
                                size_t n_states)
{
    const kw_structure *text = kw_index_structure(e->ix, 0);
    kw_status st;
    uint32_t *pos;
    size_t n;
    const kw_cql_hint **near = kw_malloc(&e->ix->alloc, (e->p->n_hints + 1) * sizeof *near);
    if (!near)
        return KW_ENOMEM;
    size_t n_near = near_hints(e->p, h, near);
    if ((st = hint_positions(e, plan, h, bound, &pos, &n)) != KW_OK) {
        kw_free(&e->ix->alloc, near);
        return st;
    }
    uint64_t next = 0; /* the first start not yet run */
    size_t after = 0;
    for (size_t i = 0; i < n && st == KW_OK; i++) {
        if (pos[i] < h->lo)
            continue;
        size_t doc = find_region_near(text, pos[i], &after);
        if (doc == text->n)
            continue;
        uint64_t last = (uint64_t)pos[i] - h->lo;
        uint64_t first = pos[i] >= h->hi ? (uint64_t)pos[i] - h->hi : 0;
        if (first < text->start[doc])
            first = text->start[doc];
        if (first < next)
            first = next;
        for (uint64_t start = first; start <= last && st == KW_OK; start++)
            if (near_hints_hold(e, near, n_near, (uint32_t)start, text->end[doc]))
                st = run_from(e, (uint32_t)start, n_states);
        if (last + 1 > next)
            next = last + 1;
    }
    kw_free(&e->ix->alloc, pos);
    kw_free(&e->ix->alloc, near);
    return st;
}

/* FORM_REGION: every match starts at the first token of a region of its
 * structure, so those are the candidates, each run once, in order. */
static kw_status run_region_starts(engine *e, size_t n_states)
{
    const kw_structure *st = kw_index_structure(e->ix, e->form.structure);
    kw_status status = KW_OK;
    for (size_t j = 0; j < st->n && status == KW_OK; j++) {
        if (st->start[j] >= st->end[j] || (j > 0 && st->start[j] == st->start[j - 1]))
            continue;
        if (++e->work >= KW_POLL_EVERY) {
            e->work = 0;
            if (kw_parts_stopped(e->stop))
                return KW_EINTR;
        }
        status = run_from(e, st->start[j], n_states);
    }
    return status;
}

/* ---- the strategies, and the hits ---- */

/* Keep the spans that the strategy keeps, in place (one span a start, in
 * ascending order). Longest: a start's span (its longest) is kept unless an
 * earlier start's reaches as far; shortest: unless a later start's (its
 * shortest) ends as early. A span of an earlier document ends before any
 * of a later one begins, so neither compares across documents. */
static void select_spans(engine *e)
{
    size_t kept = 0, n = e->n_found;
    if (e->p->strategy == KW_CQL_LONGEST) {
        for (size_t i = 0; i < n; i++) {
            if (kept && e->ends[i] <= e->ends[kept - 1])
                continue;
            e->starts[kept] = e->starts[i];
            e->ends[kept++] = e->ends[i];
        }
        e->n_found = kept;
    } else if (e->p->strategy == KW_CQL_SHORTEST) {
        /* From the last start back; the kept spans gather at the end. */
        size_t at = n;
        for (size_t i = n; i-- > 0;) {
            if (at < n && e->ends[i] >= e->ends[at])
                continue;
            at--;
            e->starts[at] = e->starts[i];
            e->ends[at] = e->ends[i];
        }
        e->n_found = n - at;
        if (e->n_found) { /* none found: the arrays were never made */
            memmove(e->starts, e->starts + at, e->n_found * sizeof *e->starts);
            memmove(e->ends, e->ends + at, e->n_found * sizeof *e->ends);
        }
    }
}

static void engine_free(engine *e)
{
    const kw_alloc *a = &e->ix->alloc;
    for (size_t t = 0; e->owns_bits && e->bits && t < e->p->n_tests; t++)
        kw_free(a, e->bits[t]);
    if (e->owns_bits)
        kw_free(a, e->bits);
    kw_free(a, e->stamp);
    kw_free(a, e->stack);
    kw_free(a, e->tokens);
    kw_free(a, e->seeds);
    kw_free(a, e->next_seeds);
    kw_free(a, e->slot_structure);
    kw_free(a, e->cursors);
    kw_free(a, e->cond_seen);
    kw_free(a, e->cond_value);
    kw_free(a, e->cond_kind);
    kw_free(a, e->starts);
    kw_free(a, e->ends);
}

/* Each test's bitmap over its attribute's types, for e to own. */
static kw_status make_bits(engine *e)
{
    const kw_alloc *a = &e->ix->alloc;
    const kw_cql_program *p = e->p;
    e->owns_bits = 1;
    e->bits = kw_malloc(a, (p->n_tests ? p->n_tests : 1) * sizeof *e->bits);
    if (!e->bits)
        return KW_ENOMEM;
    memset(e->bits, 0, (p->n_tests ? p->n_tests : 1) * sizeof *e->bits);
    for (size_t t = 0; t < p->n_tests; t++) {
        size_t n_bytes = e->ix->attrs[p->tests[t].attr].forms.n / 8 + 1;
        if (!(e->bits[t] = kw_malloc(a, n_bytes)))
            return KW_ENOMEM;
        memset(e->bits[t], 0, n_bytes);
        for (size_t k = 0; k < p->tests[t].n_ids; k++) {
            uint32_t id = p->tests[t].ids[k];
            e->bits[t][id >> 3] |= (uint8_t)(1u << (id & 7));
        }
    }
    return KW_OK;
}

/* Everything a run needs, made before the first, with the tests' bitmaps
 * (NULL: made for e): *n_states is the number of state numbers. */
static kw_status engine_init(engine *e, const uint8_t *const *bits, size_t *n_states)
{
    const kw_alloc *a = &e->ix->alloc;
    const kw_cql_program *p = e->p;
    e->shift = 2 * p->n_strict;
    *n_states = p->n_steps << e->shift;
    if (bits)
        e->bits = (uint8_t **)bits;
    else if (make_bits(e) != KW_OK)
        return KW_ENOMEM;
    e->stamp = kw_malloc(a, *n_states * sizeof *e->stamp);
    e->stack = kw_malloc(a, *n_states * sizeof *e->stack);
    e->tokens = kw_malloc(a, *n_states * sizeof *e->tokens);
    e->seeds = kw_malloc(a, *n_states * sizeof *e->seeds);
    e->next_seeds = kw_malloc(a, *n_states * sizeof *e->next_seeds);
    e->slot_structure = kw_malloc(a, (p->n_strict + 1) * sizeof *e->slot_structure);
    e->cursors = kw_malloc(a, e->ix->n_structures * sizeof *e->cursors);
    e->cond_seen = kw_malloc(a, (p->n_conds + 1) * sizeof *e->cond_seen);
    e->cond_value = kw_malloc(a, p->n_conds + 1);
    e->cond_kind = kw_malloc(a, p->n_conds + 1);
    if (!e->stamp || !e->stack || !e->tokens || !e->seeds || !e->next_seeds || !e->slot_structure
        || !e->cursors || !e->cond_seen || !e->cond_value || !e->cond_kind)
        return KW_ENOMEM;
    for (size_t c = 0; c < p->n_conds; c++) {
        int ands = 0, ors = 0;
        for (uint32_t i = p->cond_start[c]; i < p->cond_start[c + 1]; i++) {
            ands |= p->bools[i].op == KW_CQL_AND;
            ors |= p->bools[i].op == KW_CQL_OR;
        }
        e->cond_kind[c] = (uint8_t)(ands && ors ? COND_MIXED : ors ? COND_ANY : COND_ALL);
    }
    memset(e->stamp, 0, *n_states * sizeof *e->stamp);
    memset(e->cond_seen, 0, (p->n_conds + 1) * sizeof *e->cond_seen);
    memset(e->slot_structure, 0, (p->n_strict + 1) * sizeof *e->slot_structure);
    for (size_t s = 0; s < p->n_steps; s++)
        if (p->steps[s].op == KW_CQL_OPEN && p->steps[s].b)
            e->slot_structure[p->steps[s].b - 1] = p->steps[s].a;
    for (size_t s = 0; s < e->ix->n_structures; s++)
        e->cursors[s] = (cursor){kw_index_structure(e->ix, s), 0, 0, 0};
    e->doc = (region){kw_index_structure(e->ix, 0), 0, 0, 0};
    if (p->within != KW_CQL_ANY)
        e->within = (region){kw_index_structure(e->ix, p->within), 0, 0, 0};
    e->form = form_of(p);
    return KW_OK;
}

/* Hits of the spans found: positions and lengths. */
static kw_status spans_to_hits(engine *e, kw_hits **out)
{
    const kw_alloc *a = &e->ix->alloc;
    kw_hits *h;
    kw_status st = kw_hits_new(a, 1, &h);
    if (st != KW_OK)
        return st;
    if (e->n_found) {
        for (size_t i = 0; i < e->n_found; i++)
            e->ends[i] -= e->starts[i];
        h->owned = e->starts;
        h->pos = e->starts;
        h->lengths = e->ends;
        h->n = e->n_found;
        e->starts = e->ends = NULL;
    }
    *out = h;
    return KW_OK;
}

/* Whether p reads a structure that a plain index finds in its text. */
static int needs_found_structures(const kw_index *ix, const kw_cql_program *p)
{
    if (p->within != KW_CQL_ANY && ix->structures[p->within].found_by != KW_BOUND_NONE)
        return 1;
    for (size_t s = 0; s < p->n_steps; s++)
        if ((p->steps[s].op == KW_CQL_OPEN || p->steps[s].op == KW_CQL_CLOSE)
            && ix->structures[p->steps[s].a].found_by != KW_BOUND_NONE)
            return 1;
    return 0;
}

kw_status kw_cql_find(const kw_index *ix, const kw_cql_program *p, const kw_cancel *cancel,
                      kw_hits **out)
{
    return kw_cql_find_with(ix, p, NULL, cancel, out);
}

kw_status kw_cql_find_with(const kw_index *ix, const kw_cql_program *p, const kw_runner *runner,
                           const kw_cancel *cancel, kw_hits **out)
{
    if (!kw_cql_program_ok(ix, p))
        return KW_EINVAL;
    kw_parts_stop stop;
    kw_parts_stop_init(&stop, cancel);
    engine e;
    memset(&e, 0, sizeof e);
    e.ix = ix;
    e.p = p;
    e.stop = &stop;
    size_t n_states;
    uint64_t bound = 0;
    kw_status st = needs_found_structures(ix, p) ? kw_index_find_structures(ix, cancel) : KW_OK;
    if (st != KW_OK)
        return st;
    kw_cql_plan plan;
    if ((st = kw_cql_plan_new(ix, p, &plan)) != KW_OK)
        return st;
    if ((st = engine_init(&e, NULL, &n_states)) == KW_OK) {
        const kw_cql_hint *h = kw_cql_best_hint(&plan, &bound);
        if (e.form.kind == FORM_REGION
            && (!h || kw_index_structure(ix, e.form.structure)->n < bound))
            st = run_region_starts(&e, n_states);
        else if (h)
            st = run_candidates(&e, &plan, h, bound, n_states);
        else
            st = scan(&e, runner, n_states);
    }
    if (st == KW_OK) {
        select_spans(&e);
        st = spans_to_hits(&e, out);
    }
    engine_free(&e);
    kw_cql_plan_free(&plan);
    return st;
}
