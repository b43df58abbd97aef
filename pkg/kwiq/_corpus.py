"""Corpus: documents, their ids and the index the C core builds over them."""
from __future__ import annotations

import os
from collections.abc import Hashable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Optional, Tuple, Union

from kwiq import _analysis, _build, _core, _files, _saved
from kwiq._args import as_bool, as_int, window_sides
from kwiq._concordance import Concordance
from kwiq._query import Vocabulary, parse
from kwiq._saved import FormatError, PathLike

SAMPLE_NAME = "khrushchev-kennedy-1962-10-28.txt"

# The core's kw_bound values.
BOUNDS = {"sentence": 1, "paragraph": 2}
MAX_WIDTH = 0xFFFFFFFFFFFFFFFF

Window = Union[int, Tuple[int, int]]


class Corpus:
    """Documents tokenized and indexed by the C core.

    ``texts`` is an iterable of str; ``ids`` an iterable of distinct hashable
    ids, one per text (default ``0 .. n-1``). The corpus keeps its own copy
    of the text, so the strings passed in may be dropped. On any bad input
    the constructor raises and nothing is built.

    ``threads``: how many threads tokenize (default: the CPUs this process
    may use, at most 8; 1 builds in the calling thread). The documents are
    cut into consecutive runs, one a thread, tokenized with the GIL
    released; the corpus is the same, type ids and all, whatever the
    count. A corpus under 1 MB a thread uses fewer threads.
    """

    def __init__(self, texts: Iterable[str], ids: Iterable[Hashable] | None = None, *,
                 threads: Optional[int] = None):
        if isinstance(texts, (str, bytes)):
            raise TypeError("texts must be an iterable of str, not a single "
                            f"{type(texts).__name__}; wrap one text in a list")
        texts = list(texts)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"document {i} is {type(text).__name__}, not str")
        self._ids = _check_ids(ids, len(texts))
        threads = _build.check_threads(threads)

        def describe(i: int, error: BaseException) -> BaseException:
            return _surrogate_error(texts[i], i, self._ids[i])

        self._index = _build.build([len(text) for text in texts], texts.__getitem__, describe,
                                   threads)
        self._position_of: dict[Hashable, int] | None = None
        self._vocabulary: Vocabulary | None = None

    @classmethod
    def from_files(cls, paths: Union[PathLike, Iterable[PathLike]], encoding: str = "utf-8",
                   errors: str = "strict",
                   ids: Union[str, Callable[[Path], Hashable]] = "path",
                   threads: Optional[int] = None, progress: bool = True) -> "Corpus":
        """A corpus of text files, one document a file.

        ``paths``: a file, a directory (every file below it, hidden ones
        left out), a glob (``"corpus/**/*.txt"``; ``**`` is any depth), or a
        list of these. Files come in the order given; a directory's or a
        glob's files sorted by their path components. FileNotFoundError for
        a path that does not exist, or a directory or glob without a file.

        The files are read as they are tokenized, a batch of a few MB at a
        time a thread, so memory holds the corpus being built and little
        more (a file is read whole). With ``encoding="utf-8"`` and
        ``errors="strict"`` the bytes go to the core untouched, which checks
        that they are UTF-8; otherwise Python's codec decodes them with
        ``errors`` (e.g. ``"replace"``). A file that cannot be decoded
        raises ``kwiq.FileDecodeError``, a UnicodeDecodeError whose message
        names the file and the byte offset (``.path``, ``.start``); when
        several cannot, the first in corpus order.

        ``ids``: ``"path"`` (the path as str, as given or as found below a
        directory), ``"name"`` (the file's name), ``"index"`` (0, 1, ...) or
        a function of the path (a ``pathlib.Path``) giving each file's id.
        Ids must be distinct (ValueError otherwise).

        ``threads`` as for ``Corpus()``. ``progress``: a progress bar
        (tqdm, on standard error) when the build takes longer than a second.
        """
        files = _files.expand(paths)
        return cls._from_paths(files, files, encoding, errors, _file_ids(files, ids), threads,
                               progress)

    @classmethod
    def _from_paths(cls, files: list[str], names: list[str], encoding: str, errors: str,
                    ids: Optional[list], threads: Optional[int], progress: bool) -> "Corpus":
        """The corpus of files ("-": standard input), names[i] naming file i
        in errors."""
        raw = _files.check_codec(encoding, errors)
        threads = _build.check_threads(threads)
        ids = _check_ids(ids, len(files))
        sizes = [0 if path == "-" else os.stat(path).st_size for path in files]
        load = _files.reader(files, encoding, errors, raw, names)

        def describe(i: int, error: BaseException) -> BaseException:
            if isinstance(error, UnicodeDecodeError):
                return _files.utf8_error(names[i], error.object, error.start)
            return UnicodeEncodeError(
                "utf-8", "", 0, 0, f"{names[i]}: decoding with errors={errors!r} made a lone "
                "surrogate, which a corpus cannot hold")

        bar = _build.Progress(sum(sizes), bool(progress))
        try:
            index = _build.build(sizes, load, describe, threads, bar)
        finally:
            bar.close()
        corpus = cls.__new__(cls)
        corpus._index = index
        corpus._ids = ids
        corpus._position_of = None
        corpus._vocabulary = None
        return corpus

    def save(self, path: PathLike) -> None:
        """Write the corpus to ``path`` as one file that ``Corpus.load``
        reads back in a fraction of the time a build takes.

        The file holds the text, the index and the ids; the same corpus
        always gives the same bytes. It is written under a temporary name
        beside ``path`` and then renamed over it, so a file at ``path`` is
        never left half written, and a corpus loaded from it keeps working.
        Ids must be str, int, float, bool, None or tuples of them (TypeError
        otherwise, before anything is written).
        """
        _saved.write(self._index, _saved.encode_ids(self._ids), path)

    @classmethod
    def load(cls, path: PathLike) -> "Corpus":
        """The corpus saved at ``path`` by ``save``, answering every query
        exactly as the saved one did.

        The file is memory-mapped and read in place, after every byte of it
        is checked (the layout, a checksum per section, every count, offset
        and id): a file that is not a saved corpus, is cut short, damaged,
        or of a newer format raises ``kwiq.FormatError`` naming what is
        wrong. The corpus keeps the mapping while it, or a Concordance of
        it, lives: replace the file (as ``save`` does) rather than write
        into it meanwhile.
        """
        index, blob = _saved.read(path)
        try:
            ids = _saved.decode_ids(blob, index.n_docs)
        except FormatError as error:
            raise FormatError(f"{os.fspath(path)}: {error}") from None
        corpus = cls.__new__(cls)
        corpus._index = index
        corpus._ids = ids
        corpus._position_of = None
        corpus._vocabulary = None
        return corpus

    @property
    def n_docs(self) -> int:
        """Number of documents."""
        return self._index.n_docs

    @property
    def n_tokens(self) -> int:
        """Number of tokens, words and punctuation."""
        return self._index.n_tokens

    @property
    def ids(self) -> tuple:
        """The document ids, in order."""
        return tuple(self._ids)

    def __len__(self) -> int:
        return self.n_docs

    def __repr__(self) -> str:
        documents = "document" if self.n_docs == 1 else "documents"
        return f"<kwiq.Corpus: {self.n_docs:,} {documents}, {self.n_tokens:,} tokens>"

    def text(self, doc: Hashable) -> str:
        """The text of the document with id ``doc``."""
        if self._position_of is None:
            self._position_of = {doc_id: i for i, doc_id in enumerate(self._ids)}
        try:
            position = self._position_of[doc]
        except KeyError:
            raise KeyError(f"no document with id {doc!r}") from None
        return self._index.doc_text(position)

    def kwic(self, query: str | Iterable[str], window: Window = 5, case: bool = False, *,
             width: Optional[int] = None, bound: Optional[str] = None) -> Concordance:
        """Keyword-in-context lines for ``query``, in the query language of
        the README: words, phrases, globs (``peace*``), ``*`` for any word
        and ``/regex/``. A list of queries gives one Concordance whose
        ``query`` column (in DataFrames) says which query found each line.
        ``case=True`` matches the exact case, otherwise case-folded forms.

        How much context each line shows:

        - ``window``: words of context on each side, or a ``(left, right)``
          pair for uneven sides; punctuation inside the window is shown but
          not counted.
        - ``width``: characters instead of words. Each side holds as many
          whole tokens as fit in ``width`` characters of the text as written
          (counted from the match outward, the white space between
          included; a run of white space shown as one space still counts
          as written). A token is never cut. When ``width`` is given,
          ``window`` is ignored.
        - ``bound``: ``"paragraph"`` stops the contexts at a blank line (two
          line breaks between two tokens, other white space allowed between
          them). ``"sentence"`` also stops them at a sentence end: ".", "!"
          or "?" followed by white space and a token that starts with an
          upper-case letter (category Lu or Lt), except a "." written right
          after an initial ("J.") or one of the abbreviations Mr Mrs Ms
          Messrs Mme Mlle Dr Prof Rev Hon St Mt Jr Sr Gen Col Capt Lt Sgt
          Gov Sen Rep vs (in any case). A quote or bracket between the mark
          and the next word hides the sentence end. The sentence's closing
          mark is shown in the right context. A bound only shortens what
          ``window`` or ``width`` give.

        Raises TypeError or ValueError for a bad argument; QueryError (a
        ValueError) for a query with no token.
        """
        if isinstance(query, str):
            queries = [query]
        elif isinstance(query, bytes):
            raise TypeError("query must be str, not bytes")
        else:
            try:
                queries = list(dict.fromkeys(query))
            except TypeError:
                raise TypeError(f"query must be str or a list of str, "
                                f"not {type(query).__name__}") from None
            if not queries:
                raise ValueError("an empty list of queries")
        for q in queries:
            if not isinstance(q, str):
                raise TypeError(f"query must be str, not {type(q).__name__}")
        left, right = window_sides(window)
        case = as_bool(case, "case")
        context = (left, right, _check_width(width), _check_bound(bound))
        hits = [self._match(q, case) for q in queries]
        merged = hits[0] if len(hits) == 1 else _core.merge(hits)
        window = (left, right) if isinstance(window, (tuple, list)) else left
        return Concordance(merged, self._ids, query=query if isinstance(query, str) else queries,
                           queries=queries, window=window, case=case, width=width, bound=bound,
                           context=context)

    def _match(self, query: str, case: bool):
        patterns = parse(query)
        if any(p.kind in ("glob", "regex") for p in patterns) and self._vocabulary is None:
            self._vocabulary = Vocabulary(self._index)
        if self._vocabulary is None:
            slots = [(0, p.text) if p.kind == "literal" else (3,) for p in patterns]
        else:
            slots = [self._vocabulary.slot(p, case, query) for p in patterns]
        return self._index.match(slots, case)

    # ---- counts and statistics: the functions of kwiq._analysis, this
    # corpus as their first argument (the target, for keyness) ----
    freq = _analysis.freq
    ngrams = _analysis.ngrams
    clusters = _analysis.clusters
    collocates = _analysis.collocates
    keyness = _analysis.keyness
    dispersion = _analysis.dispersion
    plot_dispersion = _analysis.plot_dispersion


