/* kw_kwic.c: laying out keyword-in-context lines (see kw_core.h). */
#include "kw_internal.h"
#include "kw_text.h"

/* ---- KWIC ---- */

void kw_line_at(const kw_index *ix, const kw_hits *h, size_t i, uint32_t left, uint32_t right,
                kw_line *out)
{
    const size_t first = h->pos[i], last = first + kw_hits_length(h, i) - 1;
    const size_t doc = kw_index_doc_of(ix, (uint32_t)first);
    const size_t doc_first = ix->doc_tok[doc], doc_end = ix->doc_tok[doc + 1];

    /* Context bounds count words only; punctuation inside them is shown. */
    size_t lo = first, words = 0;
    while (words < left && lo > doc_first) {
        lo--;
        words += ix->is_word[ix->toks[lo]];
    }
    size_t hi = last + 1;
    words = 0;
    while (words < right && hi < doc_end) {
        words += ix->is_word[ix->toks[hi]];
        hi++;
    }

    size_t n_bytes;
    const char *text = kw_index_doc_text(ix, doc, &n_bytes);
    size_t tok = (lo / KW_CHECKPOINT) * KW_CHECKPOINT;
    kw_scan scan;
    if (tok > doc_first) {
        const kw_checkpoint *cp = &ix->checkpoints[lo / KW_CHECKPOINT];
        kw_scan_init(&scan, text, n_bytes, (size_t)(cp->byte - ix->doc_byte[doc]), cp->chars);
    } else {
        tok = doc_first;
        kw_scan_init(&scan, text, n_bytes, 0, 0);
    }

    kw_tokspan t;
    for (; tok < hi; tok++) {
        kw_scan_next(&scan, &t);
        if (tok == lo)
            out->left_begin = t.begin;
        if (tok == first) {
            out->match_begin = t.begin;
            out->char_start = t.char_begin;
        }
        if (tok == last) {
            out->match_end = t.end;
            out->char_end = t.char_end;
        }
        if (tok + 1 == hi)
            out->right_end = t.end;
    }
    /* The contexts take the white space beside the match, so that left,
     * match and right laid end to end read as the text does. */
    out->left_end = out->match_begin;
    out->right_begin = out->match_end;
    if (lo == first)
        out->left_begin = out->match_begin;
    if (hi == last + 1)
        out->right_end = out->match_end;
    out->doc = doc;
    out->tok_start = (uint32_t)(first - doc_first);
    out->tok_end = (uint32_t)(last + 1 - doc_first);
}
