#!/usr/bin/env python3
"""Build and query speed of kwiq on the benchmark corpus, medians of runs.

The corpus is bench/compare.py's benchmark corpus (../shared/corpus, or
$KWIQ_CORPUS): gutenberg/, state_union/, inaugural/ and movie_reviews/
decoded (UTF-8, else cp1252), concatenated in path order and cut to --mb
megabytes of UTF-8.

    python bench/build_and_query.py --mb 10 --runs 5
"""

import argparse
import statistics
import time

import kwiq
from compare import CORPUS_HELP, base_text

QUERIES = ["peace", "the", "Elizabeth", "whale", "of the", "in spite of", "zebra"]


def seconds_of_runs(fn, runs):
    """The wall-clock seconds of each of `runs` calls of fn. What a call
    returns is freed after its time is taken, not inside it."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        del result
    return times


def median_seconds(fn, runs):
    return statistics.median(seconds_of_runs(fn, runs))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=CORPUS_HELP)
    parser.add_argument("--mb", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="build threads (default 1)")
    args = parser.parse_args()
    text = base_text(args.mb)
    n_bytes = len(text.encode("utf-8"))
    # One document per 100 KB, about a book chapter each.
    docs = [text[i : i + 100_000] for i in range(0, len(text), 100_000)]
    build = median_seconds(lambda: kwiq.Corpus(docs, threads=args.threads), args.runs)
    corpus = kwiq.Corpus(docs)
    print(
        f"corpus: {n_bytes / 1e6:.1f} MB UTF-8, {len(docs)} documents, {corpus.n_tokens:,} tokens"
    )
    print(f"build: {build * 1e3:.0f} ms median of {args.runs}, {n_bytes / build / 1e6:.0f} MB/s")
    print(f"{'query':<14}{'hits':>9}{'find+count':>14}{'first 60 lines':>16}{'all lines/hit':>16}")
    for query in QUERIES:
        count = median_seconds(lambda: len(corpus.kwic(query)), args.runs)
        first = median_seconds(lambda: corpus.kwic(query)[:60], args.runs)
        conc = corpus.kwic(query)
        every = median_seconds(lambda: list(conc), max(1, args.runs // 2))
        per_hit = every / len(conc) * 1e6 if len(conc) else 0.0
        print(
            f"{query:<14}{len(conc):>9,}{count * 1e6:>12.1f}us{first * 1e6:>14.1f}us"
            f"{per_hit:>14.2f}us"
        )


if __name__ == "__main__":
    main()
