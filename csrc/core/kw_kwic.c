/*
 * kw_kwic.c: laying out keyword-in-context lines (see kw_core.h).
 *
 * A line is found in two steps. First its context is bounded by token
 * positions alone: a word window walks the token stream from the match,
 * counting words; a width window takes at most `width` tokens each side
 * (every token is at least one character), fewer when checkpoints show that
 * a token starts too far back. Then the text is scanned once, forward from
 * the checkpoint before that range: this recovers byte and character
 * offsets, and for a width or a bound it chooses the exact ends as the
 * tokens go by. A width needs the match's start before it can choose the
 * left end, so the offsets of the last KW_RING tokens before the match are
 * kept in a ring on the stack; a wider context re-scans from its first
 * candidate. Nothing is allocated.
 */
#include <string.h>

#include "kw_alloc.h"
#include "kw_bits.h"
#include "kw_bounds.h"
#include "kw_cancel.h"
#include "kw_hits.h"
#include "kw_index.h"
#include "kw_spans.h"
#include "kw_steps.h"
#include "kw_strtab.h"
#include "kw_text.h"

/* How many hits ahead kw_line_prefetch asks for the token stream and the
 * checkpoint of a hit (far), then for its text (near), which needs the
 * checkpoint; how far before that hit it asks for the token stream (a word
 * window's left side), and how many 64-byte lines of text from the
 * checkpoint: about what a word window of five each side scans. */
#define KW_PREFETCH_FAR 16
#define KW_PREFETCH_NEAR 8
#define KW_PREFETCH_WORDS 8
#define KW_PREFETCH_TEXT_LINES 5
/* Hits fewer tokens apart than this on average are left to the processor. */
#define KW_STREAM_GAP 64

/* Tokens before the match whose offsets a width layout keeps while scanning. */
#define KW_RING 128

struct kw_line_cursor {
    kw_alloc alloc;
    size_t doc;
    unsigned n_points; /* 0: nothing saved */
    struct {
        uint64_t tok;   /* the token a scan from here reads next, in the corpus */
        size_t byte;    /* where that is in the document's text (a token's end) */
        uint64_t chars; /* and how many code points lie before it */
    } points[4];        /* ascending by tok */
};

kw_status kw_line_cursor_new(const kw_alloc *alloc, kw_line_cursor **out)
{
    kw_line_cursor *cursor = kw_malloc(alloc, sizeof *cursor);
    if (!cursor)
        return KW_ENOMEM;
    memset(cursor, 0, sizeof *cursor);
    cursor->alloc = *alloc;
    *out = cursor;
    return KW_OK;
}

void kw_line_cursor_free(kw_line_cursor *cursor)
{
    if (cursor)
        cursor->alloc.free(cursor->alloc.ctx, cursor);
}

/* Reads a document's tokens in order: by tokenizing its text again, or in
 * an annotated index from the recorded spans (kw_spans.h). */
typedef struct token_reader {
    const kw_index *ix;
    kw_scan scan;
    kw_span_reader spans;
    size_t tok; /* corpus-wide position of the next token */
} token_reader;

/* Start at token `tok`, which starts at byte `at` of the document, `chars`
 * code points in (at_start = 1: a checkpoint), or follows a token that
 * ends there (at_start = 0). */
static void reader_init(token_reader *r, const kw_index *ix, const char *text, size_t n_bytes,
                        size_t tok, size_t at, uint64_t chars, int at_start)
{
    r->ix = ix;
    r->tok = tok;
    if (ix->spans.gap)
        kw_span_reader_init(&r->spans, &ix->spans, text, n_bytes, tok, at, chars, at_start);
    else
        kw_scan_init(&r->scan, text, n_bytes, at, chars);
}

static void reader_next(token_reader *r, kw_tokspan *t)
{
    if (r->ix->spans.gap) {
        kw_span_reader_next(&r->spans, t);
        t->is_word = r->ix->is_word[kw_tok(r->ix, r->tok)];
    } else {
        kw_scan_next(&r->scan, t);
    }
    r->tok++;
}

