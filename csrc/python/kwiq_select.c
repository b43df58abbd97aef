/*
 * kwiq_select.c: the methods of kwiq._core.Hits that choose some of the
 * hits, all in C over the hit arrays: by a range of numbers (take), by a
 * list of numbers (select), by a mask (where), by the words around each
 * hit (near, as AntConc's context-word search), and the count of their
 * documents. kwiq_hits.c lists them among the type's methods.
 */
#include "kwiq_objects.h"

/* New Hits of the same index from the core's selection, or NULL with the
 * status's exception. */
static PyObject *selected_hits(HitsObject *self, kw_status st, kw_hits *selected)
{
    return st == KW_OK ? kwiq_new_hits(self->index, selected) : kwiq_raise_status(st);
}

const char kwiq_hits_take_doc[] =
    "take($self, start, step, n, /)\n--\n\n"
    "New Hits: hits start, start + step, ... of these, n of them (step may be\n"
    "negative). ValueError for one out of range.";

PyObject *kwiq_hits_take(HitsObject *self, PyObject *args)
{
    Py_ssize_t start, step, n;
    if (!PyArg_ParseTuple(args, "nnn:take", &start, &step, &n))
        return NULL;
    if (start < 0 || n < 0) {
        PyErr_SetString(PyExc_ValueError, "take() needs start and n >= 0");
        return NULL;
    }
    kw_hits *selected = NULL;
    kw_status st = kw_hits_range(self->hits, (size_t)start, step, (size_t)n, &selected);
    return selected_hits(self, st, selected);
}

const char kwiq_hits_select_doc[] =
    "select($self, order, /)\n--\n\n"
    "New Hits: hit order[k] of these for each k, `order` a buffer of native\n"
    "uint32. IndexError for a number out of range.";

PyObject *kwiq_hits_select(HitsObject *self, PyObject *arg)
{
    Py_buffer order;
    if (PyObject_GetBuffer(arg, &order, PyBUF_SIMPLE) < 0)
        return NULL;
    const uint32_t *numbers = order.buf;
    const size_t n = (size_t)order.len / sizeof *numbers, count = kw_hits_count(self->hits);
    PyObject *result = NULL;
    if (order.len % sizeof *numbers) {
        PyErr_SetString(PyExc_ValueError, "select() needs a buffer of uint32");
        goto done;
    }
    for (size_t k = 0; k < n; k++) {
        if (numbers[k] >= count) {
            PyErr_Format(PyExc_IndexError, "hit %lu out of range for %zu hits",
                         (unsigned long)numbers[k], count);
            goto done;
        }
    }
    kw_hits *selected = NULL;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS st = kw_hits_select(self->hits, numbers, n, &selected);
    Py_END_ALLOW_THREADS result = selected_hits(self, st, selected);
done:
    PyBuffer_Release(&order);
    return result;
}

/* A buffer of one byte per hit, writable or not; -1 with an exception. */
static int hit_mask(HitsObject *self, PyObject *arg, int writable, Py_buffer *mask)
{
    if (PyObject_GetBuffer(arg, mask, writable ? PyBUF_WRITABLE : PyBUF_SIMPLE) < 0)
        return -1;
    if ((size_t)mask->len != kw_hits_count(self->hits)) {
        PyErr_Format(PyExc_ValueError, "a mask of %zd bytes for %zu hits", mask->len,
                     kw_hits_count(self->hits));
        PyBuffer_Release(mask);
        return -1;
    }
    return 0;
}

const char kwiq_hits_where_doc[] =
    "where($self, mask, /)\n--\n\n"
    "New Hits: those of these whose byte in `mask` (one a hit) is not 0, in\n"
    "order.";

PyObject *kwiq_hits_where(HitsObject *self, PyObject *arg)
{
    Py_buffer mask;
    if (hit_mask(self, arg, 0, &mask) < 0)
        return NULL;
    kw_hits *selected = NULL;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS st = kw_hits_where(self->hits, mask.buf, &selected);
    Py_END_ALLOW_THREADS PyBuffer_Release(&mask);
    return selected_hits(self, st, selected);
}

const char kwiq_hits_near_doc[] =
    "near($self, other, left, right, mask, /)\n--\n\n"
    "Clear the byte of `mask` (a writable buffer, one byte a hit) of each hit\n"
    "with no hit of `other` (Hits of the same index, ascending by position)\n"
    "wholly within its `left` words before or its `right` words after, as\n"
    "kw_hits_near says; set it to 1 for the others with a byte not 0.";

PyObject *kwiq_hits_near(HitsObject *self, PyObject *args)
{
    PyObject *other, *mask_arg;
    unsigned int left, right;
    if (!PyArg_ParseTuple(args, "O!IIO:near", Py_TYPE(self), &other, &left, &right, &mask_arg))
        return NULL;
    if (((HitsObject *)other)->index != self->index) {
        PyErr_SetString(PyExc_ValueError, "these hits belong to another index");
        return NULL;
    }
    Py_buffer mask;
    if (hit_mask(self, mask_arg, 1, &mask) < 0)
        return NULL;
    const kw_index *ix = ((IndexObject *)self->index)->ix;
    kw_status st;
    kwiq_stop stop;
    kwiq_stop_release(&stop, NULL);
    st = kw_hits_near(ix, self->hits, ((HitsObject *)other)->hits, left, right, &stop.cancel,
                      mask.buf);
    kwiq_stop_reacquire(&stop);
    PyBuffer_Release(&mask);
    return st == KW_OK ? Py_NewRef(Py_None) : kwiq_raise_status(st);
}

const char kwiq_hits_n_docs_doc[] = "n_docs($self, /)\n--\n\n"
                                    "The number of distinct documents these hits lie in.";

PyObject *kwiq_hits_n_docs(HitsObject *self, PyObject *unused)
{
    (void)unused;
    size_t n_docs = 0;
    kw_status st;
    Py_BEGIN_ALLOW_THREADS st =
        kw_hits_count_docs(((IndexObject *)self->index)->ix, self->hits, &n_docs);
    Py_END_ALLOW_THREADS return st == KW_OK ? PyLong_FromSize_t(n_docs) : kwiq_raise_status(st);
}
