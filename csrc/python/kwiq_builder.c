/*
 * kwiq_builder.c: kwiq._core.Builder, an index being built from batches of
 * documents with the GIL released, and the native threads that run the
 * parts of its appending and finishing (see kwiq_objects.h).
 */
#include "kwiq_objects.h"

/* Batches of documents at least this long are tokenized with the GIL
 * released; below it the release costs more than it frees. */
#define RELEASE_GIL_BYTES 65536

/* ---- running parts of the core's work on threads ---- */

/* A kw_runner on native threads, for the parts of kw_builder_append_with,
 * kw_builder_finish_with and kw_cql_find_with: part 0 runs on the calling thread, each other
 * on a thread started for it (tens of microseconds against the tens of
 * milliseconds of a part). The parts
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

const kw_runner *kwiq_runner_of(Py_ssize_t threads, kw_runner *runner)
{
    if (threads <= 1)
        return NULL;
    *runner = (kw_runner){run_on_threads, NULL, (size_t)threads};
    return runner;
}

/* ---- Builder ---- */

static PyObject *Builder_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"text_bytes", "tokens", NULL};
    Py_ssize_t text_bytes = 0, tokens = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|nn:Builder", keywords, &text_bytes, &tokens))
        return NULL;
    if (text_bytes < 0 || tokens < 0) {
        PyErr_SetString(PyExc_ValueError, "Builder(): sizes must be >= 0");
        return NULL;
    }
    BuilderObject *self = (BuilderObject *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    kw_status st = kw_builder_new(&kwiq_alloc, &self->b);
    if (st == KW_OK && (text_bytes || tokens))
        st = kw_builder_reserve(self->b, (size_t)text_bytes, (size_t)tokens);
    if (st != KW_OK) {
        Py_DECREF(self);
        return kwiq_raise_status(st);
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

int kwiq_builder_ready(BuilderObject *self)
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
    int kind;   /* PyUnicode_1BYTE_KIND, 2BYTE or 4BYTE */
    size_t len; /* bytes of utf8, or code units */
} batch_doc;

/* Code units encoded between two questions to the cancel. */
#define ENCODE_CHUNK ((size_t)KW_POLL_EVERY * 64)

/* The UTF-8 of a document's code units into out, in chunks, asking `cancel`
 * (or NULL) between them. KW_EUTF8: a surrogate; KW_EINTR: stopped. */
static kw_status encode_units(const batch_doc *d, char *out, size_t *n_bytes,
                              const kw_cancel *cancel)
{
    const size_t unit = (size_t)d->kind;
    *n_bytes = 0;
    for (size_t done = 0; done < d->len; done += ENCODE_CHUNK) {
        if (done && cancel && cancel->poll(cancel->ctx))
            return KW_EINTR;
        size_t chunk = d->len - done < ENCODE_CHUNK ? d->len - done : ENCODE_CHUNK, written;
        kw_status st = kw_utf8_from_units((const char *)d->units + done * unit, chunk, d->kind,
                                          out + *n_bytes, &written, NULL);
        if (st != KW_OK)
            return st;
        *n_bytes += written;
    }
    return KW_OK;
}

PyDoc_STRVAR(Builder_add_doc,
             "add($self, docs, /)\n--\n\n"
             "Tokenize and append a list of documents, each a str or UTF-8 bytes. The\n"
             "GIL is held only to gather them: the whole batch (when it holds 64 KiB or\n"
             "more) is encoded and tokenized with the GIL released. TypeError for an\n"
             "item of another type (nothing is added). UnicodeEncodeError for a str\n"
             "with a lone surrogate, UnicodeDecodeError (start: the byte offset) for\n"
             "bytes that are not UTF-8, MemoryError: the documents before it are added\n"
             "(see n_docs), the others not. Ctrl-C (a signal handler that raises) and\n"
             "interrupt() stop it within milliseconds, with the document being added\n"
             "left out; the exception is raised (interrupt(): KeyboardInterrupt).");

static PyObject *Builder_add(BuilderObject *self, PyObject *docs)
{
    if (!PyList_Check(docs)) {
        PyErr_SetString(PyExc_TypeError, "add() takes a list of str or bytes");
        return NULL;
    }
    if (kwiq_builder_ready(self) < 0)
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
    kwiq_stop stop;
    const int released = total >= RELEASE_GIL_BYTES;
    if (released) {
        kwiq_stop_release(&stop, &self->interrupted);
        kw_builder_set_cancel(self->b, &stop.cancel);
    }
    for (; added < n; added++) {
        const batch_doc *d = &batch[added];
        const char *utf8 = d->utf8;
        size_t len = d->len;
        if (!utf8) {
            size_t room = len * kw_utf8_per_unit(d->kind);
            if (room > scratch_cap) {
                char *grown = room / kw_utf8_per_unit(d->kind) == len
                                  ? PyMem_RawRealloc(scratch, room)
                                  : NULL;
                if (!grown) {
                    trouble = NO_MEMORY;
                    break;
                }
                scratch = grown;
                scratch_cap = room;
            }
            if ((st = encode_units(d, scratch, &len, released ? &stop.cancel : NULL)) != KW_OK) {
                trouble = st == KW_EUTF8 ? SURROGATE : FINE;
                break;
            }
            utf8 = scratch;
        }
        if ((st = kw_builder_add(self->b, utf8, len, &bad)) != KW_OK)
            break;
    }
    PyMem_RawFree(scratch);
    if (released) {
        kw_builder_set_cancel(self->b, NULL);
        kwiq_stop_reacquire(&stop);
    }
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
        PyObject *error =
            PyUnicodeDecodeError_Create("utf-8", batch[added].utf8, (Py_ssize_t)batch[added].len,
                                        (Py_ssize_t)bad, (Py_ssize_t)bad + 1, "invalid UTF-8");
        if (error) {
            PyErr_SetObject(PyExc_UnicodeDecodeError, error);
            Py_DECREF(error);
        }
    } else if (st != KW_OK) {
        kwiq_raise_status(st);
    } else if (PyErr_CheckSignals() == 0) {
        result = Py_NewRef(Py_None);
    }
done:
    PyMem_Free(batch);
    Py_DECREF(items);
    return result;
}

