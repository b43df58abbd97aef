"""Concordance: the hits of a query, kept in C, with Lines made on demand."""

from __future__ import annotations

import array
import collections
import copy
import csv
import functools
import itertools
import json
import math
import operator
import os
import sys
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, overload

from kwiq import _annotated, _core, _explore
from kwiq._args import as_bool
from kwiq._indexview import IndexView
from kwiq._select import Selecting
from kwiq._views import PAGE_SIZE, Showing

if TYPE_CHECKING:
    import pandas
    import polars

    from kwiq._explorer import Explorer

# From this many lines on, and with pyarrow, DataFrames take their text
# columns as the core lays them out, in Arrow arrays; below it, making the
# arrays costs more than the str per field it saves (bench/frames.py).
ARROW_MIN_LINES = 256

# Lines are made this many at a time when iterating, so a loop that stops
# early never pays for the whole concordance.
ITER_CHUNK = 1024
# Where to_csv and to_json write.
PathLike = str | os.PathLike[str]

# A spreadsheet reads a cell that starts with one of these as a formula
# (OWASP's list for CSV injection); to_csv(safe=True) puts a ' before it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Concordance.sort keys, lower-cased, as (what, word) pairs for the core.
SORT_KEYS = {
    **{f"l{k}": (_core.SORT_LEFT, k) for k in range(5, 0, -1)},
    "match": (_core.SORT_MATCH, 0),
    **{f"r{k}": (_core.SORT_RIGHT, k) for k in range(1, 6)},
    "doc": (_core.SORT_DOC, 0),
    "position": (_core.SORT_POSITION, 0),
}
SORT_KEY_NAMES = ", ".join(key.upper() if key[1:].isdigit() else key for key in SORT_KEYS)


def sort_key_names(keys: Sequence[Any]) -> list[str]:
    """The sort keys, checked, in lower case (the names of SORT_KEYS)."""
    if not keys:
        raise ValueError(f"sort() needs at least one key: {SORT_KEY_NAMES}")
    names = []
    for key in keys:
        if not isinstance(key, str):
            raise TypeError(f"sort keys must be str, not {type(key).__name__}")
        if key.lower() not in SORT_KEYS:
            raise ValueError(f"unknown sort key {key!r}; the keys are {SORT_KEY_NAMES}")
        names.append(key.lower())
    return names


def sort_key_specs(keys: Sequence[Any], index: Any) -> list[tuple[str, str]]:
    """Concordance.sort's keys, checked: a (name in lower case, attribute)
    pair each, from a name ("R1"), a name and attribute ("R1/upos") or a
    pair (("R1", "upos")); ValueError listing the index's attributes for
    one it has not."""
    specs = []
    for key in keys:
        if isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, str) for k in key):
            name, attr = key
        elif isinstance(key, str):
            name, _, attr = key.partition("/")
        else:
            raise TypeError(
                f"sort keys must be str, not {type(key).__name__} (or a (key, "
                "attribute) pair of str)"
            )
        attr = attr or "word"
        _annotated.attribute_number(index, attr)
        if attr != "word" and name.lower() in ("doc", "position"):
            raise ValueError(f"sort key {key!r}: {name} compares no attribute")
        specs.append((sort_key_names([name])[0], attr))
    if not specs:
        sort_key_names(keys)
    return specs


def attribute_names(index: Any, attrs: Any, what: str) -> tuple[str, ...]:
    """Token attributes given to ``what`` as a name, a list of names or
    None, checked (ValueError listing the index's attributes), repeats
    dropped."""
    if attrs is None:
        return ()
    if isinstance(attrs, str):
        attrs = (attrs,)
    try:
        names = tuple(dict.fromkeys(attrs))
    except TypeError:
        raise TypeError(
            f"{what} takes an attribute name or a list of them, not {type(attrs).__name__}"
        ) from None
    for name in names:
        _annotated.attribute_number(index, name)
    return names


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


_core.set_line_type(Line)


@functools.lru_cache(maxsize=256)
def meta_line_type(names: tuple[str, ...]) -> type[Line]:
    """A subclass of Line with one more field per metadata column, after the
    Line fields: isinstance(line, Line) holds and line.year reads a column.
    One class per column tuple, so lines pickle by their column names and
    unpickle to the class the same columns give here."""
    # The fields are known at run time only, which mypy cannot follow.
    fields = collections.namedtuple("Line", Line._fields + names)  # type: ignore[misc]

    def __reduce__(line: tuple[Any, ...]) -> tuple[Any, ...]:
        return _meta_line, (names, tuple(line))

    return type(
        "Line",
        (fields, Line),
        {
            "__slots__": (),
            "__module__": __name__,
            "__reduce__": __reduce__,
            "__doc__": f"A concordance Line with the metadata columns {', '.join(names)}.",
        },
    )


