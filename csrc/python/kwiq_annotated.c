/*
 * kwiq_annotated.c: the methods of kwiq._core.Builder for annotated
 * corpora: naming a builder's attributes and structures, and adding
 * CoNLL-U, VRT, pre-tokenized documents and the documents of another
 * annotated index with the GIL released (see kwiq_objects.h); kwiq_attrs.c
 * reads them back.
 */
#include "kwiq_objects.h"

/* The UTF-8 of each str of a list, borrowed from the str objects (kept
 * alive by the list's caller); NULL with an exception set. */
static const char **names_of(PyObject *list, const char *what, Py_ssize_t *n)
{
    if (!PyList_Check(list)) {
        PyErr_Format(PyExc_TypeError, "%s must be a list of str", what);
        return NULL;
    }
    *n = PyList_GET_SIZE(list);
    const char **names = PyMem_Calloc((size_t)(*n ? *n : 1), sizeof *names);
    if (!names)
        return (const char **)PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < *n; i++) {
        PyObject *item = PyList_GET_ITEM(list, i);
        names[i] = PyUnicode_Check(item) ? PyUnicode_AsUTF8(item) : NULL;
        if (!names[i]) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "%s must be a list of str", what);
            PyMem_Free(names);
            return NULL;
        }
    }
    return names;
}

const char kwiq_builder_annotate_doc[] =
    "annotate($self, attrs, structures, /)\n--\n\n"
    "Make this a builder of annotated documents with the attributes `attrs`\n"
    "beyond word and the structures `structures` beyond text (lists of str),\n"
    "before any document (kw_builder_annotate). ValueError for a builder with\n"
    "documents or annotated already, or an empty, repeated or reserved name.";

PyObject *kwiq_builder_annotate(BuilderObject *self, PyObject *args)
{
    PyObject *attrs, *structures, *result = NULL;
    if (!PyArg_ParseTuple(args, "OO:annotate", &attrs, &structures) || kwiq_builder_ready(self) < 0)
        return NULL;
    Py_ssize_t n_attrs, n_structures;
    const char **attr_names = names_of(attrs, "attrs", &n_attrs);
    const char **structure_names =
        attr_names ? names_of(structures, "structures", &n_structures) : NULL;
    if (structure_names) {
        kw_status st = kw_builder_annotate(self->b, attr_names, (size_t)n_attrs, structure_names,
                                           (size_t)n_structures);
        if (st == KW_EINVAL)
            PyErr_SetString(PyExc_ValueError,
                            "annotate(): the builder has documents or is annotated, or a name "
                            "is empty, repeated, 'word' or 'text'");
        else if (st != KW_OK)
            kwiq_raise_status(st);
        else
            result = Py_NewRef(Py_None);
    }
    PyMem_Free(attr_names);
    PyMem_Free(structure_names);
    return result;
}

/* The ids of the documents kw_conllu_add added, gathered without the GIL:
 * each id's bytes back to back, and where each ends (SIZE_MAX: no id). */
typedef struct {
    char *bytes;
    size_t len, cap;
    size_t *ends;
    size_t n, ends_cap;
    int no_memory;
} id_list;

static int grow(void **array, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap : 16;
    while (cap2 < need)
        cap2 *= 2;
    void *grown = PyMem_RawRealloc(*array, cap2 * size);
    if (!grown)
        return -1;
    *array = grown;
    *cap = cap2;
    return 0;
}

static int collect_id(void *ctx, const char *id, size_t id_len)
{
    id_list *ids = ctx;
    if (grow((void **)&ids->ends, &ids->ends_cap, ids->n + 1, sizeof *ids->ends) < 0
        || (id && grow((void **)&ids->bytes, &ids->cap, ids->len + id_len, 1) < 0)) {
        ids->no_memory = 1;
        return 1;
    }
    if (id_len) { /* an empty id may come before any byte is allocated */
        memcpy(ids->bytes + ids->len, id, id_len);
        ids->len += id_len;
    }
    ids->ends[ids->n++] = id ? ids->len : SIZE_MAX;
    return 0;
}

