"""Counts and statistics against plain Python over the same tokens.

The tokens come from the regex tokenizer of conftest, checked to agree with
kwiq.tokenize on every text used here; words are folded with str.casefold
(and U+2019 as an apostrophe, as kwiq folds it); counts come from
collections.Counter; the measures are their textbook formulas, written out
here and evaluated in decimal arithmetic with 40 significant digits, so
the reference values are exact far beyond the tolerance: 1e-9 relative
(and 1e-12 absolute, for values within 1e-3 of zero).
"""

import fnmatch
import functools
import io
import math
import re
import sys
import threading
import warnings
from collections import Counter
from decimal import Decimal, localcontext

import pytest

import kwiq
from conftest import oracle_tokens

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

REL, ABS = 1e-9, 1e-12
COLLOCATION = ("mi", "mi3", "t", "z", "ll", "dice", "logdice")
KEYNESS = ("ll", "log_ratio", "perc_diff")


def fold(form):
    return form.casefold().replace("\u2019", "'")


class Oracle:
    """Tokens of each document, and counts over them in plain Python."""

    def __init__(self, texts):
        self.docs = []
        for text in texts:
            toks = oracle_tokens(text)
            assert [text[s:e] for s, e, _ in toks] == kwiq.tokenize(text), (
                "the oracle tokenizer must agree with kwiq on the texts counted here"
            )
            self.docs.append([(text[s:e], is_word) for s, e, is_word in toks])

    def freq(self, case, punctuation):
        key = (lambda f: f) if case else fold
        counts, docs = Counter(), Counter()
        for toks in self.docs:
            seen = {key(f) for f, w in toks if w or punctuation}
            counts.update(key(f) for f, w in toks if w or punctuation)
            docs.update(seen)
        return counts, docs

    def ngrams(self, n):
        counts, docs = Counter(), Counter()
        for toks in self.docs:
            grams = [
                tuple(fold(f) for f, _ in toks[i : i + n])
                for i in range(len(toks) - n + 1)
                if all(w for _, w in toks[i : i + n])
            ]
            counts.update(grams)
            docs.update(set(grams))
        return counts, docs

    def matches(self, patterns):
        """(doc, first token, length) of every match of a phrase of
        predicates over (form, is_word), in corpus order."""
        found = []
        for d, toks in enumerate(self.docs):
            for i in range(len(toks) - len(patterns) + 1):
                if all(p(*toks[i + k]) for k, p in enumerate(patterns)):
                    found.append((d, i, len(patterns)))
        return found

    def clusters(self, matches, n, side):
        counts = Counter()
        for d, i, length in matches:
            toks = self.docs[d]
            extra = n - length
            if extra < 0:
                continue
            first = i if side == "right" else i - extra
            words = (
                range(i + length, i + length + extra) if side == "right" else range(i - extra, i)
            )
            if first < 0 or first + n > len(toks) or not all(toks[j][1] for j in words):
                continue
            counts[" ".join(fold(f) for f, _ in toks[first : first + n])] += 1
        return counts

    def window_positions(self, matches, left, right):
        seen = set()
        for d, i, length in matches:
            toks = self.docs[d]
            words, j = 0, i
            while j > 0 and words < left:
                j -= 1
                if toks[j][1]:
                    words += 1
                    seen.add((d, j))
            words, j = 0, i + length
            while j < len(toks) and words < right:
                if toks[j][1]:
                    words += 1
                    seen.add((d, j))
                j += 1
        return seen


def literal(query):
    """Predicates for a literal query: its tokens, folded."""
    return [
        functools.partial(lambda f, w, t: fold(f) == t, t=fold(t)) for t in kwiq.tokenize(query)
    ]


def glob(pattern):
    return [lambda f, w: w and fnmatch.fnmatchcase(fold(f), pattern)]


# ---- textbook formulas, in decimal arithmetic ----


def ln(x):
    return x.ln()


def log2(x):
    return x.ln() / Decimal(2).ln()


def g2(cells):
    """Log-likelihood: 2 * sum of O ln(O / E), 0 ln 0 = 0."""
    return 2 * sum((o * ln(o / e) for o, e in cells if o > 0), Decimal(0))


