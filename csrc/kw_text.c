/* kw_text.c: UTF-8, the tokenizer and case folding (see kw_text.h). */
#include "kw_text.h"

#include "kw_core.h"

#include "kw_unicode_tables.h"

int kw_utf8_decode(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
    unsigned c = p[0];
    size_t avail = (size_t)(end - p);
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        if (avail < 2 || (p[1] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x1F) << 6) | (p[1] & 0x3F);
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        /* E0 needs A0.. to stay shortest-form; ED stops at 9F to exclude
         * the surrogates. */
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        if (avail < 3 || p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        if (avail < 4 || p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80
            || (p[3] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12)
              | ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
        return 4;
    }
    return 0;
}

int kw_utf8_encode(uint32_t cp, unsigned char out[4])
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

int kw_cp_is_space(uint32_t cp)
{
    return kw_cp_class(cp) == KW_CP_SPACE;
}

int kw_utf8_starts_upper(const char *src, size_t n)
{
    const unsigned char *p = (const unsigned char *)src;
    uint32_t cp;
    if (n == 0 || !kw_utf8_decode(p, p + n, &cp))
        return 0;
    return kw_cp_is_upper(cp);
}

void kw_scan_init(kw_scan *s, const char *base, size_t n_bytes, size_t start,
                  uint64_t chars_before)
{
    s->base = (const unsigned char *)base;
    s->p = s->base + start;
    s->end = s->base + n_bytes;
    s->chars = chars_before;
}

/* Class of the code point at p, its length in *len (0: invalid UTF-8). */
static inline enum kw_cp_class class_at(const unsigned char *p, const unsigned char *end,
                                        int *len)
{
    uint32_t cp;
    if (*p < 0x80) {
        *len = 1;
        return kw_cp_class(*p);
    }
    *len = kw_utf8_decode(p, end, &cp);
    return *len ? kw_cp_class(cp) : KW_CP_PUNCT;
}

/* ASCII bytes by what they are to the tokenizer: 1 a word character
 * ([0-9A-Za-z]), 2 white space (U+0009-000D, U+0020), 0 anything else; bytes
 * from 0x80 up are 0 too, so the loops below stop there and decode. A C test
 * checks every entry against kw_cp_class. */
enum { ASCII_WORD = 1, ASCII_SPACE = 2 };
const unsigned char kw_ascii_kind[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
};

static inline int scan_token(kw_scan *s, kw_tokspan *t)
{
    const unsigned char *p = s->p, *end = s->end;
    uint64_t chars = s->chars;
    enum kw_cp_class cls;
    int len;

    for (;;) {
        const unsigned char *q = p;
        while (q < end && kw_ascii_kind[*q] == ASCII_SPACE)
            q++;
        chars += (uint64_t)(q - p);
        p = q;
        if (p >= end) {
            s->p = p;
            s->chars = chars;
            return 0;
        }
        cls = class_at(p, end, &len);
        if (!len) {
            s->p = p;
            s->chars = chars;
            return -1;
        }
        if (cls != KW_CP_SPACE)
            break;
        p += len;
        chars++;
    }

    t->begin = (size_t)(p - s->base);
    t->char_begin = chars;
    t->is_word = cls != KW_CP_PUNCT;
    p += len;
    chars++;
    if (cls != KW_CP_PUNCT) {
        /* A solo character (Han, kana) keeps only its combining marks; any
         * other word runs on through letters, numbers and marks. An invalid
         * byte ends the token and is reported by the next call. */
        int solo = cls == KW_CP_SOLO;
        for (;;) {
            if (!solo) {
                const unsigned char *q = p;
                while (q < end && kw_ascii_kind[*q] == ASCII_WORD)
                    q++;
                chars += (uint64_t)(q - p);
                p = q;
            }
            if (p >= end || *p < 0x80)
                break;
            enum kw_cp_class next = class_at(p, end, &len);
            if (!len || !(next == KW_CP_MARK || (!solo && next == KW_CP_WORD)))
                break;
            p += len;
            chars++;
        }
    }
    t->end = (size_t)(p - s->base);
    t->char_end = chars;
    s->p = p;
    s->chars = chars;
    return 1;
}

int kw_scan_next(kw_scan *s, kw_tokspan *t)
{
    return scan_token(s, t);
}

size_t kw_scan_skip(kw_scan *s, size_t n)
{
    /* Through ASCII, a token starts at any byte that is not white space,
     * unless it is a word character after another one: count starts a byte
     * at a time, without building spans, and stop on the start of token
     * n + 1. Anything else goes through the full tokenizer. */
    const unsigned char *p = s->p, *end = s->end;
    uint64_t chars = s->chars;
    size_t done = 0;
    int after_word = 0;
    while (p < end && *p < 0x80) {
        int kind = kw_ascii_kind[*p];
        if (kind != ASCII_SPACE && !(kind == ASCII_WORD && after_word)) {
            if (done == n)
                break;
            done++;
        }
        after_word = kind == ASCII_WORD;
        p++;
        chars++;
    }
    s->p = p;
    s->chars = chars;
    if (p < end && *p >= 0x80 && after_word) {
        /* Stopped inside a token that may run on past ASCII: it was
         * counted, so finish it without counting it again. */
        kw_tokspan rest;
        s->p = p - 1;
        s->chars = chars - 1;
        scan_token(s, &rest);
    }
    kw_tokspan unused;
    while (done < n && scan_token(s, &unused) == 1)
        done++;
    return done;
}

size_t kw_fold_utf8(const char *src, size_t n, char *dst)
{
    const unsigned char *p = (const unsigned char *)src, *end = p + n;
    unsigned char *out = (unsigned char *)dst;
    while (p < end) {
        uint32_t cp, folded[KW_FOLD_MAX_CP];
        /* Callers pass validated text; a stray byte is copied, not looped on. */
        int len = kw_utf8_decode(p, end, &cp);
        if (!len) {
            *out++ = *p++;
            continue;
        }
        p += len;
        int k = kw_cp_fold(cp, folded);
        for (int i = 0; i < k; i++)
            out += kw_utf8_encode(folded[i], out);
    }
    return (size_t)(out - (unsigned char *)dst);
}

int kw_utf8_folds(const char *src, size_t n)
{
    const unsigned char *p = (const unsigned char *)src, *end = p + n;
    while (p < end) {
        uint32_t cp;
        int len = kw_utf8_decode(p, end, &cp);
        if (!len)
            return 0;
        p += len;
        if (kw_cp_folds(cp))
            return 1;
    }
    return 0;
}

size_t kw_collapse_space(const char *src, size_t n, char *dst)
{
    const unsigned char *p = (const unsigned char *)src, *end = p + n;
    char *out = dst;
    while (p < end) {
        /* Most text is ASCII with single spaces: copy it a byte at a time
         * with no decoding until something else shows up. */
        if (*p < 0x80 && kw_ascii_kind[*p] != ASCII_SPACE) {
            *out++ = (char)*p++;
            continue;
        }
        if (*p == ' ' && (p + 1 == end || (p[1] < 0x80 && kw_ascii_kind[p[1]] != ASCII_SPACE))) {
            *out++ = ' ';
            p++;
            continue;
        }
        uint32_t cp;
        int len = kw_utf8_decode(p, end, &cp);
        if (!len) {
            *out++ = (char)*p++;
            continue;
        }
        if (kw_cp_class(cp) != KW_CP_SPACE) {
            for (int i = 0; i < len; i++)
                *out++ = (char)p[i];
            p += len;
            continue;
        }
        *out++ = ' ';
        p += len;
        while (p < end && (len = kw_utf8_decode(p, end, &cp)) && kw_cp_class(cp) == KW_CP_SPACE)
            p += len;
    }
    return (size_t)(out - dst);
}
