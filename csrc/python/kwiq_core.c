/*
 * kwiq_core.c: the CPython binding, module kwiq._core.
 *
 * Only converts arguments, releases the GIL around core work and builds
 * results; the public API, defaults and display live in pkg/kwiq/.
 *
 * Text crosses the boundary as UTF-8: an ASCII str is read in place, any
 * other str is encoded to a temporary bytes object, and the core keeps its
 * own copy. Offsets handed back are code point counts, i.e. str indices.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "kw_core.h"
#include "kw_text.h"

/* Documents at least this long are tokenized with the GIL released; below
 * it the release costs more than it frees. */
#define RELEASE_GIL_BYTES 65536

typedef struct {
    PyTypeObject *index_type;
    PyTypeObject *hits_type;
    PyObject *line_type;
} module_state;

static void *raw_malloc(void *ctx, size_t n) { (void)ctx; return PyMem_RawMalloc(n); }
static void *raw_realloc(void *ctx, void *p, size_t n) { (void)ctx; return PyMem_RawRealloc(p, n); }
static void raw_free(void *ctx, void *p) { (void)ctx; PyMem_RawFree(p); }

/* PyMem_Raw* may be called without the GIL. */
static const kw_alloc python_alloc = {raw_malloc, raw_realloc, raw_free, NULL};

static PyObject *raise_status(kw_status st)
{
    switch (st) {
    case KW_ENOMEM:
        return PyErr_NoMemory();
    case KW_ETOOBIG:
        PyErr_SetString(PyExc_OverflowError, kw_status_message(st));
        return NULL;
    default:
        PyErr_SetString(PyExc_ValueError, kw_status_message(st));
        return NULL;
    }
}

/* UTF-8 of a str: borrowed from the str when ASCII, else from *holder, a new
 * bytes object the caller releases. */
static const char *utf8_of(PyObject *str, Py_ssize_t *n, PyObject **holder)
{
    *holder = NULL;
    if (PyUnicode_IS_ASCII(str)) {
        *n = PyUnicode_GET_LENGTH(str);
        return (const char *)PyUnicode_DATA(str);
    }
    *holder = PyUnicode_AsUTF8String(str);
    if (!*holder)
        return NULL;
    *n = PyBytes_GET_SIZE(*holder);
    return PyBytes_AS_STRING(*holder);
}

/* ---- Index ---- */

typedef struct {
    PyObject_HEAD
    kw_index *ix;
} IndexObject;

