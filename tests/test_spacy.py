"""Corpus.from_spacy: Docs built by hand from the UD dev sets
(tests/same_data.py) give what from_conllu gives on the CoNLL-U; Docs of
spacy.blank pipelines and small Docs checked by hand; bad input. spaCy's
models cannot be downloaded here, so no test needs one."""

from __future__ import annotations

from pathlib import Path

import pytest

import kwiq

spacy = pytest.importorskip("spacy")
from spacy.tokens import Doc  # noqa: E402

from cql_generate import generate  # noqa: E402
from cql_oracle import read_conllu  # noqa: E402
from same_data import hits, spacy_docs, three_corpora  # noqa: E402

UD = Path(__file__).parent / "data" / "ud"
EN = UD / "en_ewt-ud-dev.conllu"
DE = UD / "de_gsd-ud-dev.conllu"
CONLLU_ATTRIBUTES = ("word", "lemma", "upos", "xpos", "feats", "deprel", "head")


@pytest.fixture(scope="module", params=[EN, DE], ids=["en_ewt", "de_gsd"])
def both(request):
    path = request.param
    docs = spacy_docs(path, spacy.blank("en").vocab)
    return (
        path,
        kwiq.Corpus.from_conllu(path, progress=False),
        kwiq.Corpus.from_spacy(docs, progress=False),
        docs,
    )


def test_same_tokens_attributes_and_sentences(both):
    path, conllu, corpus, docs = both
    assert corpus.n_tokens == conllu.n_tokens == {EN: 25_147, DE: 12_480}[path]
    assert corpus.ids == tuple(range(len(docs))) and corpus.n_docs == conllu.n_docs
    assert corpus.attributes == CONLLU_ATTRIBUTES + ("ner",)
    assert corpus.structures == ("text", "s")
    for doc, conllu_doc in zip(corpus.ids, conllu.ids):
        for attr in CONLLU_ATTRIBUTES:
            if attr != "feats":
                assert corpus.tokens(doc, attr) == conllu.tokens(conllu_doc, attr), attr
        # spaCy writes features in its own order (case-sensitive), UD in
        # case-insensitive order: the same features, maybe reordered.
        assert [sorted(feats.split("|")) for feats in corpus.tokens(doc, "feats")] == [
            sorted(feats.split("|")) for feats in conllu.tokens(conllu_doc, "feats")
        ]
        assert corpus.regions("s", doc) == conllu.regions("s", conllu_doc)
        assert set(corpus.tokens(doc, "ner")) == {""}


def test_text_and_offsets_are_spacys(both):
    """The text is doc.text, every hit's text[char_start:char_end] is its
    token's text at token.idx, and the whitespace tokens between sentences
    are no tokens."""
    _, _, corpus, docs = both
    lines = corpus.kwic("/.+/", window=0)
    assert len(lines) == corpus.n_tokens
    tokens = [[t for t in doc if not t.is_space] for doc in docs]
    assert sum(len(doc) for doc in docs) - corpus.n_tokens == sum(
        len(list(doc.sents)) - 1 for doc in docs
    )  # one "\n" token between sentences
    for doc, spacy_doc in zip(corpus.ids, docs):
        assert corpus.text(doc) == spacy_doc.text
    for line in lines:
        token = tokens[line.doc][line.start]
        assert (line.char_start, line.char_end) == (token.idx, token.idx + len(token.text))
        assert corpus.text(line.doc)[line.char_start : line.char_end] == token.text


# Queries all three sources answer alike; issue 11's 50 CQL queries join
# here (with syntax="cql") once CQL exists.
QUERIES = ["the", "der", "/[A-Z].*/", "of the", "/.+/", "in *", "/[0-9]+/ /.*/"]


@pytest.mark.parametrize("path", [EN, DE], ids=["en_ewt", "de_gsd"])
def test_the_three_sources_answer_alike(path, tmp_path):
    corpora = three_corpora(path, tmp_path)
    assert list(corpora) == ["conllu", "vrt", "spacy"]
    found = 0
    for query in QUERIES:
        expected = hits(corpora["conllu"], query, case=True)
        found += bool(expected)
        for name in ("vrt", "spacy"):
            assert hits(corpora[name], query, case=True) == expected, (name, query)
    assert found >= 5  # the comparison is not of empty lists


def cql_queries(path: Path, n: int) -> list[str]:
    """n generated CQL queries (tests/cql_generate.py, a fixed seed) that
    every source can answer: none reads paragraphs (spaCy has none) or
    feats (spaCy orders a token's features its own way)."""
    import random

    return [
        query
        for query in generate(random.Random(1962), read_conllu(path), 4 * n)
        if "feats" not in query and "p>" not in query and "within p" not in query
    ][:n]


