"""Everything reads attributes (issue 11, item 5): counts, sort keys, lines
and frames over lemma, upos, ... of the UD dev sets in tests/data/ud/,
each against a brute-force oracle computed here from corpus.tokens(doc,
attr) and corpus.regions, never from the code under test."""

from __future__ import annotations

import collections
import math
import unicodedata
from pathlib import Path

import pytest

import kwiq

pd = pytest.importorskip("pandas")

UD = Path(__file__).parent / "data" / "ud"
EN = UD / "en_ewt-ud-dev.conllu"
DE = UD / "de_gsd-ud-dev.conllu"


ORACLES: dict = {}


@pytest.fixture(scope="module", params=[EN, DE], ids=["en_ewt", "de_gsd"])
def corpus(request):
    return kwiq.Corpus.from_conllu(request.param, progress=False)


@pytest.fixture(scope="module")
def en():
    return kwiq.Corpus.from_conllu(EN, progress=False)


def oracle_of(corpus: kwiq.Corpus) -> Oracle:
    """One Oracle per corpus of the module."""
    if id(corpus) not in ORACLES:
        ORACLES[id(corpus)] = (corpus, Oracle(corpus))
    return ORACLES[id(corpus)][1]


class Oracle:
    """Every document's tokens by attribute, read through corpus.tokens."""

    def __init__(self, corpus: kwiq.Corpus, docs=None):
        self.corpus = corpus
        self.docs = list(corpus.ids if docs is None else docs)
        self.cache: dict = {}

    def values(self, attr: str) -> dict:
        if attr not in self.cache:
            self.cache[attr] = {d: self.corpus.tokens(d, attr) for d in self.docs}
        return self.cache[attr]

    def is_word(self) -> dict:
        """A token is a word when its form holds a letter, mark or number."""
        if "is word" not in self.cache:
            self.cache["is word"] = {
                d: [any(unicodedata.category(ch)[0] in "LMN" for ch in form) for form in forms]
                for d, forms in self.values("word").items()
            }
        return self.cache["is word"]


def oracle_freq(oracle: Oracle, attr: str, punctuation: bool):
    counts, docs = collections.Counter(), collections.Counter()
    words = oracle.is_word()
    for d, values in oracle.values(attr).items():
        seen = set()
        for value, word in zip(values, words[d]):
            if word or punctuation:
                counts[value] += 1
                seen.add(value)
        docs.update(seen)
    return counts, docs


@pytest.mark.parametrize("attr", ["lemma", "upos", "feats"])
@pytest.mark.parametrize("punctuation", [False, True])
def test_freq_of_an_attribute(corpus, attr, punctuation):
    counts, docs = oracle_freq(oracle_of(corpus), attr, punctuation)
    frame = corpus.freq(attr=attr, punctuation=punctuation)
    assert list(frame.columns) == [attr, "count", "per_million", "docs"]
    expected = sorted(counts, key=lambda v: (-counts[v], v))
    assert frame[attr].tolist() == expected
    assert frame["count"].tolist() == [counts[v] for v in expected]
    assert frame["docs"].tolist() == [docs[v] for v in expected]
    total = sum(counts.values())
    assert frame["per_million"].tolist() == pytest.approx(
        [counts[v] * 1e6 / total for v in expected]
    )
    kept = corpus.freq(attr=attr, punctuation=punctuation, min_count=5)
    assert kept[attr].tolist() == [v for v in expected if counts[v] >= 5]


def test_freq_of_a_view_counts_its_documents(en):
    ids = list(en.ids)[::3]
    view = en.subset(ids)
    counts, docs = oracle_freq(Oracle(en, ids), "lemma", False)
    frame = view.freq(attr="lemma")
    assert dict(zip(frame["lemma"], frame["count"])) == counts
    assert dict(zip(frame["lemma"], frame["docs"])) == docs


def test_an_empty_value_is_counted(en):
    counts, _ = oracle_freq(oracle_of(en), "feats", True)
    frame = en.freq(attr="feats", punctuation=True)
    assert "" in counts and frame["count"].sum() == en.n_tokens
    assert dict(zip(frame["feats"], frame["count"])) == counts


