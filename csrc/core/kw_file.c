/*
 * kw_file.c: an index saved as one file, and loaded back in place.
 *
 * kw_index_save writes everything an index holds, so that kw_index_load can
 * use the bytes where they lie (a memory mapping of the file): no array is
 * rebuilt or copied, and loading costs one checking pass over the bytes.
 *
 * FORMAT, versions 1 and 2. Every integer is little-endian and fixed-width
 * (u8, u32, u64). The file is a 64-byte header, a table of 20 section
 * entries of 32 bytes (21 in version 2), then the sections in the order of
 * their ids. Version 1 holds a plain index; version 2 an annotated one (its
 * tokens, attributes and structures from a source such as CoNLL-U), whose
 * section 21 is described in kw_annot_file.c. Each section
 * starts at a multiple of 64 bytes from the start of the file, so every
 * array is aligned for reading in place, and is followed by zero bytes up
 * to the next multiple of 64; the last section's padding ends the file. So
 * the layout is fixed by the lengths: section 1 starts at byte 704 (736
 * in version 2), and section i + 1 where section i's padding ends.
 *
 * Header, bytes 0 .. 63:
 *     0   8  magic 89 4B 57 49 51 0D 0A 1A ("\x89KWIQ\r\n\x1a": a high byte, and
 *            the line ends and Ctrl-Z that a text-mode copy would mangle)
 *     8  u32 format version: 1 or 2
 *    12  u32 number of sections: 20 or 21
 *    16  u64 length of the file in bytes
 *    24  u64 D, documents
 *    32  u64 N, tokens (at most 2^32 - 2)
 *    40  u64 C, checkpoints
 *    48  u32 T, surface types (distinct forms as written)
 *    52  u32 G, fold groups (distinct case-folded forms), G <= T
 *    56  u64 checksum of bytes 0 .. 55 followed by the section table
 *
 * Section table, bytes 64 .. 703 (735): the entry of section id i at
 * byte 64 + 32 (i - 1):
 *     0  u32 id, i
 *     4  u32 0 (reserved)
 *     8  u64 offset of the section from the start of the file
 *    16  u64 length of the section in bytes, padding excluded
 *    24  u64 checksum of the section's bytes
 *
 * Checksums are XXH64, Yann Collet's published 64-bit hash (kw_checksum
 * implements it; any implementation recomputes them): the header's with
 * seed 0, a section's with its id as the seed.
 *
 * Sections, by id; "u32 x (D+1)" is an array of D + 1 u32:
 *     1 doc_byte      u64 x (D+1)  where each document starts in `text`, then text's length
 *     2 doc_tok       u32 x (D+1)  each document's first token, then N
 *     3 doc_ck        u32 x (D+1)  each document's first checkpoint, then C
 *     4 checkpoints   (u64 byte, u64 chars) x C: in each document, its 32nd,
 *                     64th, ... token (counting from 0: tokens 32, 64, ...)
 *                     starts at `byte` bytes and `chars` code points from
 *                     the document's start; a document of n tokens has
 *                     (n - 1) / 32 of them (none when n = 0)
 *     5 type_forms    the surface forms, UTF-8, back to back
 *     6 type_offsets  u64 x (T+1)  type t's form is type_forms[offsets[t] .. offsets[t+1])
 *     7 type_hashes   u32 x T      the low 32 bits of kw_hash (kw_strtab.c) of each form
 *     8 type_slots    u32 x S      the hash table: slot i holds 0 (empty) or a type id + 1,
 *                     the id of the form whose hash, linearly probed from slot
 *                     (hash & (S - 1)), first found it free; S a power of two
 *                     at least 2T, or 0 when T = 0
 *     9 is_word       u8 x T       1 for a word, 0 for punctuation
 *    10 group_of      u32 x T      each type's fold group
 *    11 group_forms   the case-folded forms, as type_forms
 *    12 group_offsets u64 x (G+1)  as type_offsets
 *    13 group_hashes  u32 x G      as type_hashes
 *    14 group_slots   u32 x S'     as type_slots, over the folded forms
 *    15 group_rank    u32 x G      each group's rank, 0 .. G-1, in the byte order of its form
 *    16 post_start    u32 x (G+1)  group g's postings are post[post_start[g] .. post_start[g+1])
 *    17 blob          the caller's bytes, opaque to the core (the Python
 *                     package keeps the document ids there, as JSON)
 *    18 text          every document's UTF-8, back to back
 *    19 toks          the surface type of every token, W bytes each: W = 2
 *                     when T <= 2^16, 3 when T <= 2^24, else 4
 *    20 post          u32 x N      every token position, grouped by fold group,
 *                     ascending within a group
 *    21 annotation    version 2 only: spans, attributes, structures
 *                     (kw_annot_file.c)
 *
 * The bytes of a save are a function of the index and the blob alone: the
 * same input always gives the same file, and so does saving a loaded index.
 *
 * WHAT LOADING CHECKS, in this order, before any array is used:
 *   - the magic number, the version, the section count; that the header
 *     and table are all there, their checksum, and the file's length (a
 *     file cut short says so);
 *   - each table entry: its id, the reserved word, the offset the layout
 *     fixes, a length the header's counts fix (or that fits in the file,
 *     for the blob, text, forms and slots); the padding, all zero;
 *   - the checksum of every section but the three big ones (text, toks,
 *     post), then their contents while they are in cache:
 *   - documents: doc_byte, doc_tok and doc_ck start at 0, never decrease,
 *     end at the text's length, N and C; each document has the checkpoints
 *     its token count gives it and (version 1) at least a byte per token;
 *   - checkpoints: increasing inside their document, before its end,
 *     (version 1) at least 32 tokens apart in bytes and code points, never
 *     more code points than bytes;
 *   - both string tables: offsets from 0 up to the forms' length, every
 *     form non-empty and valid UTF-8, every stored hash the form's hash,
 *     the slot count, every slot value <= the form count, every form in
 *     exactly one slot, reachable by probing from its hash's slot;
 *   - is_word 0 or 1, group_of < G, group_rank a permutation of 0 .. G-1,
 *     post_start from 0 up to N, never decreasing;
 *   - the big sections, in one pass each that checks a block of a few KiB
 *     right after adding it to the checksum: the text, valid UTF-8 in each
 *     document and a character starting at each checkpoint; every type id
 *     of toks < T; every position of post < N; and their checksums;
 *   - version 2: the annotation section, as kw_annot_file.c says.
 * So no count, offset, length, id or position is used before it is known
 * to lie inside the file and inside the array it indexes: a query on a
 * loaded index reads nothing outside it, and every probe loop ends.
 * Checksums stand for the rest, which loading cannot afford to recompute
 * (it would be a build): that the token stream is the text's tokens and the
 * postings their inverse. A file altered on purpose with its checksums
 * recomputed may give wrong lines, but never a crash or a hang.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kw_alloc.h"
#include "kw_annot_file.h"
#include "kw_bits.h"
#include "kw_endian.h"
#include "kw_index.h"
#include "kw_strtab.h"
#include "kw_text.h"

/* Version 1: a plain index; version 2: an annotated one, with section 21. */
#define FILE_VERSION 2
#define HEADER_BYTES 64
#define ENTRY_BYTES 32
#define ALIGN 64
/* Writes are at most this long. */
#define WRITE_CHUNK ((size_t)1 << 20)
/* The checking pass takes big sections a block at a time: a multiple of 32
 * (the checksum's stride) and of 3 and 4 (the widths of token ids). */
