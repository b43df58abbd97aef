/*
 * kw_index.c: building the index, and reading its documents and vocabulary
 * (see kw_core.h).
 *
 * Adding a document tokenizes it once: each token's form is interned as a
 * surface type (kw_strtab.c), every KW_CHECKPOINT-th token records its byte
 * and code point offsets, and the text is copied. Appending a builder
 * interns its types into the other's in id order and renumbers its tokens,
 * so the ids are those one builder would have given. Finishing folds each
 * surface type into a fold group, makes the postings by a counting sort of
 * the token stream on fold groups (count, prefix sums, place: two linear
 * passes, cut into parts for a runner), and ranks the groups in the byte
 * order of their folded forms by a merge sort on an 8-byte prefix of each,
 * comparing whole forms only when prefixes tie, so that sorting hits
 * (kw_sort.c) never compares a string.
 */
#include <string.h>

#include "kw_alloc.h"
#include "kw_cancel.h"
#include "kw_index.h"
#include "kw_strtab.h"
#include "kw_text.h"

/* ---- building ---- */

/* The document arrays share one capacity, so grow them together. */
kw_status kw_builder_reserve_docs(kw_builder *b, size_t need)
{
    if (need <= b->docs_cap)
        return KW_OK;
    size_t byte_cap = b->docs_cap, tok_cap = b->docs_cap, ck_cap = b->docs_cap;
    kw_status st =
        kw_reserve(&b->alloc, (void **)&b->doc_byte, &byte_cap, need, sizeof *b->doc_byte);
    if (st == KW_OK)
        st = kw_reserve(&b->alloc, (void **)&b->doc_tok, &tok_cap, need, sizeof *b->doc_tok);
    if (st == KW_OK)
        st = kw_reserve(&b->alloc, (void **)&b->doc_ck, &ck_cap, need, sizeof *b->doc_ck);
    if (st == KW_OK)
        b->docs_cap = byte_cap < tok_cap ? byte_cap : tok_cap < ck_cap ? tok_cap : ck_cap;
    return st;
}

kw_status kw_builder_new(const kw_alloc *alloc, kw_builder **out)
{
    kw_builder *b = kw_malloc(alloc, sizeof *b);
    if (!b)
        return KW_ENOMEM;
    memset(b, 0, sizeof *b);
    b->alloc = *alloc;
    kw_strtab_init(&b->surface);
    if (kw_builder_reserve_docs(b, 2) != KW_OK) {
        kw_builder_free(b);
        return KW_ENOMEM;
    }
    b->doc_byte[0] = 0;
    b->doc_tok[0] = 0;
    b->doc_ck[0] = 0;
    *out = b;
    return KW_OK;
}

void kw_builder_free(kw_builder *b)
{
    if (!b)
        return;
    const kw_alloc *a = &b->alloc;
    kw_free(a, b->text);
    kw_free(a, b->doc_byte);
    kw_free(a, b->doc_tok);
    kw_free(a, b->doc_ck);
    kw_free(a, b->toks);
    kw_free(a, b->checkpoints);
    kw_free(a, b->is_word);
    kw_strtab_free(&b->surface, a);
    for (size_t k = 0; k < b->n_attrs; k++)
        kw_attr_builder_free(&b->attrs[k], a);
    kw_free(a, b->attrs);
    for (size_t k = 0; k < b->n_structures; k++)
        kw_structure_builder_free(&b->structures[k], a);
    kw_free(a, b->structures);
    kw_free(a, b->spans.gap);
    kw_free(a, b->spans.len);
    kw_free(a, b->spans.escapes);
    a->free(a->ctx, b);
}

/* Bytes copied between two questions to a kw_cancel. */
#define POLL_BYTES ((size_t)KW_POLL_EVERY * 256)

/* memcpy in chunks, asking `stop` between them; 0 when stopped. */
static int copy_until_stopped(char *dst, const char *src, size_t n, kw_parts_stop *stop)
{
    for (size_t done = 0; done < n; done += POLL_BYTES) {
        if (done && kw_parts_stopped(stop))
            return 0;
        memcpy(dst + done, src + done, n - done < POLL_BYTES ? n - done : POLL_BYTES);
    }
    return 1;
}

kw_status kw_builder_close_document(kw_builder *b, const char *text, size_t n_bytes)
{
    kw_parts_stop stop;
    kw_parts_stop_init(&stop, b->cancel);
    /* An empty document may come with no text, nor the builder any yet:
     * no pointer is formed from NULL. */
    if (n_bytes && !copy_until_stopped(b->text + b->text_len, text, n_bytes, &stop))
        return KW_EINTR;
    b->text_len += n_bytes;
    b->n_docs++;
    b->doc_byte[b->n_docs] = b->text_len;
    b->doc_tok[b->n_docs] = (uint32_t)b->n_tokens;
    b->doc_ck[b->n_docs] = (uint32_t)b->n_checkpoints;
    return KW_OK;
}

