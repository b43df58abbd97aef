/*
 * test_support.h: what the C test programs share: the CHECK macro and its
 * counts, and a growing buffer to save indexes into. Each program includes
 * it once and closes with "N passed, N failed" (tools/run_ctests.py). Also
 * building a small index, saving and loading one in memory, and an
 * allocator that fails on request.
 */
#ifndef TEST_SUPPORT_H
#define TEST_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kw_core.h"

static int passed, failed;

#define CHECK(cond)                                                \
    do {                                                           \
        if (cond) {                                                \
            passed++;                                              \
        } else {                                                   \
            failed++;                                              \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
        }                                                          \
    } while (0)

/* An allocator whose fail_at-th call fails, counting from 0 (-1: none);
 * calls counts them. Each test file declares its own:
 *     static failing_alloc failing = FAILING_ALLOC(failing);
 * and passes &failing.alloc, setting fail_at and calls between runs. */
typedef struct failing_alloc {
    kw_alloc alloc;
    long fail_at, calls;
} failing_alloc;

static inline void *failing_malloc(void *ctx, size_t n)
{
    failing_alloc *f = ctx;
    return f->calls++ == f->fail_at ? NULL : malloc(n);
}

static inline void *failing_realloc(void *ctx, void *p, size_t n)
{
    failing_alloc *f = ctx;
    return f->calls++ == f->fail_at ? NULL : realloc(p, n);
}

static inline void failing_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

#define FAILING_ALLOC(self)                                             \
    {                                                                   \
        {failing_malloc, failing_realloc, failing_free, &(self)}, -1, 0 \
    }

/* A growing buffer that kw_index_save writes into; it fails its
 * fail_write-th write when that is >= 0. */
typedef struct membuf {
    unsigned char *data;
    size_t len, cap;
    long writes, fail_write;
} membuf;

static inline int membuf_write(void *ctx, const void *data, size_t n)
{
    membuf *m = ctx;
    if (m->writes++ == m->fail_write)
        return -1;
    if (m->len + n > m->cap) {
        size_t cap = m->cap ? m->cap : 4096;
        while (cap < m->len + n)
            cap *= 2;
        unsigned char *grown = realloc(m->data, cap);
        if (!grown)
            return -1;
        m->data = grown;
        m->cap = cap;
    }
    memcpy(m->data + m->len, data, n);
    m->len += n;
    return 0;
}

/* The saved bytes of ix with `blob`, in a new malloc'd (so aligned) buffer. */
static inline unsigned char *save(const kw_index *ix, const char *blob, size_t *len)
{
    membuf m = {NULL, 0, 0, 0, -1};
    kw_status st = kw_index_save(ix, blob, strlen(blob), membuf_write, &m);
    *len = m.len;
    if (st != KW_OK) {
        free(m.data);
        return NULL;
    }
    return m.data;
}

/* An index of the n documents (NULL when a build step fails). */
static inline kw_index *build(const char *const *docs, size_t n)
{
    kw_builder *b;
    kw_index *ix = NULL;
    size_t bad;
    if (kw_builder_new(&kw_alloc_libc, &b) != KW_OK)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (kw_builder_add(b, docs[i], strlen(docs[i]), &bad) != KW_OK) {
            kw_builder_free(b);
            return NULL;
        }
    if (kw_builder_finish(b, &ix) != KW_OK)
        kw_builder_free(b);
    return ix;
}

static inline kw_status load(const unsigned char *data, size_t len, kw_index **ix,
                             kw_load_error *err)
{
    const void *blob;
    size_t blob_len;
    return kw_index_load(data, len, &kw_alloc_libc, ix, &blob, &blob_len, err);
}

#endif
