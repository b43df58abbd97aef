"""The kwiq command line, run for real in subprocesses.

Every case runs both as the ``kwiq`` console script installed beside the
interpreter and as ``python -m kwiq``. Expectations come from the issue's
counts, from the letter's own text (char offsets, words of context counted
with re) and from the Python API (``kwiq.sample().kwic``, ``Corpus.from_files``)
for field-by-field agreement of the structured formats, with its own writers
(``Concordance.format``, ``to_csv``, ``to_json``) as the byte-for-byte oracle
of the text, csv and json outputs.
"""

import csv
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kwiq
from conftest import LETTER_NAME  # letter_text reads pkg/kwiq/data/LETTER_NAME

SCRIPT = Path(sys.executable).with_name("kwiq")
FIELDS = ["doc", "start", "end", "left", "match", "right", "char_start", "char_end", "query"]
INT_FIELDS = ("start", "end", "char_start", "char_end")
TIMEOUT = 60  # a safety net against a hung child, not a timing assertion
WORD = re.compile(r"[^\W_]+")  # words are runs of letters and digits

ISSUE_COUNTS = [("peace", 11), ("Cuba", 17), ("U-2", 2), ("nuclear catastrophe", 1)]

GERMAN = "Die Straße ist lang.\nDIE STRASSE IST LANG, sagt sie.\n"
ENGLISH = "Don\u2019t stop now; don't go.\nThe street is long, the night is dark.\n"


def _env():
    env = dict(os.environ)
    # The child writes UTF-8 whatever the test runner's locale is.
    env["PYTHONIOENCODING"] = "utf-8"
    env.pop("PYTHONUTF8", None)
    return env


def _command(how):
    if how == "script":
        if not SCRIPT.exists():
            pytest.skip(f"no kwiq console script at {SCRIPT}")
        return [str(SCRIPT)]
    return [sys.executable, "-m", "kwiq"]


class Done:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout.decode("utf-8")  # strict: the output must be UTF-8
        self.err = proc.stderr.decode("utf-8", "replace")

    @property
    def lines(self):
        return self.out.splitlines()

    def __repr__(self):
        return f"<rc={self.rc} out={self.out[:300]!r} err={self.err[-500:]!r}>"


# Every case runs through the installed `kwiq` script; through `python -m
# kwiq` too in the full run (the quick loop needs one way in).
@pytest.fixture(params=["script", pytest.param("module", marks=pytest.mark.slow)])
def how(request):
    return request.param


@pytest.fixture
def run(how, tmp_path):
    """run(*args, stdin=bytes|None) -> Done; cwd is tmp_path, so relative
    FILE names are the test's files and ``-m kwiq`` finds the installed
    package, not a source tree."""
    command = _command(how)

    def run(*args, stdin=None):
        proc = subprocess.run(
            command + [str(arg) for arg in args],
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            cwd=tmp_path,
            env=_env(),
            timeout=TIMEOUT,
        )
        return Done(proc)

    return run


@pytest.fixture(scope="module")
def letter():
    return kwiq.sample()


@pytest.fixture
def files(tmp_path):
    """Two small UTF-8 files with names of equal length."""
    (tmp_path / "de.txt").write_text(GERMAN, encoding="utf-8")
    (tmp_path / "en.txt").write_text(ENGLISH, encoding="utf-8")
    return tmp_path


def ws(text):
    """Each run of white space as one space, as the contexts show it."""
    return re.sub(r"\s+", " ", text)


def fold(text):
    """Full case folding, with the typographic apostrophe as the ASCII one."""
    return text.replace("\u2019", "'").casefold()


def match_columns(line, query):
    """Columns where ``query`` starts in ``line``, ignoring case."""
    want = fold(query)
    return {i for i in range(len(line)) if fold(line[i:]).startswith(want)}


def aligned_column(lines, query):
    """The one column where the query starts on every line."""
    assert lines
    common = set.intersection(*(match_columns(line, query) for line in lines))
    assert common, f"{query!r} not in one column on all lines:\n" + "\n".join(lines)
    return min(common)


def parse(out, fmt):
    """Records of a csv/tsv/json output as dicts with int offsets."""
    if fmt == "json":
        data = json.loads(out)
        assert isinstance(data, list)
        for record in data:
            assert list(record) == FIELDS
            for name in INT_FIELDS:
                assert type(record[name]) is int
        return data
    reader = csv.reader(io.StringIO(out, newline=""), delimiter="\t" if fmt == "tsv" else ",")
    rows = list(reader)
    assert rows and rows[0] == FIELDS
    records = []
    for row in rows[1:]:
        assert len(row) == len(FIELDS), row
        record = dict(zip(FIELDS, row))
        for name in INT_FIELDS:
            record[name] = int(record[name])
        records.append(record)
    return records


def check_against_text(records, text, window):
    """Each record against the document's text, independently of kwiq:
    the char span is the match (white space shown as one space), the
    contexts are the text around it, with exactly ``window`` words."""
    for r in records:
        span = text[r["char_start"] : r["char_end"]]
        assert ws(span) == r["match"], r
        before, after = text[: r["char_start"]], text[r["char_end"] :]
        assert ws(before).endswith(r["left"]), r
        assert ws(after).startswith(r["right"]), r
        want_left = WORD.findall(before)[-window:] if window else []
        assert WORD.findall(r["left"]) == want_left, r
        assert WORD.findall(r["right"]) == WORD.findall(after)[:window], r


def api_records(corpus, query, window=5, case=False, **context):
    """The lines as the structured formats give them: the Line fields, then
    the query as given."""
    return [
        dict(line._asdict(), query=query)
        for line in corpus.kwic(query, window=window, case=case, **context)
    ]


# ---------------------------------------------------------------- text format