/* Append one token; `in_doc` is how many tokens of its document precede it. */
static kw_status add_token(kw_builder *b, const char *doc, const kw_tokspan *t, size_t in_doc)
{
    kw_status st;
    if (b->n_tokens >= KW_MAX_TOKENS)
        return KW_ETOOBIG;
    if (in_doc && in_doc % KW_CHECKPOINT == 0) {
        if ((st = kw_reserve(&b->alloc, (void **)&b->checkpoints, &b->checkpoints_cap,
                             b->n_checkpoints + 1, sizeof *b->checkpoints))
            != KW_OK)
            return st;
        b->checkpoints[b->n_checkpoints].byte = t->begin;
        b->checkpoints[b->n_checkpoints].chars = t->char_begin;
        b->n_checkpoints++;
    }
    if (b->n_tokens == b->toks_cap
        && (st = kw_reserve(&b->alloc, (void **)&b->toks, &b->toks_cap, b->n_tokens + 1,
                            sizeof *b->toks))
               != KW_OK)
        return st;
    const char *form = doc + t->begin;
    size_t len = t->end - t->begin;
    uint32_t id;
    int added;
    if ((st = kw_strtab_intern(&b->surface, &b->alloc, form, len, kw_hash(form, len), &id, &added))
        != KW_OK)
        return st;
    if (added) {
        if ((st = kw_reserve(&b->alloc, (void **)&b->is_word, &b->is_word_cap, id + 1, 1)) != KW_OK)
            return st;
        b->is_word[id] = (uint8_t)t->is_word;
    }
    b->toks[b->n_tokens++] = id;
    return KW_OK;
}

kw_status kw_builder_add(kw_builder *b, const char *utf8, size_t n_bytes, size_t *bad_offset)
{
    const size_t tokens_before = b->n_tokens, checkpoints_before = b->n_checkpoints;
    const size_t types_before = b->surface.n;
    kw_status st;

    if (b->annotated)
        return KW_EINVAL;
    if (n_bytes > SIZE_MAX - b->text_len)
        return KW_ETOOBIG;
    if ((st = kw_builder_reserve_docs(b, b->n_docs + 2)) != KW_OK)
        return st;
    if ((st = kw_reserve(&b->alloc, (void **)&b->text, &b->text_cap, b->text_len + n_bytes, 1))
        != KW_OK)
        return st;

    kw_scan scan;
    kw_tokspan t;
    int r;
    kw_scan_init(&scan, utf8, n_bytes, 0, 0);
    while ((r = kw_scan_next(&scan, &t)) == 1) {
        const size_t in_doc = b->n_tokens - tokens_before;
        if (in_doc % KW_POLL_EVERY == KW_POLL_EVERY - 1 && kw_stop_asked(b->cancel)) {
            st = KW_EINTR;
            goto undo;
        }
        if ((st = add_token(b, utf8, &t, in_doc)) != KW_OK)
            goto undo;
    }
    if (r < 0) {
        *bad_offset = kw_scan_offset(&scan);
        st = KW_EUTF8;
        goto undo;
    }
    if ((st = kw_builder_close_document(b, utf8, n_bytes)) == KW_OK)
        return KW_OK;

undo:
    b->n_tokens = tokens_before;
    b->n_checkpoints = checkpoints_before;
    kw_strtab_truncate(&b->surface, types_before);
    return st;
}

size_t kw_builder_n_docs(const kw_builder *b) { return b->n_docs; }

void kw_builder_set_cancel(kw_builder *b, const kw_cancel *cancel) { b->cancel = cancel; }

kw_status kw_builder_reserve(kw_builder *b, size_t text_bytes, size_t n_tokens)
{
    const kw_alloc *a = &b->alloc;
    kw_status st;
    if (text_bytes > SIZE_MAX - b->text_len || n_tokens > SIZE_MAX - b->n_tokens)
        return KW_ETOOBIG;
    size_t n_checkpoints = b->n_checkpoints + n_tokens / KW_CHECKPOINT;
    if ((st = kw_reserve_exact(a, (void **)&b->text, &b->text_cap, b->text_len + text_bytes, 1))
            != KW_OK
        || (st = kw_reserve_exact(a, (void **)&b->toks, &b->toks_cap, b->n_tokens + n_tokens,
                                  sizeof *b->toks))
               != KW_OK
        || (st = kw_reserve_exact(a, (void **)&b->checkpoints, &b->checkpoints_cap, n_checkpoints,
                                  sizeof *b->checkpoints))
               != KW_OK)
        return st;
    return KW_OK;
}

