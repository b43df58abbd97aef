/*
 * kwiq_attrs.c: the methods of kwiq._core.Index and Hits that read
 * attributes and structures beyond the counts of kwiq_index.c: their
 * names, vocabularies, token values and regions, the ranks sort keys
 * compare (Index.attr_ranks) and lines of tagged tokens (Hits.tagged);
 * and the one that adds an attribute given per type (Index.add_type_attr).
 * kwiq_index.c and kwiq_hits.c list them among their types' methods.
 */
#include "kwiq_objects.h"

int kwiq_attr_in_range(IndexObject *self, Py_ssize_t attr)
{
    if (attr >= 0 && (size_t)attr < kw_index_n_attrs(self->ix))
        return 1;
    PyErr_Format(PyExc_ValueError, "attribute number %zd out of range", attr);
    return 0;
}

const char kwiq_index_attr_ranks_doc[] =
    "attr_ranks($self, attr, /)\n--\n\n"
    "The rank of every postings group of attribute number attr in the byte\n"
    "order of its form, as sort compares them, as bytes of native uint32.";

PyObject *kwiq_index_attr_ranks(IndexObject *self, PyObject *arg)
{
    Py_ssize_t attr = PyLong_AsSsize_t(arg);
    if ((attr == -1 && PyErr_Occurred()) || !kwiq_attr_in_range(self, attr))
        return NULL;
    const uint32_t *ranks;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS st = kw_index_attr_ranks(self->ix, (size_t)attr, NULL, &ranks);
    Py_END_ALLOW_THREADS if (st != KW_OK) return kwiq_raise_status(st);
    size_t n = kw_index_attr_n_groups(self->ix, (size_t)attr);
    return PyBytes_FromStringAndSize((const char *)ranks, (Py_ssize_t)(n * sizeof *ranks));
}

/* The n strings of a column as a list of str. */
static PyObject *str_list(const kw_text_column *c, Py_ssize_t n)
{
    PyObject *list = PyList_New(n);
    for (Py_ssize_t k = 0; list && k < n; k++) {
        PyObject *s =
            PyUnicode_DecodeUTF8(c->data ? c->data + c->offsets[k] : "",
                                 (Py_ssize_t)(c->offsets[k + 1] - c->offsets[k]), "strict");
        if (!s)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, k, s);
    }
    return list;
}

const char kwiq_hits_tagged_doc[] =
    "tagged($self, start, stop, attrs, context=None, /)\n--\n\n"
    "Hits start..stop-1 as tagged tokens (kw_tagged_columns): each token its\n"
    "values of the attributes numbered `attrs` joined by '/', tokens joined by\n"
    "a space. With context, a (left, right, width, bound) tuple as lines()\n"
    "takes them, a tuple of three lists of str (left, match, right); without,\n"
    "the list of the matches alone.";

PyObject *kwiq_hits_tagged(HitsObject *self, PyObject *args)
{
    const kw_index *ix = ((IndexObject *)self->index)->ix;
    Py_ssize_t start, stop;
    PyObject *attr_list, *context = Py_None;
    if (!PyArg_ParseTuple(args, "nnO|O:tagged", &start, &stop, &attr_list, &context))
        return NULL;
    kw_context ctx = {0, 0, 0, KW_BOUND_NONE};
    int bound = 0;
    if (context != Py_None
        && !PyArg_ParseTuple(context, "IIKi:tagged", &ctx.left, &ctx.right, &ctx.width, &bound))
        return NULL;
    Py_ssize_t n_hits = (Py_ssize_t)kw_hits_count(self->hits);
    if (start < 0 || stop > n_hits || start > stop || bound < 0 || bound > KW_BOUND_PARAGRAPH) {
        PyErr_Format(PyExc_ValueError, "tagged(): range [%zd, %zd) or bound %d out of range", start,
                     stop, bound);
        return NULL;
    }
    ctx.bound = (kw_bound)bound;
    PyObject *seq = PySequence_Fast(attr_list, "tagged() takes a sequence of attribute numbers");
    if (!seq)
        return NULL;
    const Py_ssize_t n_attrs = PySequence_Fast_GET_SIZE(seq), n = stop - start;
    uint32_t *attrs = PyMem_Malloc((size_t)(n_attrs ? n_attrs : 1) * sizeof *attrs);
    int64_t *offsets = PyMem_Malloc(3 * (size_t)(n + 1) * sizeof *offsets);
    kw_text_column columns[3] = {
        {offsets, NULL, 0}, {offsets + n + 1, NULL, 0}, {offsets + 2 * (n + 1), NULL, 0}};
    PyObject *result = NULL;
    if (!attrs || !offsets) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t j = 0; j < n_attrs; j++) {
        Py_ssize_t attr = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(seq, j));
        if ((attr == -1 && PyErr_Occurred())
            || !kwiq_attr_in_range((IndexObject *)self->index, attr))
            goto done;
        attrs[j] = (uint32_t)attr;
    }
    const int with_context = context != Py_None;
    kw_status st;
    kwiq_stop stop_asked;
    kwiq_stop_release(&stop_asked, NULL);
    st =
        kw_tagged_columns(ix, self->hits, (size_t)start, (size_t)stop, &ctx, attrs, (size_t)n_attrs,
                          &kwiq_alloc, &stop_asked.cancel, with_context ? &columns[0] : NULL,
                          &columns[1], with_context ? &columns[2] : NULL);
    kwiq_stop_reacquire(&stop_asked);
    if (st != KW_OK) {
        kwiq_raise_status(st);
        goto done;
    }
    if (!with_context) {
        result = str_list(&columns[1], n);
        goto done;
    }
    PyObject *lists[3] = {str_list(&columns[0], n), str_list(&columns[1], n),
                          str_list(&columns[2], n)};
    if (lists[0] && lists[1] && lists[2])
        result = PyTuple_Pack(3, lists[0], lists[1], lists[2]);
    for (int k = 0; k < 3; k++)
        Py_XDECREF(lists[k]);
