"""Annotated corpora: tokens, attributes and structures given by the source.

An annotated corpus has the attribute ``word`` and the source's others
(``corpus.attributes``), and the structure ``text`` (its documents) and the
source's others (``corpus.structures``). Its tokens are the source's, not
kwiq's tokenizer's, and every token counts as a token (punctuation too);
``char_start``/``char_end`` are offsets into ``corpus.text(doc)`` as for
any corpus. CoNLL-U and VRT files are read here (spaCy Docs in
kwiq._spacy), by the rules of Corpus.from_conllu's and from_vrt's
docstrings.
"""

from __future__ import annotations

import bisect
import contextlib
import html
import mmap
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from kwiq import _build, _core, _files
from kwiq._saved import FormatError

PathLike = str | os.PathLike[str]

CONLLU_INCLUDE = "*.conllu"
VRT_INCLUDE = "*.vrt"
VRT_STRUCTURES = ("s", "p")

_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")
_XML_ATTRIBUTE = re.compile(r"([A-Za-z_][A-Za-z0-9_.:-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def read_conllu(
    paths: PathLike | Iterable[PathLike],
    progress: bool = True,
    include: str | Sequence[str] = CONLLU_INCLUDE,
    attrs: Sequence[str] | None = None,
) -> tuple[Any, list[Any]]:
    """The index and document ids of CoNLL-U files, read in C a file at a
    time with the GIL released, as ``Corpus.from_conllu`` says."""
    checked = conllu_attrs(attrs)
    files = listed(paths, include)
    index, ids, _ = conllu_files(files, checked, progress)
    return index, ids


def conllu_files(
    files: _files.Files, attrs: list[str], progress: bool
) -> tuple[Any, list[Any], list[str]]:
    """read_conllu of listed files, with attributes checked by
    conllu_attrs; also the name of each document's file."""
    builder = _core.Builder()
    builder.annotate(attrs, list(_core.conllu_structures))
    ids: list[Any] = []
    seen: dict[Any, str] = {}
    sources: list[str] = []

    def take(name: str, file_ids: list[str | None]) -> None:
        for k, doc_id in enumerate(file_ids, 1):
            if doc_id is None:
                doc_id = name if len(file_ids) == 1 else f"{name}#{k}"
            add_id(ids, seen, doc_id, name)
            sources.append(name)

    _read_files(files, progress, lambda data: builder.add_conllu(data, attrs), take)
    return builder.finish(), ids, sources


def read_vrt(
    paths: PathLike | Iterable[PathLike],
    attrs: Sequence[str] = (),
    structures: Sequence[str] = VRT_STRUCTURES,
    progress: bool = True,
    include: str | Sequence[str] = VRT_INCLUDE,
) -> tuple[Any, list[Any], Any]:
    """The index, document ids and metadata rows (a list of dicts, or None
    when no ``<text>`` has attributes beyond ``id``) of VRT files, read in C
    a file at a time with the GIL released, as ``Corpus.from_vrt`` says."""
    names = vrt_names(attrs, structures)
    files = listed(paths, include)
    index, ids, rows, _ = vrt_files(files, *names, progress)
    return index, ids, rows if any(rows) else None


def vrt_files(
    files: _files.Files, attrs: list[str], structures: list[str], progress: bool
) -> tuple[Any, list[Any], list[dict[str, str]], list[str]]:
    """read_vrt of listed files, with names checked by vrt_names: the
    index, the ids, every document's metadata row (a dict, empty when its
    ``<text>`` has no attribute beyond ``id``) and the name of its file."""
    builder = _core.Builder()
    builder.annotate(attrs, structures)
    ids: list[Any] = []
    seen: dict[Any, str] = {}
    rows: list[dict[str, str]] = []
    sources: list[str] = []

    def take(name: str, tags: list[str | None]) -> None:
        for k, tag in enumerate(tags, 1):
            row = {} if tag is None else _text_attributes(tag, name, k)
            doc_id = row.pop("id", None)
            if doc_id is None:
                doc_id = name if len(tags) == 1 else f"{name}#{k}"
            add_id(ids, seen, doc_id, name)
            rows.append(row)
            sources.append(name)

    _read_files(files, progress, builder.add_vrt, take)
    return builder.finish(), ids, rows, sources


def vrt_names(attrs: Any, structures: Any) -> tuple[list[str], list[str]]:
    """from_vrt's attributes beyond word and its structures, checked."""
    names = []
    for what, given in (("attrs", attrs), ("structures", structures)):
        if (
            isinstance(given, str)
            or not isinstance(given, (list, tuple))
            or not all(isinstance(item, str) for item in given)
        ):
            raise TypeError(f"{what} must be a list of str, not {given!r}")
        repeated = [item for item in given if given.count(item) > 1]
        if repeated:
            raise ValueError(f"{what} names {repeated[0]!r} twice")
        names.append(list(given))
    attrs, structures = names
    if attrs[:1] == ["word"]:
        attrs = attrs[1:]
    if "" in attrs or "word" in attrs:
        raise ValueError(
            "attrs: an empty name, or 'word' past the first column (the "
            "first column is always word)"
        )
    for structure in structures:
        if structure in ("text", "g") or not _XML_NAME.fullmatch(structure):
            raise ValueError(
                f"structures: {structure!r} is not a name an element can have "
                "(text and g are read as documents and glue)"
            )
    return attrs, structures