/* A part has at least this many tokens: fewer are not worth a thread. */
#define MIN_PART_TOKENS 65536

/* Part `part` of n_parts of [0, n), for cutting work into parts. */
static void part_range(size_t n, size_t part, size_t n_parts, size_t *begin, size_t *end)
{
    *begin = (size_t)((uint64_t)n * part / n_parts);
    *end = (size_t)((uint64_t)n * (part + 1) / n_parts);
}

static size_t parts_of(const kw_runner *runner)
{
    return runner && runner->n_parts > 1 ? runner->n_parts : 1;
}

/* Run task over n_parts parts: through the runner, or here. */
static void run_parts(const kw_runner *runner, void (*task)(void *, size_t), void *arg,
                      size_t n_parts)
{
    if (n_parts > 1)
        runner->run(runner->ctx, task, arg, n_parts);
    else
        task(arg, 0);
}

/* The copying of kw_builder_append, cut into parts: first the text, then
 * the tokens, so that each of src's arrays is freed before the next is
 * copied and the peak holds one of them twice, not all. */
typedef struct append_job {
    kw_builder *dst;
    const kw_builder *src;
    const uint32_t *remap;
    size_t n_parts;
    kw_parts_stop stop;
} append_job;

static void append_text_part(void *arg, size_t part)
{
    append_job *job = arg;
    size_t begin, end;
    part_range(job->src->text_len, part, job->n_parts, &begin, &end);
    if (end == begin)
        return; /* the texts may be NULL: no pointer from them */
    copy_until_stopped(job->dst->text + job->dst->text_len + begin, job->src->text + begin,
                       end - begin, &job->stop);
}

static void append_tokens_part(void *arg, size_t part)
{
    append_job *job = arg;
    size_t begin, end;
    part_range(job->src->n_tokens, part, job->n_parts, &begin, &end);
    if (end == begin)
        return; /* the streams may be NULL: no pointer from them */
    uint32_t *toks = job->dst->toks + job->dst->n_tokens;
    for (size_t lo = begin; lo < end && !kw_parts_stopped(&job->stop); lo = kw_chunk_end(lo, end))
        for (size_t i = lo; i < kw_chunk_end(lo, end); i++)
            toks[i] = job->remap[job->src->toks[i]];
}

/* Free one of src's arrays once it has been copied. */
#define RELEASE(b, field) (kw_free(&(b)->alloc, (b)->field), (b)->field = NULL)

kw_status kw_builder_append(kw_builder *dst, kw_builder *src)
{
    return kw_builder_append_with(dst, src, NULL);
}

