"""Everyday rough edges: a glob's matches without case do not depend on
how the query is cased; JSON output never writes NaN; format() checks its
arguments as kwic does."""

import json
import random
import subprocess
import sys

import pytest

import kwiq
from conftest import DATA, oracle_tokens

# The Straße line: forms that fold to one word in several ways ("ß", "ẞ",
# "ss", the long s "ſ"), and only capitalised ones of some.
STRASSE = "Straße STRAẞE Strasse ſtraße Großen GROSSEN Maß MASS Fuß"
GLOBS = [
    "stra?e",
    "?traße",
    "s?rasse",
    "gro?en",
    "ma?",
    "fu?",
    "gott*",
    "g?tt",
    "*ä?me",
    "b?ume",
    "fr?chte",
    "v?gel*",
    "pea?e",
    "*?ful",
    "n?clear",
    "?",
    "k*?n?",
]


def glob_matches(glob, form, same):
    """Whether ``glob`` matches all of ``form``: ``*`` any run of characters,
    ``?`` one, any other character one that ``same`` accepts."""

    @__import__("functools").lru_cache(maxsize=None)
    def match(g, f):
        if g == len(glob):
            return f == len(form)
        if glob[g] == "*":
            return match(g + 1, f) or (f < len(form) and match(g, f + 1))
        return f < len(form) and (glob[g] == "?" or same(glob[g], form[f])) and match(g + 1, f + 1)

    return match(0, 0)


def oracle_finds(glob, form):
    """case=False, as the query language defines it: the folded glob matches
    the folded form, or (with "?", one character as written) the glob
    matches the form character by character, each in any case. A word is
    found when any of its forms (those that fold alike) is."""
    if glob_matches(glob.casefold(), form.casefold(), str.__eq__):
        return True
    return "?" in glob and glob_matches(glob, form, lambda a, b: a.casefold() == b.casefold())


def casings(glob, rng):
    mixed = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in glob)
    return {glob, glob.upper(), glob.lower(), glob.title(), glob.swapcase(), mixed}


def test_glob_without_case_finds_the_same_lines_however_the_query_is_cased():
    letter = (
        DATA.parent.parent / "pkg" / "kwiq" / "data" / "khrushchev-kennedy-1962-10-28.txt"
    ).read_text(encoding="utf-8")
    german = (DATA / "genesis" / "german.txt").read_bytes().decode("latin-1")
    texts = [letter, german, STRASSE]
    corpus = kwiq.Corpus(texts)
    words = []  # (document, token number, form) of every word token
    for doc, text in enumerate(texts):
        tokens = oracle_tokens(text)
        assert [(s, e) for s, e, _ in tokens] == [(s, e) for s, e, _ in kwiq._core.tokenize(text)]
        words += [(doc, k, text[s:e]) for k, (s, e, is_word) in enumerate(tokens) if is_word]
    forms = {form for _, _, form in words}
    rng = random.Random(15)
    for glob in GLOBS:
        found = {form.casefold() for form in forms if oracle_finds(glob, form)}
        expected = {(doc, k) for doc, k, form in words if form.casefold() in found}
        for cased in casings(glob, rng):
            got = {(line.doc, line.start) for line in corpus.kwic(cased, window=0)}
            assert got == expected, (glob, cased)
    # Only capitalised forms match "?" as written; the word has four forms.
    assert len(kwiq.Corpus(["Straße"]).kwic("stra?e")) == 1
    strasse = kwiq.Corpus([STRASSE])
    assert len(strasse.kwic("stra?e")) == len(strasse.kwic("Stra?e")) == 4


# ---- JSON never writes NaN ----


def strict_json(text):
    """JSON as the standard defines it: no NaN, Infinity or -Infinity."""

    def refuse(constant):
        raise AssertionError(f"{constant} in JSON output")

    return json.loads(text, parse_constant=refuse)


def test_to_json_writes_a_missing_metadata_value_as_null(tmp_path):
    pd = pytest.importorskip("pandas")
    metadata = pd.DataFrame(
        {
            "year": pd.array([1962, None, 1963], dtype="Int64"),
            "score": [0.5, float("nan"), float("inf")],
            "by": ["K", None, float("nan")],
        }
    )
    corpus = kwiq.Corpus(
        ["peace", "peace", "peace"], ids=[float("nan"), "b", ("c", None)], metadata=metadata
    )
    corpus.kwic("peace", meta=["year", "score", "by"]).to_json(tmp_path / "out.json")
    rows = strict_json((tmp_path / "out.json").read_text(encoding="utf-8"))
    # The oracle: pandas' own notion of a missing value, cell by cell.
    for row, (_, expected) in zip(rows, metadata.iterrows()):
        for name in ("year", "score", "by"):
            value = expected[name]
            missing = pd.isna(value) or value in (float("inf"), float("-inf"))
            assert row[name] == (None if missing else value)
    assert [row["doc"] for row in rows] == [None, "b", ["c", None]]


def test_the_command_line_writes_no_nan_in_json(tmp_path):
    kwiq.Corpus(["peace here", "no peace"], ids=[float("nan"), float("-inf")]).save(
        tmp_path / "odd.kwiq"
    )
    done = subprocess.run(
        [sys.executable, "-m", "kwiq", "peace", "-c", "odd.kwiq", "-f", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert [row["doc"] for row in strict_json(done.stdout)] == [None, None]


# ---- format() checks its arguments as kwic does ----


@pytest.mark.parametrize("bad", ["80", True, 2.5, -1, None])
def test_format_checks_its_arguments_as_kwic_checks_a_window(bad):
    corpus = kwiq.Corpus(["peace and war"])
    conc = corpus.kwic("peace")
    for name in ("width", "limit"):
        if bad is None and name == "limit":
            assert conc.format(limit=None) == conc.format()
            continue
        # The oracle: what kwic says of the same value as one side of a window.
        with pytest.raises((TypeError, ValueError)) as from_kwic:
            corpus.kwic("peace", window=(bad, 1))
        with pytest.raises(from_kwic.type) as from_format:
            conc.format(**{name: bad})
        expected = str(from_kwic.value).replace("the left side of window", name)
        if name == "limit":
            expected = expected.replace("must be an int,", "must be an int or None,")
        assert str(from_format.value) == expected


def test_format_width_and_limit_in_range_work_as_before():
    conc = kwiq.sample().kwic("peace")
    header, first, *_ = conc.format(width=0).splitlines()
    assert header == "Displaying 11 of 11 lines" and first == "peace"
    assert conc.format(limit=0) == "Displaying 0 of 11 lines"
    assert conc.format(limit=3).splitlines()[1:] == conc.format().splitlines()[1:4]
