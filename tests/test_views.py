"""The static views of a Concordance and the ways of selecting its lines.

Oracles: Python's own list slicing and comprehensions over the Line
objects, an independent tokenizer (conftest's, by Python's re) over lines
laid out with the window a filter uses, pandas over to_pandas(), and
html.parser over the HTML."""

import gc
import html
import math
import random
import re
import tracemalloc
from html.parser import HTMLParser

import pytest

import kwiq
from conftest import DATA, oracle_tokens

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")


@pytest.fixture(scope="module")
def sotu():
    """The State of the Union addresses, each with its year."""
    with pytest.warns(kwiq.SkippedFilesWarning):  # the README
        return kwiq.Corpus.from_files(
            str(DATA / "state_union"),
            encoding=["utf-8", "cp1252"],
            progress=False,
            metadata=lambda path: {"year": int(path.name[:4])},
        )


@pytest.fixture(scope="module")
def peace(sotu):
    return sotu.kwic("peace", meta="year")


# ---- selecting lines ----

SLICES = [
    slice(None),
    slice(5, 50, 3),
    slice(-10, None),
    slice(None, None, -1),
    slice(40, 5, -7),
    slice(1000, 2000),
    slice(3, 3),
    slice(-3, -1),
]


@pytest.mark.parametrize("part", SLICES, ids=str)
def test_a_slice_is_a_concordance_of_the_lines_a_list_slice_holds(peace, part):
    lines = list(peace)
    chosen = peace[part]
    assert isinstance(chosen, kwiq.Concordance)
    assert list(chosen) == lines[part] and len(chosen) == len(lines[part])
    assert (chosen.query, chosen.window, chosen.meta) == (peace.query, peace.window, peace.meta)


def test_masks_and_index_lists_select_as_comprehensions_do(peace):
    lines = list(peace)
    rng = random.Random(5)
    mask = [rng.random() < 0.3 for _ in lines]
    expected = [line for line, keep in zip(lines, mask) if keep]
    assert list(peace[mask]) == expected
    assert list(peace[np.array(mask)]) == expected
    assert list(peace[pd.Series(mask)]) == expected
    indices = [3, -1, 3, 0, len(lines) - 2]
    assert list(peace[indices]) == [lines[i] for i in indices]
    assert list(peace[np.array(indices)]) == [lines[i] for i in indices]
    assert len(peace[[]]) == 0
    assert isinstance(peace[0], kwiq.Line) and peace[-1] == lines[-1]


def test_bad_selections_raise(peace):
    n = len(peace)
    for bad in ([n], [-n - 1], np.array([0, n]), [True] * (n - 1), np.ones(n + 1, dtype=bool)):
        with pytest.raises(IndexError):
            peace[bad]
    for bad in ("0", 1.5, [1.5], None):
        with pytest.raises(TypeError):
            peace[bad]


def test_head_tail_and_pages_cut_the_lines_in_order(peace):
    lines = list(peace)
    assert list(peace.head(7)) == lines[:7] and list(peace.tail(7)) == lines[-7:]
    assert list(peace.head(10**6)) == lines and len(peace.tail(0)) == 0
    assert list(peace.head()) == lines[:10]
    pages = peace.n_pages()
    assert pages == math.ceil(len(lines) / 60) > 2
    assert [line for k in range(1, pages + 1) for line in peace.page(k)] == lines
    assert list(peace.page(3)) == lines[120:180]
    assert list(peace.page(2, size=7)) == lines[7:14]
    with pytest.raises(ValueError):
        peace.page(pages + 1)
    with pytest.raises(ValueError):
        peace.page(0)
    with pytest.raises(TypeError):
        peace.head("3")


def test_sample_is_reproducible_a_subset_and_in_order(peace):
    lines = list(peace)
    sample = peace.sample(20, seed=7)
    assert list(sample) == list(peace.sample(20, seed=7))
    assert list(sample) != list(peace.sample(20, seed=8))
    positions = [lines.index(line) for line in sample]
    assert len(set(positions)) == 20 and positions == sorted(positions)
    assert list(peace.sample(10**6, seed=1)) == lines
    assert len(peace.sample(0)) == 0


