"""Plain text's structures s and p (issue 11, "Structures"): the sentences
and paragraphs of kwiq's own rule, the one bound="sentence" and
bound="paragraph" stop contexts at (the rule: Corpus.kwic's docstring).

The oracle is that rule written again here over the tokens, found in the
text by their written forms (kwiq.tokenize), and checked three ways:
corpus.regions, CQL's <s>, </s> and within, and the contexts of bounded
lines."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

import kwiq
from conftest import ABBREVIATIONS, LINE_BREAK

DATA = Path(__file__).parent / "data"
TEXTS = [  # (file, encoding)
    (DATA / "inaugural" / "1789-Washington.txt", "utf-8"),
    (DATA / "state_union" / "1945-Truman.txt", "utf-8"),
    (DATA / "genesis" / "french.txt", "latin-1"),
    (DATA / "gutenberg" / "35-The-Time-Machine.txt", "utf-8"),
]
# Each edge of the rule once: abbreviations (one folding to "st" only under
# full case folding), initials, a title-case letter, the other marks, line
# breaks of every kind, a quote that hides an end, and empty documents.
EDGES = [
    "Mr. Smith met Dr. Who. J. R. Doe came! Did he? Yes. Go ſt. Louis. Zt. Paul. ǅemal is here.",
    'One.\r\n\r\nTwo.\u2028\u2029Three.\x85\nFour.\n \nFive.\r\rSix. "Seven." Eight',
    "",
    "   \n\n  ",
    "no end here. lower case goes on. 3 is no letter. Á starts one.",
]


def casefold(form: str) -> str:
    return form.casefold().replace("\u2019", "'")


def token_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every token: kwiq.tokenize's forms found in order."""
    spans, at = [], 0
    for form in kwiq.tokenize(text):
        start = text.index(form, at)
        assert text[at:start].isspace() or start == at
        spans.append((start, start + len(form)))
        at = start + len(form)
    return spans


def boundary(text: str, spans: list, i: int) -> str | None:
    """ "p", "s" or None between tokens i - 1 and i, by the rule."""
    (pb, pe), (nb, _) = spans[i - 1], spans[i]
    if nb <= pe:
        return None
    if len(LINE_BREAK.findall(text[pe:nb])) >= 2:
        return "p"
    mark = text[pb:pe]
    if mark not in (".", "!", "?") or unicodedata.category(text[nb]) not in ("Lu", "Lt"):
        return None
    if mark == "." and i >= 2 and spans[i - 2][1] == pb:
        before = text[spans[i - 2][0] : pb]
        if len(before) == 1 and unicodedata.category(before) in ("Lu", "Lt"):
            return None
        if casefold(before) in ABBREVIATIONS:
            return None
    return "s"


def oracle_regions(text: str) -> tuple[list, list]:
    """The sentences and paragraphs of one text, as token ranges."""
    spans = token_spans(text)
    if not spans:
        return [], []
    cuts = {"s": [0], "p": [0]}
    for i in range(1, len(spans)):
        kind = boundary(text, spans, i)
        if kind:
            cuts["s"].append(i)
        if kind == "p":
            cuts["p"].append(i)
    return tuple([(a, b) for a, b in zip(cuts[k], cuts[k][1:] + [len(spans)])] for k in ("s", "p"))


def letter_text() -> str:
    letter = kwiq.sample()
    return letter.text(letter.ids[0])


@pytest.fixture(scope="module")
def texts():
    return [letter_text()] + [path.read_text(encoding=encoding) for path, encoding in TEXTS] + EDGES


@pytest.fixture(scope="module")
def corpus(texts):
    return kwiq.Corpus(texts)


def test_a_plain_corpus_has_s_and_p(corpus):
    assert corpus.structures == ("text", "s", "p")
    assert kwiq.sample().structures == ("text", "s", "p")


def test_regions_are_the_rule(corpus, texts):
    for doc, text in enumerate(texts):
        sentences, paragraphs = oracle_regions(text)
        assert corpus.regions("s", doc) == sentences, doc
        assert corpus.regions("p", doc) == paragraphs, doc
    # The rule found something to tell apart in every text of many lines
    # (the French Genesis has no blank line: one paragraph).
    counts = [(len(corpus.regions("s", d)), len(corpus.regions("p", d))) for d in range(5)]
    assert all(s > p >= 1 for s, p in counts) and sum(p > 1 for _, p in counts) == 4


def test_the_edges_by_hand(corpus):
    """The oracle itself, on the edges, against what the rule says."""
    first = len(TEXTS) + 1
    assert [corpus.tokens(first)[a] for a, _ in corpus.regions("s", first)] == [
        "Mr",
        "J",
        "Did",
        "Yes",
        "Go",
        "Zt",
        "Paul",
        "ǅemal",
    ]
    assert [corpus.tokens(first + 1)[a] for a, _ in corpus.regions("p", first + 1)] == [
        "One",
        "Two",
        "Three",
        "Four",
        "Five",
        "Six",
    ]
    # The quotes around "Seven." hide both ends: no sentence starts there.
    assert [corpus.tokens(first + 1)[a] for a, _ in corpus.regions("s", first + 1)] == [
        "One",
        "Two",
        "Three",
        "Four",
        "Five",
        "Six",
    ]
    assert corpus.regions("s", first + 2) == corpus.regions("p", first + 3) == []
    assert len(corpus.regions("s", first + 4)) == 2


def positions(lines) -> list[tuple[int, int, int]]:
    return sorted((line.doc, line.start, line.end) for line in lines)