def collocation_measures(o11, r1, c1, n):
    with localcontext() as ctx:
        ctx.prec = 40
        o11, r1, c1, n = map(Decimal, (o11, r1, c1, n))
        r2, c2 = n - r1, n - c1
        o12, o21, o22 = r1 - o11, c1 - o11, n - r1 - c1 + o11
        e11, e12, e21, e22 = r1 * c1 / n, r1 * c2 / n, r2 * c1 / n, r2 * c2 / n
        ll = g2([(o11, e11), (o12, e12), (o21, e21), (o22, e22)])
        dice = 2 * o11 / (r1 + c1)
        values = {
            "expected": e11,
            "mi": log2(o11 / e11),
            "mi3": log2(o11**3 / e11),
            "t": (o11 - e11) / o11.sqrt(),
            "z": (o11 - e11) / e11.sqrt(),
            "ll": -ll if o11 < e11 else ll,
            "dice": dice,
            "logdice": 14 + log2(dice),
        }
        return {k: float(v) for k, v in values.items()}


def keyness_measures(f1, f2, n1, n2):
    with localcontext() as ctx:
        ctx.prec = 40
        f1, f2, n1, n2 = map(Decimal, (f1, f2, n1, n2))
        e1 = n1 * (f1 + f2) / (n1 + n2)
        e2 = n2 * (f1 + f2) / (n1 + n2)
        ll = g2([(f1, e1), (f2, e2)])
        absent = Decimal("0.5") / max(n1, n2)  # a zero: 0.5 tokens of the larger corpus
        ratio = (f1 / n1 or absent) / (f2 / n2 or absent)
        return {
            "ll": float(-ll if f1 / n1 < f2 / n2 else ll),
            "log_ratio": float(log2(ratio)),
            "perc_diff": math.inf if f2 == 0 else float(100 * (f1 / n1 - f2 / n2) / (f2 / n2)),
        }


def close(got, expected):
    if math.isinf(expected):
        return got == expected
    return math.isclose(got, expected, rel_tol=REL, abs_tol=ABS)


def rows(frame):
    return list(frame.itertuples(index=False, name=None))


def assert_rows(frame, columns, expected):
    """The frame has these columns and these rows in this order; floats to
    the tolerance, the rest exactly."""
    assert list(frame.columns) == columns
    got = rows(frame)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        for a, b in zip(g, e):
            assert close(a, b) if isinstance(b, float) else a == b, (g, e)


def assert_sorted_by_measure(frame, first, then):
    """Sorted by `first` descending, ties by `then` descending, then word."""
    keys = list(zip(frame[first], frame[then], frame["word"]))
    assert keys == sorted(keys, key=lambda k: (-k[0], -k[1], k[2]))


# ---- corpora ----


@pytest.fixture(scope="module")
def letter(letter_text):
    return kwiq.sample(), Oracle([letter_text])


@pytest.fixture(scope="module")
def chapters(gutenberg_text):
    """Pride and Prejudice, one document per chapter, then an empty
    document and one of punctuation only."""
    texts = re.split(r"\n(?=Chapter \d+\n)", gutenberg_text) + ["", "!?. -- ..."]
    assert len(texts) > 50
    ids = [f"part-{i}" for i in range(len(texts))]
    return kwiq.Corpus(texts, ids=ids), Oracle(texts)


@pytest.fixture(params=["letter", "chapters"])
def corpus(request):
    return request.getfixturevalue(request.param)


# ---- frequency lists ----


@pytest.mark.parametrize("case", [False, True])
@pytest.mark.parametrize("punctuation", [False, True])
@pytest.mark.parametrize("min_count", [1, 3])
def test_freq(corpus, case, punctuation, min_count):
    c, oracle = corpus
    counts, docs = oracle.freq(case, punctuation)
    total = sum(counts.values())
    expected = sorted(
        ((w, n, n * 1e6 / total, docs[w]) for w, n in counts.items() if n >= min_count),
        key=lambda r: (-r[1], r[0]),
    )
    frame = c.freq(case=case, min_count=min_count, punctuation=punctuation)
    assert_rows(frame, ["word", "count", "per_million", "docs"], expected)


def test_freq_examples(letter):
    c, _ = letter
    frame = c.freq()
    assert rows(frame.head(3))[0][:2] == ("the", 108)
    assert "," not in set(frame["word"]) and "," in set(c.freq(punctuation=True)["word"])
    assert "The" in set(c.freq(case=True)["word"])
    assert frame["count"].dtype == np.int64 and frame["docs"].dtype == np.int64