def test_sample_is_uniform():
    """Each of 20 lines is drawn equally often over 2,000 seeds: the
    chi-square statistic (19 degrees of freedom) stays below 43.8, its
    0.1% critical value (fixed seeds, so the test never flakes)."""
    conc = kwiq.Corpus(["a b " * 20]).kwic("a")
    counts = [0] * 20
    for seed in range(2000):
        for line in conc.sample(5, seed=seed):
            counts[line.start // 2] += 1
    expected = 2000 * 5 / 20
    assert sum((count - expected) ** 2 / expected for count in counts) < 43.8


def test_selections_keep_the_sort_only_when_they_keep_its_order(peace):
    by_r1 = peace.sort("R1", "l2")
    assert by_r1.sort_keys == ("r1", "l2")
    for kept in (
        by_r1.head(5),
        by_r1[2:9],
        by_r1.sample(5, seed=1),
        by_r1.page(2),
        by_r1.filter(right="and"),
        by_r1.where(year=1945),
    ):
        assert kept.sort_keys == ("r1", "l2")
    for lost in (by_r1[::-1], by_r1[[2, 1]]):
        assert lost.sort_keys == ()
    assert peace.sort_keys == ()


# ---- context filters, against the tokens of lines laid out with the window ----


def words_of(text):
    """The tokens of a context by the oracle tokenizer, case-folded."""
    return [text[b:e].casefold() for b, e, _ in oracle_tokens(text)]


def found(tokens, query):
    """Whether the query's tokens stand consecutively in tokens; a token
    with * matches as a glob does."""
    if "*" in query:  # one word
        pattern = re.compile(re.escape(query.casefold()).replace(r"\*", r"[^\W_]*"))
        return any(pattern.fullmatch(token) for token in tokens)
    wanted = words_of(query)
    return any(tokens[i : i + len(wanted)] == wanted for i in range(len(tokens) - len(wanted) + 1))


@pytest.mark.parametrize(
    "left, right, context, window",
    [
        ("war", None, None, (5, 5)),
        (None, "and", None, (5, 5)),
        (None, None, "the world", (5, 5)),
        ("nation*", None, None, (4, 4)),
        ("for", "and", None, (3, 2)),
        (None, None, ",", (1, 1)),
        (None, None, "prosperity", (10, 10)),
        ("the", None, None, (1, 3)),
    ],
)
def test_filter_equals_a_search_of_the_lines_of_its_window(sotu, left, right, context, window):
    conc = sotu.kwic("peace")
    shown = sotu.kwic("peace", window=window)  # the same lines, laid out with the window
    expected = [
        line
        for line, wide in zip(conc, shown)
        if (left is None or found(words_of(wide.left), left))
        and (right is None or found(words_of(wide.right), right))
        and (
            context is None
            or found(words_of(wide.left), context)
            or found(words_of(wide.right), context)
        )
    ]
    got = conc.filter(left=left, right=right, context=context, window=window)
    assert list(got) == expected
    assert 0 < len(expected) < len(conc) or (left, window) == ("the", (1, 3))


def test_filter_equals_the_same_filter_over_to_pandas(sotu):
    conc = sotu.kwic("peace", window=(3, 3))
    frame = conc.to_pandas()
    word = r"(?<![^\W_])nuclear(?![^\W_])"
    kept = frame[
        frame["left"].str.contains(word, case=False) | frame["right"].str.contains(word, case=False)
    ]
    assert len(kept) > 0
    # Its own window by default: the words the lines show.
    assert conc.filter(context="nuclear").to_pandas().equals(kept.reset_index(drop=True))


def test_filter_options(sotu):
    conc = sotu.kwic("peace")
    anywhere = conc.filter(left="world")
    assert len(conc.filter(left="World", case=True)) < len(anywhere)
    assert list(conc.filter(left=["world", "war"])) == [
        line
        for line in conc
        if found(words_of(line.left), "world") or found(words_of(line.left), "war")
    ]
    assert len(conc.filter(left="world", window=0)) == 0
    with pytest.raises(ValueError):
        conc.filter()
    with pytest.raises(kwiq.QueryError):
        conc.filter(left="/(/")
    with pytest.raises(TypeError):
        conc.filter(left="war", window="5")


def test_where_equals_the_same_filter_over_to_pandas(peace, sotu):
    frame = peace.to_pandas()
    chosen = peace.where(year=[1945, 1950, 2001])
    assert chosen.to_pandas().equals(
        frame[frame["year"].isin([1945, 1950, 2001])].reset_index(drop=True)
    )
    assert list(peace.where(year=lambda year: year > 1990)) == [
        line for line in peace if line.year > 1990
    ]
    assert list(
        peace.where(
            year=1945,
        )
    ) == [line for line in peace if line.year == 1945]
    # Any column of the metadata, whether or not the lines carry it.
    plain = sotu.kwic("peace")
    assert [line.start for line in plain.where(year=1946)] == [
        line.start for line in peace if line.year == 1946
    ]
    assert list(peace.where()) == list(peace)
    with pytest.raises(ValueError):
        peace.where(author="Truman")


# ---- the HTML view ----


class Table(HTMLParser):
    """The caption, header cells, body rows (cell texts) and cell titles of
    an HTML table, as a browser's parser reads them."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.caption, self.headers, self.rows, self.titles, self.footer = "", [], [], [], ""
        self.tags = []
        self.colours = []  # (row, colour, text) of each coloured sort word
        self.in_colour = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "tr" and "tbody" in self.tags:
            self.rows.append([])
        elif tag == "td" and "tbody" in self.tags:
            self.rows[-1].append("")
        elif tag == "th":
            self.headers.append("")
        if "title" in attrs and "tbody" in self.tags:
            self.titles.append(attrs["title"])
        if attrs.get("class") == "kwiq-sort" or tag == "mark" and "color:" in attrs["style"]:
            self.in_colour = True
            self.colours.append(
                [len(self.rows) - 1, re.search(r"color:([^;]*)", attrs["style"]).group(1), ""]
            )

    def handle_endtag(self, tag):
        assert self.tags and self.tags[-1] == tag, (self.tags, tag)
        self.tags.pop()
        self.in_colour = False  # a coloured word holds no other element

    def handle_data(self, data):
        if "caption" in self.tags:
            self.caption += data
        elif "th" in self.tags:
            self.headers[-1] += data
        elif "tbody" in self.tags and "td" in self.tags:
            self.rows[-1][-1] += data
            if self.in_colour:
                self.colours[-1][2] += data
        elif "tfoot" in self.tags:
            self.footer += data


def test_html_headers_summary_numbers_and_cells(peace):
    by_r1 = peace.sort("R1", "R2")
    table = Table(by_r1._repr_html_())
    assert table.headers == ["", "doc", "year", "left", "match", "right"]
    docs = len({line.doc for line in peace})
    assert table.caption == (
        f"{len(peace)} lines for 'peace' in {docs} documents \u00b7 "
        f"sorted by R1, R2 \u00b7 window 5 \u00b7 page 1 of "
        f"{math.ceil(len(peace) / 60)}"
    )
    lines = list(by_r1)[:60]
    assert [row[0] for row in table.rows] == [str(k) for k in range(1, 61)]
    # A path shows its file name, the full id in the title.
    assert [row[1] for row in table.rows] == [line.doc for line in lines]
    assert table.titles == [line.doc for line in lines]
    assert [row[2] for row in table.rows] == [str(line.year) for line in lines]
    assert [row[3:] for row in table.rows] == [
        [line.left, line.match, line.right] for line in lines
    ]
    assert table.footer.startswith(f"{len(peace) - 60} more lines")


def test_html_of_a_page_says_which_and_numbers_its_lines(peace):
    table = Table(peace.page(3)._repr_html_())
    pages = math.ceil(len(peace) / 60)
    assert table.caption.startswith(f"lines 121\u2013180 of {len(peace)} for 'peace' in ")
    assert table.caption.endswith(f"page 3 of {pages}")
    assert [row[0] for row in table.rows] == [str(k) for k in range(121, 181)]
    assert [row[5] for row in table.rows] == [line.right for line in list(peace)[120:180]]
    assert table.footer == ""


def test_sort_words_are_coloured_by_key(peace):
    by_keys = peace.sort("R1", "L2", "match")
    table = Table(by_keys._repr_html_())
    lines = list(by_keys)[:60]
    expected = []
    for k, line in enumerate(lines):
        left = [line.left[b:e] for b, e, word in oracle_tokens(line.left) if word]
        right = [line.right[b:e] for b, e, word in oracle_tokens(line.right) if word]
        if len(left) >= 2:
            expected.append([k, "#2ca02c", left[-2]])
        expected.append([k, "#1f77b4", line.match])
        if right:
            expected.append([k, "#d62728", right[0]])
    assert sorted(table.colours) == sorted(expected)
    assert Table(peace._repr_html_()).colours == []


@pytest.mark.parametrize(
    "ids, shown",
    [
        (["sotu_1945", "sotu_1946"], ["1945", "1946"]),
        ([("sotu", 1945), ("sotu", 1946)], ["1945", "1946"]),
        ([("a", 1, "x"), ("a", 2, "x")], ["1, x", "2, x"]),
        (["/corpus/a/x.txt", "/corpus/b/x.txt"], ["a/x.txt", "b/x.txt"]),
        (["C:\\texts\\one.txt", "C:\\texts\\two.txt"], ["one.txt", "two.txt"]),
        (["same", "same-but-longer"], ["same", "same-but-longer"]),
        ([7, 8], ["7", "8"]),
    ],
)
def test_ids_show_their_distinguishing_part(ids, shown):
    conc = kwiq.Corpus(["peace here", "and peace there"], ids=ids).kwic("peace")
    table = Table(conc._repr_html_())
    assert [row[1] for row in table.rows] == shown
    assert table.titles == [str(doc) for doc in ids]
    assert [row.split("  ")[0] for row in str(conc).splitlines()[1:]] == shown


def test_html_escapes_every_text():
    texts = ["<script>alert(1)</script> peace & <b>peace</b>"]
    ids = ["<i>doc</i>"]
    metadata = pd.DataFrame({"tag": ["<u>x</u>"]})
    conc = kwiq.Corpus(texts, ids=ids, metadata=metadata).kwic("peace", meta="tag").sort("R1")
    page = conc._repr_html_()
    assert "<script>" not in page and "<b>" not in page and "<i>" not in page and "<u>" not in page
    table = Table(page)
    assert [row[1:] for row in table.rows] == [
        ["<i>doc</i>", "<u>x</u>", line.left, line.match, line.right] for line in conc
    ]


def test_metadata_shows_as_its_dtype():
    metadata = pd.DataFrame(
        {"year": [1945, None, 1950], "score": [0.5, 1.0, 2.25], "name": ["a", "b", None]}
    )
    conc = kwiq.Corpus(["peace", "peace", "peace"], metadata=metadata).kwic(
        "peace", meta=["year", "score", "name"]
    )
    assert conc.to_pandas()["year"].dtype.kind == "f"  # pandas made the years floats
    table = Table(conc._repr_html_())
    assert [row[2:5] for row in table.rows] == [
        ["1945", "0.5", "a"],
        ["", "1.0", "b"],
        ["1950", "2.25", ""],
    ]
    assert str(conc).splitlines()[1].split()[:4] == ["0", "1945", "0.5", "a"]


# ---- the text view ----


def test_print_shows_a_header_a_limit_a_doc_column_and_meta(peace, sotu):
    header, *rows = str(peace).splitlines()
    assert header == f"Displaying 25 of {len(peace)} lines" and len(rows) == 25
    lines = list(peace)
    names = [line.doc for line in lines]
    assert [row.split()[0] for row in rows] == names[:25]
    assert [row.split()[1] for row in rows] == [str(line.year) for line in lines[:25]]
    everything = peace.format(limit=None).splitlines()
    assert everything[0] == f"Displaying {len(peace)} of {len(peace)} lines"
    assert len(everything) == len(peace) + 1
    # The matches stand in one column, after the doc and year columns.
    columns = {match_column(row, line) for row, line in zip(everything[1:], lines)}
    assert len(columns) == 1 and None not in columns
    no_doc = peace.format(limit=3, doc=False, meta=[]).splitlines()[1:]
    assert no_doc == [
        (f"{line.left[-37:]:>37}{line.match}{line.right}")[:79].rstrip() for line in lines[:3]
    ]
    plain = sotu.kwic("peace")
    assert plain.format(limit=2, meta="year").splitlines()[1].split()[:2] == [
        names[0],
        str(lines[0].year),
    ]
    one_doc = kwiq.sample().kwic("peace")
    assert str(one_doc).splitlines()[1] == one_doc.format(doc=False).splitlines()[1]
    assert not str(one_doc).splitlines()[1].startswith("khrushchev")


def match_column(row, line):
    """Where line's match stands in a row of text: followed by the start
    of its right context, up to the row's end."""
    for at in (m.start() for m in re.finditer(re.escape(line.match), row)):
        if line.right.startswith(row[at + len(line.match) :]):
            return at
    return None


# ---- passages ----


def test_passage_holds_the_match_and_ends_at_sentences(sotu):
    conc = sotu.kwic("peace")
    for i in range(0, len(conc), 37):
        line = conc[i]
        text = sotu.text(line.doc)
        passage = conc.passage(i, chars=400)
        assert passage.doc == line.doc
        assert passage.text == text[passage.start : passage.end]
        assert passage.start + passage.match_start == line.char_start
        assert passage.start + passage.match_end == line.char_end
        assert len(passage.text) <= 400
        before, after = text[: passage.start], text[passage.end :]
        # A start or end inside a sentence is marked as cut; otherwise it
        # lies at the text's edge or at a sentence's end.
        assert passage.cut_before or not before or re.search(r"[.!?][\"')]*\s+$", before)
        assert passage.cut_after or not after or re.search(r"[.!?][\"')]*$", passage.text)
        assert passage.cut_before or passage.cut_after or len(passage.text) > 100
        shown = str(passage)
        assert f"[[{text[line.char_start : line.char_end]}]]" in shown
        assert shown.startswith("\u2026") == passage.cut_before


def test_passage_html_highlights_and_escapes():
    text = "First <b>sentence</b>. Then peace & quiet. " + "More words here. " * 60
    conc = kwiq.Corpus([text], ids=["<doc>"]).kwic("peace")
    passage = conc.passage(0, chars=200)
    page = passage._repr_html_()
    assert "<b>" not in page and "<doc>" not in page
    assert '<mark style="font-weight:bold">peace</mark>' in page
    assert html.escape("First <b>sentence</b>. Then ") in page
    assert passage.text.startswith("First") and passage.text.endswith(".")
    assert str(passage).startswith("First <b>sentence</b>. Then [[peace]] & quiet.")
    assert conc.passage(-1) == conc.passage(0)
    with pytest.raises(IndexError):
        conc.passage(1)


# ---- counts and plots by metadata ----


def test_count_by_equals_counts_over_to_pandas_and_the_texts(peace, sotu):
    table = peace.count_by("year")
    frame = peace.to_pandas()
    years = sorted(set(sotu.metadata["year"]))
    assert table["year"].tolist() == years
    lines = frame["year"].value_counts()
    assert table["lines"].tolist() == [int(lines.get(year, 0)) for year in years]
    docs = sotu.metadata["year"].value_counts()
    assert table["docs"].tolist() == [int(docs[year]) for year in years]
    with_lines = frame.groupby("year")["doc"].nunique()
    assert table["docs_with_lines"].tolist() == [int(with_lines.get(year, 0)) for year in years]
    # Tokens, words and punctuation, by the oracle tokenizer over the texts.
    tokens = {year: 0 for year in years}
    for doc, year in zip(sotu.ids, sotu.metadata["year"].tolist()):
        tokens[year] += len(oracle_tokens(sotu.text(doc)))
    assert table["tokens"].tolist() == [tokens[year] for year in years]
    assert np.allclose(table["per_million"], table["lines"] * 1e6 / table["tokens"])
    assert "per_million" not in peace.count_by("year", per_million=False).columns
    # A filtered concordance counts its own lines; groups without any stay.
    late = peace.where(year=lambda year: year >= 2000).count_by("year")
    assert late["year"].tolist() == years
    assert late["lines"].sum() == sum(line.year >= 2000 for line in peace)
    with pytest.raises(ValueError):
        peace.count_by("author")
    with pytest.raises(TypeError):
        peace.count_by(["year"])


def test_count_by_keeps_missing_values_as_a_group():
    metadata = pd.DataFrame({"genre": ["news", None, "news", "fiction"]})
    corpus = kwiq.Corpus(["peace peace", "peace war", "war", "peace"], metadata=metadata)
    table = corpus.kwic("peace").count_by("genre")
    assert table["genre"].tolist()[:2] == ["fiction", "news"] and table["genre"].isna().iloc[2]
    assert table["lines"].tolist() == [1, 2, 1] and table["tokens"].tolist() == [1, 3, 2]


def test_plot_by_draws_the_per_million_of_count_by(peace):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    fig = peace.plot_by("year")
    table = peace.count_by("year")
    [ax] = fig.axes
    heights = [patch.get_height() for patch in ax.patches]
    assert np.allclose(heights, table["per_million"])
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(y) for y in table["year"]]
    assert ax.get_title() == f"'peace' by year: {len(peace)} lines"
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"


