/*
 * kwiq_objects.h: what the files of the CPython binding (module kwiq._core)
 * share: the module's state, the structs of its objects and the few helpers
 * more than one file calls. Private to csrc/python/.
 *
 * The binding only converts arguments, releases the GIL around core work
 * and builds results; the public API, defaults and display live in
 * pkg/kwiq/. One file an object: kwiq_module.c (the module, its functions
 * and constants), kwiq_builder.c, kwiq_index.c and kwiq_hits.c; the methods
 * for building annotated corpora in kwiq_annotated.c, and for reading
 * attributes and structures in kwiq_attrs.c; CQL in kwiq_cql.c.
 *
 * Text crosses the boundary as UTF-8: an ASCII str is read in place, any
 * other str is encoded to a temporary buffer (by Builder.add without the
 * GIL, from the str's code units, with kw_utf8_from_units), and the core
 * keeps its own copy. Offsets handed back are code point counts, i.e. str
 * indices.
 */
#ifndef KWIQ_OBJECTS_H
#define KWIQ_OBJECTS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdatomic.h>

#include "kw_core.h"

typedef struct {
    PyTypeObject *builder_type;
    PyTypeObject *index_type;
    PyTypeObject *hits_type;
    PyObject *line_type;
    PyObject *format_error; /* kwiq.FormatError */
} module_state;

/* A kw_builder that one thread at a time feeds with batches of documents,
 * with the GIL released, so that several builders fill at once; then
 * appended in order and finished. Python (kwiq._build) runs the threads. */
typedef struct {
    PyObject_HEAD kw_builder *b; /* NULL once appended to another builder, or finished */
    int busy;                    /* a call is working on b with the GIL released */
    atomic_int interrupted;      /* Builder.interrupt(): every call stops */
} BuilderObject;

typedef struct {
    PyObject_HEAD kw_index *ix;
    /* A loaded index reads these bytes in place (view.obj is the owner,
     * e.g. an mmap, kept alive and unable to close until dealloc); a built
     * one owns its arrays and has_view 0. */
    Py_buffer view;
    int has_view;
} IndexObject;

typedef struct {
    PyObject_HEAD PyObject *index; /* the IndexObject the hits borrow from */
    kw_hits *hits;
} HitsObject;

extern PyType_Spec kwiq_builder_spec, kwiq_index_spec, kwiq_hits_spec;

/* The core's allocator: PyMem_Raw*, which may be called without the GIL. */
extern const kw_alloc kwiq_alloc;

/* The GIL released around a long core call that Ctrl-C may stop
 * (kwiq_stop.c): pass &cancel to the core between kwiq_stop_release and
 * kwiq_stop_reacquire. On the main thread, a signal handler that raises
 * (KeyboardInterrupt) stops the call, which returns KW_EINTR with that
 * exception set; `flag` (or NULL), once set by any thread, stops it too. */
typedef struct {
    kw_cancel cancel;
    PyThreadState *saved;
    atomic_int *flag;
    int on_main_thread;
    int stopped;
    int64_t asked_at; /* ns, CLOCK_MONOTONIC */
} kwiq_stop;

void kwiq_stop_release(kwiq_stop *s, atomic_int *flag);
void kwiq_stop_reacquire(kwiq_stop *s);
/* Called once by the module's exec: finds the main thread. -1 on error. */
int kwiq_stop_module_init(void);

/* Raise the exception of a status other than KW_OK (MemoryError,
 * OverflowError or ValueError; KW_EINTR: the exception a signal handler
 * raised, else KeyboardInterrupt); returns NULL. */
PyObject *kwiq_raise_status(kw_status st);

/* A kw_runner of `threads` parts on native threads (kwiq_builder.c), run
 * with the GIL released; NULL for threads <= 1 (the work stays on this
 * thread). */
const kw_runner *kwiq_runner_of(Py_ssize_t threads, kw_runner *runner);

/* The functions and constants of kwiq_cql.c, which module_exec adds. */
extern PyMethodDef kwiq_cql_methods[];
int kwiq_cql_add_constants(PyObject *module);

/* 0 if the builder may be used now (no other thread's call on it, not
 * appended or finished), else -1 with an exception set. */
int kwiq_builder_ready(BuilderObject *self);

/* The methods that build annotated corpora (kwiq_annotated.c), in
 * Builder's method table. */
PyObject *kwiq_builder_annotate(BuilderObject *self, PyObject *args);
PyObject *kwiq_builder_add_conllu(BuilderObject *self, PyObject *args);
PyObject *kwiq_builder_add_vrt(BuilderObject *self, PyObject *source);
PyObject *kwiq_builder_add_annotated(BuilderObject *self, PyObject *args);
PyObject *kwiq_builder_add_document_of(BuilderObject *self, PyObject *args);
extern const char kwiq_builder_annotate_doc[], kwiq_builder_add_conllu_doc[],
    kwiq_builder_add_vrt_doc[], kwiq_builder_add_annotated_doc[],
    kwiq_builder_add_document_of_doc[];

/* The methods that read attributes and structures (kwiq_attrs.c), in
 * Index's method table. */
PyObject *kwiq_index_annotated(IndexObject *self, PyObject *unused);
PyObject *kwiq_index_attributes(IndexObject *self, PyObject *unused);
PyObject *kwiq_index_structures(IndexObject *self, PyObject *unused);
PyObject *kwiq_index_attr_forms(IndexObject *self, PyObject *arg);
PyObject *kwiq_index_attr_types(IndexObject *self, PyObject *args);
PyObject *kwiq_index_structure_regions(IndexObject *self, PyObject *arg);
extern const char kwiq_index_annotated_doc[], kwiq_index_attributes_doc[],
    kwiq_index_structures_doc[], kwiq_index_attr_forms_doc[], kwiq_index_attr_types_doc[],
    kwiq_index_structure_regions_doc[];

/* Attributes in counts, sorting and lines (kwiq_attrs.c): 1 if attr is the
 * number of an attribute of the index, else 0 with ValueError; and the
 * methods Index.attr_ranks, Index.add_type_attr and Hits.tagged. */
int kwiq_attr_in_range(IndexObject *self, Py_ssize_t attr);
PyObject *kwiq_index_attr_ranks(IndexObject *self, PyObject *arg);
PyObject *kwiq_index_add_type_attr(IndexObject *self, PyObject *args);
PyObject *kwiq_hits_tagged(HitsObject *self, PyObject *args);
extern const char kwiq_index_attr_ranks_doc[], kwiq_hits_tagged_doc[],
    kwiq_index_add_type_attr_doc[];

/* A Hits object owning `hits` and keeping `index` alive; frees hits on error. */
PyObject *kwiq_new_hits(PyObject *index, kw_hits *hits);

/* Hits methods of kwiq_select.c (docstrings beside them). */
PyObject *kwiq_hits_take(HitsObject *self, PyObject *args);
PyObject *kwiq_hits_select(HitsObject *self, PyObject *arg);
PyObject *kwiq_hits_where(HitsObject *self, PyObject *arg);
PyObject *kwiq_hits_near(HitsObject *self, PyObject *args);
PyObject *kwiq_hits_n_docs(HitsObject *self, PyObject *unused);
extern const char kwiq_hits_take_doc[], kwiq_hits_select_doc[], kwiq_hits_where_doc[],
    kwiq_hits_near_doc[], kwiq_hits_n_docs_doc[];

#endif