#define CHECK_BLOCK 6144
/* How far ahead of the checksum the bytes are asked for. */
#ifndef PREFETCH_AHEAD
#define PREFETCH_AHEAD 1024
#endif

enum section_id {
    S_DOC_BYTE = 1,
    S_DOC_TOK,
    S_DOC_CK,
    S_CHECKPOINTS,
    S_TYPE_FORMS,
    S_TYPE_OFFSETS,
    S_TYPE_HASHES,
    S_TYPE_SLOTS,
    S_IS_WORD,
    S_GROUP_OF,
    S_GROUP_FORMS,
    S_GROUP_OFFSETS,
    S_GROUP_HASHES,
    S_GROUP_SLOTS,
    S_GROUP_RANK,
    S_POST_START,
    S_BLOB,
    S_TEXT,
    S_TOKS,
    S_POST,
    S_ANNOTATION,
    N_PLAIN_SECTIONS = S_POST,
    N_SECTIONS = S_ANNOTATION
};

/* Where the sections start in a file of n_sections. */
static uint64_t table_end(int n_sections)
{
    return HEADER_BYTES + (uint64_t)n_sections * ENTRY_BYTES;
}

static const char *const section_name[N_SECTIONS + 1] = {
    "header",        "doc_byte",     "doc_tok",     "doc_ck",     "checkpoints", "type_forms",
    "type_offsets",  "type_hashes",  "type_slots",  "is_word",    "group_of",    "group_forms",
    "group_offsets", "group_hashes", "group_slots", "group_rank", "post_start",  "blob",
    "text",          "toks",         "post",        "annotation",
};

static const unsigned char magic[8] = {0x89, 'K', 'W', 'I', 'Q', '\r', '\n', 0x1A};

/* ---- the checksum ---- */

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull
#define P4 0x85EBCA77C2B2AE63ull
#define P5 0x27D4EB2F165667C5ull

static inline uint64_t rotl(uint64_t x, int r) { return x << r | x >> (64 - r); }

static inline uint64_t xx_round(uint64_t acc, uint64_t input)
{
    return rotl(acc + input * P2, 31) * P1;
}

static inline uint64_t xx_merge(uint64_t acc, uint64_t lane)
{
    return (acc ^ xx_round(0, lane)) * P1 + P4;
}

/* XXH64 over data given in pieces: four independent lanes of 8 bytes each,
 * so the multiplications of a 32-byte stripe run in parallel. */
typedef struct sum64 {
    uint64_t lane[4];
    uint64_t seed, total;
    unsigned char buf[32];
    size_t n_buf;
} sum64;

static void sum_init(sum64 *s, uint64_t seed)
{
    s->lane[0] = seed + P1 + P2;
    s->lane[1] = seed + P2;
    s->lane[2] = seed;
    s->lane[3] = seed - P1;
    s->seed = seed;
    s->total = 0;
    s->n_buf = 0;
}

static void sum_stripes(sum64 *s, const unsigned char *p, size_t n_stripes)
{
    uint64_t a = s->lane[0], b = s->lane[1], c = s->lane[2], d = s->lane[3];
    for (size_t i = 0; i < n_stripes; i++, p += 32) {
        /* Hardware prefetchers stop at page ends. */
        KW_PREFETCH(p + PREFETCH_AHEAD);
        a = xx_round(a, get64(p));
        b = xx_round(b, get64(p + 8));
        c = xx_round(c, get64(p + 16));
        d = xx_round(d, get64(p + 24));
    }
    s->lane[0] = a;
    s->lane[1] = b;
    s->lane[2] = c;
    s->lane[3] = d;
}

static void sum_update(sum64 *s, const void *data, size_t n)
{
    const unsigned char *p = data;
    s->total += n;
    if (s->n_buf) {
        size_t take = 32 - s->n_buf < n ? 32 - s->n_buf : n;
        memcpy(s->buf + s->n_buf, p, take);
        s->n_buf += take;
        p += take;
        n -= take;
        if (s->n_buf < 32)
            return;
        sum_stripes(s, s->buf, 1);
        s->n_buf = 0;
    }
    sum_stripes(s, p, n / 32);
    p += n / 32 * 32;
    n %= 32;
    if (n)
        memcpy(s->buf, p, n);
    s->n_buf = n;
}

