"""Exports: to_csv, to_json, to_polars (and to_pandas), and the HTML view's
text, against the Lines themselves. How the HTML renders is
test_html_render.py's."""

import csv
import json
import sys
from pathlib import Path

import pytest

import kwiq
from kwiq import _concordance, _views

FIELDS = list(kwiq.Line._fields)
EXPORTED = FIELDS + ["query"]
INT_FIELDS = {"start", "end", "char_start", "char_end"}


def mixed_corpus():
    texts = [
        'Ça va? «Peace» — PEACE… 平和 peace, "quoted" peace;\nnew line peace',
        "😀 peace 😀",
        "no match here",
        'x\u2028peace, a,b "c"',
    ]
    return kwiq.Corpus(texts, ids=["ç.txt", ("b", 2), 3, 4.5])


def test_to_csv_round_trips(tmp_path):
    conc = mixed_corpus().kwic("peace", window=3)
    path = tmp_path / "lines.csv"
    assert conc.to_csv(path) is None
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == EXPORTED
    expected = [[str(value) for value in line] + ["peace"] for line in conc]
    assert rows[1:] == expected and len(expected) == 7
    assert path.read_bytes().decode("utf-8").count("\n") == 1 + len(conc)  # "\n" ends rows


def test_to_json_round_trips(tmp_path):
    conc = mixed_corpus().kwic("peace", window=3)
    path = tmp_path / "lines.json"
    assert conc.to_json(str(path)) is None
    data = json.loads(path.read_text(encoding="utf-8"))
    expected = [
        dict(
            line._asdict(),
            query="peace",
            doc=list(line.doc) if isinstance(line.doc, tuple) else line.doc,
        )
        for line in conc
    ]
    assert data == expected
    assert "平和" in path.read_text(encoding="utf-8")  # UTF-8, not \u escapes
    assert [list(obj) for obj in data] == [EXPORTED] * len(conc)


def test_exports_of_an_empty_concordance(tmp_path):
    conc = kwiq.sample().kwic("zebra")
    conc.to_json(tmp_path / "e.json")
    conc.to_csv(tmp_path / "e.csv")
    assert json.loads((tmp_path / "e.json").read_text()) == []
    assert (tmp_path / "e.csv").read_text() == ",".join(EXPORTED) + "\n"


def test_exports_stream_in_chunks(tmp_path, monkeypatch):
    conc = kwiq.Corpus(["peace, " * 3000]).kwic("peace", window=1)
    calls = []
    lines = conc._lines

    def spy(start, stop):
        calls.append(stop - start)
        return lines(start, stop)

    monkeypatch.setattr(conc, "_lines", spy)
    conc.to_json(tmp_path / "big.json")
    assert calls == [1024, 1024, 952]
    calls.clear()
    conc.to_csv(tmp_path / "big.csv")
    assert calls == [1024, 1024, 952]
    data = json.loads((tmp_path / "big.json").read_text())
    assert len(data) == 3000 and data[2999]["char_start"] == 2999 * 7
    with open(tmp_path / "big.csv", newline="") as f:
        assert sum(1 for _ in csv.reader(f)) == 3001


def test_to_json_refuses_ids_json_cannot_hold_before_writing(tmp_path):
    conc = kwiq.Corpus(["peace", "war"], ids=["ok", frozenset({1})]).kwic("peace")
    path = tmp_path / "never.json"
    with pytest.raises(TypeError):
        conc.to_json(path)
    assert not path.exists()


@pytest.mark.parametrize("method", ["to_csv", "to_json"])
def test_export_paths_must_be_paths(method, tmp_path):
    conc = kwiq.sample().kwic("peace")
    with pytest.raises(TypeError):
        getattr(conc, method)(1)  # not a file descriptor
    getattr(conc, method)(Path(tmp_path, "ok"))
    assert Path(tmp_path, "ok").stat().st_size > 0


def test_dataframes_come_from_columns_not_lines(monkeypatch):
    pytest.importorskip("pandas")
    pytest.importorskip("polars")
    conc = kwiq.sample().kwic("the", window=3)

    def no_lines(start, stop):
        raise AssertionError("a DataFrame was built from Line objects")

    monkeypatch.setattr(conc, "_lines", no_lines)
    assert len(conc.to_pandas()) == len(conc.to_polars()) == len(conc)


PANDAS_CASES = [
    (mixed_corpus, "peace", {"window": 3}),
    (mixed_corpus, "peace", {"window": (0, 7), "width": 12, "bound": "sentence"}),
    (mixed_corpus, ["peace*", "平和", "😀"], {"window": 1}),
    (mixed_corpus, "zebra", {}),
    (kwiq.sample, "the", {"window": 5}),
    (kwiq.sample, "Cuba", {"window": 0}),
    (
        lambda: kwiq.Corpus(["a  b\n\n\tc " * 50, "c\u3000a b"], ids=["x", "y"]),
        "a b",
        {"window": 4},
    ),
]