def test_lines_from_elsewhere_select_and_show_as_a_concordance_does(peace):
    """kwiq.dask's local concordance (lines that arrived as a DataFrame)
    selects and shows its lines as the Concordance they came from."""
    from kwiq._lines import LineConcordance

    n = len(peace)
    local = LineConcordance(
        peace.to_pandas(),
        query=peace.query,
        queries=peace.queries,
        window=peace.window,
        case=peace.case,
        width=None,
        bound=None,
        origin=(np.zeros(n, dtype=np.int64), np.arange(n)),
        sort_keys=None,
        index=None,
        meta=peace.meta,
    )
    mask = [k % 3 == 0 for k in range(n)]
    for part in (slice(5, 50, 3), slice(None, None, -1), [4, -1, 4], mask):
        assert list(local[part]) == list(peace[part])
    assert list(local.page(3)) == list(peace.page(3))
    assert list(local.sample(9, seed=2)) == list(peace.sample(9, seed=2))
    assert local.n_docs == peace.n_docs
    assert Table(local.page(2)._repr_html_()).rows == Table(peace.page(2)._repr_html_()).rows
    assert Table(local._repr_html_()).caption == Table(peace._repr_html_()).caption
    assert str(local) == str(peace)
    for unsupported in (
        lambda: local.filter(left="war"),
        lambda: local.where(year=1945),
        lambda: local.passage(0),
        lambda: local.count_by("year"),
    ):
        with pytest.raises(TypeError, match="Dask"):
            unsupported()


