"""kwiq.dask on the workers: a partition's kwiq.Corpus (a Part), how it is
built, loaded and moved, and the tasks the client runs on it, each sending
back only its result."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Hashable, Iterable
from typing import Any, NamedTuple

from dask.sizeof import sizeof

from kwiq import _core
from kwiq._analysis import (clusters, counted_forms, dispersion, group_counts, hits_of, joined,
                            libs, locate, u32)
from kwiq._args import query_list
from kwiq._concordance import Concordance
from kwiq._corpus import Corpus as LocalCorpus
from kwiq._corpus import index_view, of_files, of_index
from kwiq._indexview import IndexView

# What a built corpus holds in memory, per byte of its text's UTF-8
# (docs/performance.md: 2.9x at 100 MB), for the scheduler's cost model.
BUILT_BYTES_PER_TEXT_BYTE = 3


class Part:
    """One partition's kwiq.Corpus, as a worker keeps it.

    The scheduler moves a result between workers (or spills it to disk)
    by pickling it: a Part pickles as its saved file, or as the path of the
    file it was loaded from, which every worker sees on shared storage.
    ``nbytes`` is what it holds, so the scheduler knows that moving it costs
    more than running a query where it lies.
    """

    def __init__(self, corpus: LocalCorpus, nbytes: int, path: str | None = None,
                 positional: bool = False) -> None:
        self.corpus = corpus
        self.nbytes = nbytes
        self.path = path
        # Ids that are positions in the partition, to renumber as positions
        # in the whole collection once the partitions' lengths are known.
        self.positional = positional

    def __reduce__(self) -> tuple[Callable[..., Part], tuple[Any, ...]]:
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
    return _build_part(frame[text].tolist(), None if id is None else frame[id].tolist(), threads,
                       id is None, metadata)


def _build_part(texts: list[str], ids: list[Hashable] | None, threads: int, positional: bool,
                metadata: Any = None) -> Part:
    try:
        corpus = LocalCorpus(texts, ids, metadata, threads=threads)
    except (TypeError, UnicodeEncodeError) as error:
        # The client renumbers the document, whose ids are then its
        # place in the whole collection too.
        error.positional = positional  # type: ignore[union-attr]  # kwiq's own attribute
        raise
    size = sum(len(text) for text in texts)
    return Part(corpus, size * BUILT_BYTES_PER_TEXT_BYTE, positional=positional)


def build_files(files: list[str], ids: list[Hashable], encoding: str, errors: str,
                threads: int, metadata: Any) -> Part:
    corpus = of_files(LocalCorpus, files, files, encoding, errors, ids, threads, False,
                      metadata)
    size = sum(os.stat(path).st_size for path in files)
    return Part(corpus, size * BUILT_BYTES_PER_TEXT_BYTE)


class Summary(NamedTuple):
    """What the client keeps of a partition."""
    n_docs: int
    n_tokens: int
    ids: list[Hashable]
    positional: bool  # Part.positional
    meta_columns: Any  # the metadata's columns (a frame of no rows), or None


def summary(part: Part) -> Summary:
    corpus = part.corpus
    metadata = index_view(corpus).metadata
    columns = None if metadata is None else metadata.iloc[:0]
    return Summary(corpus.n_docs, corpus.n_tokens, list(corpus.ids), part.positional, columns)


def metadata_part(part: Part) -> Any:
    return part.corpus.metadata


def renumbered(part: Part, first: int) -> Part:
    """The partition with ids first, first + 1, ...: a bag's or a
    DataFrame's position in the whole collection."""
    built = index_view(part.corpus)
    # A corpus of its own (not a copy), so that nothing it shares with the
    # built one, such as the document number of each id, keeps the old ids.
    corpus = of_index(LocalCorpus, built.index, list(range(first, first + part.corpus.n_docs)),
                      built.metadata)
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


def kwic_part(part: Part, query: Any, window: Any, case: bool, width: int | None,
              bound: str | None, names: list[str], meta: Any) -> Any:
    conc = part.corpus.kwic(query, window, case, width=width, bound=bound, meta=names or None)
    return conc.to_pandas().astype(meta.dtypes.to_dict())


def count_part(part: Part, query: Any, case: bool) -> int:
    return len(part.corpus.kwic(query, window=0, case=case))


