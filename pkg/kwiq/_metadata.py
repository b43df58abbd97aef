"""Document metadata: checking what Corpus is given, choosing documents by
it, and keeping it in a saved corpus.

A corpus keeps its metadata as a pandas DataFrame with one row per document
of the whole corpus, in corpus order (a RangeIndex of document numbers);
views over some documents share it and pick their rows.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from kwiq._saved import FormatError, decode_value, encode_value

if TYPE_CHECKING:
    from pandas import DataFrame

# Line fields and the export column a metadata column cannot be named.
RESERVED = ("doc", "start", "end", "left", "match", "right", "char_start", "char_end", "query")
# The dtypes a saved corpus restores by name; any other column loads as
# pandas infers it from the values.
SAVED_DTYPES = (
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float32",
    "float64",
    "object",
    "string",
    "category",
    "boolean",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
)


def pandas() -> Any:
    """The pandas module, or ImportError saying how to install it."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            "metadata needs pandas: pip install pandas (or pip install 'kwiq[pandas]')"
        ) from None
    return pd


def check(metadata: Any, n_docs: int) -> DataFrame | None:
    """The metadata given to Corpus as a DataFrame of n_docs rows with a
    fresh RangeIndex, or None. TypeError for a value that is not a
    DataFrame or a list of dicts, or a column name that is not a str;
    ValueError for a wrong number of rows."""
    if metadata is None:
        return None
    pd = pandas()
    if isinstance(metadata, pd.DataFrame):
        frame = metadata.reset_index(drop=True)
    elif isinstance(metadata, (str, bytes, Mapping)) or not hasattr(metadata, "__iter__"):
        raise TypeError(
            "metadata must be a pandas DataFrame or a list of dicts (one per "
            f"document), not {type(metadata).__name__}"
        )
    else:
        rows = list(metadata)
        for i, row in enumerate(rows):
            if not isinstance(row, Mapping):
                raise TypeError(f"metadata row {i} is {type(row).__name__}, not a dict")
        frame = _nullable_ints(pd.DataFrame(rows, index=range(len(rows))), rows)
    if len(frame) != n_docs:
        raise ValueError(
            f"metadata has {len(frame)} rows for {n_docs} documents; it needs one row per document"
        )
    for name in frame.columns:
        if not isinstance(name, str):
            raise TypeError(
                f"metadata column names must be str, not {type(name).__name__} ({name!r})"
            )
    checked: DataFrame = frame.copy()
    return checked


def _nullable_ints(frame: DataFrame, rows: list[Mapping[Any, Any]]) -> DataFrame:
    """frame with each column whose values are all int where given, and
    missing in some row, as pandas' nullable Int64 rather than the float64
    pandas makes of it (1990 stays 1990, not 1990.0)."""
    pd = pandas()
    for name in frame.columns:
        values = [row.get(name) for row in rows]
        given = [value for value in values if value is not None]
        if len(given) < len(values) and given and all(type(v) is int for v in given):
            try:
                frame[name] = pd.array(values, dtype="Int64")
            except (OverflowError, TypeError, ValueError):
                pass  # beyond 64 bits: pandas keeps such ints as objects
    return frame


def with_column(frame: DataFrame | None, name: str, values: list[Any], n_docs: int) -> DataFrame:
    """frame (or no metadata) with one more column."""
    if frame is None:
        made: DataFrame = pandas().DataFrame({name: values}, index=range(n_docs))
        return made
    extended: DataFrame = frame.assign(**{name: values})
    return extended


def column_names(frame: DataFrame | None, names: Any, what: str) -> list[str]:
    """The columns of frame named in names (a str or a list of str);
    ValueError for one it has not."""
    if isinstance(names, str):
        names = [names]
    try:
        unique: list[str] = list(dict.fromkeys(names))
    except TypeError:
        raise TypeError(
            f"{what} must be a column name or a list of them, not {type(names).__name__}"
        ) from None
    known = [] if frame is None else list(frame.columns)
    for name in unique:
        if not isinstance(name, str):
            raise TypeError(f"a metadata column name must be a str, not {type(name).__name__}")
        if name not in known:
            have = ", ".join(map(repr, known)) if known else "none: the corpus has no metadata"
            raise ValueError(f"unknown metadata column {name!r} in {what}; the columns are {have}")
    return unique