static uint64_t sum_final(const sum64 *s)
{
    uint64_t h;
    if (s->total >= 32) {
        h = rotl(s->lane[0], 1) + rotl(s->lane[1], 7) + rotl(s->lane[2], 12) + rotl(s->lane[3], 18);
        for (int i = 0; i < 4; i++)
            h = xx_merge(h, s->lane[i]);
    } else {
        h = s->seed + P5;
    }
    h += s->total;
    const unsigned char *p = s->buf;
    size_t n = s->n_buf;
    for (; n >= 8; p += 8, n -= 8)
        h = rotl(h ^ xx_round(0, get64(p)), 27) * P1 + P4;
    if (n >= 4) {
        h = rotl(h ^ (uint64_t)get32(p) * P1, 23) * P2 + P3;
        p += 4;
        n -= 4;
    }
    for (; n; p++, n--)
        h = rotl(h ^ *p * P5, 11) * P1;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

uint64_t kw_checksum(const void *data, size_t n, uint64_t seed)
{
    sum64 s;
    sum_init(&s, seed);
    sum_update(&s, data, n);
    return sum_final(&s);
}

/* ---- the layout ---- */

static uint64_t align_up(uint64_t n) { return (n + ALIGN - 1) / ALIGN * ALIGN; }

/* Bytes per token id for T types: the fewest that hold T - 1. */
static unsigned tok_width_for(uint64_t n_types)
{
    return n_types <= (1u << 16) ? 2 : n_types <= (1u << 24) ? 3 : 4;
}

static size_t n_checkpoints_of(const kw_index *ix) { return ix->doc_ck[ix->n_docs]; }

typedef struct layout {
    const void *data[N_SECTIONS + 1];
    uint64_t len[N_SECTIONS + 1];
    uint64_t off[N_SECTIONS + 1];
    uint64_t file_len;
    int n_sections; /* N_PLAIN_SECTIONS, or N_SECTIONS for an annotated index */
    unsigned tok_width;
    int narrow; /* toks are written tok_width bytes each from ix->toks */
} layout;

static const uint64_t offsets_of_nothing[1] = {0};

static void set_section(layout *L, int id, const void *data, uint64_t len)
{
    L->data[id] = len ? data : NULL;
    L->len[id] = len;
}

static void set_strtab(layout *L, int forms, const kw_strtab *t)
{
    set_section(L, forms, t->arena, t->arena_len);
    set_section(L, forms + 1, t->n ? (const void *)t->offsets : offsets_of_nothing,
                (t->n + 1) * sizeof(uint64_t));
    set_section(L, forms + 2, t->hashes, t->n * sizeof(uint32_t));
    set_section(L, forms + 3, t->slots, t->slots ? (t->mask + 1) * sizeof(uint32_t) : 0);
}

static void plan(const kw_index *ix, const void *blob, size_t blob_len, layout *L)
{
    const size_t n_docs = ix->n_docs, n_types = ix->surface.n, n_groups = ix->folded.n;
    memset(L, 0, sizeof *L);
    set_section(L, S_DOC_BYTE, ix->doc_byte, (n_docs + 1) * sizeof(uint64_t));
    set_section(L, S_DOC_TOK, ix->doc_tok, (n_docs + 1) * sizeof(uint32_t));
    set_section(L, S_DOC_CK, ix->doc_ck, (n_docs + 1) * sizeof(uint32_t));
    set_section(L, S_CHECKPOINTS, ix->checkpoints, n_checkpoints_of(ix) * sizeof(kw_checkpoint));
    set_strtab(L, S_TYPE_FORMS, &ix->surface);
    set_section(L, S_IS_WORD, ix->is_word, n_types);
    set_section(L, S_GROUP_OF, ix->group_of, n_types * sizeof(uint32_t));
    set_strtab(L, S_GROUP_FORMS, &ix->folded);
    set_section(L, S_GROUP_RANK, ix->group_rank, n_groups * sizeof(uint32_t));
    set_section(L, S_POST_START, ix->post_start, (n_groups + 1) * sizeof(uint32_t));
    set_section(L, S_BLOB, blob, blob_len);
    set_section(L, S_TEXT, ix->text, ix->text_len);
    L->tok_width = tok_width_for(n_types);
    if (ix->tok_bytes) {
        set_section(L, S_TOKS, ix->tok_bytes, (uint64_t)ix->n_tokens * L->tok_width);
    } else {
        set_section(L, S_TOKS, ix->toks, (uint64_t)ix->n_tokens * L->tok_width);
        L->narrow = L->tok_width < 4;
    }
    set_section(L, S_POST, ix->post, ix->n_tokens * sizeof(uint32_t));
    L->n_sections = N_PLAIN_SECTIONS;
    if (kw_annot_present(ix)) {
        L->n_sections = N_SECTIONS;
        L->len[S_ANNOTATION] = kw_annot_saved_size(ix);
    }
    uint64_t at = table_end(L->n_sections);
    for (int id = 1; id <= L->n_sections; id++) {
        L->off[id] = at;
        at = align_up(at + L->len[id]);
    }
    L->file_len = at;
}

uint64_t kw_index_saved_size(const kw_index *ix, size_t blob_len)
{
    layout L;
    plan(ix, NULL, blob_len, &L);
    return L.file_len;
}

/* ---- saving ---- */

/* Token ids first .. first+n-1 of a built index, `width` bytes each. */
static void narrow_toks(const uint32_t *toks, size_t first, size_t n, unsigned width,
                        unsigned char *out)
{
    for (size_t i = 0; i < n; i++, out += width) {
        uint32_t t = toks[first + i];
        out[0] = (unsigned char)t;
        out[1] = (unsigned char)(t >> 8);
        if (width == 3)
            out[2] = (unsigned char)(t >> 16);
    }
}

typedef struct sink {
    kw_write_fn write;
    void *ctx;
    sum64 *sum; /* checksum the bytes instead of writing them */
} sink;

static int emit(sink *k, const void *data, size_t n)
{
    const unsigned char *p = data;
    while (n) {
        size_t part = n < WRITE_CHUNK ? n : WRITE_CHUNK;
        if (k->sum)
            sum_update(k->sum, p, part);
        else if (k->write(k->ctx, p, part) != 0)
            return -1;
        p += part;
        n -= part;
    }
    return 0;
}

static int emit_annotation(void *ctx, const void *data, size_t n) { return emit(ctx, data, n); }

/* The bytes of one section, without its padding. */
static int emit_section(sink *k, const kw_index *ix, const layout *L, int id, unsigned char *buf)
{
    if (id == S_ANNOTATION)
        return kw_annot_write(ix, emit_annotation, k);
    if (id != S_TOKS || !L->narrow)
        return emit(k, L->data[id], (size_t)L->len[id]);
    const size_t per_chunk = WRITE_CHUNK / L->tok_width;
    for (size_t first = 0; first < ix->n_tokens; first += per_chunk) {
        size_t n = ix->n_tokens - first < per_chunk ? ix->n_tokens - first : per_chunk;
        narrow_toks(ix->toks, first, n, L->tok_width, buf);
        if (emit(k, buf, n * L->tok_width) != 0)
            return -1;
    }
    return 0;
}

kw_status kw_index_save(const kw_index *ix, const void *blob, size_t blob_len, kw_write_fn write,
                        void *ctx)
{
    static const unsigned char zeros[ALIGN] = {0};
    if (!host_is_little_endian())
        return KW_EINVAL;
    layout L;
    plan(ix, blob, blob_len, &L);
    unsigned char *buf = NULL;
    if (L.narrow && !(buf = kw_malloc(&ix->alloc, WRITE_CHUNK)))
        return KW_ENOMEM;

    const size_t head_len = (size_t)table_end(L.n_sections);
    unsigned char head[HEADER_BYTES + N_SECTIONS * ENTRY_BYTES];
    memset(head, 0, sizeof head);
    memcpy(head, magic, sizeof magic);
    put32(head + 8, L.n_sections == N_SECTIONS ? FILE_VERSION : 1);
    put32(head + 12, (uint32_t)L.n_sections);
    put64(head + 16, L.file_len);
    put64(head + 24, ix->n_docs);
    put64(head + 32, ix->n_tokens);
    put64(head + 40, n_checkpoints_of(ix));
    put32(head + 48, (uint32_t)ix->surface.n);
    put32(head + 52, (uint32_t)ix->folded.n);
    for (int id = 1; id <= L.n_sections; id++) {
        sum64 s;
        sum_init(&s, (uint64_t)id);
        sink summing = {NULL, NULL, &s};
        emit_section(&summing, ix, &L, id, buf);
        unsigned char *entry = head + HEADER_BYTES + (id - 1) * ENTRY_BYTES;
        put32(entry, (uint32_t)id);
        put64(entry + 8, L.off[id]);
        put64(entry + 16, L.len[id]);
        put64(entry + 24, sum_final(&s));
    }
    sum64 s;
    sum_init(&s, 0);
    sum_update(&s, head, 56);
    sum_update(&s, head + HEADER_BYTES, head_len - HEADER_BYTES);
    put64(head + 56, sum_final(&s));

    sink out = {write, ctx, NULL};
    int failed = emit(&out, head, head_len);
    uint64_t at = head_len;
    for (int id = 1; id <= L.n_sections && !failed; id++) {
        failed = emit_section(&out, ix, &L, id, buf);
        at += L.len[id];
        if (!failed && align_up(at) > at)
            failed = emit(&out, zeros, (size_t)(align_up(at) - at));
        at = align_up(at);
    }
    kw_free(&ix->alloc, buf);
    return failed ? KW_EIO : KW_OK;
}

/* ---- loading ---- */

typedef struct loader {
    const unsigned char *base;
    uint64_t len;
    const kw_alloc *alloc;
    kw_load_error *err;
    uint64_t n_docs, n_tokens, n_checkpoints, n_types, n_groups;
    int n_sections; /* N_PLAIN_SECTIONS (version 1) or N_SECTIONS (2: annotated) */
    unsigned tok_width;
    uint64_t off[N_SECTIONS + 1], size[N_SECTIONS + 1], sum[N_SECTIONS + 1];
} loader;

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static kw_status
bad(loader *L, int section, uint64_t at, const char *fmt, ...)
{
    kw_load_error *e = L->err;
    e->section = section;
    e->offset = at;
    int n = 0;
    if (section)
        n = snprintf(e->message, sizeof e->message, "section %s: ", section_name[section]);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message + n, sizeof e->message - (size_t)n, fmt, ap);
    va_end(ap);
    return KW_EFORMAT;
}

