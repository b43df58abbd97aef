"""kwiq.dask on the client: the Corpus that holds a future of each
partition's Part (kwiq.dask._worker), checks arguments, submits the tasks
and merges what they send back."""

from __future__ import annotations

import itertools
import json
import operator
import os
from collections.abc import Callable, Hashable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dask
import dask.dataframe as dd
from dask.delayed import delayed
from distributed import Client, Future, get_client, wait

from kwiq import _annotated, _build, _core, _files, _metadata
from kwiq._analysis import (
    COLLOCATION_MEASURES,
    KEYNESS_MEASURES,
    check_measures,
    collocation_table,
    dispersion_figure,
    dispersion_plot_queries,
    keyness_of_freqs,
    libs,
    sorted_rows,
)
from kwiq._args import as_bool, collocation_sides, each_window, int_in
from kwiq._corpus import Corpus as LocalCorpus
from kwiq._corpus import (
    Window,
    as_items,
    check_ids,
    document_error,
    file_ids,
    index_view,
    is_mask,
    of_index,
)
from kwiq._cql import query_options
from kwiq._saved import FormatError, PathLike
from kwiq.dask import _worker
from kwiq.dask._frames import KwicFrame, lines_meta

if TYPE_CHECKING:
    import pandas
    from matplotlib.figure import Figure

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "kwiq.dask corpus"
MANIFEST_VERSION = 1


def _client(client: Client | None) -> Client:
    return client if client is not None else get_client()


def _results(futures: list[Future[Any]]) -> list[Any]:
    """The futures' results in order; when several failed, the error of
    the first in partition order (as one Corpus reports its first bad
    document), with its own type."""
    wait(futures)
    return [future.result() for future in futures]


def _in_collection(error: Any, futures: list[Future[Any]]) -> Exception:
    """A bad document's error (kwiq._corpus.document_error) from the first
    partition that failed, renumbered by its place in the whole
    collection: the partitions before it were built, so their lengths
    are known."""
    failed = next(p for p, future in enumerate(futures) if future.status == "error")
    first = sum(future.result().n_docs for future in futures[:failed])
    doc = first + error.document
    return document_error(error.text, doc, doc if error.positional else error.doc_id)


def _runs(client: Client, sizes: list[int], npartitions: int | None) -> list[tuple[int, int]]:
    """[start, stop) runs of the files of ``sizes`` (bytes), one a
    partition: ``npartitions`` of them (default: one per worker thread)."""
    if npartitions is None:
        npartitions = sum(client.nthreads().values())
    return _balanced(sizes, int_in(npartitions, "npartitions", 1))


def _balanced(sizes: list[int], n: int) -> list[tuple[int, int]]:
    """[start, stop) runs of consecutive items, at most n, of about equal total size."""
    total = sum(sizes)
    runs: list[tuple[int, int]] = []
    start, acc = 0, 0
    for i, size in enumerate(sizes):
        acc += size
        if len(runs) < n - 1 and acc * n >= total * (len(runs) + 1) and i + 1 < len(sizes):
            runs.append((start, i + 1))
            start = i + 1
    runs.append((start, len(sizes)))
    return runs