@pytest.mark.parametrize("path", [EN, DE], ids=["en_ewt", "de_gsd"])
def test_the_three_sources_answer_cql_alike(path, tmp_path):
    """Issue 11: from_vrt and from_spacy answer 50 CQL queries exactly as
    from_conllu does, on the same data."""
    corpora = three_corpora(path, tmp_path)
    queries = cql_queries(path, 50)
    assert len(queries) == 50
    found = 0
    for query in queries:
        expected = hits(corpora["conllu"], query, syntax="cql")
        found += bool(expected)
        for name in ("vrt", "spacy"):
            assert hits(corpora[name], query, syntax="cql") == expected, (name, query)
    assert found >= 25  # the comparison is not of empty lists


def test_a_doc_by_hand():
    vocab = spacy.blank("en").vocab
    doc = Doc(
        vocab,
        words=["Hello", ",", "wörld", "\n", "Bye", "!", " ", "x"],
        spaces=[False, True, False, False, False, True, False, False],
        lemmas=["hello", ",", "world", "\n", "bye", "!", " ", "x"],
        pos=["INTJ", "PUNCT", "NOUN", "SPACE", "INTJ", "PUNCT", "SPACE", "X"],
        tags=["UH", ",", "NN", "_SP", "UH", ".", "_SP", "FW"],
        morphs=["", "", "Number=Sing", "", "", "", "", "Foreign=Yes"],
        deps=["ROOT", "punct", "appos", "dep", "ROOT", "punct", "dep", "dep"],
        heads=[0, 0, 0, 2, 4, 4, 4, 4],
        ents=["O", "O", "B-GPE", "O", "O", "O", "O", "O"],
    )
    assert doc.text == "Hello, wörld\nBye!  x"
    corpus = kwiq.Corpus.from_spacy([doc], ids=["greeting"], progress=False)
    assert corpus.text("greeting") == doc.text
    assert corpus.tokens("greeting") == ["Hello", ",", "wörld", "Bye", "!", "x"]
    assert corpus.tokens("greeting", "lemma") == ["hello", ",", "world", "bye", "!", "x"]
    assert corpus.tokens("greeting", "upos") == ["INTJ", "PUNCT", "NOUN", "INTJ", "PUNCT", "X"]
    assert corpus.tokens("greeting", "xpos") == ["UH", ",", "NN", "UH", ".", "FW"]
    assert corpus.tokens("greeting", "feats") == ["", "", "Number=Sing", "", "", "Foreign=Yes"]
    assert corpus.tokens("greeting", "deprel") == ["ROOT", "punct", "appos", "ROOT", "punct", "dep"]
    assert corpus.tokens("greeting", "head") == ["0", "1", "1", "0", "1", "1"]
    assert corpus.tokens("greeting", "ner") == ["", "", "GPE", "", "", ""]
    assert corpus.regions("s", "greeting") == [(0, 3), (3, 6)]
    (line,) = corpus.kwic("x", window=1)
    assert (line.start, line.char_start, line.char_end) == (5, 19, 20)
    (line,) = corpus.kwic("wörld", window=1)
    assert (line.char_start, line.char_end) == (7, 12)


def test_blank_pipelines_and_a_sentencizer():
    nlp = spacy.blank("en")
    texts = ["Peace, at last.  It came late.", "Ünïcödé words; “quotes”.", ""]
    corpus = kwiq.Corpus.from_spacy(nlp.pipe(texts), ["lemma", "upos"], progress=False)
    assert corpus.attributes == ("word", "lemma", "upos") and corpus.n_docs == 3
    for k, doc in enumerate(nlp.pipe(texts)):
        assert corpus.text(k) == texts[k]
        assert corpus.tokens(k) == [t.text for t in doc if not t.is_space]
        assert set(corpus.tokens(k, "upos")) <= {""}
        assert corpus.regions("s", k) == []  # no sentence boundaries
    nlp.add_pipe("sentencizer")
    corpus = kwiq.Corpus.from_spacy([nlp(texts[0])], ["lemma"], progress=False)
    # "Peace , at last ." and "It came late ." with the space token between
    # them left out (it ends the first sentence in spaCy's Doc).
    assert corpus.regions("s", 0) == [(0, 5), (5, 9)]
    assert [corpus.text(0)[line.char_start : line.char_end] for line in corpus.kwic("/.+/")] == [
        "Peace",
        ",",
        "at",
        "last",
        ".",
        "It",
        "came",
        "late",
        ".",
    ]


