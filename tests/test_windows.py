"""Context windows: uneven word windows, widths in characters, sentence and
paragraph bounds; against a Python oracle of the rules in Corpus.kwic."""

import html
import random
import re
import unicodedata

import pytest

import kwiq
from conftest import ABBREVIATIONS, LINE_BREAK, oracle_tokens


def is_upper(ch):
    return unicodedata.category(ch) in ("Lu", "Lt")


def collapse(text):
    return re.sub(r"\s+", " ", text)


class Oracle:
    """KWIC lines of one text by the documented rules, in plain Python."""

    def __init__(self, text):
        self.text = text
        self.toks = oracle_tokens(text)
        self.forms = [text[s:e].casefold() for s, e, _ in self.toks]
        self.stops = {"paragraph": self._stops("paragraph"), "sentence": self._stops("sentence")}

    def _stops(self, bound):
        """Every g such that a context stops between tokens g - 1 and g."""
        text, toks = self.text, self.toks
        stops = set()
        for g in range(1, len(toks)):
            gap = text[toks[g - 1][1] : toks[g][0]]
            if not gap:
                continue
            if len(LINE_BREAK.findall(gap)) >= 2:
                stops.add(g)
                continue
            mark = text[toks[g - 1][0] : toks[g - 1][1]]
            if bound != "sentence" or mark not in (".", "!", "?"):
                continue
            if not is_upper(text[toks[g][0]]):
                continue
            if mark == "." and g >= 2 and toks[g - 2][2] and toks[g - 2][1] == toks[g - 1][0]:
                word = text[toks[g - 2][0] : toks[g - 2][1]]
                if (len(word) == 1 and is_upper(word)) or word.casefold() in ABBREVIATIONS:
                    continue
            stops.add(g)
        return stops

    def matches(self, query):
        wanted = [query[s:e].casefold() for s, e, _ in oracle_tokens(query)]
        m = len(wanted)
        return [
            (i, i + m - 1) for i in range(len(self.toks) - m + 1) if self.forms[i : i + m] == wanted
        ]

    def extent(self, first, last, window=5, width=None, bound=None):
        """(lo, hi): the context is tokens lo..first-1 and last+1..hi-1."""
        toks, n = self.toks, len(self.toks)
        left, right = window if isinstance(window, tuple) else (window, window)
        start, end = toks[first][0], toks[last][1]
        if width is None:
            lo, words = first, 0
            while words < left and lo > 0:
                lo -= 1
                words += toks[lo][2]
            hi, words = last + 1, 0
            while words < right and hi < n:
                words += toks[hi][2]
                hi += 1
        else:
            lo = first
            while lo > 0 and start - toks[lo - 1][0] <= width:
                lo -= 1
            hi = last + 1
            while hi < n and toks[hi][1] - end <= width:
                hi += 1
        if bound is not None:
            stops = self.stops[bound]
            lo = max([g for g in range(lo + 1, first + 1) if g in stops], default=lo)
            hi = min([g for g in range(last + 1, hi) if g in stops], default=hi)
        return lo, hi

    def lines(self, query, **context):
        text, toks = self.text, self.toks
        result = []
        for first, last in self.matches(query):
            lo, hi = self.extent(first, last, **context)
            start, end = toks[first][0], toks[last][1]
            left = collapse(text[toks[lo][0] : start]) if lo < first else ""
            right = collapse(text[end : toks[hi - 1][1]]) if hi > last + 1 else ""
            result.append((first, last + 1, left, collapse(text[start:end]), right, start, end))
        return result


@pytest.fixture(scope="module")
def letter(letter_text):
    return kwiq.Corpus([letter_text]), Oracle(letter_text)


@pytest.fixture(scope="module")
def book(gutenberg_text):
    return kwiq.Corpus([gutenberg_text]), Oracle(gutenberg_text)


def got(corpus, query, **context):
    return [tuple(line)[1:] for line in corpus.kwic(query, **context)]


