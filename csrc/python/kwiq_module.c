/*
 * kwiq_module.c: the module kwiq._core: its state, its functions (load,
 * merge, tokenize, casefold, upper_mask), its constants and its
 * multi-phase initialisation, which makes the heap types of the other files
 * (see kwiq_objects.h).
 */
#include "kwiq_objects.h"

static void *raw_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return PyMem_RawMalloc(n);
}
static void *raw_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return PyMem_RawRealloc(p, n);
}
static void raw_free(void *ctx, void *p)
{
    (void)ctx;
    PyMem_RawFree(p);
}

const kw_alloc kwiq_alloc = {raw_malloc, raw_realloc, raw_free, NULL};

PyObject *kwiq_raise_status(kw_status st)
{
    switch (st) {
    case KW_ENOMEM:
        return PyErr_NoMemory();
    case KW_EINTR:
        if (!PyErr_Occurred())
            PyErr_SetNone(PyExc_KeyboardInterrupt);
        return NULL;
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

PyDoc_STRVAR(load_doc, "load(buffer, /)\n--\n\n"
                       "(Index, blob): an Index reading the saved bytes of `buffer` in place (an\n"
                       "mmap, or any object exporting 8-byte aligned read-only bytes), which it\n"
                       "keeps exported until it is freed, and the saved blob as bytes. Every\n"
                       "byte is checked first, with the GIL released. FormatError for bytes that\n"
                       "are not a valid saved index, naming the section and what is wrong.");

static PyObject *load(PyObject *module, PyObject *source)
{
    module_state *state = PyModule_GetState(module);
    Py_buffer view;
    if (PyObject_GetBuffer(source, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    kw_index *ix = NULL;
    const void *blob;
    size_t blob_len;
    kw_load_error err;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS st =
        kw_index_load(view.buf, (size_t)view.len, &kwiq_alloc, &ix, &blob, &blob_len, &err);
    Py_END_ALLOW_THREADS PyObject *blob_bytes = NULL;
    IndexObject *result = NULL;
    if (st == KW_EFORMAT) {
        PyErr_SetString(state->format_error, err.message);
        goto error;
    }
    if (st == KW_EINVAL) {
        PyErr_SetString(PyExc_ValueError, "load() needs a buffer that starts 8-byte aligned");
        goto error;
    }
    if (st != KW_OK) {
        kwiq_raise_status(st);
        goto error;
    }
    if (!(blob_bytes = PyBytes_FromStringAndSize(blob, (Py_ssize_t)blob_len)))
        goto error;
    if (!(result = PyObject_New(IndexObject, state->index_type)))
        goto error;
    result->ix = ix;
    result->view = view;
    result->has_view = 1;
    return Py_BuildValue("(NN)", (PyObject *)result, blob_bytes);

error:
    kw_index_free(ix);
    Py_XDECREF(blob_bytes);
    PyBuffer_Release(&view);
    return NULL;
}

PyDoc_STRVAR(merge_doc,
             "merge(hits_list, /)\n--\n\n"
             "One Hits of several queries' hits over the same Index, by position; hit k\n"
             "remembers the number of the list entry it came from.");

static PyObject *merge(PyObject *module, PyObject *list)
{
    module_state *state = PyModule_GetState(module);
    if (!PyList_Check(list) || PyList_GET_SIZE(list) == 0) {
        PyErr_SetString(PyExc_TypeError, "merge() takes a non-empty list of Hits");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(list);
    PyObject *index = NULL;
    kw_hits **parts = PyMem_Calloc((size_t)n, sizeof *parts);
    if (!parts)
        return PyErr_NoMemory();
    for (Py_ssize_t j = 0; j < n; j++) {
        PyObject *item = PyList_GET_ITEM(list, j);
        if (!Py_IS_TYPE(item, state->hits_type)) {
            PyErr_Format(PyExc_TypeError, "merge(): item %zd is not Hits", j);
            PyMem_Free(parts);
            return NULL;
        }
        HitsObject *hits = (HitsObject *)item;
        if (index && hits->index != index) {
            PyErr_SetString(PyExc_ValueError, "merge(): hits of different indexes");
            PyMem_Free(parts);
            return NULL;
        }
        index = hits->index;
        parts[j] = hits->hits;
    }
    kw_hits *merged;
    kw_status st;
    kwiq_stop stop;
    kwiq_stop_release(&stop, NULL);
    st = kw_hits_merge(&kwiq_alloc, parts, (size_t)n, &stop.cancel, &merged);
    kwiq_stop_reacquire(&stop);
    PyMem_Free(parts);
    if (st != KW_OK)
        return kwiq_raise_status(st);
    return kwiq_new_hits(index, merged);
}

PyDoc_STRVAR(tokenize_doc,
             "tokenize(text, /)\n--\n\n"
             "The tokens of `text` as a list of (start, end, is_word), in str indices.");

/* kw_token_fn of tokenize(): the token appended to the list `ctx` as
 * (start, end, is_word); nonzero, an exception set, if that fails. */
static int append_token(void *ctx, const kw_tokspan *t)
{
    PyObject *item =
        Py_BuildValue("(KKO)", (unsigned long long)t->char_begin, (unsigned long long)t->char_end,
                      t->is_word ? Py_True : Py_False);
    int failed = !item || PyList_Append(ctx, item) < 0;
    Py_XDECREF(item);
    return failed;
}

static PyObject *tokenize(PyObject *module, PyObject *text)
{
    (void)module;
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "text must be str, not %.100s", Py_TYPE(text)->tp_name);
        return NULL;
    }
    PyObject *holder, *list;
    Py_ssize_t n;
    const char *utf8 = utf8_of(text, &n, &holder);
    if (!utf8)
        return NULL;
    size_t bad;
    if ((list = PyList_New(0))) {
        kw_status st = kw_tokenize(utf8, (size_t)n, append_token, list, &bad);
        if (st != KW_OK)
            kwiq_raise_status(st);
        if (PyErr_Occurred())
            Py_CLEAR(list);
    }
    Py_XDECREF(holder);
    return list;
}

PyDoc_STRVAR(casefold_doc,
             "casefold(text, /)\n--\n\n"
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
             "upper_mask(text, /)\n--\n\n"
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
             "set_line_type(cls, /)\n--\n\nRegister kwiq.Line, the tuple subclass lines() makes.");

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
    {"load", load, METH_O, load_doc},
    {"merge", merge, METH_O, merge_doc},
    {"tokenize", tokenize, METH_O, tokenize_doc},
    {"casefold", casefold, METH_O, casefold_doc},
    {"upper_mask", upper_mask, METH_O, upper_mask_doc},
    {"set_line_type", set_line_type, METH_O, set_line_type_doc},
    {NULL, NULL, 0, NULL},
};


/* module.name = a tuple of the n names. -1 with an exception set. */
static int add_names(PyObject *module, const char *name, const char *const *names, size_t n)
{
    PyObject *tuple = PyTuple_New((Py_ssize_t)n);
    for (size_t k = 0; tuple && k < n; k++) {
        PyObject *item = PyUnicode_FromString(names[k]);
        if (!item)
            Py_CLEAR(tuple);
        else
            PyTuple_SET_ITEM(tuple, (Py_ssize_t)k, item);
    }
    if (!tuple)
        return -1;
    int result = PyModule_AddObjectRef(module, name, tuple);
    Py_DECREF(tuple);
    return result;
}

static int module_exec(PyObject *module)
{
    module_state *state = PyModule_GetState(module);
    if (kwiq_stop_module_init() < 0)
        return -1;
    state->builder_type =
        (PyTypeObject *)PyType_FromModuleAndSpec(module, &kwiq_builder_spec, NULL);
    if (!state->builder_type || PyModule_AddType(module, state->builder_type) < 0)
        return -1;
    state->index_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &kwiq_index_spec, NULL);
    if (!state->index_type || PyModule_AddType(module, state->index_type) < 0)
        return -1;
    state->hits_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &kwiq_hits_spec, NULL);
    if (!state->hits_type || PyModule_AddType(module, state->hits_type) < 0)
        return -1;
    if (PyModule_AddFunctions(module, kwiq_cql_methods) < 0 || kwiq_cql_add_constants(module) < 0)
        return -1;
    state->format_error = PyErr_NewExceptionWithDoc(
        "kwiq.FormatError",
        "A file (or bytes) that is not a valid saved kwiq corpus: not one at all,\n"
        "cut short, damaged, or of a format version this kwiq does not read. The\n"
        "message names the file, the section and what is wrong.",
        PyExc_ValueError, NULL);
    if (!state->format_error
        || PyModule_AddObjectRef(module, "FormatError", state->format_error) < 0)
        return -1;
    /* The attributes and structures of a CoNLL-U corpus, in the order the
     * core fills them. */
    if (add_names(module, "conllu_attrs", kw_conllu_attrs, KW_CONLLU_N_ATTRS) < 0
        || add_names(module, "conllu_structures", kw_conllu_structures, KW_CONLLU_N_STRUCTURES) < 0)
        return -1;
    /* The core's codes, for pkg/kwiq to name rather than number: the kinds
     * of a slot of Index.match, the bounds of Hits.lines and the sort keys
     * of Hits.sort. */
    if (PyModule_AddIntConstant(module, "SLOT_FORM", KW_SLOT_FORM) < 0
        || PyModule_AddIntConstant(module, "SLOT_TYPES", KW_SLOT_TYPES) < 0
        || PyModule_AddIntConstant(module, "SLOT_GROUPS", KW_SLOT_GROUPS) < 0
        || PyModule_AddIntConstant(module, "SLOT_ANY_WORD", KW_SLOT_ANY_WORD) < 0
        || PyModule_AddIntConstant(module, "BOUND_NONE", KW_BOUND_NONE) < 0
        || PyModule_AddIntConstant(module, "BOUND_SENTENCE", KW_BOUND_SENTENCE) < 0
        || PyModule_AddIntConstant(module, "BOUND_PARAGRAPH", KW_BOUND_PARAGRAPH) < 0
        || PyModule_AddIntConstant(module, "SORT_LEFT", KW_SORT_LEFT) < 0
        || PyModule_AddIntConstant(module, "SORT_RIGHT", KW_SORT_RIGHT) < 0
        || PyModule_AddIntConstant(module, "SORT_MATCH", KW_SORT_MATCH) < 0
        || PyModule_AddIntConstant(module, "SORT_DOC", KW_SORT_DOC) < 0
        || PyModule_AddIntConstant(module, "SORT_POSITION", KW_SORT_POSITION) < 0)
        return -1;
    return 0;
}

static int module_traverse(PyObject *module, visitproc visit, void *arg)
{
    module_state *state = PyModule_GetState(module);
    Py_VISIT(state->builder_type);
    Py_VISIT(state->index_type);
    Py_VISIT(state->hits_type);
    Py_VISIT(state->line_type);
    Py_VISIT(state->format_error);
    return 0;
}

static int module_clear(PyObject *module)
{
    module_state *state = PyModule_GetState(module);
    Py_CLEAR(state->builder_type);
    Py_CLEAR(state->index_type);
    Py_CLEAR(state->hits_type);
    Py_CLEAR(state->line_type);
    Py_CLEAR(state->format_error);
    return 0;
}

static void module_free(void *module) { module_clear((PyObject *)module); }

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

PyMODINIT_FUNC PyInit__core(void) { return PyModuleDef_Init(&module_def); }
