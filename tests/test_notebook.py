"""examples/letter.ipynb, executed by nbclient in a real Jupyter kernel.

The kernel is "python3" as the ipykernel installed beside this Python
writes it, in a private JUPYTER_PATH, so it runs this very interpreter
(sys.executable) and imports the kwiq installed here, whatever kernels the
machine or the user have. The notebook runs once per session; each test
checks the outputs of one cell, found by its tag, so cells may be added
without renumbering anything: give a new cell a tag and a test of its own.
"""

import base64
import html
import re
import sys
from pathlib import Path

import pytest

import kwiq

nbformat = pytest.importorskip(
    "nbformat", reason="nbformat is not installed (pip install '.[test]')"
)

from notebooks import outputs, run_notebook  # noqa: E402  (needs nbformat)

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "letter.ipynb"
PROBE = "import sys, kwiq\nprint(sys.prefix)\nprint(kwiq.__file__)"
# A dispersion plot as a new user makes one: no pyplot, no %matplotlib; then
# whether anything imported pyplot.
PLOT = "import kwiq\nkwiq.sample().plot_dispersion(['peace', 'war'])"
PYPLOT_PROBE = "import sys\nprint('matplotlib.pyplot' in sys.modules)"
# And once pyplot has set up its inline backend.
PLOT_WITH_PYPLOT = "import matplotlib.pyplot\nkwiq.sample().plot_dispersion('peace')"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook after a run, with a last cell that reports which Python
    and which kwiq the kernel used."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE, metadata={"tags": ["probe"]}))
    nb.cells.append(nbformat.v4.new_code_cell(PLOT, metadata={"tags": ["plot"]}))
    nb.cells.append(nbformat.v4.new_code_cell(PYPLOT_PROBE, metadata={"tags": ["pyplot"]}))
    nb.cells.append(
        nbformat.v4.new_code_cell(PLOT_WITH_PYPLOT, metadata={"tags": ["plot-with-pyplot"]})
    )
    return run_notebook(nb, NOTEBOOK.parent, tmp_path_factory.mktemp("jupyter"))


def test_kernel_runs_this_python_and_this_kwiq(executed):
    prefix, kwiq_file = outputs(executed["probe"], "stdout").splitlines()
    assert prefix == sys.prefix
    assert Path(kwiq_file) == Path(kwiq.__file__)


def test_no_cell_failed_or_wrote_to_stderr(executed):
    for tag, cell in executed.items():
        assert not [out for out in cell.outputs if out.output_type == "error"], tag
        assert not [
            out for out in cell.outputs if out.output_type == "stream" and out.name == "stderr"
        ], tag


def test_load_shows_the_corpus(executed):
    [text] = outputs(executed["load"], "text/plain")
    assert re.fullmatch(r"<kwiq\.Corpus: 1 documents?, [\d,]+ tokens>", text)


def test_word_shows_an_html_concordance(executed):
    [page] = outputs(executed["kwic-word"], "text/html")
    assert page.count("<mark") == 11
    assert len(re.findall(r"<mark[^>]*>peace</mark>", page, re.I)) == 11
    first = kwiq.sample().kwic("peace")[0]
    assert first.left == "for the preservation of the "
    assert f">{first.left}</span>" in page
    assert "11 lines for &#x27;peace&#x27;" in page
    assert outputs(executed["kwic-word"], "text/plain") == [
        "<kwiq.Concordance: 11 lines for 'peace'>"
    ]


def test_phrase_shows_an_html_concordance(executed):
    [page] = outputs(executed["kwic-phrase"], "text/html")
    assert re.findall(r"<mark[^>]*>(.*?)</mark>", page) == ["nuclear catastrophe"]
    assert ">could lead to a world </span>" in page


def test_print_shows_eleven_aligned_lines(executed):
    text = outputs(executed["print"], "stdout")
    header, *rows = text.splitlines()
    assert header == "Displaying 11 of 11 lines" and len(rows) == 11
    assert text == str(kwiq.sample().kwic("peace")) + "\n"
    assert rows[0].endswith("for the preservation of the peace of the world. I regard")


def test_to_pandas_shows_a_data_frame(executed):
    [page] = outputs(executed["to-pandas"], "text/html")
    assert "<table" in page and "dataframe" in page
    for field in kwiq.Line._fields + ("query",):
        assert f"<th>{field}</th>" in page
    assert page.count("<td>peace</td>") == 2 * 11  # the match and the query columns
    assert "<td>for the preservation of the" in page


def rights(page):
    """The right contexts of an HTML concordance, in row order, unescaped
    (without the spans that colour sort words)."""
    return [
        html.unescape(re.sub(r"<[^>]*>", "", text))
        for text in re.findall(r'class="kwiq-right"[^>]*>(.*?)</div>', page)
    ]


def test_glob_finds_every_peace_word(executed):
    [page] = outputs(executed["kwic-glob"], "text/html")
    matches = re.findall(r"<mark[^>]*>(.*?)</mark>", page)
    assert len(matches) == 14
    assert set(matches) == {"peace", "peaceful", "peacefully"}
    assert [line.match for line in kwiq.sample().kwic("peace*")] == matches


def test_regex_finds_every_number(executed):
    [page] = outputs(executed["kwic-regex"], "text/html")
    matches = re.findall(r"<mark[^>]*>(.*?)</mark>", page)
    letter = kwiq.sample()
    numbers = re.findall(r"(?<![^\W_])[0-9]+(?![^\W_])", letter.text(letter.ids[0]))
    assert matches == numbers and len(matches) == 16


def test_sort_orders_by_the_right_then_the_left_word(executed):
    [page] = outputs(executed["sort"], "text/html")
    expected = kwiq.sample().kwic("peace").sort("R1", "L1")
    assert rights(page) == [line.right for line in expected]
    first_words = [re.findall(r"[^\W_]+", line.right)[0].casefold() for line in expected]
    assert first_words == sorted(first_words)
    # The R1 word of each line is coloured as the first sort key.
    coloured = re.findall(
        r'class="kwiq-right"[^>]*>[^<]*<span class="kwiq-sort" '
        r'style="color:([^;]*);[^"]*">([^<]*)</span>',
        page,
    )
    assert [(colour, html.unescape(word).casefold()) for colour, word in coloured] == [
        ("#d62728", word) for word in first_words
    ]


def test_a_dispersion_plot_shows_as_a_picture_without_pyplot(executed):
    [png] = outputs(executed["plot"], "image/png")
    assert base64.b64decode(png)[:8] == b"\x89PNG\r\n\x1a\n"
    assert outputs(executed["pyplot"], "stdout") == "False\n"
    # With pyplot's inline backend, the figure shows once all the same.
    [png] = outputs(executed["plot-with-pyplot"], "image/png")
    assert base64.b64decode(png)[:8] == b"\x89PNG\r\n\x1a\n"