CONTEXTS = [
    dict(window=(0, 3)),
    dict(window=(3, 0)),
    dict(window=(1, 7)),
    dict(window=(12, 2)),
    dict(width=1),
    dict(width=4),
    dict(width=20),
    dict(width=40),
    dict(width=79),
    dict(width=300),
    dict(width=1000),
    dict(bound="sentence"),
    dict(window=(30, 30), bound="sentence"),
    dict(window=(0, 40), bound="sentence"),
    dict(window=60, bound="paragraph"),
    dict(width=60, bound="sentence"),
    dict(width=400, bound="sentence"),
    dict(width=2000, bound="paragraph"),
    dict(window=0, bound="sentence"),
]


@pytest.mark.parametrize("context", CONTEXTS, ids=repr)
@pytest.mark.parametrize(
    "query", ["peace", "Cuba", "the", "U-2", "nuclear catastrophe", ",", "Mr", "President"]
)
def test_the_letter_equals_the_oracle(letter, query, context):
    corpus, oracle = letter
    assert got(corpus, query, **context) == oracle.lines(query, **context)


@pytest.mark.parametrize("context", CONTEXTS, ids=repr)
@pytest.mark.parametrize("query", ["Elizabeth", "Mr. Darcy", "said she", "!", "Lady"])
def test_a_gutenberg_text_equals_the_oracle(book, query, context):
    corpus, oracle = book
    lines = got(corpus, query, **context)
    assert lines == oracle.lines(query, **context)
    assert lines


def test_every_sentence_context_of_a_frequent_word_stays_in_its_sentence(book):
    """No line of "the" crosses a sentence end, and each line reaches either
    a sentence end, its window or the document's edge."""
    corpus, oracle = book
    stops, toks = oracle.stops["sentence"], oracle.toks
    conc = corpus.kwic("the", window=(25, 15), bound="sentence")
    assert len(conc) > 4000
    for line in conc:
        first, last = line.start, line.end - 1
        lo = first - len(kwiq.tokenize(line.left))
        hi = line.end + len(kwiq.tokenize(line.right))
        assert not stops.intersection(range(lo + 1, first + 1)), line
        assert not stops.intersection(range(last + 1, hi)), line
        assert lo == 0 or lo in stops or sum(t[2] for t in toks[lo:first]) == 25, line
        assert hi == len(toks) or hi in stops or sum(t[2] for t in toks[last + 1 : hi]) == 15, line
        assert oracle.extent(first, last, window=(25, 15), bound="sentence") == (lo, hi)
    assert len(stops) > 4000  # the rule finds the book's sentences


@pytest.mark.parametrize("width", [1, 7, 30, 80, 250])
def test_width_contexts_never_exceed_the_width_and_are_maximal(book, width):
    corpus, oracle = book
    text, toks = oracle.text, oracle.toks
    for line in corpus.kwic("and", width=width):
        lo = line.start - len(kwiq.tokenize(line.left))
        hi = line.end + len(kwiq.tokenize(line.right))
        if lo < line.start:
            assert line.char_start - toks[lo][0] <= width
        if lo > 0:
            assert line.char_start - toks[lo - 1][0] > width
        if hi > line.end:
            assert toks[hi - 1][1] - line.char_end <= width
        if hi < len(toks):
            assert toks[hi][1] - line.char_end > width
        # A shown context is never longer than the text it stands for.
        assert len(line.left) <= width and len(line.right) <= width
        if lo < line.start:
            assert collapse(text[toks[lo][0] : line.char_start]) == line.left