def test_ids_metadata_and_save(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    corpus = kwiq.Corpus.from_spacy(
        (nlp(t) for t in ["Hi there. Bye now.", "d"]),
        ["lemma", "ner"],
        ids=["x", "y"],
        metadata=[{"year": 1}, {"year": 2}],
        progress=False,
    )
    assert corpus.ids == ("x", "y") and corpus.metadata["year"].tolist() == [1, 2]
    corpus.save(tmp_path / "spacy.kwiq")
    loaded = kwiq.Corpus.load(tmp_path / "spacy.kwiq")
    assert loaded.attributes == ("word", "lemma", "ner") and loaded.structures == ("text", "s")
    assert loaded.regions("s", "x") == corpus.regions("s", "x") == [(0, 3), (3, 6)]
    assert list(loaded.kwic("/.+/")) == list(corpus.kwic("/.+/"))
    with pytest.raises(ValueError, match="1 ids for 2 texts"):
        kwiq.Corpus.from_spacy([nlp("a"), nlp("b")], ids=["x"], progress=False)


def test_a_doc_from_another_vocab():
    first, second = spacy.blank("en"), spacy.blank("en")
    with pytest.raises(kwiq.FormatError, match=r"docs\[2\] is from another Vocab than docs\[0\]"):
        kwiq.Corpus.from_spacy([first("a"), first("b"), second("c")], progress=False)


@pytest.mark.parametrize(
    "docs, attrs, error, message",
    [
        (["a text"], ("lemma",), TypeError, r"docs\[0\] is str, not a spaCy Doc"),
        ([], ("pos_",), ValueError, "unknown attribute 'pos_': from_spacy reads lemma, upos"),
        ([], ("lemma", "lemma"), ValueError, "twice"),
        ([], "lemma", TypeError, "attrs must be a list"),
    ],
)
def test_bad_arguments(docs, attrs, error, message):
    with pytest.raises(error, match=message):
        kwiq.Corpus.from_spacy(docs, attrs, progress=False)


def test_the_binding_refuses_bad_documents():
    """Builder.add_annotated maps what the core refuses to FormatError
    naming the token or region, and adds nothing."""
    import array

    from kwiq import _core

    builder = _core.Builder()
    builder.annotate(["lemma"], ["s"])

    def add(starts, ends, regions=(), text="ab cd"):
        forms = (["ab", "cd"], array.array("I", range(len(starts))))
        builder.add_annotated(
            text,
            array.array("q", starts),
            array.array("q", ends),
            forms,
            [forms],
            array.array("q", regions),
        )

    with pytest.raises(kwiq.FormatError, match="token 1: its span overlaps"):
        add([0, 1], [2, 5])
    with pytest.raises(kwiq.FormatError, match="token 1: its span 3..9 is not within"):
        add([0, 3], [2, 9])
    with pytest.raises(kwiq.FormatError, match="region 0: its structure is not one"):
        add([0, 3], [2, 5], [1, 0, 2])
    with pytest.raises(kwiq.FormatError, match="region 1: it does not come after"):
        add([0, 3], [2, 5], [0, 0, 2, 0, 1, 2])
    with pytest.raises(ValueError, match="names form 1 of 1"):
        builder.add_annotated(
            "ab",
            array.array("q", [0]),
            array.array("q", [2]),
            (["ab"], array.array("I", [1])),
            [(["x"], array.array("I", [0]))],
            array.array("q"),
        )
    assert builder.n_docs == 0
    add([0, 3], [2, 5], [0, 0, 2])
    index = builder.finish()
    assert index.n_docs == 1 and index.attributes() == ("word", "lemma")


def test_interrupt_stops_adding_a_doc():
    """Builder.interrupt() (as Ctrl-C) stops add_annotated, released from
    the GIL, and the builder is as before the call."""
    import numpy as np

    from kwiq import _core

    n = 200_000
    builder = _core.Builder()
    builder.annotate([], [])
    builder.interrupt()
    starts = np.arange(n, dtype=np.int64) * 2
    with pytest.raises(KeyboardInterrupt):
        builder.add_annotated(
            "a " * n, starts, starts + 1, (["a"], np.zeros(n, np.uint32)), [], np.zeros(0, np.int64)
        )
    assert builder.n_docs == 0


def test_sentences_of_a_user_hook():
    """A Doc whose sentences come from a user hook (as some pipelines set
    them): the hook's sentences, as doc.sents gives them."""
    doc = spacy.blank("en")("one two three four")
    doc.user_hooks["sents"] = lambda d: iter([d[0:1], d[1:4]])
    corpus = kwiq.Corpus.from_spacy([doc], [], progress=False)
    assert corpus.regions("s", 0) == [(0, 1), (1, 4)]
    assert corpus.attributes == ("word",)
