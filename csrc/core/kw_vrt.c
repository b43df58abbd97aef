/*
 * kw_vrt.c: reading CWB's vertical text (VRT) into a builder (see
 * kw_core.h).
 *
 * One pass over the lines, as kw_conllu.c reads CoNLL-U: a document's
 * tokens, text and regions gather in growing arrays and go to
 * kw_builder_add_annotated at its </text> (or at the end of a file without
 * <text>); the attribute values point into the caller's bytes. Open
 * elements are kept on a stack, at most one of each name, so that a tag
 * that does not nest is named with the line of the element it cuts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kw_alloc.h"
#include "kw_attr.h"
#include "kw_cancel.h"
#include "kw_core.h"
#include "kw_index.h"
#include "kw_text.h"

typedef struct piece {
    const char *p;
    size_t n;
} piece;

/* The element a tag names: a structure's number or one of these. */
#define TEXT_ELEMENT SIZE_MAX
#define GLUE_ELEMENT (SIZE_MAX - 1)
#define UNKNOWN_ELEMENT (SIZE_MAX - 2)

/* An open element: TEXT_ELEMENT or a structure's number. */
typedef struct open_element {
    size_t element;
    size_t first_token; /* in the document */
    size_t line;
} open_element;

typedef struct reader {
    kw_builder *b;
    const kw_alloc *alloc;
    kw_parse_error *err;
    kw_vrt_doc_fn doc_added;
    void *ctx;
    size_t line;
    size_t n_columns; /* word and the builder's attributes */
    /* The document being gathered. */
    char *text;
    size_t text_len, text_cap;
    kw_ext_token *tokens;
    size_t n_tokens, tokens_cap;
    piece *values; /* n_columns - 1 a token */
    size_t values_cap;
    kw_ext_region *regions;
    size_t n_regions, regions_cap;
    open_element *open; /* the stack: n_structures + 1 entries at most */
    size_t n_open;
    enum { NO_DOCUMENT_YET, WHOLE_FILE, TEXT_ELEMENTS } documents;
    int doc_open;
    piece text_attrs;     /* what the open <text> tag holds after its name */
    int glue, line_break; /* between the last token and the next */
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

static int is_space(char c) { return c == ' ' || c == '\t'; }

static int is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':';
}

static int equals(piece s, const char *literal)
{
    size_t n = strlen(literal);
    return s.n == n && memcmp(s.p, literal, n) == 0;
}

static const char *element_name(const reader *r, size_t element)
{
    return element == TEXT_ELEMENT ? "text" : r->b->structures[element].name;
}

static size_t element_of(const reader *r, piece name)
{
    if (equals(name, "text"))
        return TEXT_ELEMENT;
    if (equals(name, "g"))
        return GLUE_ELEMENT;
    for (size_t k = 0; k < r->b->n_structures; k++)
        if (equals(name, r->b->structures[k].name))
            return k;
    return UNKNOWN_ELEMENT;
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

/* Give the gathered document to the builder, and start the next. */
static kw_status flush_document(reader *r)
{
    const size_t n_values = r->b->n_attrs;
    const char **ptrs = kw_malloc(r->alloc, (r->n_tokens * n_values + 1) * sizeof *ptrs);
    size_t *lens = kw_malloc(r->alloc, (r->n_tokens * n_values + 1) * sizeof *lens);
    if (!ptrs || !lens) {
        kw_free(r->alloc, ptrs);
        kw_free(r->alloc, lens);
        return KW_ENOMEM;
    }
    for (size_t i = 0; i < r->n_tokens * n_values; i++) {
        ptrs[i] = r->values[i].p;
        lens[i] = r->values[i].n;
    }
    for (size_t i = 0; i < r->n_tokens; i++) {
        r->tokens[i].values = &ptrs[i * n_values];
        r->tokens[i].value_lens = &lens[i * n_values];
    }
    kw_annot_problem problem;
    kw_status st = kw_builder_add_annotated(r->b, r->text ? r->text : "", r->text_len, r->tokens,
                                            r->n_tokens, r->regions, r->n_regions, &problem);
    kw_free(r->alloc, ptrs);
    kw_free(r->alloc, lens);
    if (st == KW_EINVAL || st == KW_EUTF8)
        return fail(r, "the document ending here was refused: %s", problem.what);
    if (st != KW_OK)
        return st;
    int from_tag = r->documents == TEXT_ELEMENTS;
    if (r->doc_added
        && r->doc_added(r->ctx, from_tag ? r->text_attrs.p : NULL, from_tag ? r->text_attrs.n : 0))
        return KW_EINTR;
    r->text_len = r->n_tokens = r->n_regions = 0;
    r->doc_open = r->glue = r->line_break = 0;
    return KW_OK;
}

/* The document tokens and structures go to, opening the file's one
 * document when the file has no <text>. */
static kw_status enter_document(reader *r, const char *what)
{
    if (r->doc_open)
        return KW_OK;
    if (r->documents == TEXT_ELEMENTS)
        return fail(r, "%s outside <text> (this file's documents are <text> elements)", what);
    r->documents = WHOLE_FILE;
    r->doc_open = 1;
    return KW_OK;
}

static kw_status token_line(reader *r, piece line)
{
    kw_status st = enter_document(r, "a token");
    if (st)
        return st;
    if ((st = kw_reserve(r->alloc, (void **)&r->tokens, &r->tokens_cap, r->n_tokens + 1,
                         sizeof *r->tokens))
        || (st = kw_reserve(r->alloc, (void **)&r->values, &r->values_cap,
                            (r->n_tokens + 1) * (r->n_columns - 1) + 1, sizeof *r->values)))
        return st;
    piece *values = &r->values[r->n_tokens * (r->n_columns - 1)];
    const char *p = line.p, *end = line.p + line.n;
    const char *tab = memchr(p, '\t', line.n);
    piece word = {p, (size_t)((tab ? tab : end) - p)};
    size_t k = 1;
    while (tab) {
        p = tab + 1;
        tab = memchr(p, '\t', (size_t)(end - p));
        if (k < r->n_columns)
            values[k - 1] = (piece){p, (size_t)((tab ? tab : end) - p)};
        k++;
    }
    if (k != r->n_columns) {
        char names[120] = "word";
        for (size_t i = 0; i < r->b->n_attrs; i++) {
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, ", %s", r->b->attrs[i].name);
        }
        return fail(r, "a token line has %s attributes: %zu, not the %zu named (%s)",
                    k < r->n_columns ? "too few" : "too many", k, r->n_columns, names);
    }
    if (word.n == 0)
        return fail(r, "a token line's word (its first column) is empty");
    const char *between = r->line_break ? "\n" : r->glue ? "" : " ";
    if (r->n_tokens && (st = append_text(r, between, strlen(between))))
        return st;
    size_t begin = r->text_len;
    if ((st = append_text(r, word.p, word.n)))
        return st;
    r->tokens[r->n_tokens++] =
        (kw_ext_token){.begin = begin, .end = r->text_len, .word = word.p, .word_len = word.n};
    r->glue = r->line_break = 0;
    return KW_OK;
}

