"""Concordance: the hits of a query, kept in C, with Lines made on demand."""
from __future__ import annotations

import copy
import html
import operator
from collections.abc import Hashable, Iterator, Sequence
from typing import Any, NamedTuple, overload

from kwiq import _core

# Lines are made this many at a time when iterating, so a loop that stops
# early never pays for the whole concordance.
ITER_CHUNK = 1024
HTML_MAX_LINES = 60

# Concordance.sort keys, lower-cased, as (what, word) pairs for the core.
SORT_KEYS = {
    **{f"l{k}": (_core.SORT_LEFT, k) for k in range(5, 0, -1)},
    "match": (_core.SORT_MATCH, 0),
    **{f"r{k}": (_core.SORT_RIGHT, k) for k in range(1, 6)},
    "doc": (_core.SORT_DOC, 0),
    "position": (_core.SORT_POSITION, 0),
}
SORT_KEY_NAMES = ", ".join(key.upper() if key[1:].isdigit() else key for key in SORT_KEYS)


class Line(NamedTuple):
    """One concordance line.

    ``doc`` is the document's id; ``start``/``end`` token positions in that
    document (end exclusive); ``char_start``/``char_end`` str indices, so
    ``text[char_start:char_end]`` is exactly the matched text as written.
    ``left + match + right`` shows the text around the match with each run
    of white space as one space (so a phrase matched across a line break
    shows the break as a space in ``match``); the contexts keep the space,
    if any, that separates them from the match.
    """

    doc: Hashable
    start: int
    end: int
    left: str
    match: str
    right: str
    char_start: int
    char_end: int


_core._set_line_type(Line)