@pytest.mark.parametrize("query, expected", ISSUE_COUNTS)
def test_issue_counts_text(run, letter, letter_text, query, expected):
    done = run(query)
    assert done.rc == 0, done
    assert done.err == ""
    lines = done.lines
    assert len(lines) == expected
    column = aligned_column(lines, query)
    assert column == (79 - len(query)) // 2  # the matches centred in 79 columns
    api = list(letter.kwic(query))
    for line, hit in zip(lines, api):
        assert len(line) <= 79
        assert line[column : column + len(hit.match)] == hit.match
        assert letter_text[hit.char_start : hit.char_end] == hit.match
        # what is shown of the contexts is a part of them
        assert hit.left.endswith(line[:column].lstrip())
        assert hit.right.startswith(line[column + len(hit.match) :])


def test_embedded_letter_phrase_has_no_file_prefix(run):
    done = run("nuclear catastrophe")
    assert done.rc == 0, done
    [line] = done.lines
    assert LETTER_NAME not in line
    assert "world nuclear catastrophe would" in line


@pytest.mark.parametrize("width", [40, 60, 120])
def test_width(run, width):
    done = run("peace", "--width", width)
    assert done.rc == 0, done
    lines = done.lines
    assert len(lines) == 11
    assert all(len(line) <= width for line in lines)
    assert aligned_column(lines, "peace") == (width - len("peace")) // 2


def test_width_zero_shows_only_the_match(run):
    done = run("Cuba", "--width", 0)
    assert done.rc == 0, done
    assert done.lines == ["Cuba"] * 17


def test_window_zero(run):
    done = run("peace", "--window", 0)
    assert done.rc == 0, done
    assert [line.strip() for line in done.lines] == ["peace"] * 11
    aligned_column(done.lines, "peace")


def test_window_two_text(run):
    done = run("peace", "-w", 2)
    assert done.rc == 0, done
    lines = done.lines
    assert len(lines) == 11
    column = aligned_column(lines, "peace")
    for line in lines:
        assert len(WORD.findall(line[:column])) == 2
        assert len(WORD.findall(line[column + len("peace") :])) == 2


# ---------------------------------------------------- csv, tsv and json formats


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
@pytest.mark.parametrize("query, expected", ISSUE_COUNTS)
def test_structured_formats_agree_with_api(run, letter, letter_text, fmt, query, expected):
    done = run(query, "--format", fmt)
    assert done.rc == 0, done
    assert done.err == ""
    records = parse(done.out, fmt)
    assert len(records) == expected
    assert records == api_records(letter, query)
    assert all(r["doc"] == LETTER_NAME for r in records)
    for r in records:
        assert letter_text[r["char_start"] : r["char_end"]] == r["match"]
    check_against_text(records, letter_text, window=5)


@pytest.mark.parametrize("window", [0, 2])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_window_structured(run, letter, letter_text, fmt, window):
    done = run("Cuba", "-f", fmt, "--window", window)
    assert done.rc == 0, done
    records = parse(done.out, fmt)
    assert len(records) == 17
    assert records == api_records(letter, "Cuba", window=window)
    check_against_text(records, letter_text, window=window)
    if window == 0:
        assert all(r["left"] == "" and r["right"] == "" for r in records)


@pytest.mark.parametrize(
    "args, context",
    [
        (["--chars", "30"], dict(width=30)),
        (["--bound", "sentence"], dict(bound="sentence")),
        (["--bound", "paragraph", "-w", "40"], dict(window=40, bound="paragraph")),
        (["--chars", "45", "--bound", "sentence", "-w", "1"], dict(width=45, bound="sentence")),
    ],
)
def test_chars_and_bound_agree_with_api(run, letter, args, context):
    done = run("Cuba", "-f", "json", *args)
    assert done.rc == 0, done
    records = parse(done.out, "json")
    assert records == api_records(letter, "Cuba", **context)
    assert records != api_records(letter, "Cuba")
    if "width" in context:
        assert all(len(r["left"]) <= context["width"] >= len(r["right"]) for r in records)


def test_chars_and_bound_text(run, letter):
    done = run("peace", "--chars", "20", "--bound", "sentence")
    assert done.rc == 0, done
    column = aligned_column(done.lines, "peace")
    for line, hit in zip(done.lines, letter.kwic("peace", width=20, bound="sentence")):
        assert line[:column].lstrip() == hit.left and line[column:] == hit.match + hit.right
    assert done.lines[0].endswith("peace of the world.")


def test_case_on_the_letter(run, letter, letter_text):
    done = run("Cuba", "--case", "-f", "csv")
    assert done.rc == 0, done
    records = parse(done.out, "csv")
    assert len(records) == len(re.findall(r"(?<![^\W_])Cuba(?![^\W_])", letter_text)) == 17
    assert records == api_records(letter, "Cuba", case=True)
    lower = run("cuba", "--case")
    assert (lower.rc, lower.out) == (1, "")


# ------------------------------------------------------------------ FILE args


def test_file_non_ascii_case_folding(run, files):
    done = run("straße", "de.txt", "-f", "csv")
    assert done.rc == 0, done
    records = parse(done.out, "csv")
    assert [r["match"] for r in records] == ["Straße", "STRASSE"]
    assert all(r["doc"] == "de.txt" for r in records)
    check_against_text(records, GERMAN, window=5)
    assert records == api_records(kwiq.Corpus([GERMAN], ids=["de.txt"]), "straße")

    text = run("STRASSE", "de.txt")
    assert text.rc == 0, text
    assert len(text.lines) == 2
    assert not any(line.startswith("de.txt") for line in text.lines)  # one FILE: no prefix
    aligned_column(text.lines, "strasse")


@pytest.mark.parametrize("query, match", [("Straße", "Straße"), ("STRASSE", "STRASSE")])
def test_file_case(run, files, query, match):
    done = run(query, "de.txt", "--case", "-f", "json")
    assert done.rc == 0, done
    [record] = parse(done.out, "json")
    assert record["match"] == match
    assert GERMAN[record["char_start"] : record["char_end"]] == match


def test_file_case_no_match(run, files):
    done = run("strasse", "de.txt", "--case")
    assert (done.rc, done.out) == (1, "")


