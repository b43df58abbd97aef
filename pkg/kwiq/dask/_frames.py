"""kwiq.dask's frames: the lazy Dask DataFrame of a query's lines
(KwicFrame), and the frame of no lines that gives its columns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dask.dataframe as dd

from kwiq._lines import LineConcordance

if TYPE_CHECKING:
    import pandas

    from kwiq.dask._client import KwicSource


def lines_meta(queries: list[str], doc_dtype: Any, meta_columns: Any) -> pandas.DataFrame:
    """The frame of no lines with the columns and dtypes of to_pandas: the
    Line fields, the metadata columns asked for (``meta_columns``, a frame
    of no rows, or None) and query."""
    import numpy as np
    import pandas as pd

    text = pd.Series(["x"]).dtype  # the str dtype pandas infers, as to_pandas gets
    columns: dict[str, Any] = {"doc": pd.Series([], dtype=doc_dtype)}
    for field in ("start", "end", "left", "match", "right", "char_start", "char_end"):
        dtype = text if field in ("left", "match", "right") else np.int64
        columns[field] = pd.Series([], dtype=dtype)
    if meta_columns is not None:
        for name in meta_columns.columns:
            columns[name] = pd.Series([], dtype=meta_columns[name].dtype)
    columns["query"] = pd.Categorical([], categories=queries)
    frame: pandas.DataFrame = pd.DataFrame(columns)
    return frame


class KwicFrame(dd.DataFrame):
    """The lines of a query over a kwiq.dask.Corpus: a dask.dataframe.DataFrame
    with the columns of ``Concordance.to_pandas()`` (every DataFrame method
    works and gives an ordinary Dask DataFrame), whose ``compute()`` gives a
    local Concordance (a ``kwiq.Concordance`` whose lines live in Python):
    the same lines, in the same order, as one kwiq.Corpus, with ``sort``,
    display and export. Its ``sort`` fetches the words it compares from
    the workers, which must still hold the corpus. (``dask.compute(frame)``
    and ``frame.persist()`` treat it as the plain Dask DataFrame it also is.)"""

    def __init__(self, expr: Any, source: KwicSource | None = None) -> None:
        super().__init__(expr)
        self._source = source

    def __len__(self) -> int:
        """The number of lines, counted on the workers without making them."""
        source = self._source
        if source is None:
            length: int = super().__len__()
            return length
        return source.count()

    def compute(self, **kwargs: Any) -> Any:
        source = self._source
        if source is None:
            return super().compute(**kwargs)
        client = source.client
        frames = client.gather(client.compute(self.to_delayed(), **kwargs))
        import pandas as pd

        frame = pd.concat(frames, ignore_index=True) if frames else self._meta
        import numpy as np

        parts = np.repeat(np.arange(len(frames)), [len(part) for part in frames])
        rows = np.concatenate([np.arange(len(part)) for part in frames]) if frames else parts
        empty = source.empty
        return LineConcordance(
            frame,
            query=empty.query,
            queries=empty.queries,
            window=empty.window,
            case=empty.case,
            width=empty.width,
            bound=empty.bound,
            origin=(parts, rows),
            sort_keys=source.sort_keys,
            index=source.index,
            meta=source.meta,
            show=empty.show,
        )
