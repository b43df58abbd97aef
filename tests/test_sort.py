"""Concordance.sort against Python's stable sorted() over keys computed here.

The keys come from the regex tokenizer of conftest and str.casefold(), not
from kwiq: the word at a context position counts words only, stops at the
line's document edge, and is missing (sorting first) past it; words compare
as casefolded str, i.e. by code point.
"""

import gc
import re

import pytest

import kwiq
from conftest import oracle_tokens

KEY_SETS = [
    ("R1",),
    ("L1",),
    ("R1", "R2"),
    ("L2", "R1"),
    ("match",),
    ("doc",),
    ("position",),
    ("L5",),
    ("R5", "L3", "R1"),
    ("r1", "MATCH"),
    ("doc", "l1"),
]
MISSING = (0, "")


class Oracle:
    """Sort keys of Lines, from the texts of their documents."""

    def __init__(self, texts, ids):
        self.docs = {}
        for number, (doc_id, text) in enumerate(zip(ids, texts)):
            toks = oracle_tokens(text)
            assert [text[s:e] for s, e, _ in toks] == kwiq.tokenize(text), (
                "the oracle tokenizer must agree with kwiq on the texts sorted here"
            )
            starts = {s: i for i, (s, _, _) in enumerate(toks)}
            ends = {e: i for i, (_, e, _) in enumerate(toks)}
            self.docs[doc_id] = (number, text, toks, starts, ends)

    def key(self, line, name):
        number, text, toks, starts, ends = self.docs[line.doc]
        first, last = starts[line.char_start], ends[line.char_end]
        name = name.lower()
        if name == "match":
            return tuple(text[s:e].casefold() for s, e, _ in toks[first : last + 1])
        if name == "doc":
            return number
        if name == "position":
            return (number, first)
        side, wanted = name[0], int(name[1:])
        if side == "l":
            candidates = range(first - 1, -1, -1)
        else:
            candidates = range(last + 1, len(toks))
        words = 0
        for i in candidates:
            s, e, is_word = toks[i]
            words += is_word
            if is_word and words == wanted:
                return (1, text[s:e].casefold())
        return MISSING

    def sort(self, lines, keys):
        return sorted(lines, key=lambda line: tuple(self.key(line, k) for k in keys))


@pytest.fixture(scope="module")
def letter():
    corpus = kwiq.sample()
    return corpus, Oracle([corpus.text(doc) for doc in corpus.ids], corpus.ids)


@pytest.fixture(scope="module")
def novel(gutenberg_text):
    corpus = kwiq.Corpus([gutenberg_text], ids=["p&p"])
    return corpus, Oracle([gutenberg_text], ["p&p"])


@pytest.fixture(scope="module")
def chapters(gutenberg_text):
    texts = re.split(r"(?=Chapter \d+)", gutenberg_text)[:25]
    ids = [f"chapter-{i}" for i in range(len(texts))]
    return kwiq.Corpus(texts, ids=ids), Oracle(texts, ids)


@pytest.mark.parametrize("keys", KEY_SETS)
@pytest.mark.parametrize("query", ["the", "peace", "of", "Cuba", "U-2", "Soviet Government"])
def test_letter(letter, query, keys):
    corpus, oracle = letter
    conc = corpus.kwic(query, window=3)
    assert list(conc.sort(*keys)) == oracle.sort(list(conc), keys)


@pytest.mark.parametrize("keys", KEY_SETS)
@pytest.mark.parametrize("query", ["Elizabeth", "said", "Mr. Darcy", "the"])
def test_gutenberg(novel, query, keys):
    corpus, oracle = novel
    conc = corpus.kwic(query, window=2)
    assert list(conc.sort(*keys)) == oracle.sort(list(conc), keys)


@pytest.mark.parametrize("keys", KEY_SETS)
@pytest.mark.parametrize("query", ["Bennet", "her", "I am"])
def test_several_documents(chapters, query, keys):
    corpus, oracle = chapters
    conc = corpus.kwic(query, window=4)
    assert list(conc.sort(*keys)) == oracle.sort(list(conc), keys)


@pytest.mark.parametrize(
    "first, then",
    [(("R1",), ("L1",)), (("L2", "R1"), ("R2",)), (("R1",), ("doc",)), (("L1",), ("position",))],
)
def test_sorting_a_sorted_concordance_is_stable(chapters, first, then):
    corpus, oracle = chapters
    conc = corpus.kwic("Elizabeth", window=1)
    expected = oracle.sort(oracle.sort(list(conc), first), then)
    assert list(conc.sort(*first).sort(*then)) == expected


