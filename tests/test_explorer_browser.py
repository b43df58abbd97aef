"""The concordance explorer in a real JupyterLab, driven by Playwright in
Debian's Chromium (/usr/bin/chromium; playwright only drives it, no
`playwright install`). A JupyterLab server runs on 127.0.0.1 on a free
port, with a token and a temporary home, for this module; a notebook shows
the explorer of the embedded letter and of the Gutenberg books of
tests/data; each test drives a widget as a user would and checks what it
shows against kwiq run here, in the test process. Screenshots of each
state are saved in the test's temporary folder, or in $KWIQ_ARTIFACTS.
The server is tests/jupyter_lab.py's. Each widget answer names the request
it answers, and the tests wait on that.
"""

import json
import os
from pathlib import Path

import pytest

import kwiq
from conftest import DATA, oracle_tokens

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.slow


def _missing(reason):
    # CI sets KWIQ_REQUIRE_CHROMIUM=1: there a missing browser is a failure.
    if os.environ.get("KWIQ_REQUIRE_CHROMIUM", "") not in ("", "0"):
        pytest.fail(f"KWIQ_REQUIRE_CHROMIUM is set but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


try:
    import anywidget  # noqa: F401  (the kernel imports it)
    import ipykernel  # noqa: F401  (the kernel)
    import jupyterlab  # noqa: F401  (the server runs it)
    from playwright import sync_api
except ImportError as error:
    _missing(f"{error.name} is not installed (pip install '.[test]')")
if not os.access(CHROMIUM, os.X_OK):
    _missing(f"chromium is not installed at {CHROMIUM} (apt-get install chromium)")

import jupyter_lab  # noqa: E402  (after the skip: it needs ipykernel)
from kwiq._views import HTML_CONTEXT_CHARS, doc_labels  # noqa: E402

WAIT_MS = 60_000  # the longest wait for one step on a loaded machine; not a check of speed
GUTENBERG = str(DATA / "gutenberg" / "*.txt")
SPEECHES = str(DATA / "state_union")
# The notebook: the letter's explorer with no query, the Gutenberg books'
# explorer showing a word of 10,833 lines, and the State of the Union
# addresses' with their years and presidents.
CELLS = [
    "import kwiq\nletter = kwiq.sample().explore()\nletter",
    f"books = kwiq.Corpus.from_files({GUTENBERG!r}, progress=False)\nbooks.explore('was')",
    "import warnings\n"
    "warnings.simplefilter('ignore', kwiq.SkippedFilesWarning)  # the README\n"
    f"speeches = kwiq.Corpus.from_files({SPEECHES!r}, encoding=['utf-8', 'cp1252'],\n"
    "    progress=False, metadata=lambda path: {'year': int(path.name[:4]),\n"
    "                                           'president': path.stem.split('-', 1)[1]})\n"
    "speeches.explore('war')",
]
BOOKS_QUERY = "was"

ROWS = """root => [...root.querySelectorAll('table.kx-lines tbody tr')].map(tr => ({
    n: Number(tr.dataset.n), number: tr.querySelector('.kx-n').textContent,
    doc: tr.querySelector('.kx-doc').textContent,
    left: tr.querySelector('.kx-left').textContent,
    match: tr.querySelector('.kx-match').textContent,
    right: tr.querySelector('.kx-right').textContent,
    key0: Array.from(tr.querySelectorAll('.kx-right .kx-key0'), s => s.textContent),
    key1: Array.from(tr.querySelectorAll('.kx-left .kx-key1'), s => s.textContent),
}))"""

# The widget's text colour against the first opaque background behind it,
# as WCAG computes a contrast ratio; and a sort word's colour.
CONTRAST = """root => {
    const rgb = text => text.match(/[\\d.]+/g).map(Number);
    const luminance = ([r, g, b]) => {
        const c = [r, g, b].map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92
                                                   : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    let node = root, background = null;
    while (node && node.nodeType === 1) {
        const colour = rgb(getComputedStyle(node).backgroundColor);
        if (colour.length < 4 || colour[3] > 0.5) { background = colour; break; }
        node = node.parentElement;
    }
    background = background || [255, 255, 255];
    const ratio = colour => {
        const [a, b] = [luminance(rgb(colour)), luminance(background)].sort((x, y) => y - x);
        return (a + 0.05) / (b + 0.05);
    };
    const word = root.querySelector('.kx-sortword');
    return {text: ratio(getComputedStyle(root).color),
            word: word ? ratio(getComputedStyle(word).color) : null,
            wordColour: word ? getComputedStyle(word).color : null,
            background: background.slice(0, 3)};
}"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server for this module, its notebook written: its URL
    and token. Stopped at the end, failure or not, after its kernels."""
    with jupyter_lab.running(tmp_path_factory.mktemp("jupyter"), CELLS, WAIT_MS / 1000) as address:
        yield address


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = os.environ.get("KWIQ_ARTIFACTS")
    path = Path(folder) / "explorer" if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def page(lab):
    """The notebook open in Chromium, its cells run, every explorer shown."""
    url, token = lab
    with sync_api.sync_playwright() as playwright:
        # Chromium gets no sanitizer runtime that tools/run_sanitized.py
        # preloads for the interpreter.
        env = {name: value for name, value in os.environ.items() if name != "LD_PRELOAD"}
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"], env=env
        )
        try:
            page = jupyter_lab.open_notebook(browser, url, token, WAIT_MS)
            page.locator(".kwiq-explorer").nth(len(CELLS) - 1).wait_for()
            yield page
        finally:
            browser.close()


