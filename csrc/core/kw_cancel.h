/*
 * kw_cancel.h: how the core asks a kw_cancel (kw_core.h) whether to stop;
 * internal to the core.
 *
 * A loop that may run long is cut into chunks of KW_POLL_EVERY steps and
 * asks between them, so the question costs nothing measurable. The parts
 * of one piece of work run by a kw_runner share a kw_parts_stop: the first
 * part told to stop makes the others stop at their next chunk, and the
 * caller then sees the stop once all have returned.
 */
#ifndef KW_CANCEL_H
#define KW_CANCEL_H

#include <stdatomic.h>

#include "kw_core.h"

static inline int kw_stop_asked(const kw_cancel *cancel)
{
    return cancel && cancel->poll(cancel->ctx);
}

/* The end of the chunk of [lo, end) that comes before the next question. */
static inline size_t kw_chunk_end(size_t lo, size_t end)
{
    return end - lo < KW_POLL_EVERY ? end : lo + KW_POLL_EVERY;
}

typedef struct kw_parts_stop {
    const kw_cancel *cancel;
    atomic_int stopped;
} kw_parts_stop;

static inline void kw_parts_stop_init(kw_parts_stop *s, const kw_cancel *cancel)
{
    s->cancel = cancel;
    atomic_init(&s->stopped, 0);
}

/* 1 once a part was told to stop, without asking. */
static inline int kw_parts_were_stopped(kw_parts_stop *s)
{
    return atomic_load_explicit(&s->stopped, memory_order_relaxed);
}

/* 1 once any part was told to stop (and from now on), asking if none was. */
static inline int kw_parts_stopped(kw_parts_stop *s)
{
    if (kw_parts_were_stopped(s))
        return 1;
    if (!kw_stop_asked(s->cancel))
        return 0;
    atomic_store_explicit(&s->stopped, 1, memory_order_relaxed);
    return 1;
}

#endif
