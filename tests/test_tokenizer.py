"""Tokenizer and case folding, against unicodedata, str.casefold and re."""

import re
import unicodedata

import pytest

import kwiq
from conftest import oracle_tokens
from kwiq import _core

pinned = pytest.mark.skipif(
    unicodedata.unidata_version != "14.0.0",
    reason="the C tables are Unicode 14.0.0, this Python's "
    f"unicodedata is {unicodedata.unidata_version}",
)

WHITE_SPACE = {
    *range(0x09, 0x0E),
    0x20,
    0x85,
    0xA0,
    0x1680,
    *range(0x2000, 0x200B),
    0x2028,
    0x2029,
    0x202F,
    0x205F,
    0x3000,
}
SOLO_PREFIXES = (
    "CJK UNIFIED IDEOGRAPH-",
    "CJK COMPATIBILITY IDEOGRAPH-",
    "HIRAGANA ",
    "KATAKANA ",
    "KATAKANA-HIRAGANA ",
    "HALFWIDTH KATAKANA ",
    "HALFWIDTH KATAKANA-HIRAGANA ",
    "HENTAIGANA ",
    "IDEOGRAPHIC ",
    "HANGZHOU NUMERAL ",
)


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("U-2", ["U", "-", "2"]),
        ("Khrushchev's", ["Khrushchev", "'", "s"]),
        ("messages--that", ["messages", "-", "-", "that"]),
        ("  two\u00a0words\u3000 ", ["two", "words"]),
        ("和平abc", ["和", "平", "abc"]),
        ("ありがとう", ["あ", "り", "が", "と", "う"]),
        ("カード", ["カ", "ー", "ド"]),
        ("か\u3099", ["か\u3099"]),  # a combining mark stays with its kana
        ("cafe\u0301 x2 ½", ["cafe\u0301", "x2", "½"]),
        ("😀😀!", ["😀", "😀", "!"]),
        ("", []),
    ],
)
def test_tokens(text, tokens):
    assert kwiq.tokenize(text) == tokens


def expected_class(cp):
    if cp in WHITE_SPACE:
        return "space"
    category = unicodedata.category(chr(cp))
    if category[0] in "LN":
        return "solo" if unicodedata.name(chr(cp), "").startswith(SOLO_PREFIXES) else "word"
    return "word" if category[0] == "M" else "punct"


def observed_class(tokens):
    """Classify the middle character of "a" + c + "a" by how it tokenizes."""
    if len(tokens) == 1:
        return "word"
    if len(tokens) == 2:
        return "space"
    return "solo" if tokens[1][2] else "punct"


@pinned
def test_every_code_point_is_classified_as_unicode_says():
    wrong = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        got = observed_class(_core.tokenize("a" + chr(cp) + "a"))
        if got != expected_class(cp):
            wrong.append((hex(cp), got, expected_class(cp)))
    assert wrong == []


@pinned
def test_every_code_point_folds_as_str_casefold():
    wrong = [
        hex(cp)
        for cp in range(0x110000)
        if not 0xD800 <= cp <= 0xDFFF
        and cp != 0x2019
        and _core.casefold(chr(cp)) != chr(cp).casefold()
    ]
    assert wrong == []
    assert _core.casefold("\u2019") == "'"


def test_tokens_match_re_on_a_gutenberg_text(gutenberg_text):
    """For English text the tokenizer agrees with an independent re one."""
    ours = _core.tokenize(gutenberg_text)
    assert [(s, e, w) for s, e, w in ours] == oracle_tokens(gutenberg_text)


def spans(corpus, query, case=False):
    return [(line.doc, line.char_start, line.char_end) for line in corpus.kwic(query, case=case)]


def test_german_sharp_s():
    corpus = kwiq.Corpus(["Die Straße", "die STRASSE", "die strasse", "die Strasse"])
    assert len(corpus.kwic("STRASSE")) == 4
    assert len(corpus.kwic("straße")) == 4
    assert spans(corpus, "Straße", case=True) == [(0, 4, 10)]
    assert len(corpus.kwic("STRASSE", case=True)) == 1


