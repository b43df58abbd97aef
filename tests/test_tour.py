"""examples/state_union_tour.ipynb, executed by nbclient in a real Jupyter
kernel (tests/notebooks.py): the static views and the explorer on the State
of the Union, each cell's output checked against kwiq run here."""

import html
import re
from pathlib import Path

import pytest

import kwiq

nbformat = pytest.importorskip(
    "nbformat", reason="nbformat is not installed (pip install '.[test]')"
)
pytest.importorskip("anywidget", reason="anywidget is not installed (pip install '.[test]')")

from notebooks import failures, outputs, run_notebook  # noqa: E402  (needs nbformat)

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "state_union_tour.ipynb"
STATE_UNION = Path(__file__).resolve().parent / "data" / "state_union"


@pytest.fixture(scope="module")
def tour(tmp_path_factory):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return run_notebook(nb, NOTEBOOK.parent, tmp_path_factory.mktemp("jupyter"))


@pytest.fixture(scope="module")
def freedom():
    """The tour's concordance, made here from the same files."""
    names = sorted(path.name for path in STATE_UNION.glob("*.txt"))
    metadata = [
        {"year": int(name[:4]), "president": re.search(r"-([A-Za-z]+)", name).group(1)}
        for name in names
    ]
    corpus = kwiq.Corpus.from_files(
        [STATE_UNION / name for name in names],
        encoding=["utf-8", "cp1252"],
        ids="name",
        metadata=metadata,
        progress=False,
    )
    return corpus.kwic("freedom", meta=["year", "president"]).sort("R1", "R2")


def matches_and_docs(page):
    return (
        re.findall(r"<mark[^>]*>(.*?)</mark>", page),
        [html.unescape(doc) for doc in re.findall(r'class="kwiq-doc" title="([^"]*)"', page)],
    )


@pytest.mark.slow
def test_every_cell_runs(tour):
    assert failures(tour) == []
    [corpus] = outputs(tour["corpus"], "text/plain")
    assert corpus == "<kwiq.Corpus: 65 documents, 402,649 tokens>"


@pytest.mark.slow
def test_the_static_views_show_what_kwiq_computes(tour, freedom):
    [page] = outputs(tour["html"], "text/html")
    n_docs = len({line.doc for line in freedom})
    assert f"{len(freedom)} lines for &#x27;freedom&#x27; in {n_docs} documents" in page
    assert "sorted by R1, R2" in page
    for header in ("doc", "left", "match", "right", "year", "president"):
        assert f">{header}<" in page
    assert matches_and_docs(page)[1] == [line.doc for line in freedom.page(1)]
    [second] = outputs(tour["page"], "text/html")
    assert matches_and_docs(second)[1] == [line.doc for line in freedom.page(2)]
    [sample] = outputs(tour["sample"], "text/html")
    assert matches_and_docs(sample)[1] == [line.doc for line in freedom.sample(5, seed=1962)]
    [near] = outputs(tour["filter"], "text/html")
    expected = freedom.filter(context="peace", window=(5, 5))
    assert matches_and_docs(near)[1] == [line.doc for line in expected][:60]
    [kennedy] = outputs(tour["where"], "text/html")
    assert set(matches_and_docs(kennedy)[1]) == {
        line.doc for line in freedom if line.doc.endswith("Kennedy.txt")
    }
    assert outputs(tour["text"], "stdout") == str(freedom.head(5)) + "\n"
    [passage] = outputs(tour["passage"], "text/html")
    assert "<mark" in passage and "freedom" in passage
    [png] = outputs(tour["plot"], "image/png")
    assert png


@pytest.mark.slow
def test_the_explorer_shows_as_a_widget_with_its_static_view(tour):
    cell = tour["explorer"]
    assert outputs(cell, "application/vnd.jupyter.widget-view+json")
    [fallback] = outputs(cell, "text/html")
    assert re.search(r"lines 1–60 of \d+ for &#x27;freedom&#x27;", fallback)
    [counts] = outputs(tour["explorer-query"], "text/plain")
    shown, direct = map(int, counts.strip("()").split(","))
    assert shown == direct > 0
