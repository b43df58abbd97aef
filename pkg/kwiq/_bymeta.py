"""Frequency by metadata: a concordance's lines counted by document in C
(Index.locate), then summed by a metadata column with pandas (CQPweb's
distribution view), and their bar plot; Concordance.count_by and plot_by
document them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kwiq import _metadata
from kwiq._analysis import LABEL_QUERY_CHARS, figure_type, libs, need_matplotlib, u32
from kwiq._args import as_bool
from kwiq._indexview import IndexView
from kwiq._views import integral_columns, shortened, value_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from pandas import DataFrame

    from kwiq import _core

# plot_by turns its group labels upright past this many groups.
PLOT_BY_FLAT_LABELS = 12


def count_by(view: IndexView, hits: _core.Hits, column: str, per_million: bool = True) -> DataFrame:
    """``Concordance.count_by`` (documented there) over ``view``: the
    lines of ``hits`` counted by document in C (Index.locate), then summed
    by group with pandas."""
    np, pd = libs()
    if not isinstance(column, str):
        raise TypeError(f"count_by() takes a column name, not {type(column).__name__}")
    _metadata.column_names(view.metadata, column, "count_by()")
    per_million = as_bool(per_million, "per_million")
    docs = np.asarray(view.doc_numbers(), dtype=np.int64)
    tokens = u32(np, view.index.doc_lengths()).astype(np.int64)[docs]
    located = np.frombuffer(view.index.locate(hits)[0], dtype=np.uint64).astype(np.int64)
    lines = np.bincount(located, minlength=view.index.n_docs)[docs]
    frame = pd.DataFrame(
        {
            column: view.metadata[column].take(docs).reset_index(drop=True),
            "docs": np.ones(len(docs), dtype=np.int64),
            "docs_with_lines": (lines > 0).astype(np.int64),
            "tokens": tokens,
            "lines": lines,
        }
    )
    table: DataFrame = frame.groupby(column, dropna=False, sort=True).sum().reset_index()
    if per_million:
        counted = table["tokens"].to_numpy()
        table["per_million"] = np.where(
            counted > 0, table["lines"].to_numpy() * 1e6 / np.maximum(counted, 1), 0.0
        )
    return table


def plot_by(view: IndexView, hits: _core.Hits, column: str, query: str | list[str]) -> Figure:
    """``Concordance.plot_by`` (documented there) over ``view``: a bar a
    group of count_by's table."""
    need_matplotlib("plot_by()")
    table = count_by(view, hits, column, per_million=True)
    integral = integral_columns(table, [column])
    labels = [
        value_text(value, column in integral) or "(missing)" for value in table[column].tolist()
    ]
    upright = len(labels) > PLOT_BY_FLAT_LABELS
    fig = figure_type()(
        figsize=(max(6.0, min(0.25 * len(labels) + 2, 16.0)), 4.0), layout="constrained"
    )
    ax = fig.add_subplot()
    ax.bar(range(len(labels)), table["per_million"].to_numpy(), color="C0")
    ax.set_xticks(range(len(labels)), labels, rotation=90 if upright else 0)
    ax.set_xlabel(column)
    ax.set_ylabel("lines per million tokens")
    shown = shortened(query if isinstance(query, str) else ", ".join(query), LABEL_QUERY_CHARS)
    ax.set_title(f"{shown!r} by {column}: {int(table['lines'].sum()):,} lines")
    return fig
