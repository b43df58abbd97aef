/*
 * kw_conllu.c: reading CoNLL-U into a builder (see kw_core.h).
 *
 * One pass over the lines. A document's tokens, text and regions gather in
 * growing arrays and go to kw_builder_add_annotated when the document ends
 * (at the next `# newdoc` or the end of the file); the attribute values
 * point into the caller's bytes, so nothing is copied but the rebuilt text.
 * The whole input is checked for UTF-8 first, so that a problem is reported
 * by its line, and the builder never sees invalid bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kw_alloc.h"
#include "kw_cancel.h"
#include "kw_core.h"
#include "kw_text.h"

const char *const kw_conllu_attrs[KW_CONLLU_N_ATTRS] = {"lemma", "upos",   "xpos",
                                                        "feats", "deprel", "head"};
const char *const kw_conllu_structures[KW_CONLLU_N_STRUCTURES] = {"s", "p"};

/* The columns of a token row, in CoNLL-U's order. */
enum { ID, FORM, LEMMA, UPOS, XPOS, FEATS, HEAD, DEPREL, DEPS, MISC, N_COLUMNS };

typedef struct piece {
    const char *p;
    size_t n;
} piece;

typedef struct reader {
    kw_builder *b;
    const kw_alloc *alloc;
    kw_parse_error *err;
    kw_conllu_doc_fn doc_added;
    void *ctx;
    size_t line; /* 1-based number of the line being read */
    /* The document being gathered. */
    char *text;
    size_t text_len, text_cap;
    kw_ext_token *tokens;
    size_t n_tokens, tokens_cap;
    int columns[KW_CONLLU_N_ATTRS]; /* the columns kept, in the builder's attribute order */
    size_t n_kept;
    const char **value_ptrs; /* n_kept a token */
    size_t *value_lens;
    size_t ptrs_cap, lens_cap;
    kw_ext_region *regions;
    size_t n_regions, regions_cap;
    int doc_open; /* tokens or a `# newdoc` seen since the last document */
    piece doc_id;
    int has_id;
    size_t paragraph_start; /* token where the open paragraph starts */
    int paragraph_open;
    size_t n_sentences; /* sentences of the document so far */
} reader;

static kw_status fail(reader *r, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    r->err->line = r->line;
    vsnprintf(r->err->message, sizeof r->err->message, fmt, args);
    va_end(args);
    return KW_EFORMAT;
}

static int equals(piece s, const char *literal)
{
    size_t n = strlen(literal);
    return s.n == n && memcmp(s.p, literal, n) == 0;
}

static int starts_with(piece s, const char *literal)
{
    size_t n = strlen(literal);
    return s.n >= n && memcmp(s.p, literal, n) == 0;
}

static piece trim(piece s)
{
    while (s.n && (s.p[0] == ' ' || s.p[0] == '\t'))
        s.p++, s.n--;
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
        s.n--;
    return s;
}

/* A decimal number of at most 9 digits, without sign or leading zero. */
static int number(const char *p, size_t n, size_t *out)
{
    if (n == 0 || n > 9 || (p[0] == '0' && n > 1))
        return 0;
    size_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        v = v * 10 + (size_t)(p[i] - '0');
    }
    *out = v;
    return 1;
}

static kw_status append_text(reader *r, const char *p, size_t n)
{
    kw_status st = kw_reserve(r->alloc, (void **)&r->text, &r->text_cap, r->text_len + n, 1);
    if (st == KW_OK) {
        memcpy(r->text + r->text_len, p, n);
        r->text_len += n;
    }
    return st;
}

static kw_status add_region(reader *r, size_t structure, size_t start, size_t end)
{
    kw_status st = kw_reserve(r->alloc, (void **)&r->regions, &r->regions_cap, r->n_regions + 1,
                              sizeof *r->regions);
    if (st == KW_OK)
        r->regions[r->n_regions++] = (kw_ext_region){structure, start, end};
    return st;
}