# ---- n-grams and clusters ----


@pytest.mark.parametrize("n", [1, 2, 3, 5])
@pytest.mark.parametrize("min_count", [1, 2])
def test_ngrams(corpus, n, min_count):
    c, oracle = corpus
    counts, docs = oracle.ngrams(n)
    expected = sorted(
        ((" ".join(g), k, docs[g]) for g, k in counts.items() if k >= min_count),
        key=lambda r: (-r[1], r[0]),
    )
    assert_rows(c.ngrams(n, min_count=min_count), ["ngram", "count", "docs"], expected)


def test_ngrams_never_cross_punctuation_or_documents():
    c = kwiq.Corpus(["war, peace and war", "peace war"])
    assert rows(c.ngrams(2, min_count=1)) == [
        ("and war", 1, 1),
        ("peace and", 1, 1),
        ("peace war", 1, 1),
    ]
    assert rows(c.ngrams(2)) == []


CLUSTER_QUERIES = {
    "letter": [
        ("peace", literal("peace")),
        ("of the", literal("of the")),
        ("peace*", glob("peace*")),
        ("U-2", literal("U-2")),
    ],
    "chapters": [
        ("Elizabeth", literal("Elizabeth")),
        ("I am", literal("I am")),
        ("Mr.", literal("Mr.")),
        ("she", literal("she")),
    ],
}


@pytest.mark.parametrize("corpus_name", ["letter", "chapters"])
@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("side", ["right", "left"])
def test_clusters(request, corpus_name, n, side):
    c, oracle = request.getfixturevalue(corpus_name)
    for query, patterns in CLUSTER_QUERIES[corpus_name]:
        counts = oracle.clusters(oracle.matches(patterns), n, side)
        expected = sorted(counts.items(), key=lambda r: (-r[1], r[0]))
        assert_rows(c.clusters(query, n, side=side), ["cluster", "count"], expected)
        expected = [r for r in expected if r[1] >= 2]
        assert_rows(c.clusters(query, n, side=side, min_count=2), ["cluster", "count"], expected)


def test_clusters_examples(letter):
    c, _ = letter
    assert rows(c.clusters("peace", 2, side="left").head(1)) == [("of peace", 3)]
    # A cluster holds the whole match; a match longer than n makes none.
    assert set(c.clusters("of the", 3)["cluster"]) >= {"of the world"}
    assert len(c.clusters("of the", 1)) == 0
    # Case only changes which matches are found.
    assert set(c.clusters("Cuba", 2, case=True)["cluster"]) <= set(c.clusters("cuba", 2)["cluster"])


# ---- collocates ----

COLLOCATE_QUERIES = {
    "letter": [
        ("peace", literal("peace"), 5, 5, 1),
        ("the", literal("the"), 5, 5, 2),
        ("of the", literal("of the"), 2, 3, 1),
        ("peace*", glob("peace*"), 4, 0, 1),
        ("Cuba", literal("Cuba"), 0, 1, 1),
    ],
    "chapters": [
        ("Elizabeth", literal("Elizabeth"), 5, 5, 2),
        ("the", literal("the"), 3, 0, 2),
        ("Mr .", literal("Mr ."), 2, 2, 1),
        ("pride", literal("pride"), 1, 4, 1),
    ],
}


@pytest.mark.parametrize("corpus_name", ["letter", "chapters"])
def test_collocates(request, corpus_name):
    c, oracle = request.getfixturevalue(corpus_name)
    words = Counter(fold(f) for toks in oracle.docs for f, w in toks if w)
    n = sum(words.values())
    for query, patterns, left, right, min_count in COLLOCATE_QUERIES[corpus_name]:
        matches = oracle.matches(patterns)
        seen = oracle.window_positions(matches, left, right)
        observed = Counter(fold(oracle.docs[d][j][0]) for d, j in seen)
        r1 = len(seen)
        frame = c.collocates(query, left=left, right=right, min_count=min_count)
        assert list(frame.columns) == ["word", "observed", "expected", *COLLOCATION]
        assert frame.attrs == {"N": n, "R1": r1, "hits": len(matches)}
        expected = {w: k for w, k in observed.items() if k >= min_count}
        assert sorted(frame["word"]) == sorted(expected)
        for row in frame.itertuples(index=False):
            assert row.observed == expected[row.word]
            want = collocation_measures(row.observed, r1, words[row.word], n)
            for name, value in want.items():
                assert close(getattr(row, name), value), (query, row.word, name)
        assert_sorted_by_measure(frame, "mi", "observed")