static void reader_skip(token_reader *r, size_t n)
{
    if (r->ix->spans.gap) {
        kw_tokspan t;
        for (size_t k = 0; k < n; k++)
            kw_span_reader_next(&r->spans, &t);
    } else {
        kw_scan_skip(&r->scan, n);
    }
    r->tok += n;
}

/* Where the reader stands: the end of the last token read. */
static size_t reader_offset(const token_reader *r)
{
    return r->ix->spans.gap ? r->spans.at : kw_scan_offset(&r->scan);
}

static uint64_t reader_chars(const token_reader *r)
{
    return r->ix->spans.gap ? r->spans.chars : r->scan.chars;
}

/* Start `scan` so that its next token is the latest of the cursor's points
 * at or before token `tok` of document `doc` and after its last checkpoint;
 * else that checkpoint, or the document's first token. Returns the
 * position of the scan's next token. */
static size_t scan_from(const kw_index *ix, size_t doc, size_t tok, const char *text,
                        size_t n_bytes, const kw_line_cursor *cursor, token_reader *scan)
{
    size_t k = (tok - ix->doc_tok[doc]) / KW_CHECKPOINT;
    size_t checkpoint_tok = ix->doc_tok[doc] + k * KW_CHECKPOINT;
    if (cursor && cursor->doc == doc) {
        for (unsigned j = cursor->n_points; j-- > 0;) {
            if (cursor->points[j].tok <= tok) {
                if (cursor->points[j].tok <= checkpoint_tok)
                    break;
                reader_init(scan, ix, text, n_bytes, (size_t)cursor->points[j].tok,
                            cursor->points[j].byte, cursor->points[j].chars, 0);
                return (size_t)cursor->points[j].tok;
            }
        }
    }
    if (k) {
        const kw_checkpoint *cp = kw_checkpoint_of(ix, doc, k);
        reader_init(scan, ix, text, n_bytes, checkpoint_tok, (size_t)cp->byte, cp->chars, 1);
        return checkpoint_tok;
    }
    reader_init(scan, ix, text, n_bytes, checkpoint_tok, 0, 0, 0);
    return checkpoint_tok;
}

/* Read token `tok` as the scan's next token and note, in the cursor, where
 * the scan stands after it. */
static void read_token(token_reader *scan, size_t tok, kw_tokspan *t, kw_line_cursor *cursor)
{
    reader_next(scan, t);
    if (!cursor)
        return;
    unsigned j = cursor->n_points++;
    cursor->points[j].tok = tok + 1;
    cursor->points[j].byte = reader_offset(scan);
    cursor->points[j].chars = reader_chars(scan);
}

/* Words only, no bound: the bounds come from the token stream, and one scan
 * from the checkpoint before the left end fills in the offsets. */
static void line_words(const kw_index *ix, size_t doc, size_t first, size_t last, size_t lo,
                       size_t hi, kw_line_cursor *cursor, kw_line *out)
{
    size_t n_bytes;
    const char *text = kw_index_doc_text(ix, doc, &n_bytes);
    token_reader scan;
    kw_tokspan t = {0};
    /* Only four tokens matter: the ends of the context and of the match;
     * the ones between are skipped without being reported. */
    size_t tok = scan_from(ix, doc, lo, text, n_bytes, cursor, &scan);
    if (cursor) {
        cursor->doc = doc;
        cursor->n_points = 0;
    }
    reader_skip(&scan, lo - tok);
    read_token(&scan, lo, &t, cursor);
    out->left_begin = t.begin;
    if (lo < first) {
        reader_skip(&scan, first - lo - 1);
        read_token(&scan, first, &t, cursor);
    }
    out->match_begin = t.begin;
    out->char_start = t.char_begin;
    if (last > first) {
        reader_skip(&scan, last - first - 1);
        read_token(&scan, last, &t, cursor);
    }
    out->match_end = t.end;
    out->char_end = t.char_end;
    if (hi > last + 1) {
        reader_skip(&scan, hi - last - 2);
        read_token(&scan, hi - 1, &t, cursor);
    }
    out->right_end = t.end;
    out->ctx_start = (uint32_t)(lo - ix->doc_tok[doc]);
    out->ctx_end = (uint32_t)(hi - ix->doc_tok[doc]);
}