static kw_status close_paragraph(reader *r)
{
    kw_status st = KW_OK;
    if (r->paragraph_open)
        st = add_region(r, 1, r->paragraph_start, r->n_tokens);
    r->paragraph_open = 0;
    return st;
}

/* Give the gathered document to the builder, and start the next. */
static kw_status flush_document(reader *r)
{
    if (!r->doc_open)
        return KW_OK;
    kw_status st = close_paragraph(r);
    if (st)
        return st;
    /* The arrays have settled: each token's values are pointed to now. */
    for (size_t i = 0; r->n_kept && i < r->n_tokens; i++) {
        r->tokens[i].values = &r->value_ptrs[i * r->n_kept];
        r->tokens[i].value_lens = &r->value_lens[i * r->n_kept];
    }
    kw_annot_problem problem;
    st = kw_builder_add_annotated(r->b, r->text ? r->text : "", r->text_len, r->tokens, r->n_tokens,
                                  r->regions, r->n_regions, &problem);
    if (st == KW_EINVAL || st == KW_EUTF8)
        return fail(r, "the document ending here was refused: %s", problem.what);
    if (st != KW_OK)
        return st;
    if (r->doc_added
        && r->doc_added(r->ctx, r->has_id ? r->doc_id.p : NULL, r->has_id ? r->doc_id.n : 0))
        return KW_EINTR;
    r->text_len = r->n_tokens = r->n_regions = r->n_sentences = 0;
    r->doc_open = r->has_id = r->paragraph_open = 0;
    return KW_OK;
}

/* The sentence being read. */
typedef struct sentence {
    size_t first_token;             /* in the document */
    size_t next_id;                 /* the word id expected next */
    size_t range_first, range_last; /* word ids of the open multiword token, or 0 */
    size_t range_begin, range_end;  /* its span */
    int range_space;                /* white space after it */
    int space_before;               /* white space before the next surface token */
    int newpar;                     /* a `# newpar` comment came with it */
    size_t n_rows;
} sentence;

static int space_after_no(piece misc)
{
    const char *p = misc.p, *end = misc.p + misc.n;
    while (p < end) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        const char *stop = bar ? bar : end;
        if ((size_t)(stop - p) == 13 && memcmp(p, "SpaceAfter=No", 13) == 0)
            return 1;
        p = stop + 1;
    }
    return 0;
}

/* Append a surface token's form to the text; its span. */
static kw_status add_surface(reader *r, sentence *s, piece form, size_t *begin, size_t *end)
{
    kw_status st;
    if (s->space_before && (st = append_text(r, " ", 1)))
        return st;
    *begin = r->text_len;
    if ((st = append_text(r, form.p, form.n)))
        return st;
    *end = r->text_len;
    return KW_OK;
}

static kw_status add_word(reader *r, const piece *col, size_t begin, size_t end)
{
    kw_status st;
    if ((st = kw_reserve(r->alloc, (void **)&r->tokens, &r->tokens_cap, r->n_tokens + 1,
                         sizeof *r->tokens)))
        return st;
    r->tokens[r->n_tokens] =
        (kw_ext_token){.begin = begin, .end = end, .word = col[FORM].p, .word_len = col[FORM].n};
    if (!r->n_kept) {
        r->n_tokens++;
        return KW_OK;
    }
    if ((st = kw_reserve(r->alloc, (void **)&r->value_ptrs, &r->ptrs_cap,
                         (r->n_tokens + 1) * r->n_kept, sizeof *r->value_ptrs))
        || (st = kw_reserve(r->alloc, (void **)&r->value_lens, &r->lens_cap,
                            (r->n_tokens + 1) * r->n_kept, sizeof *r->value_lens)))
        return st;
    const char **ptrs = &r->value_ptrs[r->n_tokens * r->n_kept];
    size_t *lens = &r->value_lens[r->n_tokens * r->n_kept];
    for (size_t k = 0; k < r->n_kept; k++) {
        const piece value = col[r->columns[k]];
        /* `_` is an unspecified value, except an underscore token's lemma. */
        const int unspecified = value.n == 1 && value.p[0] == '_'
                                && !(r->columns[k] == LEMMA && equals(col[FORM], "_"));
        ptrs[k] = value.p;
        lens[k] = unspecified ? 0 : value.n;
    }
    r->n_tokens++;
    return KW_OK;
}

