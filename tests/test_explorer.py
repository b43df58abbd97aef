"""The concordance explorer's model (kwiq._explorer.Explorer), without a
browser: each setting of its traits must give the page of lines that the
Concordance methods give for the same query, sort, filters and page, sent
with the request it answers; bad queries and settings must surface as the
``error`` trait. Oracles: Concordance.sort/filter/where/page/passage/
count_by (tested against their own oracles in test_views.py), pandas over
to_pandas(), conftest's tokenizer by Python's re, and the files a CSV
export writes. tests/test_explorer_browser.py drives the widget in
JupyterLab."""

import csv
import sys
import tracemalloc

import pytest

import kwiq
from conftest import DATA, oracle_tokens

pytest.importorskip("anywidget", reason="anywidget is not installed (pip install '.[test]')")
pd = pytest.importorskip("pandas")

from kwiq._explorer import MAX_PAGE_SIZE, Explorer  # noqa: E402  (after the skip)
from kwiq._views import HTML_CONTEXT_CHARS, PAGE_SIZE, doc_labels  # noqa: E402


@pytest.fixture(scope="module")
def sotu():
    """The State of the Union addresses, each with its year and president."""
    with pytest.warns(kwiq.SkippedFilesWarning):  # the README
        return kwiq.Corpus.from_files(
            str(DATA / "state_union"),
            encoding=["utf-8", "cp1252"],
            progress=False,
            metadata=lambda path: {
                "year": int(path.name[:4]),
                "president": path.stem.split("-", 1)[1],
            },
        )


@pytest.fixture
def explorer(sotu):
    return sotu.explore()


def expected_rows(corpus, conc, page, size=PAGE_SIZE):
    """The rows the widget must show for page ``page`` of ``conc``: every
    line of conc.page(), numbered from 0 in the whole concordance, with its
    document's label among the corpus's and contexts cut as the static view
    cuts them."""
    labels = dict(zip(corpus.ids, doc_labels(list(corpus.ids))))
    first = (page - 1) * size
    return [
        (
            first + k,
            labels[line.doc],
            line.left[-HTML_CONTEXT_CHARS:],
            line.match,
            line.right[:HTML_CONTEXT_CHARS],
        )
        for k, line in enumerate(conc.page(page, size))
    ]


def shown_rows(widget):
    return [
        (row["n"], row["doc"], row["left"], row["match"], row["right"])
        for row in widget.result["rows"]
    ]


def test_a_query_shows_its_first_page_with_its_counts(sotu, explorer):
    explorer.query = "war"
    conc = sotu.kwic("war")
    assert len(conc) > PAGE_SIZE
    result = explorer.result
    assert result["request"]["query"] == "war" and result["request"]["page"] == 1
    assert (result["total"], result["docs"], result["pages"]) == (
        len(conc),
        conc.n_docs,
        conc.n_pages(),
    )
    assert result["error"] is None and explorer.error == ""
    assert shown_rows(explorer) == expected_rows(sotu, conc, 1)
    # Each row carries its document's metadata as the views show it.
    metadata = sotu.metadata
    assert [column["name"] for column in explorer.columns] == list(metadata.columns)
    for row in result["rows"]:
        assert row["meta"] == [str(value) for value in metadata.loc[row["id"]]]
        assert row["meta"][:2] == [row["id"][:4], row["id"][5:-4]]  # year, president


def test_pages_sort_and_window_give_what_the_concordance_methods_give(sotu, explorer):
    explorer.query = "freedom"
    explorer.sort = ["R1", "L2"]
    explorer.page = 3
    conc = sotu.kwic("freedom").sort("R1", "L2")
    assert explorer.result["request"]["sort"] == ["R1", "L2"]
    assert explorer.result["sort_keys"] == ["r1", "l2"]
    assert shown_rows(explorer) == expected_rows(sotu, conc, 3)
    assert explorer.result["docs"] == len({line.doc for line in conc})
    explorer.window = 2
    assert explorer.page == 1  # a new window starts again from the first page
    explorer.page = 2
    conc = sotu.kwic("freedom", window=2).sort("R1", "L2")
    assert shown_rows(explorer) == expected_rows(sotu, conc, 2)
    explorer.case = True
    explorer.page_size = 25
    explorer.page = 2
    conc = sotu.kwic("freedom", window=2, case=True).sort("R1", "L2")
    assert shown_rows(explorer) == expected_rows(sotu, conc, 2, 25)
    assert explorer.result["pages"] == conc.n_pages(25)