def _text_attributes(tag: str, name: str, k: int) -> dict[str, str]:
    """The XML attributes of a <text> tag (as the C reader checked them)."""
    row: dict[str, str] = {}
    for match in _XML_ATTRIBUTE.finditer(tag):
        key = match.group(1)
        if key in row:
            raise FormatError(f"{name}: the <text> tag of document {k} gives {key!r} twice")
        value = match.group(2) if match.group(2) is not None else match.group(3)
        row[key] = html.unescape(value)
    return row


def add_id(ids: list[Any], seen: dict[Any, str], doc_id: Any, name: str) -> None:
    """Append a document's id, refusing one given before (``seen``: the
    file name of each id so far)."""
    if doc_id in seen:
        raise FormatError(
            f"{name}: document id {doc_id!r} is also the id of a "
            f"document of {seen[doc_id]}; ids must be distinct"
        )
    seen[doc_id] = name
    ids.append(doc_id)


def listed(paths: PathLike | Iterable[PathLike], include: str | Sequence[str]) -> _files.Files:
    """The files paths name, as from_files lists them; the files a
    directory left out named in a warning at the caller's caller's caller
    (the user's call of from_conllu or from_vrt)."""
    files = _files.expand(paths, include)
    _files.warn_skipped(files, include, stacklevel=4)
    return files


def _read_files(
    files: _files.Files,
    progress: bool,
    add: Callable[[Any], list[Any]],
    take: Callable[[str, list[Any]], None],
) -> None:
    """Read each file with add (a Builder's add_conllu or add_vrt), with a
    progress bar, and give take its name and what add returned;
    FormatError naming the file."""
    sizes = [_files.check_regular(path).st_size for path in files.paths]
    bar = _build.Progress(sum(sizes), bool(progress))
    try:
        for path, name, size in zip(files.paths, files.names, sizes):
            with _mapped(path, size) as data:
                try:
                    added = add(data)
                except FormatError as error:
                    raise FormatError(f"{name}, {error}") from None
            take(name, added)
            bar.advance(size)
    finally:
        bar.close()


def conllu_attrs(attrs: Sequence[str] | None) -> list[str]:
    """The attributes read_conllu keeps: all by default; TypeError or
    ValueError for a list that is not some of them, each once."""
    if attrs is None:
        return list(_core.conllu_attrs)
    if isinstance(attrs, str):
        raise TypeError("attrs must be a list of attribute names, not a single str")
    attrs = list(attrs)
    for attr in attrs:
        if attr not in _core.conllu_attrs:
            raise ValueError(
                f"CoNLL-U gives no attribute {attr!r}; it gives {', '.join(_core.conllu_attrs)}"
            )
    if len(set(attrs)) != len(attrs):
        raise ValueError(f"attrs names an attribute twice: {attrs}")
    return attrs


@contextlib.contextmanager
def _mapped(path: str, size: int) -> Iterator[bytes | mmap.mmap]:
    """The bytes of a regular file, mapped rather than copied (an empty
    file cannot be mapped: b"")."""
    with _files.open_regular(path) as file:
        if size == 0:
            yield b""
            return
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield data


def copy_documents(index: _core.Index, docs: Iterable[int]) -> _core.Index:
    """A new index of documents ``docs`` of an annotated index, each with
    its text, tokens, attribute values and regions, in that order."""
    builder = _core.Builder()
    builder.annotate(list(index.attributes()[1:]), list(index.structures()[1:]))
    for doc in docs:
        builder.add_document_of(index, doc)
    return builder.finish()


def attribute_number(index: Any, attr: str) -> int:
    """The number of an index's attribute by name; ValueError listing the
    attributes it has otherwise."""
    names: tuple[str, ...] = index.attributes()
    if not isinstance(attr, str):
        raise TypeError(f"an attribute is named by a str, not {type(attr).__name__}")
    if attr not in names:
        raise ValueError(f"no attribute {attr!r}: the corpus has {', '.join(names)}")
    return names.index(attr)


def structure_number(index: _core.Index, structure: str) -> int | None:
    """The number of an index's structure by name, or None."""
    names = index.structures()
    return names.index(structure) if structure in names else None


def doc_range(index: _core.Index, doc: int) -> tuple[int, int]:
    """The corpus-wide token positions [start, end) of document number doc."""
    pairs = memoryview(index.structure_regions(0)).cast("I")
    return pairs[2 * doc], pairs[2 * doc + 1]


def doc_values(index: _core.Index, doc: int, attr: str) -> list[str]:
    """The values of attribute ``attr`` of document number doc's tokens."""
    number = attribute_number(index, attr)
    start, end = doc_range(index, doc)
    forms = index.attr_forms(number)
    return [forms[t] for t in memoryview(index.attr_types(number, start, end)).cast("I")]


def doc_regions(index: _core.Index, doc: int, structure: str) -> list[tuple[int, int]]:
    """The regions of ``structure`` in document number doc, as token
    positions within it; ValueError listing the structures otherwise."""
    if not isinstance(structure, str):
        raise TypeError(f"a structure is named by a str, not {type(structure).__name__}")
    number = structure_number(index, structure)
    if number is None:
        raise ValueError(
            f"no structure {structure!r}: the corpus has {', '.join(index.structures())}"
        )
    start, end = doc_range(index, doc)
    pairs = memoryview(index.structure_regions(number)).cast("I")
    starts = pairs[0::2]
    regions = []
    for k in range(bisect.bisect_left(starts, start), len(starts)):
        region_start, region_end = pairs[2 * k], pairs[2 * k + 1]
        # An empty region where two documents meet is the earlier one's
        # only when the earlier one is empty too.
        if region_end > end or (region_start == end and start < end):
            break
        regions.append((region_start - start, region_end - start))
    return regions