def test_bounds_on_generated_text():
    """Random text full of the rules' edge cases: abbreviations, initials,
    marks without white space, CR LF, lone CRs, LS and PS, lower case after
    a full stop, title-case and non-ASCII capitals."""
    pieces = [
        "Mr",
        "mrs",
        "ST",
        "Prof",
        "J",
        "j",
        "x",
        "É",
        "Ǆemal",
        "word",
        "Peace",
        "peace",
        "vs",
        "ẞig",
        "ß",
        "1",
        ".",
        ".",
        ".",
        "!",
        "?",
        ",",
        '"',
        "(",
        "’",
    ]
    spaces = [
        " ",
        " ",
        " ",
        "",
        "\n",
        "\n\n",
        "\r\n",
        "\r\n\r\n",
        "\r\r",
        "\n \t\n",
        "\u2028",
        "\u2029\u2028",
        "\x0c\x0b",
        "\u00a0",
        "\x85\n",
    ]
    rng = random.Random(20240601)
    texts = ["".join(rng.choice(pieces) + rng.choice(spaces) for _ in range(600)) for _ in range(4)]
    corpus = kwiq.Corpus(texts)
    for doc, text in enumerate(texts):
        oracle = Oracle(text)
        assert oracle.stops["sentence"] and oracle.stops["paragraph"]
        for query in ("peace", "word", ".", "J"):
            for context in (
                dict(window=(4, 6), bound="sentence"),
                dict(window=9, bound="paragraph"),
                dict(width=25, bound="sentence"),
                dict(width=12),
            ):
                lines = [
                    tuple(line)[1:] for line in corpus.kwic(query, **context) if line.doc == doc
                ]
                assert lines == oracle.lines(query, **context), (doc, query, context)


def test_hand_checked_lines_of_the_letter():
    letter = kwiq.sample()
    first = letter.kwic("peace", bound="sentence", window=40)[0]
    assert first.left.startswith("I express my satisfaction")
    assert first.right == " of the world."
    assert letter.kwic("peace", window=(2, 0))[0].left == "of the "
    assert letter.kwic("peace", window=(2, 0))[0].right == ""
    u2 = letter.kwic("U-2", width=15)
    assert [(line.left, line.right) for line in u2] == [
        ("shot down your ", " plane, whose"),
        ("by an American ", " plane in the"),
    ]
    # "Dear Mr. President:" is one sentence: the abbreviation ends none, and
    # the blank line after the colon ends it.
    dear = letter.kwic("President", bound="sentence", window=3)[1]
    assert (dear.left, dear.right) == ("Dear Mr. ", ":")
    # "28 OCT 62\n\nDear": the blank line stops a paragraph-bound context.
    assert letter.kwic("Dear", window=3)[0].left == "28 OCT 62 "
    assert letter.kwic("Dear", window=3, bound="paragraph")[0].left == ""


def test_every_way_of_getting_lines_uses_the_context():
    pytest.importorskip("pandas")
    letter = kwiq.sample()
    conc = letter.kwic("Cuba", window=(1, 30), width=25, bound="sentence")
    lines = list(conc)
    expected = [tuple(line)[1:] for line in lines]
    assert expected == Oracle(letter.text(letter.ids[0])).lines("Cuba", width=25, bound="sentence")
    assert (
        [conc[i] for i in range(len(conc))] == lines == list(conc[:]) == list(conc[0 : len(conc)])
    )
    assert list(conc[::3]) == lines[::3]
    assert [tuple(row)[:8] for row in conc.to_pandas().itertuples(index=False)] == lines
    page = conc._repr_html_()
    assert all(html.escape(line.right) in page for line in lines)
    rows = conc.format(width=200, limit=None).split("\n")[1:]
    assert [row.strip() for row in rows] == [
        (line.left + line.match + line.right).strip() for line in lines
    ]
    assert str(conc) == conc.format()
    one_shot = kwiq.kwic(letter.text(letter.ids[0]), "Cuba", width=25, bound="sentence")
    assert [tuple(line)[1:] for line in one_shot] == expected
    assert conc.width == 25 and conc.bound == "sentence" and conc.window == (1, 30)
    assert "width=25, bound='sentence'" in repr(conc)


