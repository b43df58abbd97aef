#!/usr/bin/env python3
"""Build, save and load times of kwiq on the benchmark corpus, and the size
of the saved file, medians of runs.

The corpus is bench/compare.py's benchmark corpus (../shared/corpus, or
$KWIQ_CORPUS), cut to --mb megabytes of UTF-8
and repeated --repeat times (the issue's 100 MB corpus is --mb 10
--repeat 10), in documents of 100,000 characters. The saved file is
written to --dir (default: a temporary directory) and loaded from the page
cache, as a corpus saved and searched again on one machine is; the first
load of a file not yet read from disk also waits for the disk. The load is
timed both ways: mapped (the default) and read into memory (mmap=False).

    python bench/save_and_load.py --mb 10 --repeat 10 --runs 5
"""

import argparse
import statistics
import tempfile
from pathlib import Path

import kwiq
from build_and_query import seconds_of_runs
from compare import CORPUS_HELP, base_text


def median_seconds(fn, runs):
    times = seconds_of_runs(fn, runs)
    return statistics.median(times), min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=CORPUS_HELP)
    parser.add_argument("--mb", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", help="where to write the saved file")
    args = parser.parse_args()
    text = base_text(args.mb) * args.repeat
    n_bytes = len(text.encode("utf-8"))
    docs = [text[i : i + 100_000] for i in range(0, len(text), 100_000)]
    del text

    build, build_min = median_seconds(lambda: kwiq.Corpus(docs, threads=1), args.runs)
    corpus = kwiq.Corpus(docs, threads=1)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = Path(tmp) / "bench.kwiq"
        save, _ = median_seconds(lambda: corpus.save(path), args.runs)
        size = path.stat().st_size
        kwiq.Corpus.load(path)  # the file is in the page cache from here on
        load, load_min = median_seconds(lambda: kwiq.Corpus.load(path), args.runs)
        read, read_min = median_seconds(lambda: kwiq.Corpus.load(path, mmap=False), args.runs)
        loaded = kwiq.Corpus.load(path)
        assert (loaded.n_docs, loaded.n_tokens) == (corpus.n_docs, corpus.n_tokens)
        assert list(loaded.kwic("whale")[:60]) == list(corpus.kwic("whale")[:60])
        del loaded

    print(
        f"corpus: {n_bytes / 1e6:.1f} MB UTF-8 ({args.mb} MB x {args.repeat}), "
        f"{len(docs)} documents, {corpus.n_tokens:,} tokens"
    )
    print(f"build: {build * 1e3:8.1f} ms median of {args.runs} (min {build_min * 1e3:.1f})")
    print(f"save:  {save * 1e3:8.1f} ms median")
    print(
        f"load:  {load * 1e3:8.1f} ms median of {args.runs} (min {load_min * 1e3:.1f}), "
        f"{n_bytes / load / 1e9:.1f} GB of text a second"
    )
    print(
        f"load(mmap=False): {read * 1e3:8.1f} ms median of {args.runs} "
        f"(min {read_min * 1e3:.1f}), {read / load:.1f}x the mapped load"
    )
    print(f"load is {build / load:.1f}x faster than build (medians)")
    print(f"file:  {size / 1e6:.1f} MB, {size / n_bytes:.2f}x the text's UTF-8")


if __name__ == "__main__":
    main()