typedef unsigned long long ull;

/* A section's bytes, and its elements' file offsets for messages. */
static const void *sec(const loader *L, int id) { return L->base + L->off[id]; }
static uint64_t at_elem(const loader *L, int id, uint64_t i, size_t size)
{
    return L->off[id] + i * size;
}

#define FREE_LENGTH UINT64_MAX

static kw_status check_header(loader *L)
{
    const unsigned char *b = L->base;
    if (L->len < sizeof magic || memcmp(b, magic, sizeof magic) != 0)
        return bad(L, 0, 0, "not a saved kwiq index (its first bytes are not kwiq's magic number)");
    if (L->len < 16)
        return bad(L, 0, L->len, "truncated: %llu bytes, where the header alone takes %d",
                   (ull)L->len, HEADER_BYTES);
    uint32_t version = get32(b + 8);
    if (version < 1 || version > FILE_VERSION)
        return bad(L, 0, 8, "format version %u%s; this kwiq reads versions 1 to %d", version,
                   version > FILE_VERSION ? " (written by a newer kwiq, or damaged)" : "",
                   FILE_VERSION);
    L->n_sections = version == 1 ? N_PLAIN_SECTIONS : N_SECTIONS;
    uint32_t n_sections = get32(b + 12);
    if (n_sections != (uint32_t)L->n_sections)
        return bad(L, 0, 12, "header: %u sections, where format version %u has %d", n_sections,
                   version, L->n_sections);
    const uint64_t head_len = table_end(L->n_sections);
    if (L->len < head_len)
        return bad(L, 0, L->len,
                   "truncated: %llu bytes, where the header and section table alone take %llu",
                   (ull)L->len, (ull)head_len);
    sum64 s;
    sum_init(&s, 0);
    sum_update(&s, b, 56);
    sum_update(&s, b + HEADER_BYTES, head_len - HEADER_BYTES);
    if (sum_final(&s) != get64(b + 56))
        return bad(L, 0, 56, "header or section table damaged (checksum mismatch)");
    uint64_t file_len = get64(b + 16);
    if (file_len != L->len)
        return bad(L, 0, 16,
                   file_len > L->len ? "truncated: %llu bytes of the %llu its header gives"
                                     : "%llu bytes, where its header gives %llu: bytes added",
                   (ull)L->len, (ull)file_len);
    L->n_docs = get64(b + 24);
    L->n_tokens = get64(b + 32);
    L->n_checkpoints = get64(b + 40);
    L->n_types = get32(b + 48);
    L->n_groups = get32(b + 52);
    if (L->n_tokens > KW_MAX_TOKENS)
        return bad(L, 0, 32, "header: %llu tokens, more than an index holds", (ull)L->n_tokens);
    if (L->n_types > UINT32_MAX - 1)
        return bad(L, 0, 48, "header: %llu types, more than an index holds", (ull)L->n_types);
    if (L->n_groups > L->n_types)
        return bad(L, 0, 52, "header: %llu fold groups for %llu types", (ull)L->n_groups,
                   (ull)L->n_types);
    /* Each document takes 16 bytes of the file and each checkpoint 16, so
     * bigger counts are damage; these bounds keep the sizes below exact. */
    if (L->n_docs >= L->len / 16)
        return bad(L, 0, 24, "header: %llu documents, more than a file of %llu bytes holds",
                   (ull)L->n_docs, (ull)L->len);
    if (L->n_checkpoints > L->len / 16)
        return bad(L, 0, 40, "header: %llu checkpoints, more than a file of %llu bytes holds",
                   (ull)L->n_checkpoints, (ull)L->len);
    L->tok_width = tok_width_for(L->n_types);
    return KW_OK;
}