kw_status kw_builder_append_with(kw_builder *dst, kw_builder *src, const kw_runner *runner)
{
    const kw_alloc *a = &dst->alloc;
    const size_t types_before = dst->surface.n, n_src_types = src->surface.n;
    kw_status st;

    if (dst == src || dst->annotated || src->annotated)
        return KW_EINVAL;
    if (src->n_tokens > KW_MAX_TOKENS - dst->n_tokens || src->text_len > SIZE_MAX - dst->text_len
        || n_src_types > SIZE_MAX / sizeof(uint32_t) - types_before)
        return KW_ETOOBIG;
    uint32_t *remap = kw_malloc(a, n_src_types * sizeof *remap);
    if (!remap)
        return KW_ENOMEM;
    /* Everything that can fail comes first; the undo is one truncate. */
    if ((st = kw_builder_reserve_docs(dst, dst->n_docs + src->n_docs + 1)) != KW_OK
        || (st = kw_reserve_exact(a, (void **)&dst->text, &dst->text_cap,
                                  dst->text_len + src->text_len, 1))
               != KW_OK
        || (st = kw_reserve_exact(a, (void **)&dst->toks, &dst->toks_cap,
                                  dst->n_tokens + src->n_tokens, sizeof *dst->toks))
               != KW_OK
        || (st =
                kw_reserve_exact(a, (void **)&dst->checkpoints, &dst->checkpoints_cap,
                                 dst->n_checkpoints + src->n_checkpoints, sizeof *dst->checkpoints))
               != KW_OK
        || (st = kw_reserve(a, (void **)&dst->is_word, &dst->is_word_cap,
                            types_before + n_src_types, 1))
               != KW_OK)
        goto undo;
    for (size_t id = 0; id < n_src_types; id++) {
        if (id % KW_POLL_EVERY == KW_POLL_EVERY - 1 && kw_stop_asked(dst->cancel)) {
            st = KW_EINTR;
            goto undo;
        }
        size_t len;
        const char *form = kw_strtab_form(&src->surface, (uint32_t)id, &len);
        int added;
        /* The table keys on the low 32 bits of the hash, which src kept. */
        if ((st = kw_strtab_intern(&dst->surface, a, form, len, src->surface.hashes[id], &remap[id],
                                   &added))
            != KW_OK)
            goto undo;
        if (added)
            dst->is_word[remap[id]] = src->is_word[id];
    }

    /* Nothing below can fail, but it may be stopped. */
    append_job job = {.dst = dst, .src = src, .remap = remap, .n_parts = parts_of(runner)};
    kw_parts_stop_init(&job.stop, dst->cancel);
    if (job.n_parts > src->n_tokens / MIN_PART_TOKENS)
        job.n_parts = src->n_tokens / MIN_PART_TOKENS ? src->n_tokens / MIN_PART_TOKENS : 1;
    run_parts(runner, append_text_part, &job, job.n_parts);
    RELEASE(src, text);
    if (!kw_parts_were_stopped(&job.stop))
        run_parts(runner, append_tokens_part, &job, job.n_parts);
    if (kw_parts_were_stopped(&job.stop)) {
        st = KW_EINTR;
        goto undo;
    }
    RELEASE(src, toks);
    if (src->n_checkpoints)
        memcpy(dst->checkpoints + dst->n_checkpoints, src->checkpoints,
               src->n_checkpoints * sizeof *src->checkpoints);
    for (size_t d = 1; d <= src->n_docs; d++) {
        dst->doc_byte[dst->n_docs + d] = dst->text_len + src->doc_byte[d];
        dst->doc_tok[dst->n_docs + d] = (uint32_t)(dst->n_tokens + src->doc_tok[d]);
        dst->doc_ck[dst->n_docs + d] = (uint32_t)(dst->n_checkpoints + src->doc_ck[d]);
    }
    dst->text_len += src->text_len;
    dst->n_tokens += src->n_tokens;
    dst->n_checkpoints += src->n_checkpoints;
    dst->n_docs += src->n_docs;
    kw_free(a, remap);
    kw_builder_free(src);
    return KW_OK;

undo:
    kw_strtab_truncate(&dst->surface, types_before);
    kw_free(a, remap);
    /* Stopped: src goes too, as its text may be gone already. */
    if (st == KW_EINTR)
        kw_builder_free(src);
    return st;
}

/* Give back the slack of a doubled array; keep it if the allocator will not. */
static void *shrink(const kw_alloc *a, void *p, size_t size)
{
    void *smaller = p ? a->realloc(a->ctx, p, size ? size : 1) : p;
    return smaller ? smaller : p;
}

static kw_status fold_groups(kw_index *ix, const kw_strtab *surface, const kw_cancel *cancel)
{
    const kw_alloc *a = &ix->alloc;
    size_t longest = 0;
    for (size_t id = 0; id < surface->n; id++) {
        size_t len = (size_t)(surface->offsets[id + 1] - surface->offsets[id]);
        if (len > longest)
            longest = len;
    }
    if (longest > SIZE_MAX / KW_FOLD_GROWTH)
        return KW_ETOOBIG;
    char *scratch = kw_malloc(a, longest * KW_FOLD_GROWTH);
    ix->group_of = kw_malloc(a, surface->n * sizeof *ix->group_of);
    if (!scratch || !ix->group_of) {
        kw_free(a, scratch);
        return KW_ENOMEM;
    }
    kw_status st = KW_OK;
    for (size_t id = 0; id < surface->n && st == KW_OK; id++) {
        if (id % KW_POLL_EVERY == KW_POLL_EVERY - 1 && kw_stop_asked(cancel)) {
            st = KW_EINTR;
            break;
        }
        size_t len;
        const char *form = kw_strtab_form(surface, (uint32_t)id, &len);
        if (kw_utf8_folds(form, len)) {
            len = kw_fold_utf8(form, len, scratch);
            form = scratch;
        }
        int added;
        st = kw_strtab_intern(&ix->folded, a, form, len, kw_hash(form, len), &ix->group_of[id],
                              &added);
    }
    kw_free(a, scratch);
    return st;
}

/* Postings by a counting sort: count per group, prefix sums, then one
 * stable pass over the token stream, so each group's list ascends. Cut into
 * parts, each part counts its range of tokens in a row of its own; the
 * prefix sums give each part's positions of a group right after those of
 * the parts before it, so the parts place their tokens at once and the
 * postings are those of one pass. */
