"""The HTML view in a real browser: headless Chromium (Debian's chromium,
/usr/bin/chromium) driven by Playwright, which only drives it here (no
`playwright install`). Every highlighted match must start at one x, and each
left context must end where its match begins, whatever the contexts hold."""

import os

import pytest

import kwiq
from kwiq._views import HTML_CONTEXT_CHARS

CHROMIUM = "/usr/bin/chromium"


def _missing(reason):
    # CI sets KWIQ_REQUIRE_CHROMIUM=1: there a missing browser is a failure.
    if os.environ.get("KWIQ_REQUIRE_CHROMIUM", "") not in ("", "0"):
        pytest.fail(f"KWIQ_REQUIRE_CHROMIUM is set but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


try:
    from playwright import sync_api
except ImportError:
    _missing("playwright is not installed (pip install '.[test]')")
if not os.access(CHROMIUM, os.X_OK):
    _missing(f"chromium is not installed at {CHROMIUM} (apt-get install chromium)")

# What notebook front ends do to tables in outputs, or worse: the view sets
# its own styles inline, so none of this may move a match.
NOTEBOOK_LIKE_CSS = """
table { table-layout: fixed; width: 100%; margin: 0 auto; font-size: 12px; }
td, th { text-align: right; white-space: normal; padding: 0.5em; max-width: none;
         border: 1px solid #ccc; vertical-align: middle; }
mark { padding: 0 4px; }
div { width: auto; }
"""

LONG = "x" * 300
TEXTS = [
    f"peace {LONG} peace " + "long " * 40 + "peace",
    "Ça va? «Peace» — PEACE… 平和 peace 和平 😀 peace. שלום peace עולם, سلام peace",
    "peace",
    "a peace b",
    "e\u0301\u0301\u0301 peace ﷽ peace ｗｉｄｅ",
    "<script>window.kwiqInjected = 1</script> <b>peace</b> &amp; peace",
]
IDS = [
    "a-document-name-much-too-long-for-its-column.txt",
    "é",
    "<short>",
    4,
    "combining",
    "<script>window.kwiqInjected = 2</script>",
]

# Per row of every kwiq table: where things are, and how many line boxes
# each piece of text takes (1 when it does not wrap).
MEASURE = """
() => Array.from(document.querySelectorAll('table.kwiq-concordance tbody tr')).map(tr => {
    const box = el => el.getBoundingClientRect();
    const lineBoxes = el => {
        const range = document.createRange();
        range.selectNodeContents(el);
        return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size;
    };
    const left = tr.querySelector('.kwiq-left'), text = left.firstElementChild;
    const right = tr.querySelector('.kwiq-right'), mark = tr.querySelector('mark');
    const matchCell = tr.querySelector('td.kwiq-match');
    return {
        doc: tr.querySelector('.kwiq-doc').textContent,
        left: text.textContent, match: mark.textContent,
        markLeft: box(mark).left, matchCellLeft: box(matchCell).left,
        leftCellRight: box(left.closest('td')).right, leftBlockLeft: box(left).left,
        leftBlockRight: box(left).right, leftBlockWidth: box(left).width,
        leftTextLeft: box(text).left, leftTextRight: box(text).right,
        rightBlockLeft: box(right).left, rightBlockWidth: box(right).width,
        lineBoxes: [lineBoxes(text), lineBoxes(mark), lineBoxes(right)],
    };
})
"""


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        # Chromium gets no sanitizer runtime that tools/run_sanitized.py
        # preloads for the interpreter.
        env = {name: value for name, value in os.environ.items() if name != "LD_PRELOAD"}
        browser = playwright.chromium.launch(executable_path=CHROMIUM, env=env)
        yield browser
        browser.close()


def render(browser, conc, css):
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    style = f"<style>{css}</style>" if css else ""
    page.set_content(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{style}</head>"
        f"<body>{conc._repr_html_()}</body></html>"
    )
    rows = page.evaluate(MEASURE)
    injected = page.evaluate("() => window.kwiqInjected")
    caption = page.inner_text("table.kwiq-concordance caption")
    footer = page.locator("table.kwiq-concordance tfoot")
    footer = footer.inner_text() if footer.count() else ""
    page.close()
    return rows, injected, caption, footer


def assert_aligned(rows, n):
    assert len(rows) == n
    marks = [row["markLeft"] for row in rows]
    assert max(marks) - min(marks) <= 0.5, marks
    for row in rows:
        # The left context cell ends where the match cell begins, and so
        # do the context's text and the highlighted match.
        assert abs(row["leftCellRight"] - row["matchCellLeft"]) <= 0.5, row
        assert abs(row["leftTextRight"] - row["markLeft"]) <= 0.5, row
        assert abs(row["leftBlockRight"] - row["markLeft"]) <= 0.5, row
        assert row["rightBlockLeft"] >= row["markLeft"], row
        # Nothing wraps (an empty context has no line box).
        assert row["lineBoxes"][1] == 1 and row["lineBoxes"][0] <= 1 and row["lineBoxes"][2] <= 1, (
            row
        )
    # Every context block has one width: no context widened its column.
    for key in ("leftBlockWidth", "rightBlockWidth"):
        widths = [row[key] for row in rows]
        assert max(widths) - min(widths) <= 0.5, (key, widths)


@pytest.mark.parametrize("css", [None, NOTEBOOK_LIKE_CSS], ids=["plain", "notebook-css"])
@pytest.mark.parametrize(
    "query, n", [("peace", 11), ("nuclear catastrophe", 1), ("of the", 20), ("the", 60)]
)
def test_letter_matches_align(browser, css, query, n):
    conc = kwiq.sample().kwic(query)
    rows, _, caption, footer = render(browser, conc, css)
    assert_aligned(rows, n)
    lines = conc[:n]
    assert [row["left"] for row in rows] == [line.left[-HTML_CONTEXT_CHARS:] for line in lines]
    assert [row["match"] for row in rows] == [line.match for line in lines]
    pages = f" \u00b7 page 1 of {-(-len(conc) // 60)}" if len(conc) > 60 else ""
    assert caption == (
        f"{len(conc)} line{'s' if len(conc) != 1 else ''} for {query!r} "
        f"in 1 document \u00b7 window 5{pages}"
    )
    more = len(conc) - 60
    assert footer.startswith(
        f"{more} more line{'s' if more != 1 else ''}: .page(2)" if more > 0 else ""
    )


@pytest.mark.parametrize("css", [None, NOTEBOOK_LIKE_CSS], ids=["plain", "notebook-css"])
def test_long_short_and_non_ascii_contexts_align(browser, css):
    corpus = kwiq.Corpus(TEXTS, ids=IDS)
    conc = corpus.kwic("peace")
    rows, injected, _, _ = render(browser, conc, css)
    assert_aligned(rows, len(conc))
    assert [row["left"] for row in rows] == [line.left[-HTML_CONTEXT_CHARS:] for line in conc]
    assert [row["match"] for row in rows] == [line.match for line in conc]
    # The long left context is clipped on its left, not wrapped or widened.
    long_rows = [row for row in rows if "x" * 150 in row["left"]]
    assert long_rows and all(row["leftTextLeft"] < row["leftBlockLeft"] - 100 for row in long_rows)
    # Markup in documents and ids is text, never run.
    assert injected is None
    assert "<script>window.kwiqInjected = 2</script>" in {row["doc"] for row in rows}
    assert any(row["left"].endswith("kwiqInjected = 1</script> <b>") for row in rows)


def test_window_zero_and_wide_windows_align(browser):
    corpus = kwiq.Corpus(TEXTS, ids=IDS)
    for window in (0, 40):
        rows, _, _, _ = render(browser, corpus.kwic("peace", window=window), None)
        assert_aligned(rows, len(corpus.kwic("peace")))


@pytest.mark.parametrize("css", [None, NOTEBOOK_LIKE_CSS], ids=["plain", "notebook-css"])
def test_a_sorted_page_with_metadata_and_headers_aligns(browser, css):
    """Coloured sort words, metadata cells, line numbers and the header row
    move no match; the page shows its own lines."""
    pd = pytest.importorskip("pandas")
    texts = ["The war and the peace of the world. " * 40, "Peace be with the people. " * 30]
    corpus = kwiq.Corpus(
        texts, ids=["a/one.txt", "a/two.txt"], metadata=pd.DataFrame({"year": [1962.0, None]})
    )
    conc = corpus.kwic("the", meta="year").sort("R1", "L2")
    page = conc.page(2)
    rows, _, caption, footer = render(browser, page, css)
    assert_aligned(rows, 60)
    assert [row["left"] for row in rows] == [line.left for line in page]
    assert [row["doc"] for row in rows] == [line.doc[2:] for line in page]
    assert caption.endswith(f"sorted by R1, L2 \u00b7 window 5 \u00b7 page 2 of {conc.n_pages()}")
    assert footer == ""
