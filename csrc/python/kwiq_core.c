/*
 * kwiq_core.c: the CPython binding, module kwiq._core.
 *
 * Only converts arguments, releases the GIL around core work and builds
 * results; the public API, defaults and display live in pkg/kwiq/.
 *
 * Text crosses the boundary as UTF-8: an ASCII str is read in place, any
 * other str is encoded to a temporary buffer (by Builder.add without the
 * GIL, from the str's code units), and the core keeps its own copy.
 * Offsets handed back are code point counts, i.e. str indices.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "kw_core.h"

/* Batches of documents at least this long are tokenized with the GIL
 * released; below it the release costs more than it frees. */
#define RELEASE_GIL_BYTES 65536

typedef struct {
    PyTypeObject *builder_type;
    PyTypeObject *index_type;
    PyTypeObject *hits_type;
    PyObject *line_type;
    PyObject *format_error; /* kwiq.FormatError */
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
    /* A loaded index reads these bytes in place (view.obj is the owner,
     * e.g. an mmap, kept alive and unable to close until dealloc); a built
     * one owns its arrays and has_view 0. */
    Py_buffer view;
    int has_view;
} IndexObject;

static void Index_dealloc(IndexObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    kw_index_free(self->ix);
    if (self->has_view)
        PyBuffer_Release(&self->view);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

typedef struct {
    PyObject_HEAD
    PyObject *index; /* the IndexObject the hits borrow from */
    kw_hits *hits;
} HitsObject;

/* A Hits object owning `hits` and keeping `index` alive; frees hits on error. */
static PyObject *new_hits_object(PyObject *index, kw_hits *hits)
{
    module_state *state = PyType_GetModuleState(Py_TYPE(index));
    HitsObject *result = PyObject_New(HitsObject, state->hits_type);
    if (!result) {
        kw_hits_free(hits);
        return NULL;
    }
    result->hits = hits;
    result->index = Py_NewRef(index);
    return (PyObject *)result;
}

enum { SLOT_FORM = 0, SLOT_TYPES = 1, SLOT_GROUPS = 2, SLOT_ANY_WORD = 3 };

PyDoc_STRVAR(Index_match_doc,
"match(slots, exact)\n--\n\n"
"Hits of a phrase of slots, each a tuple: (0, form) one token's text;\n"
"(1, ids) any of these surface type ids; (2, ids) any of these fold group\n"
"ids; (3,) any word. ids is a buffer of uint32 (e.g. array('I')).\n"
"exact applies to forms.");

static PyObject *Index_match(IndexObject *self, PyObject *args)
{
    PyObject *slot_list, *result = NULL;
    int exact;
    if (!PyArg_ParseTuple(args, "O!p:match", &PyList_Type, &slot_list, &exact))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(slot_list);
    kw_slot *slots = PyMem_Calloc((size_t)(n ? n : 1), sizeof *slots);
    Py_buffer *views = PyMem_Calloc((size_t)(n ? n : 1), sizeof *views);
    PyObject *items = PyList_GetSlice(slot_list, 0, n); /* the list may change meanwhile */
    Py_ssize_t n_views = 0;
    if (!slots || !views || !items) {
        if (!items)
            goto done;
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t j = 0; j < n; j++) {
        PyObject *item = PyList_GET_ITEM(items, j);
        int kind;
        PyObject *arg = NULL;
        if (!PyTuple_Check(item) || !PyArg_ParseTuple(item, "i|O:slot", &kind, &arg)) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "slot %zd must be a tuple", j);
            goto done;
        }
        if (kind == SLOT_FORM && arg && PyUnicode_Check(arg)) {
            Py_ssize_t len;
            const char *form = PyUnicode_AsUTF8AndSize(arg, &len);
            if (!form)
                goto done;
            slots[j].kind = KW_SLOT_FORM;
            slots[j].form = form; /* kept alive by `items` */
            slots[j].form_len = (size_t)len;
        } else if ((kind == SLOT_TYPES || kind == SLOT_GROUPS) && arg) {
            if (PyObject_GetBuffer(arg, &views[n_views], PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
                goto done;
            Py_buffer *view = &views[n_views++];
            if (view->itemsize != 4 || view->ndim != 1 || !view->format
                || !strchr("IL", view->format[0]) || view->format[1]) {
                PyErr_Format(PyExc_TypeError, "slot %zd: ids must be a buffer of uint32", j);
                goto done;
            }
            slots[j].kind = kind == SLOT_TYPES ? KW_SLOT_TYPES : KW_SLOT_GROUPS;
            slots[j].ids = view->buf;
            slots[j].n_ids = (size_t)(view->len / 4);
        } else if (kind == SLOT_ANY_WORD && !arg) {
            slots[j].kind = KW_SLOT_ANY_WORD;
        } else {
            PyErr_Format(PyExc_ValueError, "slot %zd: bad kind or argument", j);
            goto done;
        }
    }
    kw_hits *hits = NULL;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS
    st = kw_index_match(self->ix, slots, (size_t)n, exact, &hits);
    Py_END_ALLOW_THREADS
    if (st != KW_OK)
        raise_status(st);
    else
        result = new_hits_object((PyObject *)self, hits);
done:
    for (Py_ssize_t v = 0; v < n_views; v++)
        PyBuffer_Release(&views[v]);
    PyMem_Free(views);
    PyMem_Free(slots);
    Py_XDECREF(items);
    return result;
}

PyDoc_STRVAR(Index_vocabulary_doc,
"vocabulary(folded)\n--\n\n"
"(forms, is_word): every surface form (folded=False, by type id) or every\n"
"case-folded form (folded=True, by group id) as a list of str, and a bytes\n"
"of 1 for words, 0 for punctuation.");

static PyObject *Index_vocabulary(IndexObject *self, PyObject *arg)
{
    int folded = PyObject_IsTrue(arg);
    if (folded < 0)
        return NULL;
    size_t n = folded ? kw_index_n_groups(self->ix) : kw_index_n_types(self->ix);
    PyObject *forms = PyList_New((Py_ssize_t)n);
    PyObject *words = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n);
    PyObject *result = NULL;
    if (!forms || !words)
        goto done;
    char *flags = PyBytes_AS_STRING(words);
    memset(flags, 0, n);
    for (size_t id = 0; id < n; id++) {
        size_t len;
        const char *form = folded ? kw_index_group_form(self->ix, (uint32_t)id, &len)
                                  : kw_index_type_form(self->ix, (uint32_t)id, &len);
        PyObject *str = PyUnicode_DecodeUTF8(form, (Py_ssize_t)len, "strict");
        if (!str)
            goto done;
        PyList_SET_ITEM(forms, (Py_ssize_t)id, str);
    }
    /* A group's members are all words or all punctuation. */
    for (uint32_t type = 0; type < kw_index_n_types(self->ix); type++) {
        uint32_t id = folded ? kw_index_group_of(self->ix, type) : type;
        flags[id] = (char)kw_index_type_is_word(self->ix, type);
    }
    result = PyTuple_Pack(2, forms, words);
done:
    Py_XDECREF(forms);
    Py_XDECREF(words);
    return result;
}

