/*
 * kwiq_index.c: kwiq._core.Index, an immutable index made by
 * Builder.finish() or load(): queries, the vocabulary, counts and
 * statistics, saving (see kwiq_objects.h).
 */
#include "kwiq_objects.h"

static void Index_dealloc(IndexObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    kw_index_free(self->ix);
    if (self->has_view)
        PyBuffer_Release(&self->view);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

PyDoc_STRVAR(Index_match_doc,
             "match($self, slots, exact, /)\n--\n\n"
             "Hits of a phrase of slots, each a tuple: (SLOT_FORM, form) one token's\n"
             "text; (SLOT_TYPES, ids) any of these surface type ids; (SLOT_GROUPS, ids)\n"
             "any of these fold group ids; (SLOT_ANY_WORD,) any word. ids is a buffer\n"
             "of uint32 (e.g. array('I')). exact applies to forms.");

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
        if (kind == KW_SLOT_FORM && arg && PyUnicode_Check(arg)) {
            Py_ssize_t len;
            const char *form = PyUnicode_AsUTF8AndSize(arg, &len);
            if (!form)
                goto done;
            slots[j].kind = KW_SLOT_FORM;
            slots[j].form = form; /* kept alive by `items` */
            slots[j].form_len = (size_t)len;
        } else if ((kind == KW_SLOT_TYPES || kind == KW_SLOT_GROUPS) && arg) {
            if (PyObject_GetBuffer(arg, &views[n_views], PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
                goto done;
            Py_buffer *view = &views[n_views++];
            if (view->itemsize != 4 || view->ndim != 1 || !view->format
                || !strchr("IL", view->format[0]) || view->format[1]) {
                PyErr_Format(PyExc_TypeError, "slot %zd: ids must be a buffer of uint32", j);
                goto done;
            }
            slots[j].kind = (kw_slot_kind)kind;
            slots[j].ids = view->buf;
            slots[j].n_ids = (size_t)(view->len / 4);
        } else if (kind == KW_SLOT_ANY_WORD && !arg) {
            slots[j].kind = KW_SLOT_ANY_WORD;
        } else {
            PyErr_Format(PyExc_ValueError, "slot %zd: bad kind or argument", j);
            goto done;
        }
    }
    kw_hits *hits = NULL;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS st = kw_index_match(self->ix, slots, (size_t)n, exact, &hits);
    Py_END_ALLOW_THREADS if (st != KW_OK) kwiq_raise_status(st);
    else result = kwiq_new_hits((PyObject *)self, hits);
done:
    for (Py_ssize_t v = 0; v < n_views; v++)
        PyBuffer_Release(&views[v]);
    PyMem_Free(views);
    PyMem_Free(slots);
    Py_XDECREF(items);
    return result;
}

PyDoc_STRVAR(Index_vocabulary_doc,
             "vocabulary($self, folded, /)\n--\n\n"
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

PyDoc_STRVAR(Index_group_of_doc, "group_of($self, /)\n--\n\nThe fold group id of every surface "
                                 "type, as bytes of native uint32.");

static PyObject *Index_group_of(IndexObject *self, PyObject *unused)
{
    (void)unused;
    return uint32_bytes(self->ix, kw_index_n_types(self->ix), kw_index_group_of);
}

PyDoc_STRVAR(Index_doc_text_doc,
             "doc_text($self, doc, /)\n--\n\nThe text of document number `doc`.");

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
             "save($self, file, blob, /)\n--\n\n"
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
    if (st == KW_EINVAL) {
        PyErr_SetString(PyExc_ValueError,
                        "this machine is big-endian: saved corpora are "
                        "little-endian and read in place, so save() works on little-endian "
                        "machines only");
        return NULL;
    }
    if (st != KW_OK)
        return kwiq_raise_status(st);
    Py_RETURN_NONE;
}

static PyObject *Index_get_n_docs(IndexObject *self, void *c)
{
    (void)c;
    return PyLong_FromSize_t(kw_index_n_docs(self->ix));
}
static PyObject *Index_get_n_tokens(IndexObject *self, void *c)
{
    (void)c;
    return PyLong_FromSize_t(kw_index_n_tokens(self->ix));
}
static PyObject *Index_get_n_types(IndexObject *self, void *c)
{
    (void)c;
    return PyLong_FromSize_t(kw_index_n_types(self->ix));
}
static PyObject *Index_get_n_groups(IndexObject *self, void *c)
{
    (void)c;
    return PyLong_FromSize_t(kw_index_n_groups(self->ix));
}

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
        PyErr_Format(PyExc_ValueError, "a document mask of %zd bytes for %zu documents", view->len,
                     kw_index_n_docs(self->ix));
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
             "freq($self, by_type, mask=None, attr=0, words_only=False, /)\n--\n\n"
             "(ids, counts, docs, total): a row per postings group of attribute attr\n"
             "(by_type false: word's fold groups) or type (true), in id order; tokens\n"
             "and documents of each; total tokens counted (word tokens alone with\n"
             "words_only). mask: None, or n_docs bytes; only documents with a nonzero\n"
             "byte count. The attr argument of every count is an attribute's number.");