@pytest.mark.parametrize("name", ["s", "p"])
def test_cql_anchors_and_within_follow_the_regions(corpus, name):
    regions = {d: corpus.regions(name, d) for d in range(corpus.n_docs)}
    firsts = [(d, a, a + 1) for d in regions for a, _ in regions[d]]
    lasts = [(d, b - 1, b) for d in regions for _, b in regions[d]]
    assert positions(corpus.kwic(f"<{name}> []", syntax="cql")) == sorted(firsts)
    assert positions(corpus.kwic(f"[] </{name}>", syntax="cql")) == sorted(lasts)
    whole = [(d, a, b) for d in regions for a, b in regions[d]]
    assert positions(corpus.kwic(f"<{name}> []+ </{name}>", syntax="cql")) == sorted(whole)
    # Two tokens within a region never cross one's end: every pair of
    # neighbours but those across a boundary.
    pairs = [(d, k, k + 2) for d in regions for a, b in regions[d] for k in range(a, b - 1)]
    assert positions(corpus.kwic(f"[] [] within {name}", syntax="cql")) == sorted(pairs)


@pytest.mark.parametrize("bound, name", [("sentence", "s"), ("paragraph", "p")])
def test_bounded_contexts_are_the_regions(bound, name):
    texts = [letter_text(), TEXTS[0][0].read_text(encoding="utf-8")] + EDGES
    corpus = kwiq.Corpus(texts)
    collapse = re.compile(r"\s+")
    lines = corpus.kwic("[]", syntax="cql", width=100_000, bound=bound)
    assert len(lines) == corpus.n_tokens
    spans_of = [token_spans(text) for text in texts]
    for line in lines:
        text, spans = texts[line.doc], spans_of[line.doc]
        ((a, b),) = [(a, b) for a, b in corpus.regions(name, line.doc) if a <= line.start < b]
        left = collapse.sub(" ", text[spans[a][0] : spans[line.start][0]])
        right = collapse.sub(" ", text[spans[line.start][1] : spans[b - 1][1]])
        assert (line.left, line.right) == (left, right)


def test_saved_and_loaded_the_same(corpus, tmp_path):
    path = tmp_path / "plain.kwiq"
    corpus.save(path)
    back = kwiq.Corpus.load(path)
    assert back.structures == corpus.structures
    for name in ("s", "p"):
        assert [back.regions(name, d) for d in range(back.n_docs)] == [
            corpus.regions(name, d) for d in range(corpus.n_docs)
        ]
    assert positions(back.kwic("<s> []", syntax="cql")) == positions(
        corpus.kwic("<s> []", syntax="cql")
    )


def test_threads_find_them_once(texts):
    """Threads asking at once for a fresh corpus's regions all get the same."""
    from concurrent.futures import ThreadPoolExecutor

    corpus = kwiq.Corpus(texts)
    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda _: corpus.regions("s", 1), range(8)))
    assert all(f == oracle_regions(texts[1])[0] for f in found)


def test_annotated_corpora_keep_their_own(tmp_path):
    """A VRT file's sentences, where the rule would cut elsewhere, and no p
    added to a corpus whose source gives only s."""
    path = tmp_path / "small.vrt"
    path.write_text(
        '<text id="t1">\n<s>\nSee\nMr\n<g/>\n.\nSmith\n</s>\n<s>\nwent\n'
        "<g/>\n.\nHome\n</s>\n</text>\n",
        encoding="utf-8",
    )
    vrt = kwiq.Corpus.from_vrt(path, structures=["s"], progress=False)
    assert vrt.structures == ("text", "s")
    assert vrt.regions("s", "t1") == [(0, 4), (4, 7)]
    assert oracle_regions(vrt.text("t1"))[0] == [(0, 6), (6, 7)]
    assert positions(vrt.kwic("<s> []", syntax="cql")) == [("t1", 0, 1), ("t1", 4, 5)]


@pytest.mark.parametrize("found_first", [False, True])
def test_a_lemmatized_corpus_keeps_them_through_a_file(texts, tmp_path, found_first):
    """A lemmatized corpus records its tokens' spans, so a loaded one could
    not tell its sentences from its text again: it keeps the rule's
    regions as its own, found before or after lemmatizing, in the file and
    in a view saved alone."""
    pytest.importorskip("simplemma")
    plain = kwiq.Corpus(texts)
    lemmatized = kwiq.Corpus(texts, lemmatize="en")
    if found_first:
        assert lemmatized.regions("s", 1) == plain.regions("s", 1)
    lemmatized.save(tmp_path / "whole.kwiq")
    lemmatized.subset([1, 3]).save(tmp_path / "view.kwiq")
    whole, view = (
        kwiq.Corpus.load(tmp_path / "whole.kwiq"),
        kwiq.Corpus.load(tmp_path / "view.kwiq"),
    )
    for corpus in (lemmatized, whole, view):
        assert corpus.structures == ("text", "s", "p")
        assert corpus.attributes == ("word", "lemma")
    for name in ("s", "p"):
        for doc in range(len(texts)):
            assert whole.regions(name, doc) == plain.regions(name, doc), (name, doc)
        assert [view.regions(name, d) for d in (1, 3)] == [plain.regions(name, d) for d in (1, 3)]
    assert positions(whole.kwic('<s> [lemma="be"]', syntax="cql")) == positions(
        lemmatized.kwic('<s> [lemma="be"]', syntax="cql")
    )
