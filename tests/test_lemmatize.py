"""lemmatize= on plain text (issue 11): the lemma attribute of kwiq's own
tokens, checked token by token against simplemma called here on each
token, and everything that reads it (CQL, freq, collocates, sort keys,
lines, frames, save and load) against brute force over those lemmas."""

from __future__ import annotations

import collections
import pickle
import re
import sys
import unicodedata
from pathlib import Path

import pytest

import kwiq
from kwiq import _build

simplemma = pytest.importorskip("simplemma")
pd = pytest.importorskip("pandas")

DATA = Path(__file__).parent / "data"
BOOKS = [
    DATA / "gutenberg" / "1342-Pride-and-Prejudice.txt",
    DATA / "gutenberg" / "1661-The-Adventures-of-Sherlock-Holmes.txt",
]
INAUGURAL = DATA / "inaugural"


def is_word(form: str) -> bool:
    """A token is a word when its form holds a letter, mark or number."""
    return any(unicodedata.category(ch)[0] in "LMN" for ch in form)


def expected_lemmas(words: list[str], lang) -> list[str]:
    """The rule of kwiq._lemma, from simplemma itself: a word's lemma is
    simplemma's for the token as written, punctuation keeps its form."""
    return [simplemma.lemmatize(w, lang=lang) if is_word(w) else w for w in words]


@pytest.fixture(scope="module")
def letter():
    text = kwiq.sample().text(kwiq.sample().ids[0])
    return kwiq.Corpus([text], ids=["letter"], lemmatize="en")


@pytest.fixture(scope="module")
def books():
    # Two threads, each a run of its own however small: the runs are built
    # apart and joined before the lemmas.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_build, "MIN_RUN_BYTES", 1)
        return kwiq.Corpus.from_files(BOOKS, ids="name", threads=2, progress=False, lemmatize="en")


@pytest.fixture(scope="module")
def oracle(books):
    """Every document's words and expected lemmas."""
    words = {d: books.tokens(d) for d in books.ids}
    return words, {d: expected_lemmas(w, "en") for d, w in words.items()}


def test_the_lemma_of_every_token_is_simplemmas(letter, books, oracle):
    assert letter.attributes == ("word", "lemma")
    words = letter.tokens("letter")
    assert letter.tokens("letter", "lemma") == expected_lemmas(words, "en")
    for doc, lemmas in oracle[1].items():
        assert books.tokens(doc, "lemma") == lemmas
    # Not the identity: many tokens have a lemma other than their form.
    words, lemmas = oracle[0][books.ids[0]], oracle[1][books.ids[0]]
    assert sum(w != lemma for w, lemma in zip(words, lemmas)) > len(words) / 10


def test_a_tuple_of_languages_is_tried_in_order():
    texts = ["Die Kinder gingen nach Hause, the children went home.", "Häuser und mice"]
    corpus = kwiq.Corpus(texts, lemmatize=("de", "en"))
    for doc in corpus.ids:
        words = corpus.tokens(doc)
        assert corpus.tokens(doc, "lemma") == expected_lemmas(words, ("de", "en"))


def test_plain_text_without_lemmatize_has_word_alone():
    assert kwiq.Corpus(["The children went home."]).attributes == ("word",)


def hits_of(corpus, query: str) -> list[tuple]:
    return [(line.doc, line.start, line.end) for line in corpus.kwic(query, syntax="cql")]


@pytest.mark.parametrize("pattern", ["be", "child", "good", "say", "Mr.", "b.*", "[A-Z].*"])
def test_cql_lemma_hits_are_the_tokens_with_that_lemma(books, oracle, pattern):
    regex = re.compile(pattern)
    expected = [
        (d, p, p + 1)
        for d in books.ids
        for p, lemma in enumerate(oracle[1][d])
        if regex.fullmatch(lemma)
    ]
    assert expected
    assert hits_of(books, f'[lemma="{pattern}"]') == expected


