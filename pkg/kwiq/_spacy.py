"""spaCy Docs as an annotated corpus (Corpus.from_spacy).

Each Doc's columns are read at once with ``Doc.to_array`` and handed to the
core as distinct strings plus an index per token, so no Python object is
made per token; the core adds the document with the GIL released.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Sized
from typing import Any

from kwiq import _build, _core
from kwiq._saved import FormatError

# kwiq's name of each attribute and the spaCy token attribute it holds (the
# name of its to_array column), in the default order: CoNLL-U's, then ner.
SPACY_ATTRIBUTES = {
    "lemma": "LEMMA",  # token.lemma_
    "upos": "POS",  # token.pos_
    "xpos": "TAG",  # token.tag_
    "feats": "MORPH",  # str(token.morph)
    "deprel": "DEP",  # token.dep_
    "head": "HEAD",  # CoNLL-U's HEAD, see Corpus.from_spacy
    "ner": "ENT_TYPE",  # token.ent_type_
}


# A (forms, index) column of kwiq._core.Builder.add_annotated, as its
# docstring and stub (_Column) say; the index a numpy array.
Column = tuple[Sequence[str], Any]


def read_spacy(
    docs: Iterable[Any], attrs: Sequence[str] | None = None, progress: bool = True
) -> tuple[Any, int]:
    """The index of spaCy Docs, and how many there were, as
    ``Corpus.from_spacy`` says."""
    attrs = _check_attrs(attrs)
    builder = _core.Builder()
    builder.annotate(attrs, ["s"])
    total = len(docs) if isinstance(docs, Sized) else None
    bar = _build.Progress(total, bool(progress), unit="docs")
    n_docs = 0
    vocab = None
    try:
        for k, doc in enumerate(docs):
            if vocab is None:
                vocab = _vocab_of(doc, k)
            elif _vocab_of(doc, k) is not vocab:
                raise FormatError(
                    f"docs[{k}] is from another Vocab than docs[0]; the Docs "
                    "of a corpus share one (one nlp, or one Vocab)"
                )
            try:
                builder.add_annotated(*_columns(doc, attrs))
            except FormatError as error:
                raise FormatError(f"docs[{k}], {error}") from None
            n_docs += 1
            bar.advance(1)
        return builder.finish(), n_docs
    finally:
        bar.close()


def _check_attrs(attrs: Any) -> list[str]:
    if attrs is None:
        return list(SPACY_ATTRIBUTES)
    if isinstance(attrs, str) or not hasattr(attrs, "__iter__"):
        raise TypeError(f"attrs must be a list of attribute names, not {attrs!r}")
    names: list[str] = list(attrs)
    for name in names:
        if name not in SPACY_ATTRIBUTES:
            raise ValueError(
                f"unknown attribute {name!r}: from_spacy reads {', '.join(SPACY_ATTRIBUTES)}"
            )
        if names.count(name) > 1:
            raise ValueError(f"attrs name {name!r} twice")
    return names


def _vocab_of(doc: Any, k: int) -> Any:
    from spacy.tokens import Doc

    if not isinstance(doc, Doc):
        raise TypeError(f"docs[{k}] is {type(doc).__name__}, not a spaCy Doc")
    return doc.vocab


def _columns(doc: Any, attrs: list[str]) -> tuple[str, Any, Any, Column, list[Column], Any]:
    """add_annotated's arguments for one Doc."""
    import numpy as np
    from spacy import attrs as spacy_attrs

    names = ["ORTH", "IDX", "IS_SPACE", "SENT_START", "DEP", "SPACY"]
    names += [SPACY_ATTRIBUTES[a] for a in attrs]
    table = doc.to_array([getattr(spacy_attrs, name) for name in names])
    table = table.reshape(len(doc), len(names)).astype(np.uint64)
    strings = doc.vocab.strings
    if "feats" in attrs:  # spaCy's empty MorphAnalysis is "_": the empty string here
        feats = table[:, 6 + attrs.index("feats")]
        feats[feats == strings["_"]] = 0
    # The word and the string attributes share one list of distinct
    # strings (key 0: the empty string), each column an index into it.
    string_columns = [0] + [6 + k for k, name in enumerate(attrs) if name != "head"]
    keys, index = np.unique(table[:, string_columns], return_inverse=True)
    index = index.reshape(len(doc), len(string_columns)).astype(np.uint32)
    forms = [strings[key] if key else "" for key in keys.tolist()]
    # doc.text, as Doc.text joins its tokens' text_with_ws, but without
    # a Token object each.
    with_space = np.array(forms + [form + " " for form in forms] or [""], dtype=object)
    text = "".join(with_space[index[:, 0] + len(forms) * (table[:, 5] != 0)].tolist())
    kept = table[:, 2] == 0
    index = index[kept]
    # The number of kept tokens before each spaCy token (and the end):
    # spaCy's token ranges map through it to kwiq's.
    before = np.concatenate([[0], np.cumsum(kept)]).astype(np.int64)
    firsts = _sentence_starts(doc, table[:, 3].view(np.int64))
    bounds = np.append(firsts, len(doc))
    regions = np.stack(
        [np.zeros(len(firsts), dtype=np.int64), before[bounds[:-1]], before[bounds[1:]]], axis=1
    )
    regions = regions[regions[:, 2] > regions[:, 1]]
    starts = table[kept, 1].astype(np.int64)
    lengths = np.array([len(form) for form in forms] or [0], dtype=np.int64)
    ends = starts + lengths[index[:, 0]]
    values: list[Column] = []
    column = 1
    for k, name in enumerate(attrs):
        if name == "head":
            values.append(
                _heads(table[:, 6 + k], kept, before, firsts if table[:, 4].any() else None)
            )
        else:
            values.append((forms, np.ascontiguousarray(index[:, column])))
            column += 1
    return (
        text,
        starts,
        ends,
        (forms, np.ascontiguousarray(index[:, 0])),
        values,
        np.ascontiguousarray(regions),
    )


def _sentence_starts(doc: Any, sent_start: Any) -> Any:
    """The first spaCy token of each of the Doc's sentences (none without
    sentence boundaries), as Doc.sents and Doc.has_annotation("SENT_START")
    find them, but over the to_array column rather than a Token each."""
    import numpy as np

    if "sents" in doc.user_hooks:
        return np.array([span.start for span in doc.sents], dtype=np.int64)
    if len(doc) == 0 or (len(doc) > 1 and not sent_start[1:].any()):
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([[0], 1 + np.flatnonzero(sent_start[1:] == 1)]).astype(np.int64)


def _heads(column: Any, kept: Any, before: Any, firsts: Any) -> Column:
    """The head column as CoNLL-U writes it (see Corpus.from_spacy); empty
    values for a Doc without dependencies (firsts None)."""
    import numpy as np

    if firsts is None or not len(firsts):
        return [""], np.zeros(int(kept.sum()), dtype=np.uint32)
    position = np.arange(len(column), dtype=np.int64)
    head = position + column.view(np.int64)
    sentence = np.zeros(len(column), dtype=np.int64)
    sentence[firsts] = firsts
    sentence_start = before[np.maximum.accumulate(sentence)]
    number = before[head] - sentence_start + 1
    number[head == position] = 0
    number[~kept[head]] = -1  # a whitespace head has no number
    values, index = np.unique(number[kept], return_inverse=True)
    return ["" if v < 0 else str(v) for v in values.tolist()], index.astype(np.uint32).ravel()
