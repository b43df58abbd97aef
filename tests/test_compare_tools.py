"""Statistics that compare with other tools: keyness's log ratio keeps the
sign of the observed relation, and collocates(counting="windows")
reproduces conc's collocate counts, MI and logDice."""

import math
import random
from collections import Counter

import pytest

import kwiq

pytest.importorskip("pandas")

WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]


def log_ratio_table(target_words, reference_words):
    """The log ratio of every word by brute force: Counter and the formula
    keyness documents (a zero frequency: 0.5 tokens of the larger corpus)."""
    f1s, f2s = Counter(target_words), Counter(reference_words)
    n1, n2 = len(target_words), len(reference_words)
    absent = 0.5 / max(n1, n2)
    return (
        {
            word: math.log2((f1s[word] / n1 or absent) / (f2s[word] / n2 or absent))
            for word in f1s.keys() | f2s.keys()
        },
        f1s,
        f2s,
        n1,
        n2,
    )


def test_keyness_of_a_word_absent_from_the_target_is_never_over_used():
    frame = kwiq.keyness(
        kwiq.Corpus(["x"]), kwiq.Corpus(["alpha beta epsilon epsilon"]), measures=["log_ratio"]
    )
    scores = dict(zip(frame["word"], frame["log_ratio"]))
    assert scores["alpha"] < 0 and scores["beta"] < 0 and scores["epsilon"] < 0
    assert scores["x"] > 0


def test_log_ratio_against_a_brute_force_table_over_random_corpora():
    rng = random.Random(15)
    for _ in range(300):
        target = rng.choices(WORDS[: rng.randint(1, 8)], k=rng.randint(1, 40))
        reference = rng.choices(WORDS[rng.randint(0, 7) :], k=rng.randint(1, 200))
        expected, f1s, f2s, n1, n2 = log_ratio_table(target, reference)
        frame = kwiq.keyness(
            kwiq.Corpus([" ".join(target)]),
            kwiq.Corpus([" ".join(reference)]),
            measures=["log_ratio"],
        )
        got = dict(zip(frame["word"], frame["log_ratio"]))
        assert got.keys() == expected.keys()
        for word, score in got.items():
            assert math.isclose(score, expected[word], rel_tol=1e-12, abs_tol=1e-12)
            difference = f1s[word] / n1 - f2s[word] / n2
            assert (score > 0) == (difference > 0) and (score < 0) == (difference < 0)


# ---- collocates: counting="windows" against conc ----

# conc (Geoff Ford's corpus tool, on PyPI) is not a test dependency: it
# tokenizes with spaCy, so it cannot be fed kwiq's tokens. Its documented
# collocation rules (conc/collocates.py, read, not copied) are the oracle,
# written here on their own over the same tokens:
# - each node match's window: `context` word tokens to the left and to the
#   right, punctuation skipped, never past the document's edge; every
#   window counted on its own (collocate_frequency);
# - MI = log2(N * O / (hits * f)), logDice = 14 + log2(2 * O / (hits + f)),
#   N the word tokens of the corpus, hits the node's matches, f the
#   collocate's frequency in the corpus (lower-cased).
BOOK = "35-The-Time-Machine.txt"
NODES = ["the", "time", "man", "little", "machine", "i", "said", "world", "upon", "light"]


def conc_collocates(words, node, context):
    """{word: (observed, mi, logdice)} by conc's rules over ``words``, the
    lower-cased word tokens of one document in order (punctuation already
    skipped, as conc skips it)."""
    frequency = Counter(words)
    n = len(words)
    matches = [i for i, word in enumerate(words) if word == node]
    observed = Counter()
    for i in matches:
        observed.update(words[max(0, i - context) : i])
        observed.update(words[i + 1 : i + 1 + context])
    hits = len(matches)
    return {
        word: (
            o,
            math.log2(n * o / (hits * frequency[word])),
            14 + math.log2(2 * o / (hits + frequency[word])),
        )
        for word, o in observed.items()
    }


def relative_difference(got, expected):
    return 0.0 if got == expected else abs(got - expected) / max(abs(got), abs(expected))


def test_collocates_windows_reproduce_conc_on_a_gutenberg_book():
    from conftest import DATA, oracle_tokens

    text = (DATA / "gutenberg" / BOOK).read_text(encoding="utf-8")
    corpus = kwiq.Corpus([text])
    tokens = oracle_tokens(text)
    # The same tokens: the oracle's tokenizer and kwiq's agree on this book.
    assert [(start, end) for start, end, _ in tokens] == [
        (start, end) for start, end, _ in kwiq._core.tokenize(text)
    ]
    words = [text[start:end].lower() for start, end, is_word in tokens if is_word]
    worst = 0.0
    for node in NODES:
        expected = conc_collocates(words, node, 5)
        frame = corpus.collocates(
            node, window=5, min_count=1, measures=["mi", "logdice"], counting="windows"
        )
        assert frame.attrs["R1"] == frame.attrs["hits"] == words.count(node)
        got = {
            word: (o, mi, logdice)
            for word, o, mi, logdice in zip(
                frame["word"], frame["observed"], frame["mi"], frame["logdice"]
            )
        }
        assert got.keys() == expected.keys()
        for word, (o, mi, logdice) in got.items():
            assert o == expected[word][0], (node, word)
            worst = max(
                worst,
                relative_difference(mi, expected[word][1]),
                relative_difference(logdice, expected[word][2]),
            )
    assert worst <= 1e-9


def test_collocates_counting_positions_and_windows_differ_where_windows_overlap():
    corpus = kwiq.Corpus(["a x a y a"])
    positions = corpus.collocates("a", window=1, min_count=1, measures=[])
    windows = corpus.collocates("a", window=1, min_count=1, measures=[], counting="windows")
    assert dict(zip(positions["word"], positions["observed"])) == {"x": 1, "y": 1}
    assert dict(zip(windows["word"], windows["observed"])) == {"x": 2, "y": 2}
    assert positions.attrs["R1"] == 2 and windows.attrs["R1"] == 3 == windows.attrs["hits"]
    assert positions.equals(
        corpus.collocates("a", window=1, min_count=1, measures=[], counting="positions")
    )


def test_collocates_windows_ll_is_simple_ll():
    text = "a b c a b d a e b " * 20 + "f g h"
    frame = kwiq.Corpus([text]).collocates(
        "a", window=2, min_count=1, measures=["ll"], counting="windows"
    )
    for o, e, ll in zip(frame["observed"], frame["expected"], frame["ll"]):
        simple = 2 * (o * math.log(o / e) - (o - e))
        assert math.isclose(ll, simple if o >= e else -simple, rel_tol=1e-12)


@pytest.mark.parametrize("counting", ["window", "", None, "Windows"])
def test_collocates_refuses_another_counting(counting):
    with pytest.raises(ValueError, match="counting must be 'positions' or 'windows'"):
        kwiq.Corpus(["a b"]).collocates("a", counting=counting)
