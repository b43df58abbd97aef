/*
 * kwiq_stop.c: Ctrl-C during the core's long calls, which run with the GIL
 * released (see kwiq_objects.h, kwiq_stop).
 *
 * Python runs signal handlers in the main thread, between bytecodes, so a
 * call that keeps the GIL out for seconds would hold a KeyboardInterrupt
 * back for as long. The core asks its kw_cancel between chunks of work
 * (kw_core.h); here the answer, on the main thread and at most once a
 * millisecond, takes the GIL back for the moment PyErr_CheckSignals needs.
 * Other threads never take the GIL to ask (their handlers would not run):
 * they stop when another thread sets the call's flag (Builder.interrupt).
 */
#include "kwiq_objects.h" /* first: Python.h asks for POSIX (clock_gettime) */

#include <time.h>

/* How often, at most, the main thread takes the GIL back to ask. */
#define ASK_EVERY_NS 1000000

static unsigned long main_thread;

int kwiq_stop_module_init(void)
{
    PyObject *threading = PyImport_ImportModule("threading");
    PyObject *thread = threading ? PyObject_CallMethod(threading, "main_thread", NULL) : NULL;
    PyObject *ident = thread ? PyObject_GetAttrString(thread, "ident") : NULL;
    if (ident)
        main_thread = PyLong_AsUnsignedLong(ident);
    Py_XDECREF(ident);
    Py_XDECREF(thread);
    Py_XDECREF(threading);
    return PyErr_Occurred() ? -1 : 0;
}

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int kwiq_stop_poll(void *ctx)
{
    kwiq_stop *s = ctx;
    if (s->stopped || (s->flag && atomic_load(s->flag)))
        return s->stopped = 1;
    if (!s->on_main_thread || PyThread_get_thread_ident() != main_thread)
        return 0;
    int64_t now = now_ns();
    if (now - s->asked_at < ASK_EVERY_NS)
        return 0;
    s->asked_at = now;
    PyEval_RestoreThread(s->saved);
    s->stopped = PyErr_CheckSignals() < 0;
    s->saved = PyEval_SaveThread();
    return s->stopped;
}

void kwiq_stop_release(kwiq_stop *s, atomic_int *flag)
{
    s->cancel = (kw_cancel){kwiq_stop_poll, s};
    s->flag = flag;
    s->stopped = 0;
    s->on_main_thread = PyThread_get_thread_ident() == main_thread;
    s->asked_at = now_ns();
    s->saved = PyEval_SaveThread();
}

void kwiq_stop_reacquire(kwiq_stop *s) { PyEval_RestoreThread(s->saved); }