def test_greek_sigma_forms_fold_together():
    corpus = kwiq.Corpus(["ΟΔΥΣΣΕΥΣ", "Οδυσσεύς", "οδυσσευς", "ὈΔΥΣΣΕΎΣ"])
    # final ς, medial σ and capital Σ are one letter once folded
    assert [line.doc for line in corpus.kwic("οδυσσευσ")] == [0, 2]
    assert [line.doc for line in corpus.kwic("ΟΔΥΣΣΕΎΣ")] == [1]
    assert len(corpus.kwic("σ")) == 0  # a word nobody wrote: no lines, no error
    sigma = kwiq.Corpus(["σ ς Σ"])
    assert len(sigma.kwic("ς")) == 3
    assert len(sigma.kwic("ς", case=True)) == 1


def test_cyrillic():
    corpus = kwiq.Corpus(["Москва — столица. МОСКВА! москва?"])
    assert len(corpus.kwic("москва")) == 3
    assert len(corpus.kwic("Москва", case=True)) == 1
    assert corpus.kwic("МОСКВА")[1].match == "МОСКВА"


def test_turkish_i_follows_the_unicode_default():
    """No Turkish tailoring: İ folds to i + combining dot above, ı stays ı."""
    corpus = kwiq.Corpus(["İstanbul", "istanbul", "ISTANBUL", "ıstanbul"])
    assert [line.doc for line in corpus.kwic("istanbul")] == [1, 2]
    assert [line.doc for line in corpus.kwic("İSTANBUL")] == [0]
    assert [line.doc for line in corpus.kwic("ıstanbul")] == [3]
    assert [line.doc for line in corpus.kwic("I")] == []
    assert kwiq.tokenize("İstanbul") == ["İstanbul"]


def test_typographic_apostrophe_matches_ascii_without_case():
    texts = ["Khrushchev’s letter", "Khrushchev's letter"]
    corpus = kwiq.Corpus(texts)
    for query in ("Khrushchev's", "khrushchev’s", "’", "'"):
        assert [line.doc for line in corpus.kwic(query)] == [0, 1], query
    assert [line.doc for line in corpus.kwic("Khrushchev's", case=True)] == [1]
    assert [line.doc for line in corpus.kwic("Khrushchev’s", case=True)] == [0]
    for line in corpus.kwic("khrushchev's"):
        assert texts[line.doc][line.char_start : line.char_end] in texts[line.doc]
        assert line.match == texts[line.doc][:12]


def test_chinese_two_character_phrases():
    text = "我们热爱和平。和平是世界的希望，平和也好。"
    corpus = kwiq.Corpus([text])
    peace = corpus.kwic("和平")
    assert [text[line.char_start : line.char_end] for line in peace] == ["和平", "和平"]
    assert [line.char_start for line in peace] == [m.start() for m in re.finditer("和平", text)]
    assert [(line.start, line.end) for line in peace] == [(4, 6), (7, 9)]
    assert len(corpus.kwic("平和")) == 1
    assert len(corpus.kwic("平 和")) == 1  # the same phrase, spelled with a space
    assert len(corpus.kwic("平。和")) == 1  # punctuation inside a phrase is a token
    assert peace[0].left == "我们热爱" and peace[0].right == "。和平是世界"


def test_phrase_never_crosses_punctuation():
    corpus = kwiq.Corpus(["He said, the end.", "She said the word"])
    assert [line.doc for line in corpus.kwic("said the")] == [1]
    assert [line.doc for line in corpus.kwic("said, the")] == [0]
    assert [line.doc for line in corpus.kwic("said , the")] == [0]


def test_phrase_never_crosses_documents():
    corpus = kwiq.Corpus(["the end", "said the", "end said"])
    assert len(corpus.kwic("end said")) == 1
    assert corpus.kwic("end said")[0].doc == 2
    assert len(corpus.kwic("the end said")) == 0


@pinned
def test_every_code_point_is_upper_case_as_unicode_says():
    """The core's upper-case flag (for the sentence rule) is exactly Lu and Lt."""
    text = "".join(chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF)
    mask = _core.upper_mask(text)
    assert len(mask) == len(text)
    wrong = [
        hex(ord(ch))
        for ch, flag in zip(text, mask)
        if flag != (unicodedata.category(ch) in ("Lu", "Lt"))
    ]
    assert wrong == []
    assert sum(mask) == 1862  # Unicode 14.0.0: 1,831 Lu and 31 Lt
    assert _core.upper_mask("aÉǅ𝐀ß") == b"\x00\x01\x01\x01\x00"
