/*
 * kw_text.c: UTF-8, the tokenizer and case folding (see kw_core.h for the
 * tokenizer's rules, kw_text.h for the scanner).
 *
 * The scanner reads a code point at a time: ASCII by a table of 256 kinds
 * (word, white space, other), anything else decoded, its class and folding
 * looked up in the two-stage tables of kw_unicode_tables.h. Skipping tokens
 * without reporting them (to reach a line's context from a checkpoint)
 * goes through ASCII a chunk of 16 bytes (SSE2) or 8 (portable arithmetic)
 * at a time, counting token starts by bit masks, and falls back to the
 * scanner at the first byte past ASCII. Encoding code units writes the
 * one- and two-byte forms inline, one loop per unit width.
 */
#include <string.h>

#include "kw_bits.h"
#include "kw_core.h"
#include "kw_endian.h"
#include "kw_text.h"
#include "kw_unicode_tables.h"

#if (defined(__SSE2__) || defined(_M_X64)) && !defined(KW_PORTABLE)
#include <emmintrin.h>
#endif

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
        if (avail < 4 || p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12)
              | ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
        return 4;
    }
    return 0;
}

size_t kw_utf8_valid_prefix(const char *text, size_t n)
{
    const unsigned char *p = (const unsigned char *)text, *end = p + n;
    uint32_t cp;
    while (p < end) {
        /* Eight ASCII bytes at a time: most annotated text is ASCII. */
        while (end - p >= 8) {
            uint64_t word;
            memcpy(&word, p, 8);
            if (word & 0x8080808080808080ull)
                break;
            p += 8;
        }
        if (p == end)
            break;
        if (*p < 0x80) {
            p++;
            continue;
        }
        int len = kw_utf8_decode(p, end, &cp);
        if (!len)
            break;
        p += len;
    }
    return (size_t)(p - (const unsigned char *)text);
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

size_t kw_utf8_per_unit(int width) { return width == 1 ? 2 : width == 2 ? 3 : 4; }

/* The loop of kw_utf8_from_units for units of type T: a unit below 0x800
 * is encoded here, the rarer wider ones by kw_utf8_encode. */
#define ENCODE_UNITS(T)                                                   \
    do {                                                                  \
        const T *u = units;                                               \
        for (size_t i = 0; i < n; i++) {                                  \
            uint32_t cp = u[i];                                           \
            if (cp < 0x80) {                                              \
                *o++ = (unsigned char)cp;                                 \
            } else if (cp < 0x800) {                                      \
                o[0] = (unsigned char)(0xC0 | (cp >> 6));                 \
                o[1] = (unsigned char)(0x80 | (cp & 0x3F));               \
                o += 2;                                                   \
            } else if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) { \
                if (bad_unit)                                             \
                    *bad_unit = i;                                        \
                return KW_EUTF8;                                          \
            } else {                                                      \
                o += kw_utf8_encode(cp, o);                               \
            }                                                             \
        }                                                                 \
    } while (0)

kw_status kw_utf8_from_units(const void *units, size_t n, int width, char *out, size_t *n_bytes,
                             size_t *bad_unit)
{
    unsigned char *o = (unsigned char *)out;
    if (width == 1)
        ENCODE_UNITS(uint8_t);
    else if (width == 2)
        ENCODE_UNITS(uint16_t);
    else if (width == 4)
        ENCODE_UNITS(uint32_t);
    else
        return KW_EINVAL;
    *n_bytes = (size_t)(o - (unsigned char *)out);
    return KW_OK;
}

int kw_cp_is_space(uint32_t cp) { return kw_cp_class(cp) == KW_CP_SPACE; }

int kw_utf8_starts_upper(const char *src, size_t n)
{
    const unsigned char *p = (const unsigned char *)src;
    uint32_t cp;
    if (n == 0 || !kw_utf8_decode(p, p + n, &cp))
        return 0;
    return kw_cp_is_upper(cp);
}

void kw_scan_init(kw_scan *s, const char *base, size_t n_bytes, size_t start, uint64_t chars_before)
{
    s->base = (const unsigned char *)base;
    s->p = s->base + start;
    s->end = s->base + n_bytes;
    s->chars = chars_before;
}

