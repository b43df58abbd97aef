"""Files for Corpus.from_files: which files, in what order, and how they are
read and decoded.

Only regular files are read: a path that names a FIFO, a device or a
socket is refused (OSError) after a stat and before it is opened, and a
file is opened non-blocking and checked again, so that one swapped in
meanwhile cannot block the reader either.

Directories and globs are walked by one walker (``_walk``): it follows
symbolic links to directories, enters each directory once and lists each
file once (by device and inode, the first in sorted order), so a symlink
loop ends, and gives the same files whether a tree is named as a directory
or as ``dir/**``.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import fnmatch
import functools
import io
import os
import stat
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

PathLike = str | os.PathLike[str]

# What a directory reads unless include= says otherwise.
DEFAULT_INCLUDE = "*.txt"
# Names of skipped files a warning shows, at most.
SKIPPED_SHOWN = 3
# Bytes a FileDecodeError keeps each side of the bad bytes.
DECODE_CONTEXT = 32

NOT_REGULAR = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileDecodeError(UnicodeDecodeError):
    """A file that cannot be decoded: a UnicodeDecodeError that also names
    the file (``path``). ``start`` and ``end`` are byte offsets in the file
    of the bytes that cannot be decoded; ``object`` holds only the bytes
    around them, from the file's byte offset ``object_start`` (at most
    DECODE_CONTEXT each side), so the error stays small whatever the
    file's size."""

    def __init__(
        self,
        path: str,
        encoding: str,
        data: bytes,
        start: int,
        end: int,
        reason: str,
        data_start: int = 0,
    ):
        """``data``: bytes of the file from its offset ``data_start``."""
        low = max(start - DECODE_CONTEXT, data_start)
        high = min(end + DECODE_CONTEXT, data_start + len(data))
        super().__init__(encoding, data[low - data_start : high - data_start], start, end, reason)
        self.path = path
        self.object_start = low

    def __reduce__(self) -> tuple[type[FileDecodeError], tuple[Any, ...]]:
        return (
            type(self),
            (
                self.path,
                self.encoding,
                self.object,
                self.start,
                self.end,
                self.reason,
                self.object_start,
            ),
        )

    def __str__(self) -> str:
        at = self.start - self.object_start
        what = f"byte 0x{self.object[at]:02x}" if at < len(self.object) else "the end"
        return (
            f"{self.path}: cannot decode {what} at byte offset {self.start} as "
            f"{self.encoding}: {self.reason}; give its encoding (encoding="
            '"cp1252", or a list to try in order: encoding=["utf-8", "cp1252"]) '
            'or errors="replace"'
        )


class SkippedFilesWarning(UserWarning):
    """Files of a directory that ``include`` left out (see Corpus.from_files)."""


class Files(NamedTuple):
    """What paths name: ``paths`` to open; ``names``, each path as given or
    found, relative to its directory for a file found below a directory
    (the ids ``ids="path"`` gives); ``skipped``, files of directories that
    ``include`` left out."""

    paths: list[str]
    names: list[str]
    skipped: list[str]


def expand(
    paths: PathLike | Iterable[PathLike], include: str | Sequence[str] = DEFAULT_INCLUDE
) -> Files:
    """The files named by a path, a directory (its files below it whose
    name matches ``include``, a glob or a list of globs), a glob (``**``
    for any depth) or a list of these, in order: a list keeps its order, a
    directory or a glob gives its files sorted by their path's components.
    Hidden files and directories (names starting with ".") are left out
    of directories, as globs leave them out, and so is anything that is not
    a regular file. FileNotFoundError for a path that does not exist or a
    directory or glob with no file; OSError for a path given that is not a
    regular file."""
    patterns = check_include(include)
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    elif isinstance(paths, bytes):
        raise TypeError("paths must be str or os.PathLike, not bytes")
    found = Files([], [], [])
    for item in paths:
        if isinstance(item, bytes) or not isinstance(item, (str, os.PathLike)):
            raise TypeError(f"a path must be str or os.PathLike, not {type(item).__name__}")
        path = os.fspath(item)
        if os.path.isdir(path):
            _add_directory(path, patterns, found)
        elif os.path.lexists(path) or not _has_magic(path):
            check_regular(path)
            found.paths.append(path)
            found.names.append(path)
        else:
            files = [file for file, _ in _glob(path)]
            if not files:
                raise FileNotFoundError(f"no file matches {path}")
            found.paths.extend(files)
            found.names.extend(files)
    return found