def test_file_typographic_apostrophe(run, files):
    done = run("don't", "en.txt", "-f", "csv")
    assert done.rc == 0, done
    records = parse(done.out, "csv")
    assert [r["match"] for r in records] == ["Don\u2019t", "don't"]
    for r in records:
        assert ENGLISH[r["char_start"] : r["char_end"]] == r["match"]
    text = run("Don\u2019t", "en.txt")
    assert text.rc == 0, text
    assert len(text.lines) == 2
    aligned_column(text.lines, "don't")
    exact = run("don't", "en.txt", "--case", "-f", "csv")
    assert [r["match"] for r in parse(exact.out, "csv")] == ["don't"]


def test_several_files_text(run, files):
    done = run("the", "de.txt", "en.txt")
    assert done.rc == 0, done
    lines = done.lines
    assert len(lines) == 2
    assert all(line.startswith("en.txt: ") for line in lines)
    done = run("is", "de.txt", "en.txt")  # "IST" is not "is": only en.txt
    assert [line[:8] for line in done.lines] == ["en.txt: "] * 2
    done = run("s", "de.txt", "en.txt")  # no whole word "s" anywhere
    assert (done.rc, done.out) == (1, "")


def test_several_files_prefix_in_order(run, files):
    (files / "fr.txt").write_text("La rue est longue, la STRASSE aussi.\n", encoding="utf-8")
    done = run("strasse", "de.txt", "fr.txt", "en.txt")
    assert done.rc == 0, done
    lines = done.lines
    assert [line[:8] for line in lines] == ["de.txt: ", "de.txt: ", "fr.txt: "]
    # prefixes of one length: the matches are still in one column
    aligned_column(lines, "strasse")


def test_several_files_structured(run, files):
    absolute = files / "en.txt"
    done = run("the", "de.txt", absolute, "-f", "csv")
    assert done.rc == 0, done
    records = parse(done.out, "csv")
    assert [r["doc"] for r in records] == [str(absolute)] * 2
    check_against_text(records, ENGLISH, window=5)
    done = run("lang", "de.txt", absolute, "-f", "json")
    records = parse(done.out, "json")
    assert [r["doc"] for r in records] == ["de.txt", "de.txt"]
    corpus = kwiq.Corpus([GERMAN, ENGLISH], ids=["de.txt", str(absolute)])
    assert records == api_records(corpus, "lang")


def test_stdin(run):
    data = GERMAN.encode("utf-8")
    done = run("straße", "-", stdin=data)
    assert done.rc == 0, done
    assert len(done.lines) == 2
    done = run("straße", "-", "-f", "tsv", stdin=data)
    records = parse(done.out, "tsv")
    assert [r["doc"] for r in records] == ["-", "-"]
    check_against_text(records, GERMAN, window=5)


def test_stdin_with_a_file(run, files):
    done = run("the", "-", "en.txt", "-f", "csv", stdin=b"the end\n")
    assert done.rc == 0, done
    assert [r["doc"] for r in parse(done.out, "csv")] == ["-", "en.txt", "en.txt"]


def test_options_between_query_and_files(run, files):
    # grep-style: options may come anywhere, also between QUERY and FILE
    done = run("Straße", "--case", "-w", "1", "de.txt", "-f", "csv")
    assert done.rc == 0, done
    [record] = parse(done.out, "csv")
    assert (record["left"], record["match"], record["right"]) == ("Die ", "Straße", " ist")


# ---------------------------------------------------------------- exit status


def test_no_match_text(run, files):
    for args in (["zebra"], ["zebra", "de.txt"], ["peace", "de.txt", "en.txt"]):
        done = run(*args)
        assert (done.rc, done.out, done.err) == (1, "", ""), args


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_no_match_structured(run, fmt):
    done = run("zebra", "-f", fmt)
    assert done.rc == 1, done
    assert parse(done.out, fmt) == []  # still parseable: a header only, or []


@pytest.mark.parametrize("query", ["", "   ", "\n"])
def test_empty_query(run, query):
    done = run(query)
    assert done.rc == 2, done
    assert done.out == ""
    assert "kwiq" in done.err and "query" in done.err
    assert "Traceback" not in done.err


def test_missing_file(run, files):
    done = run("peace", "no-such-file.txt")
    assert done.rc == 2, done
    assert done.out == ""
    assert "no-such-file.txt" in done.err
    assert "Traceback" not in done.err
    # one bad FILE among good ones: nothing is printed
    done = run("the", "en.txt", "nowhere/missing.txt")
    assert (done.rc, done.out) == (2, ""), done
    assert "nowhere/missing.txt" in done.err


def test_directory_as_file(run, files):
    (files / "sub").mkdir()
    done = run("the", "sub")
    assert (done.rc, done.out) == (2, ""), done
    assert "sub" in done.err and "Traceback" not in done.err


def test_directory_and_glob(run, files):
    (files / "sub").mkdir()
    (files / "sub" / "fr.txt").write_text("La STRASSE est longue.\n", encoding="utf-8")
    done = run("strasse", ".", "-f", "csv")  # every *.txt file below, sorted
    assert done.rc == 0, done
    # named relative to the directory
    assert [r["doc"] for r in parse(done.out, "csv")] == ["de.txt", "de.txt", "sub/fr.txt"]
    done = run("strasse", "**/fr*.txt", "en.txt", "--threads", "2", "-f", "csv")
    assert done.rc == 0, done
    assert [r["doc"] for r in parse(done.out, "csv")] == ["sub/fr.txt"]
    done = run("strasse", "**/*.none")
    assert (done.rc, done.out) == (2, ""), done
    assert "no file matches **/*.none" in done.err and "Traceback" not in done.err
    done = run("the", "en.txt", "--threads", "0")
    assert done.rc == 2 and "--threads" in done.err