static void Index_dealloc(IndexObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    kw_index_free(self->ix);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

typedef struct {
    PyObject_HEAD
    PyObject *index; /* the IndexObject the hits borrow from */
    kw_hits *hits;
} HitsObject;

PyDoc_STRVAR(Index_find_doc,
"find(query, exact)\n--\n\n"
"Hits of `query` (a str, tokenized like the text; several tokens are a\n"
"phrase). exact=False compares case-folded forms. ValueError if the query\n"
"has no token.");

static PyObject *Index_find(IndexObject *self, PyObject *args)
{
    PyObject *query, *holder = NULL;
    int exact;
    if (!PyArg_ParseTuple(args, "Up:find", &query, &exact))
        return NULL;
    module_state *state = PyType_GetModuleState(Py_TYPE(self));
    Py_ssize_t n;
    const char *q = utf8_of(query, &n, &holder);
    if (!q)
        return NULL;
    kw_hits *hits = NULL;
    size_t bad;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS
    st = kw_index_find(self->ix, q, (size_t)n, exact, &hits, &bad);
    Py_END_ALLOW_THREADS
    Py_XDECREF(holder);
    if (st != KW_OK)
        return raise_status(st);
    HitsObject *result = PyObject_New(HitsObject, state->hits_type);
    if (!result) {
        kw_hits_free(hits);
        return NULL;
    }
    result->hits = hits;
    result->index = Py_NewRef(self);
    return (PyObject *)result;
}

PyDoc_STRVAR(Index_doc_text_doc, "doc_text(doc)\n--\n\nThe text of document number `doc`.");

static PyObject *Index_doc_text(IndexObject *self, PyObject *arg)
{
    Py_ssize_t doc = PyLong_AsSsize_t(arg);
    if (doc == -1 && PyErr_Occurred())
        return NULL;
    if (doc < 0 || (size_t)doc >= kw_index_n_docs(self->ix)) {
        PyErr_SetString(PyExc_IndexError, "document number out of range");
        return NULL;
    }
    size_t n;
    const char *text = kw_index_doc_text(self->ix, (size_t)doc, &n);
    return PyUnicode_DecodeUTF8(text, (Py_ssize_t)n, "strict");
}

static PyObject *Index_get_n_docs(IndexObject *self, void *c) { (void)c; return PyLong_FromSize_t(kw_index_n_docs(self->ix)); }
static PyObject *Index_get_n_tokens(IndexObject *self, void *c) { (void)c; return PyLong_FromSize_t(kw_index_n_tokens(self->ix)); }
static PyObject *Index_get_n_types(IndexObject *self, void *c) { (void)c; return PyLong_FromSize_t(kw_index_n_types(self->ix)); }
static PyObject *Index_get_n_groups(IndexObject *self, void *c) { (void)c; return PyLong_FromSize_t(kw_index_n_groups(self->ix)); }

static PyMethodDef Index_methods[] = {
    {"find", (PyCFunction)Index_find, METH_VARARGS, Index_find_doc},
    {"doc_text", (PyCFunction)Index_doc_text, METH_O, Index_doc_text_doc},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Index_getset[] = {
    {"n_docs", (getter)Index_get_n_docs, NULL, "number of documents", NULL},
    {"n_tokens", (getter)Index_get_n_tokens, NULL, "number of tokens", NULL},
    {"n_types", (getter)Index_get_n_types, NULL, "distinct token forms", NULL},
    {"n_groups", (getter)Index_get_n_groups, NULL, "distinct case-folded forms", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot Index_slots[] = {
    {Py_tp_dealloc, Index_dealloc},
    {Py_tp_methods, Index_methods},
    {Py_tp_getset, Index_getset},
    {Py_tp_doc, "A built kwiq index (immutable). Made by kwiq._core.build()."},
    {0, NULL},
};

static PyType_Spec Index_spec = {
    .name = "kwiq._core.Index",
    .basicsize = sizeof(IndexObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = Index_slots,
};

/* ---- Hits ---- */

static void Hits_dealloc(HitsObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    kw_hits_free(self->hits);
    Py_XDECREF(self->index);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static Py_ssize_t Hits_len(HitsObject *self)
{
    return (Py_ssize_t)kw_hits_count(self->hits);
}

/* A str of a span of document text with runs of white space collapsed;
 * *buf grows to fit and is reused across calls. */
static PyObject *collapsed_str(const char *text, size_t begin, size_t end, char **buf, size_t *cap)
{
    size_t n = end - begin;
    if (n > *cap) {
        char *grown = PyMem_Realloc(*buf, n);
        if (!grown)
            return PyErr_NoMemory();
        *buf = grown;
        *cap = n;
    }
    size_t len = kw_collapse_space(text + begin, n, *buf);
    return PyUnicode_DecodeUTF8(*buf, (Py_ssize_t)len, "strict");
}

enum { N_FIELDS = 8 };

/* The eight Line fields of hit i, as new references in fields[]. */
static int line_fields(HitsObject *self, size_t i, const kw_context *ctx, PyObject *ids,
                       char **buf, size_t *cap, PyObject *fields[N_FIELDS])
{
    const kw_index *ix = ((IndexObject *)self->index)->ix;
    kw_line ln;
    kw_line_at(ix, self->hits, i, ctx, &ln);
    size_t n;
    const char *text = kw_index_doc_text(ix, ln.doc, &n);
    memset(fields, 0, N_FIELDS * sizeof *fields);
    if (ids == Py_None)
        fields[0] = PyLong_FromSize_t(ln.doc);
    else
        fields[0] = PySequence_GetItem(ids, (Py_ssize_t)ln.doc);
    fields[1] = PyLong_FromUnsignedLong(ln.tok_start);
    fields[2] = PyLong_FromUnsignedLong(ln.tok_end);
    fields[3] = collapsed_str(text, ln.left_begin, ln.left_end, buf, cap);
    fields[4] = collapsed_str(text, ln.match_begin, ln.match_end, buf, cap);
    fields[5] = collapsed_str(text, ln.right_begin, ln.right_end, buf, cap);
    fields[6] = PyLong_FromUnsignedLongLong(ln.char_start);
    fields[7] = PyLong_FromUnsignedLongLong(ln.char_end);
    for (int f = 0; f < N_FIELDS; f++) {
        if (!fields[f]) {
            for (int g = 0; g < N_FIELDS; g++)
                Py_XDECREF(fields[g]);
            return -1;
        }
    }
    return 0;
}

/* The context of lines(): words each side, a width in characters (0: none)
 * and a bound (0 none, 1 sentence, 2 paragraph, as kw_bound). */
static int make_context(unsigned left, unsigned right, unsigned long long width, int bound,
                        kw_context *ctx)
{
    if (bound < KW_BOUND_NONE || bound > KW_BOUND_PARAGRAPH) {
        PyErr_Format(PyExc_ValueError, "bound must be 0, 1 or 2, not %d", bound);
        return -1;
    }
    ctx->left = left;
    ctx->right = right;
    ctx->width = width;
    ctx->bound = (kw_bound)bound;
    return 0;
}

static int parse_range(HitsObject *self, Py_ssize_t *start, Py_ssize_t *stop)
{
    Py_ssize_t n = Hits_len(self);
    if (*start < 0 || *stop > n || *start > *stop) {
        PyErr_Format(PyExc_IndexError, "hit range [%zd, %zd) outside [0, %zd)", *start, *stop, n);
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(Hits_lines_doc,
"lines(start, stop, left, right, ids, width=0, bound=0)\n--\n\n"
"Line objects for hits start..stop-1 with `left`/`right` words of context,\n"
"or `width` characters each side when width > 0; `bound` 1 stops contexts\n"
"at sentence ends, 2 at paragraph breaks. `ids` maps document numbers to\n"
"ids (None: the numbers themselves).");

static PyObject *Hits_lines(HitsObject *self, PyObject *args)
{
    Py_ssize_t start, stop;
    unsigned int left, right;
    unsigned long long width = 0;
    int bound = 0;
    PyObject *ids, *result = NULL;
    kw_context ctx;
    if (!PyArg_ParseTuple(args, "nnIIO|Ki:lines", &start, &stop, &left, &right, &ids, &width,
                          &bound))
        return NULL;
    if (make_context(left, right, width, bound, &ctx) < 0 || parse_range(self, &start, &stop) < 0)
        return NULL;
    module_state *state = PyType_GetModuleState(Py_TYPE(self));
    if (!state->line_type) {
        PyErr_SetString(PyExc_RuntimeError, "kwiq._core: Line type not registered");
        return NULL;
    }
    PyTypeObject *line_type = (PyTypeObject *)state->line_type;
    char *buf = NULL;
    size_t cap = 0;
    PyObject *fields[N_FIELDS];
    PyObject *list = PyList_New(stop - start);
    if (!list)
        return NULL;
    for (Py_ssize_t i = start; i < stop; i++) {
        if (line_fields(self, (size_t)i, &ctx, ids, &buf, &cap, fields) < 0)
            goto error;
        /* Line is a NamedTuple: a tuple subclass without __dict__, so it is
         * made like a tuple of its type, skipping its Python __new__. */
        PyObject *line = line_type->tp_alloc(line_type, N_FIELDS);
        if (!line) {
            for (int f = 0; f < N_FIELDS; f++)
                Py_DECREF(fields[f]);
            goto error;
        }
        for (int f = 0; f < N_FIELDS; f++)
            PyTuple_SET_ITEM(line, f, fields[f]);
        PyList_SET_ITEM(list, i - start, line);
    }
    result = list;
    list = NULL;
error:
    Py_XDECREF(list);
    PyMem_Free(buf);
    return result;
}

PyDoc_STRVAR(Hits_columns_doc,
"columns(left, right, ids, width=0, bound=0)\n--\n\n"
"The Line fields of every hit as a tuple of eight lists, one per field,\n"
"without making a Line per hit. Arguments as for lines().");

static PyObject *Hits_columns(HitsObject *self, PyObject *args)
{
    unsigned int left, right;
    unsigned long long width = 0;
    int bound = 0;
    PyObject *ids, *result = NULL;
    kw_context ctx;
    if (!PyArg_ParseTuple(args, "IIO|Ki:columns", &left, &right, &ids, &width, &bound))
        return NULL;
    if (make_context(left, right, width, bound, &ctx) < 0)
        return NULL;
    Py_ssize_t n = Hits_len(self);
    PyObject *columns[N_FIELDS] = {NULL};
    char *buf = NULL;
    size_t cap = 0;
    for (int f = 0; f < N_FIELDS; f++)
        if (!(columns[f] = PyList_New(n)))
            goto error;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *fields[N_FIELDS];
        if (line_fields(self, (size_t)i, &ctx, ids, &buf, &cap, fields) < 0)
            goto error;
        for (int f = 0; f < N_FIELDS; f++)
            PyList_SET_ITEM(columns[f], i, fields[f]);
    }
    result = PyTuple_New(N_FIELDS);
    if (!result)
        goto error;
    for (int f = 0; f < N_FIELDS; f++) {
        PyTuple_SET_ITEM(result, f, columns[f]);
        columns[f] = NULL;
    }
error:
    for (int f = 0; f < N_FIELDS; f++)
        Py_XDECREF(columns[f]);
    PyMem_Free(buf);
    return result;
}

static PyMethodDef Hits_methods[] = {
    {"lines", (PyCFunction)Hits_lines, METH_VARARGS, Hits_lines_doc},
    {"columns", (PyCFunction)Hits_columns, METH_VARARGS, Hits_columns_doc},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot Hits_slots[] = {
    {Py_tp_dealloc, Hits_dealloc},
    {Py_tp_methods, Hits_methods},
    {Py_sq_length, Hits_len},
    {Py_tp_doc, "The hits of one query, kept as C arrays until lines are asked for."},
    {0, NULL},
};

static PyType_Spec Hits_spec = {
    .name = "kwiq._core.Hits",
    .basicsize = sizeof(HitsObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = Hits_slots,
};

/* ---- module functions ---- */

PyDoc_STRVAR(build_doc,
"build(texts)\n--\n\n"
"Build an Index from a list of str. TypeError for a non-str item;\n"
"UnicodeEncodeError for a str holding lone surrogates. Nothing is kept on\n"
"error.");

static PyObject *build(PyObject *module, PyObject *texts)
{
    module_state *state = PyModule_GetState(module);
    if (!PyList_Check(texts)) {
        PyErr_SetString(PyExc_TypeError, "build() takes a list of str");
        return NULL;
    }
    kw_builder *b = NULL;
    kw_status st = kw_builder_new(&python_alloc, &b);
    if (st != KW_OK)
        return raise_status(st);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(texts); i++) {
        PyObject *text = PyList_GET_ITEM(texts, i), *holder;
        if (!PyUnicode_Check(text)) {
            PyErr_Format(PyExc_TypeError, "document %zd is %.100s, not str", i,
                         Py_TYPE(text)->tp_name);
            goto error;
        }
        Py_INCREF(text); /* the list may change while the GIL is released */
        Py_ssize_t n;
        const char *utf8 = utf8_of(text, &n, &holder);
        if (!utf8) {
            Py_DECREF(text);
            goto error;
        }
        size_t bad;
        if (n >= RELEASE_GIL_BYTES) {
            Py_BEGIN_ALLOW_THREADS
            st = kw_builder_add(b, utf8, (size_t)n, &bad);
            Py_END_ALLOW_THREADS
        } else {
            st = kw_builder_add(b, utf8, (size_t)n, &bad);
        }
        Py_XDECREF(holder);
        Py_DECREF(text);
        if (st != KW_OK) {
            raise_status(st);
            goto error;
        }
        if (PyErr_CheckSignals() < 0)
            goto error;
    }
    kw_index *ix;
    Py_BEGIN_ALLOW_THREADS
    st = kw_builder_finish(b, &ix);
    Py_END_ALLOW_THREADS
    if (st != KW_OK) {
        raise_status(st);
        goto error;
    }
    IndexObject *result = PyObject_New(IndexObject, state->index_type);
    if (!result) {
        kw_index_free(ix);
        return NULL;
    }
    result->ix = ix;
    return (PyObject *)result;

error:
    kw_builder_free(b);
    return NULL;
}

PyDoc_STRVAR(tokenize_doc,
"tokenize(text)\n--\n\n"
"The tokens of `text` as a list of (start, end, is_word), in str indices.");

static PyObject *tokenize(PyObject *module, PyObject *text)
{
    (void)module;
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "text must be str, not %.100s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    PyObject *holder, *list = NULL;
    Py_ssize_t n;
    const char *utf8 = utf8_of(text, &n, &holder);
    if (!utf8)
        return NULL;
    if (!(list = PyList_New(0)))
        goto done;
    kw_scan scan;
    kw_tokspan t;
    kw_scan_init(&scan, utf8, (size_t)n, 0, 0);
    while (kw_scan_next(&scan, &t) == 1) {
        PyObject *item = Py_BuildValue("(KKO)", (unsigned long long)t.char_begin,
                                       (unsigned long long)t.char_end,
                                       t.is_word ? Py_True : Py_False);
        if (!item || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            Py_CLEAR(list);
            goto done;
        }
        Py_DECREF(item);
    }
done:
    Py_XDECREF(holder);
    return list;
}

PyDoc_STRVAR(casefold_doc,
"casefold(text)\n--\n\n"
"`text` case-folded as the index folds it: full Unicode case folding, with\n"
"U+2019 folded to an apostrophe.");

static PyObject *casefold(PyObject *module, PyObject *text)
{
    (void)module;
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "text must be str, not %.100s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    PyObject *holder, *result = NULL;
    Py_ssize_t n;
    const char *utf8 = utf8_of(text, &n, &holder);
    if (!utf8)
        return NULL;
    char *buf = PyMem_Malloc((size_t)n * KW_FOLD_GROWTH + 1);
    if (!buf) {
        PyErr_NoMemory();
    } else {
        size_t len = kw_fold_utf8(utf8, (size_t)n, buf);
        result = PyUnicode_DecodeUTF8(buf, (Py_ssize_t)len, "strict");
        PyMem_Free(buf);
    }
    Py_XDECREF(holder);
    return result;
}

PyDoc_STRVAR(upper_mask_doc,
"upper_mask(text)\n--\n\n"
"One byte per code point of `text`: 1 where the core's tables call it an\n"
"upper-case or title-case letter (Lu, Lt), else 0. For tests.");

static PyObject *upper_mask(PyObject *module, PyObject *text)
{
    (void)module;
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "text must be str, not %.100s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    PyObject *holder, *result;
    Py_ssize_t n;
    const char *utf8 = utf8_of(text, &n, &holder);
    if (!utf8)
        return NULL;
    result = PyBytes_FromStringAndSize(NULL, PyUnicode_GET_LENGTH(text));
    if (result) {
        char *out = PyBytes_AS_STRING(result);
        for (Py_ssize_t k = 0; k < n; k++) {
            /* Every byte that is not a continuation byte starts a code point. */
            if (((unsigned char)utf8[k] & 0xC0) != 0x80)
                *out++ = (char)kw_utf8_starts_upper(utf8 + k, (size_t)(n - k));
        }
    }
    Py_XDECREF(holder);
    return result;
}

PyDoc_STRVAR(set_line_type_doc,
"_set_line_type(cls)\n--\n\nRegister kwiq.Line, the tuple subclass lines() makes.");

static PyObject *set_line_type(PyObject *module, PyObject *cls)
{
    if (!PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject *)cls, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "Line must be a tuple subclass");
        return NULL;
    }
    module_state *state = PyModule_GetState(module);
    Py_XSETREF(state->line_type, Py_NewRef(cls));
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"build", build, METH_O, build_doc},
    {"tokenize", tokenize, METH_O, tokenize_doc},
    {"casefold", casefold, METH_O, casefold_doc},
    {"upper_mask", upper_mask, METH_O, upper_mask_doc},
    {"_set_line_type", set_line_type, METH_O, set_line_type_doc},
    {NULL, NULL, 0, NULL},
};

static int module_exec(PyObject *module)
{
    module_state *state = PyModule_GetState(module);
    state->index_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &Index_spec, NULL);
    if (!state->index_type || PyModule_AddType(module, state->index_type) < 0)
        return -1;
    state->hits_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &Hits_spec, NULL);
    if (!state->hits_type || PyModule_AddType(module, state->hits_type) < 0)
        return -1;
    if (PyModule_AddIntConstant(module, "CHECKPOINT", 32) < 0)
        return -1;
    return 0;
}

static int module_traverse(PyObject *module, visitproc visit, void *arg)
{
    module_state *state = PyModule_GetState(module);
    Py_VISIT(state->index_type);
    Py_VISIT(state->hits_type);
    Py_VISIT(state->line_type);
    return 0;
}

static int module_clear(PyObject *module)
{
    module_state *state = PyModule_GetState(module);
    Py_CLEAR(state->index_type);
    Py_CLEAR(state->hits_type);
    Py_CLEAR(state->line_type);
    return 0;
}

static void module_free(void *module)
{
    module_clear((PyObject *)module);
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "kwiq._core",
    .m_doc = "The C core of kwiq: tokenizer, index, queries and KWIC lines.",
    .m_size = sizeof(module_state),
    .m_methods = module_methods,
    .m_slots = module_slots,
    .m_traverse = module_traverse,
    .m_clear = module_clear,
    .m_free = module_free,
};

PyMODINIT_FUNC PyInit__core(void)
{
    return PyModuleDef_Init(&module_def);
}
