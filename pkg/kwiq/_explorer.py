"""The concordance explorer: a notebook widget over a corpus, made with
anywidget (``Corpus.explore``, ``Concordance.explore``, ``kwiq.explore``).

The widget's model lives here, in Python: the query, window, case, sort
keys, filters and page the browser asks for are traits, and each change
asks the core for one page of lines. Counting, sorting and filtering run in
C over the hits (Concordance.sort, filter, where, page), so the browser
receives the rows on screen and nothing more, whatever the number of hits;
the only Python objects made per change are that page's lines.

Every answer travels as one ``result`` message that names the request it
answers (its query, window, sort, filters and page), so that the browser
and its tests can tell an answer to "ju" from one to "j". The front end is
``static/explorer.js`` (an ES module, no build step) and its stylesheet.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import anywidget
import traitlets

from kwiq._args import as_bool, int_in, words
from kwiq._concordance import Concordance
from kwiq._query import QueryError
from kwiq._views import (
    HTML_CONTEXT_CHARS,
    PAGE_SIZE,
    doc_labels,
    integral_columns,
    is_missing,
    kth_word,
    value_text,
)

if TYPE_CHECKING:
    import pandas

    from kwiq._corpus import Corpus

STATIC = Path(__file__).with_name("static")
# The most lines one page may hold: the browser lays out every row it gets.
MAX_PAGE_SIZE = 1000
# A metadata column of text with at most this many distinct values gets a
# menu of them; one with more, a box for a value typed whole.
MAX_CHOICES = 200
# The characters of document each side of a match a passage shows.
PASSAGE_CHARS = 600
# Changing one of these starts again from the first page.
RESETS_PAGE = frozenset({"query", "syntax", "window", "case", "sort", "near", "where", "page_size"})
# The query languages of the query box: kwiq's own, and CQL.
SYNTAXES = ("plain", "cql")
# What a CSV export's file name keeps of the query.
UNSAFE_IN_NAME = re.compile(r"[^\w-]+")


class Explorer(anywidget.AnyWidget):
    """An interactive concordance of one corpus, in a notebook.

    Type a query and the lines appear, a page at a time; click a position
    (L5 .. L1, match, R1 .. R5) to sort as AntConc sorts (shift-click adds
    a key), a line to read its passage; filter by a context word and by
    metadata; count lines per million tokens by a metadata column. Keys:
    ``/`` goes to the query box, the arrows move the selected line, Enter
    opens its passage, PageUp and PageDown turn pages, Escape closes the
    passage.

    The state is a set of traits that Python may set too (``widget.query =
    "war"``): ``query``, ``syntax`` (``"plain"``, kwiq's query language, or
    ``"cql"``, which says case in the query with ``%c``, so that the case box
    does not apply), ``window``, ``case``, ``sort`` (keys as
    ``Concordance.sort`` takes them), ``near`` (a query that must occur in
    a line's context, as ``Concordance.filter(context=...)``), ``where``
    (metadata column to a value as the widget shows it, or to a ``[low,
    high]`` pair of numbers, either None for no bound), ``page``,
    ``page_size`` and ``group_by`` (a metadata column). ``result`` holds
    what is shown (the request it answers, the counts of lines and
    documents, lines per million tokens of the corpus, the page's rows and
    the counts by group), ``error`` the message of a bad query or setting,
    ``passage`` the text around the line numbered ``passage_line`` (from 0;
    -1 for none).

    ``concordance`` is the Concordance shown, with its sort and filters,
    to go on with in code; ``to_pandas()`` its lines. The CSV button
    writes them with ``export_csv()``; the DataFrame button puts
    ``to_pandas()`` in ``frame``. Where no widget front end runs
    (nbconvert, GitHub), the page shown is displayed as the static HTML
    view.
    """

    _esm = STATIC / "explorer.js"
    _css = STATIC / "explorer.css"

    query = traitlets.Unicode("").tag(sync=True)
    syntax = traitlets.Enum(SYNTAXES, "plain").tag(sync=True)
    window = traitlets.Int(5).tag(sync=True)
    case = traitlets.Bool(False).tag(sync=True)
    sort = traitlets.List(traitlets.Unicode()).tag(sync=True)
    near = traitlets.Unicode("").tag(sync=True)
    where = traitlets.Dict().tag(sync=True)
    page = traitlets.Int(1).tag(sync=True)
    page_size = traitlets.Int(PAGE_SIZE).tag(sync=True)
    group_by = traitlets.Unicode("").tag(sync=True)
    passage_line = traitlets.Int(-1).tag(sync=True)

    # What the model computes; the front end only reads these.
    columns: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    result = traitlets.Dict().tag(sync=True)
    passage = traitlets.Dict().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        corpus: Corpus,
        query: str | None = None,
        *,
        concordance: Concordance | None = None,
        window: int = 5,
        case: bool = False,
        page_size: int = PAGE_SIZE,
        syntax: str = "plain",
    ) -> None:
        self._corpus = corpus
        # The concordance explore() was called on: shown, with its own
        # selection, until its query, window or case is changed. A list of
        # queries shows as its queries joined by " | ", and is run as that
        # list while the text is left as it is.
        self._origin = concordance
        self._origin_text: str | None = None
        self._origin_queries: Any = None
        self._kwic_options: dict[str, Any] = {}
        if concordance is not None:
            self._origin_queries = concordance.query
            query = self._origin_text = (
                concordance.query
                if isinstance(concordance.query, str)
                else " | ".join(concordance.queries)
            )
            window = (
                concordance.window if isinstance(concordance.window, int) else concordance.window[0]
            )
            case = concordance.case
            self._kwic_options = {
                "width": concordance.width,
                "bound": concordance.bound,
                "meta": list(concordance.meta) or None,
            }
        if query is not None and not isinstance(query, str):
            raise TypeError(f"query must be a str, not {type(query).__name__}")
        window = words(window, "window")
        case = as_bool(case, "case")
        page_size = int_in(page_size, "page_size", 1, MAX_PAGE_SIZE)
        if syntax not in SYNTAXES:
            raise ValueError(
                f"syntax must be one of {', '.join(map(repr, SYNTAXES))}, not {syntax!r}"
            )
        self._base_key: tuple[Any, ...] | None = None
        self._base: Concordance | None = None
        self._view_key: tuple[Any, ...] | None = None
        self._view: Concordance | None = None
        self._refreshing = False
        self.frame: pandas.DataFrame | None = None
        self._documents = Documents(corpus)
        # What "per million" counts against: the corpus's tokens, as count_by counts them.
        self._tokens = corpus.n_tokens
        super().__init__(
            query=query or "",
            syntax=syntax,
            window=window,
            case=case,
            sort=list(concordance.sort_keys) if concordance is not None else [],
            page_size=page_size,
            columns=self._documents.controls(),
        )
        self.on_msg(self._on_message)
        self._refresh()

    @property
    def concordance(self) -> Concordance | None:
        """The Concordance shown, sorted and filtered as shown (None when
        there is no query or it is in error)."""
        return self._view

    def to_pandas(self) -> pandas.DataFrame | None:
        """The lines shown, every page of them, as ``Concordance.to_pandas``
        gives them (None when there is no concordance)."""
        return None if self._view is None else self._view.to_pandas()

    # ---- the model: each change computes one page

    @traitlets.observe(
        "query",
        "syntax",
        "window",
        "case",
        "sort",
        "near",
        "where",
        "page",
        "page_size",
        "group_by",
    )
    def _request_changed(self, change: dict[str, Any]) -> None:
        if self._refreshing:
            return
        if change["name"] in RESETS_PAGE and self.page != 1:
            self.page = 1  # which refreshes in its turn
            return
        self._refresh()

    @traitlets.observe("passage_line")
    def _passage_line_changed(self, change: dict[str, Any]) -> None:
        self.passage = self._passage(change["new"])

    def _request(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "syntax": self.syntax,
            "window": self.window,
            "case": self.case,
            "sort": list(self.sort),
            "near": self.near,
            "where": dict(self.where),
            "page": self.page,
            "page_size": self.page_size,
            "group_by": self.group_by,
        }

    def _refresh(self) -> None:
        """Compute the page asked for and send it with its request, in one
        message (hold_sync); a passage open stays open while its lines do."""
        shown = self._view
        with self.hold_sync():
            self._refreshing = True
            try:
                result, error = self._compute()
            finally:
                self._refreshing = False
            self.error = "" if error is None else error["message"]
            self.result = result
            if self._view is not shown or self._view is None:
                self.passage_line = -1
                self.passage = {}

    def _compute(self) -> tuple[dict[str, Any], dict[str, Any] | None]:
        result: dict[str, Any] = {
            "total": 0,
            "docs": 0,
            "pages": 0,
            "first": 0,
            "rows": [],
            "groups": None,
            "error": None,
        }
        try:
            conc = self._current()
            if conc is not None:
                result.update(self._page_of(conc))
                if self.group_by:
                    result["groups"] = self._groups(conc)
        except (QueryError, ValueError, TypeError) as error:
            self._view_key = self._view = None
            result["rows"] = []
            result["error"] = error_of(error, self.near)
        # After _page_of, which may have moved the page back into range.
        result["request"] = self._request()
        return result, result["error"]

    def _current(self) -> Concordance | None:
        """The concordance the traits ask for, made anew only when its
        query, window or case (then its filters or sort) have changed."""
        query = self.query.strip()
        if not query:
            self._base_key = self._base = self._view_key = self._view = None
            return None
        key = (query, self.syntax, self.window, self.case)
        if key != self._base_key:
            self._base_key, self._base = None, None
            self._base = self._kwic(query)
            self._base_key = key
        view_key = (
            key,
            self.near.strip(),
            json.dumps(self.where, sort_keys=True),
            tuple(self.sort),
        )
        if view_key != self._view_key:
            self._view_key, self._view = None, None
            self._view = self._select(cast(Concordance, self._base))  # made above
            self._view_key = view_key
        return self._view

    def _kwic(self, query: str) -> Concordance:
        if self.syntax == "cql":
            # CQL says case in the query (%c): the case box does not apply.
            self._origin = None
            return self._corpus.kwic(query, window=self.window, syntax="cql", **self._kwic_options)
        origin = self._origin
        same_text = self._origin_text is not None and query == self._origin_text.strip()
        if (
            origin is not None
            and same_text
            and self.case == origin.case
            and self.window
            == (origin.window if isinstance(origin.window, int) else origin.window[0])
        ):
            return origin
        if origin is not None:
            # Another concordance than the one explored: a new window is
            # counted in words, and a width in characters yields to it.
            self._origin = None
            self._kwic_options.pop("width", None)
        return self._corpus.kwic(
            self._origin_queries if same_text else query,
            window=self.window,
            case=self.case,
            **self._kwic_options,
        )

    def _select(self, conc: Concordance) -> Concordance:
        near = self.near.strip()
        if near:
            conc = conc.filter(context=near)
        if self.where:
            conc = conc.where(**self._documents.tests(self.where))
        if self.sort:
            conc = conc.sort(*self.sort)
        return conc

    def _page_of(self, conc: Concordance) -> dict[str, Any]:
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1 to {MAX_PAGE_SIZE}, not {self.page_size}")
        pages = conc.n_pages(self.page_size)
        k = min(max(self.page, 1), pages)
        if k != self.page:
            self.page = k
        shown = conc.page(k, self.page_size)
        first = (k - 1) * self.page_size
        keys = [key.lower() for key in self.sort]
        rows = [self._row(first + n, line, keys) for n, line in enumerate(shown)]
        return {
            "total": len(conc),
            "docs": conc.n_docs,
            "pages": pages,
            "first": first,
            "rows": rows,
            "sort_keys": list(conc.sort_keys),
            "per_million": len(conc) * 1e6 / max(self._tokens, 1),
        }

    def _row(self, number: int, line: Any, keys: list[str]) -> dict[str, Any]:
        left = line.left[-HTML_CONTEXT_CHARS:]
        right = line.right[:HTML_CONTEXT_CHARS]
        return {
            "n": number,
            "doc": self._documents.label(line.doc),
            "id": str(line.doc),
            "meta": self._documents.values(line.doc),
            "left": left,
            "match": line.match,
            "right": right,
            "keys": sort_spans(left, right, keys),
        }

    def _groups(self, conc: Concordance) -> list[dict[str, Any]]:
        table = conc.count_by(self.group_by, per_million=True)
        integral = integral_columns(table, [self.group_by])
        return [
            {
                "value": value_text(value, self.group_by in integral),
                "docs": int(docs),
                "docs_with_lines": int(with_lines),
                "lines": int(lines),
                "per_million": round(float(per_million), 2),
            }
            for value, docs, with_lines, lines, per_million in zip(
                table[self.group_by].tolist(),
                table["docs"].tolist(),
                table["docs_with_lines"].tolist(),
                table["lines"].tolist(),
                table["per_million"].tolist(),
            )
        ]

    def _passage(self, number: int) -> dict[str, Any]:
        conc = self._view
        if conc is None or not 0 <= number < len(conc):
            return {}
        found = conc.passage(number, chars=PASSAGE_CHARS)
        return {
            "line": number,
            "doc": self._documents.label(found.doc),
            "id": str(found.doc),
            "before": found.text[: found.match_start],
            "match": found.text[found.match_start : found.match_end],
            "after": found.text[found.match_end :],
            "start": found.start,
            "end": found.end,
            "cut_before": found.cut_before,
            "cut_after": found.cut_after,
        }

    # ---- the buttons: exports

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        action = content.get("action") if isinstance(content, dict) else None
        if self._view is None or action not in ("csv", "frame"):
            return
        try:
            if action == "csv":
                path = self.export_csv()
                self.status = f"wrote {len(self._view):,} lines to {path}"
            else:
                self.frame = frame = cast("pandas.DataFrame", self.to_pandas())  # a view is shown
                self.status = f"a DataFrame of {len(frame):,} lines is in this widget's .frame"
        except (OSError, ImportError) as error:
            self.status = f"export failed: {error}"

    def export_csv(self, folder: Any = None) -> str:
        """Write the lines shown, every page of them, as ``to_csv`` writes
        them (formulas neutralised: ``safe=True``) to a new file named
        after the query in ``folder`` (by default the working directory),
        never over an existing file; return its path."""
        if self._view is None:
            raise ValueError("there is no concordance to export: type a query first")
        folder = Path(os.getcwd() if folder is None else folder)
        stem = "kwiq-" + (UNSAFE_IN_NAME.sub("_", self.query.strip())[:40].strip("_") or "lines")
        for n in itertools.count(1):
            path = folder / (f"{stem}.csv" if n == 1 else f"{stem}-{n}.csv")
            try:
                with open(path, "x", encoding="utf-8"):
                    break
            except FileExistsError:
                continue
        self._view.to_csv(path, safe=True)
        return str(path)

    # ---- without a widget front end, the static view

    def _repr_html_(self) -> str | None:
        """The page shown as the static HTML view (Concordance's), which
        IPython adds to the widget's own output for the front ends that
        show no widget; None when there is no concordance."""
        if self._view is None:
            return None
        page = max(1, min(self.page, self._view.n_pages(self.page_size)))
        return self._view.page(page, self.page_size)._repr_html_()


class Documents:
    """What the explorer shows of each document: its label, its metadata
    values as text, and the controls and tests of metadata filters; made
    once per document, never per line."""

    def __init__(self, corpus: Corpus) -> None:
        ids = list(corpus.ids)
        self.position = {doc: k for k, doc in enumerate(ids)} if all_hashable(ids) else {}
        self.labels = doc_labels(ids)
        self.frame = metadata_frame(corpus)
        self.names = [] if self.frame is None else [str(name) for name in self.frame.columns]
        self.integral = set() if self.frame is None else integral_columns(self.frame, self.names)
        self.rows = (
            []
            if self.frame is None
            else [
                [value_text(value, name in self.integral) for name, value in zip(self.names, row)]
                for row in zip(*(self.frame[name].tolist() for name in self.names))
            ]
        )

    def label(self, doc: Any) -> str:
        k = self.position.get(doc) if is_hashable(doc) else None
        return str(doc) if k is None else self.labels[k]

    def values(self, doc: Any) -> list[str]:
        k = self.position.get(doc) if is_hashable(doc) else None
        return [] if k is None or not self.rows else self.rows[k]

    def controls(self) -> list[dict[str, Any]]:
        """One filter control per metadata column: a range for numbers, a
        menu of values for text of few values, else a box for a value."""
        controls = []
        for name in self.names:  # none without a frame
            column = cast("pandas.DataFrame", self.frame)[name]
            if column.dtype.kind in "iuf":
                values = column.dropna()
                low = high = None
                if len(values):
                    low, high = values.min().item(), values.max().item()
                controls.append(
                    {
                        "name": name,
                        "kind": "range",
                        "min": low,
                        "max": high,
                        "integral": column.dtype.kind in "iu" or name in self.integral,
                    }
                )
                continue
            texts = sorted({value_text(value) for value in column.tolist()})
            if len(texts) <= MAX_CHOICES:
                controls.append({"name": name, "kind": "choice", "values": texts})
            else:
                controls.append({"name": name, "kind": "text"})
        return controls

    def tests(self, where: dict[str, Any]) -> dict[str, Any]:
        """Concordance.where's callables for the widget's filters: a value
        as shown (value_text) or a [low, high] range of numbers. ValueError
        for a column the metadata has not or a filter of another shape."""
        tests = {}
        for name, wanted in where.items():
            if name not in self.names:
                raise ValueError(f"no metadata column {name!r} to filter on")
            if isinstance(wanted, str):
                tests[name] = equal_text(wanted, name in self.integral)
            elif (
                isinstance(wanted, (list, tuple))
                and len(wanted) == 2
                and all(
                    bound is None
                    or (isinstance(bound, (int, float)) and not isinstance(bound, bool))
                    for bound in wanted
                )
            ):
                tests[name] = in_range(*wanted)
            else:
                raise ValueError(
                    f"the filter on {name!r} must be a value (str) or a "
                    f"[low, high] pair of numbers, not {wanted!r}"
                )
        return tests


def equal_text(wanted: str, integral: bool) -> Callable[[Any], bool]:
    return lambda value: value_text(value, integral) == wanted


def in_range(low: float | None, high: float | None) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        if is_missing(value) or not isinstance(value, (int, float)):
            return False
        return (low is None or value >= low) and (high is None or value <= high)

    return test


def metadata_frame(corpus: Corpus) -> pandas.DataFrame | None:
    """The corpus's metadata as a pandas DataFrame, or None when it has no
    column (or pandas, which metadata needs, is not installed)."""
    try:
        frame = corpus.metadata
    except ImportError:
        return None
    return frame if len(frame.columns) else None


def sort_spans(left: str, right: str, keys: list[str]) -> dict[str, Any]:
    """Where each sort key's word lies in the contexts shown, as [begin,
    end, key number] lists, and the key number of the match (-1 if it is
    no key): the front end colours them by key, as AntConc does."""
    spans: dict[str, Any] = {"left": [], "right": [], "match": -1}
    for k, key in enumerate(keys):
        if key == "match" and spans["match"] < 0:
            spans["match"] = k
        elif key[0] in "lr" and key[1:].isdigit():
            side = "left" if key[0] == "l" else "right"
            found = kth_word(left if side == "left" else right, int(key[1:]), side == "left")
            if found is not None and all(found != tuple(span[:2]) for span in spans[side]):
                spans[side].append([found[0], found[1], k])
    return spans


def error_of(error: Exception, near: str) -> dict[str, Any]:
    """A bad query or setting as the widget shows it: the message, and
    for a QueryError the problem, the query and the position in it, and
    which box it was typed in."""
    if isinstance(error, QueryError):
        field = "near" if near.strip() and error.query.strip() == near.strip() else "query"
        return {
            "message": str(error),
            "problem": error.problem,
            "query": error.query,
            "position": error.position,
            "field": field,
        }
    return {
        "message": str(error),
        "problem": str(error),
        "query": None,
        "position": None,
        "field": None,
    }


def all_hashable(ids: list[Hashable]) -> bool:
    return all(is_hashable(doc) for doc in ids)


def is_hashable(doc: Any) -> bool:
    try:
        hash(doc)
    except TypeError:
        return False
    return True