def test_a_directory_reads_txt_as_from_files_does(run, files):
    """The directory rule of Corpus.from_files: *.txt by default, the files
    left out said on stderr, --include to choose; names relative to it."""
    (files / "README").write_text("the strasse README\n", encoding="utf-8")
    (files / "sub").mkdir()
    (files / "sub" / "fr.md").write_text("La STRASSE\n", encoding="utf-8")
    done = run("strasse", ".", "-f", "csv")
    assert done.rc == 0, done
    assert [r["doc"] for r in parse(done.out, "csv")] == ["de.txt", "de.txt"]
    assert done.err == (
        "kwiq: 2 file(s) not matching *.txt left out: ./README, ./sub/fr.md; "
        "--include '*' reads every file\n"
    )
    done = run("strasse", ".", "--include", "*.md", "--include", "READ*", "-f", "csv")
    assert [r["doc"] for r in parse(done.out, "csv")] == ["README", "sub/fr.md"]
    assert run("build", ".", "--include", "*", "-o", "all.kwiq").rc == 0
    assert kwiq.Corpus.load(files / "all.kwiq").ids == ("README", "de.txt", "en.txt", "sub/fr.md")
    # two directories whose files have the same name relative to each
    (files / "other").mkdir()
    (files / "other" / "de.txt").write_text("x\n", encoding="utf-8")
    done = run("strasse", ".", "other")
    assert (done.rc, done.out) == (2, ""), done
    assert done.err.endswith("kwiq: de.txt: two FILEs have this name\n")


def test_same_file_twice(run, files):
    done = run("the", "en.txt", "en.txt")
    assert (done.rc, done.out) == (2, ""), done
    assert "twice" in done.err
    done = run("the", "en.txt", "*.txt")  # a glob that finds it again
    assert (done.rc, done.out) == (2, ""), done
    assert "en.txt: a FILE is given twice" in done.err


@pytest.mark.parametrize(
    "args",
    [
        ["--window", "-1"],
        ["-w", "-3"],
        ["--width", "-1"],
        ["--window", "two"],
        ["--chars", "0"],
        ["--chars", "-4"],
        ["--chars", "ten"],
        ["--bound", "word"],
    ],
)
def test_bad_numbers(run, args):
    done = run("peace", *args)
    assert done.rc == 2, done
    assert done.out == ""
    assert "usage: kwiq" in done.err
    assert args[0] in done.err
    assert "Traceback" not in done.err


# Valid UTF-8 (two- and three-byte characters) before one bad byte, so the
# byte offset and the character offset differ.
BAD_PREFIX = "Caf\u00e9 \u2019ok\u2019 Stra".encode("utf-8")
BAD_BYTES = BAD_PREFIX + b"\xdfe ist lang.\n"
BAD_OFFSET = len(BAD_PREFIX)


def test_bad_utf8_file(run, tmp_path):
    # 19 bytes, but only 14 characters: the offset must be counted in bytes
    assert BAD_OFFSET == 19 and len(BAD_PREFIX.decode("utf-8")) == 14
    (tmp_path / "latin.txt").write_bytes(BAD_BYTES)
    done = run("ist", "latin.txt")
    assert done.rc == 2, done
    assert done.out == ""
    assert "latin.txt" in done.err
    assert re.search(rf"\bbyte offset {BAD_OFFSET}\b", done.err), done.err
    assert "--encoding" in done.err
    assert "Traceback" not in done.err


def test_bad_utf8_stdin(run):
    done = run("ist", "-", stdin=BAD_BYTES)
    assert (done.rc, done.out) == (2, ""), done
    assert "standard input" in done.err
    assert re.search(rf"\bbyte offset {BAD_OFFSET}\b", done.err), done.err


def test_encoding_latin1(run, tmp_path):
    (tmp_path / "latin.txt").write_bytes(BAD_BYTES)
    text = BAD_BYTES.decode("latin-1")
    done = run("straße", "latin.txt", "--encoding", "latin-1", "-f", "json")
    assert done.rc == 0, done
    [record] = parse(done.out, "json")
    assert record["match"] == "Straße"
    assert text[record["char_start"] : record["char_end"]] == "Straße"
    check_against_text([record], text, window=5)
    plain = run("straße", "latin.txt", "--encoding", "latin-1")
    assert plain.rc == 0, plain
    assert len(plain.lines) == 1


def test_unknown_encoding(run, files):
    done = run("the", "en.txt", "--encoding", "no-such-codec")
    assert (done.rc, done.out) == (2, ""), done
    assert "no-such-codec" in done.err and "Traceback" not in done.err


def test_help(run):
    done = run("--help")
    assert done.rc == 0, done
    assert "QUERY" in done.out and "--window" in done.out
    assert "--chars N" in done.out and "{sentence,paragraph}" in done.out


# --------------------------------------------------------------- saved corpora


@pytest.fixture
def saved(run, files):
    """de.txt and en.txt built into both.kwiq by ``kwiq build``."""
    done = run("build", "de.txt", "en.txt", "-o", "both.kwiq")
    assert (done.rc, done.err) == (0, ""), done
    assert done.out == "both.kwiq: 2 documents, 34 tokens\n"
    return files / "both.kwiq"


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["-f", "csv", "--case"],
        ["-f", "json", "-w", "2"],
        ["--chars", "20", "--bound", "sentence", "--width", "50"],
    ],
)
def test_saved_corpus_answers_as_its_files(run, saved, args):
    for query in ["strasse", "the", "zebra"]:
        from_files = run(query, "de.txt", "en.txt", *args)
        from_saved = run(query, "-c", "both.kwiq", *args)
        assert (from_saved.rc, from_saved.out, from_saved.err) == (
            from_files.rc,
            from_files.out,
            from_files.err,
        ), (query, args)
    # Options may come before, between or after.
    anywhere = run("-c", "both.kwiq", *args, "strasse")
    assert anywhere.out == run("strasse", "de.txt", "en.txt", *args).out


def test_saved_corpus_of_one_file_has_no_prefix(run, files):
    assert run("build", "de.txt", "--output", "de.kwiq").rc == 0
    done = run("STRASSE", "--corpus", "de.kwiq")
    assert done.rc == 0, done
    assert done.out == run("STRASSE", "de.txt").out
    assert not done.out.startswith("de.txt")


