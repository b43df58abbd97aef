"""Code as a user writes it, which ``mypy --strict`` must accept
(tests/test_typing.py; .ci/run): kwiq's types, as an IDE reads them, say
what each call gives. It is type-checked, never run.

The lines marked ``# type: ignore[code]`` are mistakes that mypy must
report with that code: the settings (pyproject.toml) warn of an unused
ignore, so a line that stops failing fails the check."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path

import pandas as pd
import polars as pl
from matplotlib.figure import Figure
from typing_extensions import assert_type

import kwiq
import kwiq.dask
from kwiq._explorer import Explorer


def build() -> kwiq.Corpus:
    texts = ["We want peace.", "Peace, and more peace!"]
    corpus = kwiq.Corpus(texts, ids=["a.txt", "b.txt"], metadata=[{"year": 1962}, {"year": 1963}])
    assert_type(corpus.n_docs, int)
    assert_type(corpus.ids, tuple[Hashable, ...])
    assert_type(corpus.metadata, pd.DataFrame)
    assert_type(corpus.text("a.txt"), str)
    assert_type(kwiq.tokenize(texts[0]), list[str])
    return corpus.subset(["a.txt"]) if corpus.n_tokens < 3 else corpus.where(year=1962)


def concordance(corpus: kwiq.Corpus) -> list[str]:
    conc = corpus.kwic("peace", window=(3, 2), bound="sentence")
    assert_type(conc, kwiq.Concordance)
    conc = conc.sort("R1", ("L1", "word"), "match")
    first = conc[0]
    assert_type(first, kwiq.Line)
    assert_type(conc[1:3], kwiq.Concordance)
    assert_type(conc.head(5), kwiq.Concordance)
    assert_type(conc.filter(left="want"), kwiq.Concordance)
    assert_type(conc.page(1), kwiq.Concordance)
    assert_type(len(conc), int)
    assert_type(conc.n_docs, int)
    text = corpus.text(first.doc)
    assert text[first.char_start : first.char_end] == first.match
    frame = conc.to_pandas()
    assert_type(frame, pd.DataFrame)
    assert_type(conc.to_polars(), pl.DataFrame)
    assert_type(conc.count_by("year"), pd.DataFrame)
    conc.to_csv(Path("lines.csv"), safe=True)
    return [line.left + line.match + line.right for line in conc]


def statistics(corpus: kwiq.Corpus, reference: kwiq.Corpus) -> float:
    freq = corpus.freq(min_count=2)
    assert_type(freq, pd.DataFrame)
    assert_type(corpus.ngrams(2), pd.DataFrame)
    assert_type(corpus.clusters("peace", 2, "left"), pd.DataFrame)
    collocates = corpus.collocates("peace", window=4, measures=["mi", "logdice"])
    assert_type(collocates, pd.DataFrame)
    assert_type(corpus.dispersion("peace"), pd.DataFrame)
    assert_type(corpus.plot_dispersion(["peace", "war"]), Figure)
    assert_type(kwiq.keyness(corpus, reference), pd.DataFrame)
    return float(freq["per_million"].sum() + collocates["mi"].max())


def cql(corpus: kwiq.Corpus) -> int:
    conc = corpus.kwic('[lemma="peace"] [upos="VERB"]', syntax="cql", strategy="shortest")
    return len(conc)


def explore(corpus: kwiq.Corpus) -> Explorer:
    assert_type(kwiq.explore(corpus, "peace"), Explorer)
    widget = corpus.kwic("peace").explore(page_size=20)
    assert_type(widget.concordance, kwiq.Concordance | None)
    return corpus.explore("peace", window=3)


def saved(corpus: kwiq.Corpus, folder: Path) -> kwiq.Corpus:
    corpus.save(folder / "letters.kwiq")
    return kwiq.Corpus.load(folder / "letters.kwiq", mmap=False)


def on_dask(corpus: kwiq.dask.Corpus) -> pd.DataFrame:
    assert_type(corpus.collocates("peace", window=3), pd.DataFrame)
    return corpus.freq()


def mistakes(corpus: kwiq.Corpus) -> None:
    """Each line is wrong, and mypy says so with the code given."""
    corpus.kwic(42)  # type: ignore[arg-type]
    corpus.kwic("peace", window="wide")  # type: ignore[arg-type]
    corpus.freq(case="yes")  # type: ignore[arg-type]
    corpus.kwic("peace").sort(1)  # type: ignore[arg-type]
    corpus.kwic("peace")[0].lemma  # type: ignore[attr-defined]
    corpus.kwic("peace")[0].match + 1  # type: ignore[operator]
    _: int = corpus.freq()  # type: ignore[assignment]
    corpus.collocates("peace").no_such_column_method()  # type: ignore[operator]
    kwiq.Corpus.load("letters.kwiq", mmap="yes")  # type: ignore[arg-type]
    kwiq.Corpus(["a text"], threads="4")  # type: ignore[arg-type]