class Corpus:
    """A corpus cut into partitions, each one kwiq.Corpus kept on a Dask
    worker. Make one with ``from_bag``, ``from_files``, ``from_dataframe``
    or ``load``; it answers as one kwiq.Corpus of all its documents, in
    partition order, would.

    ``client``: the distributed Client to use (default: the current one).
    ``threads``: the threads each partition is tokenized on (default 1: the
    partitions are built in parallel already).
    """

    def __init__(self, client: Client, parts: list[Future[Any]]) -> None:
        futures = [client.submit(_worker.summary, part, pure=False) for part in parts]
        try:
            summaries = _results(futures)
        except (TypeError, UnicodeEncodeError) as error:
            if not hasattr(error, "document"):
                raise
            raise _in_collection(error, futures) from None
        if len({s.positional for s in summaries if s.n_docs}) > 1:
            raise TypeError("bag items must all be str, or all (id, text) pairs")
        self._n_docs = [s.n_docs for s in summaries]
        self._n_tokens = [s.n_tokens for s in summaries]
        self._first_doc = [0, *itertools.accumulate(self._n_docs)][:-1]
        # The metadata's columns and dtypes, the same in every partition (a
        # DataFrame's partitions share them; files' rows are cut from one
        # frame; a saved corpus keeps those it was saved with).
        self._meta_columns: Any = next(
            (s.meta_columns for s in summaries if s.meta_columns is not None), None
        )
        self._metadata: Any = None
        layers = {(s.attributes, s.structures) for s in summaries}
        if len(layers) > 1:
            raise FormatError(
                f"the partitions have different attributes or structures: {sorted(layers)}"
            )
        self._attributes: tuple[str, ...]
        self._structures: tuple[str, ...]
        self._attributes, self._structures = layers.pop() if layers else (("word",), ("text",))
        self._empty: LocalCorpus | None = None
        ids: list[Any] = []
        for i, (summary, first) in enumerate(zip(summaries, self._first_doc)):
            if summary.positional and first:
                parts[i] = client.submit(_worker.renumbered, parts[i], first, pure=False)
                ids.extend(range(first, first + summary.n_docs))
            else:
                ids.extend(summary.ids)
        self._ids = check_ids(ids, len(ids))
        self._client = client
        self._parts = parts
        self._partition_of: dict[Hashable, int] | None = None
        import pandas as pd

        self._doc_dtype = pd.Series(ids, dtype=None if ids else object).dtype

    # ---- building ----

    @classmethod
    def from_bag(cls, bag: Any, *, threads: int = 1, client: Client | None = None) -> Corpus:
        """One partition per partition of ``bag`` (a ``dask.bag.Bag``), built
        where the bag's partition is computed. Items are all str (ids: their
        position in the whole bag, 0, 1, ...) or all ``(id, text)`` pairs."""
        threads = _build.check_threads(threads)
        client = _client(client)
        builds = [
            delayed(_worker.build_items, pure=False)(partition, threads)
            for partition in bag.to_delayed()
        ]
        return cls(client, client.compute(builds))

    @classmethod
    def from_dataframe(
        cls,
        frame: Any,
        text: str = "text",
        id: str | None = None,
        *,
        threads: int = 1,
        client: Client | None = None,
    ) -> Corpus:
        """One partition per partition of ``frame`` (a ``dask.dataframe.DataFrame``):
        a document per row, its text from column ``text``, its id from
        column ``id`` (default: the row's position in the whole frame)."""
        if text not in frame.columns:
            raise KeyError(f"no column {text!r} in the DataFrame")
        if id is not None and id not in frame.columns:
            raise KeyError(f"no column {id!r} in the DataFrame")
        threads = _build.check_threads(threads)
        client = _client(client)
        builds = [
            delayed(_worker.build_frame, pure=False)(partition, text, id, threads)
            for partition in frame.to_delayed()
        ]
        return cls(client, client.compute(builds))

    @classmethod
    def from_files(
        cls,
        paths: PathLike | Iterable[PathLike],
        encoding: str = "utf-8",
        errors: str = "strict",
        ids: str | Callable[[Any], Hashable] = "path",
        *,
        npartitions: int | None = None,
        threads: int = 1,
        metadata: Any = None,
        client: Client | None = None,
        include: str | Sequence[str] = _files.DEFAULT_INCLUDE,
    ) -> Corpus:
        """Text files, one document a file, as ``kwiq.Corpus.from_files``
        takes them (paths, globs, directories; ``encoding``, ``errors``,
        ``ids``, ``include``), cut into ``npartitions`` runs of consecutive files of
        about equal size (default: one per worker thread). The paths are
        listed on the client and read by the workers: they must name the
        same files everywhere (shared storage). A file that cannot be
        decoded raises ``kwiq.FileDecodeError`` naming it and the byte
        offset, on the client; when several cannot, the first in order.
        ``metadata`` as for ``kwiq.Corpus.from_files`` (rows, one per file,
        or a function of the path, called on the client); each partition
        keeps its files' rows."""
        threads = _build.check_threads(threads)
        client = _client(client)
        _files.check_codec(encoding, errors)
        found = _files.expand(paths, include)
        _files.warn_skipped(found, include, stacklevel=2)
        files = found.paths
        all_ids = check_ids(file_ids(found, ids), len(files))
        if callable(metadata):
            metadata = [metadata(Path(path)) for path in files]
        metadata = _metadata.check(metadata, len(files))
        runs = _runs(client, [os.stat(path).st_size for path in files], npartitions)
        parts = [
            client.submit(
                _worker.build_files,
                files[a:b],
                all_ids[a:b],
                encoding,
                errors,
                threads,
                None if metadata is None else metadata.iloc[a:b],
                pure=False,
            )
            for a, b in runs
        ]
        return cls(client, parts)

    @classmethod
    def from_conllu(
        cls,
        paths: PathLike | Iterable[PathLike],
        *,
        attrs: Sequence[str] | None = None,
        npartitions: int | None = None,
        client: Client | None = None,
        include: str | Sequence[str] = _annotated.CONLLU_INCLUDE,
    ) -> Corpus:
        """An annotated corpus of CoNLL-U files, read as
        ``kwiq.Corpus.from_conllu`` reads them (``paths``, ``attrs``,
        ``include``): the same documents, ids, tokens, attributes and
        structures. The files are listed on the client and cut into
        partitions as ``from_files`` cuts them (runs of consecutive files
        of about equal size: a file is never split), each read by a worker
        (shared storage), with no progress bar. A malformed file raises
        ``kwiq.FormatError`` as locally, on the client (when several
        partitions have one, that of the first); so does an id given in two
        partitions, naming both files."""
        client = _client(client)
        checked = _annotated.conllu_attrs(attrs)
        files = _files.expand(paths, include)
        _files.warn_skipped(files, include, stacklevel=2)
        return cls._of_annotated(client, files, npartitions, _worker.build_conllu, checked)

    @classmethod
    def from_vrt(
        cls,
        paths: PathLike | Iterable[PathLike],
        attrs: Sequence[str] = (),
        *,
        structures: Sequence[str] = _annotated.VRT_STRUCTURES,
        metadata: bool = True,
        npartitions: int | None = None,
        client: Client | None = None,
        include: str | Sequence[str] = _annotated.VRT_INCLUDE,
    ) -> Corpus:
        """An annotated corpus of VRT files, read as ``kwiq.Corpus.from_vrt``
        reads them (``paths``, ``attrs``, ``structures``, ``metadata``,
        ``include``), in partitions as ``from_conllu`` makes them. The
        metadata (the ``<text>`` attributes) is made on the client of every
        document's row, as one corpus makes it, and each partition keeps its
        documents' rows."""
        client = _client(client)
        keep = as_bool(metadata, "metadata")
        attrs, structures = _annotated.vrt_names(attrs, structures)
        files = _files.expand(paths, include)
        _files.warn_skipped(files, include, stacklevel=2)
        return cls._of_annotated(
            client, files, npartitions, _worker.build_vrt, attrs, structures, keep_metadata=keep
        )

    @classmethod
    def _of_annotated(
        cls,
        client: Client,
        files: _files.Files,
        npartitions: int | None,
        build: Callable[..., Any],
        *args: Any,
        keep_metadata: bool = False,
    ) -> Corpus:
        """The corpus of annotated files that ``build`` (a kwiq.dask._worker
        task giving a Part and its Documents) reads, a run of files a
        partition. Ids are checked across partitions as one corpus checks
        them across files (FormatError naming both files)."""
        sizes = [_files.check_regular(path).st_size for path in files.paths]
        built = [
            client.submit(build, files.paths[a:b], files.names[a:b], *args, pure=False)
            for a, b in _runs(client, sizes, npartitions)
        ]
        parts: list[Any] = [
            client.submit(operator.getitem, future, 0, pure=False) for future in built
        ]
        documents = _results(
            [client.submit(operator.getitem, future, 1, pure=False) for future in built]
        )
        ids: list[Any] = []
        seen: dict[Any, str] = {}
        for part_documents in documents:
            for doc_id, source in zip(part_documents.ids, part_documents.sources):
                _annotated.add_id(ids, seen, doc_id, source)
        rows = [row for part_documents in documents for row in part_documents.rows]
        frame = _metadata.check(rows, len(rows)) if keep_metadata and any(rows) else None
        if frame is not None:
            starts = [0, *itertools.accumulate(len(d.ids) for d in documents)]
            parts = [
                client.submit(_worker.with_metadata, part, frame.iloc[a:b], pure=False)
                for part, a, b in zip(parts, starts, starts[1:])
            ]
        return cls(client, parts)

    # ---- saving ----

    def save(self, directory: PathLike) -> None:
        """One saved corpus per partition (``part-00000.kwiq`` ...), written
        by the workers that hold them, then ``manifest.json`` listing them,
        written last by the client. ``directory`` (made if missing) must be
        the same place for the client and every worker: shared storage."""
        directory = os.fspath(directory)
        os.makedirs(directory, exist_ok=True)
        names = [f"part-{i:05d}.kwiq" for i in range(len(self._parts))]
        _results(
            [
                self._client.submit(
                    _worker.save_part, part, os.path.join(directory, name), pure=False
                )
                for part, name in zip(self._parts, names)
            ]
        )
        manifest = {
            "format": MANIFEST_FORMAT,
            "version": MANIFEST_VERSION,
            "partitions": [
                {"file": name, "docs": docs, "tokens": tokens}
                for name, docs, tokens in zip(names, self._n_docs, self._n_tokens)
            ],
        }
        temporary = os.path.join(directory, MANIFEST + ".tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(manifest, out, indent=1)
        os.replace(temporary, os.path.join(directory, MANIFEST))

    @classmethod
    def load(cls, directory: PathLike, *, client: Client | None = None) -> Corpus:
        """The corpus saved in ``directory`` by ``save``: each worker loads
        (memory-maps) its partitions' files. ``kwiq.FormatError`` for a
        missing or bad manifest or a bad partition file."""
        directory = os.fspath(directory)
        path = os.path.join(directory, MANIFEST)
        try:
            with open(path, encoding="utf-8") as file:
                manifest = json.load(file)
        except FileNotFoundError:
            raise FormatError(f"{directory}: no {MANIFEST}; not a saved kwiq.dask corpus") from None
        except ValueError as error:
            raise FormatError(f"{path}: not a valid manifest ({error!r})") from None
        files = manifest_files(manifest, directory)
        client = _client(client)
        return cls(client, [client.submit(_worker.load_part, file, pure=False) for file in files])

    # ---- what it holds ----

    @property
    def npartitions(self) -> int:
        return len(self._parts)

    @property
    def n_docs(self) -> int:
        return sum(self._n_docs)

    @property
    def n_tokens(self) -> int:
        return sum(self._n_tokens)

    @property
    def ids(self) -> tuple[Hashable, ...]:
        return tuple(self._ids)

    def __len__(self) -> int:
        return self.n_docs

    @property
    def attributes(self) -> tuple[str, ...]:
        """As ``kwiq.Corpus.attributes``: ``word``, then those of an annotated source."""
        return self._attributes

    @property
    def structures(self) -> tuple[str, ...]:
        """As ``kwiq.Corpus.structures``: ``text``, then those of an annotated source."""
        return self._structures

    def _checker(self) -> LocalCorpus:
        """A kwiq.Corpus of no documents with this corpus's attributes and
        structures: asked what this one is asked, it checks every argument
        (queries, attribute names) as one kwiq.Corpus of these documents
        would, on the client, before anything is submitted."""
        if self._empty is None:
            if self._attributes == ("word",) and self._structures == ("text",):
                self._empty = LocalCorpus([])
            else:
                builder = _core.Builder()
                builder.annotate(list(self._attributes[1:]), list(self._structures[1:]))
                self._empty = of_index(LocalCorpus, builder.finish(), [], None)
        return self._empty

    @property
    def metadata(self) -> pandas.DataFrame:
        """As ``kwiq.Corpus.metadata``: a row per document, indexed by id,
        fetched from the partitions once."""
        if self._metadata is None:
            _, pd = libs()
            frames = self._map(_worker.metadata_part)
            self._metadata = pd.concat(frames) if frames else pd.DataFrame()
        copied: pandas.DataFrame = self._metadata.copy()
        return copied

    def text(self, doc: Hashable) -> str:
        """The text of the document with id ``doc``, fetched from its partition."""
        return self._client.submit(
            _worker.text, self._parts[self._partition(doc)], doc, pure=False
        ).result()

    def _partition(self, doc: Hashable) -> int:
        """The partition holding the document with id ``doc``; KeyError if none."""
        if self._partition_of is None:
            self._partition_of = {
                doc_id: p
                for p, (first, n) in enumerate(zip(self._first_doc, self._n_docs))
                for doc_id in self._ids[first : first + n]
            }
        try:
            return self._partition_of[doc]
        except (KeyError, TypeError):
            raise KeyError(f"no document with id {doc!r}") from None

    # ---- views ----

    def subset(self, mask_or_ids: Any) -> Corpus:
        """As ``kwiq.Corpus.subset``: a mask (one bool per document) or ids.
        Each partition keeps a view of its chosen documents, sharing its
        index; the client only splits the mask or the ids by partition."""
        items = as_items(mask_or_ids)
        if is_mask(items, self.n_docs):
            chosen = [items[first : first + n] for first, n in zip(self._first_doc, self._n_docs)]
        else:
            chosen = [[] for _ in self._parts]
            for doc_id in items:
                chosen[self._partition(doc_id)].append(doc_id)
        return self._views("subset", chosen)

    def where(self, **equalities: Any) -> Corpus:
        """As ``kwiq.Corpus.where``: each partition keeps a view of its
        documents whose metadata matches. ValueError, on the client, for a
        column the metadata has not."""
        _metadata.column_names(self._meta_columns, list(equalities), "where()")
        return self._views("where", [equalities] * len(self._parts))

    def _views(self, how: str, chosen: list[Any]) -> Corpus:
        return Corpus(
            self._client,
            [
                self._client.submit(_worker.view_part, part, how, arg, pure=False)
                for part, arg in zip(self._parts, chosen)
            ],
        )

    def __repr__(self) -> str:
        return (
            f"<kwiq.dask.Corpus: {self.n_docs:,} documents, {self.n_tokens:,} tokens "
            f"in {self.npartitions} partitions>"
        )

    # ---- concordances ----

    def kwic(
        self,
        query: str | Iterable[str],
        window: Window = 5,
        case: bool | None = None,
        *,
        width: int | None = None,
        bound: str | None = None,
        meta: str | Iterable[str] | None = None,
        show: str | Iterable[str] | None = None,
        syntax: str = "plain",
        strategy: str = "longest",
    ) -> KwicFrame:
        """The lines of ``query`` (arguments as ``kwiq.Corpus.kwic``, CQL and
        ``show`` included) as a lazy ``dask.dataframe.DataFrame`` with the
        columns of ``Concordance.to_pandas()``, a partition per corpus
        partition, in document order. ``.compute()`` gives a local
        Concordance of the lines, in the order one kwiq.Corpus gives them.
        ``meta``: metadata columns each line carries, as ``kwiq.Corpus.kwic``
        takes them. Bad arguments raise here, before anything is submitted."""
        if isinstance(query, Iterable) and not isinstance(query, (str, bytes)):
            query = list(query)  # read once, here, even if it is an iterator
        if isinstance(show, Iterable) and not isinstance(show, (str, bytes)):
            show = list(show)
        empty = self._checker().kwic(
            query,
            window,
            case,
            width=width,
            bound=bound,
            show=show,
            syntax=syntax,
            strategy=strategy,
        )
        names = _metadata.line_columns(self._meta_columns, meta)
        frame_meta = lines_meta(
            empty.queries, self._doc_dtype, None if not names else self._meta_columns[names]
        )
        parts = [
            delayed(_worker.kwic_part, pure=True)(
                part,
                query,
                window,
                case,
                width,
                bound,
                names,
                empty.show,
                syntax,
                strategy,
                frame_meta,
            )
            for part in self._parts
        ]
        with dask.config.set({"dataframe.convert-string": False}):
            frame = dd.from_delayed(parts, meta=frame_meta, verify_meta=False)
        return KwicFrame(
            frame.expr,
            KwicSource(self, query, empty, names, query_options(syntax, case, strategy)[1]),
        )

    # ---- counts and statistics ----

    def _map(self, function: Callable[..., Any], *args: Any) -> list[Any]:
        return _results(
            [self._client.submit(function, part, *args, pure=False) for part in self._parts]
        )

    def freq(
        self,
        case: bool = False,
        min_count: int = 1,
        punctuation: bool = False,
        *,
        attr: str = "word",
    ) -> pandas.DataFrame:
        """As ``kwiq.Corpus.freq``: each partition counts its words (or
        ``attr``'s values), the client adds the counts up and computes
        ``per_million`` once."""
        np, pd = libs()
        self._checker().freq(case, min_count, punctuation, attr=attr)
        case = as_bool(case, "case")
        punctuation = as_bool(punctuation, "punctuation")
        merged = _merged(
            pd, self._map(_worker.freq_part, case, punctuation, attr), attr, ["count", "docs"]
        )
        total = int(merged["count"].sum())
        kept = merged[merged["count"] >= min_count]
        count = kept["count"].to_numpy(dtype=np.int64)
        frame = pd.DataFrame(
            {
                attr: kept.index.tolist(),
                "count": count,
                "per_million": count * 1e6 / total if total else count.astype(np.float64),
                "docs": kept["docs"].to_numpy(dtype=np.int64),
            }
        )
        return sorted_rows(frame, ["count", attr], [False, True])

    def ngrams(self, n: int, min_count: int = 2, *, attr: str = "word") -> pandas.DataFrame:
        """As ``kwiq.Corpus.ngrams``. Each partition counts all its
        n-grams; a Dask groupby adds them up among the workers (a shuffle
        of every distinct n-gram) and only those seen ``min_count`` times
        reach the client."""
        np, pd = libs()
        self._checker().ngrams(n, min_count, attr=attr)
        meta = pd.DataFrame(
            {
                "ngram": pd.Series([], dtype=object),
                "count": pd.Series([], dtype=np.int64),
                "docs": pd.Series([], dtype=np.int64),
            }
        )
        with dask.config.set({"dataframe.convert-string": False}):
            counts = dd.from_delayed(
                [delayed(_worker.ngrams_part, pure=True)(part, n, attr) for part in self._parts],
                meta=meta,
                verify_meta=False,
            )
            merged = counts.groupby("ngram").sum(split_out=self.npartitions)
            kept = merged[merged["count"] >= min_count]
        kept = self._client.compute(kept).result()
        frame = pd.DataFrame(
            {
                "ngram": np.array(kept.index.tolist(), dtype=object),
                "count": kept["count"].to_numpy(dtype=np.int64),
                "docs": kept["docs"].to_numpy(dtype=np.int64),
            }
        )
        return sorted_rows(frame, ["count", "ngram"], [False, True])

    def clusters(
        self,
        query: str | Iterable[str],
        n: int,
        side: str = "right",
        *,
        case: bool | None = None,
        min_count: int = 1,
        syntax: str = "plain",
        strategy: str = "longest",
        attr: str = "word",
    ) -> pandas.DataFrame:
        """As ``kwiq.Corpus.clusters``: each partition counts its clusters
        (a cluster lies in one document), the client adds them up."""
        np, pd = libs()
        self._checker().clusters(
            query,
            n,
            side,
            case=case,
            min_count=min_count,
            syntax=syntax,
            strategy=strategy,
            attr=attr,
        )
        case, code = query_options(syntax, case, strategy)
        merged = _merged(
            pd,
            self._map(_worker.clusters_part, query, n, side, case, code, attr),
            "cluster",
            ["count"],
        )
        kept = merged[merged["count"] >= min_count]
        frame = pd.DataFrame(
            {
                "cluster": np.array(kept.index.tolist(), dtype=object),
                "count": kept["count"].to_numpy(dtype=np.int64),
            }
        )
        return sorted_rows(frame, ["count", "cluster"], [False, True])

    def dispersion(
        self,
        query: str | Iterable[str],
        *,
        case: bool | None = None,
        syntax: str = "plain",
        strategy: str = "longest",
    ) -> pandas.DataFrame:
        """As ``kwiq.Corpus.dispersion``: each partition's matches, in
        partition order (a row per match goes to the client)."""
        _, pd = libs()
        self._checker().dispersion(query, case=case, syntax=syntax, strategy=strategy)
        case, code = query_options(syntax, case, strategy)
        frame = pd.concat(self._map(_worker.dispersion_part, query, case, code), ignore_index=True)
        # The doc column's type as one machine infers it from these ids.
        frame["doc"] = pd.Series(frame["doc"].tolist(), dtype=None if len(frame) else object)
        located: pandas.DataFrame = frame
        return located

    def plot_dispersion(
        self,
        queries: str | Iterable[str],
        *,
        case: bool | None = None,
        scale: str = "relative",
        syntax: str = "plain",
        strategy: str = "longest",
    ) -> Figure:
        """As ``kwiq.Corpus.plot_dispersion``: the partitions locate the
        matches (two integers per match and one per document go to the
        client), the client draws."""
        np, _ = libs()
        queries = dispersion_plot_queries(queries, scale)
        checker = self._checker()
        for query in queries:
            checker.dispersion(query, case=case, syntax=syntax, strategy=strategy)
        case, code = query_options(syntax, case, strategy)
        parts = self._map(_worker.locate_part, queries, case, code)

        def joined(arrays: list[Any]) -> Any:
            return np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)

        lengths = joined([located[0][2] for located in parts])
        located = [
            (
                joined([p[q][0] + first for p, first in zip(parts, self._first_doc)]),
                joined([p[q][1] for p in parts]),
                lengths,
            )
            for q in range(len(queries))
        ]
        return dispersion_figure(located, self._ids, queries, scale)

    def collocates(
        self,
        query: str | Iterable[str],
        window: Window = 5,
        left: int | None = None,
        right: int | None = None,
        min_count: int = 2,
        measures: Sequence[str] = COLLOCATION_MEASURES,
        *,
        case: bool | None = None,
        counting: str = "positions",
        syntax: str = "plain",
        strategy: str = "longest",
        attr: str = "word",
    ) -> pandas.DataFrame:
        """As ``kwiq.Corpus.collocates``. Two rounds: the partitions count
        the words (or ``attr``'s values) in their windows, R1, the matches
        and their word tokens; the client adds them up and keeps those seen
        ``min_count`` times, whose word tokens in the whole corpus (C1) the
        partitions then count; the measures are computed once, from the
        sums."""
        np, pd = libs()
        self._checker().collocates(
            query,
            window,
            left,
            right,
            min_count,
            measures,
            case=case,
            counting=counting,
            syntax=syntax,
            strategy=strategy,
            attr=attr,
        )
        left, right = collocation_sides(window, left, right)
        measures = check_measures(measures, COLLOCATION_MEASURES)
        windows = each_window(counting)
        case, code = query_options(syntax, case, strategy)
        partial = self._map(_worker.collocates_part, query, case, code, left, right, windows, attr)
        observed = _merged(pd, [frame for frame, _, _, _ in partial], "word", ["observed"])
        kept = observed[observed["observed"] >= min_count]
        words = kept.index.tolist()
        c1 = sum(
            self._map(_worker.group_counts_part, words, attr), np.zeros(len(words), dtype=np.int64)
        )
        r1 = sum(r1 for _, r1, _, _ in partial)
        hits = sum(hits for _, _, hits, _ in partial)
        n_words = sum(n for _, _, _, n in partial)
        frame = collocation_table(
            np, pd, words, kept["observed"].to_numpy(), c1, n_words, r1, hits, measures, windows
        )
        return frame.rename(columns={"word": attr}) if attr != "word" else frame

    def keyness(
        self,
        reference: Any,
        measures: Sequence[str] = KEYNESS_MEASURES,
        *,
        case: bool = False,
        punctuation: bool = False,
        attr: str = "word",
    ) -> pandas.DataFrame:
        """``kwiq.dask.keyness(self, reference, ...)``."""
        return keyness(self, reference, measures, case=case, punctuation=punctuation, attr=attr)


