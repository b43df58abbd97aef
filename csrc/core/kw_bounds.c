/*
 * kw_bounds.c: sentence and paragraph boundaries, and the structures s and
 * p of a plain index found by them (see kw_bounds.h).
 */
#include <string.h>

#include "kw_alloc.h"
#include "kw_bounds.h"
#include "kw_cancel.h"
#include "kw_index.h"
#include "kw_strtab.h"
#include "kw_text.h"

/* Words, case-folded, after which a full stop does not end a sentence. */
static const char *const abbreviations[] = {
    "mr", "mrs", "ms",  "messrs", "mme",  "mlle", "dr",  "prof", "rev", "hon", "st", "mt",
    "jr", "sr",  "gen", "col",    "capt", "lt",   "sgt", "gov",  "sen", "rep", "vs",
};

static int is_abbreviation(const char *folded, size_t n)
{
    for (size_t i = 0; i < sizeof abbreviations / sizeof *abbreviations; i++)
        if (strlen(abbreviations[i]) == n && memcmp(abbreviations[i], folded, n) == 0)
            return 1;
    return 0;
}

/* Line breaks in the white space [p, end), counted up to 2: LF, VT, FF, CR,
 * NEL (U+0085), LS (U+2028) and PS (U+2029), a CR LF pair counting once. The
 * span holds only white space, so stepping a byte at a time never mistakes
 * a continuation byte (80-BF) for a line break or a lead byte. */
static int line_breaks(const unsigned char *p, const unsigned char *end)
{
    int n = 0;
    while (p < end && n < 2) {
        if (*p == '\r') {
            n++;
            p += p + 1 < end && p[1] == '\n' ? 2 : 1;
        } else if (*p >= '\n' && *p <= '\f') {
            n++;
            p++;
        } else if (*p == 0xC2 && end - p >= 2 && p[1] == 0x85) {
            n++;
            p += 2;
        } else if (*p == 0xE2 && end - p >= 3 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
            n++;
            p += 3;
        } else {
            p++;
        }
    }
    return n;
}

kw_bound kw_boundary(const kw_index *ix, const char *text, kw_bound wanted,
                     const kw_tokspan *before, uint32_t before_type, const kw_tokspan *prev,
                     const kw_tokspan *next)
{
    if (next->begin <= prev->end)
        return KW_BOUND_NONE; /* no white space between them (or the words of one multiword token) */
    if (next->begin - prev->end >= 2
        && line_breaks((const unsigned char *)text + prev->end,
                       (const unsigned char *)text + next->begin)
               >= 2)
        return KW_BOUND_PARAGRAPH;
    if (wanted != KW_BOUND_SENTENCE || prev->end - prev->begin != 1)
        return KW_BOUND_NONE;
    char c = text[prev->begin];
    if (c != '.' && c != '!' && c != '?')
        return KW_BOUND_NONE;
    if (!kw_utf8_starts_upper(text + next->begin, next->end - next->begin))
        return KW_BOUND_NONE;
    if (c == '.' && before && before->is_word && before->end == prev->begin) {
        /* "J." and "Mr." do not end a sentence. */
        if (before->char_end - before->char_begin == 1
            && kw_utf8_starts_upper(text + before->begin, before->end - before->begin))
            return KW_BOUND_NONE;
        size_t n;
        const char *folded = kw_strtab_form(&ix->folded, ix->group_of[before_type], &n);
        if (is_abbreviation(folded, n))
            return KW_BOUND_NONE;
    }
    return KW_BOUND_SENTENCE;
}

/* ---- the structures s and p of a plain index ---- */

typedef struct region_list {
    uint32_t *start, *end;
    size_t n, cap_start, cap_end;
} region_list;

