"""kwiq.dask on the workers: a partition's kwiq.Corpus (a Part), how it is
built, loaded and moved, and the tasks the client runs on it, each sending
back only its result."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Hashable, Iterable
from typing import Any, NamedTuple

from dask.sizeof import sizeof

from kwiq import _annotated, _files, _metadata
from kwiq._analysis import (
    attr_counts,
    attr_of,
    clusters,
    dispersion,
    forms_of,
    freq,
    group_counts,
    hits_of,
    joined,
    libs,
    locate,
    u32,
)
from kwiq._args import query_list
from kwiq._corpus import Corpus as LocalCorpus
from kwiq._corpus import index_view, of_files, of_index
from kwiq._indexview import IndexView

# What a built corpus holds in memory, per byte of its text's UTF-8
# (docs/performance.md: 2.9x at 100 MB), for the scheduler's cost model.
BUILT_BYTES_PER_TEXT_BYTE = 3
# The punctuation tokens a context sort key passes over before it gives
# up, as the core's sort does (KW_MAX_SKIP, csrc/core/kw_core.h).
MAX_SKIP = 256


class Part:
    """One partition's kwiq.Corpus, as a worker keeps it.

    The scheduler moves a result between workers (or spills it to disk)
    by pickling it: a Part pickles as its saved file, or as the path of the
    file it was loaded from, which every worker sees on shared storage (a
    view saves its documents alone, their annotation too: Corpus.save).
    ``nbytes`` is what it holds, so the scheduler knows that moving it costs
    more than running a query where it lies.
    """

    def __init__(
        self, corpus: LocalCorpus, nbytes: int, path: str | None = None, positional: bool = False
    ) -> None:
        self.corpus = corpus
        self.nbytes = nbytes
        self.path = path
        # Ids that are positions in the partition, to renumber as positions
        # in the whole collection once the partitions' lengths are known.
        self.positional = positional

    def __reduce__(self) -> tuple[Any, ...]:
        if self.path is not None:
            return (load_part, (self.path,))
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "part.kwiq")
            self.corpus.save(path)
            with open(path, "rb") as file:
                data = file.read()
        return (_part_of_bytes, (data, self.nbytes))


@sizeof.register(Part)  # type: ignore[untyped-decorator]  # dask's Dispatch is untyped
def _sizeof_part(part: Part) -> int:
    return part.nbytes


def _part_of_bytes(data: bytes, nbytes: int) -> Part:
    with tempfile.NamedTemporaryFile(suffix=".kwiq", delete=False) as file:
        file.write(data)
    try:
        corpus = LocalCorpus.load(file.name)
    finally:
        os.unlink(file.name)  # the mapping outlives the name
    return Part(corpus, nbytes)


def load_part(path: str) -> Part:
    return Part(LocalCorpus.load(path), os.stat(path).st_size, path)


def build_items(items: Iterable[Any], threads: int) -> Part:
    """A partition of a bag: str items (ids: positions, renumbered later)
    or (id, text) pairs."""
    items = list(items)
    if all(isinstance(item, str) for item in items):
        texts, ids, positional = items, None, True
    elif all(isinstance(item, (tuple, list)) and len(item) == 2 for item in items):
        ids = [item[0] for item in items]
        texts = [item[1] for item in items]
        positional = False
    else:
        raise TypeError("bag items must all be str, or all (id, text) pairs")
    return _build_part(texts, ids, threads, positional)


def build_frame(frame: Any, text: str, id: str | None, threads: int) -> Part:
    """A partition of a DataFrame: every column but text and id becomes
    metadata, as kwiq.Corpus.from_pandas makes it."""
    metadata = frame.drop(columns=[c for c in (text, id) if c is not None])
    return _build_part(
        frame[text].tolist(),
        None if id is None else frame[id].tolist(),
        threads,
        id is None,
        metadata,
    )


def _build_part(
    texts: list[str],
    ids: list[Hashable] | None,
    threads: int,
    positional: bool,
    metadata: Any = None,
) -> Part:
    try:
        corpus = LocalCorpus(texts, ids, metadata, threads=threads)
    except (TypeError, UnicodeEncodeError) as error:
        # The client renumbers the document, whose ids are then its
        # place in the whole collection too.
        error.positional = positional  # type: ignore[union-attr]  # kwiq's own attribute
        raise
    size = sum(len(text) for text in texts)
    return Part(corpus, size * BUILT_BYTES_PER_TEXT_BYTE, positional=positional)


def build_files(
    files: list[str], ids: list[Hashable], encoding: str, errors: str, threads: int, metadata: Any
) -> Part:
    corpus = of_files(LocalCorpus, files, files, encoding, errors, ids, threads, False, metadata)
    size = sum(os.stat(path).st_size for path in files)
    return Part(corpus, size * BUILT_BYTES_PER_TEXT_BYTE)


class Documents(NamedTuple):
    """What the client needs of a partition read from annotated files to
    make one corpus of them: each document's id, the name of its file and
    its metadata row (a dict; VRT's <text> attributes)."""

    ids: list[Any]
    sources: list[str]
    rows: list[dict[str, str]]


def build_conllu(paths: list[str], names: list[str], attrs: list[str]) -> tuple[Part, Documents]:
    """A partition of CoNLL-U files, as Corpus.from_conllu reads them
    (``attrs`` checked), and its Documents (no metadata)."""
    index, ids, sources = _annotated.conllu_files(_files.Files(paths, names, []), attrs, False)
    return _annotated_part(index, ids, paths), Documents(ids, sources, [{} for _ in ids])


def build_vrt(
    paths: list[str], names: list[str], attrs: list[str], structures: list[str]
) -> tuple[Part, Documents]:
    """A partition of VRT files, as Corpus.from_vrt reads them (names
    checked), without metadata yet: the client makes it of every
    partition's rows, as one corpus makes it of all of them."""
    index, ids, rows, sources = _annotated.vrt_files(
        _files.Files(paths, names, []), attrs, structures, False
    )
    return _annotated_part(index, ids, paths), Documents(ids, sources, rows)


def _annotated_part(index: Any, ids: list[Any], paths: list[str]) -> Part:
    # The index holds the text, the tokens and each attribute's types:
    # about what the source files hold, whose size stands for it.
    return Part(
        of_index(LocalCorpus, index, ids, None), sum(os.stat(path).st_size for path in paths)
    )


def with_metadata(part: Part, metadata: Any) -> Part:
    """The partition with ``metadata`` (a frame, a row per document)."""
    built = index_view(part.corpus)
    corpus = of_index(
        LocalCorpus, built.index, list(built.ids), _metadata.check(metadata, part.corpus.n_docs)
    )
    return Part(corpus, part.nbytes)


class Summary(NamedTuple):
    """What the client keeps of a partition."""

    n_docs: int
    n_tokens: int
    ids: list[Hashable]
    positional: bool  # Part.positional
    meta_columns: Any  # the metadata's columns (a frame of no rows), or None
    attributes: tuple[str, ...]  # Corpus.attributes
    structures: tuple[str, ...]  # Corpus.structures


def summary(part: Part) -> Summary:
    corpus = part.corpus
    metadata = index_view(corpus).metadata
    columns = None if metadata is None else metadata.iloc[:0]
    return Summary(
        corpus.n_docs,
        corpus.n_tokens,
        list(corpus.ids),
        part.positional,
        columns,
        corpus.attributes,
        corpus.structures,
    )


def metadata_part(part: Part) -> Any:
    return part.corpus.metadata


def renumbered(part: Part, first: int) -> Part:
    """The partition with ids first, first + 1, ...: a bag's or a
    DataFrame's position in the whole collection."""
    built = index_view(part.corpus)
    # A corpus of its own (not a copy), so that nothing it shares with the
    # built one, such as the document number of each id, keeps the old ids.
    corpus = of_index(
        LocalCorpus, built.index, list(range(first, first + part.corpus.n_docs)), built.metadata
    )
    return Part(corpus, part.nbytes)


def view_part(part: Part, how: str, chosen: Any) -> Part:
    """A view of the partition: ``where(**chosen)`` or ``subset(chosen)``.
    It pickles as the saved file of its own documents, never by the path
    the whole partition was loaded from."""
    corpus = part.corpus.where(**chosen) if how == "where" else part.corpus.subset(chosen)
    return Part(corpus, part.nbytes)


def text(part: Part, doc: Hashable) -> str:
    return part.corpus.text(doc)


def save_part(part: Part, path: str) -> None:
    part.corpus.save(path)


def kwic_part(
    part: Part,
    query: Any,
    window: Any,
    case: bool | None,
    width: int | None,
    bound: str | None,
    names: list[str],
    show: tuple[str, ...],
    syntax: str,
    strategy: str,
    meta: Any,
) -> Any:
    conc = part.corpus.kwic(
        query,
        window,
        case,
        width=width,
        bound=bound,
        meta=names or None,
        show=show or None,
        syntax=syntax,
        strategy=strategy,
    )
    return conc.to_pandas().astype(meta.dtypes.to_dict())


def count_part(part: Part, query: Any, case: bool, strategy: int | None) -> int:
    return len(index_view(part.corpus).find(query_list(query), case, strategy))


def sort_values(
    part: Part, query: Any, case: bool, strategy: int | None, specs: list[tuple[str, str]]
) -> Any:
    """A DataFrame of what the sort keys (``specs``: (name, attribute)
    pairs, as kwiq._concordance.sort_key_specs gives them) compare for each
    line of the query's concordance in this partition, as the core's sort
    (csrc/core/kw_sort.c) ranks them, in values that compare the same way
    across partitions: for a context key, "" where the document has no such
    word (it sorts first) and otherwise NUL then the word's case-folded form
    or the attribute's value; for the match, each token's form or value
    followed by NUL (which orders them as their tuple would); the document
    number; and document << 32 | position. Columns k0, k1, ... in the
    order of specs."""
    np, pd = libs()
    view = index_view(part.corpus)
    index = view.index
    hits = view.find(query_list(query), case, strategy)
    positions, lengths, _ = (u32(np, array).astype(np.int64) for array in hits.arrays())
    docs, starts = index.locate(hits)
    docs = np.frombuffer(docs, dtype=np.uint64).astype(np.int64)
    starts = np.frombuffer(starts, dtype=np.uint32).astype(np.int64)
    doc_first = positions - starts
    doc_end = doc_first + u32(np, index.doc_lengths()).astype(np.int64)[docs]
    words = (
        np.flatnonzero(
            np.frombuffer(view.vocabulary().surface_is_word, dtype=np.uint8)[
                u32(np, index.attr_types(0, 0, index.n_tokens))
            ]
        )
        if len(positions)
        else positions
    )
    columns: dict[str, Any] = {}
    for k, (name, attr) in enumerate(specs):
        if name == "doc":
            columns[f"k{k}"] = _in_order(view, docs)
        elif name == "position":
            columns[f"k{k}"] = (_in_order(view, docs) << 32) | starts
        else:
            value = _token_values(np, view, attr)
            if name == "match":
                column = [
                    "".join(value(p) + "\x00" for p in range(start, start + length))
                    for start, length in zip(positions.tolist(), lengths.tolist())
                ]
            else:
                nth = int(name[1:])
                at = _context_word(
                    np, words, positions, lengths, doc_first, doc_end, name[0] == "l", nth
                )
                column = ["" if p < 0 else "\x00" + value(p) for p in at.tolist()]
            columns[f"k{k}"] = pd.Series(column, dtype=object)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(positions)))