def keyness(
    target: Any,
    reference: Any,
    measures: Sequence[str] = KEYNESS_MEASURES,
    *,
    case: bool = False,
    punctuation: bool = False,
    attr: str = "word",
) -> pandas.DataFrame:
    """As ``kwiq.keyness``, for a target and a reference that are each a
    kwiq.dask.Corpus or a kwiq.Corpus: the frequency lists (of words, or
    of ``attr``'s values) are merged as ``freq`` merges them, and the
    measures computed once from them."""
    np, pd = libs()
    for name, corpus in (("target", target), ("reference", reference)):
        if not isinstance(corpus, (Corpus, LocalCorpus)):
            raise TypeError(
                f"{name} must be a kwiq.dask.Corpus or a kwiq.Corpus, not {type(corpus).__name__}"
            )
    measures = check_measures(measures, KEYNESS_MEASURES)
    if not isinstance(attr, str):
        raise TypeError(f"an attribute is named by a str, not {type(attr).__name__}")
    return keyness_of_freqs(np, pd, target, reference, measures, case, punctuation, attr)


def _merged(
    pd: Any, frames: list[pandas.DataFrame], key: str, columns: list[str]
) -> pandas.DataFrame:
    """The frames' columns summed by key (the key as the index)."""
    if not frames:
        empty: pandas.DataFrame = pd.DataFrame({c: pd.Series([], dtype="int64") for c in columns})
        return empty
    summed: pandas.DataFrame = (
        pd.concat(frames, ignore_index=True).groupby(key, sort=False)[columns].sum()
    )
    return summed


