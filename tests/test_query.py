"""The query language against an independent Python matcher over re tokens."""

import fnmatch
import re

import pytest

import kwiq
from conftest import oracle_tokens
from kwiq import _query
from kwiq._corpus import index_view
from kwiq._query import Pattern, parse


def oracle_predicate(pattern, case):
    """A test for one token form, written from the README's rules."""
    text = pattern.strip()
    if text.startswith("/") and text.endswith("/") and len(text) > 2:
        regex = re.compile(text[1:-1].replace("\\/", "/"), 0 if case else re.I)
        if case:
            return lambda form, is_word, variants: bool(regex.fullmatch(form))
        return lambda form, is_word, variants: any(regex.fullmatch(v) for v in variants)
    if text == "*":
        return lambda form, is_word, variants: is_word
    if "*" in text or "?" in text:
        if case:
            return lambda form, is_word, variants: is_word and fnmatch.fnmatchcase(form, text)
        return lambda form, is_word, variants: (
            is_word and fnmatch.fnmatchcase(form.casefold(), text.casefold())
        )
    if case:
        return lambda form, is_word, variants: form == text
    return lambda form, is_word, variants: form.casefold() == text.casefold()


def oracle_spans(texts, patterns, case=False):
    """(doc, char_start, char_end) of every phrase hit; patterns are one token each."""
    variants = {}
    for text in texts:
        for s, e, _ in oracle_tokens(text):
            variants.setdefault(text[s:e].casefold(), set()).add(text[s:e])
    tests = [oracle_predicate(p, case) for p in patterns]
    spans = []
    for doc, text in enumerate(texts):
        toks = [(s, e, w, text[s:e]) for s, e, w in oracle_tokens(text)]
        for i in range(len(toks) - len(tests) + 1):
            window = toks[i : i + len(tests)]
            if all(
                test(form, w, variants[form.casefold()])
                for test, (_, _, w, form) in zip(tests, window)
            ):
                spans.append((doc, window[0][0], window[-1][1]))
    return spans


def kwiq_spans(corpus, query, case=False):
    return [(line.doc, line.char_start, line.char_end) for line in corpus.kwic(query, case=case)]


QUERIES = [
    ["peace*"],
    ["*ism"],
    ["wom?n"],
    ["*"],
    ["/[A-Z][a-z]+ed/"],
    ["/pea.*/"],
    ["/[0-9]+/"],
    ["the", "*", "of"],
    ["*", "peace"],
    ["/[Ss]oviet/", "*"],
    ["nuclear", "/w.*/"],
    ["/,/"],
    ["/[.!?]/", "*"],
    ["mr", "."],
    ["war*", "/.*/"],
    ["?"],
    ["*", "*", "*"],
    ["elizabeth", "/.*/", "darcy"],
    ["*ly", "*ed"],
]


@pytest.mark.parametrize("patterns", QUERIES, ids=" ".join)
@pytest.mark.parametrize("case", [False, True])
def test_query_forms_on_the_letter(letter_text, patterns, case):
    corpus = kwiq.Corpus([letter_text])
    assert kwiq_spans(corpus, " ".join(patterns), case) == oracle_spans(
        [letter_text], patterns, case
    )


@pytest.mark.parametrize("patterns", QUERIES, ids=" ".join)
def test_query_forms_on_a_gutenberg_text(gutenberg_text, patterns):
    chapters = re.split(r"(?=Chapter \d+)", gutenberg_text)
    corpus = kwiq.Corpus(chapters)
    got = kwiq_spans(corpus, " ".join(patterns))
    assert got == oracle_spans(chapters, patterns)


def test_case_switch_on_a_regex_and_a_glob():
    corpus = kwiq.Corpus(["Peace PEACE peace Peaceful Straße STRASSE"])
    assert len(corpus.kwic("/peace/")) == 3
    assert len(corpus.kwic("/peace/", case=True)) == 1
    assert len(corpus.kwic("/P.*/", case=True)) == 3
    assert len(corpus.kwic("PEACE*")) == 4
    assert len(corpus.kwic("PEACE*", case=True)) == 1
    # a regex that matches any form of a word finds every form of it
    assert [line.match for line in corpus.kwic("/straße/")] == ["Straße", "STRASSE"]
    assert [line.match for line in corpus.kwic("straß*")] == ["Straße", "STRASSE"]


