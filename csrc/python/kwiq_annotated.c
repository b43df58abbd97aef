/*
 * kwiq_annotated.c: the methods of kwiq._core.Builder and Index for
 * annotated corpora: naming a builder's attributes and structures, adding
 * CoNLL-U and pre-tokenized documents with the GIL released, and reading an
 * index's attributes and structures (see kwiq_objects.h).
 */
#include "kwiq_objects.h"

/* 0 if the builder may be used now, else -1 with an exception set. */
static int ready(BuilderObject *self)
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
"annotate(attrs, structures)\n--\n\n"
"Make this a builder of annotated documents with the attributes `attrs`\n"
"beyond word and the structures `structures` beyond text (lists of str),\n"
"before any document (kw_builder_annotate). ValueError for a builder with\n"
"documents or annotated already, or an empty, repeated or reserved name.";

PyObject *kwiq_builder_annotate(BuilderObject *self, PyObject *args)
{
    PyObject *attrs, *structures, *result = NULL;
    if (!PyArg_ParseTuple(args, "OO:annotate", &attrs, &structures) || ready(self) < 0)
        return NULL;
    Py_ssize_t n_attrs, n_structures;
    const char **attr_names = names_of(attrs, "attrs", &n_attrs);
    const char **structure_names = attr_names ? names_of(structures, "structures", &n_structures)
                                              : NULL;
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
    if (id) {
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

const char kwiq_builder_add_conllu_doc[] =
"add_conllu(data)\n--\n\n"
"Add the documents of CoNLL-U bytes (any buffer), read in C with the GIL\n"
"released (kw_conllu_add); the builder must be annotated with conllu_attrs\n"
"and conllu_structures. Returns each added document's `# newdoc id`, or\n"
"None. FormatError \"line N: ...\" for malformed input: the documents\n"
"before the one holding it stay added. Ctrl-C and interrupt() stop it.";

PyObject *kwiq_builder_add_conllu(BuilderObject *self, PyObject *source)
{
    module_state *state = PyType_GetModuleState(Py_TYPE(self));
    if (ready(self) < 0)
        return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(source, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    id_list ids = {0};
    kw_parse_error err;
    kwiq_stop stop;
    self->busy = 1;
    kwiq_stop_release(&stop, &self->interrupted);
    kw_status st = kw_conllu_add(self->b, &kwiq_alloc, view.buf, (size_t)view.len, collect_id,
                                 &ids, &stop.cancel, &err);
    kwiq_stop_reacquire(&stop);
    self->busy = 0;
    PyBuffer_Release(&view);
    PyObject *result = NULL;
    if (st == KW_EFORMAT)
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

/* ---- reading an index's annotation ---- */

const char kwiq_index_attributes_doc[] =
"attributes()\n--\n\nThe names of the attributes, word first.";
const char kwiq_index_structures_doc[] =
"structures()\n--\n\nThe names of the structures, text first.";
const char kwiq_index_attr_forms_doc[] =
"attr_forms(attr)\n--\n\nThe vocabulary of attribute number attr: its values by type id.";
const char kwiq_index_attr_types_doc[] =
"attr_types(attr, start, stop)\n--\n\nThe type ids of attribute attr of the corpus-wide\n"
"tokens start .. stop - 1, as native uint32 bytes.";
const char kwiq_index_structure_regions_doc[] =
"structure_regions(structure)\n--\n\nThe regions of structure number `structure` as\n"
"native uint32 bytes, a (start, end) pair of corpus-wide token positions each.";

PyObject *kwiq_index_attributes(IndexObject *self, PyObject *unused)
{
    (void)unused;
    size_t n = kw_index_n_attrs(self->ix);
    PyObject *names = PyTuple_New((Py_ssize_t)n);
    for (size_t a = 0; names && a < n; a++) {
        PyObject *name = PyUnicode_FromString(kw_index_attr_name(self->ix, a));
        if (!name)
            Py_CLEAR(names);
        else
            PyTuple_SET_ITEM(names, (Py_ssize_t)a, name);
    }
    return names;
}

PyObject *kwiq_index_structures(IndexObject *self, PyObject *unused)
{
    (void)unused;
    size_t n = kw_index_n_structures(self->ix);
    PyObject *names = PyTuple_New((Py_ssize_t)n);
    for (size_t s = 0; names && s < n; s++) {
        PyObject *name = PyUnicode_FromString(kw_index_structure_name(self->ix, s));
        if (!name)
            Py_CLEAR(names);
        else
            PyTuple_SET_ITEM(names, (Py_ssize_t)s, name);
    }
    return names;
}

PyObject *kwiq_index_attr_forms(IndexObject *self, PyObject *arg)
{
    Py_ssize_t a = PyLong_AsSsize_t(arg);
    if (a == -1 && PyErr_Occurred())
        return NULL;
    if (a < 0 || (size_t)a >= kw_index_n_attrs(self->ix)) {
        PyErr_Format(PyExc_IndexError, "attribute %zd out of range", a);
        return NULL;
    }
    size_t n = kw_index_attr_n_types(self->ix, (size_t)a);
    PyObject *forms = PyList_New((Py_ssize_t)n);
    for (size_t t = 0; forms && t < n; t++) {
        size_t len;
        const char *form = kw_index_attr_form(self->ix, (size_t)a, (uint32_t)t, &len);
        PyObject *s = PyUnicode_DecodeUTF8(form, (Py_ssize_t)len, "strict");
        if (!s)
            Py_CLEAR(forms);
        else
            PyList_SET_ITEM(forms, (Py_ssize_t)t, s);
    }
    return forms;
}

PyObject *kwiq_index_attr_types(IndexObject *self, PyObject *args)
{
    Py_ssize_t a, start, stop;
    if (!PyArg_ParseTuple(args, "nnn:attr_types", &a, &start, &stop))
        return NULL;
    if (a < 0 || (size_t)a >= kw_index_n_attrs(self->ix) || start < 0 || stop < start
        || (size_t)stop > kw_index_n_tokens(self->ix)) {
        PyErr_SetString(PyExc_IndexError, "attr_types(): attribute or range out of range");
        return NULL;
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, (stop - start) * 4);
    if (!out)
        return NULL;
    uint32_t *types = (uint32_t *)PyBytes_AS_STRING(out);
    for (Py_ssize_t pos = start; pos < stop; pos++)
        types[pos - start] = kw_index_attr_type(self->ix, (size_t)a, (size_t)pos);
    return out;
}

PyObject *kwiq_index_structure_regions(IndexObject *self, PyObject *arg)
{
    Py_ssize_t s = PyLong_AsSsize_t(arg);
    if (s == -1 && PyErr_Occurred())
        return NULL;
    if (s < 0 || (size_t)s >= kw_index_n_structures(self->ix)) {
        PyErr_Format(PyExc_IndexError, "structure %zd out of range", s);
        return NULL;
    }
    size_t n = kw_index_structure_n_regions(self->ix, (size_t)s);
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * 8));
    if (!out)
        return NULL;
    uint32_t *pairs = (uint32_t *)PyBytes_AS_STRING(out);
    for (size_t i = 0; i < n; i++)
        kw_index_structure_region(self->ix, (size_t)s, i, &pairs[2 * i], &pairs[2 * i + 1]);
    return out;
}