class KwicSource:
    """What a KwicFrame was made from: the corpus and the query's arguments."""

    def __init__(
        self, corpus: Corpus, query: Any, empty: Any, meta: list[str], strategy: int | None
    ):
        self.corpus = corpus
        self.client = corpus._client
        self.query = query
        self.empty = empty  # the local Concordance of no lines: the settings, checked
        self.meta = meta  # the metadata columns the lines carry
        self.strategy = strategy  # the CQL strategy's code, or None for a plain query
        # An index of no documents with the corpus's attributes, which the
        # lines' sort keys are checked against.
        self.index = index_view(corpus._checker()).index

    def count(self) -> int:
        """The lines of KwicFrame.__len__, each partition's added up."""
        return sum(self.corpus._map(_worker.count_part, self.query, self.empty.case, self.strategy))

    def sort_keys(self, specs: list[tuple[str, str]], parts: Any, rows: Any) -> Any:
        """The sort values of the lines from partitions ``parts`` at ``rows``."""
        import numpy as np
        import pandas as pd

        corpus = self.corpus
        wanted = np.unique(parts).tolist()
        fetched = _results(
            [
                self.client.submit(
                    _worker.sort_values,
                    corpus._parts[p],
                    self.query,
                    self.empty.case,
                    self.strategy,
                    specs,
                    pure=False,
                )
                for p in wanted
            ]
        )
        for p, frame in zip(wanted, fetched):
            first = corpus._first_doc[p]
            for k, (name, _) in enumerate(specs):
                if name in ("doc", "position"):
                    frame[f"k{k}"] += first if name == "doc" else first << 32
        whole = pd.concat(fetched, ignore_index=True)
        starts = np.zeros(max(wanted) + 1, dtype=np.int64)
        starts[wanted] = np.cumsum([0] + [len(f) for f in fetched])[:-1]
        return whole.take(starts[parts] + rows).reset_index(drop=True)


