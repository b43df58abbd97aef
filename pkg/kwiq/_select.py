"""Selecting lines of a Concordance: by number (head, tail, pages and
samples), by the words near their match (filter) and by their documents'
metadata (where), and counting them by metadata (count_by, plot_by). Every
selection is a new Concordance over hits chosen in C (Hits.take, select,
where and near, Index.hits_in_docs), never a loop over Line objects.

``Selecting`` is a part of Concordance (kwiq._concordance), written apart
to keep each file readable: its methods use the concordance's hits, view
and settings, and the ways of choosing hits that Concordance defines
(``_numbered``, ``_masked``, ``_with_hits``).
"""

from __future__ import annotations

import array
import random
from typing import TYPE_CHECKING, Any, overload

from kwiq import _bymeta, _metadata
from kwiq._args import as_bool, at_least, query_list, window_sides
from kwiq._views import PAGE_SIZE

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from pandas import DataFrame
    from typing_extensions import Self

    from kwiq import _core
    from kwiq._concordance import Concordance, Line
    from kwiq._indexview import IndexView


class Selecting:
    """The selecting methods of Concordance (see the module docstring)."""

    if TYPE_CHECKING:  # what they read of Concordance
        _hits: _core.Hits
        _view: IndexView
        _context: tuple[int, int, int, int]
        _page: tuple[int, int, int, int, int] | None
        _n_docs: int | None
        case: bool
        query: str | list[str]
        sort_keys: tuple[str, ...]

        def __len__(self) -> int: ...
        @overload
        def __getitem__(self, index: int) -> Line: ...
        @overload
        def __getitem__(self, index: Any) -> Concordance: ...
        def __getitem__(self, index: Any) -> Line | Concordance: ...
        def _lines(self, start: int, stop: int) -> list[Line]: ...
        def _sliced(self, start: int, step: int, n: int) -> Concordance: ...
        def _numbered(self, order: array.array[int]) -> Concordance: ...
        def _masked(self, mask: bytes) -> Concordance: ...
        def _with_hits(self, hits: _core.Hits, keeps_order: bool = True) -> Concordance: ...

    def head(self, n: int = 10) -> Concordance:
        """The first ``n`` lines (all when fewer), as a Concordance."""
        n = at_least(n, "n", 0)
        return self[:n]

    def tail(self, n: int = 10) -> Concordance:
        """The last ``n`` lines (all when fewer), as a Concordance."""
        n = at_least(n, "n", 0)
        return self[len(self) - min(n, len(self)) :]

    def sample(self, n: int, seed: Any = None) -> Concordance:
        """``n`` lines drawn at random, each set of ``n`` as likely as any
        other (all the lines when there are no more than ``n``), kept in
        this concordance's order, as CQP's ``reduce`` keeps them. The same
        ``seed`` (an int, str or bytes, as ``random.Random`` takes it)
        draws the same lines from the same concordance; None draws anew."""
        n = at_least(n, "n", 0)
        chosen = random.Random(seed).sample(range(len(self)), min(n, len(self)))
        sampled = self._numbered(array.array("I", sorted(chosen)))
        sampled.sort_keys = self.sort_keys
        return sampled

    def n_pages(self, size: int = PAGE_SIZE) -> int:
        """The pages of ``size`` lines these lines fill (1 when there are none)."""
        size = at_least(size, "size", 1)
        return max(1, -(-len(self) // size))

    def page(self, k: int, size: int = PAGE_SIZE) -> Concordance:
        """Page ``k`` of the lines, ``size`` a page, counted from 1 as the
        views count them: lines ``(k - 1) * size`` .. ``k * size - 1``. Its
        views say which page of how many it is, and number its lines as
        they are numbered here. ValueError for a page past the last."""
        size = at_least(size, "size", 1)
        pages = self.n_pages(size)
        k = at_least(k, "k", 1)
        if k > pages:
            raise ValueError(
                f"page {k} of a concordance of {pages} page"
                f"{'s' if pages != 1 else ''} ({len(self):,} lines of {size})"
            )
        first = (k - 1) * size
        chosen = self[first : first + size]
        return chosen._as_page((k, pages, size, len(self), self.n_docs))

    def _as_page(self, page: tuple[int, int, int, int, int]) -> Self:
        """This concordance, marked as a page of another: (page, pages,
        size, its lines, its documents), which the views show."""
        self._page = page
        return self

    @property
    def n_docs(self) -> int:
        """The number of documents the lines lie in."""
        if self._n_docs is None:
            self._n_docs = self._count_docs()
        return self._n_docs

    def _count_docs(self) -> int:
        return self._hits.n_docs()

    def filter(
        self,
        left: Any = None,
        right: Any = None,
        context: Any = None,
        *,
        window: Any = None,
        case: bool | None = None,
    ) -> Concordance:
        """The lines with a query found near their match, as AntConc's
        context-word search finds them: ``left`` within the ``window[0]``
        words before the match, ``right`` within the ``window[1]`` words
        after it, ``context`` within either; each given condition must
        hold. Each is a query of the query language (``Corpus.kwic``: a
        word, a phrase, a glob, a /regex/, or a list of them, any of which
        will do), found whole inside the window, never overlapping the
        match. Words are counted as the lines count them (punctuation
        inside a window is in it, but not counted) and windows stop at the
        document's edges.

        ``window``: words each side, an int or a ``(left, right)`` pair;
        by default this concordance's own window (5 each side when it was
        made with ``width``), so that the words sought are the words a
        line shows. ``case``: as ``kwic`` takes it, by default this
        concordance's. Runs in C over the hits (kw_hits_near); the lines
        keep their order. TypeError, ValueError or QueryError as ``kwic``
        raises them; ValueError when no query is given."""
        wanted = [
            (q, side)
            for q, side in ((left, "left"), (right, "right"), (context, "context"))
            if q is not None
        ]
        if not wanted:
            raise ValueError("filter() needs left=, right= or context=: a query to look for")
        if window is None:
            words = self._context[:2] if not self._context[2] else (5, 5)
        else:
            words = window_sides(window)
        case = self.case if case is None else as_bool(case, "case")
        return self._near(wanted, words, case)

    def _near(
        self, wanted: list[tuple[str, str]], words: tuple[int, int], case: bool
    ) -> Concordance:
        mask = bytearray(b"\x01") * len(self)
        for query, side in wanted:
            near = self._view.hits(query_list(query), case)
            self._hits.near(
                near, words[0] if side != "right" else 0, words[1] if side != "left" else 0, mask
            )
        return self._masked(bytes(mask))

    def where(self, **columns: Any) -> Concordance:
        """The lines whose document's metadata matches every keyword given:
        ``column=value`` as ``Corpus.where`` takes it, or a callable, called
        with each document's value and kept where it returns true
        (``year=lambda y: y > 1950``).
        Any metadata column will do, whether or not the lines carry it.
        The lines keep their order; runs in C over the hits, by document.
        ValueError for a column the metadata has not."""
        view = self._view
        names = _metadata.column_names(view.metadata, list(columns), "where()")
        if not names:
            return self._with_hits(self._hits)
        frame = view.metadata
        keep = _metadata.matching(
            frame, {name: value for name, value in columns.items() if not callable(value)}
        )
        for name, test in columns.items():
            if callable(test):
                keep &= [bool(test(value)) for value in frame[name].tolist()]
        mask = keep.astype("uint8").tobytes()
        return self._with_hits(view.index.hits_in_docs(self._hits, mask))

    def count_by(self, column: str, per_million: bool = True) -> DataFrame:
        """The lines counted by a metadata column, as CQPweb's distribution
        view counts them: a DataFrame with a row per value of ``column``
        among the corpus's (or view's) documents, in the column's order,
        missing values a group of their own, and the columns ``docs`` (the
        group's documents), ``docs_with_lines``, ``tokens`` (the group's
        tokens, words and punctuation, as CQPweb counts corpus positions),
        ``lines`` and, with ``per_million``, ``per_million``: lines per
        million tokens (0 for a group of no tokens). Groups with no line
        are kept, so groups compare. Counted by document in C, with no
        Line made. ValueError for a column the metadata has not."""
        return _bymeta.count_by(self._view, self._hits, column, per_million)

    def plot_by(self, column: str) -> Figure:
        """A bar chart of ``count_by(column)``'s ``per_million``, a bar a
        group: a matplotlib Figure that a notebook shows without pyplot
        (as ``Corpus.plot_dispersion``'s). Needs matplotlib."""
        return _bymeta.plot_by(self._view, self._hits, column, self.query)