/* A width or a bound: [lo, hi) holds every token the context may take, and
 * the scan picks the ends. */
static void line_chosen(const kw_index *ix, size_t doc, size_t first, size_t last, size_t lo,
                        size_t hi, const kw_context *ctx, kw_line *out)
{
    const uint64_t width = ctx->width;
    const kw_bound bound = ctx->bound;
    size_t n_bytes;
    const char *text = kw_index_doc_text(ix, doc, &n_bytes);

    /* The left end so far, and where it starts. */
    size_t left = lo, left_byte = 0;
    /* A width whose left end lies below the ring: re-scan for the first
     * token from `lo` that starts at or after `left_floor` characters. */
    int rescan = 0;
    uint64_t left_floor = 0;
    struct {
        size_t byte;
        uint64_t chars;
    } ring[KW_RING];

    /* A bound looks one token further back: the abbreviation rule reads the
     * word before a full stop. */
    const size_t from = bound != KW_BOUND_NONE && lo > ix->doc_tok[doc] ? lo - 1 : lo;
    token_reader scan;
    kw_tokspan t = {0}, prev = {0}, before = {0};
    size_t tok = scan_from(ix, doc, from, text, n_bytes, NULL, &scan);
    const size_t scan_start = tok;
    for (; tok < hi; tok++) {
        reader_next(&scan, &t);
        if (bound != KW_BOUND_NONE && tok > lo && (tok <= first || tok > last)
            && kw_boundary(ix, text, bound, tok >= scan_start + 2 ? &before : NULL,
                           tok >= scan_start + 2 ? kw_tok(ix, tok - 2) : 0, &prev, &t)
                   != KW_BOUND_NONE) {
            if (tok > last) {
                hi = tok; /* the right context stops before this token */
                break;
            }
            left = tok; /* the latest boundary so far on the left */
            left_byte = t.begin;
        }
        if (tok == lo)
            left_byte = t.begin;
        if (width && tok >= lo && tok < first)
            ring[tok % KW_RING].byte = t.begin, ring[tok % KW_RING].chars = t.char_begin;
        if (tok == first) {
            out->match_begin = t.begin;
            out->char_start = t.char_begin;
            if (width) {
                /* The left end: the first token from `left` that starts no
                 * more than `width` characters before the match. */
                left_floor = t.char_begin > width ? t.char_begin - width : 0;
                size_t bottom = first - left > KW_RING ? first - KW_RING : left, j = first;
                while (j > bottom && ring[(j - 1) % KW_RING].chars >= left_floor)
                    j--;
                if (j == bottom && j > left)
                    rescan = 1;
                else if (j > left && j < first)
                    left = j, left_byte = ring[j % KW_RING].byte;
                else if (j == first)
                    left = first;
            }
        }
        if (tok == last) {
            out->match_end = t.end;
            out->char_end = t.char_end;
        }
        if (tok > last) {
            if (width && t.char_end - out->char_end > width) {
                hi = tok;
                break;
            }
            out->right_end = t.end;
        }
        before = prev;
        prev = t;
    }
    if (rescan) {
        /* Rare: more than KW_RING tokens fit in the width. */
        token_reader again;
        size_t k = scan_from(ix, doc, left, text, n_bytes, NULL, &again);
        for (; k < first; k++) {
            reader_next(&again, &t);
            if (k >= left && t.char_begin >= left_floor) {
                left = k;
                left_byte = t.begin;
                break;
            }
        }
    }
    out->left_begin = left == first ? out->match_begin : left_byte;
    if (hi == last + 1)
        out->right_end = out->match_end;
    out->ctx_start = (uint32_t)(left - ix->doc_tok[doc]);
    out->ctx_end = (uint32_t)(hi - ix->doc_tok[doc]);
}

