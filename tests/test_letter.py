"""The embedded 1962 letter, checked against hand-read lines and re."""

import re

import pytest

import kwiq
from conftest import LETTER_NAME, oracle_word_spans


@pytest.fixture(scope="module")
def letter():
    return kwiq.sample()


def test_sample_is_the_letter(letter, letter_text):
    assert letter.n_docs == 1
    assert letter.ids == (LETTER_NAME,)
    assert letter.text(LETTER_NAME) == letter_text


@pytest.mark.parametrize(
    "query, expected",
    [
        ("peace", 11),
        ("Cuba", 17),
        ("U-2", 2),
        ("nuclear catastrophe", 1),
    ],
)
def test_issue_counts(letter, query, expected):
    assert len(letter.kwic(query)) == expected


def test_token_counts(letter, letter_text):
    """1,841 words of 593 folded types and 236 punctuation tokens."""
    words = [m.group().casefold() for m in re.finditer(r"[^\W_]+", letter_text)]
    assert (len(words), len(set(words))) == (1841, 593)
    assert letter.n_tokens == 1841 + 236
    assert sum(len(letter.kwic(word)) for word in set(words)) == 1841


def test_every_word_type_matches_the_re_oracle(letter, letter_text):
    types = {m.group().casefold() for m in re.finditer(r"[^\W_]+", letter_text)}
    assert len(types) == 593
    for word in sorted(types):
        conc = letter.kwic(word)
        spans = [(line.char_start, line.char_end) for line in conc]
        assert spans == oracle_word_spans(letter_text, word), word
        for line in conc:
            assert letter_text[line.char_start : line.char_end].casefold() == word


def test_hand_checked_lines(letter):
    first = letter.kwic("peace")[0]
    assert first.doc == LETTER_NAME
    assert first.left == "for the preservation of the "
    assert first.match == "peace"
    assert first.right == " of the world. I regard"
    u2 = letter.kwic("U-2", window=3)
    assert [line.left + line.match + line.right for line in u2] == [
        "shot down your U-2 plane, whose reconnaissance",
        "by an American U-2 plane in the",
    ]
    catastrophe = letter.kwic("nuclear catastrophe", window=2)[0]
    assert catastrophe.match == "nuclear catastrophe"
    assert (catastrophe.left, catastrophe.right) == ("a world ", " would arise")
    assert catastrophe.end - catastrophe.start == 2


def test_token_positions_count_words_and_punctuation(letter, letter_text):
    """Line.start is the number of tokens before the match."""
    for line in letter.kwic("Cuba"):
        before = letter_text[: line.char_start]
        assert line.start == len(re.findall(r"[^\W_]+|[^\w\s]|_", before))
        assert line.end == line.start + 1
