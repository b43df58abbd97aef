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


def oracle_tokens(text):
    """(start, end, is_word) of every token, by Python's re."""
    return [(m.start(), m.end(), m.group()[0].isalnum()) for m in ORACLE_TOKEN.finditer(text)]


def oracle_word_spans(text, word):
    """The issue's oracle: where `word` stands as a whole word, ignoring case."""
    pattern = r"(?<![^\W_])" + re.escape(word) + r"(?![^\W_])"
    return [(m.start(), m.end()) for m in re.finditer(pattern, text, re.I)]