def _token_values(np: Any, view: IndexView, attr: str) -> Callable[[int], str]:
    """value(p): what a sort key on ``attr`` compares of the token at
    corpus-wide position p: the case-folded word, or the attribute's value."""
    index = view.index
    if attr == "word":
        vocabulary = view.vocabulary()
        folded, group_of = vocabulary.folded, vocabulary.group_of
        types = u32(np, index.attr_types(0, 0, index.n_tokens))
        return lambda p: folded[group_of[types[p]]]
    number = attr_of(view, attr)
    forms = forms_of(view, number)
    values = u32(np, index.attr_types(number, 0, index.n_tokens))
    return lambda p: forms[values[p]]


def _context_word(
    np: Any,
    words: Any,
    positions: Any,
    lengths: Any,
    doc_first: Any,
    doc_end: Any,
    left: bool,
    nth: int,
) -> Any:
    """The corpus-wide position of each hit's ``nth`` word left (or right)
    of it in its document, or -1 where the document's edge, or more than
    MAX_SKIP punctuation tokens, come first (``words``: the positions of
    the word tokens, in order)."""
    if left:
        k = np.searchsorted(words, positions) - nth
        found = k >= 0
        at = words[np.clip(k, 0, max(len(words) - 1, 0))] if len(words) else positions
        found &= (at >= doc_first) & ((positions - 1 - at) - (nth - 1) <= MAX_SKIP)
    else:
        after = positions + lengths
        k = np.searchsorted(words, after) + nth - 1
        found = k < len(words)
        at = words[np.clip(k, 0, max(len(words) - 1, 0))] if len(words) else positions
        found &= (at < doc_end) & ((at - after) - (nth - 1) <= MAX_SKIP)
    return np.where(found, at, -1)