def kwic(texts: Union[str, Iterable[str]], query: str | Iterable[str], window: Window = 5,
         case: bool = False, *, width: Optional[int] = None,
         bound: Optional[str] = None) -> Concordance:
    """One-shot KWIC over one text or a list of texts: ``window`` words each
    side or a ``(left, right)`` pair, or ``width`` characters each side;
    ``bound`` "sentence" or "paragraph" stops contexts there (see
    Corpus.kwic)."""
    corpus = Corpus([texts] if isinstance(texts, str) else texts)
    return corpus.kwic(query, window=window, case=case, width=width, bound=bound)


def sample() -> Corpus:
    """The embedded corpus: Chairman Khrushchev's letter to President
    Kennedy of 28 October 1962, one document with its file name as id."""
    text = resources.files("kwiq").joinpath("data", SAMPLE_NAME).read_text(encoding="utf-8")
    return Corpus([text], ids=[SAMPLE_NAME])


def tokenize(text: str) -> list[str]:
    """The tokens of ``text`` as the index sees them, in their written form."""
    return [text[start:end] for start, end, _ in _core.tokenize(text)]


def _check_ids(ids: Iterable[Hashable] | None, n: int) -> list:
    if ids is None:
        return list(range(n))
    if isinstance(ids, (str, bytes)):
        raise TypeError("ids must be an iterable of ids, not a single str")
    ids = list(ids)
    if len(ids) != n:
        raise ValueError(f"{len(ids)} ids for {n} texts")
    seen: set = set()
    for i, doc_id in enumerate(ids):
        try:
            hash(doc_id)
        except TypeError:
            raise TypeError(f"id {i} ({type(doc_id).__name__}) is not hashable") from None
        if doc_id in seen:
            raise ValueError(f"id {doc_id!r} is given twice; ids must be distinct")
        seen.add(doc_id)
    return ids