def _add_directory(root: str, patterns: list[str], found: Files) -> None:
    count = len(found.paths)
    for path, parts in _walk(root, ("**", "*")):
        if any(fnmatch.fnmatchcase(parts[-1], pattern) for pattern in patterns):
            found.paths.append(path)
            found.names.append(os.path.join(*parts))
        else:
            found.skipped.append(path)
    if len(found.paths) == count:
        raise FileNotFoundError(f"no file matching {' or '.join(patterns)} in the directory {root}")


def check_include(include: str | Sequence[str]) -> list[str]:
    """The globs of include= (one or a list), each matched against a file's name."""
    patterns = [include] if isinstance(include, str) else include
    try:
        patterns = list(patterns)
    except TypeError:
        raise TypeError(
            f"include must be a glob or a list of globs, not {type(include).__name__}"
        ) from None
    if not patterns or not all(isinstance(p, str) and p for p in patterns):
        raise TypeError("include must be a glob or a non-empty list of non-empty str globs")
    return patterns


def skipped_note(files: Files, include: str | Sequence[str], every: str) -> str | None:
    """How many files directories left out, and the first few; None when
    none was. ``every``: how to say include every file."""
    if not files.skipped:
        return None
    shown = ", ".join(files.skipped[:SKIPPED_SHOWN])
    more = ", ..." if len(files.skipped) > SKIPPED_SHOWN else ""
    return (
        f"{len(files.skipped)} file(s) not matching {' or '.join(check_include(include))} "
        f"left out: {shown}{more}; {every} reads every file"
    )


def warn_skipped(files: Files, include: str | Sequence[str], stacklevel: int) -> None:
    """The skipped_note as a SkippedFilesWarning, at the caller ``stacklevel``
    frames up."""
    note = skipped_note(files, include, 'include="*"')
    if note is not None:
        warnings.warn(note, SkippedFilesWarning, stacklevel=stacklevel + 1)


def check_regular(path: str) -> os.stat_result:
    """The stat of path, a regular file (followed through links); OSError
    naming what it is otherwise, or why it cannot be seen."""
    status = os.stat(path)
    if not stat.S_ISREG(status.st_mode):
        raise not_regular(path, status)
    return status


def not_regular(path: str, status: os.stat_result) -> OSError:
    kind = next((name for test, name in NOT_REGULAR if test(status.st_mode)), "not a file")
    number = errno.EISDIR if stat.S_ISDIR(status.st_mode) else errno.EINVAL
    return OSError(
        number, f"{kind}, not a regular file; kwiq reads and writes only regular files", path
    )