/* Class of the code point at p, its length in *len (0: invalid UTF-8). */
static inline enum kw_cp_class class_at(const unsigned char *p, const unsigned char *end, int *len)
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

int kw_scan_next(kw_scan *s, kw_tokspan *t) { return scan_token(s, t); }

/* Flags of KW_CHUNK bytes at p, bit i for byte i: bytes from 0x80 up, and
 * among the ASCII bytes before the first of them, word characters and
 * white space. SSE2 (every x86-64) takes sixteen bytes at once; elsewhere,
 * or built with KW_PORTABLE, eight go through byte arithmetic. */
#if (defined(__SSE2__) || defined(_M_X64)) && !defined(KW_PORTABLE)
#define KW_CHUNK 16

static inline void chunk_flags(const unsigned char *p, uint32_t *words, uint32_t *spaces,
                               uint32_t *high)
{
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    /* The compares are signed: bytes from 0x80 up are negative, so they
     * fall in none of these ranges. */
    const __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
    const __m128i letters = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                          _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
    const __m128i digits = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                         _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    const __m128i space = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                                       _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x08)),
                                                     _mm_cmplt_epi8(v, _mm_set1_epi8(0x0E))));
    *words = (uint32_t)_mm_movemask_epi8(_mm_or_si128(letters, digits));
    *spaces = (uint32_t)_mm_movemask_epi8(space);
    *high = (uint32_t)_mm_movemask_epi8(v);
}

/* The bytes of KW_CHUNK at p that kw_collapse_space copies as they are:
 * ASCII that is not white space, and spaces followed by such a byte. */
static inline uint32_t chunk_plain(const unsigned char *p)
{
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    const __m128i blank = _mm_cmpeq_epi8(v, _mm_set1_epi8(' '));
    const __m128i other = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x08)),
                                        _mm_cmplt_epi8(v, _mm_set1_epi8(0x0E)));
    const uint32_t printable =
        ~(uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(blank, other), v)) & 0xFFFFu;
    return printable | ((uint32_t)_mm_movemask_epi8(blank) & (printable >> 1));
}
#else
#define KW_CHUNK 8

/* Eight bytes at a time in a uint64_t, byte i of the text in bits 8i..8i+7
 * (SWAR): a flag about each byte lives in that byte's top bit. The text's
 * ASCII runs go through these; anything else takes the byte loops. */
#define KW_EACH_BYTE(b) (0x0101010101010101ULL * (uint64_t)(b))
#define KW_TOP_BITS KW_EACH_BYTE(0x80)


/* Top bit set in each byte of ASCII x that is >= k (1 <= k <= 0x80): the sum
 * stays below 0x100 in every byte, so no carry crosses into the next. */
static inline uint64_t bytes_at_least(uint64_t x, unsigned k)
{
    return (x + KW_EACH_BYTE(0x80 - k)) & KW_TOP_BITS;
}

static inline uint64_t bytes_in(uint64_t x, unsigned lo, unsigned hi)
{
    return bytes_at_least(x, lo) & ~bytes_at_least(x, hi + 1);
}

/* The word characters of ASCII x, [0-9A-Za-z] as kw_ascii_kind has them;
 * setting bit 5 maps A-Z onto a-z and nothing else onto a-z. */
static inline uint64_t ascii_word_bytes(uint64_t x)
{
    return bytes_in(x | KW_EACH_BYTE(0x20), 'a', 'z') | bytes_in(x, '0', '9');
}

/* The white space of ASCII x: U+0009-000D and U+0020. */
static inline uint64_t ascii_space_bytes(uint64_t x)
{
    return bytes_in(x, 0x09, 0x0D) | bytes_in(x, ' ', ' ');
}

/* Byte i's top bit to bit i: the partial products all land on distinct
 * bits, so none carries into another. */
static inline uint32_t gather_top_bits(uint64_t flags)
{
    return (uint32_t)((((flags & KW_TOP_BITS) >> 7) * 0x0102040810204080ULL) >> 56);
}

static inline void chunk_flags(const unsigned char *p, uint32_t *words, uint32_t *spaces,
                               uint32_t *high)
{
    /* Bit 7 cleared, so that the byte arithmetic cannot carry; what this
     * makes of the bytes from 0x80 up, the caller does not read. */
    const uint64_t x = get64(p), x7 = x & ~KW_TOP_BITS;
    *words = gather_top_bits(ascii_word_bytes(x7));
    *spaces = gather_top_bits(ascii_space_bytes(x7));
    *high = gather_top_bits(x);
}