def test_collocates_window_and_measures(letter):
    c, oracle = letter
    both = c.collocates("peace", window=3, min_count=1)
    assert both.attrs["R1"] == len(oracle.window_positions(oracle.matches(literal("peace")), 3, 3))
    right = c.collocates("peace", window=3, left=0, min_count=1, measures=["ll", "t"])
    assert list(right.columns) == ["word", "observed", "expected", "ll", "t"]
    assert_sorted_by_measure(right, "ll", "observed")
    assert set(right["word"]) < set(both["word"])
    pair = c.collocates("peace", window=(0, 3), min_count=1, measures=["ll", "t"])
    pd.testing.assert_frame_equal(pair, right)
    bare = c.collocates("peace", measures=())
    assert list(bare.columns) == ["word", "observed", "expected"]
    keys = list(zip(bare["observed"], bare["word"]))
    assert keys == sorted(keys, key=lambda k: (-k[0], k[1]))
    assert len(c.collocates("peace", window=0)) == 0
    assert len(c.collocates("nonexistentword")) == 0


def test_collocates_overlapping_windows_count_once():
    # Tokens: a0 b1 a2 c3 a4; "a" with window 1: b1, c3 (each in two
    # windows) and no a: an "a" is never in its own window, and the others
    # are one word too far.
    c = kwiq.Corpus(["a b a c a"])
    frame = c.collocates("a", window=1, min_count=1)
    assert sorted(rows(frame[["word", "observed"]])) == [("b", 1), ("c", 1)]
    assert frame.attrs == {"N": 5, "R1": 2, "hits": 3}
    # With window 2, each "a" sees the nearest other "a".
    frame = c.collocates("a", window=2, min_count=1)
    assert sorted(rows(frame[["word", "observed"]])) == [("a", 3), ("b", 1), ("c", 1)]
    assert frame.attrs["R1"] == 5


# ---- keyness ----


def test_keyness(letter, chapters):
    for target, reference in [(letter, chapters), (chapters, letter)]:
        (t, t_oracle), (r, r_oracle) = target, reference
        f1, _ = t_oracle.freq(False, False)
        f2, _ = r_oracle.freq(False, False)
        n1, n2 = sum(f1.values()), sum(f2.values())
        frame = kwiq.keyness(t, r)
        assert list(frame.columns) == ["word", "target", "reference", *KEYNESS]
        assert sorted(frame["word"]) == sorted(set(f1) | set(f2))
        for row in frame.itertuples(index=False):
            assert (row.target, row.reference) == (f1[row.word], f2[row.word])
            for name, value in keyness_measures(row.target, row.reference, n1, n2).items():
                assert close(getattr(row, name), value), (row.word, name)
        assert_sorted_by_measure(frame, "ll", "target")
    c, _ = letter
    frame = c.keyness(chapters[0], measures=["log_ratio"])
    assert list(frame.columns) == ["word", "target", "reference", "log_ratio"]
    assert_sorted_by_measure(frame, "log_ratio", "target")
    assert frame["word"].iloc[0] == "cuba"


def test_keyness_small():
    a = kwiq.Corpus(["x x y"])
    b = kwiq.Corpus(["y y z z"])
    frame = kwiq.keyness(a, b, measures=["perc_diff", "log_ratio"])
    assert rows(frame[["word", "target", "reference"]]) == [("x", 2, 0), ("y", 1, 2), ("z", 0, 2)]
    assert frame["perc_diff"].tolist()[0] == math.inf
    assert close(frame["perc_diff"].tolist()[2], -100.0)
    assert close(frame["log_ratio"].tolist()[0], math.log2((2 / 3) / (0.5 / 4)))
    assert close(frame["log_ratio"].tolist()[2], math.log2((0.5 / 4) / (2 / 4)))


# ---- dispersion ----