static kw_status token_row(reader *r, sentence *s, const char *line, size_t n)
{
    piece col[N_COLUMNS];
    size_t k = 0;
    const char *p = line, *end = line + n;
    while (k < N_COLUMNS) {
        const char *tab = memchr(p, '\t', (size_t)(end - p));
        col[k++] = (piece){p, (size_t)((tab ? tab : end) - p)};
        if (!tab)
            break;
        p = tab + 1;
    }
    if (k != N_COLUMNS || col[N_COLUMNS - 1].p + col[N_COLUMNS - 1].n != end)
        return fail(r, "a token row has %s columns, not 10 separated by tabs",
                    k < N_COLUMNS ? "fewer" : "more");
    for (k = 0; k < N_COLUMNS; k++)
        if (col[k].n == 0)
            return fail(r, "column %zu is empty (an unspecified value is written _)", k + 1);
    const piece id = col[ID];
    const char *dash = memchr(id.p, '-', id.n), *dot = memchr(id.p, '.', id.n);
    size_t a, b;
    s->n_rows++;
    if (dot) {
        if (!number(id.p, (size_t)(dot - id.p), &a)
            || !number(dot + 1, (size_t)(id.p + id.n - dot - 1), &b) || b == 0)
            return fail(r, "bad id '%.*s'", (int)id.n, id.p);
        return KW_OK; /* an empty node: not a token */
    }
    if (dash) {
        if (!number(id.p, (size_t)(dash - id.p), &a)
            || !number(dash + 1, (size_t)(id.p + id.n - dash - 1), &b) || b <= a)
            return fail(r, "bad id '%.*s'", (int)id.n, id.p);
        if (s->range_last >= s->next_id)
            return fail(r,
                        "multiword token %.*s begins before the words of the one before it "
                        "end (word %zu is next)",
                        (int)id.n, id.p, s->next_id);
        if (a != s->next_id)
            return fail(r, "multiword token %.*s does not begin at the next word, %zu", (int)id.n,
                        id.p, s->next_id);
        kw_status st = add_surface(r, s, col[FORM], &s->range_begin, &s->range_end);
        if (st)
            return st;
        s->range_first = a;
        s->range_last = b;
        s->range_space = !space_after_no(col[MISC]);
        s->space_before = 0;
        return KW_OK;
    }
    if (!number(id.p, id.n, &a) || a == 0)
        return fail(r, "bad id '%.*s'", (int)id.n, id.p);
    if (a != s->next_id)
        return fail(r, "word %zu where word %zu comes next", a, s->next_id);
    size_t begin, end_byte;
    kw_status st;
    if (a <= s->range_last) {
        begin = s->range_begin;
        end_byte = s->range_end;
        if (a == s->range_last)
            s->space_before = s->range_space;
    } else {
        if ((st = add_surface(r, s, col[FORM], &begin, &end_byte)))
            return st;
        s->space_before = !space_after_no(col[MISC]);
    }
    s->next_id++;
    r->doc_open = 1;
    return add_word(r, col, begin, end_byte);
}

static kw_status end_sentence(reader *r, sentence *s)
{
    if (s->range_last >= s->next_id)
        return fail(r, "the sentence ends inside multiword token %zu-%zu, before word %zu",
                    s->range_first, s->range_last, s->next_id);
    kw_status st;
    if ((st = add_region(r, 0, s->first_token, r->n_tokens)))
        return st;
    r->n_sentences++;
    return KW_OK;
}

