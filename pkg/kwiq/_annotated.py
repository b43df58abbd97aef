"""Annotated corpora: tokens, attributes and structures given by the source.

An annotated corpus has the attribute ``word`` and the source's others
(``corpus.attributes``), and the structure ``text`` (its documents) and the
source's others (``corpus.structures``). Its tokens are the source's, not
kwiq's tokenizer's, and every token counts as a token (punctuation too);
``char_start``/``char_end`` are offsets into ``corpus.text(doc)`` as for
any corpus. The sources are read here; see ``read_conllu`` for CoNLL-U.
"""
from __future__ import annotations

import bisect
import contextlib
import mmap
import os
from typing import Any, Iterable, Optional, Sequence, Union

from kwiq import _build, _core, _files
from kwiq._saved import FormatError

PathLike = Union[str, "os.PathLike[str]"]

CONLLU_INCLUDE = "*.conllu"


def read_conllu(paths: Union[PathLike, Iterable[PathLike]], progress: bool = True,
                include: Union[str, Sequence[str]] = CONLLU_INCLUDE) -> tuple[Any, list]:
    """The index and document ids of CoNLL-U files (Universal Dependencies),
    read in C, a file at a time, with the GIL released.

    Which rows are tokens, and what they hold:

    - Tokens are the syntactic words: the rows whose ID is an integer. A
      multiword token's range row (``4-5 im`` over ``in`` + ``dem``) is not
      a token; each of its words keeps its own form as ``word`` and has the
      character span of the whole surface token, since the text holds "im".
      Empty nodes (``8.1``) are left out.
    - Attributes: ``lemma``, ``upos``, ``xpos``, ``feats``, ``deprel`` and
      ``head``, the columns as written. A column that is exactly ``_`` is
      the empty string, except FORM (``_`` is an underscore token) and the
      LEMMA of an underscore token.
    - The text of a document is rebuilt from the surface forms (a
      multiword token's, or a word's outside one), a space after each
      unless its MISC says ``SpaceAfter=No``, none after a sentence's last
      token, and a line break between sentences: each sentence's line is
      its ``# text``.
    - Structures: ``s``, each sentence; ``p``, paragraphs, each starting at
      a document's first sentence or at a sentence with ``# newpar`` and
      running to the next start (a document without ``# newpar`` is one
      paragraph).
    - Documents: ``# newdoc`` starts one, its id the ``id =`` value; the
      sentences before a file's first ``# newdoc`` (all of a file without
      one) are a document without id. A document without id is named as
      ``from_files`` names its file, followed by ``#k`` (its number in the
      file, from 1) when the file holds more than one document.

    ``paths`` are read as ``Corpus.from_files`` reads them (files,
    directories, globs), a directory's files matching ``include``.
    FormatError ``"FILE, line N: what"`` for malformed input (rows without
    10 tab-separated columns, a bad ID, a multiword token whose range does
    not match the words after it, a last sentence without its closing blank
    line, bytes that are not UTF-8) and for an id given twice; nothing is
    built then.
    """
    files = _files.expand(paths, include)
    _files.warn_skipped(files, include, stacklevel=3)
    sizes = [_files.check_regular(path).st_size for path in files.paths]
    builder = _core.Builder()
    builder.annotate(list(_core.conllu_attrs), list(_core.conllu_structures))
    ids: list = []
    seen: dict = {}
    bar = _build.Progress(sum(sizes), bool(progress))
    try:
        for path, name, size in zip(files.paths, files.names, sizes):
            with _mapped(path, size) as data:
                try:
                    file_ids = builder.add_conllu(data)
                except FormatError as error:
                    raise FormatError(f"{name}, {error}") from None
            for k, doc_id in enumerate(file_ids, 1):
                if doc_id is None:
                    doc_id = name if len(file_ids) == 1 else f"{name}#{k}"
                if doc_id in seen:
                    raise FormatError(f"{name}: document id {doc_id!r} is also the id of a "
                                      f"document of {seen[doc_id]}; ids must be distinct")
                seen[doc_id] = name
                ids.append(doc_id)
            bar.advance(size)
        return builder.finish(), ids
    finally:
        bar.close()


@contextlib.contextmanager
def _mapped(path: str, size: int):
    """The bytes of a regular file, mapped rather than copied (an empty
    file cannot be mapped: b"")."""
    with _files.open_regular(path) as file:
        if size == 0:
            yield b""
            return
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield data


def attribute_number(index: Any, attr: str) -> int:
    """The number of an index's attribute by name; ValueError listing the
    attributes it has otherwise."""
    names = index.attributes()
    if not isinstance(attr, str):
        raise TypeError(f"an attribute is named by a str, not {type(attr).__name__}")
    if attr not in names:
        raise ValueError(f"no attribute {attr!r}: the corpus has {', '.join(names)}")
    return names.index(attr)


def structure_number(index: Any, structure: str) -> Optional[int]:
    """The number of an index's structure by name, or None."""
    names = index.structures()
    return names.index(structure) if structure in names else None


def doc_range(index: Any, doc: int) -> tuple[int, int]:
    """The corpus-wide token positions [start, end) of document number doc."""
    pairs = memoryview(index.structure_regions(0)).cast("I")
    return pairs[2 * doc], pairs[2 * doc + 1]


def doc_values(index: Any, doc: int, attr: str) -> list[str]:
    """The values of attribute ``attr`` of document number doc's tokens."""
    number = attribute_number(index, attr)
    start, end = doc_range(index, doc)
    forms = index.attr_forms(number)
    return [forms[t] for t in memoryview(index.attr_types(number, start, end)).cast("I")]


def doc_regions(index: Any, doc: int, structure: str) -> list[tuple[int, int]]:
    """The regions of ``structure`` in document number doc, as token
    positions within it; ValueError listing the structures otherwise."""
    if not isinstance(structure, str):
        raise TypeError(f"a structure is named by a str, not {type(structure).__name__}")
    number = structure_number(index, structure)
    if number is None:
        raise ValueError(f"no structure {structure!r}: the corpus has "
                         f"{', '.join(index.structures())}")
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
