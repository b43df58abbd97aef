#!/usr/bin/env python3
"""Build throughput on 1 and 2 threads, and peak memory, side by side.

The corpus is bench/compare.py's 10 MB cut of the benchmark corpus
(../shared/corpus/README.md; read from $KWIQ_CORPUS if set) repeated
--repeat times (10: 100 MB), as documents of 100,000 characters. Two ways
in:

  texts  Corpus(docs, threads=N): the str documents are in memory already;
  files  Corpus.from_files(dir, threads=N): the documents as files of
         UTF-8, read while they are tokenized.

Every build runs in a fresh subprocess, so that its peak RSS
(getrusage ru_maxrss) is its own; the thread counts alternate run by run
on the same input, and the table gives medians. "peak" is the child's
whole peak RSS (interpreter, input and index), "peak - before" what the
build added to the RSS the child had just before it, each as a multiple of
the text's UTF-8 size.

    python bench/build_threads.py --repeat 10 --runs 5
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from compare import CORPUS_HELP

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import kwiq

def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB

how, where, threads, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if how == "texts":
    text = Path(where).read_text(encoding="utf-8")
    docs = [text[i:i + 100_000] for i in range(0, len(text), 100_000)] * repeat
    del text
    before = rss()
    start = time.perf_counter()
    corpus = kwiq.Corpus(docs, threads=threads)
else:
    before = rss()
    start = time.perf_counter()
    corpus = kwiq.Corpus.from_files(where, threads=threads, progress=False)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak": rss(), "before": before,
                  "tokens": corpus.n_tokens, "docs": corpus.n_docs}))
"""


PREPARE = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from compare import base_text
tmp, repeat = Path(sys.argv[2]), int(sys.argv[3])
text = base_text(10)
(tmp / "cut.txt").write_text(text, encoding="utf-8")
docs = [text[i:i + 100_000] for i in range(0, len(text), 100_000)]
(tmp / "files").mkdir()
for r in range(repeat):
    for k, doc in enumerate(docs):
        (tmp / "files" / f"{r:03}-{k:04}.txt").write_text(doc, encoding="utf-8")
print(len(text.encode("utf-8")) * repeat, len(docs) * repeat)
"""


def child(how, where, threads, repeat):
    out = subprocess.run(
        [sys.executable, "-c", CHILD, how, str(where), str(threads), str(repeat)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=CORPUS_HELP)
    parser.add_argument("--repeat", type=int, default=10, help="copies of the 10 MB cut")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", default="1,2", help="thread counts to compare")
    parser.add_argument("--how", default="texts,files")
    args = parser.parse_args()
    counts = [int(t) for t in args.threads.split(",")]

    with tempfile.TemporaryDirectory(prefix="kwiq-build-") as tmp:
        # The input is made in another process: a child's ru_maxrss starts at
        # the peak of the process it was forked from, so this one stays small.
        out = subprocess.run(
            [sys.executable, "-c", PREPARE, str(Path(__file__).parent), tmp, str(args.repeat)],
            capture_output=True,
            text=True,
            check=True,
        )
        n_bytes, n_docs = map(int, out.stdout.split())
        cut, files = Path(tmp) / "cut.txt", Path(tmp) / "files"
        print(
            f"corpus: {n_bytes / 1e6:.1f} MB of UTF-8, {n_docs} documents "
            f"(the 10 MB cut x {args.repeat}); medians of {args.runs} runs, each build in "
            "a fresh process"
        )
        for how in args.how.split(","):
            where = cut if how == "texts" else files
            results = {t: [] for t in counts}
            for _ in range(args.runs):
                for t in counts:
                    results[t].append(child(how, where, t, args.repeat))
            base = None
            for t in counts:
                seconds = statistics.median(r["seconds"] for r in results[t])
                peak = statistics.median(r["peak"] for r in results[t])
                added = statistics.median(r["peak"] - r["before"] for r in results[t])
                base = base or seconds
                every = " ".join(f"{r['seconds']:.2f}" for r in results[t])
                print(
                    f"{how:<6} threads={t}: {n_bytes / seconds / 1e6:6.0f} MB/s "
                    f"({seconds * 1e3:.0f} ms; x{base / seconds:.2f}); peak RSS "
                    f"{peak / n_bytes:.2f}x the text, peak - before "
                    f"{added / n_bytes:.2f}x  [runs: {every} s]"
                )


if __name__ == "__main__":
    main()