def open_regular(path: str) -> io.BufferedReader:
    """path opened for reading, a regular file: never blocks on a FIFO, even
    one put there after check_regular looked."""
    check_regular(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise not_regular(path, status)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _has_magic(path: str) -> bool:
    return any(c in path for c in "*?[")


def _glob(pattern: str) -> list[tuple[str, tuple[str, ...]]]:
    """The regular files a glob matches, sorted by their path's components."""
    parts = Path(pattern).parts
    fixed = next(i for i, part in enumerate(parts) if _has_magic(part))
    root = os.path.join(*parts[:fixed]) if fixed else os.curdir
    found = list(_walk(root, parts[fixed:]))
    if fixed:
        return found
    # A relative glob names its files as relative paths, as glob.glob does.
    return [(os.path.relpath(path), rest) for path, rest in found]


def _walk(root: str, pattern: Sequence[str]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(path, its components below root) of each regular file below root
    whose components match ``pattern`` (globs of one component, ``**`` any
    number of them), in the order of their components; see the module
    docstring for links."""
    deep = "**" in pattern
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()

    def visit(directory: str, parts: tuple[str, ...]) -> Iterator[tuple[str, tuple[str, ...]]]:
        try:
            status = os.stat(directory)
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError:
            return  # unreadable: left out, as os.walk and glob leave it
        if (status.st_dev, status.st_ino) in seen_dirs:
            return
        seen_dirs.add((status.st_dev, status.st_ino))
        for entry in entries:
            below = parts + (entry.name,)
            try:
                status = entry.stat()
            except OSError:
                continue  # a dangling link
            if stat.S_ISDIR(status.st_mode):
                if (deep or len(below) < len(pattern)) and _matches(below, pattern, True):
                    yield from visit(entry.path, below)
            elif (
                stat.S_ISREG(status.st_mode)
                and _matches(below, pattern, False)
                and (status.st_dev, status.st_ino) not in seen_files
            ):
                seen_files.add((status.st_dev, status.st_ino))
                yield entry.path, below

    yield from visit(root, ())


def _matches(parts: tuple[str, ...], pattern: Sequence[str], directory: bool) -> bool:
    """Whether parts match pattern, or (directory) may begin a match. A
    hidden name matches only a glob that starts with "."; ``**`` never."""

    @functools.cache
    def match(i: int, j: int) -> bool:
        if i == len(parts):
            return directory or all(glob == "**" for glob in pattern[j:])
        if j == len(pattern):
            return False
        name, glob = parts[i], pattern[j]
        if glob == "**":
            return match(i, j + 1) or (not name.startswith(".") and match(i + 1, j))
        if name.startswith(".") and not glob.startswith("."):
            return False
        return fnmatch.fnmatchcase(name, glob) and match(i + 1, j + 1)

    return match(0, 0)


def check_codec(encoding: str | Sequence[str], errors: str) -> bool:
    """Validate encoding (a name, or a non-empty list of names to try in
    order) and errors: LookupError for an unknown one, ValueError for an
    error handler that cannot decode. True when the raw bytes may go
    straight to the core, whose tokenizer validates UTF-8 exactly as
    Python's strict utf-8 codec does."""
    encodings = encoding_list(encoding)
    if not isinstance(errors, str):
        raise TypeError(f"errors must be str, not {type(errors).__name__}")
    names = [codecs.lookup(name).name for name in encodings]
    codecs.lookup_error(errors)
    try:
        b"\xff".decode("ascii", errors)
    except UnicodeDecodeError:
        pass  # it raises, as strict does
    except TypeError:
        raise ValueError(
            f"errors={errors!r} only encodes; it cannot decode (decoding "
            "takes strict, replace, ignore, backslashreplace ...)"
        ) from None
    return isinstance(encoding, str) and names == ["utf-8"] and errors == "strict"


def encoding_list(encoding: str | Sequence[str]) -> list[str]:
    """encoding= as a list of names (one for a str)."""
    if isinstance(encoding, str):
        return [encoding]
    if (
        isinstance(encoding, (list, tuple))
        and encoding
        and all(isinstance(name, str) for name in encoding)
    ):
        return list(encoding)
    raise TypeError(f"encoding must be str or a non-empty list of str, not {encoding!r:.60}")


def reader(
    paths: list[str],
    encoding: str | Sequence[str],
    errors: str,
    raw: bool,
    names: list[str],
    used: list[str | None] | None = None,
) -> Callable[[int], str | bytes]:
    """load(i): file i's bytes (raw) or its text decoded with Python's codec
    (each encoding of a list tried in order, strictly but the last, which
    takes ``errors``; used[i] set to the one that decoded it); a decoding
    error becomes a FileDecodeError naming names[i]."""
    encodings = encoding_list(encoding)

    def decode(i: int, data: bytes) -> str:
        for name in encodings[:-1]:
            with contextlib.suppress(UnicodeDecodeError):
                text = data.decode(name)
                break
        else:
            name = encodings[-1]
            try:
                text = data.decode(name, errors)
            except UnicodeDecodeError as error:
                raise decode_error(names[i], error, name) from None
        if used is not None:
            used[i] = name
        return text

    def load(i: int) -> str | bytes:
        path = paths[i]
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open_regular(path) as file:
                data = file.read()
        return data if raw else decode(i, data)

    return load


def decode_error(name: str, error: UnicodeDecodeError, encoding: str) -> FileDecodeError:
    """The error for file ``name``, naming ``encoding`` as given (a codec
    may name itself otherwise: cp1252 says "charmap")."""
    return FileDecodeError(name, encoding, error.object, error.start, error.end, error.reason)


def utf8_error(name: str, data: bytes, offset: int) -> FileDecodeError:
    """The error for the invalid UTF-8 the core found at `offset` in data,
    with the reason Python's codec gives there."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start == offset:
            return decode_error(name, error, "utf-8")
    return FileDecodeError(name, "utf-8", data, offset, offset + 1, "invalid UTF-8")