/* The attributes of a tag, from just after its name: (space name = "value"
 * or 'value')*, then optional space, then end. 1 if well formed. */
static int attributes_ok(piece s)
{
    const char *p = s.p, *end = s.p + s.n;
    while (p < end) {
        if (!is_space(*p))
            return 0;
        while (p < end && is_space(*p))
            p++;
        if (p == end)
            return 1;
        if (!is_name_start(*p))
            return 0;
        while (p < end && is_name_char(*p))
            p++;
        while (p < end && is_space(*p))
            p++;
        if (p == end || *p++ != '=')
            return 0;
        while (p < end && is_space(*p))
            p++;
        if (p == end || (*p != '"' && *p != '\''))
            return 0;
        const char *close = memchr(p + 1, *p, (size_t)(end - p - 1));
        if (!close)
            return 0;
        p = close + 1;
    }
    return 1;
}

static kw_status open_tag(reader *r, size_t element, piece name, piece attrs)
{
    for (size_t i = 0; i < r->n_open; i++)
        if (r->open[i].element == element)
            return fail(r, "<%.*s> inside the <%.*s> opened on line %zu", (int)name.n, name.p,
                        (int)name.n, name.p, r->open[i].line);
    kw_status st;
    if (element == TEXT_ELEMENT) {
        if (r->documents == WHOLE_FILE)
            return fail(r, "<text> after tokens or tags outside any <text>");
        r->documents = TEXT_ELEMENTS;
        r->doc_open = 1;
        r->text_attrs = attrs;
    } else if ((st = enter_document(r, "a structure")) != KW_OK) {
        return st;
    }
    r->open[r->n_open++] = (open_element){element, r->n_tokens, r->line};
    return KW_OK;
}

static kw_status close_tag(reader *r, size_t element, piece name)
{
    size_t i = r->n_open;
    while (i > 0 && r->open[i - 1].element != element)
        i--;
    if (i == 0)
        return fail(r, "</%.*s> closes no open <%.*s>", (int)name.n, name.p, (int)name.n, name.p);
    if (i != r->n_open) {
        const open_element *inner = &r->open[r->n_open - 1];
        return fail(r,
                    "</%.*s> does not nest: the <%s> opened on line %zu inside it is not "
                    "closed",
                    (int)name.n, name.p, element_name(r, inner->element), inner->line);
    }
    const open_element *e = &r->open[--r->n_open];
    if (element == TEXT_ELEMENT)
        return flush_document(r);
    kw_status st = kw_reserve(r->alloc, (void **)&r->regions, &r->regions_cap, r->n_regions + 1,
                              sizeof *r->regions);
    if (st == KW_OK)
        r->regions[r->n_regions++] = (kw_ext_region){element, e->first_token, r->n_tokens};
    return st;
}