def test_globs_and_any_word_skip_punctuation_but_regexes_do_not():
    corpus = kwiq.Corpus(["a , b ; c"])
    assert [line.match for line in corpus.kwic("*")] == ["a", "b", "c"]
    assert [line.match for line in corpus.kwic("?")] == ["a", "b", "c"]
    assert [line.match for line in corpus.kwic("/./")] == ["a", ",", "b", ";", "c"]
    assert [line.match for line in corpus.kwic("a *")] == []
    assert [line.match for line in corpus.kwic("a , *")] == ["a , b"]


def test_literal_with_punctuation_and_escapes():
    corpus = kwiq.Corpus(["U-2 and U-28; a * b; 2*3; see /usr and a?"])
    assert [line.match for line in corpus.kwic("U-2")] == ["U-2"]
    assert [line.match for line in corpus.kwic("U-2*")] == ["U-2", "U-28"]
    assert [line.match for line in corpus.kwic(r"a \* b")] == ["a * b"]
    assert [line.match for line in corpus.kwic(r"2\*3")] == ["2*3"]
    assert [line.match for line in corpus.kwic(r"\/usr")] == ["/usr"]
    assert [line.match for line in corpus.kwic(r"a\?")] == ["a?"]
    assert [line.match for line in corpus.kwic(r"/\/|;/")] == [";", ";", ";", "/"]


def test_parse():
    assert parse("peace") == [Pattern("literal", "peace", 0)]
    assert parse("  U-2 ") == [
        Pattern("literal", "U", 2),
        Pattern("literal", "-", 3),
        Pattern("literal", "2", 4),
    ]
    assert parse("peace* *ism wom?n * ?") == [
        Pattern("glob", "peace*", 0),
        Pattern("glob", "*ism", 7),
        Pattern("glob", "wom?n", 12),
        Pattern("any", "*", 18),
        Pattern("glob", "?", 20),
    ]
    assert parse("/a b/ x") == [Pattern("regex", "a b", 0), Pattern("literal", "x", 6)]
    assert parse(r"/a\/b/") == [Pattern("regex", "a/b", 0)]
    assert parse("U-2*") == [
        Pattern("literal", "U", 0),
        Pattern("literal", "-", 1),
        Pattern("glob", "2*", 2),
    ]
    assert parse(r"\*") == [Pattern("literal", "*", 1)]
    assert parse("and/or") == [
        Pattern("literal", "and", 0),
        Pattern("literal", "/", 3),
        Pattern("literal", "or", 4),
    ]
    assert parse("和平*") == [Pattern("literal", "和", 0), Pattern("glob", "平*", 1)]


@pytest.mark.parametrize(
    "query, problem, position",
    [
        ("", "no token (give a word, a phrase, a glob or a /regex/)", 0),
        ("   ", "no token (give a word, a phrase, a glob or a /regex/)", 0),
        ("peace /war", "unclosed '/'", 6),
        ("//", "empty pattern '//'", 0),
        ("a // b", "empty pattern '//'", 2),
        ("/[b-a]/", "bad regex: bad character range b-a", 0),
        ("/(ab/", "bad regex: missing ), unterminated subpattern", 0),
        ("/a/b", "a /regex/ must be followed by white space", 3),
        ("peace \\", "a backslash must be followed by the character it escapes", 6),
    ],
)
def test_query_errors(query, problem, position):
    corpus = kwiq.Corpus(["peace and war"])
    with pytest.raises(kwiq.QueryError) as caught:
        corpus.kwic(query)
    error = caught.value
    assert (error.problem, error.position, error.query) == (problem, position, query)
    assert str(error) == f"{problem} at position {position} of query {query!r}"
    assert isinstance(error, ValueError)
    assert len(corpus.kwic("peace")) == 1  # the corpus is as it was