@pytest.mark.parametrize("make, query, options", PANDAS_CASES)
def test_frames_from_arrow_buffers_equal_the_lines(make, query, options, monkeypatch):
    """With pyarrow, to_pandas and to_polars take the lines laid out in C as
    Arrow text columns (from ARROW_MIN_LINES lines on, here from none):
    each row is its line, the columns have the dtypes of a frame made from
    the lines' values, and the other way (a str per field, without pyarrow
    or for fewer lines) gives the same frames."""
    pd = pytest.importorskip("pandas")
    monkeypatch.setattr(_concordance, "ARROW_MIN_LINES", 0)  # Arrow whatever the size
    corpus = make()
    conc = corpus.kwic(query, **options).sort("R1")
    lines = list(conc)
    frame = conc.to_pandas()
    assert [tuple(row)[:8] for row in frame.itertuples(index=False)] == lines
    found_by = {q: set(corpus.kwic(q, **options)) for q in conc.queries}
    assert all(line in found_by[q] for line, q in zip(lines, frame["query"]))
    if lines:
        from_values = pd.DataFrame([tuple(line) for line in lines], columns=FIELDS)
        pd.testing.assert_frame_equal(frame[FIELDS], from_values)
    if _concordance._arrow_str_dtype(pd) is None:
        pytest.skip("pandas keeps text without Arrow here: only the list way exists")
    polars = pytest.importorskip("polars")
    from_buffers = conc.to_polars()
    monkeypatch.setattr(_concordance, "_pyarrow", lambda: None)
    by_lists = conc.to_pandas()
    pd.testing.assert_frame_equal(frame, by_lists, check_dtype=bool(lines))
    by_lists = conc.to_polars()
    assert isinstance(from_buffers, polars.DataFrame)
    # Rows, not equals(): ids of mixed types make an Object column, whose
    # values polars compares by identity.
    assert from_buffers.rows() == by_lists.rows() and from_buffers.schema == by_lists.schema


def test_to_polars_equals_the_lines():
    pl = pytest.importorskip("polars")
    conc = kwiq.sample().kwic("the", window=3)
    frame = conc.to_polars()
    assert isinstance(frame, pl.DataFrame)
    assert frame.columns == EXPORTED
    assert frame.rows() == [tuple(line) + ("the",) for line in conc]
    assert {name: frame.schema[name] for name in INT_FIELDS} == dict.fromkeys(INT_FIELDS, pl.Int64)
    assert frame.schema["match"] == pl.String and frame.schema["doc"] == pl.String

    empty = kwiq.sample().kwic("zebra").to_polars()
    assert empty.shape == (0, 9) and empty.columns == EXPORTED


def test_to_polars_keeps_ids_of_mixed_types_as_objects():
    pl = pytest.importorskip("polars")
    conc = kwiq.Corpus(["peace", "peace", "peace"], ids=["a", ("b", 2), 3]).kwic("peace")
    frame = conc.to_polars()
    assert frame.schema["doc"] == pl.Object
    assert frame["doc"].to_list() == ["a", ("b", 2), 3]
    assert frame.drop("doc", "query").rows() == [tuple(line)[1:] for line in conc]


@pytest.mark.parametrize("method, package", [("to_polars", "polars"), ("to_pandas", "pandas")])
def test_dataframe_without_its_package_says_what_to_install(method, package, monkeypatch):
    monkeypatch.setitem(sys.modules, package, None)  # import fails
    with pytest.raises(ImportError, match=f"pip install .*{package}"):
        getattr(kwiq.sample().kwic("peace"), method)()


def test_html_caption_footer_and_cut_contexts():
    assert (
        "1 line for &#x27;nuclear catastrophe&#x27;"
        in kwiq.sample().kwic("nuclear catastrophe")._repr_html_()
    )
    long_word = "y" * 1000
    conc = kwiq.Corpus([f"{long_word} peace {long_word}"]).kwic("peace")
    page = conc._repr_html_()
    cut = _views.HTML_CONTEXT_CHARS  # characters, the separating space included
    assert f">{'y' * (cut - 1)} </span>" in page
    assert f"> {'y' * (cut - 1)}</div>" in page
    assert "more lines" not in page
    many = kwiq.Corpus(["peace " * 61]).kwic("peace")._repr_html_()
    assert ">1 more line: .page(2)" in many and many.count("<mark") == 60
    assert ">2 more lines: .page(2)" in kwiq.Corpus(["peace " * 62]).kwic("peace")._repr_html_()


def test_exports_say_which_query_found_each_line(tmp_path):
    conc = kwiq.sample().kwic(["peace", "war", "U-2"], window=2)
    singles = {q: list(kwiq.sample().kwic(q, window=2)) for q in ("peace", "war", "U-2")}
    expected = sorted(
        ((line, q) for q, lines in singles.items() for line in lines),
        key=lambda pair: pair[0].char_start,
    )
    conc.to_csv(tmp_path / "q.csv")
    with open(tmp_path / "q.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(int(r["char_start"]), r["query"]) for r in rows] == [
        (line.char_start, q) for line, q in expected
    ]
    conc.to_json(tmp_path / "q.json")
    data = json.loads((tmp_path / "q.json").read_text(encoding="utf-8"))
    assert [obj["query"] for obj in data] == [q for _, q in expected]
    pl = pytest.importorskip("polars")
    assert conc.to_polars()["query"].cast(pl.String).to_list() == [q for _, q in expected]
