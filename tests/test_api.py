"""The Python API: Corpus, kwic, Concordance, Line, against a pure-Python KWIC."""

import gc
import re

import pytest

import kwiq
from conftest import oracle_tokens


def collapse(text):
    return re.sub(r"\s+", " ", text)


def oracle_kwic(text, query, window):
    """KWIC lines of one document by the rules in README, in plain Python."""
    toks = oracle_tokens(text)
    forms = [text[s:e].casefold() for s, e, _ in toks]
    wanted = [query[s:e].casefold() for s, e, _ in oracle_tokens(query)]
    m = len(wanted)
    lines = []
    for i in range(len(toks) - m + 1):
        if forms[i : i + m] != wanted:
            continue
        lo, words = i, 0
        while words < window and lo > 0:
            lo -= 1
            words += toks[lo][2]
        hi, words = i + m, 0
        while words < window and hi < len(toks):
            words += toks[hi][2]
            hi += 1
        start, end = toks[i][0], toks[i + m - 1][1]
        left = collapse(text[toks[lo][0] : start]) if lo < i else ""
        right = collapse(text[end : toks[hi - 1][1]]) if hi > i + m else ""
        lines.append((i, i + m, left, collapse(text[start:end]), right, start, end))
    return lines


@pytest.mark.parametrize(
    "query", ["Elizabeth", "the", "Mr. Darcy", "said she", "pride", "!", "I am", "a"]
)
@pytest.mark.parametrize("window", [0, 1, 5, 12])
def test_lines_equal_the_python_oracle(gutenberg_text, query, window):
    corpus = kwiq.Corpus([gutenberg_text], ids=["p&p"])
    got = [tuple(line)[1:] for line in corpus.kwic(query, window=window)]
    assert got == oracle_kwic(gutenberg_text, query, window)
    assert all(line.doc == "p&p" for line in corpus.kwic(query, window=window)[:50])


def test_lines_across_documents_in_document_order(gutenberg_text):
    chapters = re.split(r"(?=Chapter \d+)", gutenberg_text)[:20]
    corpus = kwiq.Corpus(chapters)
    got = [tuple(line) for line in corpus.kwic("Bennet", window=4)]
    expected = [
        (doc,) + line
        for doc, text in enumerate(chapters)
        for line in oracle_kwic(text, "Bennet", 4)
    ]
    assert got == expected and len(got) > 50


def test_offsets_slice_to_the_match_in_non_ascii_text():
    texts = ["Ça va? «Peace» — PEACE… 平和 peace.", "😀 peace 😀", "x\u2028peace"]
    corpus = kwiq.Corpus(texts)
    conc = corpus.kwic("peace")
    assert [line.doc for line in conc] == [0, 0, 0, 1, 2]
    for line in conc:
        assert texts[line.doc][line.char_start : line.char_end].casefold() == "peace"
    assert conc[3].left == "😀 " and conc[3].right == " 😀"
    assert conc[4].left == "x "  # U+2028 is white space, shown as one space


def test_white_space_runs_are_shown_as_one_space():
    corpus = kwiq.Corpus(["one\n\n  two\t\tthree  \r\n four"])
    line = corpus.kwic("three", window=5)[0]
    assert (line.left, line.match, line.right) == ("one two ", "three", " four")
    phrase = corpus.kwic("two three")[0]
    assert phrase.match == "two three"
    assert (phrase.start, phrase.end) == (1, 3)


def test_concordance_sequence_protocol():
    corpus = kwiq.Corpus(["a b a c a d a"])
    conc = corpus.kwic("a", window=1)
    assert len(conc) == 4
    assert list(conc) == list(conc[:]) == [conc[i] for i in range(4)]
    assert conc[-1] == conc[3] and conc[-4] == conc[0]
    # A slice is a Concordance of the same query, not a list.
    assert isinstance(conc[1:3], kwiq.Concordance) and conc[1:3].query == "a"
    assert list(conc[1:3]) == [conc[1], conc[2]]
    assert list(conc[::2]) == [conc[0], conc[2]]
    assert list(conc[::-1]) == [conc[3], conc[2], conc[1], conc[0]]
    assert len(conc[3:1]) == 0
    assert [line.right for line in conc] == [" b", " c", " d", ""]
    with pytest.raises(IndexError):
        conc[4]
    with pytest.raises(IndexError):
        conc[-5]
    with pytest.raises(TypeError):
        conc["0"]
    assert isinstance(conc[0], kwiq.Line)
    assert conc[0]._fields == (
        "doc",
        "start",
        "end",
        "left",
        "match",
        "right",
        "char_start",
        "char_end",
    )
    assert "4 lines for 'a'" in repr(conc)


def test_iteration_crosses_chunks():
    corpus = kwiq.Corpus(["x " * 2500])
    lines = list(corpus.kwic("x", window=0))
    assert [line.start for line in lines] == list(range(2500))


def test_ids():
    corpus = kwiq.Corpus(["peace here", "no", "peace there"], ids=["a", ("b", 2), 3.5])
    assert [line.doc for line in corpus.kwic("peace")] == ["a", 3.5]
    assert corpus.ids == ("a", ("b", 2), 3.5)
    assert corpus.text(3.5) == "peace there"
    with pytest.raises(KeyError):
        corpus.text("missing")
    assert kwiq.Corpus(["x", "x"]).ids == (0, 1)
    assert kwiq.Corpus(iter(["x"]), ids=iter(["only"])).ids == ("only",)