static kw_status check_table(loader *L)
{
    const uint64_t D = L->n_docs, N = L->n_tokens, T = L->n_types, G = L->n_groups;
    uint64_t want[N_SECTIONS + 1];
    for (int id = 0; id <= N_SECTIONS; id++)
        want[id] = FREE_LENGTH;
    want[S_DOC_BYTE] = (D + 1) * 8;
    want[S_DOC_TOK] = want[S_DOC_CK] = (D + 1) * 4;
    want[S_CHECKPOINTS] = L->n_checkpoints * 16;
    want[S_TYPE_OFFSETS] = (T + 1) * 8;
    want[S_TYPE_HASHES] = want[S_GROUP_OF] = T * 4;
    want[S_IS_WORD] = T;
    want[S_GROUP_OFFSETS] = (G + 1) * 8;
    want[S_GROUP_HASHES] = want[S_GROUP_RANK] = G * 4;
    want[S_POST_START] = (G + 1) * 4;
    want[S_TOKS] = N * L->tok_width;
    want[S_POST] = N * 4;

    uint64_t at = table_end(L->n_sections);
    for (int id = 1; id <= L->n_sections; id++) {
        const unsigned char *e = L->base + HEADER_BYTES + (id - 1) * ENTRY_BYTES;
        const uint64_t where = (uint64_t)(e - L->base);
        uint32_t entry_id = get32(e);
        uint64_t off = get64(e + 8), size = get64(e + 16);
        if (entry_id != (uint32_t)id)
            return bad(L, 0, where, "section table: entry %d has id %u, not %d (%s)", id, entry_id,
                       id, section_name[id]);
        if (get32(e + 4) != 0)
            return bad(L, id, where + 4, "reserved table field is not zero");
        if (off != at)
            return bad(L, id, where + 8, "offset %llu, where the layout puts it at %llu", (ull)off,
                       (ull)at);
        if (off > L->len || size > L->len - off)
            return bad(L, id, where + 16, "%llu bytes at %llu run past the end of the file (%llu)",
                       (ull)size, (ull)off, (ull)L->len);
        if (want[id] != FREE_LENGTH && size != want[id])
            return bad(L, id, where + 16, "%llu bytes, where the header's counts give %llu",
                       (ull)size, (ull)want[id]);
        L->off[id] = off;
        L->size[id] = size;
        L->sum[id] = get64(e + 24);
        at = align_up(off + size);
    }
    if (at != L->len)
        return bad(L, 0, at, "the sections end at byte %llu of a file of %llu", (ull)at,
                   (ull)L->len);
    for (int id = 1; id <= L->n_sections; id++) {
        uint64_t end = L->off[id] + L->size[id];
        for (uint64_t i = end; i < align_up(end); i++)
            if (L->base[i])
                return bad(L, id, i, "padding byte %llu after the section is not zero", (ull)i);
    }
    return KW_OK;
}

static kw_status check_sum(loader *L, int id, uint64_t computed)
{
    if (computed != L->sum[id])
        return bad(L, id, L->off[id], "damaged (checksum mismatch over bytes %llu .. %llu)",
                   (ull)L->off[id], (ull)(L->off[id] + L->size[id]));
    return KW_OK;
}

/* A sorted array of n + 1 offsets from 0 to `last`. */
static kw_status check_steps64(loader *L, int id, const uint64_t *v, uint64_t n, uint64_t last,
                               const char *what)
{
    if (v[0] != 0)
        return bad(L, id, L->off[id], "%s 0 is %llu, not 0", what, (ull)v[0]);
    for (uint64_t i = 0; i < n; i++)
        if (v[i + 1] < v[i])
            return bad(L, id, at_elem(L, id, i + 1, 8),
                       "%s %llu (%llu) is less than the one before", what, (ull)(i + 1),
                       (ull)v[i + 1]);
    if (v[n] != last)
        return bad(L, id, at_elem(L, id, n, 8), "the last %s is %llu, not %llu", what, (ull)v[n],
                   (ull)last);
    return KW_OK;
}

static kw_status check_steps32(loader *L, int id, const uint32_t *v, uint64_t n, uint64_t last,
                               const char *what)
{
    if (v[0] != 0)
        return bad(L, id, L->off[id], "%s 0 is %u, not 0", what, v[0]);
    for (uint64_t i = 0; i < n; i++)
        if (v[i + 1] < v[i])
            return bad(L, id, at_elem(L, id, i + 1, 4), "%s %llu (%u) is less than the one before",
                       what, (ull)(i + 1), v[i + 1]);
    if (v[n] != last)
        return bad(L, id, at_elem(L, id, n, 4), "the last %s is %u, not %llu", what, v[n],
                   (ull)last);
    return KW_OK;
}

/* Checkpoints of a document of n tokens: its tokens 32, 64, ... */
static uint64_t checkpoints_for(uint64_t n_tokens)
{
    return n_tokens ? (n_tokens - 1) / KW_CHECKPOINT : 0;
}

static kw_status check_docs(loader *L)
{
    const uint64_t D = L->n_docs;
    const uint64_t *doc_byte = sec(L, S_DOC_BYTE);
    const uint32_t *doc_tok = sec(L, S_DOC_TOK), *doc_ck = sec(L, S_DOC_CK);
    kw_status st;
    if ((st = check_steps64(L, S_DOC_BYTE, doc_byte, D, L->size[S_TEXT], "document start"))
        || (st = check_steps32(L, S_DOC_TOK, doc_tok, D, L->n_tokens, "first token"))
        || (st = check_steps32(L, S_DOC_CK, doc_ck, D, L->n_checkpoints, "first checkpoint")))
        return st;
    for (uint64_t d = 0; d < D; d++) {
        uint64_t tokens = doc_tok[d + 1] - doc_tok[d];
        if (doc_ck[d + 1] - doc_ck[d] != checkpoints_for(tokens))
            return bad(L, S_DOC_CK, at_elem(L, S_DOC_CK, d + 1, 4),
                       "document %llu has %u checkpoints, where its %llu tokens make %llu", (ull)d,
                       doc_ck[d + 1] - doc_ck[d], (ull)tokens, (ull)checkpoints_for(tokens));
        if (L->n_sections == N_PLAIN_SECTIONS && doc_byte[d + 1] - doc_byte[d] < tokens)
            return bad(L, S_DOC_TOK, at_elem(L, S_DOC_TOK, d + 1, 4),
                       "document %llu has %llu tokens in %llu bytes", (ull)d, (ull)tokens,
                       (ull)(doc_byte[d + 1] - doc_byte[d]));
    }
    return KW_OK;
}

/* The length of the valid, shortest-form UTF-8 sequence (no surrogates)
 * starting with the byte c >= 0x80 at p, or 0; as kw_utf8_decode decides. */
