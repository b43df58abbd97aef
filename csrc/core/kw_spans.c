/*
 * kw_spans.c: reading the recorded spans of tokens (see kw_spans.h).
 */
#include "kw_spans.h"

/* Code points in n bytes of valid UTF-8: the bytes that do not continue one. */
static uint64_t code_points(const unsigned char *p, size_t n)
{
    uint64_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += (p[i] & 0xC0) != 0x80;
    return count;
}

const kw_span_escape *kw_span_escape_of(const kw_spans *spans, size_t tok)
{
    size_t lo = 0, hi = spans->n_escapes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (spans->escapes[mid].tok < tok)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < spans->n_escapes && spans->escapes[lo].tok == tok ? &spans->escapes[lo] : NULL;
}

void kw_span_reader_init(kw_span_reader *r, const kw_spans *spans, const char *text, size_t n_bytes,
                         size_t tok, size_t at, uint64_t chars, int at_start)
{
    r->spans = spans;
    r->text = (const unsigned char *)text;
    r->n_bytes = n_bytes;
    r->tok = tok;
    r->at = at;
    r->chars = chars;
    r->at_start = at_start;
}

void kw_span_reader_next(kw_span_reader *r, kw_tokspan *t)
{
    const size_t tok = r->tok++;
    const uint8_t gap = r->spans->gap[tok], len_byte = r->spans->len[tok];
    const kw_span_escape *escape =
        gap == KW_GAP_ESCAPE || len_byte == KW_LEN_ESCAPE ? kw_span_escape_of(r->spans, tok) : NULL;
    const size_t len = len_byte == KW_LEN_ESCAPE ? (size_t)escape->len : len_byte;
    if (r->at_start) {
        t->begin = r->at;
        t->char_begin = r->chars;
    } else if (gap == KW_GAP_SAME) {
        t->begin = r->at - len;
        t->char_begin = r->chars - code_points(r->text + t->begin, len);
    } else {
        size_t skip = gap == KW_GAP_ESCAPE ? (size_t)escape->gap : gap;
        t->begin = r->at + skip;
        t->char_begin = r->chars + code_points(r->text + r->at, skip);
    }
    t->end = t->begin + len;
    t->char_end = t->char_begin + code_points(r->text + t->begin, len);
    r->at = t->end;
    r->chars = t->char_end;
    r->at_start = 0;
}
