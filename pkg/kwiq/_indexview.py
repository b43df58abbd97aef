"""IndexView: what a Corpus is over the core's index, read by the Corpus
itself, by its counts and statistics (kwiq._analysis) and by kwiq.dask's
partitions, none of which reads another's fields."""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from kwiq import _core, _saved
from kwiq._cql import Programs
from kwiq._query import Slot, SlotCache, Vocabulary, parse, slot_bytes
from kwiq._saved import FormatError

# Where an index comes from, which is how it travels (IndexView.__reduce__):
# ("file", absolute path, the file's checksum, whether it is mapped) for a
# loaded one, None for a built one, which travels as its saved bytes.
Source = tuple[str, str, int, bool] | None


class Shared:
    """What a corpus and its views share: the index's vocabulary, fetched
    once (and each other attribute's, as asked), the document number of
    each id, the slots of recent queries (kwiq._query.SlotCache), and where
    the index comes from."""

    def __init__(self, ids: list[Hashable], source: Source = None) -> None:
        self.ids = ids
        self.source = source
        self.vocabulary: Vocabulary | None = None
        self.position_of: dict[Hashable, int] | None = None
        self.slots = SlotCache()
        self.programs: Programs | None = None
        self.attr_forms: dict[int, list[str]] = {}

    def position(self, doc: Hashable) -> int:
        if self.position_of is None:
            self.position_of = {doc_id: i for i, doc_id in enumerate(self.ids)}
        try:
            return self.position_of[doc]
        except (KeyError, TypeError):
            raise KeyError(f"no document with id {doc!r}") from None


@dataclass(frozen=True)
class IndexView:
    """A corpus, or a view of some of its documents (Corpus.subset,
    Corpus.where), over the whole corpus's index: made once per Corpus,
    never changed (its caches fill as they are asked).

    ``ids`` and ``metadata`` (a DataFrame, or None) hold every document of
    the index by number; ``docs`` and ``mask`` choose a view's documents
    (its numbers, and a byte per document of the index), both None for a
    whole corpus. ``shared`` is shared by a corpus and its views;
    ``freq_cache`` is this corpus's or view's own (kwiq._analysis.freq).
    """

    index: _core.Index
    ids: list[Hashable]
    metadata: Any
    docs: list[int] | None
    mask: bytes | None
    shared: Shared
    # keys: kwiq._analysis's, each with the counts it keeps
    freq_cache: dict[Any, Any]

    @classmethod
    def whole(
        cls, index: _core.Index, ids: list[Hashable], metadata: Any, source: Source = None
    ) -> IndexView:
        """Every document of the index."""
        return cls(index, ids, metadata, None, None, Shared(ids, source), {})

    def __reduce__(self) -> tuple[Any, ...]:
        """A view pickles as its whole corpus and its documents: a loaded
        index as a reference to its file (checked by its checksum when
        unpickled), a built one as the bytes ``save`` would write; the ids
        and metadata as Python objects. Its caches are made anew."""
        source = self.shared.source or ("bytes", _saved.to_bytes(self.index))
        return (travelled, (source, self.ids, self.metadata, self.docs))

    def of_docs(self, docs: list[int]) -> IndexView:
        """The view of the documents numbered ``docs`` (sorted)."""
        mask = bytearray(self.index.n_docs)
        for d in docs:
            mask[d] = 1
        return dataclasses.replace(self, docs=docs, mask=bytes(mask), freq_cache={})

    def doc_numbers(self) -> list[int]:
        return list(range(self.index.n_docs)) if self.docs is None else self.docs

    def vocabulary(self) -> Vocabulary:
        """The index's forms, fetched once and shared with glob and regex queries."""
        if self.shared.vocabulary is None:
            self.shared.vocabulary = Vocabulary(self.index)
        return self.shared.vocabulary

    def hits(self, queries: list[str], case: bool) -> _core.Hits:
        """The hits of queries (checked, as kwiq._args.query_list gives
        them), merged, in this corpus's or view's documents."""
        return self._merged([self._match(q, case) for q in queries])

    def cql_hits(self, queries: list[str], strategy: int) -> _core.Hits:
        """The hits of CQL queries (kwiq._cql) under a strategy code, as
        ``hits`` gives those of plain ones."""
        if self.shared.programs is None:
            self.shared.programs = Programs(self.index)
        return self._merged([self.shared.programs.hits(q, strategy) for q in queries])

    def find(self, queries: list[str], case: bool, strategy: int | None) -> _core.Hits:
        """``cql_hits`` for a strategy code, else ``hits`` (as
        kwiq._cql.query_options gives them)."""
        return self.hits(queries, case) if strategy is None else self.cql_hits(queries, strategy)

    def _merged(self, hits: list[_core.Hits]) -> _core.Hits:
        """The hits of several queries in one list, in this view's documents."""
        merged = hits[0] if len(hits) == 1 else _core.merge(hits)
        if self.mask is not None:
            merged = self.index.hits_in_docs(merged, self.mask)
        return merged

    def _match(self, query: str, case: bool) -> _core.Hits:
        slots = self.shared.slots.get((query, case))
        if slots is None:
            slots = self._slots(query, case)
            self.shared.slots.put((query, case), slots, slot_bytes(query, slots))
        return self.index.match(slots, case)

    def _slots(self, query: str, case: bool) -> list[Slot]:
        patterns = parse(query)
        if any(p.kind in ("glob", "regex") for p in patterns):
            self.vocabulary()
        vocabulary = self.shared.vocabulary
        if vocabulary is None:
            return [
                (_core.SLOT_FORM, p.text) if p.kind == "literal" else (_core.SLOT_ANY_WORD,)
                for p in patterns
            ]
        return [vocabulary.slot(p, case, query) for p in patterns]


def travelled(
    source: tuple[Any, ...], ids: list[Hashable], metadata: Any, docs: list[int] | None
) -> IndexView:
    """The IndexView that IndexView.__reduce__ sent; FormatError when the
    file of a loaded index has changed since (or is not a saved corpus)."""
    if source[0] == "bytes":
        view = IndexView.whole(_saved.of_bytes(source[1]), ids, metadata)
    else:
        _, path, checksum, mapped = source
        index, _, found = _saved.read(path, mapped)
        if found != checksum:
            raise FormatError(
                f"{path}: the file has changed since the corpus loaded from it "
                f"was pickled (checksum {found:016x}, not {checksum:016x}); "
                "load it again"
            )
        view = IndexView.whole(index, ids, metadata, source)
    return view if docs is None else view.of_docs(docs)
