"""Saved corpora: the file the core writes, and the document ids in it.

The core saves its index with an opaque blob of ours beside it (the format
is documented byte by byte in csrc/core/kw_file.c). The blob holds the document
ids as UTF-8 JSON, never pickle, so loading a file runs no code of the
file's: ``{"kwiq ids": 1, "range": n}`` for the default ids ``0 .. n-1``,
else ``{"kwiq ids": 1, "ids": [...]}`` with one value per document:

- str, bool, None: a JSON string, true/false, null;
- int: a JSON number when |i| < 2**63, else ``{"int": "<hex>"}``;
- float: ``{"float": "<repr>"}``, exact, nan and inf included;
- tuple: ``{"tuple": [...]}`` of these, nested as deep as needed.

Ids of any other type (or a subclass of these) cannot be saved: save()
raises TypeError before it opens the file.

A corpus with metadata adds a key ``"metadata"``: ``{"columns": [{"name":
..., "dtype": ..., "values": [...]}, ...]}``, one value per document
encoded as ids are (see kwiq._metadata). A file without the key loads
with no metadata.
"""

from __future__ import annotations

import contextlib
import io
import json
import mmap
import os
import secrets
import stat
from collections.abc import Hashable
from typing import Any

from kwiq import _core
from kwiq._files import not_regular, open_regular

FormatError = _core.FormatError

PathLike = str | os.PathLike[str]

IDS_VERSION = 1
BIG_INT = 2**63


def encode_ids(ids: list[Hashable], metadata: Any = None) -> bytes:
    """The blob for ``ids`` (and the JSON value of the metadata, if any);
    TypeError for an id of a type it cannot hold."""
    if all(type(doc_id) is int for doc_id in ids) and ids == list(range(len(ids))):
        document: dict[str, Any] = {"kwiq ids": IDS_VERSION, "range": len(ids)}
    else:
        document = {
            "kwiq ids": IDS_VERSION,
            "ids": [_encode_id(doc_id, i) for i, doc_id in enumerate(ids)],
        }
    if metadata is not None:
        document["metadata"] = metadata
    return json.dumps(document, separators=(",", ":"), allow_nan=False).encode("ascii")


def _encode_id(value: Any, i: int) -> Any:
    try:
        return encode_value(value)
    except TypeError:
        kind = type(value)
        raise TypeError(
            f"cannot save id {i} ({kind.__module__}.{kind.__qualname__}): a "
            "saved corpus keeps ids of type str, int, float, bool, None and "
            "tuples of them"
        ) from None