def line_columns(frame: DataFrame | None, meta: Any) -> list[str]:
    """The columns kwic(meta=...) names (None: none), checked: frame has
    them, and they can become Line fields."""
    if meta is None:
        return []
    names = column_names(frame, meta, "meta")
    check_line_fields(names)
    return names


def check_line_fields(names: list[str]) -> None:
    """Columns that become Line fields must be identifiers and not clash
    with the Line fields or the query column."""
    for name in names:
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            raise ValueError(
                f"metadata column {name!r} cannot be a Line field: kwic(meta=...) "
                "takes columns named as Python identifiers not starting with _"
            )
        if name in RESERVED:
            raise ValueError(
                f"metadata column {name!r} has the name of a concordance column "
                f"({', '.join(RESERVED)})"
            )


def matching(frame: DataFrame, equalities: dict[str, Any]) -> Any:
    """A boolean numpy array over frame's rows: every column equals its
    value, or is in it for a collection of values (a list, tuple, set,
    range, array: any iterable but a str or bytes)."""
    import numpy as np

    keep = np.ones(len(frame), dtype=bool)
    for name, value in equalities.items():
        column = frame[name]
        if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
            keep &= column.isin(list(value)).to_numpy(dtype=bool)
        elif value is None:
            keep &= column.isna().to_numpy(dtype=bool)
        else:
            keep &= (column == value).fillna(False).to_numpy(dtype=bool)
    return keep


# ---- in a saved corpus ----


def encode(frame: DataFrame) -> dict[str, Any]:
    """The JSON value of the metadata in a saved corpus: its columns, each
    with its name, dtype and values encoded as ids are (see kwiq._saved).
    TypeError for a value of another type, before anything is written."""
    columns = []
    for name in frame.columns:
        column = frame[name]
        values = []
        for i, value in enumerate(column.tolist()):
            try:
                # pd.NA: a missing value of a nullable column (Int64, boolean ...)
                values.append(encode_value(None if value is pandas().NA else value))
            except TypeError:
                kind = type(value)
                raise TypeError(
                    f"cannot save metadata column {name!r} row {i} "
                    f"({kind.__module__}.{kind.__qualname__}): a saved corpus "
                    "keeps values of type str, int, float, bool, None and tuples "
                    "of them"
                ) from None
        columns.append({"name": name, "dtype": str(column.dtype), "values": values})
    return {"columns": columns}


def decode(document: Any, n_docs: int) -> DataFrame:
    """The DataFrame of a saved corpus's metadata; FormatError when it is
    not what encode writes for n_docs documents."""
    if (
        not isinstance(document, dict)
        or set(document) != {"columns"}
        or not isinstance(document["columns"], list)
    ):
        raise FormatError("section blob: the metadata is not a list of columns")
    pandas_module = pandas()
    data = {}
    dtypes = {}
    for column in document["columns"]:
        if (
            not isinstance(column, dict)
            or set(column) != {"name", "dtype", "values"}
            or not isinstance(column["name"], str)
            or not isinstance(column["dtype"], str)
            or not isinstance(column["values"], list)
        ):
            raise FormatError("section blob: a metadata column is not {name, dtype, values}")
        name = column["name"]
        if name in data:
            raise FormatError(f"section blob: metadata column {name!r} is given twice")
        if len(column["values"]) != n_docs:
            raise FormatError(
                f"section blob: metadata column {name!r} has "
                f"{len(column['values'])} values for {n_docs} documents"
            )
        try:
            values = [decode_value(value) for value in column["values"]]
        except (ValueError, TypeError, RecursionError) as error:
            raise FormatError(
                f"section blob: metadata column {name!r}: a value cannot be read ({error})"
            ) from None
        data[name] = pandas_module.Series(values, dtype=object, index=range(n_docs))
        dtypes[name] = column["dtype"]
    frame = pandas_module.DataFrame(data, index=range(n_docs))
    for name, dtype in dtypes.items():
        try:
            frame[name] = (
                frame[name].astype(dtype) if dtype in SAVED_DTYPES else frame[name].infer_objects()
            )
        except (ValueError, TypeError) as error:
            raise FormatError(
                f"section blob: metadata column {name!r} is not of dtype {dtype} ({error})"
            ) from None
    decoded: DataFrame = frame
    return decoded