static PyObject *Index_freq(IndexObject *self, PyObject *args)
{
    int by_type, words_only = 0;
    PyObject *mask_arg = Py_None;
    Py_ssize_t attr = 0;
    if (!PyArg_ParseTuple(args, "p|Onp:freq", &by_type, &mask_arg, &attr, &words_only)
        || !kwiq_attr_in_range(self, attr))
        return NULL;
    Py_buffer view;
    const uint8_t *mask;
    if (mask_of(self, mask_arg, &view, &mask) < 0)
        return NULL;
    kw_table *t;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS st =
        kw_index_attr_freq(self->ix, (size_t)attr, by_type, words_only, mask, &t);
    Py_END_ALLOW_THREADS release_mask(&view);
    return st == KW_OK ? table_tuple(t) : kwiq_raise_status(st);
}

PyDoc_STRVAR(Index_ngrams_doc,
             "ngrams($self, n, min_count, mask=None, attr=0, /)\n--\n\n"
             "(ids, counts, docs, total): n-grams of words (n fold group ids a row) seen\n"
             "at least min_count times, in no order; total n-grams counted. mask as for\n"
             "freq.");

static PyObject *Index_ngrams(IndexObject *self, PyObject *args)
{
    unsigned int n, min_count;
    PyObject *mask_arg = Py_None;
    Py_ssize_t attr = 0;
    if (!PyArg_ParseTuple(args, "II|On:ngrams", &n, &min_count, &mask_arg, &attr)
        || !kwiq_attr_in_range(self, attr))
        return NULL;
    Py_buffer view;
    const uint8_t *mask;
    if (mask_of(self, mask_arg, &view, &mask) < 0)
        return NULL;
    kw_table *t;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS st =
        kw_index_attr_ngrams(self->ix, (size_t)attr, n, min_count, mask, &t);
    Py_END_ALLOW_THREADS release_mask(&view);
    return st == KW_OK ? table_tuple(t) : kwiq_raise_status(st);
}

PyDoc_STRVAR(Index_hits_in_docs_doc,
             "hits_in_docs($self, hits, mask, /)\n--\n\n"
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
    Py_BEGIN_ALLOW_THREADS st = kw_hits_in_docs(self->ix, h, mask, &kept);
    Py_END_ALLOW_THREADS release_mask(&view);
    return st == KW_OK ? kwiq_new_hits((PyObject *)self, kept) : kwiq_raise_status(st);
}

PyDoc_STRVAR(Index_hits_from_doc,
             "hits_from($self, positions, lengths, queries, /)\n--\n\n"
             "New Hits from three buffers of native uint32 of one length, as\n"
             "Hits.arrays() gives them: each hit's corpus-wide first token, its tokens\n"
             "and its query number. ValueError for a hit that does not lie inside one\n"
             "document of this index.");

static PyObject *Index_hits_from(IndexObject *self, PyObject *args)
{
    Py_buffer pos, lengths, queries;
    if (!PyArg_ParseTuple(args, "y*y*y*:hits_from", &pos, &lengths, &queries))
        return NULL;
    kw_hits *made = NULL;
    kw_status st = KW_EINVAL;
    if (pos.len != lengths.len || pos.len != queries.len || pos.len % sizeof(uint32_t))
        PyErr_SetString(PyExc_ValueError, "hits_from() needs three arrays of uint32 of one length");
    else {
        Py_BEGIN_ALLOW_THREADS st = kw_hits_from(self->ix, pos.buf, lengths.buf, queries.buf,
                                                 (size_t)pos.len / sizeof(uint32_t), &made);
        Py_END_ALLOW_THREADS if (st == KW_EINVAL)
            PyErr_SetString(PyExc_ValueError, "hits that do not lie inside one document "
                                              "of this index");
    }
    PyBuffer_Release(&pos);
    PyBuffer_Release(&lengths);
    PyBuffer_Release(&queries);
    if (PyErr_Occurred())
        return NULL;
    return st == KW_OK ? kwiq_new_hits((PyObject *)self, made) : kwiq_raise_status(st);
}

PyDoc_STRVAR(Index_clusters_doc,
             "clusters($self, hits, n, left, min_count, attr=0, /)\n--\n\n"
             "(ids, counts, docs, total): n-token clusters that start (left false) or\n"
             "end (left true) with a hit, seen at least min_count times.");

static PyObject *Index_clusters(IndexObject *self, PyObject *args)
{
    PyObject *arg;
    unsigned int n, min_count;
    int left;
    Py_ssize_t attr = 0;
    if (!PyArg_ParseTuple(args, "OIpI|n:clusters", &arg, &n, &left, &min_count, &attr)
        || !kwiq_attr_in_range(self, attr))
        return NULL;
    const kw_hits *h = hits_of(self, arg);
    if (!h)
        return NULL;
    kw_table *t;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS st =
        kw_hits_attr_clusters(self->ix, h, (size_t)attr, n, left, min_count, &t);
    Py_END_ALLOW_THREADS return st == KW_OK ? table_tuple(t) : kwiq_raise_status(st);
}