def explorer(page, k):
    return page.locator(".kwiq-explorer").nth(k)


def wait_for_answer(widget, query, state="ready", **attributes):
    """Wait until the widget shows its answer to ``query`` (and the page
    and sort given): the summary names the request it answers."""
    selector = f'.kx-summary[data-state="{state}"][data-query={json.dumps(query)}]'
    for name, value in attributes.items():
        selector += f"[data-{name}={json.dumps(str(value))}]"
    widget.locator(selector).wait_for(state="attached")


def rows(widget):
    return widget.evaluate(ROWS)


def expected(conc, first=0, labels=None):
    return [
        {
            "n": first + k,
            "number": str(first + k + 1),
            "doc": labels[line.doc] if labels else line.doc,
            "left": line.left[-HTML_CONTEXT_CHARS:],
            "match": line.match,
            "right": line.right[:HTML_CONTEXT_CHARS],
        }
        for k, line in enumerate(conc)
    ]


def shown(widget):
    return [
        {key: row[key] for key in ("n", "number", "doc", "left", "match", "right")}
        for row in rows(widget)
    ]


def test_typing_a_query_shows_its_lines(page, shots):
    widget = explorer(page, 0)
    query = widget.locator(".kx-query")
    query.click()
    query.press_sequentially("peace", delay=40)
    wait_for_answer(widget, "peace")
    conc = kwiq.sample().kwic("peace")
    assert len(conc) == 11
    summary = widget.locator(".kx-summary").inner_text()
    rate = len(conc) * 1e6 / kwiq.sample().n_tokens
    assert summary.startswith(
        f"11 lines ({rate:,.1f} per million tokens) for \u201cpeace\u201d "
        "in 1 document \u00b7 window 5"
    )
    assert shown(widget) == expected(conc)
    widget.screenshot(path=shots / "1-peace.png")


def test_a_malformed_query_shows_its_error_at_its_position(page, shots):
    widget = explorer(page, 0)
    bad = "peace /(war/"
    with pytest.raises(kwiq.QueryError) as raised:
        kwiq.sample().kwic(bad)
    widget.locator(".kx-query").fill(bad)
    wait_for_answer(widget, bad, state="error")
    error = widget.locator(".kx-error")
    assert error.is_visible()
    assert error.locator(".kx-error-message").inner_text() == str(raised.value)
    assert error.locator(".kx-error-at").inner_text() == bad[raised.value.position]
    caret = error.locator(".kx-error-caret").text_content()
    assert caret == " " * raised.value.position + "^"
    assert widget.locator(".kx-query").get_attribute("aria-invalid") == "true"
    assert rows(widget) == []
    widget.screenshot(path=shots / "2-error.png")
    widget.locator(".kx-query").fill("peace")
    wait_for_answer(widget, "peace")
    assert not error.is_visible() and len(rows(widget)) == 11