def freq_part(part: Part, case: bool, punctuation: bool, attr: str) -> Any:
    """This partition's whole frequency list: its words' (or ``attr``'s
    values') tokens and documents."""
    return freq(index_view(part.corpus), case, 1, punctuation, attr)[[attr, "count", "docs"]]


def ngrams_part(part: Part, n: int, attr: str) -> Any:
    np, pd = libs()
    view = index_view(part.corpus)
    number = attr_of(view, attr)
    ids, counts, docs, _ = view.index.ngrams(n, 1, view.mask, number)
    ids = u32(np, ids).reshape(-1, n)
    return pd.DataFrame(
        {
            "ngram": joined(np, forms_of(view, number), ids),
            "count": u32(np, counts).astype(np.int64),
            "docs": u32(np, docs).astype(np.int64),
        }
    )


def clusters_part(
    part: Part, query: Any, n: int, side: str, case: bool, strategy: int | None, attr: str
) -> Any:
    return clusters(
        index_view(part.corpus), query, n, side, case=case, strategy=strategy, attr=attr
    )


def dispersion_part(part: Part, query: Any, case: bool, strategy: int | None) -> Any:
    return dispersion(index_view(part.corpus), query, case=case, strategy=strategy)


def _in_order(view: IndexView, docs: Any) -> Any:
    """Document numbers of the index as places in the corpus or view (the
    numbers themselves for a whole corpus)."""
    if view.docs is None:
        return docs
    np, _ = libs()
    place = np.zeros(view.index.n_docs, dtype=np.int64)
    place[view.docs] = np.arange(len(view.docs))
    return place[docs]


