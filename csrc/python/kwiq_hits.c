/*
 * kwiq_hits.c: kwiq._core.Hits, the hits of a query over an Index, kept as
 * C arrays until lines are asked for: lines as Line tuples, as columns of
 * lists or as bytes for a data frame, sorting, and selecting hits by
 * number, by mask or by the words around them (see kwiq_objects.h).
 */
#include "kwiq_objects.h"

/* Lines made (with the GIL held) between two looks for a signal, so that
 * Ctrl-C stops a long list within a few milliseconds. */
#define SIGNALS_EVERY 1024

PyObject *kwiq_new_hits(PyObject *index, kw_hits *hits)
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

static void Hits_dealloc(HitsObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    kw_hits_free(self->hits);
    Py_XDECREF(self->index);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static Py_ssize_t Hits_len(HitsObject *self) { return (Py_ssize_t)kw_hits_count(self->hits); }

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
    if (kw_line_cursor_new(&kwiq_alloc, &scratch->cursor) != KW_OK) {
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
 * and a bound (BOUND_NONE, BOUND_SENTENCE or BOUND_PARAGRAPH: kw_bound). */
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
             "lines($self, start, stop, left, right, ids, width=0, bound=0, /)\n--\n\n"
             "Line objects for hits start..stop-1 with `left`/`right` words of context,\n"
             "or `width` characters each side when width > 0; `bound` BOUND_SENTENCE\n"
             "stops contexts at sentence ends, BOUND_PARAGRAPH at paragraph breaks.\n"
             "`ids` maps document numbers to ids (None: the numbers themselves).");

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
        if ((i - start) % SIGNALS_EVERY == SIGNALS_EVERY - 1 && PyErr_CheckSignals() < 0)
            goto error;
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
             "columns($self, left, right, ids, width=0, bound=0, /)\n--\n\n"
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
        if (i % SIGNALS_EVERY == SIGNALS_EVERY - 1 && PyErr_CheckSignals() < 0)
            goto error;
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
             "frame_columns($self, left, right, ids, width=0, bound=0, /)\n--\n\n"
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
                                           sizeof(int64_t),  sizeof(int64_t), sizeof(uint32_t)};
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
    kwiq_stop stop;
    kwiq_stop_release(&stop, NULL);
    st = kw_line_columns_fill(ix, self->hits, &ctx, &kwiq_alloc, &stop.cancel, &columns);
    kwiq_stop_reacquire(&stop);
    if (st != KW_OK) {
        kwiq_raise_status(st);
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
             "sort($self, keys, /)\n--\n\n"
             "New Hits, these sorted by `keys`: a sequence of (by, word[, attr]) tuples,\n"
             "`by` one of SORT_LEFT and SORT_RIGHT (`word` counts words from the match,\n"
             "1 the nearest), SORT_MATCH, SORT_DOC or SORT_POSITION (`word` ignored);\n"
             "`attr` the number of the attribute compared (0, word, by default). Stable;\n"
             "words compare by the code points of their case-folded forms, other\n"
             "attributes' values as written. ValueError for a bad key.");

static PyObject *Hits_sort(HitsObject *self, PyObject *arg)
{
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
        Py_ssize_t word, attr = 0;
        if (!PyTuple_Check(item)) {
            PyErr_Format(PyExc_TypeError, "sort key %zd is %.100s, not a (by, word) tuple", k,
                         Py_TYPE(item)->tp_name);
            goto error;
        }
        if (!PyArg_ParseTuple(item, "in|n:sort", &by, &word, &attr))
            goto error;
        if (word < 0 || (size_t)word > UINT32_MAX || attr < 0
            || (size_t)attr >= kw_index_n_attrs(ix)) {
            PyErr_Format(PyExc_ValueError, "sort key %zd: word %zd or attribute %zd out of range",
                         k, word, attr);
            goto error;
        }
        keys[k].by = (kw_sort_by)by;
        keys[k].word = (uint32_t)word;
        keys[k].attr = (uint32_t)attr;
    }
    kw_status st;
    kwiq_stop stop;
    kwiq_stop_release(&stop, NULL);
    st = kw_hits_sort(ix, self->hits, keys, (size_t)n, &stop.cancel, &sorted);
    kwiq_stop_reacquire(&stop);
    if (st != KW_OK) {
        kwiq_raise_status(st);
        goto error;
    }
    result = kwiq_new_hits(self->index, sorted);
    sorted = NULL;