def test_word_through_attr_is_the_plain_frequency_list(en):
    pd.testing.assert_frame_equal(en.freq(attr="word"), en.freq())
    pd.testing.assert_frame_equal(en.ngrams(2, attr="word"), en.ngrams(2))
    pd.testing.assert_frame_equal(en.collocates("the", attr="word"), en.collocates("the"))


def word_runs(oracle: Oracle, attr: str, n: int):
    counts, docs = collections.Counter(), collections.Counter()
    words = oracle.is_word()
    for d, values in oracle.values(attr).items():
        seen = set()
        for k in range(len(values) - n + 1):
            if all(words[d][k : k + n]):
                gram = " ".join(values[k : k + n])
                counts[gram] += 1
                seen.add(gram)
        docs.update(seen)
    return counts, docs


@pytest.mark.parametrize("attr,n", [("upos", 2), ("upos", 3), ("lemma", 2), ("deprel", 1)])
def test_ngrams_of_an_attribute(corpus, attr, n):
    counts, docs = word_runs(oracle_of(corpus), attr, n)
    frame = corpus.ngrams(n, min_count=2, attr=attr)
    expected = sorted(
        (g for g in counts if counts[g] >= 2), key=lambda g: (-counts[g], g.split(" "))
    )
    assert frame["ngram"].tolist() == expected
    assert frame["count"].tolist() == [counts[g] for g in expected]
    assert frame["docs"].tolist() == [docs[g] for g in expected]


def hits(corpus: kwiq.Corpus, query: str):
    return [(line.doc, line.start, line.end) for line in corpus.kwic(query)]


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("attr", ["lemma", "upos"])
def test_clusters_of_an_attribute(en, side, attr):
    oracle = oracle_of(en)
    values, words = oracle.values(attr), oracle.is_word()
    n = 3
    counts = collections.Counter()
    for doc, start, end in hits(en, "the"):
        extra = n - (end - start)
        first, around = (
            (start - extra, range(start - extra, start))
            if side == "left"
            else (start, range(end, end + extra))
        )
        if first < 0 or first + n > len(values[doc]) or not all(words[doc][p] for p in around):
            continue
        counts[" ".join(values[doc][first : first + n])] += 1
    frame = en.clusters("the", n, side, attr=attr)
    expected = sorted(counts, key=lambda c: (-counts[c], c.split(" ")))
    assert frame["cluster"].tolist() == expected
    assert frame["count"].tolist() == [counts[c] for c in expected]


def window_positions(oracle: Oracle, matches, left: int, right: int):
    words = oracle.is_word()
    positions = set()
    for doc, start, end in matches:
        side = [p for p in range(start - 1, -1, -1) if words[doc][p]][:left]
        side += [p for p in range(end, len(words[doc])) if words[doc][p]][:right]
        positions.update((doc, p) for p in side)
    return positions


@pytest.mark.parametrize("attr", ["lemma", "upos"])
def test_collocates_of_an_attribute(en, attr):
    oracle = oracle_of(en)
    values, words = oracle.values(attr), oracle.is_word()
    matches = hits(en, "say*")
    positions = window_positions(oracle, matches, 4, 3)
    observed = collections.Counter(values[d][p] for d, p in positions)
    c1 = collections.Counter(v for d in values for v, w in zip(values[d], words[d]) if w)
    n = sum(c1.values())
    frame = en.collocates("say*", window=(4, 3), min_count=1, attr=attr)
    assert frame.attrs == {"N": n, "R1": len(positions), "hits": len(matches)}
    assert dict(zip(frame[attr], frame["observed"])) == observed
    expected = {v: len(positions) * c1[v] / n for v in observed}
    assert dict(zip(frame[attr], frame["expected"])) == pytest.approx(expected)
    mi = {v: math.log2(observed[v] / expected[v]) for v in observed}
    assert dict(zip(frame[attr], frame["mi"])) == pytest.approx(mi)
    assert frame["mi"].is_monotonic_decreasing


