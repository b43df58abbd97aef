"""Files for Corpus.from_files: which files, in what order, and how they are
read and decoded."""
from __future__ import annotations

import codecs
import glob
import os
from pathlib import Path
from typing import Callable, Iterable, Union

PathLike = Union[str, "os.PathLike[str]"]


class FileDecodeError(UnicodeDecodeError):
    """A file that cannot be decoded: a UnicodeDecodeError that also names
    the file (``path``); ``start`` is the byte offset in the file of the
    first byte that cannot be decoded, ``object`` the file's bytes."""

    def __init__(self, path: str, encoding: str, data: bytes, start: int, end: int,
                 reason: str):
        super().__init__(encoding, data, start, end, reason)
        self.path = path

    def __reduce__(self):
        return (type(self), (self.path, self.encoding, self.object, self.start, self.end,
                             self.reason))

    def __str__(self) -> str:
        byte = self.object[self.start] if self.start < len(self.object) else None
        what = f"byte 0x{byte:02x}" if byte is not None else "the end"
        return (f"{self.path}: cannot decode {what} at byte offset {self.start} as "
                f"{self.encoding}: {self.reason}")


def expand(paths: Union[PathLike, Iterable[PathLike]]) -> list[str]:
    """The files named by a path, a directory (every file below it), a glob
    (``**`` for any depth) or a list of these, in order: a list keeps its
    order, a directory or a glob gives its files sorted by their path's
    components. Hidden files and directories (names starting with ".") are
    left out of directories, as globs leave them out. FileNotFoundError for
    a path that does not exist or a directory or glob with no file."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    elif isinstance(paths, bytes):
        raise TypeError("paths must be str or os.PathLike, not bytes")
    files: list[str] = []
    for item in paths:
        if isinstance(item, bytes) or not isinstance(item, (str, os.PathLike)):
            raise TypeError(f"a path must be str or os.PathLike, not {type(item).__name__}")
        path = os.fspath(item)
        if os.path.isdir(path):
            found = _below(path)
            if not found:
                raise FileNotFoundError(f"no file in the directory {path}")
            files.extend(found)
        elif os.path.exists(path) or not glob.has_magic(path):
            if not os.path.exists(path):
                raise FileNotFoundError(2, "No such file or directory", path)
            files.append(path)
        else:
            found = sorted((p for p in glob.iglob(path, recursive=True) if os.path.isfile(p)),
                           key=_order)
            if not found:
                raise FileNotFoundError(f"no file matches {path}")
            files.extend(found)
    return files


def _below(root: str) -> list[str]:
    found = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        found.extend(os.path.join(directory, name) for name in names
                     if not name.startswith(".")
                     and os.path.isfile(os.path.join(directory, name)))
    return sorted(found, key=_order)


def _order(path: str) -> tuple:
    return Path(path).parts


def check_codec(encoding: str, errors: str) -> bool:
    """Validate encoding and errors (LookupError if unknown); True when the
    raw bytes may go straight to the core, whose tokenizer validates UTF-8
    exactly as Python's strict utf-8 codec does."""
    if not isinstance(encoding, str):
        raise TypeError(f"encoding must be str, not {type(encoding).__name__}")
    if not isinstance(errors, str):
        raise TypeError(f"errors must be str, not {type(errors).__name__}")
    name = codecs.lookup(encoding).name
    codecs.lookup_error(errors)
    return name == "utf-8" and errors == "strict"


def reader(paths: list[str], encoding: str, errors: str, raw: bool,
           names: list[str]) -> Callable[[int], Union[str, bytes]]:
    """load(i): file i's bytes (raw) or its text decoded with Python's codec;
    a decoding error becomes a FileDecodeError naming names[i]."""

    def load(i: int) -> Union[str, bytes]:
        path = paths[i]
        if path == "-":
            import sys
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as file:
                data = file.read()
        if raw:
            return data
        try:
            return data.decode(encoding, errors)
        except UnicodeDecodeError as error:
            raise decode_error(names[i], error) from None

    return load


def decode_error(name: str, error: UnicodeDecodeError) -> FileDecodeError:
    return FileDecodeError(name, error.encoding, error.object, error.start, error.end,
                           error.reason)


def utf8_error(name: str, data: bytes, offset: int) -> FileDecodeError:
    """The error for the invalid UTF-8 the core found at `offset` in data,
    with the reason Python's codec gives there."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start == offset:
            return decode_error(name, error)
    return FileDecodeError(name, "utf-8", data, offset, offset + 1, "invalid UTF-8")
