/*
 * kw_attr.c: positional attributes and structures (see kw_attr.h).
 */
#include <string.h>

#include "kw_alloc.h"
#include "kw_attr.h"
#include "kw_cancel.h"

size_t kw_structure_find(const kw_structure *st, uint32_t pos)
{
    /* The last region starting at or before pos; empty regions share their
     * start with the next one, and this skips past them. */
    size_t lo = 0, hi = st->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->start[mid] <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || pos >= st->end[lo - 1])
        return st->n;
    return lo - 1;
}

/* ---- building ---- */

static char *copy_name(const kw_alloc *a, const char *name)
{
    size_t n = strlen(name) + 1;
    char *copy = kw_malloc(a, n);
    if (copy)
        memcpy(copy, name, n);
    return copy;
}

kw_status kw_attr_builder_init(kw_attr_builder *b, const kw_alloc *a, const char *name)
{
    memset(b, 0, sizeof *b);
    kw_strtab_init(&b->forms);
    b->name = copy_name(a, name);
    return b->name ? KW_OK : KW_ENOMEM;
}

void kw_attr_builder_free(kw_attr_builder *b, const kw_alloc *a)
{
    kw_free(a, b->name);
    kw_free(a, b->toks);
    kw_strtab_free(&b->forms, a);
    memset(b, 0, sizeof *b);
}

kw_status kw_structure_builder_init(kw_structure_builder *b, const kw_alloc *a, const char *name)
{
    memset(b, 0, sizeof *b);
    b->name = copy_name(a, name);
    return b->name ? KW_OK : KW_ENOMEM;
}

void kw_structure_builder_free(kw_structure_builder *b, const kw_alloc *a)
{
    kw_free(a, b->name);
    kw_free(a, b->start);
    kw_free(a, b->end);
    memset(b, 0, sizeof *b);
}

static unsigned width_for(size_t n_types)
{
    return n_types <= 1u << 8 ? 1 : n_types <= 1u << 16 ? 2 : n_types <= 1u << 24 ? 3 : 4;
}

/* The LEB128 bytes of v (kw_attr.h) at out; how many. */
static size_t put_varint(unsigned char *out, uint32_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (unsigned char)v;
    return n;
}