static inline unsigned utf8_length(const unsigned char *p, const unsigned char *end)
{
    const unsigned c = p[0];
    const size_t avail = (size_t)(end - p);
    if (c >= 0xC2 && c <= 0xDF)
        return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return avail >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    uint32_t cp;
    return c >= 0xF0 ? (unsigned)kw_utf8_decode(p, end, &cp) : 0;
}

/* The index of the first byte >= 0x80 in a word of 8 with one. */
static inline unsigned first_high_byte(uint64_t high) { return kw_ctz64(high) / 8; }

/* Valid UTF-8 from *at up to at least `target` (a sequence that starts
 * before it is finished), no sequence running across a document's end.
 * Returns 1 and leaves *at at the first invalid byte if there is one. ASCII
 * goes by 32 bytes, then 8, a step; a word with a high byte jumps to it. */
static int utf8_until(const unsigned char *text, const uint64_t *doc_byte, uint64_t *doc,
                      uint64_t *at, uint64_t target)
{
    const uint64_t high = 0x8080808080808080ull;
    uint64_t p = *at;
    while (p < target) {
        while (doc_byte[*doc + 1] <= p)
            (*doc)++;
        const uint64_t end = doc_byte[*doc + 1], stop = end < target ? end : target;
        while (p < stop) {
            if (p + 32 <= stop
                && !((get64(text + p) | get64(text + p + 8) | get64(text + p + 16)
                      | get64(text + p + 24))
                     & high)) {
                p += 32;
                continue;
            }
            if (p + 8 <= stop) {
                const uint64_t found = get64(text + p) & high;
                if (!found) {
                    p += 8;
                    continue;
                }
                p += first_high_byte(found);
            } else if (text[p] < 0x80) {
                p++;
                continue;
            }
            const unsigned n = utf8_length(text + p, text + end);
            if (!n) {
                *at = p;
                return 1;
            }
            p += n;
        }
    }
    *at = p;
    return 0;
}

/* The text: its checksum, valid UTF-8 in each document, and a character
 * starting at each checkpoint, a block at a time while the block is in
 * cache. The checkpoints are known to lie inside their documents, in
 * order (check_checkpoints), so they go by in the order of the text. */
static kw_status check_text(loader *L)
{
    const unsigned char *text = sec(L, S_TEXT);
    const uint64_t *doc_byte = sec(L, S_DOC_BYTE);
    const uint32_t *doc_ck = sec(L, S_DOC_CK);
    const kw_checkpoint *cps = sec(L, S_CHECKPOINTS);
    const uint64_t n = L->size[S_TEXT];
    uint64_t doc = 0, at = 0, ck = 0, ck_doc = 0, ck_bad = UINT64_MAX;
    int invalid = 0;
    sum64 s;
    sum_init(&s, S_TEXT);
    for (uint64_t block = 0; block < n; block += CHECK_BLOCK) {
        size_t m = n - block < CHECK_BLOCK ? (size_t)(n - block) : CHECK_BLOCK;
        sum_update(&s, text + block, m);
        if (!invalid)
            invalid = utf8_until(text, doc_byte, &doc, &at, block + m);
        for (; ck < L->n_checkpoints; ck++) {
            while (doc_ck[ck_doc + 1] <= ck)
                ck_doc++;
            const uint64_t byte = doc_byte[ck_doc] + cps[ck].byte;
            if (byte >= block + m)
                break;
            if ((text[byte] & 0xC0) == 0x80 && ck_bad == UINT64_MAX)
                ck_bad = ck;
        }
    }
    kw_status st = check_sum(L, S_TEXT, sum_final(&s));
    if (st == KW_OK && invalid)
        st = bad(L, S_TEXT, L->off[S_TEXT] + at, "invalid UTF-8 at byte %llu of document %llu",
                 (ull)(at - doc_byte[doc]), (ull)doc);
    if (st == KW_OK && ck_bad != UINT64_MAX)
        st = bad(L, S_CHECKPOINTS, at_elem(L, S_CHECKPOINTS, ck_bad, 16),
                 "checkpoint %llu falls inside a character", (ull)ck_bad);
    return st;
}

/* The largest token id in a block of n ids of `width` bytes. */
static uint32_t max_id(const unsigned char *p, size_t n, unsigned width)
{
    uint32_t most = 0;
    if (width == 4) {
        const uint32_t *v = (const uint32_t *)(const void *)p;
        for (size_t i = 0; i < n; i++)
            most = v[i] > most ? v[i] : most;
    } else if (width == 2) {
        const uint16_t *v = (const uint16_t *)(const void *)p;
        uint16_t m = 0;
        for (size_t i = 0; i < n; i++)
            m = v[i] > m ? v[i] : m;
        most = m;
    } else {
        for (size_t i = 0; i < n; i++, p += 3) {
            uint32_t t = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
            most = t > most ? t : most;
        }
    }
    return most;
}

/* Whether any of exactly CHECK_BLOCK bytes of ids is >= limit: loops of a
 * constant count with no dependence between steps but an OR, which
 * compilers vectorize. */
static int any_id_at_least(const unsigned char *p, unsigned width, uint64_t limit)
{
    int found = 0;
    if (width == 4) {
        const uint32_t *v = (const uint32_t *)(const void *)p;
        if (limit > UINT32_MAX)
            return 0;
        for (size_t i = 0; i < CHECK_BLOCK / 4; i++)
            found |= v[i] >= (uint32_t)limit;
    } else if (width == 2) {
        const uint16_t *v = (const uint16_t *)(const void *)p;
        if (limit > UINT16_MAX)
            return 0;
        for (size_t i = 0; i < CHECK_BLOCK / 2; i++)
            found |= v[i] >= (uint16_t)limit;
    } else {
        /* Each id from a 4-byte load, the next id's first byte masked off;
         * the last one on its own, so as not to read past the block. */
        for (size_t i = 0; i < CHECK_BLOCK / 3 - 1; i++)
            found |= (get32(p + 3 * i) & 0xFFFFFF) >= limit;
        found |= max_id(p + CHECK_BLOCK - 3, 1, 3) >= limit;
    }
    return found;
}

/* The checksum of a big array of ids and that each is < limit, a block at
 * a time while the block is in cache. */