def test_clicking_a_position_sorts_as_sort_does(page, shots):
    widget = explorer(page, 0)
    widget.locator(".kx-query").fill("peace")
    wait_for_answer(widget, "peace")
    widget.locator('.kx-sortkey[data-key="R1"]').click()
    wait_for_answer(widget, "peace", sort="R1")
    letter = kwiq.sample()
    assert shown(widget) == expected(letter.kwic("peace").sort("R1"))
    # Shift-click adds a key; the sort words are coloured by key.
    widget.locator('.kx-sortkey[data-key="L1"]').click(modifiers=["Shift"])
    wait_for_answer(widget, "peace", sort="R1,L1")
    assert shown(widget) == expected(letter.kwic("peace").sort("R1", "L1"))
    for row in rows(widget):
        right_words = [row["right"][a:b] for a, b, word in oracle_tokens(row["right"]) if word]
        left_words = [row["left"][a:b] for a, b, word in oracle_tokens(row["left"]) if word]
        assert row["key0"] == right_words[:1] and row["key1"] == left_words[-1:]
    assert "sorted by R1, L1" in widget.locator(".kx-summary").inner_text()
    widget.screenshot(path=shots / "3-sorted.png")


def test_paging_through_ten_thousand_lines(page, shots):
    widget = explorer(page, 1)
    wait_for_answer(widget, BOOKS_QUERY, page=1)
    books = kwiq.Corpus.from_files(GUTENBERG, progress=False)
    labels = dict(zip(books.ids, doc_labels(list(books.ids))))
    conc = books.kwic(BOOKS_QUERY)
    assert len(conc) > 10_000
    assert widget.locator(".kx-summary").get_attribute("data-total") == str(len(conc))
    for k in (2, 3):
        widget.locator(".kx-next").click()
        wait_for_answer(widget, BOOKS_QUERY, page=k)
    # Only the page is in the page: 60 rows of 10,833.
    assert shown(widget) == expected(conc.page(3), 120, labels)
    assert f"page 3 of {conc.n_pages():,}" in widget.locator(".kx-summary").inner_text()
    widget.screenshot(path=shots / "4-page-3.png")
    # A column header sorts too, and a new sort starts from the first page.
    widget.locator("th.kx-h-left").click()
    wait_for_answer(widget, BOOKS_QUERY, page=1, sort="L1")
    assert shown(widget) == expected(conc.sort("L1").page(1), 0, labels)
    widget.locator(".kx-scroll").focus()
    page.keyboard.press("PageDown")
    wait_for_answer(widget, BOOKS_QUERY, page=2, sort="L1")
    assert shown(widget) == expected(conc.sort("L1").page(2), 60, labels)