typedef struct postings_job {
    kw_index *ix;
    uint32_t *next; /* n_parts rows of n_groups counters */
    size_t n_parts;
    int touch; /* write post in order first (kw_touch_postings_bytes) */
    kw_parts_stop stop;
} postings_job;

/* From this size on, the postings are written in order (zeros) before
 * they are placed: placing writes them in a scattered order, and first
 * touching a large fresh array in a scattered order cost about 6.6 us a
 * page against 1.6 us in order on the 2-core VM (a 1 GB corpus: 2.1 s to
 * place against 0.34 s of zeros and 0.65 s to place). Below it the two
 * orders cost about the same, and the zeros are not worth writing. A
 * variable, so that the C tests may lower it. */
size_t kw_touch_postings_bytes = (size_t)1 << 29;

static void count_part(void *arg, size_t part)
{
    postings_job *job = arg;
    const kw_index *ix = job->ix;
    uint32_t *next = job->next + part * ix->folded.n;
    size_t begin, end;
    part_range(ix->n_tokens, part, job->n_parts, &begin, &end);
    memset(next, 0, ix->folded.n * sizeof *next);
    for (size_t lo = begin; lo < end && !kw_parts_stopped(&job->stop); lo = kw_chunk_end(lo, end))
        for (size_t i = lo; i < kw_chunk_end(lo, end); i++)
            next[ix->group_of[ix->toks[i]]]++;
}

static void touch_part(void *arg, size_t part)
{
    postings_job *job = arg;
    size_t begin, end;
    part_range(job->ix->n_tokens, part, job->n_parts, &begin, &end);
    for (size_t lo = begin; lo < end && !kw_parts_stopped(&job->stop); lo = kw_chunk_end(lo, end))
        memset(job->ix->post + lo, 0, (kw_chunk_end(lo, end) - lo) * sizeof *job->ix->post);
}

static void place_part(void *arg, size_t part)
{
    postings_job *job = arg;
    kw_index *ix = job->ix;
    uint32_t *next = job->next + part * ix->folded.n;
    size_t begin, end;
    part_range(ix->n_tokens, part, job->n_parts, &begin, &end);
    for (size_t lo = begin; lo < end && !kw_parts_stopped(&job->stop); lo = kw_chunk_end(lo, end))
        for (size_t i = lo; i < kw_chunk_end(lo, end); i++)
            ix->post[next[ix->group_of[ix->toks[i]]]++] = (uint32_t)i;
}

static kw_status build_postings(kw_index *ix, const kw_runner *runner, const kw_cancel *cancel)
{
    const kw_alloc *a = &ix->alloc;
    size_t n_groups = ix->folded.n, n_parts = parts_of(runner);
    if (n_parts > ix->n_tokens / MIN_PART_TOKENS)
        n_parts = ix->n_tokens / MIN_PART_TOKENS ? ix->n_tokens / MIN_PART_TOKENS : 1;
    if (n_groups && n_parts > SIZE_MAX / sizeof(uint32_t) / n_groups)
        return KW_ETOOBIG;
    ix->post_start = kw_malloc(a, (n_groups + 1) * sizeof *ix->post_start);
    ix->post = kw_malloc(a, ix->n_tokens * sizeof *ix->post);
    postings_job job = {.ix = ix,
                        .next = kw_malloc(a, n_parts * n_groups * sizeof *job.next),
                        .n_parts = n_parts,
                        .touch = ix->n_tokens * sizeof *ix->post >= kw_touch_postings_bytes};
    kw_parts_stop_init(&job.stop, cancel);
    if (!ix->post_start || !ix->post || !job.next) {
        kw_free(a, job.next);
        return KW_ENOMEM;
    }
    run_parts(runner, count_part, &job, n_parts);
    if (kw_parts_were_stopped(&job.stop)) {
        kw_free(a, job.next);
        return KW_EINTR;
    }
    uint32_t sum = 0;
    for (size_t g = 0; g < n_groups; g++) {
        ix->post_start[g] = sum;
        for (size_t p = 0; p < n_parts; p++) {
            uint32_t count = job.next[p * n_groups + g];
            job.next[p * n_groups + g] = sum;
            sum += count;
        }
    }
    ix->post_start[n_groups] = sum;
    if (job.touch)
        run_parts(runner, touch_part, &job, n_parts);
    if (!kw_parts_were_stopped(&job.stop))
        run_parts(runner, place_part, &job, n_parts);
    kw_free(a, job.next);
    return kw_parts_were_stopped(&job.stop) ? KW_EINTR : KW_OK;
}

typedef struct form_key {
    uint64_t prefix; /* the form's first 8 bytes, big-endian, zero-padded */
    uint32_t id;
} form_key;