def test_a_page_past_the_last_shows_the_last_and_a_new_query_starts_at_the_first(sotu, explorer):
    explorer.query = "nuclear"
    pages = sotu.kwic("nuclear").n_pages()
    assert pages > 1
    explorer.page = pages + 10
    assert explorer.page == pages and explorer.result["request"]["page"] == pages
    assert shown_rows(explorer) == expected_rows(sotu, sotu.kwic("nuclear"), pages)
    explorer.query = "atomic"
    assert explorer.page == 1 and explorer.result["request"]["query"] == "atomic"
    assert shown_rows(explorer) == expected_rows(sotu, sotu.kwic("atomic"), 1)


def test_a_state_message_as_the_browser_sends_it_gives_one_answer_to_it(sotu, explorer):
    explorer.query = "war"
    explorer.page = 4
    # The front end sends its changes as one message; the answer names them.
    explorer.set_state({"query": "peace", "sort": ["match", "L1"]})
    conc = sotu.kwic("peace").sort("match", "L1")
    assert explorer.result["request"]["query"] == "peace" and explorer.page == 1
    assert shown_rows(explorer) == expected_rows(sotu, conc, 1)
    explorer.set_state({"page": 2})
    assert shown_rows(explorer) == expected_rows(sotu, conc, 2)


def test_the_sort_words_are_marked_where_the_sort_found_them(sotu, explorer):
    explorer.query = "peace"
    explorer.sort = ["R1", "L1", "match"]
    words = 0
    for row in explorer.result["rows"]:
        keys = row["keys"]
        assert keys["match"] == 2
        for side, key, pick in (("right", 0, 0), ("left", 1, -1)):
            text = row[side]
            tokens = [(start, end) for start, end, is_word in oracle_tokens(text) if is_word]
            spans = [span for span in keys[side] if span[2] == key]
            if tokens:
                words += 1
                assert spans == [[*tokens[pick], key]], (row, side)
            else:
                assert spans == []
    assert words > 50


def test_filters_select_as_filter_and_where_and_as_pandas_does(sotu, explorer):
    explorer.query = "war"
    explorer.near = "cold"
    near = sotu.kwic("war").filter(context="cold")
    assert 0 < explorer.result["total"] == len(near)
    assert shown_rows(explorer) == expected_rows(sotu, near, 1)
    explorer.near = ""
    explorer.where = {"year": [1960, 1980], "president": "Nixon"}
    frame = sotu.kwic("war", meta=["year", "president"]).to_pandas()
    kept = frame[(frame.year >= 1960) & (frame.year <= 1980) & (frame.president == "Nixon")]
    assert explorer.result["total"] == len(kept) > 0
    assert [row["id"] for row in explorer.result["rows"]] == kept.doc.tolist()[:PAGE_SIZE]
    assert explorer.result["docs"] == kept.doc.nunique()
    explorer.where = {"year": [None, 1946]}
    assert explorer.result["total"] == int((frame.year <= 1946).sum())


def test_one_filter_control_per_metadata_column(explorer):
    controls = {control["name"]: control for control in explorer.columns}
    assert controls["year"]["kind"] == "range" and controls["year"]["integral"]
    assert (controls["year"]["min"], controls["year"]["max"]) == (1945, 2006)
    assert controls["president"]["kind"] == "choice"
    assert "Truman" in controls["president"]["values"]
    assert controls["president"]["values"] == sorted(set(controls["president"]["values"]))


def test_counts_by_a_metadata_column_are_count_by_s(sotu, explorer):
    explorer.query = "oil"
    explorer.group_by = "president"
    table = sotu.kwic("oil").count_by("president")
    groups = explorer.result["groups"]
    assert [group["value"] for group in groups] == table.president.tolist()
    assert [group["lines"] for group in groups] == table.lines.tolist()
    assert [group["per_million"] for group in groups] == pytest.approx(
        table.per_million.tolist(), abs=0.01
    )
    # The summary's rate: lines per million tokens of the whole corpus.
    assert explorer.result["per_million"] == pytest.approx(
        table.lines.sum() * 1e6 / table.tokens.sum()
    )


@pytest.mark.parametrize("query", ["peace /(/", "\\", "peace /[a-/", "war and /x(/"])
def test_a_bad_query_is_an_error_at_its_position_and_a_good_one_clears_it(sotu, explorer, query):
    with pytest.raises(kwiq.QueryError) as raised:
        sotu.kwic(query)
    explorer.query = "peace"
    explorer.query = query
    error = explorer.result["error"]
    assert explorer.error == str(raised.value) == error["message"]
    assert (error["position"], error["problem"], error["query"], error["field"]) == (
        raised.value.position,
        raised.value.problem,
        query,
        "query",
    )
    assert explorer.result["rows"] == [] and explorer.concordance is None
    assert explorer.result["request"]["query"] == query
    explorer.query = "peace"
    assert explorer.error == "" and explorer.result["error"] is None
    assert explorer.result["total"] == len(sotu.kwic("peace"))