def _check_width(width: Any) -> int:
    """Characters of context each side, 0 for none (count words)."""
    if width is None:
        return 0
    width = as_int(width, "width", "a positive int or None")
    if width <= 0:
        raise ValueError(f"width must be a positive int (characters each side), not {width}")
    if width > MAX_WIDTH:
        raise ValueError(f"width must be < 2**64, not {width}")
    return width


def _check_bound(bound: Any) -> int:
    """The core's code for a bound name (0: no bound)."""
    if bound is None:
        return 0
    if not isinstance(bound, str):
        raise TypeError(f"bound must be None, 'sentence' or 'paragraph', not "
                        f"{type(bound).__name__}")
    try:
        return BOUNDS[bound]
    except KeyError:
        raise ValueError(f"bound must be None, 'sentence' or 'paragraph', not {bound!r}") \
            from None


def _surrogate_error(text: str, i: int, doc_id: Hashable) -> UnicodeEncodeError:
    """The error for document i, whose lone surrogate stopped the build."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return UnicodeEncodeError(
            "utf-8", text, error.start, error.end,
            f"lone surrogate in document {i} (id {doc_id!r}): not valid Unicode text")
    return UnicodeEncodeError("utf-8", text, 0, 0, f"document {i} (id {doc_id!r})")


def _file_ids(files: list[str], ids: Any) -> Optional[list]:
    """The ids of from_files: "path", "name", "index" (None) or ids(Path)."""
    if callable(ids):
        return [ids(Path(path)) for path in files]
    if isinstance(ids, str) and ids == "path":
        return list(files)
    if isinstance(ids, str) and ids == "name":
        return [os.path.basename(path) for path in files]
    if isinstance(ids, str) and ids == "index":
        return None
    raise ValueError(f"ids must be 'path', 'name', 'index' or a function of the path, "
                     f"not {ids!r}")