def test_a_list_of_queries_is_one_concordance(letter_text):
    corpus = kwiq.Corpus([letter_text])
    both = corpus.kwic(["peace", "war", "nuclear catastrophe"])
    singles = {q: list(corpus.kwic(q)) for q in ("peace", "war", "nuclear catastrophe")}
    expected = sorted(
        ((line, q) for q, lines in singles.items() for line in lines),
        key=lambda pair: pair[0].char_start,
    )
    assert list(both) == [line for line, _ in expected]
    pytest.importorskip("pandas")
    frame = both.to_pandas()
    assert list(frame["query"]) == [q for _, q in expected]
    assert list(frame["query"].cat.categories) == ["peace", "war", "nuclear catastrophe"]
    assert both.query == ["peace", "war", "nuclear catastrophe"]
    assert len(corpus.kwic(["peace", "peace"])) == len(singles["peace"])


def test_overlapping_queries_keep_query_order_at_one_position():
    pytest.importorskip("pandas")
    corpus = kwiq.Corpus(["peace and peace"])
    frame = corpus.kwic(["peace*", "peace"]).to_pandas()
    assert list(zip(frame["char_start"], frame["query"])) == [
        (0, "peace*"),
        (0, "peace"),
        (10, "peace*"),
        (10, "peace"),
    ]


@pytest.mark.parametrize(
    "query, error",
    [
        ([], ValueError),
        ([1], TypeError),
        (b"x", TypeError),
        (None, TypeError),
    ],
)
def test_bad_query_lists(query, error):
    with pytest.raises(error):
        kwiq.Corpus(["x"]).kwic(query)


def test_remembered_patterns_answer_as_new_ones(letter_text):
    """Glob and regex matches are remembered per corpus; the answers must
    not depend on what was asked before, nor on the memory filling up."""
    corpus = kwiq.Corpus([letter_text])
    first = kwiq_spans(corpus, "peace*")
    for n in range(300):
        corpus.kwic(f"/x{{{n}}}/")
    assert kwiq_spans(corpus, "peace*") == first == oracle_spans([letter_text], ["peace*"])
    assert kwiq_spans(corpus, "PEACE*", case=True) == []


def test_remembered_queries_answer_by_query_and_case(letter_text):
    """A corpus remembers its recent queries parsed, by query and case; asked
    again, in either case and in any order, each answers as the oracle."""
    corpus = kwiq.Corpus([letter_text])
    for query, patterns in [
        ("The", ["The"]),
        ("the peace", ["the", "peace"]),
        ("th?", ["th?"]),
        ("/T.e/", ["/T.e/"]),
    ]:
        for case in (True, False, True, False):
            assert kwiq_spans(corpus, query, case=case) == oracle_spans(
                [letter_text], patterns, case=case
            )


def test_case_insensitive_globs_find_what_exact_globs_find():
    """Found by tools/fuzz_api.py: "?" matched "İ" as written but not its
    folded form "i̇" (two characters), so case=False found less than
    case=True. Likewise "ß" (folded "ss") and the ligature "ﬀ" ("ff")."""
    corpus = kwiq.Corpus(["İ x ß ﬀ Iİ STRASSE ſ"])
    for glob in ["?", "??", "I?", "?x", "*?", "st?a??e"]:
        exact = {(line.start, line.end) for line in corpus.kwic(glob, case=True)}
        folded = {(line.start, line.end) for line in corpus.kwic(glob)}
        assert exact <= folded, glob
    assert [line.match for line in corpus.kwic("?")] == ["İ", "x", "ß", "ﬀ", "ſ"]
    # Folded forms of two characters, and "Iİ", two as written ("ii̇" folded).
    assert [line.match for line in corpus.kwic("??")] == ["İ", "ß", "ﬀ", "Iİ"]


# ---- bounds on regexes (issue 15) ----