/* bytes of native uint32: get(ix, i) for i < n, as the Index getters below
 * return their per-type, per-group or per-document numbers. */
static PyObject *uint32_bytes(const kw_index *ix, size_t n,
                              uint32_t (*get)(const kw_index *, uint32_t))
{
    PyObject *result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * sizeof(uint32_t)));
    if (!result)
        return NULL;
    uint32_t *values = (uint32_t *)PyBytes_AS_STRING(result);
    for (size_t i = 0; i < n; i++)
        values[i] = get(ix, (uint32_t)i);
    return result;
}

static uint32_t doc_n_tokens(const kw_index *ix, uint32_t doc)
{
    return kw_index_doc_n_tokens(ix, doc);
}

PyDoc_STRVAR(Index_group_of_doc,
"group_of()\n--\n\nThe fold group id of every surface type, as bytes of native uint32.");

static PyObject *Index_group_of(IndexObject *self, PyObject *unused)
{
    (void)unused;
    return uint32_bytes(self->ix, kw_index_n_types(self->ix), kw_index_group_of);
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

/* kw_write_fn for Index.save: file.write(memoryview) of a binary file,
 * the view released at once so that no pointer into the index survives. */
static int write_to_file(void *ctx, const void *data, size_t n)
{
    PyObject *view = PyMemoryView_FromMemory((char *)(uintptr_t)data, (Py_ssize_t)n, PyBUF_READ);
    if (!view)
        return -1;
    PyObject *written = PyObject_CallMethod((PyObject *)ctx, "write", "O", view);
    PyObject *released = PyObject_CallMethod(view, "release", NULL);
    Py_DECREF(view);
    int ok = written && released;
    if (ok && PyLong_Check(written) && PyLong_AsSsize_t(written) != (Py_ssize_t)n) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_OSError, "short write: %zd of %zu bytes", PyLong_AsSsize_t(written),
                         n);
        ok = 0;
    }
    Py_XDECREF(written);
    Py_XDECREF(released);
    return ok && !PyErr_Occurred() ? 0 : -1;
}

PyDoc_STRVAR(Index_save_doc,
"save(file, blob)\n--\n\n"
"Write the index and the bytes `blob` to `file`, a binary file open for\n"
"writing, in the saved format (kwiq/csrc/core/kw_file.c). The same index and blob\n"
"always give the same bytes. Whatever file.write raises is raised.");

static PyObject *Index_save(IndexObject *self, PyObject *args)
{
    PyObject *file;
    Py_buffer blob;
    if (!PyArg_ParseTuple(args, "Oy*:save", &file, &blob))
        return NULL;
    kw_status st = kw_index_save(self->ix, blob.buf, (size_t)blob.len, write_to_file, file);
    PyBuffer_Release(&blob);
    if (st == KW_EIO) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_OSError, kw_status_message(st));
        return NULL;
    }
    if (st != KW_OK)
        return raise_status(st);
    Py_RETURN_NONE;
}

static PyObject *Index_get_n_docs(IndexObject *self, void *c) { (void)c; return PyLong_FromSize_t(kw_index_n_docs(self->ix)); }
static PyObject *Index_get_n_tokens(IndexObject *self, void *c) { (void)c; return PyLong_FromSize_t(kw_index_n_tokens(self->ix)); }
static PyObject *Index_get_n_types(IndexObject *self, void *c) { (void)c; return PyLong_FromSize_t(kw_index_n_types(self->ix)); }
static PyObject *Index_get_n_groups(IndexObject *self, void *c) { (void)c; return PyLong_FromSize_t(kw_index_n_groups(self->ix)); }

/* ---- counts and statistics (kw_stats.c) ----
 *
 * Each function converts its arguments, counts in the core with the GIL
 * released and hands the counts back as bytes of native uint32 (or uint64)
 * for pkg/kwiq/_analysis.py to read with numpy. */

/* The hits argument of a counting method: Hits of this very index. */
static const kw_hits *hits_of(IndexObject *self, PyObject *arg)
{
    module_state *state = PyType_GetModuleState(Py_TYPE(self));
    if (!Py_IS_TYPE(arg, state->hits_type)) {
        PyErr_Format(PyExc_TypeError, "expected Hits, not %.100s", Py_TYPE(arg)->tp_name);
        return NULL;
    }
    if (((HitsObject *)arg)->index != (PyObject *)self) {
        PyErr_SetString(PyExc_ValueError, "these hits belong to another index");
        return NULL;
    }
    return ((HitsObject *)arg)->hits;
}

static PyObject *bytes_of(const void *data, size_t n, size_t size)
{
    return PyBytes_FromStringAndSize(data ? data : "", (Py_ssize_t)(n * size));
}

/* (ids, counts, docs or None, total) of a table, which is freed. */
static PyObject *table_tuple(kw_table *t)
{
    PyObject *ids = bytes_of(t->ids, t->n * t->width, sizeof(uint32_t));
    PyObject *counts = bytes_of(t->counts, t->n, sizeof(uint32_t));
    PyObject *docs = t->docs ? bytes_of(t->docs, t->n, sizeof(uint32_t)) : Py_NewRef(Py_None);
    PyObject *total = PyLong_FromUnsignedLongLong(t->total);
    PyObject *result = NULL;
    if (ids && counts && docs && total)
        result = PyTuple_Pack(4, ids, counts, docs, total);
    Py_XDECREF(ids);
    Py_XDECREF(counts);
    Py_XDECREF(docs);
    Py_XDECREF(total);
    kw_table_free(t);
    return result;
}

/* A document mask argument: None (every document) or a buffer of n_docs
 * bytes, one per document, nonzero for the documents to count. *mask is
 * NULL for None; the buffer, if any, is released by release_mask. */
static int mask_of(IndexObject *self, PyObject *arg, Py_buffer *view, const uint8_t **mask)
{
    view->obj = NULL;
    *mask = NULL;
    if (arg == Py_None)
        return 0;
    if (PyObject_GetBuffer(arg, view, PyBUF_SIMPLE) < 0)
        return -1;
    if ((size_t)view->len != kw_index_n_docs(self->ix)) {
        PyErr_Format(PyExc_ValueError, "a document mask of %zd bytes for %zu documents",
                     view->len, kw_index_n_docs(self->ix));
        PyBuffer_Release(view);
        view->obj = NULL;
        return -1;
    }
    *mask = view->buf;
    return 0;
}