def test_collocates_counted_by_windows(en):
    oracle = oracle_of(en)
    values = oracle.values("lemma")
    observed = collections.Counter()
    for match in hits(en, "year"):
        for d, p in window_positions(oracle, [match], 2, 2):
            observed[values[d][p]] += 1
    frame = en.collocates("year", window=2, min_count=1, attr="lemma", counting="windows")
    assert dict(zip(frame["lemma"], frame["observed"])) == observed


def test_keyness_of_an_attribute():
    target = kwiq.Corpus.from_conllu(EN, progress=False)
    reference = kwiq.Corpus.from_conllu(DE, progress=False)
    f1, _ = oracle_freq(oracle_of(target), "upos", False)
    f2, _ = oracle_freq(oracle_of(reference), "upos", False)
    frame = target.keyness(reference, attr="upos")
    assert frame.columns[0] == "upos"
    assert dict(zip(frame["upos"], frame["target"])) == {v: f1[v] for v in f1 | f2}
    assert dict(zip(frame["upos"], frame["reference"])) == {v: f2[v] for v in f1 | f2}
    n1, n2 = sum(f1.values()), sum(f2.values())
    for value, ratio in zip(frame["upos"], frame["log_ratio"]):
        if f1[value] and f2[value]:
            assert ratio == pytest.approx(math.log2(f1[value] / n1 / (f2[value] / n2)))


def sort_value(oracle: Oracle, doc, start: int, end: int, key: str, attr: str):
    """What a key compares for one line: (0,) for a missing word, else
    (1, the value's UTF-8) (or the tuple of them for the match)."""
    values, words = oracle.values(attr)[doc], oracle.is_word()[doc]
    if key == "match":
        return tuple(values[p].encode() for p in range(start, end))
    k = int(key[1:])
    side = range(start - 1, -1, -1) if key[0] == "L" else range(end, len(values))
    found = [p for p in side if words[p]][k - 1 : k]
    return (1, values[found[0]].encode()) if found else (0,)


@pytest.mark.parametrize(
    "keys",
    [
        [("R1", "upos")],
        [("match", "lemma")],
        [("L1", "xpos"), ("R2", "lemma")],
        ["R1/deprel", "L3/lemma"],
    ],
)
def test_sort_by_attributes(corpus, keys):
    oracle = oracle_of(corpus)
    conc = corpus.kwic("the") if len(corpus.kwic("the")) > 100 else corpus.kwic("die")
    lines = [(line.doc, line.start, line.end) for line in conc]
    specs = [k if isinstance(k, tuple) else tuple(k.split("/")) for k in keys]
    expected = sorted(
        lines, key=lambda line: tuple(sort_value(oracle, *line, key, attr) for key, attr in specs)
    )
    got = conc.sort(*keys)
    assert [(line.doc, line.start, line.end) for line in got] == expected
    assert got.sort_keys == tuple(f"{key.lower()}/{attr}" for key, attr in specs)


def test_sort_by_an_attribute_then_a_word_key(en):
    conc = en.kwic("of")
    got = conc.sort(("R1", "upos"), "R1")
    oracle = oracle_of(en)
    upos = [sort_value(oracle, line.doc, line.start, line.end, "R1", "upos") for line in got]
    assert upos == sorted(upos)
    by_word = en.kwic("of").sort("R1")
    # Lines tied on upos keep the order the word key gives them.
    rank = {(line.doc, line.start): k for k, line in enumerate(by_word)}
    for a, b, ua, ub in zip(got, got[1:], upos, upos[1:]):
        if ua == ub:
            assert rank[(a.doc, a.start)] < rank[(b.doc, b.start)]


def test_a_loaded_corpus_sorts_and_counts_as_the_built_one(en, tmp_path):
    path = tmp_path / "en.kwiq"
    en.save(path)
    loaded = kwiq.Corpus.load(path)
    keys = [("R1", "lemma"), ("match", "upos")]
    assert list(loaded.kwic("a").sort(*keys)) == list(en.kwic("a").sort(*keys))
    pd.testing.assert_frame_equal(loaded.freq(attr="lemma"), en.freq(attr="lemma"))
    pd.testing.assert_frame_equal(loaded.ngrams(2, attr="upos"), en.ngrams(2, attr="upos"))