def test_missing_words_sort_first_and_documents_are_not_crossed():
    corpus = kwiq.Corpus(["b x", "x, a", "x", "Zebra x"], ids=list("pqrs"))
    assert [line.doc for line in corpus.kwic("x").sort("R1")] == ["p", "r", "s", "q"]
    assert [line.doc for line in corpus.kwic("x").sort("L1")] == ["q", "r", "p", "s"]
    assert [line.doc for line in corpus.kwic("x").sort("L2", "R1")] == ["p", "r", "s", "q"]


def test_code_point_order_of_folded_words_and_case_ties():
    texts = [
        "x \u00e9clair",
        "x Zebra",
        "x apple",
        "x zebra",
        "x ZEBRA",
        "x war",
        "x warm",
        "x Stra\u00dfe",
        "x strasse",
    ]
    corpus = kwiq.Corpus(texts)
    got = [line.right.strip() for line in corpus.kwic("x").sort("R1")]
    # "strasse" and "Straße" tie: both fold to "strasse"; ties keep corpus order.
    assert got == [
        "apple",
        "Stra\u00dfe",
        "strasse",
        "war",
        "warm",
        "Zebra",
        "zebra",
        "ZEBRA",
        "\u00e9clair",
    ]


def test_context_positions_ignore_the_window():
    corpus = kwiq.Corpus(["one two three four five x", "five four three two one x", "a x"])
    conc = corpus.kwic("x", window=0)
    assert [line.doc for line in conc.sort("L5")] == [2, 1, 0]  # "five" < "one"
    assert [line.doc for line in conc.sort("L3")] == [2, 0, 1]  # "three" ties
    assert conc.sort("L5")[0] == conc[2]  # the Lines themselves keep window 0


def test_sort_returns_a_new_concordance():
    corpus = kwiq.Corpus(["b x a x c x"])
    conc = corpus.kwic("X", window=1, case=False)
    before = list(conc)
    ordered = conc.sort("R1")
    assert ordered is not conc and isinstance(ordered, kwiq.Concordance)
    assert list(conc) == before
    assert (ordered.query, ordered.window, ordered.case) == ("X", 1, False)
    assert [line.right for line in ordered] == ["", " a", " c"]
    assert len(corpus.kwic("nothing").sort("R1")) == 0


def test_case_sensitive_concordance_sorts_case_folded_words():
    corpus = kwiq.Corpus(["x Beta x alpha x BETA x Alpha X gamma"])
    conc = corpus.kwic("x", window=1, case=True)
    assert [line.right.strip() for line in conc.sort("R1")] == ["alpha", "Alpha", "Beta", "BETA"]


def test_sorted_concordance_outlives_its_corpus():
    corpus = kwiq.Corpus(["c x b x a x"])
    ordered = corpus.kwic("x", window=1).sort("L1")
    del corpus
    gc.collect()
    assert [line.left.strip() for line in ordered] == ["a", "b", "c"]


@pytest.mark.parametrize(
    "keys, error, message",
    [
        (
            (),
            ValueError,
            "at least one key: L5, L4, L3, L2, L1, match, R1, R2, R3, R4, R5, doc, position",
        ),
        (("R6",), ValueError, "unknown sort key 'R6'; the keys are L5, L4"),
        (("R1", "L0"), ValueError, "unknown sort key 'L0'"),
        (("left",), ValueError, "doc, position"),
        ((" R1",), ValueError, "unknown sort key ' R1'"),
        ((1,), TypeError, "sort keys must be str, not int"),
        (("R1", b"R2"), TypeError, "not bytes"),
        ((None,), TypeError, "not NoneType"),
    ],
)
def test_bad_keys(keys, error, message):
    conc = kwiq.Corpus(["a x b"]).kwic("x")
    with pytest.raises(error, match=re.escape(message)):
        conc.sort(*keys)


def test_core_rejects_bad_keys():
    hits = kwiq.Corpus(["a x b"]).kwic("x")._hits
    from kwiq import _core

    for keys, error in [
        ([(_core.SORT_LEFT, 0)], ValueError),
        ([(99, 1)], ValueError),
        ([(_core.SORT_RIGHT, -1)], ValueError),
        ([(_core.SORT_RIGHT, 2**32)], ValueError),
        ([_core.SORT_DOC], TypeError),
        (5, TypeError),
    ]:
        with pytest.raises(error):
            hits.sort(keys)
    assert len(hits.sort([])) == 1