static kw_status check_ids(loader *L, int id, unsigned width, uint64_t limit, const char *what)
{
    const unsigned char *p = sec(L, id);
    const uint64_t n = L->size[id];
    uint64_t first_bad = UINT64_MAX;
    sum64 s;
    sum_init(&s, (uint64_t)id);
    for (uint64_t block = 0; block < n; block += CHECK_BLOCK) {
        size_t m = n - block < CHECK_BLOCK ? (size_t)(n - block) : CHECK_BLOCK;
        sum_update(&s, p + block, m);
        int found = m == CHECK_BLOCK ? any_id_at_least(p + block, width, limit)
                                     : max_id(p + block, m / width, width) >= limit;
        if (first_bad == UINT64_MAX && found) {
            for (uint64_t i = block / width;; i++) {
                if (max_id(p + i * width, 1, width) >= limit) {
                    first_bad = i;
                    break;
                }
            }
        }
    }
    kw_status st = check_sum(L, id, sum_final(&s));
    if (st == KW_OK && first_bad != UINT64_MAX)
        st = bad(L, id, at_elem(L, id, first_bad, width), "%s %llu is %u, not below %llu", what,
                 (ull)first_bad, max_id(p + first_bad * width, 1, width), (ull)limit);
    return st;
}

static kw_status check_checkpoints(loader *L)
{
    const kw_checkpoint *cps = sec(L, S_CHECKPOINTS);
    const uint64_t *doc_byte = sec(L, S_DOC_BYTE);
    const uint32_t *doc_ck = sec(L, S_DOC_CK);
    for (uint64_t d = 0; d < L->n_docs; d++) {
        const uint64_t length = doc_byte[d + 1] - doc_byte[d];
        uint64_t byte = 0, chars = 0;
        for (uint64_t k = doc_ck[d]; k < doc_ck[d + 1]; k++) {
            const kw_checkpoint *cp = &cps[k];
            /* Every token takes a byte and a code point at least, but the
             * words of an annotated multiword token share theirs. */
            const uint64_t apart = L->n_sections == N_PLAIN_SECTIONS ? KW_CHECKPOINT : 0;
            if (cp->byte < byte + apart || cp->chars < chars + apart || cp->byte >= length
                || cp->chars > cp->byte)
                return bad(L, S_CHECKPOINTS, at_elem(L, S_CHECKPOINTS, k, 16),
                           "checkpoint %llu (byte %llu, code point %llu of document %llu, "
                           "%llu bytes long) is out of place",
                           (ull)k, (ull)cp->byte, (ull)cp->chars, (ull)d, (ull)length);
            byte = cp->byte;
            chars = cp->chars;
        }
    }
    return KW_OK;
}

/* n bits of zero, from the loader's allocator. */
static uint8_t *new_bits(loader *L, uint64_t n)
{
    uint8_t *bits = kw_malloc(L->alloc, (size_t)(n / 8 + 1));
    if (bits)
        memset(bits, 0, (size_t)(n / 8 + 1));
    return bits;
}

static int test_and_set(uint8_t *bits, uint64_t i)
{
    int was = bits[i >> 3] >> (i & 7) & 1;
    bits[i >> 3] |= (uint8_t)(1u << (i & 7));
    return was;
}

/* A string table of n forms (sections forms .. forms + 3), as kw_strtab
 * would have made it. */
static kw_status check_strtab(loader *L, int forms, uint64_t n)
{
    const int offsets_id = forms + 1, hashes_id = forms + 2, slots_id = forms + 3;
    const unsigned char *arena = sec(L, forms);
    const uint64_t *offsets = sec(L, offsets_id);
    const uint32_t *hashes = sec(L, hashes_id), *slots = sec(L, slots_id);
    kw_status st;
    if ((st = check_steps64(L, offsets_id, offsets, n, L->size[forms], "form offset")))
        return st;
    for (uint64_t i = 0; i < n; i++) {
        const unsigned char *p = arena + offsets[i], *end = arena + offsets[i + 1];
        if (p == end)
            return bad(L, offsets_id, at_elem(L, offsets_id, i, 8), "form %llu is empty", (ull)i);
        for (uint32_t cp; p < end;) {
            int k = *p < 0x80 ? 1 : kw_utf8_decode(p, end, &cp);
            if (!k)
                return bad(L, forms, L->off[forms] + (uint64_t)(p - arena),
                           "form %llu is not valid UTF-8", (ull)i);
            p += k;
        }
        const char *form = (const char *)arena + offsets[i];
        if (hashes[i] != (uint32_t)kw_hash(form, (size_t)(offsets[i + 1] - offsets[i])))
            return bad(L, hashes_id, at_elem(L, hashes_id, i, 4),
                       "the hash of form %llu is not its form's", (ull)i);
    }

    if (L->size[slots_id] % 4)
        return bad(L, slots_id, L->off[slots_id], "%llu bytes, not a whole number of slots",
                   (ull)L->size[slots_id]);
    const uint64_t n_slots = L->size[slots_id] / 4;
    if (n_slots == 0) {
        if (n)
            return bad(L, slots_id, L->off[slots_id], "no slots for %llu forms", (ull)n);
        return KW_OK;
    }
    if ((n_slots & (n_slots - 1)) || n_slots < 2 * n || n_slots > ((uint64_t)1 << 32))
        return bad(L, slots_id, L->off[slots_id],
                   "%llu slots for %llu forms (a power of two, at least twice as many)",
                   (ull)n_slots, (ull)n);
    const uint64_t mask = n_slots - 1;
    uint64_t empty = 0;
    while (empty < n_slots && slots[empty])
        empty++;
    if (empty == n_slots)
        return bad(L, slots_id, L->off[slots_id], "no empty slot: a lookup would never end");
    uint8_t *seen = new_bits(L, n);
    if (!seen)
        return KW_ENOMEM;
    /* Walk the slots from after an empty one: each run of full slots
     * starts at run_start, and a form must sit between its hash's slot and
     * the end of its run, where a lookup probes. */
    uint64_t run_start = (empty + 1) & mask, full = 0;
    st = KW_OK;
    for (uint64_t j = 1; j <= n_slots && st == KW_OK; j++) {
        const uint64_t i = (empty + j) & mask;
        const uint32_t v = slots[i];
        if (!v) {
            run_start = (i + 1) & mask;
            continue;
        }
        if (v > n)
            st = bad(L, slots_id, at_elem(L, slots_id, i, 4),
                     "slot %llu holds %u, past the %llu forms", (ull)i, v, (ull)n);
        else if (test_and_set(seen, v - 1))
            st = bad(L, slots_id, at_elem(L, slots_id, i, 4), "form %u is in two slots", v - 1);
        else if (((i - (hashes[v - 1] & mask)) & mask) > ((i - run_start) & mask))
            st = bad(L, slots_id, at_elem(L, slots_id, i, 4),
                     "form %u is in slot %llu, where no lookup finds it", v - 1, (ull)i);
        full++;
    }
    kw_free(L->alloc, seen);
    if (st == KW_OK && full != n)
        st =
            bad(L, slots_id, L->off[slots_id], "%llu full slots for %llu forms", (ull)full, (ull)n);
    return st;
}