def test_build_from_stdin_and_other_encodings(run, tmp_path):
    done = run("build", "-", "-o", "in.kwiq", stdin=GERMAN.encode("utf-8"))
    assert done.rc == 0, done
    records = parse(run("straße", "-c", "in.kwiq", "-f", "csv").out, "csv")
    assert [r["doc"] for r in records] == ["-", "-"]
    (tmp_path / "latin.txt").write_bytes(BAD_BYTES)
    bad = run("build", "latin.txt", "-o", "latin.kwiq")
    assert (bad.rc, bad.out) == (2, ""), bad
    assert re.search(rf"\bbyte offset {BAD_OFFSET}\b", bad.err) and "Traceback" not in bad.err
    assert not (tmp_path / "latin.kwiq").exists()
    good = run("build", "--encoding", "latin-1", "latin.txt", "-o", "latin.kwiq")
    assert good.rc == 0, good
    assert (
        parse(run("straße", "-c", "latin.kwiq", "-f", "json").out, "json")[0]["match"] == "Straße"
    )


def test_build_a_directory_on_any_threads(run, tmp_path):
    """kwiq build takes directories and globs too, and writes the same bytes
    whatever --threads."""
    (tmp_path / "texts" / "sub").mkdir(parents=True)
    for k in range(30):  # 3 MB: enough for three runs (at least 1 MB each)
        (tmp_path / "texts" / ("sub" if k % 3 else ".") / f"{k:02}.txt").write_text(
            f"Text {k}: the Straße, the STRASSE and {k} words more. " * 1800 + "A zebra.",
            encoding="utf-8",
        )
    outputs = []
    for threads in ("1", "2", "3"):
        done = run("build", "texts", "--threads", threads, "-o", f"{threads}.kwiq")
        assert done.rc == 0, done
        assert done.out.startswith(f"{threads}.kwiq: 30 documents,")
        outputs.append((tmp_path / f"{threads}.kwiq").read_bytes())
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]
    records = parse(run("zebra", "-c", "1.kwiq", "-f", "csv").out, "csv")
    assert len(records) == 30
    assert records[0]["doc"] == "00.txt" and records[-1]["doc"] == "sub/29.txt"


def test_searching_for_the_word_build(run, tmp_path):
    (tmp_path / "b.txt").write_text("We build. They Build ships.\n", encoding="utf-8")
    done = run("--", "build", "b.txt")
    assert done.rc == 0, done
    assert len(done.lines) == 2
    assert run("--case", "build", "b.txt").lines == done.lines[:1]
    # "build" first is the subcommand, and its errors say how to search.
    wrong = run("build", "b.txt")
    assert (wrong.rc, wrong.out) == (2, ""), wrong
    assert "-o" in wrong.err and "kwiq -- build" in wrong.err
    assert not list(tmp_path.glob("*.kwiq"))


@pytest.mark.parametrize(
    "args, expected",
    [
        (["build", "-o", "x.kwiq"], "FILE"),
        (["build", "missing.txt", "-o", "x.kwiq"], "missing.txt"),
        (["build", "de.txt", "-o", "no/such/dir/x.kwiq"], "no/such/dir"),
        (["build", "de.txt", "de.txt", "-o", "x.kwiq"], "twice"),
        (["peace", "-c", "missing.kwiq"], "missing.kwiq: No such file"),
        (["peace", "-c", "de.txt"], "de.txt: not a saved kwiq index"),
        (["peace", "-c", "de.txt", "en.txt"], "not both"),
    ],
)
def test_build_and_corpus_errors(run, files, args, expected):
    done = run(*args)
    assert (done.rc, done.out) == (2, ""), done
    assert expected in done.err and "Traceback" not in done.err
    assert not (files / "x.kwiq").exists()


