#!/usr/bin/env python3
"""The concordance explorer's model: the time from a change in the widget
(a query typed, a sort position clicked, a page turned) to the page of
rows computed and ready to send, on the Python side, and how much of it
the core takes.

    python bench/explore.py --mb 100 --runs 5

The corpus is bench/compare.py's (../shared/corpus, or $KWIQ_CORPUS, cut
and repeated to --mb MB). The words go from more than 100,000 hits to a
few hundred. For each word and step the widget's trait is set as the
front end sets it (the widget first brought back to the state before the
step, untimed), --runs times, median kept:

- query: ``widget.query = word`` from another query: kwic, the
  documents' count, the page's lines and rows;
- sort: ``widget.sort = ["R1"]`` on that word: the sort, then the page;
- page: ``widget.page = 3`` on the sorted lines, whose documents are
  counted already.

"core" is the same work done by the Concordance methods the model calls
(``kwic``, ``n_docs``, ``sort``, ``page``, making the page's Lines) timed
alone, run after run in turn with the widget; "model" is the rest (rows,
sort-word spans, traits). "message" is the JSON of the result trait as
ipywidgets would send it: its size, and the time to encode it. The
browser's share is not measured here: tests/test_explorer_browser.py
drives a real JupyterLab, and BROWSER-TESTS.md's 16-64 ms from typing to
rows were measured in the page. Results go to standard output and to
bench/results/<date>-explore-<size>mb.md.
"""
from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare  # noqa: E402  (the corpus)

import kwiq  # noqa: E402

# From more than 100,000 hits (at 100 MB) to a few hundred.
WORDS = ["the", "that", "by", "love", "distributed"]
OTHER = "nevertheless"  # the query typed before each timed one


def timed(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def measure(corpus: kwiq.Corpus, word: str, runs: int) -> dict:
    widget = corpus.explore(OTHER)
    times: dict[str, list[float]] = {name: [] for name in (
        "query", "query core", "sort", "sort core", "page", "page core", "encode")}

    for _ in range(runs):
        widget.query = OTHER
        widget.sort = []
        times["query"].append(timed(lambda: setattr(widget, "query", word)))
        times["query core"].append(timed(
            lambda: (lambda c: (c.n_docs, list(c.page(1))))(corpus.kwic(word))))
        conc = corpus.kwic(word)
        times["sort"].append(timed(lambda: setattr(widget, "sort", ["R1"])))
        times["sort core"].append(timed(
            lambda: (lambda c: (c.n_docs, list(c.page(1))))(conc.sort("R1"))))
        widget.query = OTHER  # the page turned is the first over a new concordance
        widget.query = word
        times["page"].append(timed(lambda: setattr(widget, "page", 3)))
        ranked = conc.sort("R1")
        ranked.n_docs  # counted once per concordance, as the widget's is
        times["page core"].append(timed(lambda: list(ranked.page(3))))
        message = widget.result
        times["encode"].append(timed(lambda: json.dumps(message)))
    row = {name: statistics.median(values) for name, values in times.items()}
    row["lines"] = widget.result["total"]
    row["bytes"] = len(json.dumps(widget.result).encode("utf-8"))
    return row


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(rows: dict, args, tokens: int) -> str:
    out = [f"# The explorer's model, {args.mb} MB: from a change to the page ready to send",
           "",
           f"{datetime.date.today()}, {platform.machine()}, Python {platform.python_version()}, "
           f"kwiq {kwiq.__version__}; {tokens:,} tokens; medians of {args.runs} runs. "
           f"`python bench/explore.py --mb {args.mb} --runs {args.runs}`. Milliseconds; "
           "core: the Concordance methods the model calls, timed alone; model: the rest.",
           "",
           "| word | lines | step | total | core | model | message KB | encode |",
           "|---|---:|---|---:|---:|---:|---:|---:|"]
    for word, row in rows.items():
        for step in ("query", "sort", "page"):
            total, core = row[step], row[f"{step} core"]
            out.append(f"| {word} | {row['lines']:,} | {step} | {ms(total)} | {ms(core)} | "
                       f"{ms(max(total - core, 0.0))} | {row['bytes'] / 1000:.1f} | "
                       f"{ms(row['encode'])} |")
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog=compare.CORPUS_HELP)
    parser.add_argument("--mb", type=int, default=100, help="corpus size in MB (default 100)")
    parser.add_argument("--runs", type=int, default=5, help="runs per step (default 5)")
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args()
    corpus = kwiq.Corpus(compare.corpus_docs(args.mb))
    rows = {word: measure(corpus, word, args.runs) for word in WORDS}
    text = report(rows, args, corpus.n_tokens)
    print(text)
    if not args.no_save:
        path = HERE / "results" / f"{datetime.date.today()}-explore-{args.mb}mb.md"
        path.write_text(text, encoding="utf-8")
        print(f"written to {path}")


if __name__ == "__main__":
    main()