static kw_status check_vocabulary(loader *L)
{
    const uint64_t T = L->n_types, G = L->n_groups;
    kw_status st;
    if ((st = check_strtab(L, S_TYPE_FORMS, T)) || (st = check_strtab(L, S_GROUP_FORMS, G)))
        return st;
    const uint8_t *is_word = sec(L, S_IS_WORD);
    const uint32_t *group_of = sec(L, S_GROUP_OF), *rank = sec(L, S_GROUP_RANK);
    for (uint64_t t = 0; t < T; t++) {
        if (is_word[t] > 1)
            return bad(L, S_IS_WORD, at_elem(L, S_IS_WORD, t, 1),
                       "type %llu has flag %u, not 0 or 1", (ull)t, is_word[t]);
        if (group_of[t] >= G)
            return bad(L, S_GROUP_OF, at_elem(L, S_GROUP_OF, t, 4),
                       "type %llu is in group %u of %llu", (ull)t, group_of[t], (ull)G);
    }
    uint8_t *seen = new_bits(L, G);
    if (!seen)
        return KW_ENOMEM;
    for (uint64_t g = 0; g < G && st == KW_OK; g++)
        if (rank[g] >= G || test_and_set(seen, rank[g]))
            st = bad(L, S_GROUP_RANK, at_elem(L, S_GROUP_RANK, g, 4),
                     "group %llu has rank %u: the ranks are not 0 .. %llu, once each", (ull)g,
                     rank[g], (ull)(G ? G - 1 : 0));
    kw_free(L->alloc, seen);
    if (st == KW_OK)
        st = check_steps32(L, S_POST_START, sec(L, S_POST_START), G, L->n_tokens, "postings start");
    return st;
}

static void set_strtab_of(const loader *L, kw_strtab *t, int forms, uint64_t n)
{
    kw_strtab_init(t);
    t->arena = (char *)(uintptr_t)sec(L, forms);
    t->arena_len = (size_t)L->size[forms];
    t->offsets = (uint64_t *)(uintptr_t)sec(L, forms + 1);
    t->hashes = (uint32_t *)(uintptr_t)sec(L, forms + 2);
    t->n = (size_t)n;
    if (L->size[forms + 3]) {
        t->slots = (uint32_t *)(uintptr_t)sec(L, forms + 3);
        t->mask = (size_t)(L->size[forms + 3] / 4 - 1);
    }
}

kw_status kw_index_load(const void *data, size_t len, const kw_alloc *alloc, kw_index **out,
                        const void **blob, size_t *blob_len, kw_load_error *err)
{
    kw_load_error unused;
    loader L;
    memset(&L, 0, sizeof L);
    L.base = data;
    L.len = len;
    L.alloc = alloc;
    L.err = err ? err : &unused;
    memset(L.err, 0, sizeof *L.err);
    if ((uintptr_t)data % 8)
        return KW_EINVAL;
    if (!host_is_little_endian())
        return bad(&L, 0, 0,
                   "this machine is big-endian: saved indexes are little-endian and read "
                   "in place, so they load on little-endian machines only");

    kw_status st;
    if ((st = check_header(&L)) || (st = check_table(&L)))
        return st;
    for (int id = 1; id <= L.n_sections; id++)
        if (id != S_TEXT && id != S_TOKS && id != S_POST
            && (st = check_sum(&L, id, kw_checksum(sec(&L, id), (size_t)L.size[id], (uint64_t)id))))
            return st;
    /* The small sections first, while their checksums left them in cache. */
    if ((st = check_docs(&L)) || (st = check_checkpoints(&L)) || (st = check_vocabulary(&L))
        || (st = check_text(&L)) || (st = check_ids(&L, S_TOKS, L.tok_width, L.n_types, "token"))
        || (st = check_ids(&L, S_POST, 4, L.n_tokens, "posting")))
        return st;

    kw_index *ix = kw_malloc(alloc, sizeof *ix);
    if (!ix)
        return KW_ENOMEM;
    memset(ix, 0, sizeof *ix);
    ix->alloc = *alloc;
    ix->borrowed = 1;
    ix->text = (char *)(uintptr_t)sec(&L, S_TEXT);
    ix->text_len = (size_t)L.size[S_TEXT];
    ix->doc_byte = (uint64_t *)(uintptr_t)sec(&L, S_DOC_BYTE);
    ix->doc_tok = (uint32_t *)(uintptr_t)sec(&L, S_DOC_TOK);
    ix->doc_ck = (uint32_t *)(uintptr_t)sec(&L, S_DOC_CK);
    ix->n_docs = (size_t)L.n_docs;
    ix->n_tokens = (size_t)L.n_tokens;
    ix->tok_bytes = sec(&L, S_TOKS);
    ix->tok_width = L.tok_width;
    if (L.tok_width == 4)
        ix->toks = (uint32_t *)(uintptr_t)ix->tok_bytes;
    ix->checkpoints = (kw_checkpoint *)(uintptr_t)sec(&L, S_CHECKPOINTS);
    set_strtab_of(&L, &ix->surface, S_TYPE_FORMS, L.n_types);
    ix->is_word = (uint8_t *)(uintptr_t)sec(&L, S_IS_WORD);
    set_strtab_of(&L, &ix->folded, S_GROUP_FORMS, L.n_groups);
    ix->group_of = (uint32_t *)(uintptr_t)sec(&L, S_GROUP_OF);
    ix->group_rank = (uint32_t *)(uintptr_t)sec(&L, S_GROUP_RANK);
    ix->post_start = (uint32_t *)(uintptr_t)sec(&L, S_POST_START);
    ix->post = (uint32_t *)(uintptr_t)sec(&L, S_POST);
    st = L.n_sections == N_SECTIONS ? kw_annot_load(ix, sec(&L, S_ANNOTATION), L.size[S_ANNOTATION],
                                                    L.off[S_ANNOTATION], S_ANNOTATION, L.err)
                                    : kw_index_init_views(ix, 0, 0, 0);
    if (st != KW_OK) {
        kw_index_free(ix);
        return st;
    }
    if (blob)
        *blob = sec(&L, S_BLOB);
    if (blob_len)
        *blob_len = (size_t)L.size[S_BLOB];
    *out = ix;
    return KW_OK;
}
