/*
 * kwiq_cql.c: kwiq._core.cql_find (see kwiq_objects.h), which converts a
 * program compiled by pkg/kwiq/_cql.py and runs kw_cql_find with the GIL
 * released, and the constants of such programs.
 */
#include "kwiq_objects.h"

#include "kw_cql.h"

/* The Index argument of cql_find. */
static IndexObject *index_arg(PyObject *module, PyObject *arg)
{
    module_state *state = PyModule_GetState(module);
    if (!Py_IS_TYPE(arg, state->index_type)) {
        PyErr_Format(PyExc_TypeError, "expected Index, not %.100s", Py_TYPE(arg)->tp_name);
        return NULL;
    }
    return (IndexObject *)arg;
}

/* A buffer of native uint32 whose length is a multiple of `width`. */
static int uint32_buffer(PyObject *arg, Py_buffer *view, size_t width, const char *what)
{
    if (PyObject_GetBuffer(arg, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    if (view->itemsize != 4 || view->ndim != 1 || !view->format || !strchr("IL", view->format[0])
        || view->format[1] || (size_t)view->len / 4 % width) {
        PyErr_Format(PyExc_TypeError, "%s must be a buffer of uint32 (in %zu-tuples)", what, width);
        PyBuffer_Release(view);
        view->obj = NULL;
        return -1;
    }
    return 0;
}

/* What a program borrows while it runs: its converted arrays and the
 * buffers they point into. */
typedef struct held {
    Py_buffer *views;
    Py_ssize_t n_views, cap_views;
    kw_cql_test *tests;
    kw_cql_bool *bools;
    kw_cql_step *steps;
    kw_cql_hint *hints;
} held;

static Py_buffer *next_view(held *h)
{
    return h->n_views < h->cap_views ? &h->views[h->n_views] : NULL;
}

static void held_release(held *h)
{
    for (Py_ssize_t i = 0; i < h->n_views; i++)
        PyBuffer_Release(&h->views[i]);
    PyMem_Free(h->views);
    PyMem_Free(h->tests);
    PyMem_Free(h->bools);
    PyMem_Free(h->steps);
    PyMem_Free(h->hints);
}

/* tests: a list of (attr, ids, negated). */
static int convert_tests(PyObject *list, held *h, kw_cql_program *p)
{
    Py_ssize_t n = PyList_GET_SIZE(list);
    if (!(h->tests = PyMem_Calloc((size_t)(n ? n : 1), sizeof *h->tests))) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned int attr;
        PyObject *ids;
        int negated;
        PyObject *item = PyList_GET_ITEM(list, i);
        if (!PyTuple_Check(item) || !PyArg_ParseTuple(item, "IOp:test", &attr, &ids, &negated))
            goto bad;
        Py_buffer *view = next_view(h);
        if (!view || uint32_buffer(ids, view, 1, "a test's ids") < 0)
            goto bad;
        h->n_views++;
        h->tests[i] = (kw_cql_test){attr, view->buf, (size_t)view->len / 4, negated};
    }
    p->tests = h->tests;
    p->n_tests = (size_t)n;
    return 0;
bad:
    if (!PyErr_Occurred())
        PyErr_Format(PyExc_TypeError, "a test must be a tuple (attr, ids, negated)");
    return -1;
}

/* hints: a list of (conds, lo, hi). */
static int convert_hints(PyObject *list, held *h, kw_cql_program *p)
{
    Py_ssize_t n = PyList_GET_SIZE(list);
    if (!(h->hints = PyMem_Calloc((size_t)(n ? n : 1), sizeof *h->hints))) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned int lo, hi;
        PyObject *conds;
        PyObject *item = PyList_GET_ITEM(list, i);
        if (!PyTuple_Check(item) || !PyArg_ParseTuple(item, "OII:hint", &conds, &lo, &hi)) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "a hint must be a tuple (conds, lo, hi)");
            return -1;
        }
        Py_buffer *view = next_view(h);
        if (!view || uint32_buffer(conds, view, 1, "a hint's constraints") < 0)
            return -1;
        h->n_views++;
        h->hints[i] = (kw_cql_hint){view->buf, (size_t)view->len / 4, lo, hi};
    }
    p->hints = h->hints;
    p->n_hints = (size_t)n;
    return 0;
}

/* code: (op, a, b) triples; bools: (op, arg) pairs; cond_start. */
static int convert_arrays(PyObject *code, PyObject *bools, PyObject *cond_start, held *h,
                          kw_cql_program *p)
{
    Py_buffer *views = next_view(h);
    if (!views || h->n_views + 3 > h->cap_views)
        return -1;
    if (uint32_buffer(code, &views[0], 3, "code") < 0)
        return -1;
    h->n_views++;
    if (uint32_buffer(bools, &views[1], 2, "bools") < 0)
        return -1;
    h->n_views++;
    if (uint32_buffer(cond_start, &views[2], 1, "cond_start") < 0)
        return -1;
    h->n_views++;
    const uint32_t *c = views[0].buf, *b = views[1].buf;
    size_t n_steps = (size_t)views[0].len / 12, n_bools = (size_t)views[1].len / 8;
    size_t n_starts = (size_t)views[2].len / 4;
    h->steps = PyMem_Calloc(n_steps ? n_steps : 1, sizeof *h->steps);
    h->bools = PyMem_Calloc(n_bools ? n_bools : 1, sizeof *h->bools);
    if (!h->steps || !h->bools) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < n_steps; i++) {
        if (c[3 * i] > KW_CQL_MATCH)
            goto bad;
        h->steps[i] = (kw_cql_step){(kw_cql_op)c[3 * i], c[3 * i + 1], c[3 * i + 2]};
    }
    for (size_t i = 0; i < n_bools; i++) {
        if (b[2 * i] > KW_CQL_OR)
            goto bad;
        h->bools[i] = (kw_cql_bool){(kw_cql_bool_op)b[2 * i], b[2 * i + 1]};
    }
    const uint32_t *starts = views[2].buf;
    if (n_starts == 0 || starts[n_starts - 1] != n_bools)
        goto bad;
    p->steps = h->steps;
    p->n_steps = n_steps;
    p->bools = h->bools;
    p->cond_start = starts;
    p->n_conds = n_starts - 1;
    return 0;