static inline uint32_t chunk_plain(const unsigned char *p)
{
    const uint64_t x = get64(p), high = x & KW_TOP_BITS, x7 = x & ~KW_TOP_BITS;
    const uint64_t printable = ~(ascii_space_bytes(x7) | high) & KW_TOP_BITS;
    return gather_top_bits(printable | (bytes_in(x7, ' ', ' ') & ~high & (printable >> 8)));
}
#endif

static inline unsigned count_bits(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return (x * 0x01010101u) >> 24;
}

size_t kw_scan_skip(kw_scan *s, size_t n)
{
    /* Through ASCII, a token starts at any byte that is not white space,
     * unless it is a word character after another one: count starts a
     * chunk of bytes at a time without building spans, up to the start of
     * token n + 1. Anything else goes through the full tokenizer. */
    const unsigned char *p = s->p, *end = s->end;
    size_t done = 0;
    uint32_t after_word = 0; /* 1: the byte before p is a word character */
    while (end - p >= KW_CHUNK) {
        uint32_t words, spaces, high;
        chunk_flags(p, &words, &spaces, &high);
        /* Only the bytes before the first non-ASCII one count here. */
        const uint32_t ascii = high ? (high & -high) - 1 : (uint32_t)((1ULL << KW_CHUNK) - 1);
        uint32_t starts = ~spaces & ~(words & ((words << 1) | after_word)) & ascii;
        const size_t count = count_bits(starts);
        if (done + count > n) {
            for (size_t passed = n - done; passed; passed--)
                starts &= starts - 1;
            const size_t k = (size_t)kw_ctz32(starts);
            s->chars += (uint64_t)(p + k - s->p);
            s->p = p + k;
            return n;
        }
        done += count;
        if (high) {
            const size_t k = (size_t)kw_ctz32(high);
            if (k)
                after_word = (words >> (k - 1)) & 1;
            p += k;
            break;
        }
        after_word = (words >> (KW_CHUNK - 1)) & 1;
        p += KW_CHUNK;
    }
    /* The last few bytes of the text, or a non-ASCII byte. */
    uint64_t chars = s->chars + (uint64_t)(p - s->p);
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

kw_status kw_tokenize(const char *text, size_t n_bytes, kw_token_fn each, void *ctx,
                      size_t *bad_offset)
{
    kw_scan scan;
    kw_tokspan t;
    int r;
    kw_scan_init(&scan, text, n_bytes, 0, 0);
    while ((r = kw_scan_next(&scan, &t)) == 1)
        if (each(ctx, &t))
            return KW_OK;
    if (r < 0) {
        *bad_offset = kw_scan_offset(&scan);
        return KW_EUTF8;
    }
    return KW_OK;
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

size_t kw_collapse_space(const char *src, size_t n, char *dst, int *ascii)
{
    const unsigned char *p = (const unsigned char *)src, *end = p + n;
    char *out = dst;
    int wide = 0;
    while (p < end) {
        /* Most text is ASCII with single spaces: copy a chunk at a time and
         * keep the bytes up to the first that needs a look (no more is
         * written than is read, so the chunk fits in dst); decode only from
         * there, or in the last few bytes. */
        if (end - p >= KW_CHUNK) {
            const uint32_t plain = chunk_plain(p);
            memcpy(out, p, KW_CHUNK);
            /* ~plain has every bit from KW_CHUNK up set, so it is never 0. */
            const size_t k = (size_t)kw_ctz32(~plain);
            out += k;
            p += k;
            if (k == KW_CHUNK)
                continue;
        }
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
            wide = 1;
            *out++ = (char)*p++;
            continue;
        }
        if (kw_cp_class(cp) != KW_CP_SPACE) {
            wide = 1;
            memcpy(out, p, (size_t)len);
            out += len;
            p += len;
            continue;
        }
        *out++ = ' ';
        p += len;
        while (p < end && (len = kw_utf8_decode(p, end, &cp)) && kw_cp_class(cp) == KW_CP_SPACE)
            p += len;
    }
    *ascii = !wide;
    return (size_t)(out - dst);
}