static void release_mask(Py_buffer *view)
{
    if (view->obj)
        PyBuffer_Release(view);
}

PyDoc_STRVAR(Index_freq_doc,
"freq(by_type, mask=None)\n--\n\n"
"(ids, counts, docs, total): a row per fold group (by_type false) or surface\n"
"type (true), in id order; tokens and documents of each; total tokens.\n"
"mask: None, or n_docs bytes; only documents with a nonzero byte count.");

static PyObject *Index_freq(IndexObject *self, PyObject *args)
{
    int by_type;
    PyObject *mask_arg = Py_None;
    if (!PyArg_ParseTuple(args, "p|O:freq", &by_type, &mask_arg))
        return NULL;
    Py_buffer view;
    const uint8_t *mask;
    if (mask_of(self, mask_arg, &view, &mask) < 0)
        return NULL;
    kw_table *t;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS
    st = kw_index_freq(self->ix, by_type, mask, &t);
    Py_END_ALLOW_THREADS
    release_mask(&view);
    return st == KW_OK ? table_tuple(t) : raise_status(st);
}

PyDoc_STRVAR(Index_ngrams_doc,
"ngrams(n, min_count, mask=None)\n--\n\n"
"(ids, counts, docs, total): n-grams of words (n fold group ids a row) seen\n"
"at least min_count times, in no order; total n-grams counted. mask as for\n"
"freq.");

static PyObject *Index_ngrams(IndexObject *self, PyObject *args)
{
    unsigned int n, min_count;
    PyObject *mask_arg = Py_None;
    if (!PyArg_ParseTuple(args, "II|O:ngrams", &n, &min_count, &mask_arg))
        return NULL;
    Py_buffer view;
    const uint8_t *mask;
    if (mask_of(self, mask_arg, &view, &mask) < 0)
        return NULL;
    kw_table *t;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS
    st = kw_index_ngrams(self->ix, n, min_count, mask, &t);
    Py_END_ALLOW_THREADS
    release_mask(&view);
    return st == KW_OK ? table_tuple(t) : raise_status(st);
}

PyDoc_STRVAR(Index_hits_in_docs_doc,
"hits_in_docs(hits, mask)\n--\n\n"
"New Hits: those of hits whose document has a nonzero byte in mask\n"
"(n_docs bytes), in the same order.");

static PyObject *Index_hits_in_docs(IndexObject *self, PyObject *args)
{
    PyObject *arg, *mask_arg;
    if (!PyArg_ParseTuple(args, "OO:hits_in_docs", &arg, &mask_arg))
        return NULL;
    const kw_hits *h = hits_of(self, arg);
    if (!h)
        return NULL;
    Py_buffer view;
    const uint8_t *mask;
    if (mask_arg == Py_None) {
        PyErr_SetString(PyExc_TypeError, "hits_in_docs() needs a mask, not None");
        return NULL;
    }
    if (mask_of(self, mask_arg, &view, &mask) < 0)
        return NULL;
    kw_hits *kept;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS
    st = kw_hits_in_docs(self->ix, h, mask, &kept);
    Py_END_ALLOW_THREADS
    release_mask(&view);
    return st == KW_OK ? new_hits_object((PyObject *)self, kept) : raise_status(st);
}

PyDoc_STRVAR(Index_clusters_doc,
"clusters(hits, n, left, min_count)\n--\n\n"
"(ids, counts, docs, total): n-token clusters that start (left false) or\n"
"end (left true) with a hit, seen at least min_count times.");

static PyObject *Index_clusters(IndexObject *self, PyObject *args)
{
    PyObject *arg;
    unsigned int n, min_count;
    int left;
    if (!PyArg_ParseTuple(args, "OIpI:clusters", &arg, &n, &left, &min_count))
        return NULL;
    const kw_hits *h = hits_of(self, arg);
    if (!h)
        return NULL;
    kw_table *t;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS
    st = kw_hits_clusters(self->ix, h, n, left, min_count, &t);
    Py_END_ALLOW_THREADS
    return st == KW_OK ? table_tuple(t) : raise_status(st);
}

PyDoc_STRVAR(Index_collocates_doc,
"collocates(hits, left, right)\n--\n\n"
"(ids, counts, None, total): fold groups within left/right words of the\n"
"hits and their tokens there, each window token counted once; total the\n"
"window tokens (R1).");

static PyObject *Index_collocates(IndexObject *self, PyObject *args)
{
    PyObject *arg;
    unsigned int left, right;
    if (!PyArg_ParseTuple(args, "OII:collocates", &arg, &left, &right))
        return NULL;
    const kw_hits *h = hits_of(self, arg);
    if (!h)
        return NULL;
    kw_table *t;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS
    st = kw_hits_collocates(self->ix, h, left, right, &t);
    Py_END_ALLOW_THREADS
    return st == KW_OK ? table_tuple(t) : raise_status(st);
}

PyDoc_STRVAR(Index_group_counts_doc,
"group_counts()\n--\n\nTokens of every fold group, as bytes of native uint32.");

static PyObject *Index_group_counts(IndexObject *self, PyObject *unused)
{
    (void)unused;
    return uint32_bytes(self->ix, kw_index_n_groups(self->ix), kw_index_group_count);
}

PyDoc_STRVAR(Index_group_ranks_doc,
"group_ranks()\n--\n\n"
"The rank of every fold group in the code-point order of the folded forms,\n"
"as bytes of native uint32.");

static PyObject *Index_group_ranks(IndexObject *self, PyObject *unused)
{
    (void)unused;
    return uint32_bytes(self->ix, kw_index_n_groups(self->ix), kw_index_group_rank);
}

PyDoc_STRVAR(Index_doc_lengths_doc,
"doc_lengths()\n--\n\nTokens of every document, as bytes of native uint32.");

static PyObject *Index_doc_lengths(IndexObject *self, PyObject *unused)
{
    (void)unused;
    return uint32_bytes(self->ix, kw_index_n_docs(self->ix), doc_n_tokens);
}

PyDoc_STRVAR(Index_locate_doc,
"locate(hits)\n--\n\n"
"(docs, starts): each hit's document (bytes of native uint64) and its first\n"
"token's position in that document (bytes of native uint32).");

static PyObject *Index_locate(IndexObject *self, PyObject *arg)
{
    const kw_hits *h = hits_of(self, arg);
    if (!h)
        return NULL;
    size_t n = kw_hits_count(h);
    PyObject *docs = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * sizeof(uint64_t)));
    PyObject *starts = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * sizeof(uint32_t)));
    PyObject *result = NULL;
    if (docs && starts) {
        uint64_t *d = (uint64_t *)PyBytes_AS_STRING(docs);
        uint32_t *s = (uint32_t *)PyBytes_AS_STRING(starts);
        Py_BEGIN_ALLOW_THREADS
        kw_hits_locate(self->ix, h, d, s);
        Py_END_ALLOW_THREADS
        result = PyTuple_Pack(2, docs, starts);
    }
    Py_XDECREF(docs);
    Py_XDECREF(starts);
    return result;
}