def sort_values(part: Part, query: Any, case: bool, names: list[str]) -> Any:
    """A DataFrame of what the sort keys compare for each line of the
    query's concordance in this partition, as the C sort ranks them: the
    case-folded word at L5 .. R5 ("" where the document has none: it sorts
    first), the folded match tokens joined by NUL (which orders them as
    their tuple would), the document number, and document << 32 | position.
    Columns k0, k1, ... in the order of names."""
    np, pd = libs()
    view = index_view(part.corpus)
    left = max((int(n[1:]) for n in names if n[0] == "l"), default=0)
    right = max((int(n[1:]) for n in names if n[0] == "r"), default=0)
    queries = query_list(query)
    hits = view.hits(queries, case)
    # The lines as kwic(query, window=(left, right), case=case) lays them out.
    conc = Concordance(hits, view, query=query, queries=queries, window=(left, right),
                       case=case, width=None, bound=None,
                       context=(left, right, 0, _core.BOUND_NONE))
    docs, starts = view.index.locate(hits)
    docs = _in_order(view, np.frombuffer(docs, dtype=np.uint64).astype(np.int64))
    starts = np.frombuffer(starts, dtype=np.uint32).astype(np.int64)
    fold, tokenize = _core.casefold, _core.tokenize

    def words(text: str) -> list[str]:
        return [fold(text[b:e]) for b, e, is_word in tokenize(text) if is_word]

    text_columns: dict[int, list[str]] = {k: [] for k, name in enumerate(names)
                                     if name not in ("doc", "position")}
    for line in (conc if text_columns else ()):
        before = words(line.left)[::-1]
        after = words(line.right)
        for k, column in text_columns.items():
            name = names[k]
            if name == "match":
                column.append("\x00".join(fold(line.match[b:e])
                                        for b, e, _ in tokenize(line.match)))
            else:
                side, n = (before if name[0] == "l" else after), int(name[1:])
                column.append(side[n - 1] if n <= len(side) else "")
    columns = {}
    for k, name in enumerate(names):
        if name == "doc":
            columns[f"k{k}"] = docs
        elif name == "position":
            columns[f"k{k}"] = (docs << 32) | starts
        else:
            columns[f"k{k}"] = pd.Series(text_columns[k], dtype=object)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(docs)))


def freq_part(part: Part, case: bool, punctuation: bool) -> Any:
    np, pd = libs()
    forms, counts, docs, counted = counted_forms(np, index_view(part.corpus), case, punctuation)
    rows = np.flatnonzero(counted & (counts > 0))
    return pd.DataFrame({"word": [forms[i] for i in rows.tolist()],
                         "count": counts[rows].astype(np.int64),
                         "docs": docs[rows].astype(np.int64)})


def ngrams_part(part: Part, n: int) -> Any:
    np, pd = libs()
    view = index_view(part.corpus)
    ids, counts, docs, _ = view.index.ngrams(n, 1, view.mask)
    ids = u32(np, ids).reshape(-1, n)
    return pd.DataFrame({
        "ngram": joined(np, view.vocabulary().folded, ids),
        "count": u32(np, counts).astype(np.int64),
        "docs": u32(np, docs).astype(np.int64),
    })


def clusters_part(part: Part, query: Any, n: int, side: str, case: bool) -> Any:
    return clusters(index_view(part.corpus), query, n, side, case=case)


def dispersion_part(part: Part, query: Any, case: bool) -> Any:
    return dispersion(index_view(part.corpus), query, case=case)


def _in_order(view: IndexView, docs: Any) -> Any:
    """Document numbers of the index as places in the corpus or view (the
    numbers themselves for a whole corpus)."""
    if view.docs is None:
        return docs
    np, _ = libs()
    place = np.zeros(view.index.n_docs, dtype=np.int64)
    place[view.docs] = np.arange(len(view.docs))
    return place[docs]


def locate_part(part: Part, queries: list[str], case: bool) -> list[tuple[Any, Any, Any]]:
    """Each query's matches as kwiq._analysis.locate gives them, documents
    numbered by their place in the partition (a view's included)."""
    view = index_view(part.corpus)
    located = []
    for query in queries:
        docs, starts, lengths = locate(view, query, case)
        located.append((_in_order(view, docs), starts, lengths[view.doc_numbers()]))
    return located


def collocates_part(part: Part, query: Any, case: bool, left: int, right: int,
                    windows: bool) -> tuple[Any, int, int, int]:
    """The words in this partition's windows with their tokens there, R1,
    the matches and the word tokens (windows never leave a document, so
    each of these adds up over partitions)."""
    np, pd = libs()
    view = index_view(part.corpus)
    hits = hits_of(view, query, case)
    ids, counts, _, r1 = view.index.collocates(hits, left, right, windows)
    ids = u32(np, ids)
    vocabulary = view.vocabulary()
    frame = pd.DataFrame({"word": [vocabulary.folded[i] for i in ids.tolist()],
                          "observed": u32(np, counts).astype(np.int64)})
    return frame, int(r1), len(hits), _word_tokens(np, view)


def _word_tokens(np: Any, view: IndexView) -> int:
    is_word = np.frombuffer(view.vocabulary().folded_is_word, dtype=np.uint8)
    return int(group_counts(view)[is_word.astype(bool)].sum(dtype=np.uint64))


def group_counts_part(part: Part, words: list[str]) -> Any:
    """The tokens of each case-folded word in this partition (0 if none)."""
    np, _ = libs()
    view = index_view(part.corpus)
    counts = group_counts(view)
    number = {form: i for i, form in enumerate(view.vocabulary().folded)}
    return np.array([counts[number[w]] if w in number else 0 for w in words], dtype=np.int64)