static kw_status comment(reader *r, sentence *s, piece line)
{
    piece body = trim((piece){line.p + 1, line.n - 1});
    if (starts_with(body, "newdoc") && (body.n == 6 || body.p[6] == ' ' || body.p[6] == '\t')) {
        if (s->n_rows)
            return fail(r, "# newdoc inside a sentence");
        kw_status st = flush_document(r);
        if (st)
            return st;
        piece rest = trim((piece){body.p + 6, body.n - 6});
        r->doc_open = 1;
        if (starts_with(rest, "id")) {
            piece value = trim((piece){rest.p + 2, rest.n - 2});
            if (value.n && value.p[0] == '=') {
                r->doc_id = trim((piece){value.p + 1, value.n - 1});
                r->has_id = 1;
            }
        }
        return KW_OK;
    }
    if (starts_with(body, "newpar") && (body.n == 6 || body.p[6] == ' ' || body.p[6] == '\t'))
        s->newpar = 1;
    return KW_OK;
}

kw_status kw_conllu_add(kw_builder *b, const kw_alloc *alloc, const char *data, size_t n,
                        const char *const *attrs, size_t n_attrs, kw_conllu_doc_fn doc_added,
                        void *ctx, const kw_cancel *cancel, kw_parse_error *err)
{
    static const int columns[KW_CONLLU_N_ATTRS] = {LEMMA, UPOS, XPOS, FEATS, DEPREL, HEAD};
    reader r = {.b = b, .alloc = alloc, .err = err, .doc_added = doc_added, .ctx = ctx};
    err->line = 0;
    err->message[0] = '\0';
    if (n_attrs > KW_CONLLU_N_ATTRS)
        return KW_EINVAL;
    for (size_t k = 0; k < n_attrs; k++) {
        size_t j = 0;
        while (j < KW_CONLLU_N_ATTRS && strcmp(attrs[k], kw_conllu_attrs[j]) != 0)
            j++;
        if (j == KW_CONLLU_N_ATTRS)
            return KW_EINVAL;
        r.columns[r.n_kept++] = columns[j];
    }
    kw_status st = KW_OK;
    /* Every byte is checked first, so a problem is named by its line. */
    const size_t valid = kw_utf8_valid_prefix(data, n);
    if (valid < n) {
        r.line = 1;
        for (const char *q = data; (q = memchr(q, '\n', (size_t)(data + valid - q))) != NULL; q++)
            r.line++;
        return fail(&r, "invalid UTF-8 at byte %zu of the file", valid);
    }
    const char *p = data, *end = data + n;
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* a byte order mark */
    sentence s = {.first_token = 0, .next_id = 1};
    while (p < end) {
        if (r.line % KW_POLL_EVERY == KW_POLL_EVERY - 1 && kw_stop_asked(cancel)) {
            st = KW_EINTR;
            break;
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        piece line = {p, len && p[len - 1] == '\r' ? len - 1 : len};
        r.line++;
        p = nl ? nl + 1 : end;
        if (!nl && line.n == 0)
            break;
        if (trim(line).n == 0) {
            if (s.n_rows && (st = end_sentence(&r, &s)))
                break;
            s = (sentence){.first_token = r.n_tokens, .next_id = 1};
            continue;
        }
        if (line.p[0] == '#') {
            if ((st = comment(&r, &s, line)))
                break;
            continue;
        }
        if (s.n_rows == 0) {
            /* The sentence's first row: its paragraph starts with it when it
             * has `# newpar`, or when it is the document's first sentence. */
            if (s.newpar || !r.paragraph_open) {
                if ((st = close_paragraph(&r)))
                    break;
                r.paragraph_start = r.n_tokens;
                r.paragraph_open = 1;
            }
            if (r.n_sentences && (st = append_text(&r, "\n", 1)))
                break;
            s.first_token = r.n_tokens;
        }
        if ((st = token_row(&r, &s, line.p, line.n)))
            break;
    }
    if (st == KW_OK && s.n_rows)
        st = fail(&r, "the last sentence has no blank line after it");
    if (st == KW_OK)
        st = flush_document(&r);
    kw_free(alloc, r.text);
    kw_free(alloc, r.tokens);
    kw_free(alloc, r.value_ptrs);
    kw_free(alloc, r.value_lens);
    kw_free(alloc, r.regions);
    return st;
}