static uint64_t prefix_of(const char *s, size_t n)
{
    uint64_t p = 0;
    for (size_t i = 0; i < 8; i++)
        p = (p << 8) | (i < n ? (unsigned char)s[i] : 0u);
    return p;
}

/* Byte order of two forms, a form before any longer one it begins. The
 * zero-padded prefixes never contradict it, so only ties need the forms. */
static int form_less(const kw_strtab *t, const form_key *x, const form_key *y)
{
    if (x->prefix != y->prefix)
        return x->prefix < y->prefix;
    size_t nx, ny;
    const char *sx = kw_strtab_form(t, x->id, &nx), *sy = kw_strtab_form(t, y->id, &ny);
    int c = memcmp(sx, sy, nx < ny ? nx : ny);
    return c < 0 || (c == 0 && nx < ny);
}

enum { RUN = 16 };

/* Sort a[0..n) by form_less: insertion sort of runs of RUN, then bottom-up
 * merges between a and tmp, asking `cancel` before each merging pass.
 * Returns whichever of the two holds the result, NULL when stopped. */
static form_key *sort_forms(const kw_strtab *t, form_key *a, form_key *tmp, size_t n,
                            const kw_cancel *cancel)
{
    for (size_t lo = 0; lo < n; lo += RUN) {
        size_t hi = n - lo > RUN ? lo + RUN : n;
        for (size_t i = lo + 1; i < hi; i++) {
            form_key k = a[i];
            size_t j = i;
            for (; j > lo && form_less(t, &k, &a[j - 1]); j--)
                a[j] = a[j - 1];
            a[j] = k;
        }
    }
    for (size_t width = RUN; width < n; width *= 2) {
        if (kw_stop_asked(cancel))
            return NULL;
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = n - lo > width ? lo + width : n;
            size_t hi = n - mid > width ? mid + width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = form_less(t, &a[j], &a[i]) ? a[j++] : a[i++];
            while (i < mid)
                tmp[k++] = a[i++];
            while (j < hi)
                tmp[k++] = a[j++];
        }
        form_key *swap = a;
        a = tmp;
        tmp = swap;
    }
    return a;
}

kw_status kw_rank_forms(const kw_strtab *t, const kw_alloc *a, const kw_cancel *cancel,
                        uint32_t **out)
{
    const size_t n = t->n;
    if (n > SIZE_MAX / (2 * sizeof(form_key)))
        return KW_ETOOBIG;
    form_key *keys = kw_malloc(a, (n ? 2 * n : 1) * sizeof *keys);
    uint32_t *rank = kw_malloc(a, (n ? n : 1) * sizeof *rank);
    if (!keys || !rank) {
        kw_free(a, keys);
        kw_free(a, rank);
        return KW_ENOMEM;
    }
    for (size_t id = 0; id < n; id++) {
        size_t len;
        const char *form = kw_strtab_form(t, (uint32_t)id, &len);
        keys[id].prefix = prefix_of(form, len);
        keys[id].id = (uint32_t)id;
    }
    const form_key *sorted = sort_forms(t, keys, keys + n, n, cancel);
    if (!sorted) {
        kw_free(a, keys);
        kw_free(a, rank);
        return KW_EINTR;
    }
    for (size_t r = 0; r < n; r++)
        rank[sorted[r].id] = (uint32_t)r;
    kw_free(a, keys);
    *out = rank;
    return KW_OK;
}

/* Room for word and n_attrs more attributes, text and n_structures more
 * structures (and s and p after them, for a plain index: `found` 2),
 * zeroed: an index freed before they are all filled (a load refused
 * half-way) frees no rank cache it has not made. */
static kw_status alloc_views(kw_index *ix, size_t n_attrs, size_t n_structures, size_t found)
{
    ix->attrs = kw_malloc(&ix->alloc, (1 + n_attrs) * sizeof *ix->attrs);
    ix->structures = kw_malloc(&ix->alloc, (1 + n_structures + found) * sizeof *ix->structures);
    if (!ix->attrs || !ix->structures)
        return KW_ENOMEM;
    memset(ix->attrs, 0, (1 + n_attrs) * sizeof *ix->attrs);
    memset(ix->structures, 0, (1 + n_structures + found) * sizeof *ix->structures);
    return KW_OK;
}

/* 2 for an index that gets the structures s and p from its text (see
 * kw_index_init_views), else 0. */
static size_t found_structures(int has_spans, size_t n_structures)
{
    return !has_spans && n_structures == 0 ? 2 : 0;
}