static PyMethodDef Index_methods[] = {
    {"match", (PyCFunction)Index_match, METH_VARARGS, Index_match_doc},
    {"vocabulary", (PyCFunction)Index_vocabulary, METH_O, Index_vocabulary_doc},
    {"group_of", (PyCFunction)Index_group_of, METH_NOARGS, Index_group_of_doc},
    {"doc_text", (PyCFunction)Index_doc_text, METH_O, Index_doc_text_doc},
    /* counts and statistics */
    {"freq", (PyCFunction)Index_freq, METH_VARARGS, Index_freq_doc},
    {"ngrams", (PyCFunction)Index_ngrams, METH_VARARGS, Index_ngrams_doc},
    {"hits_in_docs", (PyCFunction)Index_hits_in_docs, METH_VARARGS, Index_hits_in_docs_doc},
    {"clusters", (PyCFunction)Index_clusters, METH_VARARGS, Index_clusters_doc},
    {"collocates", (PyCFunction)Index_collocates, METH_VARARGS, Index_collocates_doc},
    {"group_counts", (PyCFunction)Index_group_counts, METH_NOARGS, Index_group_counts_doc},
    {"group_ranks", (PyCFunction)Index_group_ranks, METH_NOARGS, Index_group_ranks_doc},
    {"doc_lengths", (PyCFunction)Index_doc_lengths, METH_NOARGS, Index_doc_lengths_doc},
    {"locate", (PyCFunction)Index_locate, METH_O, Index_locate_doc},
    {"save", (PyCFunction)Index_save, METH_VARARGS, Index_save_doc},
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
    {Py_tp_doc, "A kwiq index (immutable). Made by kwiq._core.build() or load()."},
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

enum { RECENT_MATCHES = 4 };

/* What laying out a run of lines reuses: a buffer for the collapsed
 * contexts, grown to fit, the scan of the line before, and the last few
 * ASCII match strs, handed out again for the same text (the lines of a
 * word match a few forms of it over and over). */
typedef struct line_scratch {
    char *buf;
    size_t cap;
    kw_line_cursor *cursor;
    PyObject *recent_matches[RECENT_MATCHES];
    unsigned next_recent;
} line_scratch;

/* 0, or -1 with MemoryError; line_scratch_free frees it either way. */
static int line_scratch_init(line_scratch *scratch)
{
    memset(scratch, 0, sizeof *scratch);
    if (kw_line_cursor_new(&python_alloc, &scratch->cursor) != KW_OK) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void line_scratch_free(line_scratch *scratch)
{
    kw_line_cursor_free(scratch->cursor);
    PyMem_Free(scratch->buf);
    for (int j = 0; j < RECENT_MATCHES; j++)
        Py_XDECREF(scratch->recent_matches[j]);
}

/* A str of a span of document text with runs of white space collapsed. */
static PyObject *collapsed_str(const char *text, size_t begin, size_t end, line_scratch *scratch)
{
    size_t n = end - begin;
    if (n > scratch->cap) {
        char *grown = PyMem_Realloc(scratch->buf, n);
        if (!grown)
            return PyErr_NoMemory();
        scratch->buf = grown;
        scratch->cap = n;
    }
    int ascii;
    size_t len = kw_collapse_space(text + begin, n, scratch->buf, &ascii);
    if (!ascii)
        return PyUnicode_DecodeUTF8(scratch->buf, (Py_ssize_t)len, "strict");
    /* Known ASCII: copied straight in, without the decoder's checks. An
     * empty context leaves the buffer unallocated (NULL), which memcpy may
     * not be given even for no bytes. */
    PyObject *str = PyUnicode_New((Py_ssize_t)len, 127);
    if (str && len)
        memcpy(PyUnicode_1BYTE_DATA(str), scratch->buf, len);
    return str;
}

/* The match's str: one of the recent ones when it reads the same, byte for
 * byte (a collapsed str holds no white space but single spaces, so text
 * equal to it collapses to it). */
static PyObject *match_str(const char *text, size_t begin, size_t end, line_scratch *scratch)
{
    size_t n = end - begin;
    for (int j = 0; j < RECENT_MATCHES; j++) {
        PyObject *recent = scratch->recent_matches[j];
        if (recent && (size_t)PyUnicode_GET_LENGTH(recent) == n
            && memcmp(PyUnicode_1BYTE_DATA(recent), text + begin, n) == 0)
            return Py_NewRef(recent);
    }
    PyObject *str = collapsed_str(text, begin, end, scratch);
    if (str && PyUnicode_IS_ASCII(str)) {
        Py_XSETREF(scratch->recent_matches[scratch->next_recent], Py_NewRef(str));
        scratch->next_recent = (scratch->next_recent + 1) % RECENT_MATCHES;
    }
    return str;
}

enum { N_FIELDS = 8 };

/* The eight Line fields of hit i, as new references in fields[]. */
static int line_fields(HitsObject *self, size_t i, const kw_context *ctx, PyObject *ids,
                       line_scratch *scratch, PyObject *fields[N_FIELDS])
{
    const kw_index *ix = ((IndexObject *)self->index)->ix;
    kw_line ln;
    kw_line_prefetch(ix, self->hits, i);
    kw_line_at(ix, self->hits, i, ctx, scratch->cursor, &ln);
    size_t n;
    const char *text = kw_index_doc_text(ix, ln.doc, &n);
    memset(fields, 0, N_FIELDS * sizeof *fields);
    if (ids == Py_None)
        fields[0] = PyLong_FromSize_t(ln.doc);
    else
        fields[0] = PySequence_GetItem(ids, (Py_ssize_t)ln.doc);
    fields[1] = PyLong_FromUnsignedLong(ln.tok_start);
    fields[2] = PyLong_FromUnsignedLong(ln.tok_end);
    fields[3] = collapsed_str(text, ln.left_begin, ln.left_end, scratch);
    fields[4] = match_str(text, ln.match_begin, ln.match_end, scratch);
    fields[5] = collapsed_str(text, ln.right_begin, ln.right_end, scratch);
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
    line_scratch scratch;
    PyObject *fields[N_FIELDS];
    PyObject *list = NULL;
    if (line_scratch_init(&scratch) < 0 || !(list = PyList_New(stop - start)))
        goto error;
    /* Each Line allocated counts towards a collection, and each collection
     * would walk the list filled so far: it joins the collector's objects
     * once full. */
    PyObject_GC_UnTrack(list);
    for (Py_ssize_t i = start; i < stop; i++) {
        if (line_fields(self, (size_t)i, &ctx, ids, &scratch, fields) < 0)
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
        /* A Line of str and int cannot be part of a reference cycle; the
         * collector would untrack it at its first pass anyway, so spare it
         * the passes that a long list of Lines would otherwise cost. */
        PyObject *doc = fields[0];
        if (PyUnicode_CheckExact(doc) || PyLong_CheckExact(doc) || doc == Py_None)
            PyObject_GC_UnTrack(line);
        PyList_SET_ITEM(list, i - start, line);
    }
    PyObject_GC_Track(list);
    result = list;
    list = NULL;
error:
    Py_XDECREF(list);
    line_scratch_free(&scratch);
    return result;
}

PyDoc_STRVAR(Hits_columns_doc,
"columns(left, right, ids, width=0, bound=0)\n--\n\n"
"The Line fields of every hit as a tuple of eight lists, one per field,\n"
"then a ninth: the number of the query that found each hit. No Line is\n"
"made per hit. Arguments as for lines().");

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
    enum { N_COLUMNS = N_FIELDS + 1 };
    PyObject *columns[N_COLUMNS] = {NULL};
    line_scratch scratch;
    if (line_scratch_init(&scratch) < 0)
        goto error;
    for (int f = 0; f < N_COLUMNS; f++)
        if (!(columns[f] = PyList_New(n)))
            goto error;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *fields[N_FIELDS];
        if (line_fields(self, (size_t)i, &ctx, ids, &scratch, fields) < 0)
            goto error;
        for (int f = 0; f < N_FIELDS; f++)
            PyList_SET_ITEM(columns[f], i, fields[f]);
        PyObject *query = PyLong_FromUnsignedLong(kw_hits_query(self->hits, (size_t)i));
        if (!query)
            goto error;
        PyList_SET_ITEM(columns[N_FIELDS], i, query);
    }
    result = PyTuple_New(N_COLUMNS);
    if (!result)
        goto error;
    for (int f = 0; f < N_COLUMNS; f++) {
        PyTuple_SET_ITEM(result, f, columns[f]);
        columns[f] = NULL;
    }
error:
    for (int f = 0; f < N_COLUMNS; f++)
        Py_XDECREF(columns[f]);
    line_scratch_free(&scratch);
    return result;
}