PyDoc_STRVAR(Builder_append_doc,
             "append($self, other, threads=1, /)\n--\n\n"
             "Append other's documents after this builder's, as if they had been added\n"
             "here (kw_builder_append), with the GIL released; the copying is cut into\n"
             "`threads` parts run at once. other is consumed; on an error both are as\n"
             "they were, but when stopped (Ctrl-C, interrupt()) other is consumed.");

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
    if (kwiq_builder_ready(self) < 0 || kwiq_builder_ready(other) < 0)
        return NULL;
    kw_status st;
    kwiq_stop stop;
    self->busy = other->busy = 1;
    kwiq_stop_release(&stop, &self->interrupted);
    kw_builder_set_cancel(self->b, &stop.cancel);
    st = kw_builder_append_with(self->b, other->b, kwiq_runner_of(threads, &runner));
    kw_builder_set_cancel(self->b, NULL);
    kwiq_stop_reacquire(&stop);
    self->busy = other->busy = 0;
    if (st == KW_OK || st == KW_EINTR)
        other->b = NULL; /* consumed */
    if (st != KW_OK)
        return kwiq_raise_status(st);
    if (PyErr_CheckSignals() < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(Builder_finish_doc,
             "finish($self, threads=1, /)\n--\n\n"
             "The Index of the documents added, built with the GIL released; the\n"
             "counting sort of the postings is cut into `threads` parts run at once.\n"
             "The builder is consumed; when stopped (Ctrl-C, interrupt()) it is as it\n"
             "was.");

static PyObject *Builder_finish(BuilderObject *self, PyObject *args)
{
    Py_ssize_t threads = 1;
    kw_runner runner;
    if (!PyArg_ParseTuple(args, "|n:finish", &threads))
        return NULL;
    module_state *state = PyType_GetModuleState(Py_TYPE(self));
    if (kwiq_builder_ready(self) < 0)
        return NULL;
    IndexObject *result = PyObject_New(IndexObject, state->index_type);
    if (!result)
        return NULL;
    result->ix = NULL;
    result->has_view = 0;
    kw_status st;
    kwiq_stop stop;
    self->busy = 1;
    kwiq_stop_release(&stop, &self->interrupted);
    kw_builder_set_cancel(self->b, &stop.cancel);
    st = kw_builder_finish_with(self->b, kwiq_runner_of(threads, &runner), &result->ix);
    if (st != KW_OK)
        kw_builder_set_cancel(self->b, NULL);
    kwiq_stop_reacquire(&stop);
    self->busy = 0;
    if (st != KW_OK) {
        Py_DECREF(result);
        return kwiq_raise_status(st);
    }
    self->b = NULL;
    return (PyObject *)result;
}

PyDoc_STRVAR(Builder_interrupt_doc,
             "interrupt($self, /)\n--\n\n"
             "Stop the call working on this builder in another thread, within\n"
             "milliseconds, and every later one: they raise KeyboardInterrupt. For the\n"
             "threads of a build that Ctrl-C stopped (signals reach the main thread\n"
             "only). Safe to call from any thread at any time.");

static PyObject *Builder_interrupt(BuilderObject *self, PyObject *unused)
{
    (void)unused;
    atomic_store(&self->interrupted, 1);
    Py_RETURN_NONE;
}

static PyObject *Builder_get_n_docs(BuilderObject *self, void *c)
{
    (void)c;
    if (kwiq_builder_ready(self) < 0)
        return NULL;
    return PyLong_FromSize_t(kw_builder_n_docs(self->b));
}

static PyMethodDef Builder_methods[] = {
    {"add", (PyCFunction)Builder_add, METH_O, Builder_add_doc},
    {"append", (PyCFunction)Builder_append, METH_VARARGS, Builder_append_doc},
    {"finish", (PyCFunction)Builder_finish, METH_VARARGS, Builder_finish_doc},
    {"interrupt", (PyCFunction)Builder_interrupt, METH_NOARGS, Builder_interrupt_doc},
    /* annotated documents (kwiq_annotated.c) */
    {"annotate", (PyCFunction)kwiq_builder_annotate, METH_VARARGS, kwiq_builder_annotate_doc},
    {"add_conllu", (PyCFunction)kwiq_builder_add_conllu, METH_VARARGS, kwiq_builder_add_conllu_doc},
    {"add_vrt", (PyCFunction)kwiq_builder_add_vrt, METH_O, kwiq_builder_add_vrt_doc},
    {"add_annotated", (PyCFunction)kwiq_builder_add_annotated, METH_VARARGS,
     kwiq_builder_add_annotated_doc},
    {"add_document_of", (PyCFunction)kwiq_builder_add_document_of, METH_VARARGS,
     kwiq_builder_add_document_of_doc},
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

PyType_Spec kwiq_builder_spec = {
    .name = "kwiq._core.Builder",
    .basicsize = sizeof(BuilderObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = Builder_slots,
};