def test_metadata_filters_and_counts_by_group(page, shots):
    widget = explorer(page, 2)
    wait_for_answer(widget, "war")
    with pytest.warns(kwiq.SkippedFilesWarning):
        speeches = kwiq.Corpus.from_files(
            SPEECHES,
            encoding=["utf-8", "cp1252"],
            progress=False,
            metadata=lambda path: {
                "year": int(path.name[:4]),
                "president": path.stem.split("-", 1)[1],
            },
        )
    labels = dict(zip(speeches.ids, doc_labels(list(speeches.ids))))
    widget.locator('select[aria-label="president is"]').select_option("Truman")
    wait_for_answer(widget, "war", where='{"president":"Truman"}')
    truman = speeches.kwic("war").where(president="Truman")
    assert widget.locator(".kx-summary").get_attribute("data-total") == str(len(truman))
    assert shown(widget) == expected(truman.page(1), 0, labels)
    widget.locator('select[aria-label="president is"]').select_option("any")
    wait_for_answer(widget, "war", where="{}")
    widget.locator('input[aria-label="year from"]').fill("1960")
    widget.locator('input[aria-label="year from"]').press("Enter")
    wait_for_answer(widget, "war", where='{"year":[1960,null]}')
    widget.locator('input[aria-label="year to"]').fill("1969")
    widget.locator('input[aria-label="year to"]').press("Enter")
    wait_for_answer(widget, "war", where='{"year":[1960,1969]}')
    sixties = speeches.kwic("war").where(year=lambda year: 1960 <= year <= 1969)
    assert shown(widget) == expected(sixties.page(1), 0, labels)
    widget.locator('select[aria-label="Count by metadata column"]').select_option("president")
    wait_for_answer(widget, "war", **{"group-by": "president"})
    table = sixties.count_by("president")
    cells = widget.locator(".kx-group-table tbody tr").evaluate_all(
        "rows => rows.map(row => Array.from(row.cells, cell => cell.textContent))"
    )
    assert [row[0] for row in cells] == table.president.tolist()
    assert [row[1] for row in cells] == [f"{n:,}" for n in table.lines]
    assert [row[3] for row in cells] == [f"{rate:.2f}" for rate in table.per_million]
    widget.screenshot(path=shots / "5-metadata.png")


def passage_text(found):
    return (
        ("\u2026" if found.cut_before else "") + found.text + ("\u2026" if found.cut_after else "")
    )


def test_a_click_opens_a_passage_and_the_keyboard_moves_and_opens(page, shots):
    widget = explorer(page, 0)
    widget.locator(".kx-query").fill("war")
    widget.locator(".kx-unsort").click()  # a new query keeps the sort, as AntConc's does
    wait_for_answer(widget, "war", sort="")
    conc = kwiq.sample().kwic("war")
    widget.locator("table.kx-lines tbody tr").nth(2).click()
    panel = widget.locator('.kx-passage[data-line="2"]')
    panel.wait_for()
    assert panel.locator(".kx-passage-text").text_content() == passage_text(conc.passage(2))
    assert panel.locator("mark").text_content() == conc[2].match
    widget.screenshot(path=shots / "6-passage.png")
    # Arrows move the selection from the line clicked; Enter opens its passage.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert widget.locator("tr.kx-selected").get_attribute("data-n") == "4"
    page.keyboard.press("Enter")
    widget.locator('.kx-passage[data-line="4"]').wait_for()
    assert widget.locator(".kx-passage-text").text_content() == passage_text(conc.passage(4))
    page.keyboard.press("Escape")
    widget.locator(".kx-passage").wait_for(state="hidden")
    # "/" goes to the query box.
    widget.locator(".kx-scroll").focus()
    page.keyboard.press("/")
    assert page.evaluate("() => document.activeElement.classList.contains('kx-query')")


def test_the_dark_theme_keeps_the_widget_readable(page, shots):
    widget = explorer(page, 0)
    widget.locator(".kx-query").fill("peace")
    widget.locator('.kx-sortkey[data-key="R1"]').click()
    wait_for_answer(widget, "peace", sort="R1")
    light = widget.evaluate(CONTRAST)
    page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme', "
        "{theme: 'JupyterLab Dark'})"
    )
    page.locator('body[data-jp-theme-name="JupyterLab Dark"]').wait_for(state="attached")
    # The theme's colours settle after its stylesheet loads.
    page.wait_for_function(
        "() => getComputedStyle(document.body).backgroundColor !== 'rgb(255, 255, 255)'"
    )
    dark = widget.evaluate(CONTRAST)
    widget.screenshot(path=shots / "7-dark.png")
    assert sum(dark["background"]) < sum(light["background"])
    assert dark["wordColour"] != light["wordColour"]
    for theme in (light, dark):
        assert theme["text"] >= 4.5, theme
        assert theme["word"] >= 3, theme