error:
    kw_hits_free(sorted);
    PyMem_Free(keys);
    Py_DECREF(seq);
    return result;
}

PyDoc_STRVAR(Hits_query_numbers_doc,
             "query_numbers($self, start, stop, /)\n--\n\n"
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

PyDoc_STRVAR(Hits_arrays_doc,
             "arrays($self, /)\n--\n\n"
             "(positions, lengths, queries): bytes of native uint32, one entry a hit in\n"
             "this order: its corpus-wide first token, its tokens and its query number,\n"
             "from which Index.hits_from makes the same Hits again.");

static PyObject *Hits_arrays(HitsObject *self, PyObject *unused)
{
    (void)unused;
    const size_t n = kw_hits_count(self->hits);
    PyObject *arrays[3];
    for (int k = 0; k < 3; k++)
        arrays[k] = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * sizeof(uint32_t)));
    PyObject *result = NULL;
    if (arrays[0] && arrays[1] && arrays[2]) {
        uint32_t *pos = (uint32_t *)PyBytes_AS_STRING(arrays[0]);
        uint32_t *lengths = (uint32_t *)PyBytes_AS_STRING(arrays[1]);
        uint32_t *queries = (uint32_t *)PyBytes_AS_STRING(arrays[2]);
        for (size_t i = 0; i < n; i++) {
            pos[i] = kw_hits_position(self->hits, i);
            lengths[i] = kw_hits_length(self->hits, i);
            queries[i] = kw_hits_query(self->hits, i);
        }
        result = PyTuple_Pack(3, arrays[0], arrays[1], arrays[2]);
    }
    for (int k = 0; k < 3; k++)
        Py_XDECREF(arrays[k]);
    return result;
}

static PyMethodDef Hits_methods[] = {
    {"arrays", (PyCFunction)Hits_arrays, METH_NOARGS, Hits_arrays_doc},
    {"query_numbers", (PyCFunction)Hits_query_numbers, METH_VARARGS, Hits_query_numbers_doc},
    {"lines", (PyCFunction)Hits_lines, METH_VARARGS, Hits_lines_doc},
    {"columns", (PyCFunction)Hits_columns, METH_VARARGS, Hits_columns_doc},
    {"frame_columns", (PyCFunction)Hits_frame_columns, METH_VARARGS, Hits_frame_columns_doc},
    {"sort", (PyCFunction)Hits_sort, METH_O, Hits_sort_doc},
    {"tagged", (PyCFunction)kwiq_hits_tagged, METH_VARARGS, kwiq_hits_tagged_doc},
    {"take", (PyCFunction)kwiq_hits_take, METH_VARARGS, kwiq_hits_take_doc},
    {"select", (PyCFunction)kwiq_hits_select, METH_O, kwiq_hits_select_doc},
    {"where", (PyCFunction)kwiq_hits_where, METH_O, kwiq_hits_where_doc},
    {"near", (PyCFunction)kwiq_hits_near, METH_VARARGS, kwiq_hits_near_doc},
    {"n_docs", (PyCFunction)kwiq_hits_n_docs, METH_NOARGS, kwiq_hits_n_docs_doc},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot Hits_slots[] = {
    {Py_tp_dealloc, Hits_dealloc},
    {Py_tp_methods, Hits_methods},
    {Py_sq_length, Hits_len},
    {Py_tp_doc, "The hits of one query, kept as C arrays until lines are asked for."},
    {0, NULL},
};

PyType_Spec kwiq_hits_spec = {
    .name = "kwiq._core.Hits",
    .basicsize = sizeof(HitsObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = Hits_slots,
};
