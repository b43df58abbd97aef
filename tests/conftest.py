import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Real texts committed with the tests; tests/data/README.md gives each one's
# source and licence.
DATA = REPO / "tests" / "data"
LETTER_NAME = "khrushchev-kennedy-1962-10-28.txt"


@pytest.fixture(scope="session")
def letter_text():
    """The letter read straight from the package's data file."""
    return (REPO / "pkg" / "kwiq" / "data" / LETTER_NAME).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def gutenberg_text():
    return (DATA / "gutenberg" / "1342-Pride-and-Prejudice.txt").read_text(encoding="utf-8")


# An independent tokenizer for English-like text: runs of letters and digits
# are words, any other non-space character is one punctuation token.
ORACLE_TOKEN = re.compile(r"[^\W_]+|[^\w\s]|_")


# The sentence and paragraph rule of Corpus.kwic's docstring, written again
# for the oracles of tests/test_windows.py and tests/test_plain_structures.py:
# these words (case-folded) before "." end no sentence, and two line breaks
# in the white space between tokens end a paragraph.
ABBREVIATIONS = frozenset(
    (
        "mr mrs ms messrs mme mlle dr prof rev hon st mt jr sr gen col capt lt sgt gov sen rep vs"
    ).split()
)
LINE_BREAK = re.compile("\r\n|[\n\v\f\r\x85\u2028\u2029]")


def oracle_tokens(text):
    """(start, end, is_word) of every token, by Python's re."""
    return [(m.start(), m.end(), m.group()[0].isalnum()) for m in ORACLE_TOKEN.finditer(text)]


def oracle_word_spans(text, word):
    """The issue's oracle: where `word` stands as a whole word, ignoring case."""
    pattern = r"(?<![^\W_])" + re.escape(word) + r"(?![^\W_])"
    return [(m.start(), m.end()) for m in re.finditer(pattern, text, re.I)]