def test_a_plain_corpus_has_word_alone():
    corpus = kwiq.sample()
    with pytest.raises(ValueError, match="no attribute 'lemma': the corpus has word"):
        corpus.freq(attr="lemma")
    with pytest.raises(ValueError, match="the corpus has word"):
        corpus.kwic("peace").sort(("R1", "lemma"))
    assert list(corpus.kwic("peace").sort(("R1", "word"))) == list(corpus.kwic("peace").sort("R1"))


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.freq(attr="pos"),
        lambda c: c.ngrams(2, attr="pos"),
        lambda c: c.clusters("the", 2, attr="pos"),
        lambda c: c.collocates("the", attr="pos"),
        lambda c: c.keyness(c, attr="pos"),
        lambda c: c.kwic("the").sort(("R1", "pos")),
        lambda c: c.kwic("the").sort("match/pos"),
    ],
)
def test_an_unknown_attribute_lists_those_there_are(en, call):
    with pytest.raises(ValueError, match="no attribute 'pos': the corpus has word, lemma, upos"):
        call(en)


def test_bad_sort_keys(en):
    conc = en.kwic("the")
    with pytest.raises(TypeError, match=r"sort keys must be str, not tuple \(or a \(key, "):
        conc.sort(("R1", "upos", "x"))
    with pytest.raises(ValueError, match="compares no attribute"):
        conc.sort(("doc", "upos"))
    with pytest.raises(ValueError, match="unknown sort key"):
        conc.sort(("R9", "upos"))


# ---- lines: show=, to_pandas(attrs=), bound= over annotated regions ----


def window(words: list[bool], start: int, end: int, left: int, right: int) -> tuple[int, int]:
    """The tokens [lo, hi) a word window shows: punctuation inside it, up
    to the left-th word before the match and the right-th word after it."""
    lo, counted = start, 0
    while counted < left and lo > 0:
        lo -= 1
        counted += words[lo]
    hi, counted = end, 0
    while counted < right and hi < len(words):
        counted += words[hi]
        hi += 1
    return lo, hi


def tagged(oracle: Oracle, doc, lo: int, hi: int, attrs: list[str]) -> str:
    columns = [oracle.values(a)[doc] for a in ["word"] + attrs]
    return " ".join("/".join(column[p] for column in columns) for p in range(lo, hi))


@pytest.mark.parametrize("show", [["upos"], ["lemma", "xpos"]])
def test_show_lays_tokens_out_as_word_slash_value(corpus, show):
    oracle = oracle_of(corpus)
    query = "the" if len(corpus.kwic("the")) > 100 else "in"
    conc = corpus.kwic(query, window=(3, 4), show=show)
    plain = corpus.kwic(query, window=(3, 4))
    assert len(conc) == len(plain) > 0
    for line, bare in zip(conc, plain):
        assert line[:3] == bare[:3] and line[6:] == bare[6:]
        lo, hi = window(oracle.is_word()[line.doc], line.start, line.end, 3, 4)
        assert line.left == tagged(oracle, line.doc, lo, line.start, show)
        assert line.match == tagged(oracle, line.doc, line.start, line.end, show)
        assert line.right == tagged(oracle, line.doc, line.end, hi, show)
    frame = conc.to_pandas()
    assert frame["match"].tolist() == [line.match for line in conc]
    assert frame["left"].tolist() == [line.left for line in conc]