class Concordance(Sequence[Line]):
    """The lines of one query, in document order, then position order, or
    in the order ``sort()`` gives.

    Hits stay in C arrays; ``Line`` objects are made only for the lines
    asked for (indexing, slicing, iteration, display, export), all laid out
    with the context the concordance was made with: ``window``, ``width``
    and ``bound`` as given to ``Corpus.kwic``.
    """

    def __init__(self, hits: Any, ids: list, *, query: str | list[str], queries: list[str],
                 window: Any, case: bool, width: int | None, bound: str | None,
                 context: tuple[int, int, int, int]):
        self._hits = hits
        self._ids = ids
        self.query = query
        self.queries = queries
        self.window = window
        self.case = case
        self.width = width
        self.bound = bound
        # What the core lays lines out with: (left, right, width or 0, bound
        # code), checked by Corpus.kwic. Every way of getting lines uses it.
        self._context = context

    def __len__(self) -> int:
        return len(self._hits)

    def _lines(self, start: int, stop: int) -> list[Line]:
        left, right, width, bound = self._context
        return self._hits.lines(start, stop, left, right, self._ids, width, bound)

    @overload
    def __getitem__(self, index: int) -> Line: ...

    @overload
    def __getitem__(self, index: slice) -> list[Line]: ...

    def __getitem__(self, index):
        n = len(self)
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step == 1:
                return self._lines(start, max(start, stop))
            return [self._lines(i, i + 1)[0] for i in range(start, stop, step)]
        i = operator.index(index)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"concordance index {index} out of range for {n} lines")
        return self._lines(i, i + 1)[0]

    def __iter__(self) -> Iterator[Line]:
        n = len(self)
        for start in range(0, n, ITER_CHUNK):
            yield from self._lines(start, min(n, start + ITER_CHUNK))

    def __repr__(self) -> str:
        options = ", case=True" if self.case else ""
        if self.width is not None:
            options += f", width={self.width}"
        if self.bound is not None:
            options += f", bound={self.bound!r}"
        return f"<kwiq.Concordance: {len(self):,} lines for {self.query!r}{options}>"

    def __str__(self) -> str:
        return self.format()

    def sort(self, *keys: str) -> Concordance:
        """A new Concordance of the same lines sorted as AntConc sorts them:
        by the first key, ties by the next, and so on; lines equal on every
        key keep their order here (the sort is stable, so a sorted
        concordance may be sorted again).

        Keys, in any case: ``"L5"`` .. ``"L1"``, the 5th .. nearest word
        left of the match; ``"R1"`` .. ``"R5"``, the nearest .. 5th word
        right of it; ``"match"``, the matched tokens one by one; ``"doc"``,
        the document (corpus order); ``"position"``, corpus order. Context
        positions count words, skipping punctuation, within the match's
        document, whatever the window shown; a line with no word there (at
        a document edge) sorts before every word. Words compare by the code
        points of their case-folded forms, not by a locale's collation:
        "Zebra" ties with "zebra", after "apple" and before "éclair"; a
        word sorts before every longer word it begins ("war" < "warm").

        ``TypeError`` for a key that is not a str; ``ValueError`` for an
        unknown key or no key at all.
        """
        if not keys:
            raise ValueError(f"sort() needs at least one key: {SORT_KEY_NAMES}")
        pairs = []
        for key in keys:
            if not isinstance(key, str):
                raise TypeError(f"sort keys must be str, not {type(key).__name__}")
            try:
                pairs.append(SORT_KEYS[key.lower()])
            except KeyError:
                raise ValueError(f"unknown sort key {key!r}; the keys are {SORT_KEY_NAMES}"
                                 ) from None
        return self._with_hits(self._hits.sort(pairs))

    def _with_hits(self, hits: Any) -> Concordance:
        """This concordance's settings over other hits of the same index."""
        other = copy.copy(self)
        other._hits = hits
        return other

    def format(self, width: int = 79, limit: int | None = None) -> str:
        """Plain text, one line per hit, the matches aligned in one column
        and the contexts cut to fit ``width`` characters, as NLTK prints a
        concordance. ``limit`` shows only the first lines."""
        lines = self[:limit] if limit is not None else list(self)
        if not lines:
            return ""
        match_width = max(len(line.match) for line in lines)
        side = max((width - match_width) // 2, 0)
        rows = []
        for line in lines:
            left = line.left[-side:] if side else ""
            # The right context follows its own match, so the text reads on.
            right = line.right[:max(width - side - len(line.match), 0)]
            rows.append(f"{left:>{side}}{line.match}{right}".rstrip())
        return "\n".join(rows)

    def _repr_html_(self) -> str:
        esc = html.escape
        cell = "padding:0 0.4em;white-space:pre;"
        rows = []
        for line in self[:HTML_MAX_LINES]:
            rows.append(
                "<tr>"
                f'<td style="{cell}text-align:left;color:#888">{esc(str(line.doc))}</td>'
                f'<td style="{cell}text-align:right">{esc(line.left)}</td>'
                f'<td style="{cell}text-align:left"><mark style="font-weight:bold">'
                f"{esc(line.match)}</mark></td>"
                f'<td style="{cell}text-align:left">{esc(line.right)}</td>'
                "</tr>"
            )
        more = len(self) - HTML_MAX_LINES
        footer = (f'<tfoot><tr><td colspan="4" style="text-align:left">{more:,} more lines'
                  "</td></tr></tfoot>") if more > 0 else ""
        caption = f"{len(self):,} lines for {esc(repr(self.query))}"
        return (
            '<table class="kwiq-concordance" style="font-family:monospace;'
            'border-collapse:collapse">'
            f'<caption style="text-align:left">{caption}</caption>'
            f"<tbody>{''.join(rows)}</tbody>{footer}</table>"
        )

    def to_pandas(self):
        """A pandas DataFrame with one column per Line field, then ``query``
        (a categorical: the query that found the line)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_pandas() needs pandas: pip install 'kwiq[pandas]'") from None
        left, right, width, bound = self._context
        *fields, query_numbers = self._hits.columns(left, right, self._ids, width, bound)
        frame = pd.DataFrame(dict(zip(Line._fields, fields)))
        frame["query"] = pd.Categorical.from_codes(query_numbers, categories=self.queries)
        return frame