def locate_part(
    part: Part, queries: list[str], case: bool, strategy: int | None
) -> list[tuple[Any, Any, Any]]:
    """Each query's matches as kwiq._analysis.locate gives them, documents
    numbered by their place in the partition (a view's included)."""
    view = index_view(part.corpus)
    located = []
    for query in queries:
        docs, starts, lengths = locate(view, query, case, strategy)
        located.append((_in_order(view, docs), starts, lengths[view.doc_numbers()]))
    return located


def collocates_part(
    part: Part,
    query: Any,
    case: bool,
    strategy: int | None,
    left: int,
    right: int,
    windows: bool,
    attr: str,
) -> tuple[Any, int, int, int]:
    """The words (or ``attr``'s values) in this partition's windows with
    their tokens there, R1, the matches and the word tokens (windows never
    leave a document, so each of these adds up over partitions)."""
    np, pd = libs()
    view = index_view(part.corpus)
    number = attr_of(view, attr)
    hits = hits_of(view, query, case, strategy)
    ids, counts, _, r1 = view.index.collocates(hits, left, right, windows, number)
    forms = forms_of(view, number)
    frame = pd.DataFrame(
        {
            "word": [forms[i] for i in u32(np, ids).tolist()],
            "observed": u32(np, counts).astype(np.int64),
        }
    )
    if number:
        n_words = attr_counts(view, number, False)[2]
    else:
        is_word = np.frombuffer(view.vocabulary().folded_is_word, dtype=np.uint8)
        n_words = int(group_counts(view)[is_word.astype(bool)].sum(dtype=np.uint64))
    return frame, int(r1), len(hits), int(n_words)


def group_counts_part(part: Part, words: list[str], attr: str) -> Any:
    """The word tokens of each case-folded word (or value of ``attr``) in
    this partition (0 if none)."""
    np, _ = libs()
    view = index_view(part.corpus)
    number = attr_of(view, attr)
    counts = attr_counts(view, number, False)[0] if number else group_counts(view)
    place = {form: i for i, form in enumerate(forms_of(view, number))}
    return np.array([counts[place[w]] if w in place else 0 for w in words], dtype=np.int64)