PyDoc_STRVAR(Index_collocates_doc,
             "collocates($self, hits, left, right, each_window=False, attr=0, /)\n--\n\n"
             "(ids, counts, None, total): fold groups within left/right words of the\n"
             "hits and their tokens there, each window token counted once (or once per\n"
             "window it is in, with each_window); total the tokens counted.");

static PyObject *Index_collocates(IndexObject *self, PyObject *args)
{
    PyObject *arg;
    unsigned int left, right;
    int each_window = 0;
    Py_ssize_t attr = 0;
    if (!PyArg_ParseTuple(args, "OII|pn:collocates", &arg, &left, &right, &each_window, &attr)
        || !kwiq_attr_in_range(self, attr))
        return NULL;
    const kw_hits *h = hits_of(self, arg);
    if (!h)
        return NULL;
    kw_table *t;
    kw_status st;
    kwiq_stop stop;
    kwiq_stop_release(&stop, NULL);
    st = kw_hits_attr_collocates(self->ix, h, (size_t)attr, left, right, each_window, &stop.cancel,
                                 &t);
    kwiq_stop_reacquire(&stop);
    return st == KW_OK ? table_tuple(t) : kwiq_raise_status(st);
}

PyDoc_STRVAR(
    Index_group_counts_doc,
    "group_counts($self, /)\n--\n\nTokens of every fold group, as bytes of native uint32.");

static PyObject *Index_group_counts(IndexObject *self, PyObject *unused)
{
    (void)unused;
    return uint32_bytes(self->ix, kw_index_n_groups(self->ix), kw_index_group_count);
}

PyDoc_STRVAR(Index_group_ranks_doc,
             "group_ranks($self, /)\n--\n\n"
             "The rank of every fold group in the code-point order of the folded forms,\n"
             "as bytes of native uint32.");

static PyObject *Index_group_ranks(IndexObject *self, PyObject *unused)
{
    (void)unused;
    return uint32_bytes(self->ix, kw_index_n_groups(self->ix), kw_index_group_rank);
}

PyDoc_STRVAR(Index_doc_lengths_doc,
             "doc_lengths($self, /)\n--\n\nTokens of every document, as bytes of native uint32.");

static PyObject *Index_doc_lengths(IndexObject *self, PyObject *unused)
{
    (void)unused;
    return uint32_bytes(self->ix, kw_index_n_docs(self->ix), doc_n_tokens);
}

PyDoc_STRVAR(Index_locate_doc,
             "locate($self, hits, /)\n--\n\n"
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
        Py_BEGIN_ALLOW_THREADS kw_hits_locate(self->ix, h, d, s);
        Py_END_ALLOW_THREADS result = PyTuple_Pack(2, docs, starts);
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
    {"hits_from", (PyCFunction)Index_hits_from, METH_VARARGS, Index_hits_from_doc},
    {"clusters", (PyCFunction)Index_clusters, METH_VARARGS, Index_clusters_doc},
    {"collocates", (PyCFunction)Index_collocates, METH_VARARGS, Index_collocates_doc},
    {"group_counts", (PyCFunction)Index_group_counts, METH_NOARGS, Index_group_counts_doc},
    {"group_ranks", (PyCFunction)Index_group_ranks, METH_NOARGS, Index_group_ranks_doc},
    {"attr_ranks", (PyCFunction)kwiq_index_attr_ranks, METH_O, kwiq_index_attr_ranks_doc},
    {"add_type_attr", (PyCFunction)kwiq_index_add_type_attr, METH_VARARGS,
     kwiq_index_add_type_attr_doc},
    {"doc_lengths", (PyCFunction)Index_doc_lengths, METH_NOARGS, Index_doc_lengths_doc},
    {"locate", (PyCFunction)Index_locate, METH_O, Index_locate_doc},
    {"save", (PyCFunction)Index_save, METH_VARARGS, Index_save_doc},
    /* annotated corpora (kwiq_annotated.c) */
    {"annotated", (PyCFunction)kwiq_index_annotated, METH_NOARGS, kwiq_index_annotated_doc},
    {"attributes", (PyCFunction)kwiq_index_attributes, METH_NOARGS, kwiq_index_attributes_doc},
    {"structures", (PyCFunction)kwiq_index_structures, METH_NOARGS, kwiq_index_structures_doc},
    {"attr_forms", (PyCFunction)kwiq_index_attr_forms, METH_O, kwiq_index_attr_forms_doc},
    {"attr_types", (PyCFunction)kwiq_index_attr_types, METH_VARARGS, kwiq_index_attr_types_doc},
    {"structure_regions", (PyCFunction)kwiq_index_structure_regions, METH_O,
     kwiq_index_structure_regions_doc},
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

PyType_Spec kwiq_index_spec = {
    .name = "kwiq._core.Index",
    .basicsize = sizeof(IndexObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = Index_slots,
};