def test_cql_lemma_and_word_in_a_sequence(books, oracle):
    words, lemmas = oracle
    expected = [
        (d, p, p + 2)
        for d in books.ids
        for p in range(len(lemmas[d]) - 1)
        if lemmas[d][p] == "be" and words[d][p + 1].lower() == "not"
    ]
    assert expected
    assert hits_of(books, '[lemma="be"] [word="not"%c]') == expected


def test_freq_of_lemmas_counts_the_lemmas(books, oracle):
    words, lemmas = oracle
    for punctuation in (False, True):
        counts, docs = collections.Counter(), collections.Counter()
        for d in books.ids:
            kept = [lemma for lemma, w in zip(lemmas[d], words[d]) if punctuation or is_word(w)]
            counts.update(kept)
            docs.update(set(kept))
        frame = books.freq(attr="lemma", punctuation=punctuation)
        expected = sorted(counts, key=lambda v: (-counts[v], v))
        assert frame["lemma"].tolist() == expected
        assert frame["count"].tolist() == [counts[v] for v in expected]
        assert frame["docs"].tolist() == [docs[v] for v in expected]


def test_collocates_of_lemmas(letter):
    words = letter.tokens("letter")
    lemmas = letter.tokens("letter", "lemma")
    word_at = [p for p, w in enumerate(words) if is_word(w)]
    # One word each side of every hit of "peace", counted by lemma.
    observed = collections.Counter()
    for line in letter.kwic("peace"):
        k = word_at.index(line.start)
        for q in (k - 1, k + 1):
            if 0 <= q < len(word_at):
                observed[lemmas[word_at[q]]] += 1
    frame = letter.collocates("peace", window=1, min_count=1, attr="lemma")
    assert dict(zip(frame["lemma"], frame["observed"])) == observed


def test_lines_show_and_frames_carry_the_lemma(letter):
    conc = letter.kwic("were")
    lemmas = letter.tokens("letter", "lemma")
    frame = conc.to_pandas(attrs=["lemma"])
    assert frame["match_lemma"].tolist() == [lemmas[line.start] for line in conc]
    assert set(frame["match_lemma"]) == {"be"}
    shown = letter.kwic("were", show=["lemma"]).to_pandas()
    assert shown["match"].tolist() == ["were/be"] * len(conc)


def test_sort_by_the_lemma_of_the_next_word(letter):
    words = letter.tokens("letter")
    lemmas = letter.tokens("letter", "lemma")
    conc = letter.kwic("the")
    got = conc.sort(("R1", "lemma"))

    def r1(line):
        after = [p for p in range(line.end, len(words)) if is_word(words[p])]
        return (1, lemmas[after[0]].encode()) if after else (0,)

    keys = [r1(line) for line in got]
    assert keys == sorted(keys)
    assert sorted(line.start for line in got) == [line.start for line in conc]


@pytest.mark.parametrize("options", [{}, {"window": (3, 7)}, {"width": 40}, {"bound": "sentence"}])
def test_lines_are_those_of_the_corpus_without_lemmas(options):
    """A lemmatized corpus reads its tokens' offsets from recorded spans;
    they must be the tokenizer's, line for line."""
    texts = [path.read_text(encoding="utf-8") for path in BOOKS]
    # White space beyond ASCII's separates tokens too; a control character
    # is a token.
    texts.append("Holmes\u00a0said:\u3000the\u2028war\x01the  \t Holmes" * 50)
    plain, lemmatized = kwiq.Corpus(texts), kwiq.Corpus(texts, lemmatize="en")
    for query in ["the", "Holmes", "said *", "/^[A-Z]{4,}$/"]:
        assert list(lemmatized.kwic(query, **options)) == list(plain.kwic(query, **options))