/* A list of the ids of documents doc[0 .. n), taken from `ids` (None: the
 * numbers themselves). */
static PyObject *doc_id_list(PyObject *ids, const uint64_t *doc, Py_ssize_t n)
{
    PyObject *list = PyList_New(n);
    if (!list)
        return NULL;
    const int is_list = PyList_CheckExact(ids);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *id;
        if (ids == Py_None)
            id = PyLong_FromUnsignedLongLong(doc[i]);
        else if (is_list && doc[i] < (uint64_t)PyList_GET_SIZE(ids))
            id = Py_NewRef(PyList_GET_ITEM(ids, (Py_ssize_t)doc[i]));
        else
            id = PySequence_GetItem(ids, (Py_ssize_t)doc[i]);
        if (!id) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, id);
    }
    return list;
}

PyDoc_STRVAR(Hits_frame_columns_doc,
"frame_columns(left, right, ids, width=0, bound=0)\n--\n\n"
"The lines of every hit, for a data frame, with no Python object per hit\n"
"but the document ids: a list of those ids, then as bytes start, end,\n"
"char_start and char_end (int64) and the query numbers (uint32), then for\n"
"left, match and right the offsets (int64, one more than the hits) and the\n"
"UTF-8 text of an Arrow large_string column. Native byte order. Arguments\n"
"as for lines().");

static PyObject *Hits_frame_columns(HitsObject *self, PyObject *args)
{
    unsigned int left, right;
    unsigned long long width = 0;
    int bound = 0;
    PyObject *ids;
    kw_context ctx;
    if (!PyArg_ParseTuple(args, "IIO|Ki:frame_columns", &left, &right, &ids, &width, &bound))
        return NULL;
    if (make_context(left, right, width, bound, &ctx) < 0)
        return NULL;
    const Py_ssize_t n = Hits_len(self);
    enum { N_NUMBERS = 6, N_TEXTS = 3, N_ITEMS = N_NUMBERS + 2 * N_TEXTS };
    const size_t number_size[N_NUMBERS] = {sizeof(uint64_t), sizeof(int64_t), sizeof(int64_t),
                                           sizeof(int64_t), sizeof(int64_t), sizeof(uint32_t)};
    PyObject *items[N_ITEMS] = {NULL};
    PyObject *result = NULL;
    kw_line_columns columns = {0};
    kw_text_column *texts[N_TEXTS] = {&columns.left, &columns.match, &columns.right};
    if ((size_t)n > (size_t)(PY_SSIZE_T_MAX / sizeof(int64_t)) - 1)
        return PyErr_NoMemory();
    /* The fixed-size arrays are written in place in their bytes objects,
     * which no other code can see until they are returned; the document
     * numbers' gives way to the list of their ids. */
    for (int c = 0; c < N_NUMBERS; c++)
        if (!(items[c] = PyBytes_FromStringAndSize(NULL, n * (Py_ssize_t)number_size[c])))
            goto done;
    for (int t = 0; t < N_TEXTS; t++)
        if (!(items[N_NUMBERS + 2 * t] =
                  PyBytes_FromStringAndSize(NULL, (n + 1) * (Py_ssize_t)sizeof(int64_t))))
            goto done;
    columns.doc = (uint64_t *)PyBytes_AS_STRING(items[0]);
    columns.tok_start = (int64_t *)PyBytes_AS_STRING(items[1]);
    columns.tok_end = (int64_t *)PyBytes_AS_STRING(items[2]);
    columns.char_start = (int64_t *)PyBytes_AS_STRING(items[3]);
    columns.char_end = (int64_t *)PyBytes_AS_STRING(items[4]);
    columns.query = (uint32_t *)PyBytes_AS_STRING(items[5]);
    for (int t = 0; t < N_TEXTS; t++)
        texts[t]->offsets = (int64_t *)PyBytes_AS_STRING(items[N_NUMBERS + 2 * t]);
    const kw_index *ix = ((IndexObject *)self->index)->ix;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS
    st = kw_line_columns_fill(ix, self->hits, &ctx, &python_alloc, &columns);
    Py_END_ALLOW_THREADS
    if (st != KW_OK) {
        raise_status(st);
        goto done;
    }
    PyObject *doc_ids = doc_id_list(ids, columns.doc, n);
    if (!doc_ids)
        goto done;
    Py_SETREF(items[0], doc_ids);
    for (int t = 0; t < N_TEXTS; t++)
        if (!(items[N_NUMBERS + 2 * t + 1] =
                  PyBytes_FromStringAndSize(texts[t]->data, (Py_ssize_t)texts[t]->offsets[n])))
            goto done;
    if (!(result = PyTuple_New(N_ITEMS)))
        goto done;
    for (int c = 0; c < N_ITEMS; c++) {
        PyTuple_SET_ITEM(result, c, items[c]);
        items[c] = NULL;
    }
done:
    for (int c = 0; c < N_ITEMS; c++)
        Py_XDECREF(items[c]);
    for (int t = 0; t < N_TEXTS; t++)
        PyMem_RawFree(texts[t]->data);
    return result;
}