def _travelled(
    view: IndexView, arrays: tuple[bytes, bytes, bytes], options: dict[str, Any]
) -> Concordance:
    """The Concordance that Concordance.__reduce__ sent: its hits made
    again, over its corpus, from their positions, lengths and query
    numbers (uint32, of a little-endian machine: docs/guide/saved.md)."""
    if any(number >= len(options["queries"]) for number in memoryview(arrays[2]).cast("I")):
        raise ValueError("a pickled concordance with a hit of no query")
    return Concordance(view.index.hits_from(*arrays), view, **options)


def _meta_line(names: tuple[str, ...], values: tuple[Any, ...]) -> Line:
    return meta_line_type(names)._make(values)


def _polars_series(pl: Any, name: str, values: list[Any]) -> polars.Series:
    """A polars Series of values of their polars type, or of Object when
    they mix types (say str and int)."""
    series: polars.Series
    try:
        series = pl.Series(name, values)
    except (TypeError, ValueError, pl.exceptions.PolarsError):
        series = pl.Series(name, values, dtype=pl.Object)
    return series


def _pyarrow() -> Any:
    """pyarrow, or None where it is not installed."""
    try:
        import pyarrow
    except ImportError:
        return None
    return pyarrow


@functools.cache
def _str_dtype(pd: Any) -> Any:
    """The dtype pandas gives a column of str (asked once: a Series costs
    more than a small frame's lines)."""
    return pd.Series(["x"]).dtype


def _arrow_str_dtype(pd: Any) -> Any:
    """The dtype pandas gives a column of str when it keeps text in Arrow
    (pandas 3 with pyarrow), else None."""
    dtype = _str_dtype(pd)
    if getattr(dtype, "storage", None) != "pyarrow" or _pyarrow() is None:
        return None
    return dtype