def test_summary_names_the_context_and_a_large_page_says_what_it_hides():
    conc = kwiq.sample().kwic("the", width=30, bound="sentence")
    table = Table(conc._repr_html_())
    assert table.caption == (
        f"{len(conc)} lines for 'the' in 1 document \u00b7 width 30 "
        "characters, within a sentence \u00b7 page 1 of 2"
    )
    assert table.footer == f"{len(conc) - 60} more lines: .page(2) shows the next 60"
    big_page = Table(conc.page(1, size=100)._repr_html_())
    assert len(big_page.rows) == 60 and big_page.footer == "40 more lines"
    uneven = Table(kwiq.sample().kwic("peace", window=(2, 4))._repr_html_())
    assert "window 2 left, 4 right" in uneven.caption and uneven.footer == ""


def test_selections_leave_no_memory_behind():
    """Every selection, error paths included, 2,000 times: the hits the
    core allocates (PyMem_RawMalloc, which tracemalloc traces) are freed."""
    conc = kwiq.sample().kwic("the")
    mask = [k % 2 == 0 for k in range(len(conc))]

    def select_everything():
        conc[3:90:4], conc[::-1], conc[mask], conc[[5, 1, 5]], conc.sample(7, seed=1)
        conc.filter(context="of", window=3), conc.where(), conc.page(2).n_docs
        for bad in ([len(conc)], mask[1:]):
            with pytest.raises(IndexError):
                conc[bad]

    for _ in range(200):
        select_everything()
    gc.collect()  # the tracebacks pytest.raises keeps are cycles
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(2000):
            select_everything()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after - before < 50_000, (before, after)