def test_damaged_corpus(run, saved):
    data = bytearray(saved.read_bytes())
    data[len(data) // 2] ^= 0x10
    saved.write_bytes(data)
    done = run("the", "-c", "both.kwiq")
    assert (done.rc, done.out) == (2, ""), done
    assert done.err.startswith("kwiq: both.kwiq: section ") and "damaged" in done.err


def test_help_mentions_saved_corpora(run):
    done = run("--help")
    assert "--corpus CORPUS" in done.out and "kwiq build" in done.out
    assert "kwiq -- build" in done.out
    build = run("build", "--help")
    assert build.rc == 0 and "-o CORPUS" in build.out and "FILE" in build.out


# ------------------------------------------------------------------ broken pipe


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    """Enough text that the output is far larger than any pipe buffer, so
    a reader that stops early really leaves the writer with a closed pipe."""
    path = tmp_path_factory.mktemp("big") / "big.txt"
    sentence = "The cat sat on the mat and the dog watched the door of the house. "
    path.write_text((sentence * 20 + "\n") * 500, encoding="utf-8")  # 50,000 hits
    return path


@pytest.mark.parametrize("fmt", ["text", "csv", "json"])
def test_reader_closes_after_one_line(how, big_file, fmt):
    proc = subprocess.Popen(
        _command(how) + ["the", str(big_file), "-f", fmt],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )
    try:
        first = proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read().decode("utf-8", "replace")
        rc = proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert first.strip()
    assert "Traceback" not in err and "Error" not in err, err
    assert rc == 0


def test_reader_closes_before_any_output(how):
    proc = subprocess.Popen(
        _command(how) + ["the"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    rc = proc.wait(timeout=TIMEOUT)
    assert "Traceback" not in err and "Error" not in err, err
    assert rc == 0


def test_through_head(how, big_file, tmp_path):
    """``kwiq the FILE | head -1``: kwiq itself exits 0 without a word on
    stderr, and the one line is the concordance's first."""
    shell = shutil.which("sh")
    if shell is None or shutil.which("head") is None:
        pytest.skip("no sh or head")
    status = tmp_path / "status"
    kwiq_command = shlex.join(_command(how) + ["the", str(big_file)])
    command = f"{{ {kwiq_command}; echo $? > {shlex.quote(str(status))}; }} | head -1"
    proc = subprocess.run(
        [shell, "-c", command],
        capture_output=True,
        env=_env(),
        stdin=subprocess.DEVNULL,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0
    assert status.read_text() == "0\n"
    first = kwiq.Corpus.from_files(str(big_file), progress=False).kwic("the").format(limit=1)
    assert proc.stdout.decode("utf-8") == first.split("\n", 1)[1] + "\n"  # no header
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "Error" not in err, err


class CountingConcordance:
    """A concordance of n lines that makes them only when asked, counting
    how many it made."""

    query = "the"

    def __init__(self, n):
        self.n = n
        self.made = 0

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        start, stop, _ = index.indices(self.n)
        self.made += stop - start
        return [
            kwiq.Line(
                f"doc{k % 3}", k, k + 1, "words on the left ", "the", " words on the right", 0, 3
            )
            for k in range(start, stop)
        ]


class PipeClosedAfter(io.StringIO):
    """Standard output whose reader leaves once it has `size` characters."""

    def __init__(self, size):
        super().__init__()
        self.size = size

    def write(self, text):
        if self.tell() >= self.size:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


@pytest.mark.parametrize("fmt", ["text", "csv", "tsv", "json"])
def test_output_makes_only_the_lines_a_reader_takes(fmt):
    """A million lines, a reader that leaves after the first: the writer has
    made no more than the chunk that was being written and the next."""
    from kwiq import cli

    conc = CountingConcordance(1_000_000)
    out = PipeClosedAfter(1)
    with pytest.raises(BrokenPipeError):
        cli.write(conc, out, fmt, ids=["doc0", "doc1", "doc2"])
    assert 0 < conc.made <= 2 * cli.LINES_PER_WRITE
    assert out.getvalue().count("words on the left") <= cli.LINES_PER_WRITE


def test_wider_matches_after_the_first_chunk_keep_the_column(run, tmp_path):
    """The match column is set by the first chunk of lines; a wider match
    later takes its room from its right context and is never cut."""
    from kwiq import cli

    n = cli.LINES_PER_WRITE + 5
    (tmp_path / "cats.txt").write_text("a cat b\n" * n + "a category b\n", encoding="utf-8")
    for width, last in [(40, f"{'a ':>18}category b"), (10, " a category")]:
        done = run("cat*", "cats.txt", "-w", 1, "--width", width)
        assert done.rc == 0, done
        lines = done.lines
        assert len(lines) == n + 1
        side = (width - len("cat")) // 2
        assert aligned_column(lines, "cat") == side
        assert lines[:n] == [f"{'a ':>{side}}cat b"] * n
        assert lines[-1] == last


# ------------------------------------------------------- names of documents


@pytest.fixture
def tree(tmp_path):
    """texts/ with two files and a sub-directory of one, the names of
    different lengths; and pair/, a directory of two files."""
    (tmp_path / "texts" / "sub").mkdir(parents=True)
    (tmp_path / "texts" / "de.txt").write_text(GERMAN, encoding="utf-8")
    (tmp_path / "texts" / "en.txt").write_text(ENGLISH, encoding="utf-8")
    (tmp_path / "texts" / "sub" / "fr.txt").write_text(
        "La STRASSE est longue, the rue aussi, the end.\n", encoding="utf-8"
    )
    (tmp_path / "pair").mkdir()
    (tmp_path / "pair" / "one.txt").write_text("the first\n", encoding="utf-8")
    (tmp_path / "pair" / "two.txt").write_text("and the second\n", encoding="utf-8")
    return tmp_path


def name_column(doc, ids, width):
    """What the text format shows before a line of ``doc`` (kwiq.cli's rule):
    a column of at most a third of the width, as wide as the longest id, a
    longer id cut at its start ("…") to keep the file name."""
    room = min(max(map(len, ids)), width // 3 - 2)
    if room <= 0:
        return ""
    shown = doc if len(doc) <= room else "\u2026" + doc[len(doc) - room + 1 :]
    return (shown + ":").ljust(room + 1) + " "


def text_oracle(paths, query, width=79):
    """The text output for FILEs ``paths``, made by the Python API: each
    line of Concordance.format, in the width the names leave, after its
    name when there are several documents."""
    corpus = kwiq.Corpus.from_files(paths, progress=False)
    conc = corpus.kwic(query)
    ids = list(corpus.ids) if corpus.n_docs > 1 else []
    names = [name_column(line.doc, ids, width) if ids else "" for line in conc]
    # The rows alone: no header, no doc column (the names come first).
    rows = conc.format(
        width=width - len(names[0]) if names else width, limit=None, doc=False
    ).split("\n")[1:]
    return "".join(f"{name}{row}\n" for name, row in zip(names, rows))


@pytest.mark.parametrize(
    "paths",
    [["texts"], ["texts/**/*.txt"], ["pair"], ["pair/*.txt"], ["texts/sub", "pair"], ["texts/sub"]],
)
def test_names_as_the_api_and_a_saved_corpus_give_them(run, tree, monkeypatch, paths):
    """A directory or a glob is as many documents as it has files: each
    line names its document whenever there are several, whether one FILE
    or many gave them, exactly as -c on a corpus built from them does."""
    monkeypatch.chdir(tree)
    ids = kwiq.Corpus.from_files(paths, progress=False).ids
    several = len(ids) > 1
    assert several == (paths != ["texts/sub"])
    assert run("build", *paths, "-o", "built.kwiq").rc == 0
    for query in ["the", "strasse", "zebra"]:
        done = run(query, *paths)
        assert done.out == text_oracle(paths, query), (query, paths)
        assert done.rc == (0 if done.out else 1)
        if several and done.out:
            assert all(line.startswith(tuple(f"{i}:" for i in ids)) for line in done.lines)
        saved = run(query, "-c", "built.kwiq")
        assert (saved.rc, saved.out, saved.err) == (done.rc, done.out, done.err)
    for args in (["--width", "50"], ["-f", "csv"], ["--sort", "R1", "--limit", "3"]):
        saved = run("the", "-c", "built.kwiq", *args)
        files = run("the", *paths, *args)
        assert (saved.rc, saved.out, saved.err) == (files.rc, files.out, files.err)


@pytest.mark.parametrize("width", [8, 9, 12, 30, 60, 79, 120])
def test_width_with_names(run, tree, monkeypatch, width):
    """Every line fits the width, the names included; a long name keeps its
    end, the file name."""
    deep = tree / "a-rather-long-directory-name" / "and-a-longer-one-below-it"
    deep.mkdir(parents=True)
    (deep / "it.txt").write_text("It is the end of the long road, the last.\n", encoding="utf-8")
    paths = ["texts", "a-rather-long-directory-name"]
    monkeypatch.chdir(tree)
    done = run("the", *paths, "--width", width)
    assert done.rc == 0, done
    assert done.out == text_oracle(paths, "the", width)
    assert all(len(line) <= width for line in done.lines)
    aligned_column(done.lines, "the")
    deep_lines = [line for line in done.lines if "road" in line or "last" in line]
    # named relative to its directory, a-rather-long-directory-name
    deep_name = "and-a-longer-one-below-it/it.txt"
    if width >= 30:
        assert deep_lines and all("it.txt:" in line for line in deep_lines)
        cut = len(deep_name) > width // 3 - 2
        assert all(line.startswith("\u2026" if cut else deep_name) for line in deep_lines)
    if width < 9:
        assert not any(line.startswith(("texts", "\u2026")) for line in done.lines)


# ------------------------------------------------ sort, limit, errors, query


def test_sort(run, tree, monkeypatch):
    monkeypatch.chdir(tree)
    conc = kwiq.Corpus.from_files("texts", progress=False).kwic("the")
    unsorted = [dict(line._asdict(), query="the") for line in conc]
    for keys, api_keys in [("R1,R2", ["R1", "R2"]), ("l1", ["L1"]), ("doc, R1", ["doc", "R1"])]:
        done = run("the", "texts", "--sort", keys, "-f", "json")
        assert done.rc == 0, done
        expected = [dict(line._asdict(), query="the") for line in conc.sort(*api_keys)]
        assert parse(done.out, "json") == expected != unsorted  # each sort moves lines here
    text = run("the", "texts", "--sort", "R1")
    assert [line.split()[0] for line in text.lines] == [f"{line.doc}:" for line in conc.sort("R1")]


def test_limit(run, tree, monkeypatch):
    monkeypatch.chdir(tree)
    records = parse(run("the", "texts", "-f", "csv").out, "csv")
    lines = run("the", "texts").lines
    assert len(records) == len(lines) == 4
    for limit in (0, 3, 9):
        done = run("the", "texts", "-f", "csv", "--limit", limit)
        assert done.rc == 0, done  # lines were found, however many are shown
        assert parse(done.out, "csv") == records[:limit]
        text = run("the", "texts", "--limit", limit)
        assert text.rc == 0 and text.lines == lines[:limit]
        assert (
            parse(run("the", "texts", "-f", "json", "--limit", limit).out, "json")
            == records[:limit]
        )
    sorted_first = run("the", "texts", "--sort", "R1", "--limit", "1", "-f", "csv")
    assert (
        parse(sorted_first.out, "csv")
        == parse(run("the", "texts", "--sort", "R1", "-f", "csv").out, "csv")[:1]
    )
    none = run("zebra", "texts", "--limit", "2")
    assert (none.rc, none.out) == (1, "")


@pytest.mark.parametrize("errors", ["replace", "ignore", "backslashreplace"])
def test_errors(run, tmp_path, errors):
    (tmp_path / "latin.txt").write_bytes(BAD_BYTES)
    text = BAD_BYTES.decode("utf-8", errors)
    done = run("ist", "latin.txt", "--errors", errors, "-f", "json")
    assert done.rc == 0, done
    [record] = parse(done.out, "json")
    assert text[record["char_start"] : record["char_end"]] == "ist"
    check_against_text([record], text, window=5)
    assert run("build", "latin.txt", "--errors", errors, "-o", "latin.kwiq").rc == 0
    assert run("ist", "-c", "latin.kwiq", "-f", "json").out == done.out


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("args", [[], ["--safe"], ["--case"], ["-w", "1"]])
def test_structured_output_is_what_the_api_writes(run, tree, monkeypatch, fmt, args):
    """Byte for byte what Concordance.to_csv and to_json write: the Line
    fields, then the query as given (here with its two spaces)."""
    monkeypatch.chdir(tree)
    for query in ["the", "=the", "La  STRASSE"]:
        conc = kwiq.Corpus.from_files("texts", progress=False).kwic(
            query, case="--case" in args, window=1 if "-w" in args else 5
        )
        expected = tree / f"expected.{fmt}"
        if fmt == "csv":
            conc.to_csv(expected, safe="--safe" in args)
        else:
            conc.to_json(expected)
        done = run(query, "texts", "-f", fmt, *args)
        assert done.out == expected.read_text(encoding="utf-8"), (query, args)
        assert all(r["query"] == query for r in parse(done.out, fmt))


def test_tsv_query_column(run, files):
    done = run("the", "de.txt", "en.txt", "-f", "tsv")
    records = parse(done.out, "tsv")
    assert records == api_records(kwiq.Corpus([GERMAN, ENGLISH], ids=["de.txt", "en.txt"]), "the")


# ------------------------------------------------------------------ errors


def assert_usage_error(done, *words):
    """Exit status 2, nothing on stdout, and on stderr one line: "kwiq: ...",
    or argparse's usage and then one "kwiq: error: ..." line; the words in
    it, no traceback and no internal name."""
    assert (done.rc, done.out) == (2, ""), done
    lines = done.err.splitlines()
    if lines[0].startswith("usage: kwiq"):
        usage = [k for k, line in enumerate(lines) if not line.startswith(" ")]
        assert usage == [0, len(lines) - 1], done.err
        assert lines[-1].startswith("kwiq: error: ") or lines[-1].startswith(
            "kwiq build: error: "
        ), done.err
    else:
        assert len(lines) == 1 and lines[0].startswith("kwiq: "), done.err
    assert "Traceback" not in done.err and "_" not in lines[-1].replace("khrushchev-kennedy", ""), (
        done.err
    )
    for word in words:
        assert word in lines[-1], (word, done.err)


@pytest.mark.parametrize(
    "args, words",
    [
        (["--window", "x"], ["--window", "whole number", "'x'"]),
        (["--window", "-1"], ["--window", "from 0 to 4294967295"]),
        (["--window", str(2**32)], ["--window", "from 0 to 4294967295"]),
        (["--chars", "0"], ["--chars", "from 1"]),
        (["--chars", "1e3"], ["--chars", "'1e3'"]),
        (["--width", "-1"], ["--width", "from 0 to 10000"]),
        (["--width", "10001"], ["--width", "from 0 to 10000"]),
        (["--width", " "], ["--width"]),
        (["--limit", "-1"], ["--limit", ">= 0"]),
        (["--limit", "all"], ["--limit", "'all'"]),
        (["--threads", "0"], ["--threads"]),
        (["--threads", "two"], ["--threads"]),
        (["--bound", "word"], ["--bound", "invalid choice"]),
        (["--encoding", "nosuch"], ["--encoding", "unknown encoding: nosuch"]),
        (["--encoding", "rot13"], ["--encoding", "not a text encoding"]),
        (["--errors", "nosuch"], ["--errors", "nosuch"]),
        (["--errors", "namereplace"], ["--errors", "namereplace", "cannot decode"]),
        (["--errors", "xmlcharrefreplace"], ["--errors", "cannot decode"]),
        (["--errors", "surrogateescape"], ["--errors", "lone surrogates"]),
        (["--sort", "X1"], ["--sort", "'X1'", "L5, L4, L3, L2, L1, match, R1", "doc, position"]),
        (["--sort", "R1,"], ["--sort", "''", "R5, doc"]),
        (["--format", "xml"], ["--format"]),
    ],
)
def test_usage_errors(run, args, words):
    assert_usage_error(run("peace", *args), *words)


@pytest.mark.parametrize(
    "args, words",
    [
        (["--encoding", "nosuch"], ["--encoding", "nosuch"]),
        (["--errors", "namereplace"], ["--errors", "cannot decode"]),
        (["--threads", "x"], ["--threads", "'x'"]),
    ],
)
def test_build_usage_errors(run, files, args, words):
    assert_usage_error(run("build", "de.txt", "-o", "x.kwiq", *args), *words)
    assert not (files / "x.kwiq").exists()


def test_no_arguments_shows_the_usage(run):
    done = run()
    assert_usage_error(done, "QUERY", "--help")
    assert done.err.startswith("usage: kwiq ") and "QUERY [FILE ...]" in done.err
    assert "required" not in done.err
    only_options = run("--case")
    assert_usage_error(only_options, "required: QUERY")
    assert "FILE" not in only_options.err.splitlines()[-1]


@pytest.mark.parametrize("query", ["", "   ", "\t"])
def test_empty_query_is_one_line(run, files, query):
    for args in ([query], [query, "de.txt", "en.txt"], [query, "-f", "json"]):
        assert_usage_error(run(*args), "query")


@pytest.mark.parametrize(
    "args",
    [
        [b"caf\xe9"],  # a query
        [b"the", b"caf\xe9.txt"],  # a FILE, which exists
        [b"the", b"de.txt", b"--sort", b"R\xff"],  # an option's value
        [b"the", b"-c", b"\xff.kwiq"],
        [b"build", b"caf\xe9.txt", b"-o", b"x.kwiq"],
    ],
)
def test_arguments_that_are_not_utf8(how, files, args):
    (files / os.fsdecode(b"caf\xe9.txt")).write_text("the end\n", encoding="utf-8")
    env = _env()
    env["PYTHONUTF8"] = "1"  # arguments decoded as UTF-8 whatever the locale
    proc = subprocess.run(
        [os.fsencode(part) for part in _command(how)] + args,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        cwd=files,
        env=env,
        timeout=TIMEOUT,
    )
    done = Done(proc)
    assert_usage_error(done, "not valid text", "utf-8")
    bad = next(arg for arg in args if b"\xe9" in arg or b"\xff" in arg)
    assert repr(os.fsdecode(bad)) in done.err
    assert not (files / "x.kwiq").exists()


def test_decode_error_wording(run, tmp_path):
    (tmp_path / "latin.txt").write_bytes(BAD_BYTES)
    try:
        BAD_BYTES.decode("utf-8")
    except UnicodeDecodeError as error:
        reason = error.reason
    hint = "try --encoding cp1252 or --errors replace"
    done = run("ist", "latin.txt")
    assert done.err == (
        f"kwiq: latin.txt: cannot decode as utf-8 at byte offset {BAD_OFFSET} ({reason}); {hint}\n"
    ), done
    assert done.rc == 2
    stdin = run("ist", "-", stdin=BAD_BYTES)
    assert stdin.err == (
        f"kwiq: standard input: cannot decode as utf-8 at byte offset "
        f"{BAD_OFFSET} ({reason}); {hint}\n"
    ), stdin
    build = run("build", "latin.txt", "-o", "latin.kwiq")
    assert build.err == done.err and build.rc == 2
    # 0x81 is not a cp1252 character.
    (tmp_path / "cp.txt").write_bytes(b"the caf\xe9 \x81 end\n")
    cp = run("the", "cp.txt", "--encoding", "cp1252")
    assert cp.err == (
        "kwiq: cp.txt: cannot decode as cp1252 at byte offset 9 (character "
        "maps to <undefined>); try another --encoding or --errors replace\n"
    ), cp


def test_decoded_text_a_corpus_cannot_hold(run, tmp_path):
    """Errors that only the decoding finds are one line too: surrogatepass
    makes a lone surrogate of these bytes, idna takes no error handler."""
    (tmp_path / "s.txt").write_bytes(b"the \xed\xb2\x80 end\n")
    done = run("the", "s.txt", "--errors", "surrogatepass")
    assert_usage_error(done, "s.txt", "surrogatepass", "lone surrogate")
    done = run("the", "s.txt", "--encoding", "idna", "--errors", "replace")
    assert_usage_error(done, "idna", "replace")


def test_help_of_the_new_options(run):
    done = run("--help")
    assert done.rc == 0, done
    text = ws(done.out)
    for words in [
        "--sort KEYS",
        "R1,R2",
        "--limit N",
        "--errors ERRORS",
        "replace",
        "query column",
        "a third of it",
    ]:
        assert words in text, words