static kw_status tag_line(reader *r, piece line)
{
    const char *p = line.p + 1, *end = line.p + line.n;
    if (*p == '?' || *p == '!')
        return KW_OK; /* an XML declaration or a comment */
    while (end > p && is_space(end[-1]))
        end--;
    int closing = *p == '/';
    p += closing;
    int self_closing = end - p >= 2 && end[-2] == '/';
    if (end[-1] != '>' || !(p < end && is_name_start(*p)))
        return fail(r, "a malformed tag (a tag is <name ...>, </name> or <g/>, alone on its "
                       "line)");
    piece name = {p, 0};
    while (p < end && is_name_char(*p))
        p++;
    name.n = (size_t)(p - name.p);
    piece attrs = {p, (size_t)(end - 1 - self_closing - p)};
    if (!attributes_ok(attrs) || (closing && (attrs.n || self_closing)))
        return fail(r,
                    "a malformed tag <%.*s> (attributes are written name=\"value\"; a "
                    "closing tag has none)",
                    (int)name.n, name.p);
    size_t element = element_of(r, name);
    if (element == UNKNOWN_ELEMENT) {
        char known[120] = "";
        for (size_t k = 0; k < r->b->n_structures; k++) {
            size_t used = strlen(known);
            snprintf(known + used, sizeof known - used, ", <%s>", r->b->structures[k].name);
        }
        return fail(r, "unknown element <%.*s>: the elements read are <text>, <g/>%s", (int)name.n,
                    name.p, known);
    }
    if (element == GLUE_ELEMENT) {
        if (!self_closing || closing)
            return fail(r, "<g> is written <g/>, alone");
        r->glue = 1;
        return KW_OK;
    }
    if (self_closing)
        return fail(r, "<%.*s/>: only <g/> closes itself", (int)name.n, name.p);
    if (element != TEXT_ELEMENT) {
        const char *structure = r->b->structures[element].name;
        r->line_break |= strcmp(structure, "s") == 0 || strcmp(structure, "p") == 0;
    }
    return closing ? close_tag(r, element, name) : open_tag(r, element, name, attrs);
}

/* Every byte is checked first, so that a problem is named by its line. */
static kw_status check_utf8(reader *r, const char *data, size_t n)
{
    const size_t valid = kw_utf8_valid_prefix(data, n);
    if (valid == n)
        return KW_OK;
    r->line = 1;
    for (const char *q = data; (q = memchr(q, '\n', (size_t)(data + valid - q))) != NULL; q++)
        r->line++;
    return fail(r, "invalid UTF-8 at byte %zu of the file", valid);
}

static kw_status read_lines(reader *r, const char *data, size_t n, const kw_cancel *cancel)
{
    const char *p = data, *end = data + n;
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* a byte order mark */
    kw_status st;
    while (p < end) {
        if (r->line % KW_POLL_EVERY == KW_POLL_EVERY - 1 && kw_stop_asked(cancel))
            return KW_EINTR;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        piece line = {p, len && p[len - 1] == '\r' ? len - 1 : len};
        r->line++;
        p = nl ? nl + 1 : end;
        size_t blank = 0;
        while (blank < line.n && is_space(line.p[blank]))
            blank++;
        if (blank == line.n)
            continue;
        size_t indent = 0; /* spaces before a tag, not tabs (a tab ends an empty word) */
        while (line.p[indent] == ' ')
            indent++;
        piece tag = {line.p + indent, line.n - indent};
        int markup =
            tag.n >= 2 && tag.p[0] == '<'
            && (is_name_start(tag.p[1]) || tag.p[1] == '/' || tag.p[1] == '?' || tag.p[1] == '!');
        if ((st = markup ? tag_line(r, tag) : token_line(r, line)))
            return st;
    }
    if (r->n_open) {
        const open_element *e = &r->open[r->n_open - 1];
        return fail(r, "the <%s> opened on line %zu is not closed at the end of the file",
                    element_name(r, e->element), e->line);
    }
    return r->documents == WHOLE_FILE ? flush_document(r) : KW_OK;
}

kw_status kw_vrt_add(kw_builder *b, const kw_alloc *alloc, const char *data, size_t n,
                     kw_vrt_doc_fn doc_added, void *ctx, const kw_cancel *cancel,
                     kw_parse_error *err)
{
    if (!b->annotated)
        return KW_EINVAL;
    reader r = {.b = b,
                .alloc = alloc,
                .err = err,
                .doc_added = doc_added,
                .ctx = ctx,
                .n_columns = b->n_attrs + 1};
    err->line = 0;
    err->message[0] = '\0';
    kw_status st = check_utf8(&r, data, n);
    if (st)
        return st;
    r.open = kw_malloc(alloc, (b->n_structures + 1) * sizeof *r.open);
    st = r.open ? read_lines(&r, data, n, cancel) : KW_ENOMEM;
    kw_free(alloc, r.open);
    kw_free(alloc, r.text);
    kw_free(alloc, r.tokens);
    kw_free(alloc, r.values);
    kw_free(alloc, r.regions);
    return st;
}
