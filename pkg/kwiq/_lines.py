"""LineConcordance: a Concordance whose lines were made elsewhere (on Dask
workers) and arrived as a pandas DataFrame, rather than hits in C arrays."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from kwiq._concordance import Concordance, Line, meta_line_type, sort_key_specs

if TYPE_CHECKING:
    import pandas

# sort_keys(specs, parts, rows) -> a DataFrame of the values each key (a
# (name, attribute) pair of kwiq._concordance.sort_key_specs) compares
# (columns k0, k1, ...), a row per line, for the lines that are line
# rows[i] of partition parts[i].
SortKeys = Callable[[list[tuple[str, str]], Any, Any], Any]


class LineConcordance(Concordance):
    """The lines of a query as one DataFrame (the columns of ``to_pandas``),
    read, shown and exported as a Concordance is.

    ``origin`` says where each line came from, as two arrays: partitions,
    and line numbers in the partition's own concordance; ``sort_keys``
    fetches what ``sort`` compares for those lines (the words, or another
    attribute's values, at L5 .. R5 and in the match, the document and
    the position, as the C sort ranks them); ``index``, an index with the
    corpus's attributes (of no documents), is what the keys are checked
    against. ``meta``: the frame's metadata columns, which lines carry
    after their Line fields, as ``kwic(meta=...)`` makes them; ``show``:
    the attributes the lines show after each word (``kwic(show=...)``).
    """

    def __init__(
        self,
        frame: Any,
        *,
        query: str | list[str],
        queries: list[str],
        window: Any,
        case: bool,
        width: int | None,
        bound: str | None,
        origin: tuple[Any, Any],
        sort_keys: SortKeys,
        index: Any,
        meta: Sequence[str] = (),
        show: tuple[str, ...] = (),
    ) -> None:
        self._frame = frame.reset_index(drop=True)
        self._ids = self._frame["doc"].tolist()
        self._set_options(query, queries, window, case, width, bound)
        self.meta = tuple(meta)
        self._line_type = meta_line_type(self.meta) if self.meta else Line
        self.show = show
        self._origin = origin
        self._sort_keys = sort_keys
        self._key_index = index

    # Its lines travel as they are, not as the hits a Concordance sends.
    __reduce__ = object.__reduce__

    def __len__(self) -> int:
        return len(self._frame)

    def _lines(self, start: int, stop: int) -> list[Line]:
        rows = self._frame.iloc[start:stop]
        columns = [rows[field].tolist() for field in Line._fields + self.meta]
        make = self._line_type._make
        return [make(values) for values in zip(*columns)]

    def sort(self, *keys: str | tuple[str, str]) -> LineConcordance:
        """The same lines sorted as ``Concordance.sort`` sorts them (the same
        keys, errors and stable order); the words compared are fetched
        from where the lines were made."""
        specs = sort_key_specs(keys, self._key_index)
        parts, rows = self._origin
        if not len(self):
            return self
        values = self._sort_keys(specs, parts, rows)
        order = values.sort_values(list(values.columns), kind="stable").index.to_numpy()
        result = self._picked(order, False)
        result.sort_keys = tuple(
            name if attr == "word" else f"{name}/{attr}" for name, attr in specs
        )
        return result

    def _picked(self, rows: Any, keeps_order: bool) -> LineConcordance:
        """These settings over the lines numbered ``rows`` (a numpy array)."""
        parts, origin_rows = self._origin
        picked = LineConcordance(
            self._frame.take(rows),
            query=self.query,
            queries=self.queries,
            window=self.window,
            case=self.case,
            width=self.width,
            bound=self.bound,
            origin=(parts[rows], origin_rows[rows]),
            sort_keys=self._sort_keys,
            index=self._key_index,
            meta=self.meta,
            show=self.show,
        )
        picked.sort_keys = self.sort_keys if keeps_order else ()
        return picked

    def _sliced(self, start: int, step: int, n: int) -> LineConcordance:
        import numpy as np

        return self._picked(np.arange(n, dtype=np.int64) * step + start, step > 0)

    def _numbered(self, order: Any) -> LineConcordance:
        import numpy as np

        return self._picked(np.frombuffer(order, dtype=np.uint32).astype(np.int64), False)

    def _masked(self, mask: bytes) -> LineConcordance:
        import numpy as np

        return self._picked(np.flatnonzero(np.frombuffer(mask, dtype=np.uint8)), True)

    def _count_docs(self) -> int:
        return len(set(self._ids))

    def _many_docs(self) -> bool:
        return self.n_docs > 1

    def _meta_names(self, meta: Any) -> list[str]:
        names = [meta] if isinstance(meta, str) else list(meta)
        for name in names:
            if name not in self.meta:
                raise ValueError(
                    f"meta: these lines carry the columns {list(self.meta)}, not {name!r}"
                )
        return names

    def _metadata_of(self, names: Sequence[str]) -> Any:
        return self._frame[list(names)]

    def _unsupported(self, what: str) -> TypeError:
        return TypeError(
            f"{what} needs the corpus, which the lines of a Dask concordance "
            "left behind on the workers: select them there, or make the "
            "concordance on one machine"
        )

    def filter(self, *args: Any, **kwargs: Any) -> LineConcordance:
        """Not for these lines: TypeError (see _unsupported)."""
        raise self._unsupported("filter()")

    def where(self, **columns: Any) -> LineConcordance:
        """Not for these lines: TypeError (see _unsupported)."""
        raise self._unsupported("where()")

    def count_by(self, column: str, per_million: bool = True) -> NoReturn:
        """Not for these lines: TypeError (see _unsupported)."""
        raise self._unsupported("count_by()")

    def plot_by(self, column: str) -> NoReturn:
        """Not for these lines: TypeError (see _unsupported)."""
        raise self._unsupported("plot_by()")

    def passage(self, i: int, chars: int = 600) -> NoReturn:
        """Not for these lines: TypeError (see _unsupported)."""
        raise self._unsupported("passage()")

    # No attrs: these lines carry no token attributes.
    def to_pandas(self) -> pandas.DataFrame:  # type: ignore[override]
        import pandas as pd

        frame: pandas.DataFrame = self._frame.copy()
        # The doc column's type as one machine infers it from these ids.
        frame["doc"] = pd.Series(self._ids, dtype=None if self._ids else object)
        return frame

    def _polars_columns(self) -> tuple[dict[str, Any], dict[str, list[Any]], Any]:
        frame = self._frame
        columns = {name: frame[name].tolist() for name in Line._fields[1:]}
        columns["doc"] = self._ids
        meta = {name: frame[name].tolist() for name in self.meta}
        return columns, meta, frame["query"].cat.codes.tolist()

    def _export_rows(self) -> Iterator[tuple[Any, ...]]:
        for start, stop in self._chunks():
            queries = self._frame["query"].iloc[start:stop].astype(str).tolist()
            for line, query in zip(self._lines(start, stop), queries):
                yield line + (query,)