PyDoc_STRVAR(Hits_sort_doc,
"sort(keys)\n--\n\n"
"New Hits, these sorted by `keys`: a sequence of (by, word) pairs, `by` one\n"
"of SORT_LEFT and SORT_RIGHT (`word` counts words from the match, 1 the\n"
"nearest), SORT_MATCH, SORT_DOC or SORT_POSITION (`word` ignored). Stable;\n"
"words compare by the code points of their case-folded forms. ValueError\n"
"for a bad key.");

static PyObject *Hits_sort(HitsObject *self, PyObject *arg)
{
    module_state *state = PyType_GetModuleState(Py_TYPE(self));
    const kw_index *ix = ((IndexObject *)self->index)->ix;
    PyObject *seq = NULL, *result = NULL;
    kw_sort_key *keys = NULL;
    kw_hits *sorted = NULL;
    if (!(seq = PySequence_Fast(arg, "sort() takes a sequence of (by, word) pairs")))
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (!(keys = PyMem_Malloc((size_t)(n ? n : 1) * sizeof *keys))) {
        PyErr_NoMemory();
        goto error;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, k);
        int by;
        Py_ssize_t word;
        if (!PyTuple_Check(item)) {
            PyErr_Format(PyExc_TypeError, "sort key %zd is %.100s, not a (by, word) tuple", k,
                         Py_TYPE(item)->tp_name);
            goto error;
        }
        if (!PyArg_ParseTuple(item, "in:sort", &by, &word))
            goto error;
        if (word < 0 || (size_t)word > UINT32_MAX) {
            PyErr_Format(PyExc_ValueError, "sort key %zd: word %zd out of range", k, word);
            goto error;
        }
        keys[k].by = (kw_sort_by)by;
        keys[k].word = (uint32_t)word;
    }
    kw_status st;
    Py_BEGIN_ALLOW_THREADS
    st = kw_hits_sort(ix, self->hits, keys, (size_t)n, &sorted);
    Py_END_ALLOW_THREADS
    if (st != KW_OK) {
        raise_status(st);
        goto error;
    }
    HitsObject *hits = PyObject_New(HitsObject, state->hits_type);
    if (!hits)
        goto error;
    hits->hits = sorted;
    hits->index = Py_NewRef(self->index);
    sorted = NULL;
    result = (PyObject *)hits;
error:
    kw_hits_free(sorted);
    PyMem_Free(keys);
    Py_DECREF(seq);
    return result;
}

PyDoc_STRVAR(Hits_query_numbers_doc,
"query_numbers(start, stop)\n--\n\n"
"The number of the query that found each of hits start..stop-1.");

static PyObject *Hits_query_numbers(HitsObject *self, PyObject *args)
{
    Py_ssize_t start, stop;
    if (!PyArg_ParseTuple(args, "nn:query_numbers", &start, &stop))
        return NULL;
    if (parse_range(self, &start, &stop) < 0)
        return NULL;
    PyObject *list = PyList_New(stop - start);
    for (Py_ssize_t i = start; list && i < stop; i++) {
        PyObject *number = PyLong_FromUnsignedLong(kw_hits_query(self->hits, (size_t)i));
        if (!number)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, i - start, number);
    }
    return list;
}

static PyMethodDef Hits_methods[] = {
    {"query_numbers", (PyCFunction)Hits_query_numbers, METH_VARARGS, Hits_query_numbers_doc},
    {"lines", (PyCFunction)Hits_lines, METH_VARARGS, Hits_lines_doc},
    {"columns", (PyCFunction)Hits_columns, METH_VARARGS, Hits_columns_doc},
    {"frame_columns", (PyCFunction)Hits_frame_columns, METH_VARARGS, Hits_frame_columns_doc},
    {"sort", (PyCFunction)Hits_sort, METH_O, Hits_sort_doc},
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

/* ---- running parts of the core's work on threads ---- */

/* A kw_runner on native threads, for the parts of kw_builder_append_with
 * and kw_builder_finish_with: part 0 runs on the calling thread, each other
 * on a thread started for it (tens of microseconds against the tens of
 * milliseconds of a part, which has at least 65,536 tokens). The parts
 * touch no Python object and run with the GIL released. A part whose thread
 * cannot start runs on the calling thread. */
typedef struct {
    void (*task)(void *, size_t);
    void *arg;
    size_t part;
    PyThread_type_lock done; /* held until the part has run */
} part_thread;

static void part_thread_main(void *p)
{
    part_thread *t = p;
    t->task(t->arg, t->part);
    PyThread_release_lock(t->done);
}

static void run_on_threads(void *ctx, void (*task)(void *, size_t), void *arg, size_t n_parts)
{
    (void)ctx;
    part_thread *threads = PyMem_RawCalloc(n_parts, sizeof *threads);
    for (size_t k = 1; k < n_parts; k++) {
        if (!threads)
            break;
        part_thread *t = &threads[k];
        *t = (part_thread){task, arg, k, PyThread_allocate_lock()};
        if (t->done) {
            PyThread_acquire_lock(t->done, WAIT_LOCK);
            if (PyThread_start_new_thread(part_thread_main, t) == PYTHREAD_INVALID_THREAD_ID) {
                PyThread_release_lock(t->done);
                PyThread_free_lock(t->done);
                t->done = NULL;
            }
        }
    }
    task(arg, 0);
    for (size_t k = 1; k < n_parts; k++) {
        part_thread *t = threads ? &threads[k] : NULL;
        if (t && t->done) {
            PyThread_acquire_lock(t->done, WAIT_LOCK); /* the part has run */
            PyThread_release_lock(t->done);
            PyThread_free_lock(t->done);
        } else {
            task(arg, k);
        }
    }
    PyMem_RawFree(threads);
}

/* A runner of `threads` parts (1: none, the work stays on this thread). */
static const kw_runner *runner_of(Py_ssize_t threads, kw_runner *runner)
{
    if (threads <= 1)
        return NULL;
    *runner = (kw_runner){run_on_threads, NULL, (size_t)threads};
    return runner;
}

/* ---- Builder ---- */

/* A kw_builder that one thread at a time feeds with batches of documents,
 * with the GIL released, so that several builders fill at once; then
 * appended in order and finished. Python (kwiq._build) runs the threads. */
typedef struct {
    PyObject_HEAD
    kw_builder *b; /* NULL once appended to another builder, or finished */
    int busy;      /* a call is working on b with the GIL released */
} BuilderObject;

static PyObject *Builder_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"text_bytes", "tokens", NULL};
    Py_ssize_t text_bytes = 0, tokens = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|nn:Builder", keywords, &text_bytes,
                                     &tokens))
        return NULL;
    if (text_bytes < 0 || tokens < 0) {
        PyErr_SetString(PyExc_ValueError, "Builder(): sizes must be >= 0");
        return NULL;
    }
    BuilderObject *self = (BuilderObject *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    kw_status st = kw_builder_new(&python_alloc, &self->b);
    if (st == KW_OK && (text_bytes || tokens))
        st = kw_builder_reserve(self->b, (size_t)text_bytes, (size_t)tokens);
    if (st != KW_OK) {
        Py_DECREF(self);
        return raise_status(st);
    }
    return (PyObject *)self;
}