def test_bad_settings_are_errors_not_exceptions(explorer):
    explorer.query = "peace"
    explorer.near = "/(/"
    assert explorer.result["error"]["field"] == "near" and "position 0" in explorer.error
    explorer.near = ""
    explorer.sort = ["R9"]
    assert "unknown sort key 'R9'" in explorer.error
    explorer.sort = []
    explorer.window = -1
    assert "window" in explorer.error
    explorer.window = 5
    explorer.page_size = MAX_PAGE_SIZE + 1
    assert "page_size" in explorer.error
    explorer.page_size = 10
    explorer.where = {"colour": "red"}
    assert "colour" in explorer.error
    explorer.where = {"year": {"from": 1950}}
    assert "year" in explorer.error
    explorer.where = {}
    assert explorer.error == "" and len(explorer.result["rows"]) == 10


def test_an_empty_query_shows_nothing_and_no_error(explorer):
    explorer.query = "   "
    assert explorer.result["total"] == 0 and explorer.result["rows"] == []
    assert explorer.error == "" and explorer.concordance is None


def test_a_passage_is_the_concordance_s_and_closes_with_a_new_concordance(sotu, explorer):
    explorer.query = "liberty"
    explorer.sort = ["L1"]
    conc = sotu.kwic("liberty").sort("L1")
    explorer.passage_line = 7
    expected = conc.passage(7, chars=600)
    shown = explorer.passage
    assert (shown["line"], shown["id"], shown["start"], shown["end"]) == (
        7,
        expected.doc,
        expected.start,
        expected.end,
    )
    assert shown["before"] + shown["match"] + shown["after"] == expected.text
    assert shown["match"] == conc[7].match
    assert (shown["cut_before"], shown["cut_after"]) == (expected.cut_before, expected.cut_after)
    explorer.page = 2  # the same lines: the passage stays
    assert explorer.passage["line"] == 7
    explorer.sort = ["R1"]
    assert explorer.passage == {} and explorer.passage_line == -1
    explorer.passage_line = len(conc) + 5
    assert explorer.passage == {}


def test_the_concordance_shown_goes_on_in_code(sotu, explorer):
    explorer.query = "tax"
    explorer.sort = ["R1"]
    explorer.where = {"president": "Reagan"}
    expected = sotu.kwic("tax").where(president="Reagan").sort("R1")
    assert list(explorer.concordance) == list(expected)
    assert explorer.concordance.sort_keys == ("r1",)
    frame = explorer.to_pandas()
    assert frame.match.tolist() == [line.match for line in expected]


def test_a_concordance_explores_with_its_sort_and_selection_until_its_query_changes(sotu):
    conc = sotu.kwic("energy", window=3).where(year=lambda year: year > 1975).sort("L1")
    widget = conc.explore(page_size=25)
    assert (widget.query, widget.window, widget.sort) == ("energy", 3, ["l1"])
    assert widget.result["total"] == len(conc)
    assert shown_rows(widget) == expected_rows(sotu, conc, 1, 25)
    widget.query = "oil"
    assert widget.result["total"] == len(sotu.kwic("oil"))
    assert shown_rows(widget) == expected_rows(sotu, sotu.kwic("oil", window=3).sort("L1"), 1, 25)
    assert isinstance(kwiq.explore(conc), Explorer)
    assert kwiq.explore(sotu, "oil").result["total"] == len(sotu.kwic("oil"))
    with pytest.raises(TypeError):
        kwiq.explore(conc, "oil")
    with pytest.raises(TypeError):
        kwiq.explore("some text")


def test_a_concordance_of_several_queries_keeps_them_when_its_window_changes(sotu):
    conc = sotu.kwic(["peace", "war"])
    widget = conc.explore()
    assert widget.query == "peace | war" and widget.result["total"] == len(conc)
    widget.window = 2
    assert shown_rows(widget) == expected_rows(sotu, sotu.kwic(["peace", "war"], window=2), 1)
    widget.query = "peace"
    assert widget.result["total"] == len(sotu.kwic("peace"))


@pytest.mark.parametrize(
    "options, error",
    [
        ({"query": 5}, TypeError),
        ({"window": -1}, ValueError),
        ({"window": "5"}, TypeError),
        ({"case": 1}, TypeError),
        ({"page_size": 0}, ValueError),
        ({"page_size": MAX_PAGE_SIZE + 1}, ValueError),
    ],
)
def test_bad_arguments_to_explore_are_refused(sotu, options, error):
    with pytest.raises(error):
        sotu.explore(**options)