static size_t varint_bytes(uint32_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

kw_status kw_attr_finish(kw_attr_builder *b, const kw_alloc *a, size_t n_tokens,
                         const kw_cancel *cancel, kw_attr *out)
{
    const size_t n_types = b->forms.n;
    const unsigned width = width_for(n_types);
    unsigned char *stream = width == 4 ? NULL : kw_malloc(a, n_tokens * width);
    uint32_t *post_start = kw_malloc(a, (n_types + 1) * sizeof *post_start);
    uint64_t *vpost_start = kw_malloc(a, (n_types + 1) * sizeof *vpost_start);
    uint32_t *next = kw_malloc(a, (n_types + 1) * sizeof *next); /* a type's last position */
    unsigned char *vpost = NULL;
    kw_status st = KW_ENOMEM;
    if ((width != 4 && !stream) || !post_start || !vpost_start || !next)
        goto failed;
    /* Count each type's positions and the bytes of their distances, in
     * one pass; then place the distances, in a second. */
    memset(post_start, 0, (n_types + 1) * sizeof *post_start);
    memset(vpost_start, 0, (n_types + 1) * sizeof *vpost_start);
    for (size_t t = 0; t < n_types; t++)
        next[t] = UINT32_MAX;
    for (size_t lo = 0; lo < n_tokens; lo = kw_chunk_end(lo, n_tokens)) {
        if (lo && kw_stop_asked(cancel))
            goto stopped;
        for (size_t pos = lo, end = kw_chunk_end(lo, n_tokens); pos < end; pos++) {
            const uint32_t type = b->toks[pos];
            post_start[type + 1]++;
            vpost_start[type + 1] += varint_bytes((uint32_t)pos - next[type]);
            next[type] = (uint32_t)pos;
            if (width != 4)
                for (unsigned k = 0; k < width; k++)
                    stream[pos * width + k] = (unsigned char)(type >> (8 * k));
        }
    }
    for (size_t t = 0; t < n_types; t++) {
        post_start[t + 1] += post_start[t];
        vpost_start[t + 1] += vpost_start[t];
    }
    if (!(vpost = kw_malloc(a, (size_t)vpost_start[n_types])))
        goto failed;
    /* Where each type's next distance goes, as a byte offset, in `next`'s
     * place: the offsets need 64 bits, so a second array. */
    uint64_t *at = kw_malloc(a, (n_types + 1) * sizeof *at);
    if (!at)
        goto failed;
    memcpy(at, vpost_start, (n_types + 1) * sizeof *at);
    for (size_t t = 0; t < n_types; t++)
        next[t] = UINT32_MAX;
    for (size_t lo = 0; lo < n_tokens; lo = kw_chunk_end(lo, n_tokens)) {
        if (lo && kw_stop_asked(cancel)) {
            kw_free(a, at);
            goto stopped;
        }
        for (size_t pos = lo, end = kw_chunk_end(lo, n_tokens); pos < end; pos++) {
            const uint32_t type = b->toks[pos];
            at[type] += put_varint(vpost + at[type], (uint32_t)pos - next[type]);
            next[type] = (uint32_t)pos;
        }
    }
    kw_free(a, at);
    kw_free(a, next);

    *out = (kw_attr){.name = b->name,
                     .forms = b->forms,
                     .toks = width == 4 ? b->toks : NULL,
                     .tok_bytes = width == 4 ? (const unsigned char *)b->toks : stream,
                     .tok_width = width,
                     .n_groups = n_types,
                     .post_start = post_start,
                     .vpost_start = vpost_start,
                     .vpost = vpost};
    return KW_OK;

stopped:
    st = KW_EINTR;
failed:
    kw_free(a, stream);
    kw_free(a, post_start);
    kw_free(a, vpost_start);
    kw_free(a, next);
    kw_free(a, vpost);
    return st;
}

void kw_attr_unfinish(kw_attr *attr, const kw_alloc *a)
{
    if (attr->tok_width != 4)
        kw_free(a, (void *)(uintptr_t)attr->tok_bytes);
    kw_free(a, (void *)(uintptr_t)attr->post_start);
    kw_free(a, (void *)(uintptr_t)attr->vpost_start);
    kw_free(a, (void *)(uintptr_t)attr->vpost);
}

void kw_attr_builder_hand_over(kw_attr_builder *b, const kw_attr *finished, const kw_alloc *a)
{
    if (finished->tok_width != 4)
        kw_free(a, b->toks);
    b->toks = NULL;
    b->name = NULL;
    kw_strtab_init(&b->forms);
}

void kw_structure_finish(kw_structure_builder *b, kw_structure *out)
{
    *out = (kw_structure){.name = b->name, .start = b->start, .end = b->end, .n = b->n};
    b->name = NULL;
    b->start = b->end = NULL;
    b->n = b->cap = 0;
}

void kw_attr_free(kw_attr *attr, const kw_alloc *a)
{
    kw_free(a, (void *)(uintptr_t)attr->name);
    kw_strtab_free(&attr->forms, a);
    kw_free(a, (void *)(uintptr_t)attr->tok_bytes);
    kw_free(a, (void *)(uintptr_t)attr->post_start);
    kw_free(a, (void *)(uintptr_t)attr->vpost_start);
    kw_free(a, (void *)(uintptr_t)attr->vpost);
}

void kw_structure_free(kw_structure *st, const kw_alloc *a)
{
    kw_free(a, (void *)(uintptr_t)st->name);
    kw_free(a, (void *)(uintptr_t)st->start);
    kw_free(a, (void *)(uintptr_t)st->end);
}

void kw_structure_free_found(kw_structure *st, const kw_alloc *a)
{
    kw_structure *made = atomic_load(&st->made);
    if (!made)
        return;
    kw_free(a, (void *)(uintptr_t)made->start);
    kw_free(a, (void *)(uintptr_t)made->end);
    kw_free(a, made);
}
