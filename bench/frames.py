#!/usr/bin/env python3
"""DataFrames of concordance lines: to_pandas() and to_polars() as kwiq makes
them with pyarrow (the core lays the lines out into Arrow text columns)
against the way it takes without pyarrow (a Python str per field of every
line), side by side in one process.

    python bench/frames.py --mb 100 --runs 5

The corpus and its 20 words, from very frequent to rare, are those of
bench/compare.py (../shared/corpus, or $KWIQ_CORPUS). For each word the two
ways alternate, run after run, so that both see the same machine; the medians
of --runs are reported per line, with their ratio, the sums over the words,
and a check that both ways gave equal frames. Every size takes the Arrow way
here; kwiq itself takes it from _concordance.ARROW_MIN_LINES lines on, where
it pays. Results go to standard output and to
bench/results/<date>-frames-<size>mb.md.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare  # noqa: E402  (the corpus and its words)
import kwiq  # noqa: E402
from kwiq import _concordance  # noqa: E402

WITH_ARROW = _concordance._pyarrow
# Arrow for every size here, to show where it starts to pay (kwiq takes it
# from ARROW_MIN_LINES lines on).
_concordance.ARROW_MIN_LINES = 0


def without_arrow():
    return None


def alternate(make, runs: int) -> tuple[float, float, object, object]:
    """Median seconds of make() with and without pyarrow, taken in turn,
    and the last frame of each. A frame is freed outside the timed call."""
    times = {True: [], False: []}
    frames = {}
    for _ in range(runs):
        for arrow in (True, False):
            _concordance._pyarrow = WITH_ARROW if arrow else without_arrow
            frames[arrow] = None
            start = time.perf_counter()
            frames[arrow] = make()
            times[arrow].append(time.perf_counter() - start)
    _concordance._pyarrow = WITH_ARROW
    return (
        statistics.median(times[True]),
        statistics.median(times[False]),
        frames[True],
        frames[False],
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog=compare.CORPUS_HELP
    )
    parser.add_argument("--mb", type=int, default=10, help="corpus size in MB (default 10)")
    parser.add_argument("--runs", type=int, default=5, help="runs per way and word (default 5)")
    args = parser.parse_args()
    if WITH_ARROW() is None:
        sys.exit("frames.py compares the ways with and without pyarrow: pip install pyarrow")
    import pandas as pd
    import polars as pl

    docs = compare.corpus_docs(args.mb)
    words = compare.pick_words(compare.base_text(min(args.mb, compare.BASE_MB)))
    corpus = kwiq.Corpus(docs)
    del docs
    rows = []
    for word, _ in words:
        conc = corpus.kwic(word)
        n = len(conc)
        for name, method in (("to_pandas", conc.to_pandas), ("to_polars", conc.to_polars)):
            arrow, lists, frame_arrow, frame_lists = alternate(method, args.runs)
            if name == "to_pandas":
                pd.testing.assert_frame_equal(frame_arrow, frame_lists)
            else:
                assert isinstance(frame_arrow, pl.DataFrame) and frame_arrow.equals(frame_lists)
            rows.append((word, n, name, arrow, lists))
            print(
                f"{word:>12} {n:>9,} lines {name}: with pyarrow {arrow / n * 1e6:.3f} µs/line,"
                f" str per field {lists / n * 1e6:.3f} µs/line, {lists / arrow:.1f}x",
                flush=True,
            )

    lines = [
        f"# DataFrames of lines, {args.mb} MB: with pyarrow and with a str per field",
        "",
        f"{datetime.date.today()}, {platform.machine()}, Python {platform.python_version()},"
        f" pandas {pd.__version__}, polars {pl.__version__}, kwiq {kwiq.__version__};"
        f" {corpus.n_tokens:,} tokens; medians of {args.runs} runs per way, the ways"
        f" taken in turn. `python bench/frames.py --mb {args.mb} --runs {args.runs}`.",
        "",
        "| word | lines | method | with pyarrow, µs/line | str per field, µs/line | ratio |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for word, n, name, arrow, lists in rows:
        lines.append(
            f"| {word} | {n:,} | `{name}()` | {arrow / n * 1e6:.3f} | "
            f"{lists / n * 1e6:.3f} | {lists / arrow:.1f}x |"
        )
    for name in ("to_pandas", "to_polars"):
        chosen = [r for r in rows if r[2] == name]
        hits = sum(r[1] for r in chosen)
        arrow, lists = sum(r[3] for r in chosen), sum(r[4] for r in chosen)
        lines.append(
            f"| all 20 words | {hits:,} | `{name}()` | {arrow / hits * 1e6:.3f} | "
            f"{lists / hits * 1e6:.3f} | {lists / arrow:.1f}x |"
        )
    report = "\n".join(lines) + "\n"
    out = HERE / "results" / f"{datetime.date.today()}-frames-{args.mb}mb.md"
    out.write_text(report, encoding="utf-8")
    print(report)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