def test_without_anywidget_explore_says_what_to_install(sotu, monkeypatch):
    monkeypatch.setitem(sys.modules, "anywidget", None)
    with pytest.raises(ImportError, match=r"pip install 'kwiq\[explore\]'"):
        sotu.explore("peace")


def test_no_python_object_per_hit_beyond_the_page():
    """The model's Python memory for 400,000 hits is what the Concordance
    methods it calls take for their hit arrays (which the core allocates
    through Python's allocator), and a page of rows: no Line or other
    object per hit (that would be 400,000 x 100 bytes and more)."""
    corpus = kwiq.Corpus(["the cat and the dog " * 50_000] * 4 + ["a cat"])
    widget = corpus.explore()

    def peak(show):
        widget.query = ""
        widget.sort = []
        tracemalloc.start()
        try:
            show()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def in_code():
        list(corpus.kwic("the").sort("R1").page(3))

    def in_the_widget():
        widget.query = "the"
        widget.sort = ["R1"]
        widget.page = 3

    arrays = peak(in_code)
    widget_peak = peak(in_the_widget)
    assert widget.result["total"] == 400_000 and len(widget.result["rows"]) == PAGE_SIZE
    assert widget_peak - arrays < 1_000_000, (widget_peak, arrays)


def test_csv_export_writes_a_new_file_and_never_over_one(sotu, explorer, tmp_path):
    explorer.query = "=cmd"
    explorer.query = "budget"
    explorer.sort = ["R1"]
    existing = tmp_path / "kwiq-budget.csv"
    existing.write_text("the user's own file\n")
    path = explorer.export_csv(tmp_path)
    assert path == str(tmp_path / "kwiq-budget-2.csv")
    assert existing.read_text() == "the user's own file\n"
    expected = tmp_path / "expected.csv"
    sotu.kwic("budget").sort("R1").to_csv(expected, safe=True)
    assert (tmp_path / "kwiq-budget-2.csv").read_text() == expected.read_text()
    with open(path, newline="", encoding="utf-8") as rows:
        assert sum(1 for _ in csv.reader(rows)) == len(sotu.kwic("budget")) + 1


def test_the_buttons_export_through_messages(explorer, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    explorer.query = "budget"
    explorer._handle_custom_msg({"action": "csv"}, [])
    assert (tmp_path / "kwiq-budget.csv").exists()
    assert explorer.status.startswith("wrote ") and "kwiq-budget.csv" in explorer.status
    explorer._handle_custom_msg({"action": "frame"}, [])
    assert len(explorer.frame) == explorer.result["total"]
    explorer._handle_custom_msg({"action": "nonsense"}, [])
    explorer._handle_custom_msg("not a dict", [])


def test_without_a_widget_front_end_the_static_page_shows(sotu, explorer):
    IPython = pytest.importorskip("IPython")
    explorer.query = "war"
    explorer.page = 2
    data, _ = IPython.core.formatters.DisplayFormatter().format(explorer)
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/html"] == sotu.kwic("war").page(2)._repr_html_()
    explorer.query = ""
    assert "text/html" not in IPython.core.formatters.DisplayFormatter().format(explorer)[0]


def test_the_front_end_ships_with_the_package():
    from importlib import resources

    static = resources.files("kwiq").joinpath("static")
    assert "export default" in static.joinpath("explorer.js").read_text(encoding="utf-8")
    assert ".kwiq-explorer" in static.joinpath("explorer.css").read_text(encoding="utf-8")


def test_cql_queries_on_an_annotated_corpus():
    """The query box takes CQL: the lines are kwic(syntax="cql")'s, the case
    box does not apply, and a malformed query is an error at its position."""
    ud = kwiq.Corpus.from_conllu(DATA / "ud" / "en_ewt-ud-dev.conllu", progress=False)
    widget = ud.explore('[upos="ADJ"]+ [upos="NOUN"] within s', syntax="cql")
    expected = ud.kwic('[upos="ADJ"]+ [upos="NOUN"] within s', syntax="cql")
    assert widget.result["total"] == len(expected) > 500
    assert list(widget.concordance) == list(expected)
    assert widget.result["request"]["syntax"] == "cql"
    widget.case = True  # says nothing to CQL: %c does
    assert widget.error == "" and list(widget.concordance) == list(expected)
    widget.query = '[lemma="go" &]'
    assert "position" in widget.error and widget.concordance is None
    widget.syntax = "plain"
    widget.query = "go"
    assert list(widget.concordance) == list(ud.kwic("go", case=True))
    with pytest.raises(ValueError, match="syntax must be one of"):
        ud.explore("go", syntax="CQP")
