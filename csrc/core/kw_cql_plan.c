/*
 * kw_cql_plan.c: checking a CQL program and choosing its candidates (see
 * kw_cql_plan.h).
 */
#include "kw_cql_plan.h"

#include "kw_alloc.h"
#include "kw_index.h"

static int bool_program_ok(const kw_cql_program *p, size_t c)
{
    size_t depth = 0;
    uint32_t from = p->cond_start[c], to = p->cond_start[c + 1];
    if (from >= to)
        return 0;
    for (uint32_t i = from; i < to; i++) {
        const kw_cql_bool *b = &p->bools[i];
        if (b->op == KW_CQL_TEST) {
            if (b->arg >= p->n_tests || ++depth > KW_CQL_MAX_DEPTH)
                return 0;
        } else if ((b->op == KW_CQL_AND || b->op == KW_CQL_OR) && depth >= 2) {
            depth--;
        } else {
            return 0;
        }
    }
    return depth == 1;
}

int kw_cql_program_ok(const kw_index *ix, const kw_cql_program *p)
{
    /* Structure 0 is text: every index has it, and every match stays in it. */
    if (ix->n_structures == 0 || p->n_steps == 0 || p->n_steps > KW_CQL_MAX_STEPS
        || p->n_strict > KW_CQL_MAX_STRICT || p->strategy > KW_CQL_ALL
        || (p->within != KW_CQL_ANY && p->within >= ix->n_structures))
        return 0;
    for (size_t t = 0; t < p->n_tests; t++) {
        const kw_cql_test *test = &p->tests[t];
        if (test->attr >= ix->n_attrs)
            return 0;
        for (size_t k = 0; k < test->n_ids; k++)
            if (test->ids[k] >= ix->attrs[test->attr].forms.n)
                return 0;
    }
    if (p->cond_start[0] != 0)
        return 0;
    for (size_t c = 0; c < p->n_conds; c++)
        if (p->cond_start[c + 1] < p->cond_start[c] || !bool_program_ok(p, c))
            return 0;
    for (size_t s = 0; s < p->n_steps; s++) {
        const kw_cql_step *step = &p->steps[s];
        switch (step->op) {
        case KW_CQL_TOKEN:
            if (step->a != KW_CQL_ANY && step->a >= p->n_conds)
                return 0;
            break;
        case KW_CQL_SPLIT:
            if (step->b >= p->n_steps)
                return 0;
            /* fall through */
        case KW_CQL_JUMP:
            if (step->a >= p->n_steps)
                return 0;
            break;
        case KW_CQL_OPEN:
        case KW_CQL_CLOSE:
            if (step->a >= ix->n_structures || step->b > p->n_strict)
                return 0;
            break;
        case KW_CQL_MATCH:
            break;
        default:
            return 0;
        }
        /* A TOKEN or anchor goes on to the next step, which must exist. */
        if (step->op != KW_CQL_MATCH && step->op != KW_CQL_SPLIT && step->op != KW_CQL_JUMP
            && s + 1 >= p->n_steps)
            return 0;
    }
    for (size_t h = 0; h < p->n_hints; h++) {
        if (p->hints[h].lo > p->hints[h].hi || p->hints[h].n_conds == 0)
            return 0;
        for (size_t k = 0; k < p->hints[h].n_conds; k++)
            if (p->hints[h].conds[k] >= p->n_conds)
                return 0;
    }
    return 1;
}

/* How many positions the postings of test t hold at most (UINT64_MAX: a
 * negated test, whose postings are not read). */
static uint64_t test_estimate(const kw_index *ix, const kw_cql_test *t)
{
    if (t->negated)
        return UINT64_MAX;
    const kw_attr *a = &ix->attrs[t->attr];
    uint64_t sum = 0;
    for (size_t k = 0; k < t->n_ids; k++) {
        uint32_t g = kw_attr_group(a, t->ids[k]);
        sum += kw_attr_group_size(a, g);
    }
    return sum;
}

static uint64_t add_estimates(uint64_t x, uint64_t y)
{
    return x > UINT64_MAX - y ? UINT64_MAX : x + y;
}

uint64_t kw_cql_cond_estimate(kw_cql_plan *plan, uint32_t c, uint8_t *which)
{
    const kw_cql_program *p = plan->p;
    uint64_t *est = plan->est;
    uint32_t *left = plan->left, *stack = plan->stack;
    uint32_t base = p->cond_start[c], n = p->cond_start[c + 1] - base;
    size_t depth = 0;
    for (uint32_t i = 0; i < n; i++) {
        const kw_cql_bool *b = &p->bools[base + i];
        if (b->op == KW_CQL_TEST) {
            est[i] = test_estimate(plan->ix, &p->tests[b->arg]);
        } else {
            uint32_t r = stack[--depth], l = stack[--depth];
            left[i] = l;
            est[i] = b->op == KW_CQL_AND ? (est[l] < est[r] ? est[l] : est[r])
                                         : add_estimates(est[l], est[r]);
        }
        stack[depth++] = i;
    }
    if (which && est[n - 1] != UINT64_MAX) {
        /* Walk down from the root: the right operand of op i is i - 1. */
        depth = 0;
        stack[depth++] = n - 1;
        while (depth) {
            uint32_t i = stack[--depth];
            const kw_cql_bool *b = &p->bools[base + i];
            if (b->op == KW_CQL_TEST) {
                which[b->arg] = 1;
            } else if (b->op == KW_CQL_OR) {
                stack[depth++] = left[i];
                stack[depth++] = i - 1;
            } else {
                stack[depth++] = est[left[i]] < est[i - 1] ? left[i] : i - 1;
            }
        }
    }
    return est[n - 1];
}

kw_status kw_cql_plan_new(const kw_index *ix, const kw_cql_program *p, kw_cql_plan *out)
{
    const kw_alloc *a = &ix->alloc;
    size_t n_bools = p->cond_start[p->n_conds];
    *out = (kw_cql_plan){ix, p, kw_malloc(a, n_bools * sizeof *out->est),
                         kw_malloc(a, n_bools * sizeof *out->left),
                         kw_malloc(a, n_bools * sizeof *out->stack)};
    if (out->est && out->left && out->stack)
        return KW_OK;
    kw_cql_plan_free(out);
    return KW_ENOMEM;
}

void kw_cql_plan_free(kw_cql_plan *plan)
{
    const kw_alloc *a = &plan->ix->alloc;
    kw_free(a, plan->est);
    kw_free(a, plan->left);
    kw_free(a, plan->stack);
    plan->est = NULL;
    plan->left = plan->stack = NULL;
}

const kw_cql_hint *kw_cql_best_hint(kw_cql_plan *plan, uint64_t *positions)
{
    const kw_cql_program *p = plan->p;
    const kw_cql_hint *best = NULL;
    uint64_t best_cost = plan->ix->n_tokens / 2;
    for (size_t k = 0; k < p->n_hints; k++) {
        const kw_cql_hint *h = &p->hints[k];
        if (h->hi == KW_CQL_ANY)
            continue;
        uint64_t sum = 0;
        for (size_t j = 0; j < h->n_conds; j++)
            sum = add_estimates(sum, kw_cql_cond_estimate(plan, h->conds[j], NULL));
        uint64_t width = (uint64_t)h->hi - h->lo + 1;
        uint64_t cost = sum > UINT64_MAX / width ? UINT64_MAX : sum * width;
        if (cost < best_cost) {
            best_cost = cost;
            best = h;
            *positions = sum;
        }
    }
    return best;
}
