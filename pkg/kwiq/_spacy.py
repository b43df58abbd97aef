"""spaCy Docs as an annotated corpus (Corpus.from_spacy).

Each Doc's columns are read at once with ``Doc.to_array`` and handed to the
core as distinct strings plus an index per token, so no Python object is
made per token; the core adds the document with the GIL released.
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

from kwiq import _build, _core
from kwiq._saved import FormatError

# kwiq's name of each attribute and the spaCy token attribute it holds (the
# name of its to_array column), in the default order: CoNLL-U's, then ner.
SPACY_ATTRIBUTES = {
    "lemma": "LEMMA",     # token.lemma_
    "upos": "POS",        # token.pos_
    "xpos": "TAG",        # token.tag_
    "feats": "MORPH",     # str(token.morph)
    "deprel": "DEP",      # token.dep_
    "head": "HEAD",       # CoNLL-U's HEAD, see read_spacy
    "ner": "ENT_TYPE",    # token.ent_type_
}


def read_spacy(docs: Iterable[Any], attrs: Sequence[str] = tuple(SPACY_ATTRIBUTES),
               progress: bool = True) -> tuple[Any, int]:
    """The index of spaCy Docs, and how many there were.

    - The text of a document is ``doc.text``; its tokens are the Doc's
      tokens except whitespace tokens (``token.is_space``), each with the
      span ``token.idx .. token.idx + len(token.text)``, and word
      ``token.text``.
    - Attributes: ``attrs`` names them, from ``lemma`` (``lemma_``),
      ``upos`` (``pos_``), ``xpos`` (``tag_``), ``feats``
      (``str(morph)``), ``deprel`` (``dep_``), ``head`` and ``ner``
      (``ent_type_``, without the IOB part), all by default. ``head`` is
      CoNLL-U's HEAD: the number of the token's head in its sentence,
      counting tokens from 1, ``0`` for a root. A value the Doc does not
      have (no lemmatizer, no parser: ``head`` of a Doc without
      dependencies) is the empty string.
    - Structures: ``s``, the Doc's sentences (``doc.sents``) when it has
      sentence boundaries (set by hand, a sentencizer or a parser); a Doc
      without has no ``s`` regions. Sentences of whitespace only are left
      out.

    TypeError for an item that is not a Doc; FormatError naming the Doc's
    index for a Doc from another Vocab than the first; nothing is built
    then.
    """
    attrs = _check_attrs(attrs)
    builder = _core.Builder()
    builder.annotate(attrs, ["s"])
    sized = hasattr(docs, "__len__") and hasattr(docs, "__getitem__")
    bar = _build.Progress(sum(len(getattr(doc, "text", "")) for doc in docs) if sized else None,
                          bool(progress))
    n_docs = 0
    vocab = None
    try:
        for k, doc in enumerate(docs):
            if vocab is None:
                vocab = _vocab_of(doc, k)
            elif _vocab_of(doc, k) is not vocab:
                raise FormatError(f"docs[{k}] is from another Vocab than docs[0]; the Docs "
                                  "of a corpus share one (one nlp, or one Vocab)")
            try:
                builder.add_annotated(*_columns(doc, attrs))
            except FormatError as error:
                raise FormatError(f"docs[{k}], {error}") from None
            n_docs += 1
            bar.advance(len(doc.text))
        return builder.finish(), n_docs
    finally:
        bar.close()


def _check_attrs(attrs: Any) -> list[str]:
    if isinstance(attrs, str) or not hasattr(attrs, "__iter__"):
        raise TypeError(f"attrs must be a list of attribute names, not {attrs!r}")
    attrs = list(attrs)
    for name in attrs:
        if name not in SPACY_ATTRIBUTES:
            raise ValueError(f"unknown attribute {name!r}: from_spacy reads "
                             f"{', '.join(SPACY_ATTRIBUTES)}")
        if attrs.count(name) > 1:
            raise ValueError(f"attrs name {name!r} twice")
    return attrs


def _vocab_of(doc: Any, k: int) -> Any:
    from spacy.tokens import Doc
    if not isinstance(doc, Doc):
        raise TypeError(f"docs[{k}] is {type(doc).__name__}, not a spaCy Doc")
    return doc.vocab


def _columns(doc: Any, attrs: list[str]) -> tuple:
    """add_annotated's arguments for one Doc."""
    import numpy as np
    from spacy import attrs as spacy_attrs

    names = ["ORTH", "IDX", "IS_SPACE"] + [SPACY_ATTRIBUTES[a] for a in attrs]
    table = doc.to_array([getattr(spacy_attrs, name) for name in names])
    table = table.reshape(len(doc), len(names)).astype(np.uint64)
    kept = table[:, 2] == 0
    # kwiq's number of each spaCy token (of the kept ones), and of the
    # kept tokens before each spaCy token: regions map through it.
    before = np.concatenate([[0], np.cumsum(kept)]).astype(np.int64)
    sentences = _sentences(doc)
    regions = [(0, before[start], before[end]) for start, end in sentences
               if before[end] > before[start]]
    strings = doc.vocab.strings
    words = _distinct(table[kept, 0], lambda h: strings[int(h)])
    starts = table[kept, 1].astype(np.int64)
    lengths = np.array([len(form) for form in words[0]] or [0], dtype=np.int64)
    ends = starts + lengths[words[1]]
    values = []
    for k, name in enumerate(attrs):
        column = table[:, 3 + k]
        if name == "head":
            values.append(_heads(doc, column, kept, before, sentences))
        else:
            empty = "_" if name == "feats" else ""  # spaCy's empty MorphAnalysis is "_"
            values.append(_distinct(column[kept], lambda h, empty=empty: _string(strings, h,
                                                                                 empty)))
    return (doc.text, starts, ends, words, values,
            np.array(regions, dtype=np.int64).reshape(-1, 3))


def _string(strings: Any, key: Any, empty: str) -> str:
    value = strings[int(key)] if key else ""
    return "" if value == empty else value


def _distinct(keys: Any, string_of: Any) -> tuple[list[str], Any]:
    """(the strings of the distinct keys, each key's index among them)."""
    import numpy as np
    distinct, index = np.unique(keys, return_inverse=True)
    return [string_of(key) for key in distinct], index.astype(np.uint32).ravel()


def _sentences(doc: Any) -> list[tuple[int, int]]:
    """The spaCy token ranges of the Doc's sentences, [] without."""
    if not len(doc) or not doc.has_annotation("SENT_START"):
        return []
    return [(span.start, span.end) for span in doc.sents]


def _heads(doc: Any, column: Any, kept: Any, before: Any, sentences: list) -> tuple:
    """The head column as CoNLL-U writes it (see read_spacy)."""
    import numpy as np
    n = len(doc)
    if not doc.has_annotation("DEP") or not sentences:
        return [""], np.zeros(int(kept.sum()), dtype=np.uint32)
    position = np.arange(n, dtype=np.int64)
    head = position + column.view(np.int64)
    sentence_start = np.zeros(n, dtype=np.int64)
    for start, end in sentences:
        sentence_start[start:end] = before[start]
    number = before[head] - sentence_start + 1
    number[head == position] = 0
    number[~kept[head]] = -1  # a whitespace head has no number
    return _distinct(number[kept], lambda v: "" if v < 0 else str(int(v)))