def manifest_files(manifest: Any, directory: str) -> list[str]:
    """The partition files a manifest (its JSON value) of ``directory``
    lists, joined to it. FormatError for a manifest that is not one: of
    another format or a newer version, without a partition, or listing a
    file outside ``directory`` (an absolute path, or a ".." part)."""
    path = os.path.join(directory, MANIFEST)
    try:
        if manifest["format"] != MANIFEST_FORMAT:
            raise FormatError(f"{path}: not a {MANIFEST_FORMAT} manifest")
        if manifest["version"] > MANIFEST_VERSION:
            raise FormatError(
                f"{path}: version {manifest['version']} is newer than "
                f"this kwiq reads ({MANIFEST_VERSION})"
            )
        names = [entry["file"] for entry in manifest["partitions"]]
    except (KeyError, TypeError) as error:
        raise FormatError(f"{path}: not a valid manifest ({error!r})") from None
    if not names:
        raise FormatError(f"{path}: lists no partition")
    for name in names:
        if (
            not isinstance(name, str)
            or not name
            or os.path.isabs(name)
            or os.pardir in name.replace("\\", "/").split("/")
        ):
            raise FormatError(
                f"{path}: partition file {name!r} is not a file name inside {directory}"
            )
    return [os.path.join(directory, name) for name in names]