def encode_value(value: Any) -> Any:
    """The JSON value of an id or a metadata value; TypeError for a type
    other than str, int, float, bool, None and tuples of them."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        return value if -BIG_INT < value < BIG_INT else {"int": hex(value)}
    if kind is float:
        return {"float": repr(value)}
    if kind is tuple:
        return {"tuple": [encode_value(item) for item in value]}
    raise TypeError(f"{kind.__qualname__} cannot be saved")


def decode_ids(blob: bytes, n_docs: int) -> tuple[list[Hashable], Any]:
    """The ids in ``blob``, ``n_docs`` distinct ones, and the JSON value of
    the metadata (None when the file has none); FormatError otherwise."""
    try:
        document = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise FormatError(f"section blob: the document ids are not JSON ({error})") from None
    if (
        not isinstance(document, dict)
        or type(document.get("kwiq ids")) is not int
        or document["kwiq ids"] != IDS_VERSION
    ):
        raise FormatError("section blob: no document ids of a version this kwiq reads")
    metadata = document.pop("metadata", None)
    if set(document) == {"kwiq ids", "range"}:
        count = document["range"]
        if type(count) is not int or count != n_docs:
            raise FormatError(f"section blob: ids 0 .. {count!r} - 1 for {n_docs} documents")
        return list(range(n_docs)), metadata
    values = document.get("ids")
    if set(document) != {"kwiq ids", "ids"} or not isinstance(values, list):
        raise FormatError("section blob: the document ids are not a list")
    if len(values) != n_docs:
        raise FormatError(f"section blob: {len(values)} ids for {n_docs} documents")
    try:
        ids = [decode_value(value) for value in values]
    except (ValueError, TypeError, RecursionError) as error:
        raise FormatError(f"section blob: a document id cannot be read ({error})") from None
    if len(set(ids)) != n_docs:  # equal ids, as Corpus finds them
        raise FormatError("section blob: an id is given twice")
    return ids, metadata


def decode_value(value: Any) -> Any:
    """The id or metadata value encode_value encoded as ``value``;
    ValueError when it is not one."""
    if value is None or type(value) in (str, bool, int):
        return value
    if isinstance(value, dict) and len(value) == 1:
        [(tag, content)] = value.items()
        if tag == "int" and isinstance(content, str):
            return int(content, 16)
        if tag == "float" and isinstance(content, str):
            return float(content)
        if tag == "tuple" and isinstance(content, list):
            return tuple(decode_value(item) for item in content)
    raise ValueError(f"{value!r:.60} is not an encoded value")


def write(index: _core.Index, blob: bytes, path: PathLike) -> None:
    """Save ``index`` and ``blob`` to ``path``: written beside it under a
    temporary name, then renamed over it, so that a reader never sees half
    a file and a corpus loaded from ``path`` keeps its (now unlinked) file.
    A symbolic link at ``path`` is written through: its target is replaced
    and the link stays. Anything at ``path`` that is not a regular file (a
    directory, a FIFO, a device) is refused with an OSError before
    anything is written."""
    target = os.path.realpath(os.fspath(path))
    with contextlib.suppress(FileNotFoundError):
        status = os.stat(target)
        if not stat.S_ISREG(status.st_mode):
            raise not_regular(os.fspath(path), status)
    directory, name = os.path.split(target)
    temporary = os.path.join(directory, f".{name}.{secrets.token_hex(6)}.tmp")
    try:
        with open(temporary, "xb") as file:
            index.save(file, blob)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# Where the header's checksum lies (csrc/core/kw_file.c): it covers the
# header and the table, which holds every section's checksum, so it
# stands for the whole file.
CHECKSUM_BYTES = slice(56, 64)


def read(path: PathLike, mapped: bool = True) -> tuple[_core.Index, bytes, int]:
    """(index, blob, checksum) of the saved corpus at ``path``, a regular
    file: memory-mapped (``mapped``), else read into memory of our own; the
    checksum is the header's (CHECKSUM_BYTES)."""
    name = os.fspath(path)
    with open_regular(name) as file:
        size = os.fstat(file.fileno()).st_size
        if size == 0:
            raise FormatError(f"{name}: an empty file, not a saved kwiq corpus")
        if mapped:
            memory = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        else:
            # An anonymous mapping: page-aligned, as the core needs (8 bytes).
            memory = mmap.mmap(-1, size)
            if file.readinto(memory) != size:
                memory.close()
                raise FormatError(f"{name}: the file changed size while it was read")
    try:
        index, blob = _core.load(memory)
    except FormatError as error:
        memory.close()
        raise FormatError(f"{name}: {error}") from None
    except BaseException:
        memory.close()
        raise
    return index, blob, int.from_bytes(memory[CHECKSUM_BYTES], "little")


def of_bytes(data: bytes) -> _core.Index:
    """The index of a saved corpus's bytes (``Index.save`` wrote them), read
    from an anonymous mapping: aligned as loading needs, and no file."""
    mapping = mmap.mmap(-1, max(len(data), 1))
    mapping.write(data)
    return _core.load(memoryview(mapping)[: len(data)])[0]


def to_bytes(index: _core.Index) -> bytes:
    """The bytes ``save`` would write for ``index`` with an empty blob."""
    out = io.BytesIO()
    index.save(out, b"")
    return out.getvalue()
