"""Corpus: documents, their ids and the index the C core builds over them."""
from __future__ import annotations

import operator
from collections.abc import Hashable, Iterable
from importlib import resources
from typing import Any, Union

from kwiq import _core
from kwiq._concordance import Concordance
from kwiq._query import QueryError, Vocabulary, parse

SAMPLE_NAME = "khrushchev-kennedy-1962-10-28.txt"


class Corpus:
    """Documents tokenized and indexed by the C core.

    ``texts`` is an iterable of str; ``ids`` an iterable of distinct hashable
    ids, one per text (default ``0 .. n-1``). The corpus keeps its own copy
    of the text, so the strings passed in may be dropped. On any bad input
    the constructor raises and nothing is built.
    """

    def __init__(self, texts: Iterable[str], ids: Iterable[Hashable] | None = None):
        if isinstance(texts, (str, bytes)):
            raise TypeError("texts must be an iterable of str, not a single "
                            f"{type(texts).__name__}; wrap one text in a list")
        texts = list(texts)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"document {i} is {type(text).__name__}, not str")
        self._ids = _check_ids(ids, len(texts))
        try:
            self._index = _core.build(texts)
        except UnicodeEncodeError:
            _raise_for_surrogates(texts, self._ids)
            raise
        self._position_of: dict[Hashable, int] | None = None
        self._vocabulary: Vocabulary | None = None

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
        return f"<kwiq.Corpus: {self.n_docs:,} documents, {self.n_tokens:,} tokens>"

    def text(self, doc: Hashable) -> str:
        """The text of the document with id ``doc``."""
        if self._position_of is None:
            self._position_of = {doc_id: i for i, doc_id in enumerate(self._ids)}
        try:
            position = self._position_of[doc]
        except KeyError:
            raise KeyError(f"no document with id {doc!r}") from None
        return self._index.doc_text(position)

    def kwic(self, query: str | Iterable[str], window: int = 5, case: bool = False) -> Concordance:
        """Keyword-in-context lines for ``query``, in the query language of
        the README: words, phrases, globs (``peace*``), ``*`` for any word
        and ``/regex/``. A list of queries gives one Concordance whose
        ``query`` column (in DataFrames) says which query found each line.

        ``window`` words of context on each side (punctuation is shown but
        not counted); ``case=True`` matches the exact case, otherwise
        case-folded forms.
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
        window = _check_window(window)
        if not isinstance(case, bool):
            raise TypeError(f"case must be True or False, not {case!r}")
        hits = [self._match(q, case) for q in queries]
        merged = hits[0] if len(hits) == 1 else _core.merge(hits)
        return Concordance(merged, self._ids, query=query if isinstance(query, str) else queries,
                           queries=queries, window=window, case=case)

    def _match(self, query: str, case: bool):
        patterns = parse(query)
        if any(p.kind in ("glob", "regex") for p in patterns) and self._vocabulary is None:
            self._vocabulary = Vocabulary(self._index)
        if self._vocabulary is None:
            slots = [(0, p.text) if p.kind == "literal" else (3,) for p in patterns]
        else:
            slots = [self._vocabulary.slot(p, case) for p in patterns]
        return self._index.match(slots, case)


def kwic(texts: Union[str, Iterable[str]], query: str | Iterable[str], window: int = 5,
         case: bool = False) -> Concordance:
    """One-shot KWIC over one text or a list of texts (see Corpus.kwic)."""
    corpus = Corpus([texts] if isinstance(texts, str) else texts)
    return corpus.kwic(query, window=window, case=case)


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


def _check_window(window: Any) -> int:
    if isinstance(window, bool):
        raise TypeError("window must be an int, not bool")
    try:
        window = operator.index(window)
    except TypeError:
        raise TypeError(f"window must be an int, not {type(window).__name__}") from None
    if window < 0:
        raise ValueError(f"window must be >= 0, not {window}")
    if window > 0xFFFFFFFF:
        raise ValueError(f"window must be < 2**32, not {window}")
    return window


def _raise_for_surrogates(texts: list[str], ids: list) -> None:
    """Name the document whose lone surrogate stopped the build."""
    for i, text in enumerate(texts):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise UnicodeEncodeError(
                "utf-8", text, error.start, error.end,
                f"lone surrogate in document {i} (id {ids[i]!r}): not valid Unicode text",
            ) from None