class Concordance(Selecting, Showing, Sequence[Line]):
    """The lines of one query, in document order, then position order, or
    in the order ``sort()`` gives.

    Hits stay in C arrays; ``Line`` objects are made only for the lines
    asked for (indexing, slicing, iteration, display, export), all laid out
    with the context the concordance was made with: ``window``, ``width``
    and ``bound`` as given to ``Corpus.kwic``.

    A Concordance pickles as its corpus, its hits in their order and what
    ``kwic`` was asked (docs/guide/corpora.md, "Pickling").

    Selecting lines (head, tail, sample, page, filter, where, count_by:
    kwiq._select.Selecting) and showing them (print, the notebook's HTML,
    passages: kwiq._views.Showing) are parts of it written apart.
    """

    def __init__(
        self,
        hits: _core.Hits,
        view: IndexView,
        *,
        query: str | list[str],
        queries: list[str],
        window: Any,
        case: bool,
        width: int | None,
        bound: str | None,
        context: tuple[int, int, int, int],
        meta: list[str] | None = None,
        show: tuple[str, ...] = (),
    ) -> None:
        self._hits = hits
        self._view = view
        self._ids = view.ids
        self._set_options(query, queries, window, case, width, bound)
        self.show: tuple[str, ...] = show
        if show:  # the numbers of word and of the attributes shown, for the core
            attributes = view.index.attributes()
            self._shown = [0] + [attributes.index(name) for name in show]
        # What the core lays lines out with: (left, right, width or 0, bound
        # code), checked by Corpus.kwic. Every way of getting lines uses it.
        self._context = context
        if meta:
            self._add_meta(meta, view)

    def _set_options(
        self,
        query: str | list[str],
        queries: list[str],
        window: Any,
        case: bool,
        width: int | None,
        bound: str | None,
    ) -> None:
        """What kwic was asked, as the concordance shows it; and no metadata
        columns on lines (kwic(meta=...) adds them), so lines cost nothing
        more by default."""
        self.query = query
        self.queries = queries
        self.window = window
        self.case = case
        self.width = width
        self.bound = bound
        self.meta: tuple[str, ...] = ()
        # Corpus.kwic(show=...): the attributes shown after each word.
        self.show = ()
        # The keys of the last sort(), while the lines keep its order.
        self.sort_keys: tuple[str, ...] = ()
        # (page, pages, size, lines in all, documents in all) for page().
        self._page: tuple[int, int, int, int, int] | None = None
        self._n_docs: int | None = None
        # What the views compute once for this concordance and share with
        # those selected from it (each document's label).
        self._display: dict[str, Any] = {}

    def _add_meta(self, names: list[str], view: IndexView) -> None:
        """Carry the metadata columns `names` on every line, as the view
        holds them for every document of the index by number (its index
        locates hits, its shared positions number documents by id)."""
        self.meta = tuple(names)
        self._meta_columns = view.metadata[names]
        self._meta_index = view.index
        self._meta_position = view.shared.position
        self._line_type = meta_line_type(tuple(names))
        self._meta_rows: list[tuple[Any, ...]] | None = None

    def _meta_of_docs(self) -> list[tuple[Any, ...]]:
        """Every document's metadata values, by number, made once."""
        if self._meta_rows is None:
            self._meta_rows = list(zip(*(self._meta_columns[name].tolist() for name in self.meta)))
        return self._meta_rows

    def _meta_taken(self) -> dict[str, pandas.Series[Any]]:
        """The metadata columns of every line, in line order, as pandas
        Series (their dtypes kept), through the documents the core locates."""
        import numpy as np

        located, _ = self._meta_index.locate(self._hits)
        docs = np.frombuffer(located, dtype=np.uint64).astype(np.intp)
        return {
            name: self._meta_columns[name].take(docs).reset_index(drop=True) for name in self.meta
        }

    def __len__(self) -> int:
        return len(self._hits)

    def __reduce__(self) -> str | tuple[Any, ...]:
        # Its corpus (or view: IndexView.__reduce__), its hits in their
        # order (so a sorted one stays sorted) and what kwic was asked.
        options = dict(
            query=self.query,
            queries=self.queries,
            window=self.window,
            case=self.case,
            width=self.width,
            bound=self.bound,
            context=self._context,
            meta=list(self.meta) or None,
            show=self.show,
        )
        return (_travelled, (self._view, self._hits.arrays(), options))

    def __copy__(self) -> Concordance:
        copied = object.__new__(type(self))
        copied.__dict__.update(self.__dict__)
        return copied

    def _lines(self, start: int, stop: int) -> list[Line]:
        left, right, width, bound = self._context
        lines = self._hits.lines(start, stop, left, right, self._ids, width, bound)
        if self.show:
            tagged = zip(*self._hits.tagged(start, stop, self._shown, self._context))
            lines = [
                line._replace(left=left_text, match=match, right=right_text)
                for line, (left_text, match, right_text) in zip(lines, tagged)
            ]
        if not self.meta:
            return lines
        rows = self._meta_of_docs()
        make, position = self._line_type._make, self._meta_position
        return [make(line + rows[position(line.doc)]) for line in lines]

    @overload
    def __getitem__(self, index: int) -> Line: ...

    @overload
    def __getitem__(self, index: Any) -> Concordance: ...

    def __getitem__(self, index: Any) -> Line | Concordance:
        """``conc[i]`` is a Line (negative i counts from the end,
        IndexError outside); anything else selects lines into a new
        Concordance of the same query and settings, in C over the hits:
        ``conc[i:j:k]`` a slice; ``conc[mask]`` the lines whose entry of a
        mask is true (a list, numpy array or pandas Series of bools, one
        per line: IndexError for another length); ``conc[indices]`` the
        lines of those numbers in that order (a list or array of ints,
        negative from the end, repeats allowed; IndexError outside).
        Selections that keep the lines' order keep ``sort_keys``."""
        n = len(self)
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            return self._sliced(start, step, len(range(start, stop, step)))
        if isinstance(index, (str, bytes)) or not hasattr(index, "__iter__"):
            i = operator.index(index)
            if i < 0:
                i += n
            if not 0 <= i < n:
                raise IndexError(f"concordance index {index} out of range for {n} lines")
            return self._lines(i, i + 1)[0]
        return self._chosen(index)

    def _chosen(self, items: Any) -> Concordance:
        """conc[mask] or conc[indices] (see __getitem__): an array's
        entries are converted in numpy, a list's one by one."""
        n = len(self)
        dtype = getattr(items, "dtype", None)
        if dtype is not None and dtype.kind in "biu":
            import numpy as np

            values = np.asarray(items)
            if dtype.kind == "b":
                return self._masked(_mask_bytes(values.astype(bool).tobytes(), n))
            numbers = values.astype(np.int64).ravel()
            numbers = np.where(numbers < 0, numbers + n, numbers)
            bad = (numbers < 0) | (numbers >= n)
            if bad.any():
                raise IndexError(
                    f"concordance index {int(values.ravel()[bad][0])} out of range for {n} lines"
                )
            return self._numbered(array.array("I", numbers.astype(np.uint32).tobytes()))
        items = _as_list(items)
        if items and all(isinstance(item, bool) for item in items):
            return self._masked(_mask_bytes(bytes(bytearray(items)), n))
        order = array.array("I")
        for item in items:
            i = operator.index(item)
            if not -n <= i < n:
                raise IndexError(f"concordance index {i} out of range for {n} lines")
            order.append(i + n if i < 0 else i)
        return self._numbered(order)

    def _sliced(self, start: int, step: int, n: int) -> Concordance:
        return self._with_hits(self._hits.take(start, step, n), keeps_order=step > 0)

    def _numbered(self, order: array.array[int]) -> Concordance:
        return self._with_hits(self._hits.select(order), keeps_order=False)

    def _masked(self, mask: bytes) -> Concordance:
        return self._with_hits(self._hits.where(mask))

    def __iter__(self) -> Iterator[Line]:
        # chain hands out each chunk's Lines in C, where a generator would
        # resume a Python frame for every line.
        return itertools.chain.from_iterable(
            self._lines(start, stop) for start, stop in self._chunks()
        )

    def __repr__(self) -> str:
        options = ", case=True" if self.case else ""
        if self.width is not None:
            options += f", width={self.width}"
        if self.bound is not None:
            options += f", bound={self.bound!r}"
        return f"<kwiq.Concordance: {len(self):,} lines for {self.query!r}{options}>"

    def __str__(self) -> str:
        return self.format()

    def sort(self, *keys: str | tuple[str, str]) -> Concordance:
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

        A context or match key may compare another token attribute of the
        same tokens (``corpus.attributes``): ``("R1", "upos")`` or
        ``"R1/upos"``, ``("match", "lemma")``. Its values compare as
        written, by the bytes of their UTF-8 (code point order), not
        case-folded; an empty value sorts first among values, after a
        missing word. Still a radix sort in C, as for words.

        ``sort_keys`` then names the keys (in lower case, ``"r1/upos"`` for
        an attribute), and the views
        colour each key's word, as AntConc does: the first red, the second
        green, the third blue (kwiq._views.SORT_COLOURS).

        ``TypeError`` for a key that is not a str or such a pair;
        ``ValueError`` for an unknown key, no key at all, or an attribute the
        corpus has not (listing those it has).
        """
        index = self._view.index
        specs = sort_key_specs(keys, index)
        attributes = index.attributes()
        other = self._with_hits(
            self._hits.sort([SORT_KEYS[name] + (attributes.index(attr),) for name, attr in specs])
        )
        other.sort_keys = tuple(
            name if attr == "word" else f"{name}/{attr}" for name, attr in specs
        )
        # The same lines in the same documents: counting them again over
        # sorted hits would locate every hit (40 ms a million).
        other._n_docs = self._n_docs
        return other

    def explore(self, *, page_size: int = PAGE_SIZE) -> Explorer:
        """This concordance in the interactive explorer of its corpus (a
        notebook widget: kwiq._explorer.Explorer), with its sort and
        selection, until its query, window or case is changed there. Needs
        anywidget (``pip install 'kwiq[explore]'``)."""
        from kwiq._corpus import Corpus, of_view  # _corpus imports this module

        return _explore.explorer_class()(
            of_view(Corpus, self._view), concordance=self, page_size=page_size
        )

    def _with_hits(self, hits: _core.Hits, keeps_order: bool = True) -> Concordance:
        """This concordance's settings over other hits of the same index,
        in the order of its sort when ``keeps_order``."""
        other = copy.copy(self)
        other._hits = hits
        other._page = None
        other._n_docs = None
        if not keeps_order:
            other.sort_keys = ()
        return other

    def to_pandas(self, attrs: str | Sequence[str] | None = None) -> pandas.DataFrame:
        """A pandas DataFrame with one column per Line field, then one per
        ``meta`` column (with the dtype the metadata has), then one per
        attribute of ``attrs``, then ``query`` (a categorical: the query
        that found the line).

        ``attrs``: token attributes (``corpus.attributes``, a name or a
        list), each giving a column ``match_<attr>``: the matched tokens'
        values joined by one space (``match_lemma``: "go to"), made in C.
        ValueError listing the attributes for an unknown one."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("to_pandas() needs pandas: pip install 'kwiq[pandas]'") from None
        attributes = self._view.index.attributes()
        numbers = [
            attributes.index(a)
            for a in attribute_names(self._view.index, attrs, "to_pandas(attrs=...)")
        ]
        arrow_str = _arrow_str_dtype(pd)
        columns, query_numbers, arrow = self._frame_columns(
            None if arrow_str is None else _pyarrow()
        )
        if arrow:
            # The texts kept in their Arrow arrays, as pandas keeps str.
            for name in ("left", "match", "right"):
                columns[name] = pd.array(columns[name], dtype=arrow_str)
        if self.meta:
            columns.update(self._meta_taken())
        for number in numbers:
            columns[f"match_{attributes[number]}"] = self._hits.tagged(0, len(self), [number])
        # pandas takes a list of categories, which pandas-stubs types as an Index only.
        columns["query"] = pd.Categorical.from_codes(  # type: ignore[call-overload]
            query_numbers, categories=self.queries
        )
        # One frame of every column: adding columns to a frame costs more.
        frame: pandas.DataFrame = pd.DataFrame(columns)
        return frame

    def _frame_columns(self, pa: Any) -> tuple[dict[str, Any], Any, bool]:
        """The Line columns for a DataFrame (``doc`` a list of the lines'
        ids), the query numbers, and whether the texts are pyarrow arrays:
        they are with pyarrow (``pa``, else None) from ARROW_MIN_LINES lines
        on, and lists of str otherwise."""
        if self.show:
            lines = self._lines(0, len(self))
            return (
                dict(zip(Line._fields, map(list, zip(*lines))))
                if lines
                else {name: [] for name in Line._fields},
                self._hits.query_numbers(0, len(self)),
                False,
            )
        if pa is not None and len(self) >= ARROW_MIN_LINES:
            return (*self._arrow_columns(pa), True)
        left, right, width, bound = self._context
        *fields, query_numbers = self._hits.columns(left, right, self._ids, width, bound)
        return dict(zip(Line._fields, fields)), query_numbers, False

    def _arrow_columns(self, pa: Any) -> tuple[dict[str, Any], Any]:
        """The Line columns laid out in C, without a str per line: ``doc`` a
        list of the lines' ids, the numbers int64 numpy arrays, the texts
        pyarrow large_string arrays over the bytes the core wrote; and the
        query numbers."""
        import numpy as np

        left, right, width, bound = self._context
        laid_out = self._hits.frame_columns(left, right, self._ids, width, bound)
        doc, numbers, query, texts = laid_out[0], laid_out[1:5], laid_out[5], laid_out[6:]
        n = len(self)
        columns: dict[str, Any] = {"doc": doc}
        for name, column in zip(("start", "end", "char_start", "char_end"), numbers):
            columns[name] = np.frombuffer(column, dtype=np.int64)
        for k, name in enumerate(("left", "match", "right")):
            offsets, data = texts[2 * k], texts[2 * k + 1]
            columns[name] = pa.LargeStringArray.from_buffers(
                n, pa.py_buffer(offsets), pa.py_buffer(data)
            )
        return {name: columns[name] for name in Line._fields}, np.frombuffer(query, np.uint32)

    def to_polars(self) -> polars.DataFrame:
        """A polars DataFrame with one column per Line field, then one per
        ``meta`` column, then ``query`` (a categorical). ``doc`` and the
        metadata columns have their values' polars type, or ``Object``
        when the values mix types."""
        try:
            import polars as pl
        except ImportError:
            raise ImportError(
                "to_polars() needs polars: pip install polars (or pip install 'kwiq[polars]')"
            ) from None
        columns, meta, query_numbers = self._polars_columns()
        doc = _polars_series(pl, "doc", columns["doc"])
        types = {
            "start": pl.Int64,
            "end": pl.Int64,
            "left": pl.String,
            "match": pl.String,
            "right": pl.String,
            "char_start": pl.Int64,
            "char_end": pl.Int64,
        }
        # One string per query, gathered by number: no str per line.
        query = pl.Series("query", self.queries, dtype=pl.Categorical).gather(query_numbers)
        return pl.DataFrame(
            [doc]
            + [pl.Series(name, columns[name], dtype=types[name]) for name in Line._fields[1:]]
            + [_polars_series(pl, name, values) for name, values in meta.items()]
            + [query]
        )

    def _polars_columns(self) -> tuple[dict[str, Any], dict[str, list[Any]], Any]:
        """What to_polars makes its frame of: the Line columns (``doc`` a
        list of ids), the meta columns as lists, and the query numbers."""
        columns, query_numbers, _ = self._frame_columns(_pyarrow())
        meta = (
            {name: column.tolist() for name, column in self._meta_taken().items()}
            if self.meta
            else {}
        )
        return columns, meta, query_numbers

    def _export_fields(self) -> tuple[str, ...]:
        return Line._fields + self.meta + ("query",)

    def to_csv(self, path: PathLike, *, safe: bool = False) -> None:
        """Write the lines to ``path`` as UTF-8 CSV: a header of the Line
        fields, the ``meta`` columns and ``query``, then one row per line
        (ids and metadata values written with ``str``).

        ``safe=True`` neutralises formulas for spreadsheets that will open
        the file: a text cell (doc, left, match, right, query, and metadata
        values written as text) that starts with ``=``, ``+``, ``-``, ``@``,
        a tab or a carriage return gets a ``'`` in front of it, which Excel,
        LibreOffice and Google Sheets show as text. The file is then no
        longer the text as written, so the default writes every cell
        exactly."""
        safe = as_bool(safe, "safe")
        path = os.fspath(path)
        rows = self._export_rows()
        if safe:
            rows = (tuple(defused(cell) for cell in row) for row in rows)
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(self._export_fields())
            writer.writerows(rows)

    def to_json(self, path: PathLike) -> None:
        """Write the lines to ``path`` as UTF-8 JSON: an array of objects
        with the Line fields, the ``meta`` columns and ``query``, one object
        per line of the file. Ids and metadata values must be what ``json``
        can encode (str, int, float, bool, None, tuples of them...);
        otherwise TypeError is raised before the file is opened. A missing
        value (NaN, None, pandas' NA or NaT) is null, never NaN (json_value)."""
        path = os.fspath(path)
        encode = json_encoder()
        encode(json_value(self._ids))  # fail on an id JSON cannot hold, before writing
        if self.meta:
            encode(json_value(self._meta_of_docs()))
        fields = self._export_fields()
        with open(path, "w", encoding="utf-8") as out:
            out.write("[")
            separator = "\n"
            for row in self._export_rows():
                out.write(separator + encode(dict(zip(fields, json_value(row)))))
                separator = ",\n"
            out.write("\n]\n" if len(self) else "]\n")

    def _chunks(self) -> Iterator[tuple[int, int]]:
        """Ranges of ITER_CHUNK lines: iteration and exports never make
        every Line at once."""
        n = len(self)
        for start in range(0, n, ITER_CHUNK):
            yield start, min(n, start + ITER_CHUNK)

    def _export_rows(self) -> Iterator[tuple[Any, ...]]:
        """Each line's fields (with its metadata), then the query that found it."""
        for start, stop in self._chunks():
            numbers = self._hits.query_numbers(start, stop)
            for line, number in zip(self._lines(start, stop), numbers):
                yield line + (self.queries[number],)


def _as_list(items: Any) -> list[Any]:
    tolist = getattr(items, "tolist", None)
    return tolist() if tolist is not None else list(items)


def _mask_bytes(mask: bytes, n: int) -> bytes:
    if len(mask) != n:
        raise IndexError(f"a mask of {len(mask)} entries for {n} lines")
    return mask


def json_value(value: Any) -> Any:
    """``value`` as JSON writes it, never as NaN: a missing value (None,
    NaN, pandas' NA and NaT) and an infinity, which JSON has no number
    for, are null, as JavaScript's JSON.stringify writes them; a tuple is
    a list of such values."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (tuple, list)):
        return [json_value(item) for item in value]
    pandas = sys.modules.get("pandas")  # pandas' missing values need pandas loaded
    if pandas is not None and (value is pandas.NA or value is pandas.NaT):
        return None
    return value


def json_encoder() -> Callable[[Any], str]:
    """What to_json and the command line encode each line with: UTF-8 text
    as it is, and NaN refused (json_value writes it as null first)."""
    return json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


def defused(cell: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula: numbers as they
    are, anything else as str() writes it, with a ' before text that starts
    like a formula."""
    if type(cell) in (int, float):
        return cell
    text = str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