def test_counts_and_empty_documents():
    corpus = kwiq.Corpus(["", "One, two.", "", "   ", "three"])
    assert (corpus.n_docs, corpus.n_tokens, len(corpus)) == (5, 5, 5)
    assert [line.doc for line in corpus.kwic("three")] == [4]
    assert corpus.kwic("two", window=3)[0].left == "One, "
    empty = kwiq.Corpus([])
    assert (empty.n_docs, empty.n_tokens, len(empty.kwic("x"))) == (0, 0, 0)


@pytest.mark.parametrize(
    "texts, error",
    [
        ([1, "x"], TypeError),
        (["x", b"bytes"], TypeError),
        ("a single str", TypeError),
        ([None], TypeError),
    ],
)
def test_bad_texts(texts, error):
    with pytest.raises(error):
        kwiq.Corpus(texts)


def test_bad_text_message_names_the_document():
    with pytest.raises(TypeError, match="document 1 is int"):
        kwiq.Corpus(["ok", 7])


def test_lone_surrogate_names_the_document():
    with pytest.raises(UnicodeEncodeError, match="document 1"):
        kwiq.Corpus(["fine", "bad \ud800 text"])


@pytest.mark.parametrize(
    "ids, error",
    [
        (["a"], ValueError),  # too few
        (["a", "a"], ValueError),  # duplicate
        ([[1], [2]], TypeError),  # unhashable
        ("ab", TypeError),  # a str is not a list of ids
    ],
)
def test_bad_ids(ids, error):
    with pytest.raises(error):
        kwiq.Corpus(["x", "y"], ids=ids)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"query": ""}, kwiq.QueryError, "no token"),
        ({"query": " \t\n"}, kwiq.QueryError, "no token"),
        ({"query": 5}, TypeError, "query must be str"),
        ({"query": b"peace"}, TypeError, "query must be str"),
        ({"query": "x", "window": -1}, ValueError, "window must be >= 0"),
        ({"query": "x", "window": "5"}, TypeError, "window must be an int"),
        ({"query": "x", "window": 2.0}, TypeError, "window must be an int"),
        ({"query": "x", "window": True}, TypeError, "window must be an int"),
        ({"query": "x", "case": "yes"}, TypeError, "case must be"),
    ],
)
def test_bad_queries(kwargs, error, message):
    corpus = kwiq.Corpus(["x y z"])
    with pytest.raises(error, match=message):
        corpus.kwic(**kwargs)
    assert len(corpus.kwic("x")) == 1  # the corpus is untouched


def test_query_error_is_a_value_error():
    assert issubclass(kwiq.QueryError, ValueError)
    with pytest.raises(ValueError):
        kwiq.kwic("text", "")


def test_one_shot_kwic():
    assert len(kwiq.kwic("peace and peace", "peace")) == 2
    assert [line.doc for line in kwiq.kwic(["a", "b a"], "a")] == [0, 1]
    assert list(kwiq.kwic("A b a", "a", case=True)) == list(
        kwiq.Corpus(["A b a"]).kwic("a", case=True)
    )
    with pytest.raises(ValueError):
        kwiq.kwic("text", "text", window=-2)


def test_concordance_outlives_its_corpus():
    corpus = kwiq.Corpus(["keep this text alive " * 100])
    conc = corpus.kwic("this", window=1)
    del corpus
    gc.collect()
    assert len(conc) == 100
    assert conc[99] == (
        0,
        99 * 4 + 1,
        99 * 4 + 2,
        "keep ",
        "this",
        " text",
        99 * 21 + 5,
        99 * 21 + 9,
    )


def test_str_aligns_matches_like_nltk(letter_text):
    conc = kwiq.sample().kwic("peace")
    header, *rows = str(conc).split("\n")
    assert header == "Displaying 11 of 11 lines" and len(rows) == 11
    columns = {row.lower().index("peace", 30) for row in rows}
    assert columns == {(79 - 5) // 2}
    assert all(len(row) <= 79 for row in rows)
    narrow = conc.format(width=30, limit=3).split("\n")[1:]
    assert len(narrow) == 3 and all(row[12:17] == "peace" for row in narrow)
    assert str(kwiq.Corpus(["x"]).kwic("y")) == "Displaying 0 of 0 lines"


def test_html_is_escaped_and_capped():
    texts = ["<script>alert('x')</script> & <b>peace</b> " * 70]
    conc = kwiq.Corpus(texts, ids=["<i>doc</i>"]).kwic("peace")
    page = conc._repr_html_()
    assert "<script>" not in page and "<b>" not in page and "<i>doc" not in page
    assert "&lt;/b&gt; &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script</div></td>" in page
    assert "&lt;i&gt;doc&lt;/i&gt;" in page
    assert page.count("<mark") == 60
    assert "10 more lines" in page
    assert "70 lines for" in page


def test_to_pandas_equals_the_lines():
    pd = pytest.importorskip("pandas")
    conc = kwiq.sample().kwic("the", window=3)
    frame = conc.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(kwiq.Line._fields) + ["query"]
    assert [tuple(row)[:8] for row in frame.itertuples(index=False)] == list(conc)
    assert set(frame["query"]) == {"the"}
    empty = kwiq.sample().kwic("zebra").to_pandas()
    assert len(empty) == 0 and list(empty.columns) == list(kwiq.Line._fields) + ["query"]


def test_corpus_repr_counts_documents_and_tokens():
    assert repr(kwiq.sample()) == "<kwiq.Corpus: 1 document, 2,077 tokens>"
    assert repr(kwiq.Corpus(["a b", "c"])) == "<kwiq.Corpus: 2 documents, 3 tokens>"