static PyObject *id_objects(const id_list *ids)
{
    PyObject *list = PyList_New((Py_ssize_t)ids->n);
    size_t start = 0;
    for (size_t i = 0; list && i < ids->n; i++) {
        PyObject *id;
        if (ids->ends[i] == SIZE_MAX) {
            id = Py_NewRef(Py_None);
        } else {
            id = PyUnicode_DecodeUTF8(ids->bytes + start, (Py_ssize_t)(ids->ends[i] - start),
                                      "strict");
            start = ids->ends[i];
        }
        if (!id)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, id);
    }
    return list;
}

/* The formats read_documents reads. */
typedef enum { CONLLU, VRT } format;

/* Read the bytes of `source` (any buffer) as `fmt`, with the GIL released;
 * CoNLL-U keeps the attributes names[0 .. n_names). The list of what each
 * added document's callback gave (str or None). */
static PyObject *read_documents(BuilderObject *self, PyObject *source, format fmt,
                                const char *const *names, size_t n_names)
{
    module_state *state = PyType_GetModuleState(Py_TYPE(self));
    Py_buffer view;
    if (PyObject_GetBuffer(source, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    id_list ids = {0};
    kw_parse_error err;
    kwiq_stop stop;
    self->busy = 1;
    kwiq_stop_release(&stop, &self->interrupted);
    kw_status st = fmt == CONLLU
                       ? kw_conllu_add(self->b, &kwiq_alloc, view.buf, (size_t)view.len, names,
                                       n_names, collect_id, &ids, &stop.cancel, &err)
                       : kw_vrt_add(self->b, &kwiq_alloc, view.buf, (size_t)view.len, collect_id,
                                    &ids, &stop.cancel, &err);
    kwiq_stop_reacquire(&stop);
    self->busy = 0;
    PyBuffer_Release(&view);
    PyObject *result = NULL;
    if (st == KW_EINVAL)
        PyErr_SetString(PyExc_ValueError, fmt == CONLLU
                                              ? "add_conllu(): an attribute CoNLL-U does not give"
                                              : "add_vrt(): the builder is not annotated");
    else if (st == KW_EFORMAT)
        PyErr_Format(state->format_error, "line %zu: %s", err.line, err.message);
    else if (ids.no_memory)
        PyErr_NoMemory();
    else if (st != KW_OK)
        kwiq_raise_status(st);
    else
        result = id_objects(&ids);
    PyMem_RawFree(ids.bytes);
    PyMem_RawFree(ids.ends);
    return result;
}

const char kwiq_builder_add_conllu_doc[] =
    "add_conllu($self, data, attrs, /)\n--\n\n"
    "Add the documents of CoNLL-U bytes (any buffer), read in C with the GIL\n"
    "released (kw_conllu_add), keeping the attributes `attrs` (a list of some\n"
    "of conllu_attrs); the builder must be annotated with attrs and\n"
    "conllu_structures. Returns each added document's `# newdoc id`, or\n"
    "None. FormatError \"line N: ...\" for malformed input: the documents\n"
    "before the one holding it stay added. Ctrl-C and interrupt() stop it.";

PyObject *kwiq_builder_add_conllu(BuilderObject *self, PyObject *args)
{
    PyObject *source, *attrs;
    if (!PyArg_ParseTuple(args, "OO:add_conllu", &source, &attrs) || kwiq_builder_ready(self) < 0)
        return NULL;
    Py_ssize_t n_attrs;
    const char **names = names_of(attrs, "attrs", &n_attrs);
    if (!names)
        return NULL;
    PyObject *result = read_documents(self, source, CONLLU, names, (size_t)n_attrs);
    PyMem_Free(names);
    return result;
}

const char kwiq_builder_add_vrt_doc[] =
    "add_vrt($self, data, /)\n--\n\n"
    "Add the documents of VRT bytes (any buffer), read in C with the GIL\n"
    "released (kw_vrt_add): the columns are word and the builder's attributes,\n"
    "the elements read <text>, <g/> and its structures. Returns what each added\n"
    "document's <text> tag holds after its name, or None for a file without\n"
    "<text>. FormatError \"line N: ...\" for malformed input: the documents\n"
    "before the one holding it stay added. Ctrl-C and interrupt() stop it.";

PyObject *kwiq_builder_add_vrt(BuilderObject *self, PyObject *source)
{
    if (kwiq_builder_ready(self) < 0)
        return NULL;
    return read_documents(self, source, VRT, NULL, 0);
}

/* ---- a document with its tokens given (Builder.add_annotated) ---- */

/* A column of per-token strings: distinct forms, and each token's index
 * into them (a buffer of uint32). */
typedef struct {
    PyObject *forms;   /* a tuple, so that no other thread frees its strs */
    const char **utf8; /* each form's UTF-8, borrowed from the str */
    size_t *lens;
    Py_buffer index;
    int has_index;
} column;

static void column_clear(column *c)
{
    Py_CLEAR(c->forms);
    PyMem_Free(c->utf8);
    PyMem_Free(c->lens);
    c->utf8 = NULL;
    c->lens = NULL;
    if (c->has_index)
        PyBuffer_Release(&c->index);
    c->has_index = 0;
}

/* 0 and c filled from (forms, index), index holding n_tokens uint32 below
 * len(forms); -1 with an exception set. */
static int column_of(PyObject *pair, const char *what, Py_ssize_t n_tokens, column *c)
{
    PyObject *forms, *index;
    if (!PyTuple_Check(pair) || !PyArg_ParseTuple(pair, "OO", &forms, &index)) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "%s must be a (forms, index) pair", what);
        return -1;
    }
    if (!(c->forms = PySequence_Tuple(forms)))
        return -1;
    Py_ssize_t n_forms = PyTuple_GET_SIZE(c->forms);
    c->utf8 = PyMem_Calloc((size_t)n_forms + 1, sizeof *c->utf8);
    c->lens = PyMem_Calloc((size_t)n_forms + 1, sizeof *c->lens);
    if (!c->utf8 || !c->lens) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n_forms; i++) {
        PyObject *form = PyTuple_GET_ITEM(c->forms, i);
        Py_ssize_t len;
        if (!PyUnicode_Check(form)) {
            PyErr_Format(PyExc_TypeError, "the forms of %s must be str", what);
            return -1;
        }
        if (!(c->utf8[i] = PyUnicode_AsUTF8AndSize(form, &len)))
            return -1;
        c->lens[i] = (size_t)len;
    }
    if (PyObject_GetBuffer(index, &c->index, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    c->has_index = 1;
    const char *format = c->index.format ? c->index.format : "B";
    if (c->index.itemsize != 4 || !strchr("IL", format[strspn(format, "@=<")])
        || c->index.len != n_tokens * 4) {
        PyErr_Format(PyExc_ValueError, "the index of %s must be %zd native uint32", what, n_tokens);
        return -1;
    }
    const uint32_t *ids = c->index.buf;
    for (Py_ssize_t i = 0; i < n_tokens; i++)
        if (ids[i] >= (uint64_t)n_forms) {
            PyErr_Format(PyExc_ValueError, "the index of %s names form %u of %zd", what,
                         (unsigned)ids[i], n_forms);
            return -1;
        }
    return 0;
}

/* A buffer of native int64, its length a multiple of `group`; -1 with an
 * exception set. */
static int int64_buffer(PyObject *obj, const char *what, Py_ssize_t group, Py_buffer *view)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    const char *format = view->format ? view->format : "B";
    if (view->itemsize != 8 || !strchr("ql", format[strspn(format, "@=<")])
        || view->len % (8 * group)) {
        PyErr_Format(PyExc_ValueError, "%s must be native int64, %zd a group", what, group);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* The byte offset in utf8 of str index `chars`, moving the cursor (a
 * code point and its byte) from where the last call left it. */
static size_t byte_of(const char *utf8, size_t n_bytes, size_t chars, size_t *at_char,
                      size_t *at_byte)
{
    while (*at_char < chars && *at_byte < n_bytes) {
        (*at_byte)++;
        while (*at_byte < n_bytes && ((unsigned char)utf8[*at_byte] & 0xC0) == 0x80)
            (*at_byte)++;
        (*at_char)++;
    }
    while (*at_char > chars) {
        (*at_byte)--;
        while (((unsigned char)utf8[*at_byte] & 0xC0) == 0x80)
            (*at_byte)--;
        (*at_char)--;
    }
    return *at_byte;
}

const char kwiq_builder_add_annotated_doc[] =
    "add_annotated($self, text, starts, ends, words, values, regions, /)\n--\n\n"
    "Add one annotated document (kw_builder_add_annotated): its text (str);\n"
    "each token's start and end as str indices (native int64 buffers);\n"
    "words, a (forms, index) pair: distinct forms (str) and a native uint32\n"
    "buffer giving each token's; values, one such pair an attribute of the\n"
    "builder; regions, native int64 (structure, start, end) triples, the\n"
    "structure counted from the builder's first. The GIL is released for the\n"
    "adding. FormatError \"token K: ...\", \"region K: ...\" or \"the text:\n"
    "...\" for a document the core refuses; nothing is added then.";

PyObject *kwiq_builder_add_annotated(BuilderObject *self, PyObject *args)
{
    module_state *state = PyType_GetModuleState(Py_TYPE(self));
    PyObject *text, *starts_obj, *ends_obj, *words_obj, *values_obj, *regions_obj;
    if (!PyArg_ParseTuple(args, "UOOOOO:add_annotated", &text, &starts_obj, &ends_obj, &words_obj,
                          &values_obj, &regions_obj)
        || kwiq_builder_ready(self) < 0)
        return NULL;
    if (!PyList_Check(values_obj)) {
        PyErr_SetString(PyExc_TypeError, "values must be a list of (forms, index) pairs");
        return NULL;
    }
    PyObject *result = NULL;
    Py_ssize_t n_columns = PyList_GET_SIZE(values_obj) + 1, n_bytes;
    column *columns = PyMem_Calloc((size_t)n_columns, sizeof *columns);
    Py_buffer starts = {0}, ends = {0}, regions = {0};
    int have_starts = 0, have_ends = 0, have_regions = 0;
    kw_ext_token *tokens = NULL;
    kw_ext_region *ext_regions = NULL;
    const char **ptrs = NULL;
    size_t *lens = NULL;
    const char *utf8 = PyUnicode_AsUTF8AndSize(text, &n_bytes);
    if (!columns || !utf8) {
        if (!columns)
            PyErr_NoMemory();
        goto done;
    }
    if (int64_buffer(starts_obj, "starts", 1, &starts) < 0)
        goto done;
    have_starts = 1;
    if (int64_buffer(ends_obj, "ends", 1, &ends) < 0)
        goto done;
    have_ends = 1;
    if (int64_buffer(regions_obj, "regions", 3, &regions) < 0)
        goto done;
    have_regions = 1;
    const Py_ssize_t n_tokens = starts.len / 8, n_regions = regions.len / 24;
    const Py_ssize_t n_attrs = n_columns - 1, n_chars = PyUnicode_GET_LENGTH(text);
    if (ends.len != starts.len) {
        PyErr_SetString(PyExc_ValueError, "starts and ends differ in length");
        goto done;
    }
    if (column_of(words_obj, "words", n_tokens, &columns[0]) < 0)
        goto done;
    for (Py_ssize_t k = 0; k < n_attrs; k++)
        if (column_of(PyList_GET_ITEM(values_obj, k), "a value column", n_tokens, &columns[k + 1])
            < 0)
            goto done;
    tokens = PyMem_Calloc((size_t)n_tokens + 1, sizeof *tokens);
    ext_regions = PyMem_Calloc((size_t)n_regions + 1, sizeof *ext_regions);
    ptrs = PyMem_Calloc((size_t)(n_tokens * n_attrs) + 1, sizeof *ptrs);
    lens = PyMem_Calloc((size_t)(n_tokens * n_attrs) + 1, sizeof *lens);
    if (!tokens || !ext_regions || !ptrs || !lens) {
        PyErr_NoMemory();
        goto done;
    }
    const int64_t *start = starts.buf, *end = ends.buf, *region = regions.buf;
    size_t at_char = 0, at_byte = 0;
    for (Py_ssize_t i = 0; i < n_tokens; i++) {
        if (start[i] < 0 || end[i] < start[i] || end[i] > n_chars) {
            PyErr_Format(state->format_error,
                         "token %zd: its span %lld..%lld is not within "
                         "the text's %zd characters",
                         i, (long long)start[i], (long long)end[i], n_chars);
            goto done;
        }
        kw_ext_token *t = &tokens[i];
        t->begin = byte_of(utf8, (size_t)n_bytes, (size_t)start[i], &at_char, &at_byte);
        t->end = byte_of(utf8, (size_t)n_bytes, (size_t)end[i], &at_char, &at_byte);
        uint32_t form = ((const uint32_t *)columns[0].index.buf)[i];
        t->word = columns[0].utf8[form];
        t->word_len = columns[0].lens[form];
        t->values = &ptrs[i * n_attrs];
        t->value_lens = &lens[i * n_attrs];
        for (Py_ssize_t k = 0; k < n_attrs; k++) {
            uint32_t value = ((const uint32_t *)columns[k + 1].index.buf)[i];
            ptrs[i * n_attrs + k] = columns[k + 1].utf8[value];
            lens[i * n_attrs + k] = columns[k + 1].lens[value];
        }
    }
    for (Py_ssize_t i = 0; i < n_regions; i++) {
        if (region[3 * i] < 0 || region[3 * i + 1] < 0 || region[3 * i + 2] < 0) {
            PyErr_Format(state->format_error, "region %zd: a negative number", i);
            goto done;
        }
        ext_regions[i] = (kw_ext_region){(size_t)region[3 * i], (size_t)region[3 * i + 1],
                                         (size_t)region[3 * i + 2]};
    }
    kw_annot_problem problem;
    kwiq_stop stop;
    self->busy = 1;
    kwiq_stop_release(&stop, &self->interrupted);
    kw_builder_set_cancel(self->b, &stop.cancel);
    kw_status st =
        kw_builder_add_annotated(self->b, utf8, (size_t)n_bytes, tokens, (size_t)n_tokens,
                                 ext_regions, (size_t)n_regions, &problem);
    kw_builder_set_cancel(self->b, NULL);
    kwiq_stop_reacquire(&stop);
    self->busy = 0;
    if (st == KW_EINVAL && problem.where == KW_ANNOT_TOKEN)
        PyErr_Format(state->format_error, "token %zu: %s", problem.index, problem.what);
    else if (st == KW_EINVAL && problem.where == KW_ANNOT_REGION)
        PyErr_Format(state->format_error, "region %zu: %s", problem.index, problem.what);
    else if (st == KW_EINVAL || st == KW_EUTF8)
        PyErr_Format(state->format_error, "the text: %s", problem.what);
    else if (st != KW_OK)
        kwiq_raise_status(st);
    else
        result = Py_NewRef(Py_None);
done:
    for (Py_ssize_t k = 0; columns && k < n_columns; k++)
        column_clear(&columns[k]);
    PyMem_Free(columns);
    if (have_starts)
        PyBuffer_Release(&starts);
    if (have_ends)
        PyBuffer_Release(&ends);
    if (have_regions)
        PyBuffer_Release(&regions);
    PyMem_Free(tokens);
    PyMem_Free(ext_regions);
    PyMem_Free(ptrs);
    PyMem_Free(lens);
    return result;
}

/* ---- a document of an annotated index again (Builder.add_document_of) ---- */

const char kwiq_builder_add_document_of_doc[] =
    "add_document_of($self, index, doc, /)\n--\n\n"
    "Add document number doc of index, an annotated Index, with its text,\n"
    "tokens, values and regions (kw_builder_add_document_of). The builder must\n"
    "be annotated with the index's attributes and structures beyond word and\n"
    "text, in order: ValueError otherwise, or for no such document. The GIL is\n"
    "released for the adding.";

PyObject *kwiq_builder_add_document_of(BuilderObject *self, PyObject *args)
{
    PyObject *index;
    Py_ssize_t doc;
    if (!PyArg_ParseTuple(args, "On:add_document_of", &index, &doc) || kwiq_builder_ready(self) < 0)
        return NULL;
    module_state *state = PyType_GetModuleState(Py_TYPE(self));
    if (!Py_IS_TYPE(index, state->index_type)) {
        PyErr_Format(PyExc_TypeError, "expected Index, not %.100s", Py_TYPE(index)->tp_name);
        return NULL;
    }
    kw_status st = KW_EINVAL;
    if (doc >= 0) {
        kwiq_stop stop;
        self->busy = 1;
        kwiq_stop_release(&stop, &self->interrupted);
        kw_builder_set_cancel(self->b, &stop.cancel);
        st = kw_builder_add_document_of(self->b, ((IndexObject *)index)->ix, (size_t)doc);
        kw_builder_set_cancel(self->b, NULL);
        kwiq_stop_reacquire(&stop);
        self->busy = 0;
    }
    if (st == KW_EINVAL)
        return PyErr_Format(PyExc_ValueError,
                            "add_document_of(): the index is not annotated, its attributes or "
                            "structures are not the builder's, or it has no document %zd",
                            doc);
    return st == KW_OK ? Py_NewRef(Py_None) : kwiq_raise_status(st);
}
