/*
 * kw_annot_file.c: the annotation section of a saved index (see
 * kw_annot_file.h, and kw_file.c for the file around it).
 *
 * LAYOUT. Little-endian, as the rest of the file; every part below starts
 * at a multiple of 8 bytes from the section's start, the bytes before it
 * zero; N is the header's token count.
 *     u32 A, attributes beyond word; u32 S, structures beyond text;
 *     u64 E, span escapes
 *     gap     u8 x N   kw_spans.h: bytes after the previous token's end,
 *                      or KW_GAP_ESCAPE, or KW_GAP_SAME
 *     len     u8 x N   the token's bytes, or KW_LEN_ESCAPE
 *     escapes (u32 token, u32 0, u64 gap, u64 len) x E, by token
 *   then each attribute:
 *     u32 the bytes of its name with a closing NUL, u32 T, its types
 *     name    UTF-8 and a NUL
 *     u64 F, and the values back to back, F bytes
 *     offsets u64 x (T+1): value t is values[offsets[t] .. offsets[t+1])
 *     stream  the type of each token, W bytes (the fewest of 1, 2, 3, 4
 *             that hold T - 1) x N
 *     post_start u32 x (T+1): type t has post_start[t+1] - post_start[t]
 *             positions
 *     vpost_start u64 x (T+1), and vpost, vpost_start[T] bytes: the
 *             positions of type t, delta-coded as kw_attr.h says, are
 *             vpost[vpost_start[t] .. vpost_start[t+1])
 *   then each structure:
 *     u32 the bytes of its name with a closing NUL, u32 0, u64 R, regions
 *     name    UTF-8 and a NUL
 *     start u32 x R, end u32 x R
 *
 * LOADING CHECKS everything a query or a line will follow: the parts lie
 * inside the section and their padding is zero; names are non-empty UTF-8
 * without NUL, distinct, not `word` or `text`; values are UTF-8, offsets
 * ascend to F; every type id < T; postings start at 0, ascend to N, and
 * decode, each type's in exactly its bytes, to its count of positions < N,
 * ascending; regions ascend without
 * overlap, each inside one document; and the spans, read token by token
 * through each document as kw_span_reader reads them, stay inside it,
 * start and end on characters, escape exactly the tokens flagged, repeat a
 * span only after a token (with its length), and put each checkpoint's
 * token where its checkpoint says. The checksum over the section, checked
 * before, stands for what is not checked: that the streams and postings
 * are each other's inverse.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kw_alloc.h"
#include "kw_annot_file.h"
#include "kw_attr.h"
#include "kw_endian.h"
#include "kw_index.h"
#include "kw_spans.h"
#include "kw_text.h"

int kw_annot_present(const kw_index *ix) { return ix->spans.gap != NULL; }

static uint64_t pad8(uint64_t n) { return (n + 7) / 8 * 8; }

static unsigned width_for(uint64_t n_types)
{
    return n_types <= 1u << 8 ? 1 : n_types <= 1u << 16 ? 2 : n_types <= 1u << 24 ? 3 : 4;
}

/* ---- writing: one walk over the parts, counting or emitting ---- */

typedef struct writer {
    kw_annot_emit_fn emit; /* NULL: only count */
    void *ctx;
    uint64_t at;
    int failed;
} writer;

static void put(writer *w, const void *data, uint64_t n)
{
    if (w->emit && !w->failed && n && w->emit(w->ctx, data, (size_t)n) != 0)
        w->failed = 1;
    w->at += n;
}

static void align(writer *w)
{
    static const unsigned char zeros[8] = {0};
    put(w, zeros, pad8(w->at) - w->at);
}

static void put_head(writer *w, uint32_t a, uint32_t b, uint64_t c)
{
    unsigned char head[16];
    put32(head, a);
    put32(head + 4, b);
    put64(head + 8, c);
    put(w, head, 16);
}