def test_save_and_load_keep_the_lemmas(books, oracle, tmp_path):
    path = tmp_path / "books.kwiq"
    books.save(path)
    for mmap in (True, False):
        loaded = kwiq.Corpus.load(path, mmap=mmap)
        assert loaded.attributes == ("word", "lemma")
        for doc, lemmas in oracle[1].items():
            assert loaded.tokens(doc, "lemma") == lemmas
        for query in ['[lemma="be"]', '[lemma="child"] []{0,2} [lemma="be"]']:
            assert hits_of(loaded, query) == hits_of(books, query)
        assert list(loaded.kwic("Elizabeth", width=30)) == list(books.kwic("Elizabeth", width=30))
        pd.testing.assert_frame_equal(loaded.freq(attr="lemma"), books.freq(attr="lemma"))
    # Saving what was loaded gives the same bytes.
    again = tmp_path / "again.kwiq"
    kwiq.Corpus.load(path).save(again)
    assert again.read_bytes() == path.read_bytes()
    # A built corpus pickles as its saved bytes.
    travelled = pickle.loads(pickle.dumps(books))
    assert travelled.tokens(books.ids[1], "lemma") == oracle[1][books.ids[1]]


def test_the_file_is_the_same_whatever_the_threads(monkeypatch, tmp_path):
    monkeypatch.setattr(_build, "MIN_RUN_BYTES", 1)
    texts = [path.read_text(encoding="utf-8") for path in BOOKS] * 2
    for threads in (1, 3):
        kwiq.Corpus(texts, threads=threads, lemmatize="en").save(tmp_path / f"{threads}.kwiq")
    assert (tmp_path / "1.kwiq").read_bytes() == (tmp_path / "3.kwiq").read_bytes()


def test_a_view_saved_alone_keeps_its_lemmas(tmp_path):
    corpus = kwiq.Corpus.from_files(
        str(INAUGURAL / "*.txt"),
        encoding=["utf-8", "cp1252"],
        ids="name",
        progress=False,
        lemmatize="en",
    )
    chosen = [d for d in corpus.ids if d.startswith(("18", "2001"))]
    path = tmp_path / "view.kwiq"
    corpus.subset(chosen).save(path)
    loaded = kwiq.Corpus.load(path)
    assert loaded.ids == tuple(chosen)
    for doc in chosen:
        assert loaded.tokens(doc, "lemma") == corpus.tokens(doc, "lemma")


def test_from_pandas_lemmatizes():
    frame = pd.DataFrame({"text": ["The mice were running.", "Geese flew"], "year": [1, 2]})
    corpus = kwiq.Corpus.from_pandas(frame, lemmatize="en")
    for doc in corpus.ids:
        assert corpus.tokens(doc, "lemma") == expected_lemmas(corpus.tokens(doc), "en")


@pytest.mark.parametrize("bad", ["zz", "english", ("en", "xx"), ""])
def test_an_unknown_language_is_a_value_error(bad):
    with pytest.raises(ValueError, match="simplemma does not support the language"):
        kwiq.Corpus(["text"], lemmatize=bad)


@pytest.mark.parametrize("bad", [1, ("en", 2), (), b"en"])
def test_a_language_that_is_not_a_code_is_a_type_error(bad):
    with pytest.raises(TypeError, match="lemmatize"):
        kwiq.Corpus(["text"], lemmatize=bad)


def test_without_simplemma_the_error_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "simplemma", None)  # import simplemma fails
    (tmp_path / "a.txt").write_text("The mice were running.", encoding="utf-8")
    for build in (
        lambda: kwiq.Corpus(["text"], lemmatize="en"),
        lambda: kwiq.Corpus.from_files(tmp_path, progress=False, lemmatize="en"),
    ):
        with pytest.raises(ImportError, match=re.escape('pip install "kwiq[lemma]"')):
            build()
    assert kwiq.Corpus(["text"]).attributes == ("word",)


def test_an_empty_corpus_and_empty_documents():
    corpus = kwiq.Corpus(["", "Mice.", ""], lemmatize="en")
    assert [corpus.tokens(d, "lemma") for d in corpus.ids] == [[], ["mouse", "."], []]
    assert kwiq.Corpus([], lemmatize="en").attributes == ("word", "lemma")


def test_the_index_refuses_a_second_attribute_of_a_name(letter):
    index = kwiq.Corpus(["The mice"])._index
    forms = index.vocabulary(False)[0]
    index.add_type_attr("lemma", forms)
    with pytest.raises(ValueError, match="lemma"):
        index.add_type_attr("lemma", forms)
    with pytest.raises(ValueError, match="values"):
        index.add_type_attr("other", forms[:-1])