@pytest.mark.parametrize(
    "corpus_name, queries",
    [
        ("letter", [("peace", literal("peace")), ("nuclear war", literal("nuclear war"))]),
        ("chapters", [("Darcy", literal("Darcy")), ("pride", literal("pride"))]),
    ],
)
def test_dispersion(request, corpus_name, queries):
    c, oracle = request.getfixturevalue(corpus_name)
    for query, patterns in queries:
        expected = [(c.ids[d], i, i / len(oracle.docs[d])) for d, i, _ in oracle.matches(patterns)]
        frame = c.dispersion(query)
        assert_rows(frame, ["doc", "position", "relative"], expected)
        assert frame["position"].tolist() == [line.start for line in c.kwic(query)]
    assert len(c.dispersion("nonexistentword")) == 0


def render(fig):
    """The figure as a PNG at its own dpi, read back as an RGB array."""
    import matplotlib.image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    png = buffer.getvalue()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3]


def test_plot_dispersion_png(chapters, gutenberg_text):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    c, oracle = chapters
    # Chapters 1-5: Darcy from chapter 3 on, Wickham nowhere yet.
    part = kwiq.Corpus([c.text(doc) for doc in c.ids[1:6]], ids=c.ids[1:6])
    queries = ["Darcy", "Wickham", "Bennet"]
    fig = part.plot_dispersion(queries)
    assert isinstance(fig, Figure)
    image = render(fig)
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"  # what a notebook shows
    width, height = (fig.get_size_inches() * fig.dpi).round().astype(int)
    assert image.shape == (height, width, 3)
    blank = image.min(axis=2) > 0.95
    assert 0.005 < (~blank).mean() < 0.5

    # One panel per query, named in its title; in each, a row per document
    # with a match of any query, the documents with the most matches first.
    frames = {q: part.dispersion(q) for q in queries}
    totals = {doc: sum(int((frames[q]["doc"] == doc).sum()) for q in queries) for doc in part.ids}
    shown = sorted((doc for doc in part.ids if totals[doc]), key=lambda doc: -totals[doc])
    assert len(fig.axes) == len(queries)
    for ax, query in zip(fig.axes, queries):
        n = len(frames[query])
        assert ax.get_title(loc="left") == f"{query!r}: {n} match{'es' if n != 1 else ''}"
        # Ids that share "part-" drop it.
        assert [t.get_text() for t in ax.get_yticklabels()] == [
            doc.removeprefix("part-") for doc in shown
        ]

    def pixel(ax, x, y):
        fx, fy = fig.transFigure.inverted().transform(ax.transData.transform((x, y)))
        return height - int(round(fy * height)), int(round(fx * width))  # image rows run down

    for ax, query in zip(fig.axes, queries):
        frame = frames[query]
        for y, doc in enumerate(shown):
            ticks = frame[frame["doc"] == doc]["relative"].tolist()
            for x in ticks:
                row, col = pixel(ax, x, y)
                assert not blank[row - 2 : row + 3, col - 2 : col + 3].all(), (doc, query, x)
            if not ticks:
                # Nothing drawn inside the band of a row with no match.
                top, left = pixel(ax, 0.02, y - 0.3)
                bottom, right = pixel(ax, 0.98, y + 0.3)
                assert blank[top:bottom, left:right].all(), (doc, query)
    assert len(frames["Wickham"]) == 0