static void walk(const kw_index *ix, writer *w)
{
    const uint64_t N = ix->n_tokens;
    put_head(w, (uint32_t)(ix->n_attrs - 1), (uint32_t)(ix->n_structures - 1), ix->spans.n_escapes);
    put(w, ix->spans.gap, N);
    align(w);
    put(w, ix->spans.len, N);
    align(w);
    put(w, ix->spans.escapes, ix->spans.n_escapes * sizeof(kw_span_escape));
    for (size_t k = 1; k < ix->n_attrs; k++) {
        const kw_attr *a = &ix->attrs[k];
        const uint64_t T = a->forms.n, name_bytes = strlen(a->name) + 1;
        put_head(w, (uint32_t)name_bytes, (uint32_t)T, a->forms.arena_len);
        put(w, a->name, name_bytes);
        align(w);
        put(w, a->forms.arena, a->forms.arena_len);
        align(w);
        static const uint64_t no_offsets[1] = {0};
        put(w, T ? (const void *)a->forms.offsets : no_offsets, (T + 1) * 8);
        put(w, a->tok_bytes, N * a->tok_width);
        align(w);
        put(w, a->post_start, (T + 1) * 4);
        align(w);
        put(w, a->vpost_start, (T + 1) * 8);
        put(w, a->vpost, a->vpost_start[T]);
        align(w);
    }
    for (size_t k = 1; k < ix->n_structures; k++) {
        const kw_structure *st = &ix->structures[k];
        const uint64_t name_bytes = strlen(st->name) + 1;
        put_head(w, (uint32_t)name_bytes, 0, st->n);
        put(w, st->name, name_bytes);
        align(w);
        put(w, st->start, st->n * 4);
        align(w);
        put(w, st->end, st->n * 4);
        align(w);
    }
}

uint64_t kw_annot_saved_size(const kw_index *ix)
{
    writer w = {0};
    walk(ix, &w);
    return w.at;
}

int kw_annot_write(const kw_index *ix, kw_annot_emit_fn emit, void *ctx)
{
    writer w = {emit, ctx, 0, 0};
    walk(ix, &w);
    return w.failed ? -1 : 0;
}

/* ---- loading ---- */

typedef struct cursor {
    const unsigned char *base;
    uint64_t len, at, file_offset;
    int section_id;
    kw_load_error *err;
} cursor;