/* On an index whose text tokenizes as its token stream says, the spans
 * already lie in order inside the document. Only a saved file altered on
 * purpose (its checksums recomputed) could break that, since loading cannot
 * afford to tokenize the text again; such a line is wrong, but its spans
 * still lie in order inside the document. */
static void keep_in_document(kw_line *ln, size_t n_bytes)
{
    if (ln->right_end > n_bytes)
        ln->right_end = n_bytes;
    if (ln->match_end > ln->right_end)
        ln->match_end = ln->right_end;
    if (ln->match_begin > ln->match_end)
        ln->match_begin = ln->match_end;
    if (ln->left_begin > ln->match_begin)
        ln->left_begin = ln->match_begin;
    if (ln->char_end < ln->char_start)
        ln->char_end = ln->char_start;
}

/* The annotated regions that bound contexts in place of the text's rule
 * (kw_context): structure "s" for a sentence bound, "p" for a paragraph
 * bound, where the index is given it; else NULL. A plain index's own s and
 * p are the text's rule, which the scan reads where the context is. */
static const kw_structure *bounding_regions(const kw_index *ix, kw_bound bound)
{
    const char *name = bound == KW_BOUND_SENTENCE ? "s" : "p";
    if (bound == KW_BOUND_NONE)
        return NULL;
    for (size_t k = 1; k < ix->n_structures; k++)
        if (ix->structures[k].found_by == KW_BOUND_NONE
            && strcmp(ix->structures[k].name, name) == 0)
            return &ix->structures[k];
    return NULL;
}

