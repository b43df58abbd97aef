"""Types of kwiq._core, the CPython binding of csrc/python/ (its docstrings
say what each function does; kwiq_objects.h how the binding is laid out).

Every argument of a method is positional-only, as the C functions parse
them (METH_O, METH_VARARGS); Builder() alone takes keywords. "bytes of
native uint32" results are read with numpy.frombuffer by pkg/kwiq.
tests/test_typing.py checks that this stub and the module name the same
things."""

from collections.abc import Hashable, Sequence
from typing import Any, Final, Protocol, TypeAlias, final, overload

from typing_extensions import Buffer

from kwiq._concordance import Line

# (ids, counts, docs, total) of a count: bytes of native uint32 (ids `width`
# to a row), the documents of each row, and the tokens counted; collocates
# counts no documents (None).
_Table: TypeAlias = tuple[bytes, bytes, bytes, int]
_WindowTable: TypeAlias = tuple[bytes, bytes, None, int]

# A slot of Index.match: (SLOT_FORM, form), (SLOT_TYPES, ids),
# (SLOT_GROUPS, ids) or (SLOT_ANY_WORD,), ids a buffer of uint32.
_Slot: TypeAlias = tuple[int] | tuple[int, str | Buffer]

# A sort key of Hits.sort: (by, word) or (by, word, attr).
_SortKey: TypeAlias = tuple[int, int] | tuple[int, int, int]

# A (forms, index) column of Builder.add_annotated: distinct forms and a
# buffer of native uint32 naming each token's (a numpy array, which is a
# Buffer to type checkers only from Python 3.12 on).
_Column: TypeAlias = tuple[Sequence[str], Any]

class _BinaryWriter(Protocol):
    def write(self, data: memoryview, /) -> object: ...

class FormatError(ValueError): ...

@final
class Builder:
    def __new__(cls, text_bytes: int = 0, tokens: int = 0) -> Builder: ...
    @property
    def n_docs(self) -> int: ...
    def add(self, docs: list[str] | list[bytes] | list[str | bytes], /) -> None: ...
    def append(self, other: Builder, threads: int = 1, /) -> None: ...
    def finish(self, threads: int = 1, /) -> Index: ...
    def interrupt(self) -> None: ...
    def annotate(self, attrs: list[str], structures: list[str], /) -> None: ...
    def add_conllu(self, data: Buffer, attrs: list[str], /) -> list[str | None]: ...
    def add_vrt(self, data: Buffer, /) -> list[str | None]: ...
    def add_annotated(
        self,
        text: str,
        starts: Buffer,
        ends: Buffer,
        words: _Column,
        values: list[_Column],
        regions: Buffer,
        /,
    ) -> None: ...
    def add_document_of(self, index: Index, doc: int, /) -> None: ...

@final
class Index:
    @property
    def n_docs(self) -> int: ...
    @property
    def n_tokens(self) -> int: ...
    @property
    def n_types(self) -> int: ...
    @property
    def n_groups(self) -> int: ...
    def match(self, slots: list[_Slot], exact: bool, /) -> Hits: ...
    def vocabulary(self, folded: bool, /) -> tuple[list[str], bytes]: ...
    def group_of(self) -> bytes: ...
    def doc_text(self, doc: int, /) -> str: ...
    def freq(
        self, by_type: bool, mask: Buffer | None = None, attr: int = 0, words_only: bool = False, /
    ) -> _Table: ...
    def ngrams(
        self, n: int, min_count: int, mask: Buffer | None = None, attr: int = 0, /
    ) -> _Table: ...
    def hits_in_docs(self, hits: Hits, mask: Buffer, /) -> Hits: ...
    def hits_from(self, positions: Buffer, lengths: Buffer, queries: Buffer, /) -> Hits: ...
    def clusters(
        self, hits: Hits, n: int, left: bool, min_count: int, attr: int = 0, /
    ) -> _Table: ...
    def collocates(
        self, hits: Hits, left: int, right: int, each_window: bool = False, attr: int = 0, /
    ) -> _WindowTable: ...
    def group_counts(self) -> bytes: ...
    def group_ranks(self) -> bytes: ...
    def attr_ranks(self, attr: int, /) -> bytes: ...
    def doc_lengths(self) -> bytes: ...
    def locate(self, hits: Hits, /) -> tuple[bytes, bytes]: ...
    def save(self, file: _BinaryWriter, blob: Buffer, /) -> None: ...
    def annotated(self) -> bool: ...
    def add_type_attr(self, name: str, values: list[str], /) -> None: ...
    def attributes(self) -> tuple[str, ...]: ...
    def structures(self) -> tuple[str, ...]: ...
    def attr_forms(self, attr: int, /) -> list[str]: ...
    def attr_types(self, attr: int, start: int, stop: int, /) -> bytes: ...
    def structure_regions(self, structure: int, /) -> bytes: ...