def test_show_in_text_html_csv_and_json(en, tmp_path):
    import csv
    import json

    conc = en.kwic("of the", show="upos")[:30]
    lines = list(conc)
    assert lines[0].match == "of/ADP the/DET"
    assert "of/ADP the/DET" in str(conc) and "of/ADP the/DET" in conc._repr_html_()
    # In text, the tokens of each row are one space apart, the match's
    # too, as the tagged contexts hold none at their ends.
    for row, line in zip(str(conc).splitlines()[1:], lines):
        assert f" {line.match} " in row
    conc.to_csv(tmp_path / "lines.csv")
    with open(tmp_path / "lines.csv", encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(r["left"], r["match"], r["right"]) for r in rows] == [
        (line.left, line.match, line.right) for line in lines
    ]
    conc.to_json(tmp_path / "lines.json")
    objects = json.loads((tmp_path / "lines.json").read_text(encoding="utf-8"))
    assert [o["right"] for o in objects] == [line.right for line in lines]


def test_show_survives_sorting_slicing_and_pickling(en):
    import pickle

    conc = en.kwic("year", show=["lemma"]).sort(("R1", "lemma"))
    again = pickle.loads(pickle.dumps(conc))
    assert list(again) == list(conc) and again.show == ("lemma",)
    assert list(conc[2:5]) == list(conc)[2:5]
    assert all("/" in line.match for line in conc)


def test_to_pandas_attrs_adds_the_matched_values(corpus):
    oracle = oracle_of(corpus)
    conc = corpus.kwic(["of the", "the", "in"])
    frame = conc.to_pandas(attrs=["lemma", "upos"])
    assert list(frame.columns[-3:]) == ["match_lemma", "match_upos", "query"]
    for attr in ("lemma", "upos"):
        assert frame[f"match_{attr}"].tolist() == [
            " ".join(oracle.values(attr)[line.doc][line.start : line.end]) for line in conc
        ]
    assert "match_lemma" not in conc.to_pandas().columns
    with pytest.raises(ValueError, match="no attribute 'pos': the corpus has word"):
        conc.to_pandas(attrs="pos")
    with pytest.raises(ValueError, match="no attribute 'pos'"):
        corpus.kwic("the", show=["pos"])


def region_of(regions: list[tuple[int, int]], pos: int, n_tokens: int) -> tuple[int, int]:
    """The region holding pos, or the stretch between the regions around it."""
    edges = sorted({0, n_tokens} | {e for region in regions for e in region})
    for region in regions:
        if region[0] <= pos < region[1]:
            return region
    below = max(e for e in edges if e <= pos)
    return below, min(e for e in edges if e > pos)


@pytest.mark.parametrize("bound,structure", [("sentence", "s"), ("paragraph", "p")])
def test_bound_keeps_to_annotated_regions(corpus, bound, structure):
    oracle = oracle_of(corpus)
    conc = corpus.kwic(["the", "die", "."], window=12, bound=bound, show="upos")
    assert len(conc) > 1000
    for line in conc:
        words = oracle.is_word()[line.doc]
        lo, hi = window(words, line.start, line.end, 12, 12)
        regions = corpus.regions(structure, line.doc)
        lo = max(lo, region_of(regions, line.start, len(words))[0])
        hi = min(hi, region_of(regions, line.end - 1, len(words))[1])
        assert line.left == tagged(oracle, line.doc, lo, line.start, ["upos"])
        assert line.right == tagged(oracle, line.doc, line.end, hi, ["upos"])


def test_bound_by_width_keeps_to_sentences_too(en):
    oracle = oracle_of(en)
    lines = list(en.kwic("said", width=100_000, bound="sentence", show="upos"))
    for line in lines:
        regions = en.regions("s", line.doc)
        lo, hi = region_of(regions, line.start, len(oracle.is_word()[line.doc]))
        assert line.left == tagged(oracle, line.doc, lo, line.start, ["upos"])
        assert line.right == tagged(oracle, line.doc, line.end, hi, ["upos"])


def test_a_plain_corpus_keeps_the_text_rule():
    corpus = kwiq.Corpus(["One war ended. Then peace came. Mr. Smith saw it."])
    assert corpus.structures == ("text", "s", "p")
    assert corpus.regions("s", 0) == [(0, 4), (4, 8), (8, 14)]
    (line,) = corpus.kwic("peace", window=10, bound="sentence")
    assert (line.left, line.right) == ("Then ", " came.")