done:
    for (int k = 0; k < 3; k++)
        kwiq_alloc.free(kwiq_alloc.ctx, columns[k].data);
    PyMem_Free(attrs);
    PyMem_Free(offsets);
    Py_DECREF(seq);
    return result;
}

/* ---- reading an index's annotation ---- */

const char kwiq_index_attributes_doc[] =
    "attributes($self, /)\n--\n\nThe names of the attributes, word first.";
const char kwiq_index_annotated_doc[] =
    "annotated($self, /)\n--\n\n"
    "Whether the tokens came with the documents (an annotated source), not\n"
    "from kwiq's tokenizer (kw_index_is_annotated).";

PyObject *kwiq_index_annotated(IndexObject *self, PyObject *unused)
{
    (void)unused;
    return PyBool_FromLong(kw_index_is_annotated(self->ix));
}

const char kwiq_index_structures_doc[] =
    "structures($self, /)\n--\n\nThe names of the structures, text first.";
const char kwiq_index_attr_forms_doc[] = "attr_forms($self, attr, /)\n--\n\nThe vocabulary of "
                                         "attribute number attr: its values by type id.";
const char kwiq_index_attr_types_doc[] = "attr_types($self, attr, start, stop, /)\n--\n\nThe type "
                                         "ids of attribute attr of the corpus-wide\n"
                                         "tokens start .. stop - 1, as native uint32 bytes.";
const char kwiq_index_structure_regions_doc[] =
    "structure_regions($self, structure, /)\n--\n\nThe regions of structure number `structure` as\n"
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
    kwiq_stop stop;
    kwiq_stop_release(&stop, NULL);
    kw_status st = kw_index_find_structures(self->ix, &stop.cancel);
    kwiq_stop_reacquire(&stop);
    if (st != KW_OK)
        return kwiq_raise_status(st);
    size_t n = kw_index_structure_n_regions(self->ix, (size_t)s);
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * 8));
    if (!out)
        return NULL;
    uint32_t *pairs = (uint32_t *)PyBytes_AS_STRING(out);
    for (size_t i = 0; i < n; i++)
        kw_index_structure_region(self->ix, (size_t)s, i, &pairs[2 * i], &pairs[2 * i + 1]);
    return out;
}

const char kwiq_index_add_type_attr_doc[] =
    "add_type_attr($self, name, values, /)\n--\n\n"
    "Add attribute `name` whose value for a token of surface type t is\n"
    "values[t], a str for each of n_types types (kw_index_add_type_attr):\n"
    "only on an index just built, before it is shared. ValueError for a\n"
    "loaded index, a name the index has or a wrong number of values.";

PyObject *kwiq_index_add_type_attr(IndexObject *self, PyObject *args)
{
    const char *name;
    PyObject *values_arg;
    if (!PyArg_ParseTuple(args, "sO:add_type_attr", &name, &values_arg))
        return NULL;
    /* A tuple of its own: the str it holds, and so their UTF-8, stay while
     * the GIL is released. */
    PyObject *values = PySequence_Tuple(values_arg);
    if (!values)
        return NULL;
    const size_t n = kw_index_n_types(self->ix);
    PyObject *result = NULL;
    const char **ptrs = PyMem_Malloc((n ? n : 1) * sizeof *ptrs);
    size_t *lens = PyMem_Malloc((n ? n : 1) * sizeof *lens);
    if (!ptrs || !lens) {
        PyErr_NoMemory();
        goto done;
    }
    if ((size_t)PyTuple_GET_SIZE(values) != n) {
        PyErr_Format(PyExc_ValueError, "add_type_attr(): %zd values for %zu types",
                     PyTuple_GET_SIZE(values), n);
        goto done;
    }
    for (size_t t = 0; t < n; t++) {
        PyObject *value = PyTuple_GET_ITEM(values, (Py_ssize_t)t);
        Py_ssize_t len;
        if (!PyUnicode_Check(value)) {
            PyErr_Format(PyExc_TypeError, "add_type_attr(): value %zu is a %s, not a str", t,
                         Py_TYPE(value)->tp_name);
            goto done;
        }
        if (!(ptrs[t] = PyUnicode_AsUTF8AndSize(value, &len)))
            goto done;
        lens[t] = (size_t)len;
    }
    kw_status st;
    kwiq_stop stop_asked;
    kwiq_stop_release(&stop_asked, NULL);
    st = kw_index_add_type_attr(self->ix, name, ptrs, lens, &stop_asked.cancel);
    kwiq_stop_reacquire(&stop_asked);
    if (st == KW_EINVAL)
        PyErr_Format(PyExc_ValueError,
                     "add_type_attr(): the index is loaded or has an "
                     "attribute named '%s' already",
                     name);
    else if (st != KW_OK)
        kwiq_raise_status(st);
    else
        result = Py_NewRef(Py_None);
done:
    PyMem_Free(ptrs);
    PyMem_Free(lens);
    Py_DECREF(values);
    return result;
}
