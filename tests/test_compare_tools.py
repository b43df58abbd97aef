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
    return {word: math.log2((f1s[word] / n1 or absent) / (f2s[word] / n2 or absent))
            for word in f1s.keys() | f2s.keys()}, f1s, f2s, n1, n2


def test_keyness_of_a_word_absent_from_the_target_is_never_over_used():
    frame = kwiq.keyness(kwiq.Corpus(["x"]), kwiq.Corpus(["alpha beta epsilon epsilon"]),
                         measures=["log_ratio"])
    scores = dict(zip(frame["word"], frame["log_ratio"]))
    assert scores["alpha"] < 0 and scores["beta"] < 0 and scores["epsilon"] < 0
    assert scores["x"] > 0


def test_log_ratio_against_a_brute_force_table_over_random_corpora():
    rng = random.Random(15)
    for _ in range(300):
        target = rng.choices(WORDS[:rng.randint(1, 8)], k=rng.randint(1, 40))
        reference = rng.choices(WORDS[rng.randint(0, 7):], k=rng.randint(1, 200))
        expected, f1s, f2s, n1, n2 = log_ratio_table(target, reference)
        frame = kwiq.keyness(kwiq.Corpus([" ".join(target)]), kwiq.Corpus([" ".join(reference)]),
                             measures=["log_ratio"])
        got = dict(zip(frame["word"], frame["log_ratio"]))
        assert got.keys() == expected.keys()
        for word, score in got.items():
            assert math.isclose(score, expected[word], rel_tol=1e-12, abs_tol=1e-12)
            difference = f1s[word] / n1 - f2s[word] / n2
            assert (score > 0) == (difference > 0) and (score < 0) == (difference < 0)