bad:
    PyErr_SetString(PyExc_ValueError, "cql_find(): a malformed program");
    return -1;
}

PyDoc_STRVAR(cql_find_doc,
             "cql_find(index, code, tests, bools, cond_start, hints, within, n_strict, strategy,\n"
             "         threads, /)\n--\n\n"
             "The Hits of a compiled CQL program (csrc/core/kw_cql.h): code, bools and\n"
             "cond_start are buffers of uint32 ((op, a, b) steps, (op, arg) Boolean\n"
             "operations, the start of each constraint's operations and their end);\n"
             "tests a list of (attr, ids, negated), hints a list of (conds, lo, hi),\n"
             "within a structure number or -1. Runs with the GIL released, a scan on\n"
             "`threads` threads (kw_cql_find_with); Ctrl-C stops it. ValueError for a\n"
             "program that does not hold together.");

static PyObject *kwiq_cql_find(PyObject *module, PyObject *args)
{
    PyObject *index_obj, *code, *tests, *bools, *cond_start, *hints;
    int within;
    unsigned int n_strict, strategy;
    Py_ssize_t threads;
    if (!PyArg_ParseTuple(args, "OOO!OOO!iIIn:cql_find", &index_obj, &code, &PyList_Type, &tests,
                          &bools, &cond_start, &PyList_Type, &hints, &within, &n_strict, &strategy,
                          &threads))
        return NULL;
    IndexObject *index = index_arg(module, index_obj);
    if (!index)
        return NULL;
    if (strategy > KW_CQL_ALL) {
        PyErr_Format(PyExc_ValueError, "cql_find(): no strategy %u", strategy);
        return NULL;
    }
    held h = {0};
    PyObject *result = NULL;
    h.cap_views = 3 + PyList_GET_SIZE(tests) + PyList_GET_SIZE(hints);
    if (!(h.views = PyMem_Calloc((size_t)h.cap_views, sizeof *h.views))) {
        PyErr_NoMemory();
        goto done;
    }
    kw_cql_program p = {0};
    p.within = within < 0 ? KW_CQL_ANY : (uint32_t)within;
    p.n_strict = n_strict;
    p.strategy = (kw_cql_strategy)strategy;
    /* The lists are read once, while the GIL is held: what they hold stays
     * alive through the views. */
    if (convert_arrays(code, bools, cond_start, &h, &p) < 0 || convert_tests(tests, &h, &p) < 0
        || convert_hints(hints, &h, &p) < 0)
        goto done;
    kw_hits *hits = NULL;
    kwiq_stop stop;
    kw_runner runner;
    const kw_runner *on_threads = kwiq_runner_of(threads, &runner);
    kwiq_stop_release(&stop, NULL);
    kw_status st = kw_cql_find_with(index->ix, &p, on_threads, &stop.cancel, &hits);
    kwiq_stop_reacquire(&stop);
    if (st == KW_EINVAL)
        PyErr_SetString(PyExc_ValueError, "cql_find(): a program that does not hold together "
                                          "(an id, step, structure or slot out of range)");
    else if (st != KW_OK)
        kwiq_raise_status(st);
    else
        result = kwiq_new_hits(index_obj, hits);
done:
    held_release(&h);
    return result;
}

PyMethodDef kwiq_cql_methods[] = {
    {"cql_find", kwiq_cql_find, METH_VARARGS, cql_find_doc},
    {NULL, NULL, 0, NULL},
};

int kwiq_cql_add_constants(PyObject *module)
{
    static const struct {
        const char *name;
        long value;
    } constants[] = {
        {"CQL_TOKEN", KW_CQL_TOKEN},
        {"CQL_SPLIT", KW_CQL_SPLIT},
        {"CQL_JUMP", KW_CQL_JUMP},
        {"CQL_OPEN", KW_CQL_OPEN},
        {"CQL_CLOSE", KW_CQL_CLOSE},
        {"CQL_MATCH", KW_CQL_MATCH},
        {"CQL_TEST", KW_CQL_TEST},
        {"CQL_AND", KW_CQL_AND},
        {"CQL_OR", KW_CQL_OR},
        {"CQL_LONGEST", KW_CQL_LONGEST},
        {"CQL_SHORTEST", KW_CQL_SHORTEST},
        {"CQL_ALL", KW_CQL_ALL},
        {"CQL_ANY", (long)KW_CQL_ANY},
        {"CQL_MAX_STRICT", KW_CQL_MAX_STRICT},
        {"CQL_MAX_DEPTH", KW_CQL_MAX_DEPTH},
        {"CQL_MAX_STEPS", KW_CQL_MAX_STEPS},
    };
    for (size_t i = 0; i < sizeof constants / sizeof *constants; i++)
        if (PyModule_AddIntConstant(module, constants[i].name, constants[i].value) < 0)
            return -1;
    return 0;
}
