"""How a Concordance shows itself: the HTML table of a notebook, the plain
text of ``print``, the labels of its documents, the colours of its sort
words, and the passage around one line (``Concordance.passage``).

Everything here works on lines already made (one page of them at most) and
on public values; the Concordance decides which lines and says what it is.
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from kwiq import _core, _metadata
from kwiq._args import as_bool, at_least

if TYPE_CHECKING:
    from kwiq._concordance import Concordance, Line
    from kwiq._indexview import IndexView

# The lines a page holds: what the HTML view shows, and page()'s default.
PAGE_SIZE = 60
# The lines print() and format() show unless told otherwise.
TEXT_LIMIT = 25
# The doc column of the text view is cut to this many characters.
TEXT_DOC_WIDTH = 20
# The HTML view shows this many character widths of each context, clips the
# id and metadata columns at HTML_DOC_WIDTH, and cuts contexts to
# HTML_CONTEXT_CHARS characters before escaping (see html_table).
HTML_CONTEXT_WIDTH = 40
HTML_DOC_WIDTH = 24
HTML_CONTEXT_CHARS = 200

# The colours of the sort words, by key (first, second, third ...): red,
# green and blue as AntConc colours its first three sort levels, then more.
SORT_COLOURS = ("#d62728", "#2ca02c", "#1f77b4", "#9467bd", "#8c564b", "#e377c2")

# Where an id's path ends and its file name begins.
PATH_SEPARATORS = "/\\" if os.sep == "/" else "/\\" + os.sep
# What no portable file name holds (Windows refuses them).
NOT_IN_FILE_NAMES = frozenset('<>"|?*')
# Where a shared prefix of ids may be cut: after one of these.
PREFIX_ENDS = frozenset(PATH_SEPARATORS + " _-.:;,|")


def doc_labels(ids: Sequence[Hashable]) -> list[str]:
    """What each document is called in a view: the part of its id that
    tells it from the others.

    - ids that are all paths (str holding a / or \\, with none of
      ``<>"|?*`` after the last, which no portable file name holds) show
      their file names when those differ, else what follows their shared
      folders;
    - other str ids drop a prefix that all of them share, up to and with
      a separator (a space, ``_``, ``-``, ``.``, ``:`` ...), when every id
      keeps something: ``sotu_1945`` and ``sotu_1946`` show ``1945`` and
      ``1946``;
    - tuples drop the leading items that all of them share, keeping at
      least the last, and show the rest joined by ``, ``;
    - anything else, and a single document, shows ``str(id)`` (a path its
      file name).
    The full id stays in the view (the HTML's title attribute)."""
    texts = [str(doc) for doc in ids]
    if ids and all(isinstance(doc, tuple) and doc for doc in ids):
        return _tuple_labels(ids)  # type: ignore[arg-type]  # tuples, just checked
    if not ids or not all(isinstance(doc, str) for doc in ids):
        return texts
    if all(_is_path(doc) for doc in texts):
        names = [_file_name(doc) for doc in texts]
        if len(set(names)) == len(set(texts)) and all(names):
            return names
        return _without_prefix(texts, PATH_SEPARATORS)
    return _without_prefix(texts, PREFIX_ENDS) if len(set(texts)) > 1 else texts


def _is_path(text: str) -> bool:
    return any(sep in text for sep in PATH_SEPARATORS) and NOT_IN_FILE_NAMES.isdisjoint(
        _file_name(text)
    )


def _file_name(path: str) -> str:
    stripped = path.rstrip(PATH_SEPARATORS)
    cut = max(stripped.rfind(sep) for sep in PATH_SEPARATORS)
    return stripped[cut + 1 :]


def _without_prefix(texts: list[str], ends: Any) -> list[str]:
    """texts without the longest prefix all of them share that ends with
    one of ``ends``, when every text keeps a character."""
    prefix = os.path.commonprefix(texts)
    cut = max((i + 1 for i, char in enumerate(prefix) if char in ends), default=0)
    if cut == 0 or any(len(text) == cut for text in texts):
        return texts
    return [text[cut:] for text in texts]


def _tuple_labels(ids: Sequence[tuple[Hashable, ...]]) -> list[str]:
    shortest = min(len(doc) for doc in ids)
    shared = 0
    while shared < shortest - 1 and len({doc[shared] for doc in ids}) == 1:
        shared += 1
    if len(ids) == 1:
        shared = 0
    return [", ".join(str(item) for item in doc[shared:]) for doc in ids]


def is_missing(value: Any) -> bool:
    """None, NaN, pandas' NA and NaT: what a view shows as an empty cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def integral_columns(frame: Any, names: Sequence[str]) -> set[str]:
    """The float columns of frame whose values are all whole numbers or
    missing: a column of years with a gap, which pandas keeps as float, so
    that a view shows 1945 and not 1945.0."""
    kept = set()
    for name in names:
        column = frame[name]
        if column.dtype.kind == "f":
            values = column.dropna()
            if bool(((values % 1) == 0).all()):
                kept.add(name)
    return kept


def value_text(value: Any, integral: bool = False) -> str:
    """A metadata value as a view shows it: missing as empty, a whole
    float of an integral column without its ``.0``."""
    if is_missing(value):
        return ""
    if integral and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def kth_word(text: str, k: int, from_end: bool) -> tuple[int, int] | None:
    """Where the k-th word (1: the nearest) of a context lies in it,
    counted from its end (a left context) or its start (a right one),
    punctuation not counted, as ``Concordance.sort`` counts them; None
    when the context shows fewer words."""
    words = [(begin, end) for begin, end, is_word in _core.tokenize(text) if is_word]
    if k > len(words):
        return None
    return words[-k] if from_end else words[k - 1]


# The colour of each (start, end) span of a context's text.
Spans = dict[tuple[int, int], str]


def coloured(text: str, spans: Spans) -> str:
    """text escaped, with each span (begin, end) in its colour."""
    out, at = [], 0
    for (begin, end), colour in sorted(spans.items()):
        out.append(html.escape(text[at:begin]))
        out.append(
            f'<span class="kwiq-sort" style="color:{colour};font-weight:bold">'
            f"{html.escape(text[begin:end])}</span>"
        )
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out)


def context_colours(line: Line, sort_keys: Sequence[str]) -> tuple[Spans, Spans, str | None]:
    """The spans of the sort words in a line's left and right contexts (as
    html_table cuts them), by colour, and the match's colour if it is a key."""
    left_text = line.left[-HTML_CONTEXT_CHARS:]
    right_text = line.right[:HTML_CONTEXT_CHARS]
    left: Spans = {}
    right: Spans = {}
    match_colour = None
    for n, key in enumerate(sort_keys):
        colour = SORT_COLOURS[n % len(SORT_COLOURS)]
        key = key.partition("/")[0]  # an attribute's key colours its token
        if key == "match":
            match_colour = colour
        elif key[0] in "lr" and key[1:].isdigit():
            side, text = (left, left_text) if key[0] == "l" else (right, right_text)
            span = kth_word(text, int(key[1:]), key[0] == "l")
            if span is not None:
                side.setdefault(span, colour)
    return left, right, match_colour


@dataclass
class TableSpec:
    """What html_table shows besides the lines: the summary, the number of
    the first line, each line's document label and full id, the metadata
    columns (names, dtypes, integral ones) and the sort keys."""

    summary: str
    first_number: int
    labels: list[str]
    meta: Sequence[str]
    meta_dtypes: dict[str, Any]
    integral: set[str]
    sort_keys: Sequence[str]
    footer: str


def html_table(lines: Sequence[Any], spec: TableSpec) -> str:
    """The HTML of a page of lines.

    Alignment: the table keeps automatic layout, so the browser sizes the
    match column to the widest match as actually rendered (wide CJK
    characters and emoji included), and every match starts at one x. The
    contexts sit in blocks of a fixed width (HTML_CONTEXT_WIDTH ch) with
    white-space:pre and overflow:hidden, so no cell wraps and no long
    context widens its column. The left block is a flex box whose one item
    is packed against its right edge (flex-end): an item wider than the box
    overflows on the left, where it is clipped, and its last character
    always touches the match. This keeps the text left-to-right; the usual
    direction:rtl trick does not, because the bidi algorithm moves the
    white space at the end of a line (here the space before the match) to
    the other end. Contexts are also cut to HTML_CONTEXT_CHARS characters,
    more than a block shows, only to keep the HTML small when a context is
    huge; the cut never decides the alignment. All styles are inline, so
    that a notebook's own table CSS (right-aligned, wrapping, padded cells;
    table-layout:fixed) does not apply. Every text (contexts, ids, values,
    names) is escaped."""
    esc = html.escape
    cell = "padding:0;border:none;vertical-align:baseline;text-align:left;"
    grey = f"{cell}padding-right:1ch;color:#888"
    block = f"width:{HTML_CONTEXT_WIDTH}ch;max-width:none;overflow:hidden;white-space:pre;"
    clip = f"max-width:{HTML_DOC_WIDTH}ch;overflow:hidden;text-overflow:ellipsis;white-space:pre"
    n_fields = len(lines[0]) - len(spec.meta) if lines else 0
    rows = []
    for k, line in enumerate(lines):
        left, right, match_colour = context_colours(line, spec.sort_keys)
        meta = "".join(
            f'<td class="kwiq-meta" style="{grey}"><div style="{clip}">'
            f"{esc(value_text(value, name in spec.integral))}</div></td>"
            for name, value in zip(spec.meta, line[n_fields:])
        )
        mark_colour = f"color:{match_colour};" if match_colour else ""
        rows.append(
            "<tr>"
            f'<td class="kwiq-n" style="{grey};text-align:right">{spec.first_number + k}</td>'
            f'<td style="{grey}"><div class="kwiq-doc" title="{esc(str(line.doc))}" '
            f'style="{clip}">{esc(spec.labels[k])}</div></td>'
            f"{meta}"
            f'<td style="{cell}"><div class="kwiq-left" style="{block}display:flex;'
            f'justify-content:flex-end"><span style="flex:none">'
            f"{coloured(line.left[-HTML_CONTEXT_CHARS:], left)}</span></div></td>"
            f'<td class="kwiq-match" style="{cell}white-space:pre">'
            f'<mark style="font-weight:bold;padding:0;margin:0;{mark_colour}">'
            f"{esc(line.match)}</mark></td>"
            f'<td style="{cell}"><div class="kwiq-right" style="{block}'
            f'text-overflow:ellipsis">{coloured(line.right[:HTML_CONTEXT_CHARS], right)}'
            "</div></td>"
            "</tr>"
        )
    head = "font-weight:bold;border:none;padding:0;padding-right:1ch;vertical-align:bottom;"
    headers = (
        f'<th style="{head}text-align:right"></th><th style="{head}text-align:left">doc</th>'
        + "".join(
            f'<th style="{head}text-align:left" title="{esc(name)}: '
            f'{esc(str(spec.meta_dtypes.get(name, "")))}">{esc(name)}</th>'
            for name in spec.meta
        )
        + f'<th style="{head}text-align:right">left</th>'
        f'<th style="{head}text-align:left">match</th>'
        f'<th style="{head}text-align:left">right</th>'
    )
    width = 5 + len(spec.meta)
    footer = (
        (
            f'<tfoot><tr><td colspan="{width}" style="{cell}color:#888">{esc(spec.footer)}'
            "</td></tr></tfoot>"
        )
        if spec.footer
        else ""
    )
    return (
        '<table class="kwiq-concordance" style="font-family:monospace;'
        'border-collapse:collapse;table-layout:auto;width:auto;margin:0">'
        f'<caption style="text-align:left;white-space:pre">{esc(spec.summary)}</caption>'
        f"<thead><tr>{headers}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody>{footer}</table>"
    )


def shortened(label: str, limit: int) -> str:
    """``label`` in at most ``limit`` characters: its end, where a path's
    file name is, after an ellipsis."""
    return label if len(label) <= limit else "\u2026" + label[len(label) - limit + 1 :]


def text_rows(
    lines: Sequence[Any], width: int, prefixes: Sequence[str], tagged: bool = False
) -> list[str]:
    """Lines as plain text, the matches aligned in one column and the
    contexts cut to fit ``width`` characters after each line's prefix (its
    document and metadata, all of one length), as NLTK prints them.
    ``tagged``: the lines show tokens as ``word/value`` (``kwic(show=...)``),
    whose contexts hold no white space at their ends, so a space is put
    between each context and the match, as between the tokens."""
    if not lines:
        return []
    if tagged:
        lines = [
            line._replace(
                left=line.left + " " if line.left else "",
                right=" " + line.right if line.right else "",
            )
            for line in lines
        ]
    room = max(width - len(prefixes[0]), 0)
    side = max((room - max(len(line.match) for line in lines)) // 2, 0)
    rows = []
    for prefix, line in zip(prefixes, lines):
        left = line.left[-side:] if side else ""
        # The right context follows its own match, so the text reads on.
        right = line.right[: max(room - side - len(line.match), 0)]
        rows.append(f"{prefix}{left:>{side}}{line.match}{right}".rstrip())
    return rows


# A passage ends at a paragraph break (white space holding two line
# breaks) or after a sentence's end: ".", "!" or "?" and any closing quotes
# or brackets (group 1), followed by white space.
PASSAGE_BREAK = re.compile(r"\n[^\S\n]*\n\s*|(?<=[.!?])([\"'\u2019\u201d\u00bb)\]]*)\s+")
SPACE = re.compile(r"\s+")
ELLIPSIS = "\u2026"


@dataclass(frozen=True)
class Passage:
    """The text around one concordance line, as AntConc's File View shows
    it: ``text`` is ``document[start:end]`` (str indices of the document,
    whose id is ``doc``), and ``text[match_start:match_end]`` the match.
    ``cut_before``/``cut_after`` say whether the passage was cut inside a
    sentence (shown with an ellipsis).

    In a notebook it shows as HTML, the match highlighted (every text
    escaped); ``str()`` gives the text with the match marked ``[[so]]``.
    """

    doc: Hashable
    text: str
    start: int
    end: int
    match_start: int
    match_end: int
    cut_before: bool
    cut_after: bool

    def _parts(self) -> tuple[str, str, str]:
        before = (ELLIPSIS if self.cut_before else "") + self.text[: self.match_start]
        after = self.text[self.match_end :] + (ELLIPSIS if self.cut_after else "")
        return before, self.text[self.match_start : self.match_end], after

    def __str__(self) -> str:
        before, match, after = self._parts()
        return f"{before}[[{match}]]{after}"

    def _repr_html_(self) -> str:
        before, match, after = (html.escape(part) for part in self._parts())
        title = html.escape(f"{self.doc}, characters {self.start:,}\u2013{self.end:,}")
        return (
            '<div class="kwiq-passage" style="font-family:serif;max-width:80ch;'
            f'white-space:pre-wrap;line-height:1.5"><div style="color:#888;font-family:'
            f'monospace">{title}</div>{before}<mark style="font-weight:bold">{match}</mark>'
            f"{after}</div>"
        )


def passage(doc: Hashable, text: str, char_start: int, char_end: int, chars: int) -> Passage:
    """The Passage of the match text[char_start:char_end] in about ``chars``
    characters: as many as fit each side of the match, the start moved on
    to the first paragraph break or sentence end (PASSAGE_BREAK) in that
    room and the end back to the last, where there is one, else to white
    space (never inside a word, unless the room holds no white space)."""
    room = max(chars - (char_end - char_start), 0)
    lo, hi = max(char_start - room // 2, 0), min(char_end + (room - room // 2), len(text))
    cut_before = cut_after = False
    if lo > 0:
        found = PASSAGE_BREAK.search(text, lo, char_start) or SPACE.search(text, lo, char_start)
        cut_before = not found or found.re is SPACE
        lo = found.end() if found else lo
    if hi < len(text):
        breaks = list(PASSAGE_BREAK.finditer(text, char_end, hi))
        if breaks:
            hi = breaks[-1].start() + len(breaks[-1].group(1) or "")
        else:
            spaces = list(SPACE.finditer(text, char_end, hi))
            hi = spaces[-1].start() if spaces else hi
            cut_after = True
    body = text[lo:hi]
    return Passage(doc, body, lo, hi, char_start - lo, char_end - lo, cut_before, cut_after)


class Showing:
    """The views of a Concordance (kwiq._concordance), written apart to keep
    each file readable: text, HTML and passages, from the concordance's
    lines, view and settings."""

    if TYPE_CHECKING:  # what they read of Concordance
        _view: IndexView
        _ids: list[Hashable]
        _display: dict[str, Any]
        _page: tuple[int, int, int, int, int] | None
        query: str | list[str]
        window: Any
        width: int | None
        bound: str | None
        meta: tuple[str, ...]
        show: tuple[str, ...]
        sort_keys: tuple[str, ...]

        def __len__(self) -> int: ...
        @overload
        def __getitem__(self, index: int) -> Line: ...
        @overload
        def __getitem__(self, index: Any) -> Concordance: ...
        def __getitem__(self, index: Any) -> Line | Concordance: ...
        def __iter__(self) -> Iterator[Line]: ...
        def _lines(self, start: int, stop: int) -> list[Line]: ...
        def n_pages(self, size: int = ...) -> int: ...
        @property
        def n_docs(self) -> int: ...

    def passage(self, i: int, chars: int = 600) -> Passage:
        """The text around line ``i`` (negative from the end), about
        ``chars`` characters of its document, the match in the middle, cut
        at a paragraph break or sentence end where there is one
        (kwiq._views.passage says how): AntConc's File View. A notebook
        shows it as HTML with the match highlighted; ``str()`` marks the
        match ``[[so]]``."""
        line = self[i]
        chars = at_least(chars, "chars", 0)
        text = self._view.index.doc_text(self._view.shared.position(line.doc))
        return passage(line.doc, text, line.char_start, line.char_end, chars)

    def _labels(self) -> dict[Hashable, str]:
        """Each document id's label in the views (kwiq._views.doc_labels),
        made once for a concordance and those selected from it."""
        cache = self._display
        if "labels" not in cache:
            ids = list(self._ids)
            cache["labels"] = dict(zip(ids, doc_labels(ids))) if _hashable(ids) else {}
        labels: dict[Hashable, str] = cache["labels"]
        return labels

    def _label(self, doc: Hashable) -> str:
        return self._labels().get(doc, str(doc)) if _hashable_one(doc) else str(doc)

    def _summary(self) -> str:
        """The views' summary: lines, query, documents, sort, context and page."""
        if self._page:
            k, pages, size, total, docs = self._page
            first = (k - 1) * size + 1
            lines = (
                f"lines {first:,}\u2013{first + len(self) - 1:,} of {total:,}"
                if len(self)
                else f"0 of {total:,} lines"
            )
        else:
            k, pages, total, docs = 1, self.n_pages(), len(self), self.n_docs
            lines = f"{total:,} line{'s' if total != 1 else ''}"
        parts = [f"{lines} for {self.query!r} in {docs:,} document{'s' if docs != 1 else ''}"]
        if self.sort_keys:
            parts.append(
                "sorted by "
                + ", ".join(key.upper() if key[1:].isdigit() else key for key in self.sort_keys)
            )
        parts.append(self._context_text())
        if pages > 1:
            parts.append(f"page {k} of {pages}")
        return " \u00b7 ".join(parts)

    def _context_text(self) -> str:
        if self.width is not None:
            text = f"width {self.width} characters"
        elif isinstance(self.window, tuple):
            text = f"window {self.window[0]} left, {self.window[1]} right"
        else:
            text = f"window {self.window}"
        return text + (f", within a {self.bound}" if self.bound else "")

    def format(
        self,
        width: int = 79,
        limit: int | None = TEXT_LIMIT,
        *,
        meta: Any = None,
        doc: bool | None = None,
    ) -> str:
        """Plain text, as NLTK prints a concordance: a header, "Displaying
        25 of 649 lines", then one line per hit (the first ``limit``; None
        for all), the matches aligned in one column and the contexts cut to
        fit ``width`` characters. Before the contexts: the document's label
        (kwiq._views.doc_labels, cut to TEXT_DOC_WIDTH characters from its
        end) when ``doc`` is true, by default when the corpus holds more
        than one document; and the values of ``meta`` (metadata column
        names; by default the columns the lines carry). ``width`` and
        ``limit`` are ints >= 0 (``limit`` may be None), checked as
        ``kwic`` checks a window: TypeError for another type (a bool too),
        ValueError below 0."""
        width = at_least(width, "width", 0)
        limit = None if limit is None else at_least(limit, "limit", 0, "an int or None")
        lines = list(self if limit is None else self[:limit])
        header = f"Displaying {len(lines):,} of {len(self):,} line{'s' if len(self) != 1 else ''}"
        if not lines:
            return header
        names = list(self.meta) if meta is None else self._meta_names(meta)
        show_doc = self._many_docs() if doc is None else as_bool(doc, "doc")
        columns = []
        if show_doc:
            columns.append([shortened(self._label(line.doc), TEXT_DOC_WIDTH) for line in lines])
        columns.extend(self._meta_texts(lines, names))
        widths = [max(len(text) for text in column) for column in columns]
        prefixes = (
            ["".join(f"{text:<{w}}  " for text, w in zip(row, widths)) for row in zip(*columns)]
            if columns
            else [""] * len(lines)
        )
        return "\n".join([header] + text_rows(lines, width, prefixes, bool(self.show)))

    def _meta_texts(self, lines: list[Line], names: list[str]) -> list[list[str]]:
        """The values of metadata columns ``names`` for ``lines``, as the
        views show them: from the lines for the columns they carry, else
        from each line's document."""
        if not names:
            return []
        integral = integral_columns(self._metadata_of(names), names)
        fields = len(lines[0]) - len(self.meta)  # the lines' metadata follow their fields
        carried = {name: fields + k for k, name in enumerate(self.meta)}
        columns = []
        for name in names:
            values = (
                [line[carried[name]] for line in lines]
                if name in carried
                else self._doc_values(name, lines)
            )
            columns.append([value_text(value, name in integral) for value in values])
        return columns

    def _meta_names(self, meta: Any) -> list[str]:
        return _metadata.column_names(self._view.metadata, meta, "meta")

    def _metadata_of(self, names: Sequence[str]) -> Any:
        """A frame holding the metadata columns ``names``."""
        return self._view.metadata[list(names)]

    def _doc_values(self, name: str, lines: list[Line]) -> list[Any]:
        """Metadata column ``name``'s value for each line's document."""
        column = self._view.metadata[name].tolist()
        position = self._view.shared.position
        return [column[position(line.doc)] for line in lines]

    def _many_docs(self) -> bool:
        """Whether the corpus (or view) holds more than one document."""
        return len(self._view.doc_numbers()) > 1

    def _repr_html_(self) -> str:
        """One page of lines (kwiq._views.html_table says how it is laid
        out): the first PAGE_SIZE lines, or the lines of ``page()``, with
        column headers, line numbers, a summary and a footer saying how to
        see more."""
        lines = self[:PAGE_SIZE]
        first = (self._page[0] - 1) * self._page[2] + 1 if self._page else 1
        more = len(self) - len(lines)
        footer = f"{more:,} more line{'s' if more != 1 else ''}" if more > 0 else ""
        if more > 0 and not self._page:
            footer += f": .page(2) shows the next {PAGE_SIZE}"
        frame: Any = self._metadata_of(self.meta) if self.meta else None
        spec = TableSpec(
            summary=self._summary(),
            first_number=first,
            labels=[self._label(line.doc) for line in lines],
            meta=self.meta,
            meta_dtypes={name: frame[name].dtype for name in self.meta} if self.meta else {},
            integral=integral_columns(frame, self.meta) if self.meta else set(),
            sort_keys=self.sort_keys,
            footer=footer,
        )
        return html_table(list(lines), spec)


def _hashable(ids: list[Hashable]) -> bool:
    return all(_hashable_one(doc) for doc in ids)


def _hashable_one(doc: Any) -> bool:
    try:
        hash(doc)
    except TypeError:
        return False
    return True