static void Builder_dealloc(BuilderObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    kw_builder_free(self->b);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

/* 0 if the builder may be used now, else -1 with an exception set. */
static int builder_ready(BuilderObject *self)
{
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the builder is in use by another thread");
        return -1;
    }
    if (!self->b) {
        PyErr_SetString(PyExc_ValueError, "the builder was appended or finished");
        return -1;
    }
    return 0;
}

/* A document of a batch, gathered with the GIL held: UTF-8 to read in
 * place (an ASCII str, bytes), or the code units of a str to encode. */
typedef struct {
    const char *utf8; /* NULL: encode `units` */
    const void *units;
    int kind;         /* PyUnicode_1BYTE_KIND, 2BYTE or 4BYTE */
    size_t len;       /* bytes of utf8, or code units */
} batch_doc;

PyDoc_STRVAR(Builder_add_doc,
"add(docs)\n--\n\n"
"Tokenize and append a list of documents, each a str or UTF-8 bytes. The\n"
"GIL is held only to gather them: the whole batch (when it holds 64 KiB or\n"
"more) is encoded and tokenized with the GIL released. TypeError for an\n"
"item of another type (nothing is added). UnicodeEncodeError for a str\n"
"with a lone surrogate, UnicodeDecodeError (start: the byte offset) for\n"
"bytes that are not UTF-8, MemoryError: the documents before it are added\n"
"(see n_docs), the others not. KeyboardInterrupt after the batch if one\n"
"is pending.");

static PyObject *Builder_add(BuilderObject *self, PyObject *docs)
{
    if (!PyList_Check(docs)) {
        PyErr_SetString(PyExc_TypeError, "add() takes a list of str or bytes");
        return NULL;
    }
    if (builder_ready(self) < 0)
        return NULL;
    /* References to the items, as the list may change while the GIL is out. */
    PyObject *items = PyList_GetSlice(docs, 0, PY_SSIZE_T_MAX), *result = NULL;
    if (!items)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(items);
    batch_doc *batch = PyMem_Calloc((size_t)(n ? n : 1), sizeof *batch);
    size_t total = 0;
    if (!batch) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *doc = PyList_GET_ITEM(items, i);
        batch_doc *d = &batch[i];
        if (PyUnicode_Check(doc)) {
#if PY_VERSION_HEX < 0x030C0000
            if (PyUnicode_READY(doc) < 0)
                goto done;
#endif
            d->len = (size_t)PyUnicode_GET_LENGTH(doc);
            if (PyUnicode_IS_ASCII(doc)) {
                d->utf8 = (const char *)PyUnicode_DATA(doc);
            } else {
                d->units = PyUnicode_DATA(doc);
                d->kind = PyUnicode_KIND(doc);
            }
            total += d->len;
        } else if (PyBytes_Check(doc)) {
            d->utf8 = PyBytes_AS_STRING(doc);
            d->len = (size_t)PyBytes_GET_SIZE(doc);
            total += d->len;
        } else {
            PyErr_Format(PyExc_TypeError, "document %zd is %.100s, not str or bytes", i,
                         Py_TYPE(doc)->tp_name);
            goto done;
        }
    }
    Py_ssize_t added = 0;
    size_t bad = 0, scratch_cap = 0;
    char *scratch = NULL;
    kw_status st = KW_OK;
    enum { FINE, SURROGATE, NO_MEMORY } trouble = FINE;
    self->busy = 1;
    PyThreadState *released = total >= RELEASE_GIL_BYTES ? PyEval_SaveThread() : NULL;
    for (; added < n; added++) {
        const batch_doc *d = &batch[added];
        const char *utf8 = d->utf8;
        size_t len = d->len;
        if (!utf8) {
            size_t room = len * kw_utf8_per_unit(d->kind);
            if (room > scratch_cap) {
                char *grown = room / kw_utf8_per_unit(d->kind) == len
                                  ? PyMem_RawRealloc(scratch, room) : NULL;
                if (!grown) {
                    trouble = NO_MEMORY;
                    break;
                }
                scratch = grown;
                scratch_cap = room;
            }
            if (kw_utf8_from_units(d->units, d->len, d->kind, scratch, &len, NULL) != KW_OK) {
                trouble = SURROGATE;
                break;
            }
            utf8 = scratch;
        }
        if ((st = kw_builder_add(self->b, utf8, len, &bad)) != KW_OK)
            break;
    }
    PyMem_RawFree(scratch);
    if (released)
        PyEval_RestoreThread(released);
    self->busy = 0;
    if (trouble == SURROGATE) {
        /* Python's own codec makes the error, with the surrogate's index. */
        PyObject *encoded = PyUnicode_AsUTF8String(PyList_GET_ITEM(items, added));
        if (encoded) {
            Py_DECREF(encoded);
            PyErr_SetString(PyExc_SystemError, "a surrogate that Python encodes");
        }
    } else if (trouble == NO_MEMORY) {
        PyErr_NoMemory();
    } else if (st == KW_EUTF8) {
        PyObject *error = PyUnicodeDecodeError_Create(
            "utf-8", batch[added].utf8, (Py_ssize_t)batch[added].len, (Py_ssize_t)bad,
            (Py_ssize_t)bad + 1, "invalid UTF-8");
        if (error) {
            PyErr_SetObject(PyExc_UnicodeDecodeError, error);
            Py_DECREF(error);
        }
    } else if (st != KW_OK) {
        raise_status(st);
    } else if (PyErr_CheckSignals() == 0) {
        result = Py_NewRef(Py_None);
    }
done:
    PyMem_Free(batch);
    Py_DECREF(items);
    return result;
}