/* attrs[0], structures[0], and the entries of s and p when `found`. */
static void fill_views(kw_index *ix, size_t found)
{
    ix->attrs[0] =
        (kw_attr){.name = "word",
                  .forms = ix->surface,
                  .toks = ix->toks,
                  .tok_bytes = ix->toks ? (const unsigned char *)ix->toks : ix->tok_bytes,
                  .tok_width = ix->toks ? 4 : ix->tok_width,
                  .group_of = ix->group_of,
                  .n_groups = ix->folded.n,
                  .post_start = ix->post_start,
                  .post = ix->post};
    ix->structures[0] = (kw_structure){
        .name = "text", .start = ix->doc_tok, .end = ix->doc_tok + 1, .n = ix->n_docs};
    if (found) {
        ix->structures[ix->n_structures++] =
            (kw_structure){.name = "s", .found_by = KW_BOUND_SENTENCE};
        ix->structures[ix->n_structures++] =
            (kw_structure){.name = "p", .found_by = KW_BOUND_PARAGRAPH};
    }
}

kw_status kw_index_init_views(kw_index *ix, size_t n_attrs, size_t n_structures, int has_spans)
{
    const size_t found = found_structures(has_spans, n_structures);
    kw_status st = alloc_views(ix, n_attrs, n_structures, found);
    if (st == KW_OK) {
        ix->n_attrs = 1 + n_attrs;
        ix->n_structures = 1 + n_structures;
        fill_views(ix, found);
    }
    return st;
}

kw_status kw_builder_finish(kw_builder *b, kw_index **out)
{
    return kw_builder_finish_with(b, NULL, out);
}

kw_status kw_builder_finish_with(kw_builder *b, const kw_runner *runner, kw_index **out)
{
    const kw_alloc *a = &b->alloc;
    kw_index *ix = kw_malloc(a, sizeof *ix);
    if (!ix)
        return KW_ENOMEM;
    memset(ix, 0, sizeof *ix);
    ix->alloc = *a;
    ix->toks = b->toks;
    ix->n_tokens = b->n_tokens;
    kw_strtab_init(&ix->folded);

    kw_status st = fold_groups(ix, &b->surface, b->cancel);
    if (st == KW_OK)
        st = build_postings(ix, runner, b->cancel);
    if (st == KW_OK)
        st = kw_rank_forms(&ix->folded, a, b->cancel, &ix->group_rank);
    if (st == KW_OK)
        st = alloc_views(ix, b->n_attrs, b->n_structures,
                         found_structures(b->spans.gap != NULL, b->n_structures));
    size_t n_finished = 0;
    for (; st == KW_OK && n_finished < b->n_attrs; n_finished++)
        st = kw_attr_finish(&b->attrs[n_finished], a, b->n_tokens, b->cancel,
                            &ix->attrs[1 + n_finished]);
    if (st != KW_OK) {
        for (size_t k = 0; k + 1 < n_finished; k++)
            kw_attr_unfinish(&ix->attrs[1 + k], a);
        kw_free(a, ix->attrs);
        kw_free(a, ix->structures);
        kw_free(a, ix->group_rank);
        kw_free(a, ix->group_of);
        kw_free(a, ix->post_start);
        kw_free(a, ix->post);
        kw_strtab_free(&ix->folded, a);
        kw_free(a, ix);
        return st;
    }

    ix->text = shrink(a, b->text, b->text_len);
    ix->text_len = b->text_len;
    ix->doc_byte = b->doc_byte;
    ix->doc_tok = b->doc_tok;
    ix->doc_ck = b->doc_ck;
    ix->n_docs = b->n_docs;
    ix->toks = shrink(a, b->toks, b->n_tokens * sizeof *b->toks);
    ix->checkpoints = shrink(a, b->checkpoints, b->n_checkpoints * sizeof *b->checkpoints);
    ix->surface = b->surface;
    ix->is_word = b->is_word;
    for (size_t k = 0; k < b->n_attrs; k++) {
        kw_attr_builder_hand_over(&b->attrs[k], &ix->attrs[1 + k], a);
        kw_attr_builder_free(&b->attrs[k], a);
    }
    for (size_t k = 0; k < b->n_structures; k++) {
        kw_structure_finish(&b->structures[k], &ix->structures[1 + k]);
        kw_structure_builder_free(&b->structures[k], a);
    }
    ix->n_attrs = 1 + b->n_attrs;
    ix->n_structures = 1 + b->n_structures;
    ix->spans = b->spans;
    if (ix->spans.gap) {
        ix->spans.gap = shrink(a, ix->spans.gap, b->n_tokens);
        ix->spans.len = shrink(a, ix->spans.len, b->n_tokens);
    }
    kw_free(a, b->attrs);
    kw_free(a, b->structures);
    const size_t found = found_structures(ix->spans.gap != NULL, b->n_structures);
    a->free(a->ctx, b);
    fill_views(ix, found);
    *out = ix;
    return KW_OK;
}