typedef unsigned long long ull;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static kw_status
bad(cursor *c, uint64_t at, const char *fmt, ...)
{
    c->err->section = c->section_id;
    c->err->offset = c->file_offset + at;
    int n = snprintf(c->err->message, sizeof c->err->message, "section annotation: ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err->message + n, sizeof c->err->message - (size_t)n, fmt, ap);
    va_end(ap);
    return KW_EFORMAT;
}

/* The next n bytes as `what`, and the zero padding after them; NULL with
 * *st set when they run past the section or the padding is not zero. */
static const unsigned char *take(cursor *c, uint64_t count, uint64_t size, const char *what,
                                 kw_status *st)
{
    if (size && count > (c->len - c->at) / size) {
        *st = bad(c, c->at, "%s (%llu of %llu bytes) runs past the section's end", what, (ull)count,
                  (ull)size);
        return NULL;
    }
    const unsigned char *p = c->base + c->at;
    c->at += count * size;
    uint64_t end = pad8(c->at) < c->len ? pad8(c->at) : c->len;
    for (; c->at < end; c->at++)
        if (c->base[c->at]) {
            *st = bad(c, c->at, "padding after %s is not zero", what);
            return NULL;
        }
    return p;
}

static int valid_utf8(const unsigned char *p, const unsigned char *end)
{
    uint32_t cp;
    while (p < end) {
        int k = *p < 0x80 ? 1 : kw_utf8_decode(p, end, &cp);
        if (!k)
            return 0;
        p += k;
    }
    return 1;
}

/* A name: non-empty UTF-8 closed by its only NUL, not `reserved`. */
static const char *take_name(cursor *c, uint64_t bytes, const char *reserved, kw_status *st)
{
    const unsigned char *p = take(c, bytes, 1, "a name", st);
    if (!p)
        return NULL;
    if (bytes < 2 || p[bytes - 1] || memchr(p, 0, bytes - 1) || !valid_utf8(p, p + bytes - 1)
        || strcmp((const char *)p, reserved) == 0) {
        *st = bad(c, c->at - bytes, "a name is empty, not UTF-8, not closed by a NUL, or '%s'",
                  reserved);
        return NULL;
    }
    return (const char *)p;
}

static kw_status load_attr(cursor *c, const kw_index *ix, kw_attr *a)
{
    const uint64_t N = ix->n_tokens;
    kw_status st = KW_OK;
    const unsigned char *head = take(c, 16, 1, "an attribute's head", &st);
    if (!head)
        return st;
    const uint64_t name_bytes = get32(head), T = get32(head + 4), F = get64(head + 8);
    const char *name = take_name(c, name_bytes, "word", &st);
    if (!name)
        return st;
    const unsigned char *values = take(c, F, 1, "the values", &st);
    const uint64_t offsets_at = c->at;
    const void *offsets_bytes = values ? take(c, T + 1, 8, "the offsets", &st) : NULL;
    const uint64_t *offsets = offsets_bytes;
    const unsigned W = width_for(T);
    const uint64_t stream_at = c->at;
    const unsigned char *stream = offsets ? take(c, N, W, "the token stream", &st) : NULL;
    const uint64_t starts_at = c->at;
    const void *starts_bytes = stream ? take(c, T + 1, 4, "the postings' starts", &st) : NULL;
    const uint32_t *post_start = starts_bytes;
    const uint64_t vstarts_at = c->at;
    const void *vstarts_bytes = post_start ? take(c, T + 1, 8, "the postings' offsets", &st) : NULL;
    const uint64_t *vpost_start = vstarts_bytes;
    const uint64_t vpost_at = c->at;
    const unsigned char *vpost =
        vpost_start && vpost_start[0] == 0 ? take(c, vpost_start[T], 1, "the postings", &st) : NULL;
    if (vpost_start && vpost_start[0] != 0)
        return bad(c, vstarts_at, "attribute %s: the postings' offsets do not start at 0", name);
    if (!vpost)
        return st;
    if (offsets[0] != 0 || offsets[T] != F)
        return bad(c, offsets_at,
                   "attribute %s: the offsets run from %llu to %llu, not 0 to "
                   "%llu",
                   name, (ull)offsets[0], (ull)offsets[T], (ull)F);
    for (uint64_t t = 0; t < T; t++)
        if (offsets[t + 1] < offsets[t] || offsets[t + 1] > F
            || !valid_utf8(values + offsets[t], values + offsets[t + 1]))
            return bad(c, offsets_at + 8 * t,
                       "attribute %s: value %llu is out of place or not "
                       "UTF-8",
                       name, (ull)t);
    for (uint64_t pos = 0; pos < N; pos++) {
        const unsigned char *p = stream + pos * W;
        uint32_t type = 0;
        for (unsigned k = 0; k < W; k++)
            type |= (uint32_t)p[k] << (8 * k);
        if (type >= T)
            return bad(c, stream_at + pos * W, "attribute %s: token %llu has type %u of %llu", name,
                       (ull)pos, type, (ull)T);
    }
    if (post_start[0] != 0 || post_start[T] != N)
        return bad(c, starts_at,
                   "attribute %s: the postings start at %u and end at %u, not 0 "
                   "and %llu",
                   name, post_start[0], post_start[T], (ull)N);
    for (uint64_t t = 0; t < T; t++) {
        if (post_start[t + 1] < post_start[t] || vpost_start[t + 1] < vpost_start[t]
            || vpost_start[t + 1] > vpost_start[T])
            return bad(c, starts_at + 4 * t,
                       "attribute %s: the postings of type %llu end "
                       "before they start",
                       name, (ull)t);
        /* Decoded as kw_postings_next will, but never past the type's bytes. */
        const unsigned char *p = vpost + vpost_start[t], *end = vpost + vpost_start[t + 1];
        uint64_t last = UINT64_MAX;
        for (uint64_t k = post_start[t]; k < post_start[t + 1]; k++) {
            uint64_t gap = 0;
            unsigned shift = 0;
            unsigned char byte;
            do {
                if (p == end || shift > 28)
                    return bad(c, vpost_at + (uint64_t)(p - vpost),
                               "attribute %s: the "
                               "postings of type %llu run past their bytes",
                               name, (ull)t);
                byte = *p++;
                gap |= (uint64_t)(byte & 0x7F) << shift;
                shift += 7;
            } while (byte & 0x80);
            last += gap;
            if (gap == 0 || gap > UINT32_MAX || last >= N)
                return bad(c, vpost_at + (uint64_t)(p - vpost),
                           "attribute %s: posting %llu "
                           "is out of place",
                           name, (ull)k);
        }
        if (p != end)
            return bad(c, vpost_at + (uint64_t)(p - vpost),
                       "attribute %s: bytes left over "
                       "after the postings of type %llu",
                       name, (ull)t);
    }
    kw_strtab forms;
    kw_strtab_init(&forms);
    forms.arena = (char *)(uintptr_t)values;
    forms.arena_len = (size_t)F;
    forms.offsets = (uint64_t *)(uintptr_t)offsets;
    forms.n = (size_t)T;
    *a = (kw_attr){.name = name,
                   .forms = forms,
                   .toks = W == 4 ? (const uint32_t *)(const void *)stream : NULL,
                   .tok_bytes = stream,
                   .tok_width = W,
                   .n_groups = (size_t)T,
                   .post_start = post_start,
                   .vpost_start = vpost_start,
                   .vpost = vpost};
    return KW_OK;
}

static kw_status load_structure(cursor *c, const kw_index *ix, kw_structure *s)
{
    kw_status st = KW_OK;
    const unsigned char *head = take(c, 16, 1, "a structure's head", &st);
    if (!head)
        return st;
    const uint64_t name_bytes = get32(head), R = get64(head + 8);
    if (get32(head + 4))
        return bad(c, c->at - 12, "a structure's reserved field is not zero");
    const char *name = take_name(c, name_bytes, "text", &st);
    if (!name)
        return st;
    const uint64_t starts_at = c->at;
    const void *start_bytes = take(c, R, 4, "the region starts", &st);
    const void *end_bytes = start_bytes ? take(c, R, 4, "the region ends", &st) : NULL;
    const uint32_t *start = start_bytes, *end = end_bytes;
    if (!end)
        return st;
    size_t doc = 0;
    for (uint64_t i = 0; i < R; i++) {
        while (doc < ix->n_docs && ix->doc_tok[doc + 1] <= start[i]
               && ix->doc_tok[doc + 1] < end[i])
            doc++;
        if (start[i] > end[i] || end[i] > ix->n_tokens || (i && start[i] < end[i - 1])
            || (doc < ix->n_docs && end[i] > ix->doc_tok[doc + 1]))
            return bad(c, starts_at + 4 * i,
                       "structure %s: region %llu (%u .. %u) is out of "
                       "place",
                       name, (ull)i, start[i], end[i]);
    }
    *s = (kw_structure){.name = name, .start = start, .end = end, .n = (size_t)R};
    return KW_OK;
}

/* Read the spans of every token, as the line layout will, and check them. */
static kw_status check_spans(cursor *c, const kw_index *ix, uint64_t gap_at)
{
    const kw_spans *sp = &ix->spans;
    size_t escape = 0;
    for (size_t d = 0; d < ix->n_docs; d++) {
        const unsigned char *text = (const unsigned char *)ix->text + ix->doc_byte[d];
        const uint64_t n = ix->doc_byte[d + 1] - ix->doc_byte[d];
        uint64_t at = 0, chars = 0, prev_len = 0;
        for (size_t pos = ix->doc_tok[d]; pos < ix->doc_tok[d + 1]; pos++) {
            const size_t in_doc = pos - ix->doc_tok[d];
            const uint8_t g = sp->gap[pos], l = sp->len[pos];
            const int escaped = g == KW_GAP_ESCAPE || l == KW_LEN_ESCAPE;
            if (escape < sp->n_escapes && sp->escapes[escape].tok < pos)
                return bad(c, 0, "span escape %llu is of token %u, which is not escaped",
                           (ull)escape, sp->escapes[escape].tok);
            const kw_span_escape *e = NULL;
            if (escaped) {
                if (escape == sp->n_escapes || sp->escapes[escape].tok != pos
                    || sp->escapes[escape].reserved)
                    return bad(c, 0, "token %llu is escaped, but has no span escape", (ull)pos);
                e = &sp->escapes[escape++];
            }
            const uint64_t len = l == KW_LEN_ESCAPE ? e->len : l;
            uint64_t begin;
            if (g == KW_GAP_SAME) {
                if (!in_doc || len != prev_len)
                    return bad(c, gap_at + pos, "token %llu repeats a span it cannot", (ull)pos);
                begin = at - len;
            } else {
                const uint64_t gap = g == KW_GAP_ESCAPE ? e->gap : g;
                if (gap > n - at)
                    return bad(c, gap_at + pos, "token %llu starts past its document", (ull)pos);
                begin = at + gap;
            }
            if (len == 0 || len > n - begin || (begin < n && (text[begin] & 0xC0) == 0x80)
                || (begin + len < n && (text[begin + len] & 0xC0) == 0x80))
                return bad(c, gap_at + pos,
                           "token %llu (bytes %llu + %llu of document %llu) "
                           "leaves its document or cuts a character",
                           (ull)pos, (ull)begin, (ull)len, (ull)d);
            uint64_t char_begin = chars;
            if (g == KW_GAP_SAME) {
                for (uint64_t i = begin; i < at; i++)
                    char_begin -= (text[i] & 0xC0) != 0x80;
            } else {
                for (uint64_t i = at; i < begin; i++)
                    char_begin += (text[i] & 0xC0) != 0x80;
            }
            if (in_doc && in_doc % KW_CHECKPOINT == 0) {
                const kw_checkpoint *cp = kw_checkpoint_of(ix, d, in_doc / KW_CHECKPOINT);
                if (cp->byte != begin || cp->chars != char_begin)
                    return bad(c, gap_at + pos, "token %llu is not where its checkpoint says",
                               (ull)pos);
            }
            chars = char_begin;
            for (uint64_t i = begin; i < begin + len; i++)
                chars += (text[i] & 0xC0) != 0x80;
            at = begin + len;
            prev_len = len;
        }
    }
    if (escape != sp->n_escapes)
        return bad(c, 0, "span escape %llu is of no escaped token", (ull)escape);
    return KW_OK;
}

kw_status kw_annot_load(kw_index *ix, const unsigned char *section, uint64_t len,
                        uint64_t file_offset, int section_id, kw_load_error *err)
{
    cursor c = {section, len, 0, file_offset, section_id, err};
    const uint64_t N = ix->n_tokens;
    kw_status st = KW_OK;
    const unsigned char *head = take(&c, 16, 1, "the head", &st);
    if (!head)
        return st;
    const uint64_t A = get32(head), S = get32(head + 4), E = get64(head + 8);
    /* Each attribute and structure takes at least 24 bytes of the section. */
    if (A > len / 24 || S > len / 24)
        return bad(&c, 0, "%llu attributes and %llu structures, more than %llu bytes hold", (ull)A,
                   (ull)S, (ull)len);
    const uint64_t gap_at = c.at;
    const unsigned char *gap = take(&c, N, 1, "the gaps", &st);
    const unsigned char *lens = gap ? take(&c, N, 1, "the lengths", &st) : NULL;
    const unsigned char *escapes =
        lens ? take(&c, E, sizeof(kw_span_escape), "the escapes", &st) : NULL;
    if (!escapes)
        return st;
    if ((st = kw_index_init_views(ix, (size_t)A, (size_t)S, 1)) != KW_OK)
        return st;
    for (uint64_t k = 0; k < A; k++) {
        if ((st = load_attr(&c, ix, &ix->attrs[1 + k])))
            return st;
        for (uint64_t j = 0; j < k; j++)
            if (strcmp(ix->attrs[1 + j].name, ix->attrs[1 + k].name) == 0)
                return bad(&c, c.at, "two attributes are named %s", ix->attrs[1 + k].name);
    }
    for (uint64_t k = 0; k < S; k++) {
        if ((st = load_structure(&c, ix, &ix->structures[1 + k])))
            return st;
        for (uint64_t j = 0; j < k; j++)
            if (strcmp(ix->structures[1 + j].name, ix->structures[1 + k].name) == 0)
                return bad(&c, c.at, "two structures are named %s", ix->structures[1 + k].name);
    }
    if (c.at != len)
        return bad(&c, c.at, "%llu bytes left over after the last structure", (ull)(len - c.at));
    ix->spans = (kw_spans){.gap = (uint8_t *)(uintptr_t)gap,
                           .len = (uint8_t *)(uintptr_t)lens,
                           .escapes = (kw_span_escape *)(uintptr_t)escapes,
                           .n_escapes = (size_t)E};
    st = check_spans(&c, ix, gap_at);
    if (st != KW_OK)
        ix->spans = (kw_spans){0};
    return st;
}