def test_width_replaces_the_window():
    corpus = kwiq.Corpus(["aa bb cc dd ee ff gg"])
    for window in (0, 1, (3, 0), 50):
        line = corpus.kwic("dd", window=window, width=5)[0]
        assert (line.left, line.right) == ("cc ", " ee")


def test_a_list_pair_is_a_window():
    corpus = kwiq.Corpus(["aa bb cc dd ee ff gg"])
    line = corpus.kwic("dd", window=[1, 2])[0]
    assert (line.left, line.right) == ("cc ", " ee ff")


def test_width_counts_characters_as_written():
    corpus = kwiq.Corpus(["one\n\n\n\ntwo three 平和 four"])
    two = corpus.kwic("two", width=6)[0]
    assert (two.left, two.right) == ("", " three")  # "one\n\n\n\n" is 7 characters
    assert corpus.kwic("two", width=7)[0].left == "one "
    peace = corpus.kwic("和", width=4)[0]
    assert (peace.left, peace.right) == ("平", "")  # " four" is 5 characters
    assert corpus.kwic("和", width=5)[0].right == " four"


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"window": (1,)}, ValueError, r"window must be an int or a \(left, right\) pair"),
        ({"window": (1, 2, 3)}, ValueError, "pair of ints, not a tuple of 3"),
        ({"window": (1, -2)}, ValueError, "the right side of window must be >= 0, not -2"),
        ({"window": (-1, 2)}, ValueError, "the left side of window must be >= 0"),
        ({"window": (1.0, 2)}, TypeError, "the left side of window must be an int, not float"),
        ({"window": (1, "2")}, TypeError, "the right side of window must be an int, not str"),
        ({"window": (True, 2)}, TypeError, "must be an int, not bool"),
        ({"window": (2**32, 0)}, ValueError, "must be < 2\\*\\*32"),
        ({"window": "12"}, TypeError, "window must be an int or a .* not str"),
        ({"window": {1, 2}}, TypeError, "window must be an int or a .* not set"),
        ({"window": None}, TypeError, "window must be an int or a .* not NoneType"),
        ({"width": 0}, ValueError, "width must be a positive int"),
        ({"width": -5}, ValueError, "width must be a positive int"),
        ({"width": 2.5}, TypeError, "width must be a positive int or None, not float"),
        ({"width": "40"}, TypeError, "width must be a positive int or None, not str"),
        ({"width": True}, TypeError, "not bool"),
        ({"width": 2**64}, ValueError, "width must be < 2\\*\\*64"),
        (
            {"bound": "sentences"},
            ValueError,
            "bound must be None, 'sentence' or 'paragraph', not 'sentences'",
        ),
        ({"bound": "Sentence"}, ValueError, "bound must be None"),
        ({"bound": 1}, TypeError, "bound must be None, 'sentence' or 'paragraph', not int"),
        ({"bound": True}, TypeError, "not bool"),
    ],
)
def test_bad_context_arguments(kwargs, error, message):
    corpus = kwiq.Corpus(["x y z"])
    with pytest.raises(error, match=message):
        corpus.kwic("y", **kwargs)
    with pytest.raises(error, match=message):
        kwiq.kwic("x y z", "y", **kwargs)


def test_width_and_bound_are_keyword_only():
    corpus = kwiq.Corpus(["x y z"])
    with pytest.raises(TypeError):
        corpus.kwic("y", 5, False, 10)


def test_the_binding_checks_the_bound_code():
    hits = kwiq.Corpus(["x y z"]).kwic("y")._hits
    with pytest.raises(ValueError, match="bound must be 0, 1 or 2"):
        hits.lines(0, 1, 1, 1, None, 0, 3)
    with pytest.raises(ValueError, match="bound must be 0, 1 or 2"):
        hits.columns(1, 1, None, 0, -1)
    # Without the new arguments the binding keeps its old behaviour.
    assert hits.lines(0, 1, 1, 1, None) == hits.lines(0, 1, 1, 1, None, 0, 0)