PyDoc_STRVAR(Builder_append_doc,
"append(other, threads=1)\n--\n\n"
"Append other's documents after this builder's, as if they had been added\n"
"here (kw_builder_append), with the GIL released; the copying is cut into\n"
"`threads` parts run at once. other is consumed; on an error both are as\n"
"they were.");

static PyObject *Builder_append(BuilderObject *self, PyObject *args)
{
    PyObject *arg;
    Py_ssize_t threads = 1;
    kw_runner runner;
    if (!PyArg_ParseTuple(args, "O|n:append", &arg, &threads))
        return NULL;
    if (!Py_IS_TYPE(arg, Py_TYPE(self))) {
        PyErr_Format(PyExc_TypeError, "append() takes a Builder, not %.100s",
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    BuilderObject *other = (BuilderObject *)arg;
    if (other == self) {
        PyErr_SetString(PyExc_ValueError, "a builder cannot be appended to itself");
        return NULL;
    }
    if (builder_ready(self) < 0 || builder_ready(other) < 0)
        return NULL;
    kw_status st;
    self->busy = other->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    st = kw_builder_append_with(self->b, other->b, runner_of(threads, &runner));
    Py_END_ALLOW_THREADS
    self->busy = other->busy = 0;
    if (st != KW_OK)
        return raise_status(st);
    other->b = NULL;
    if (PyErr_CheckSignals() < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(Builder_finish_doc,
"finish(threads=1)\n--\n\n"
"The Index of the documents added, built with the GIL released; the\n"
"counting sort of the postings is cut into `threads` parts run at once.\n"
"The builder is consumed.");

static PyObject *Builder_finish(BuilderObject *self, PyObject *args)
{
    Py_ssize_t threads = 1;
    kw_runner runner;
    if (!PyArg_ParseTuple(args, "|n:finish", &threads))
        return NULL;
    module_state *state = PyType_GetModuleState(Py_TYPE(self));
    if (builder_ready(self) < 0)
        return NULL;
    IndexObject *result = PyObject_New(IndexObject, state->index_type);
    if (!result)
        return NULL;
    result->ix = NULL;
    result->has_view = 0;
    kw_status st;
    self->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    st = kw_builder_finish_with(self->b, runner_of(threads, &runner), &result->ix);
    Py_END_ALLOW_THREADS
    self->busy = 0;
    if (st != KW_OK) {
        Py_DECREF(result);
        return raise_status(st);
    }
    self->b = NULL;
    return (PyObject *)result;
}

static PyObject *Builder_get_n_docs(BuilderObject *self, void *c)
{
    (void)c;
    if (builder_ready(self) < 0)
        return NULL;
    return PyLong_FromSize_t(kw_builder_n_docs(self->b));
}

static PyMethodDef Builder_methods[] = {
    {"add", (PyCFunction)Builder_add, METH_O, Builder_add_doc},
    {"append", (PyCFunction)Builder_append, METH_VARARGS, Builder_append_doc},
    {"finish", (PyCFunction)Builder_finish, METH_VARARGS, Builder_finish_doc},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Builder_getset[] = {
    {"n_docs", (getter)Builder_get_n_docs, NULL, "documents added so far", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot Builder_slots[] = {
    {Py_tp_new, Builder_new},
    {Py_tp_dealloc, Builder_dealloc},
    {Py_tp_methods, Builder_methods},
    {Py_tp_getset, Builder_getset},
    {Py_tp_doc, "Builder(text_bytes=0, tokens=0)\n--\n\nAn index being built: add() "
                "batches of documents, append() the builders of later runs, finish(). The "
                "sizes reserve room for what will be added (kw_builder_reserve)."},
    {0, NULL},
};

static PyType_Spec Builder_spec = {
    .name = "kwiq._core.Builder",
    .basicsize = sizeof(BuilderObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = Builder_slots,
};

/* ---- module functions ---- */

PyDoc_STRVAR(load_doc,
"load(buffer)\n--\n\n"
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
    Py_BEGIN_ALLOW_THREADS
    st = kw_index_load(view.buf, (size_t)view.len, &python_alloc, &ix, &blob, &blob_len, &err);
    Py_END_ALLOW_THREADS
    PyObject *blob_bytes = NULL;
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
        raise_status(st);
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
"merge(hits_list)\n--\n\n"
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
    Py_BEGIN_ALLOW_THREADS
    st = kw_hits_merge(&python_alloc, parts, (size_t)n, &merged);
    Py_END_ALLOW_THREADS
    PyMem_Free(parts);
    if (st != KW_OK)
        return raise_status(st);
    return new_hits_object(index, merged);
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
    kw_tokspan *tokens = NULL;
    size_t n_tokens, bad;
    kw_status st = kw_tokenize(&python_alloc, utf8, (size_t)n, &tokens, &n_tokens, &bad);
    if (st != KW_OK) {
        raise_status(st);
        goto done;
    }
    if (!(list = PyList_New((Py_ssize_t)n_tokens)))
        goto done;
    for (size_t k = 0; k < n_tokens; k++) {
        PyObject *item = Py_BuildValue("(KKO)", (unsigned long long)tokens[k].char_begin,
                                       (unsigned long long)tokens[k].char_end,
                                       tokens[k].is_word ? Py_True : Py_False);
        if (!item) {
            Py_CLEAR(list);
            goto done;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)k, item);
    }
done:
    PyMem_RawFree(tokens);
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
    {"load", load, METH_O, load_doc},
    {"merge", merge, METH_O, merge_doc},
    {"tokenize", tokenize, METH_O, tokenize_doc},
    {"casefold", casefold, METH_O, casefold_doc},
    {"upper_mask", upper_mask, METH_O, upper_mask_doc},
    {"_set_line_type", set_line_type, METH_O, set_line_type_doc},
    {NULL, NULL, 0, NULL},
};

static int module_exec(PyObject *module)
{
    module_state *state = PyModule_GetState(module);
    state->builder_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &Builder_spec, NULL);
    if (!state->builder_type || PyModule_AddType(module, state->builder_type) < 0)
        return -1;
    state->index_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &Index_spec, NULL);
    if (!state->index_type || PyModule_AddType(module, state->index_type) < 0)
        return -1;
    state->hits_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &Hits_spec, NULL);
    if (!state->hits_type || PyModule_AddType(module, state->hits_type) < 0)
        return -1;
    state->format_error = PyErr_NewExceptionWithDoc(
        "kwiq.FormatError",
        "A file (or bytes) that is not a valid saved kwiq corpus: not one at all,\n"
        "cut short, damaged, or of a format version this kwiq does not read. The\n"
        "message names the file, the section and what is wrong.",
        PyExc_ValueError, NULL);
    if (!state->format_error || PyModule_AddObjectRef(module, "FormatError", state->format_error) < 0)
        return -1;
    if (PyModule_AddIntConstant(module, "CHECKPOINT", 32) < 0
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