/* ---- the index ---- */

void kw_index_free(kw_index *ix)
{
    if (!ix)
        return;
    const kw_alloc *a = &ix->alloc;
    if (!ix->borrowed) {
        for (size_t k = 1; k < ix->n_attrs; k++)
            kw_attr_free(&ix->attrs[k], a);
        for (size_t k = 1; k < ix->n_structures; k++)
            if (ix->structures[k].found_by == KW_BOUND_NONE)
                kw_structure_free(&ix->structures[k], a);
        kw_free(a, ix->spans.gap);
        kw_free(a, ix->spans.len);
        kw_free(a, ix->spans.escapes);
    }
    for (size_t k = 1; k < ix->n_attrs; k++)
        kw_free(a, atomic_load(&ix->attrs[k].rank));
    for (size_t k = 1; k < ix->n_structures; k++)
        kw_structure_free_found(&ix->structures[k], a);
    kw_free(a, ix->attrs);
    kw_free(a, ix->structures);
    if (ix->borrowed) {
        a->free(a->ctx, ix); /* a loaded index: the arrays are the caller's bytes */
        return;
    }
    kw_free(a, ix->text);
    kw_free(a, ix->doc_byte);
    kw_free(a, ix->doc_tok);
    kw_free(a, ix->doc_ck);
    kw_free(a, ix->toks);
    kw_free(a, ix->checkpoints);
    kw_free(a, ix->is_word);
    kw_free(a, ix->group_of);
    kw_free(a, ix->group_rank);
    kw_free(a, ix->post_start);
    kw_free(a, ix->post);
    kw_strtab_free(&ix->surface, a);
    kw_strtab_free(&ix->folded, a);
    a->free(a->ctx, ix);
}

size_t kw_index_n_docs(const kw_index *ix) { return ix->n_docs; }
size_t kw_index_n_tokens(const kw_index *ix) { return ix->n_tokens; }
size_t kw_index_n_types(const kw_index *ix) { return ix->surface.n; }
size_t kw_index_n_groups(const kw_index *ix) { return ix->folded.n; }

const char *kw_index_type_form(const kw_index *ix, uint32_t type, size_t *len)
{
    return kw_strtab_form(&ix->surface, type, len);
}

const char *kw_index_group_form(const kw_index *ix, uint32_t group, size_t *len)
{
    return kw_strtab_form(&ix->folded, group, len);
}

uint32_t kw_index_group_of(const kw_index *ix, uint32_t type) { return ix->group_of[type]; }

size_t kw_index_n_attrs(const kw_index *ix) { return ix->n_attrs; }
const char *kw_index_attr_name(const kw_index *ix, size_t attr) { return ix->attrs[attr].name; }
size_t kw_index_attr_n_types(const kw_index *ix, size_t attr) { return ix->attrs[attr].forms.n; }

const char *kw_index_attr_form(const kw_index *ix, size_t attr, uint32_t type, size_t *len)
{
    return kw_strtab_form(&ix->attrs[attr].forms, type, len);
}

uint32_t kw_index_attr_type(const kw_index *ix, size_t attr, size_t pos)
{
    return kw_attr_type(&ix->attrs[attr], pos);
}

int kw_index_is_annotated(const kw_index *ix) { return ix->spans.gap != NULL; }
size_t kw_index_n_structures(const kw_index *ix) { return ix->n_structures; }
const char *kw_index_structure_name(const kw_index *ix, size_t s) { return ix->structures[s].name; }
size_t kw_index_structure_n_regions(const kw_index *ix, size_t s)
{
    return kw_index_structure(ix, s)->n;
}

void kw_index_structure_region(const kw_index *ix, size_t s, size_t i, uint32_t *start,
                               uint32_t *end)
{
    const kw_structure *st = kw_index_structure(ix, s);
    *start = st->start[i];
    *end = st->end[i];
}
int kw_index_type_is_word(const kw_index *ix, uint32_t type) { return ix->is_word[type]; }

const char *kw_index_doc_text(const kw_index *ix, size_t doc, size_t *n_bytes)
{
    *n_bytes = (size_t)(ix->doc_byte[doc + 1] - ix->doc_byte[doc]);
    return ix->text + ix->doc_byte[doc];
}

size_t kw_index_doc_of(const kw_index *ix, uint32_t pos)
{
    /* The last document starting at or before pos; empty documents share
     * their start with the next one, and this skips past them. */
    size_t lo = 0, hi = ix->n_docs;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->doc_tok[mid] <= pos)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}