@final
class Hits:
    def __len__(self) -> int: ...
    def arrays(self) -> tuple[bytes, bytes, bytes]: ...
    def query_numbers(self, start: int, stop: int, /) -> list[int]: ...
    def lines(
        self,
        start: int,
        stop: int,
        left: int,
        right: int,
        ids: Sequence[Hashable] | None,
        width: int = 0,
        bound: int = 0,
        /,
    ) -> list[Line]: ...
    # doc, start, end, left, match, right, char_start, char_end, query
    def columns(
        self,
        left: int,
        right: int,
        ids: Sequence[Hashable] | None,
        width: int = 0,
        bound: int = 0,
        /,
    ) -> tuple[
        list[Hashable],
        list[int],
        list[int],
        list[str],
        list[str],
        list[str],
        list[int],
        list[int],
        list[int],
    ]: ...
    # doc ids; start, end, char_start, char_end (int64), query (uint32); then
    # the offsets (int64) and UTF-8 text of left, match and right
    def frame_columns(
        self,
        left: int,
        right: int,
        ids: Sequence[Hashable] | None,
        width: int = 0,
        bound: int = 0,
        /,
    ) -> tuple[
        list[Hashable], bytes, bytes, bytes, bytes, bytes, bytes, bytes, bytes, bytes, bytes, bytes
    ]: ...
    def sort(self, keys: Sequence[_SortKey], /) -> Hits: ...
    @overload
    def tagged(
        self, start: int, stop: int, attrs: Sequence[int], context: None = None, /
    ) -> list[str]: ...
    @overload
    def tagged(
        self, start: int, stop: int, attrs: Sequence[int], context: tuple[int, int, int, int], /
    ) -> tuple[list[str], list[str], list[str]]: ...
    def take(self, start: int, step: int, n: int, /) -> Hits: ...
    def select(self, order: Buffer, /) -> Hits: ...
    def where(self, mask: Buffer, /) -> Hits: ...
    def near(self, other: Hits, left: int, right: int, mask: Buffer, /) -> None: ...
    def n_docs(self) -> int: ...

def load(buffer: Buffer, /) -> tuple[Index, bytes]: ...
def merge(hits_list: list[Hits], /) -> Hits: ...
def tokenize(text: str, /) -> list[tuple[int, int, bool]]: ...
def casefold(text: str, /) -> str: ...
def upper_mask(text: str, /) -> bytes: ...
def set_line_type(cls: type[tuple[Any, ...]], /) -> None: ...
def cql_find(
    index: Index,
    code: Buffer,
    tests: list[tuple[int, Buffer, bool]],
    bools: Buffer,
    cond_start: Buffer,
    hints: list[tuple[Buffer, int, int]],
    within: int,
    n_strict: int,
    strategy: int,
    threads: int,
    /,
) -> Hits: ...

conllu_attrs: tuple[str, ...]
conllu_structures: tuple[str, ...]

SLOT_FORM: Final[int]
SLOT_TYPES: Final[int]
SLOT_GROUPS: Final[int]
SLOT_ANY_WORD: Final[int]
BOUND_NONE: Final[int]
BOUND_SENTENCE: Final[int]
BOUND_PARAGRAPH: Final[int]
SORT_LEFT: Final[int]
SORT_RIGHT: Final[int]
SORT_MATCH: Final[int]
SORT_DOC: Final[int]
SORT_POSITION: Final[int]

CQL_TOKEN: Final[int]
CQL_SPLIT: Final[int]
CQL_JUMP: Final[int]
CQL_OPEN: Final[int]
CQL_CLOSE: Final[int]
CQL_MATCH: Final[int]
CQL_TEST: Final[int]
CQL_AND: Final[int]
CQL_OR: Final[int]
CQL_LONGEST: Final[int]
CQL_SHORTEST: Final[int]
CQL_ALL: Final[int]
CQL_ANY: Final[int]
CQL_MAX_STRICT: Final[int]
CQL_MAX_DEPTH: Final[int]
CQL_MAX_STEPS: Final[int]