/* The regions of st that start at or before pos. */
static size_t regions_from(const kw_structure *st, size_t pos)
{
    size_t lo = 0, hi = st->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->start[mid] <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Narrow [*lo, *hi) to the tokens between the boundaries around the match
 * [first, last]: every region's start and end is one, and a context keeps
 * to the region (or the stretch between two regions) that holds first, on
 * the left, and last, on the right. */
static void keep_in_regions(const kw_structure *st, size_t first, size_t last, size_t *lo,
                            size_t *hi)
{
    size_t r = regions_from(st, first);
    if (r) {
        const size_t edge = first < st->end[r - 1] ? st->start[r - 1] : st->end[r - 1];
        if (edge > *lo)
            *lo = edge;
    }
    r = regions_from(st, last);
    const size_t edge = r && last < st->end[r - 1] ? st->end[r - 1]
                        : r < st->n                ? st->start[r]
                                                   : *hi;
    if (edge < *hi)
        *hi = edge;
}

void kw_line_at(const kw_index *ix, const kw_hits *h, size_t i, const kw_context *ctx,
                kw_line_cursor *cursor, kw_line *out)
{
    const size_t first = h->pos[i], last = first + kw_hits_length(h, i) - 1;
    /* Lines in document order mostly follow one another in one document. */
    const size_t doc = cursor && cursor->n_points && ix->doc_tok[cursor->doc] <= first
                               && first < ix->doc_tok[cursor->doc + 1]
                           ? cursor->doc
                           : kw_index_doc_of(ix, (uint32_t)first);
    const size_t doc_first = ix->doc_tok[doc], doc_end = ix->doc_tok[doc + 1];
    const uint64_t width = ctx->width;

    /* The widest the context may be, in tokens. */
    size_t lo, hi;
    if (width && ix->spans.gap) {
        /* The words of an annotated multiword token share one span: count
         * spans, each at least one character, not tokens. */
        lo = first;
        /* A match that starts inside a multiword token shares its span
         * with the words before it: that span is no character to the left. */
        const uint64_t left_spans = width + (ix->spans.gap[first] == KW_GAP_SAME);
        for (uint64_t spans = 0; lo > doc_first; lo--) {
            spans += ix->spans.gap[lo - 1] != KW_GAP_SAME;
            if (spans > left_spans)
                break;
        }
        hi = last + 1;
        for (uint64_t spans = 0; hi < doc_end; hi++) {
            spans += ix->spans.gap[hi] != KW_GAP_SAME;
            if (spans > width)
                break;
        }
    } else if (width) {
        /* Every token is at least one character, so `width` characters hold
         * at most `width` tokens. A checkpoint whose token starts more than
         * `width` characters before the match (by a lower bound of the
         * match's start) also lies outside the context. */
        lo = first - doc_first > width ? first - (size_t)width : doc_first;
        hi = doc_end - last - 1 > width ? last + 1 + (size_t)width : doc_end;
        size_t k = (first - doc_first) / KW_CHECKPOINT;
        if (k && doc_first + k * KW_CHECKPOINT > lo) {
            uint64_t at_least =
                kw_checkpoint_of(ix, doc, k)->chars + (first - doc_first - k * KW_CHECKPOINT);
            if (at_least > width) {
                for (; k && doc_first + k * KW_CHECKPOINT > lo; k--) {
                    if (kw_checkpoint_of(ix, doc, k)->chars < at_least - width) {
                        lo = doc_first + k * KW_CHECKPOINT + 1;
                        break;
                    }
                }
            }
        }
    } else {
        /* Words are counted; punctuation inside the window is shown, up to
         * KW_MAX_SKIP tokens a side. */
        size_t words = 0, skipped = 0;
        lo = first;
        while (words < ctx->left && lo > doc_first) {
            const int word = ix->is_word[kw_tok(ix, lo - 1)];
            if (!word && skipped++ == KW_MAX_SKIP)
                break;
            KW_STEP();
            lo--;
            words += (size_t)word;
        }
        hi = last + 1;
        words = skipped = 0;
        while (words < ctx->right && hi < doc_end) {
            const int word = ix->is_word[kw_tok(ix, hi)];
            if (!word && skipped++ == KW_MAX_SKIP)
                break;
            KW_STEP();
            words += (size_t)word;
            hi++;
        }
    }

    kw_context unbound = *ctx;
    const kw_structure *regions = bounding_regions(ix, ctx->bound);
    if (regions) {
        keep_in_regions(regions, first, last, &lo, &hi);
        unbound.bound = KW_BOUND_NONE;
    }
    if (width || unbound.bound != KW_BOUND_NONE)
        line_chosen(ix, doc, first, last, lo, hi, &unbound, out);
    else
        line_words(ix, doc, first, last, lo, hi, cursor, out);
    keep_in_document(out, (size_t)(ix->doc_byte[doc + 1] - ix->doc_byte[doc]));
    /* The contexts take the white space beside the match, so that left,
     * match and right laid end to end read as the text does. */
    out->left_end = out->match_begin;
    out->right_begin = out->match_end;
    out->doc = doc;
    out->tok_start = (uint32_t)(first - doc_first);
    out->tok_end = (uint32_t)(last + 1 - doc_first);
}

void kw_line_prefetch(const kw_index *ix, const kw_hits *h, size_t i)
{
    /* Hits close together in document order are read as one stream, which
     * the processor fetches ahead by itself. */
    if (i + KW_PREFETCH_FAR < h->n && h->pos[i] < h->pos[i + KW_PREFETCH_FAR]
        && h->pos[i + KW_PREFETCH_FAR] - h->pos[i] < KW_PREFETCH_FAR * KW_STREAM_GAP)
        return;
    /* Two stages, as the second needs what the first brought: the token
     * stream and the checkpoint of the far hit, then the text from the
     * checkpoint of the near one, through the widest word window. */
    if (i + KW_PREFETCH_FAR < h->n) {
        const size_t pos = h->pos[i + KW_PREFETCH_FAR];
        const size_t doc = kw_index_doc_of(ix, (uint32_t)pos);
        const size_t first = ix->doc_tok[doc];
        const size_t from = pos - first > KW_PREFETCH_WORDS ? pos - KW_PREFETCH_WORDS : first;
        if (ix->toks)
            KW_PREFETCH(ix->toks + from);
        else
            KW_PREFETCH(ix->tok_bytes + from * ix->tok_width);
        const size_t k = (pos - first) / KW_CHECKPOINT;
        if (k)
            KW_PREFETCH(kw_checkpoint_of(ix, doc, k));
    }
    if (i + KW_PREFETCH_NEAR < h->n) {
        const size_t pos = h->pos[i + KW_PREFETCH_NEAR];
        const size_t doc = kw_index_doc_of(ix, (uint32_t)pos);
        const size_t k = (pos - ix->doc_tok[doc]) / KW_CHECKPOINT;
        size_t n_bytes;
        const char *text = kw_index_doc_text(ix, doc, &n_bytes);
        uint64_t at = k ? kw_checkpoint_of(ix, doc, k)->byte : 0;
        for (int line = 0; line < KW_PREFETCH_TEXT_LINES && at < n_bytes; line++, at += 64)
            KW_PREFETCH(text + at);
    }
}

/* Append text[begin, end) to the column, its white space collapsed, as
 * string k. */
static kw_status append_text(const kw_alloc *alloc, kw_text_column *column, size_t k,
                             const char *text, size_t begin, size_t end)
{
    const size_t used = (size_t)column->offsets[k], n = end - begin;
    column->offsets[k + 1] = (int64_t)used;
    /* An empty text adds nothing, and data may still be NULL, which takes
     * no offset, not even 0. */
    if (n == 0)
        return KW_OK;
    if (n > SIZE_MAX - used || used + n > (size_t)INT64_MAX)
        return KW_ETOOBIG;
    kw_status st = kw_reserve(alloc, (void **)&column->data, &column->cap, used + n, 1);
    if (st != KW_OK)
        return st;
    int ascii;
    column->offsets[k + 1] =
        (int64_t)(used + kw_collapse_space(text + begin, n, column->data + used, &ascii));
    return KW_OK;
}

kw_status kw_line_columns_fill(const kw_index *ix, const kw_hits *h, const kw_context *ctx,
                               const kw_alloc *alloc, const kw_cancel *cancel, kw_line_columns *out)
{
    kw_line_cursor cursor = {0};
    out->left.offsets[0] = out->match.offsets[0] = out->right.offsets[0] = 0;
    for (size_t i = 0; i < h->n; i++) {
        if (i % KW_POLL_EVERY == KW_POLL_EVERY - 1 && kw_stop_asked(cancel))
            return KW_EINTR;
        kw_line ln;
        kw_line_prefetch(ix, h, i);
        kw_line_at(ix, h, i, ctx, &cursor, &ln);
        size_t n_bytes;
        const char *text = kw_index_doc_text(ix, ln.doc, &n_bytes);
        out->doc[i] = ln.doc;
        out->tok_start[i] = ln.tok_start;
        out->tok_end[i] = ln.tok_end;
        out->char_start[i] = (int64_t)ln.char_start;
        out->char_end[i] = (int64_t)ln.char_end;
        out->query[i] = kw_hits_query(h, i);
        kw_status st = append_text(alloc, &out->left, i, text, ln.left_begin, ln.left_end);
        if (st == KW_OK)
            st = append_text(alloc, &out->match, i, text, ln.match_begin, ln.match_end);
        if (st == KW_OK)
            st = append_text(alloc, &out->right, i, text, ln.right_begin, ln.right_end);
        if (st != KW_OK)
            return st;
    }
    return KW_OK;
}