static kw_status add_region(const kw_alloc *a, region_list *r, size_t start, size_t end)
{
    kw_status st = kw_reserve(a, (void **)&r->start, &r->cap_start, r->n + 1, sizeof *r->start);
    if (st == KW_OK)
        st = kw_reserve(a, (void **)&r->end, &r->cap_end, r->n + 1, sizeof *r->end);
    if (st != KW_OK)
        return st;
    r->start[r->n] = (uint32_t)start;
    r->end[r->n++] = (uint32_t)end;
    return KW_OK;
}

/* Each document's sentences (found[0]) and paragraphs (found[1]): the
 * stretches between its boundaries, none in a document without tokens. */
static kw_status find_regions(const kw_index *ix, const kw_cancel *cancel, region_list found[2])
{
    const kw_alloc *a = &ix->alloc;
    size_t work = 0;
    for (size_t doc = 0; doc < ix->n_docs; doc++) {
        const size_t first = ix->doc_tok[doc], end = ix->doc_tok[doc + 1];
        if (first == end)
            continue;
        size_t n_bytes;
        const char *text = kw_index_doc_text(ix, doc, &n_bytes);
        kw_scan scan;
        kw_scan_init(&scan, text, n_bytes, 0, 0);
        kw_tokspan t, prev = {0}, before = {0};
        size_t opened[2] = {first, first};
        for (size_t tok = first; tok < end; tok++) {
            if (++work == KW_POLL_EVERY) {
                work = 0;
                if (kw_stop_asked(cancel))
                    return KW_EINTR;
            }
            /* Only a saved file altered on purpose (its checksums made
             * again) has fewer tokens in its text than its stream says:
             * the rest of the document then has no boundary. */
            if (kw_scan_next(&scan, &t) != 1)
                break;
            if (tok > first) {
                const kw_bound b =
                    kw_boundary(ix, text, KW_BOUND_SENTENCE, tok >= first + 2 ? &before : NULL,
                                tok >= first + 2 ? kw_tok(ix, tok - 2) : 0, &prev, &t);
                for (int k = 0; k < 2 && b != KW_BOUND_NONE; k++) {
                    if (k == 1 && b != KW_BOUND_PARAGRAPH)
                        break;
                    kw_status st = add_region(a, &found[k], opened[k], tok);
                    if (st != KW_OK)
                        return st;
                    opened[k] = tok;
                }
            }
            before = prev;
            prev = t;
        }
        for (int k = 0; k < 2; k++) {
            kw_status st = add_region(a, &found[k], opened[k], end);
            if (st != KW_OK)
                return st;
        }
    }
    return KW_OK;
}

kw_status kw_index_find_structures(const kw_index *ix, const kw_cancel *cancel)
{
    kw_structure *to[2] = {NULL, NULL}; /* the entries of s and p */
    for (size_t s = 1; s < ix->n_structures; s++)
        if (ix->structures[s].found_by != KW_BOUND_NONE)
            to[ix->structures[s].found_by == KW_BOUND_PARAGRAPH] = &ix->structures[s];
    if (!to[0] || !to[1] || (atomic_load(&to[0]->made) && atomic_load(&to[1]->made)))
        return KW_OK;
    const kw_alloc *a = &ix->alloc;
    region_list found[2];
    memset(found, 0, sizeof found);
    kw_status st = find_regions(ix, cancel, found);
    for (int k = 0; k < 2; k++) {
        kw_structure *made = st == KW_OK ? kw_malloc(a, sizeof *made) : NULL;
        if (!made) {
            st = st == KW_OK ? KW_ENOMEM : st;
            kw_free(a, found[k].start);
            kw_free(a, found[k].end);
            continue;
        }
        *made = (kw_structure){
            .name = to[k]->name, .start = found[k].start, .end = found[k].end, .n = found[k].n};
        /* Another thread may have found them meanwhile: keep the first. */
        kw_structure *kept = NULL;
        if (!atomic_compare_exchange_strong(&to[k]->made, &kept, made)) {
            kw_free(a, found[k].start);
            kw_free(a, found[k].end);
            kw_free(a, made);
        }
    }
    return st;
}