@pytest.mark.parametrize(
    "query, problem",
    [
        ("/a{99999999999}/", "a repeat count too large"),
        ("/" + "(" * 5_000 + "a" + ")" * 5_000 + "/", "groups nested too deeply"),
        # Deep enough for the regex module's parser, not for re's.
        ("/" + "(?:" * 300 + "a" + ")" * 300 + "/", "groups nested too deeply"),
    ],
)
def test_a_regex_too_large_or_too_deep_is_a_query_error(query, problem):
    corpus = kwiq.Corpus(["a b"])
    with pytest.raises(kwiq.QueryError, match=f"bad regex: {problem} at position 0"):
        corpus.kwic(query)
    assert len(corpus.kwic("/a/")) == 1


def test_a_glob_of_thousands_of_stars_is_no_recursion():
    corpus = kwiq.Corpus(["a" * 3_000 + " b"])
    assert len(corpus.kwic("a*" * 3_000)) == 1


def test_a_query_holds_at_most_max_regexes():
    corpus = kwiq.Corpus(["a " * 70])
    assert len(corpus.kwic(" ".join(["/a/"] * _query.MAX_REGEXES))) == 70 - 63
    beyond = " ".join(["/a/"] * (_query.MAX_REGEXES + 1))
    with pytest.raises(
        kwiq.QueryError,
        match=f"more than {_query.MAX_REGEXES} /regex/ "
        f"patterns in one query at position {4 * _query.MAX_REGEXES}",
    ):
        corpus.kwic(beyond)


def test_the_regex_time_limit_grows_with_the_vocabulary():
    # Matching costs some 3 us a form: the limit allows several times that
    # for each form, so a large vocabulary does not fail every regex.
    assert _query.match_time_limit(0) == _query.MATCH_TIME_LIMIT
    assert _query.match_time_limit(3_000_000) >= _query.MATCH_TIME_LIMIT + 3_000_000 * 10e-6


def test_a_regex_out_of_memory_is_a_query_error(monkeypatch):
    corpus = kwiq.Corpus(["aaa b"])

    def no_memory(form, timeout):
        raise MemoryError

    monkeypatch.setattr(
        _query,
        "compile_regex",
        lambda *args: type("NoMemory", (), {"fullmatch": staticmethod(no_memory)}),
    )
    with pytest.raises(kwiq.QueryError, match="'a\\+' needed more memory than there is"):
        corpus.kwic("/a+/")


# ---- caches bounded by bytes (issue 15) ----


def test_the_slot_caches_keep_at_most_their_bytes(monkeypatch):
    # 20,000 forms: "w1*" matches 1,111 of them (4.4 KB of ids), "w*" all
    # (80 KB): 120 KB of globs, 1.1 MB of queries. With a ceiling of 100 KB
    # each cache keeps some, never more.
    monkeypatch.setattr(_query, "SLOT_CACHE_BYTES", 100_000)
    corpus = kwiq.Corpus([" ".join(f"w{k}" for k in range(20_000))])
    view = index_view(corpus)
    for k in range(1, 10):
        for prefix in (f"w{k}*", "w*", f"w{k}* w*"):
            assert len(corpus.kwic(prefix)) > 0
            vocabulary_cache, query_cache = view.vocabulary()._slots, view.shared.slots
            assert 0 < vocabulary_cache.bytes <= 100_000
            assert 0 < query_cache.bytes <= 100_000
    assert len(vocabulary_cache) < 10 and len(query_cache) < 27


def test_a_slot_cache_forgets_its_oldest_entries_first(monkeypatch):
    monkeypatch.setattr(_query, "SLOT_CACHE_BYTES", 100)
    cache = _query.SlotCache()
    for key in "abcd":
        cache.put(key, key.upper(), 40)
    assert [cache.get(key) for key in "abcd"] == [None, None, "C", "D"]
    assert cache.bytes == 80
    cache.put("huge", "H", 101)  # larger than the ceiling: not kept, nothing lost
    assert cache.get("huge") is None and cache.get("c") == "C"
    monkeypatch.setattr(_query, "SLOT_CACHE_SIZE", 2)
    cache.put("e", "E", 1)
    assert [cache.get(key) for key in "cde"] == [None, "D", "E"]