def test_plot_dispersion_keeps_its_height_for_many_documents():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from kwiq._analysis import PLOT_MAX_ROWS

    texts = [" ".join(["peace"] * (k % 7 + 1) + ["war"] * (k % 3)) for k in range(200)]
    corpus = kwiq.Corpus(texts, ids=[f"speech-{k:03}" for k in range(200)])
    fig = corpus.plot_dispersion(["peace", "war"])
    rows = [[t.get_text() for t in ax.get_yticklabels()] for ax in fig.axes]
    assert rows[0] == rows[1] and len(rows[0]) == PLOT_MAX_ROWS // 2
    # The documents with the most matches of any query, ties in corpus order.
    counts = sorted(range(200), key=lambda k: (-(k % 7 + 1 + k % 3), k))
    assert rows[0] == [
        f"{k:03}" for k in counts[: PLOT_MAX_ROWS // 2]
    ]  # the shared "speech-" dropped
    assert fig.get_size_inches()[1] < 20
    assert fig.get_suptitle().endswith(
        f"the {PLOT_MAX_ROWS // 2} of 200 documents with the most matches"
    )


def test_plot_dispersion_one_document(letter):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    c, _ = letter
    fig = c.plot_dispersion(["peace", "war"], scale="absolute")
    assert [[t.get_text() for t in ax.get_yticklabels()] for ax in fig.axes] == [[c.ids[0]]] * 2
    assert [ax.get_title(loc="left") for ax in fig.axes] == [
        "'peace': 11 matches",
        "'war': 6 matches",
    ]
    assert fig.axes[-1].get_xlim()[1] == c.n_tokens
    image = render(fig)
    assert (image.min(axis=2) < 0.95).mean() > 0.005
    fig = c.plot_dispersion("nonexistentword")
    assert [t.get_text() for t in fig.axes[0].texts] == ["no matches"]


def test_plot_dispersion_long_ids_and_queries(letter):
    """Ids such as long paths are cut from their start in the labels (the
    file name stays), so the plot keeps its width; the figure lays out
    without matplotlib's warning that the axes collapsed."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    text = letter[0].text(letter[0].ids[0])
    long_dir = "/data/archive/" + "deep-folder-name/" * 5
    ids = [long_dir + "letter.txt", "short"]
    corpus = kwiq.Corpus([text, text], ids=ids)
    long_query = "the interests of peace " * 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = corpus.plot_dispersion(["peace", long_query.strip()])
        render(fig)
    short_id = "\u2026" + ids[0][-39:]
    short_query = "\u2026" + long_query.strip()[-29:]
    for ax in fig.axes:
        assert [t.get_text() for t in ax.get_yticklabels()] == [short_id, "short"]
    assert fig.axes[1].get_title(loc="left") == f"{short_query!r}: 0 matches"
    assert short_id.endswith("/letter.txt") and len(short_id) == 40
    title = corpus.subset([ids[0]]).plot_dispersion("peace").get_suptitle()
    assert title == f"Lexical dispersion plot in {short_id}"


def test_plot_dispersion_without_matplotlib(letter, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install matplotlib"):
        letter[0].plot_dispersion("peace")


# ---- arguments, and the module and the methods ----


def test_bad_arguments(letter):
    c, _ = letter
    with pytest.raises(ValueError):
        c.freq(min_count=0)
    with pytest.raises(TypeError):
        c.freq(case="yes")
    with pytest.raises(ValueError):
        c.ngrams(0)
    with pytest.raises(ValueError):
        c.ngrams(9)
    with pytest.raises(TypeError):
        c.ngrams("2")
    with pytest.raises(ValueError):
        c.clusters("peace", 2, side="up")
    with pytest.raises(ValueError):
        c.clusters("peace", 9)
    with pytest.raises(kwiq.QueryError):
        c.clusters("", 2)
    with pytest.raises(ValueError, match="unknown measure 'pmi'"):
        c.collocates("peace", measures=["pmi"])
    with pytest.raises(ValueError):
        c.collocates("peace", window=-1)
    with pytest.raises(TypeError):
        c.collocates("peace", left=1.5)
    with pytest.raises(TypeError, match="window must be an int"):
        c.collocates("peace", window="5")
    with pytest.raises(ValueError):
        c.collocates("peace", window=(1, 2, 3))
    with pytest.raises(kwiq.QueryError):
        c.collocates("//")
    with pytest.raises(TypeError):
        kwiq.keyness(c, "some text")
    with pytest.raises(ValueError, match="unknown measure"):
        kwiq.keyness(c, c, measures=["chi2"])
    with pytest.raises(ValueError, match="reference corpus has no words"):
        kwiq.keyness(c, kwiq.Corpus(["..."]))
    with pytest.raises(ValueError):
        c.plot_dispersion("peace", scale="log")
    with pytest.raises(ValueError):
        c.plot_dispersion([])


def test_empty_corpus():
    c = kwiq.Corpus([])
    assert len(c.freq()) == 0 and list(c.freq().columns) == ["word", "count", "per_million", "docs"]
    assert len(c.ngrams(2)) == 0
    assert len(c.collocates("x")) == 0
    assert len(c.dispersion("x")) == 0


def test_counts_in_threads(chapters):
    """The core counts without the GIL; threads get what one thread gets."""
    c, _ = chapters
    want = [c.freq(), c.collocates("the"), c.ngrams(3)]
    got = {}

    def work(k):
        got[k] = [c.freq(), c.collocates("the"), c.ngrams(3)]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(4):
        for a, b in zip(got[k], want):
            pd.testing.assert_frame_equal(a, b)
