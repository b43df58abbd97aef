#!/usr/bin/env python3
"""How soon Ctrl-C stops each long operation of kwiq: SIGINT at a random
moment, and the seconds from the signal to the KeyboardInterrupt.

Each operation runs once whole (its time sets when to signal), then
--trials times with SIGINT sent by a timer thread (os.kill of this process)
at a random moment between 10% and 90% of that time; the latency is the
time from just before the kill to the except clause. After every stop a
small query must still give its answer. The text is made here (words of a
Zipf vocabulary, seeded), so CI needs no corpus.

    python bench/interrupt.py --mb 40 --trials 3 --max-latency 0.5

Exit 1 when the worst latency exceeds --max-latency, or a stop left kwiq
unable to answer. --out writes the table as Markdown.
"""

import argparse
import gc
import os
import random
import signal
import statistics
import threading
import time

import kwiq

VOCABULARY = 50_000
PUNCTUATION = [",", ".", ";", "!", "?", "—"]


# Text beyond this many bytes repeats what comes before (making it is slow).
UNIQUE_BYTES = 50_000_000


def make_text(n_bytes: int, seed: int) -> str:
    """Words of a Zipf vocabulary (rank r drawn with weight 1/r), a
    punctuation mark after about one word in eight, some accented; past
    UNIQUE_BYTES the text repeats."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyzé"
    vocab = [
        "".join(rng.choice(letters) for _ in range(rng.randint(1, 9))) for _ in range(VOCABULARY)
    ]
    vocab[:4] = ["the", "of", "and", "peace"]
    weights = [1 / (rank + 1) for rank in range(VOCABULARY)]
    words, size = [], 0
    while size < min(n_bytes, UNIQUE_BYTES):
        chunk = rng.choices(vocab, weights, k=100_000)
        for k in range(0, len(chunk), 8):
            chunk[k] += rng.choice(PUNCTUATION)
        text = " ".join(chunk)
        words.append(text)
        size += len(text) + 1
    text = " ".join(words)
    return (text * (n_bytes // len(text) + 1))[:n_bytes]


def operations(text: str, threads: int, only: list[str] | None):
    """(name, fn) of every long operation (those whose name holds one of
    `only`, if given); the corpus of the others is built here, only if one
    of them is asked for."""

    def chosen(name: str) -> bool:
        return not only or any(part in name for part in only)

    half = len(text) // 2
    builds = [
        ("build, one document", lambda: kwiq.Corpus([text], threads=1)),
        (
            f"build, {threads} threads",
            lambda: kwiq.Corpus([text[:half], text[half:]], threads=threads),
        ),
    ]
    names = ["lines", "sort", "collocates", "merge of 40 queries", "frame (Arrow export)"]
    if not any(map(chosen, names)):
        return [op for op in builds if chosen(op[0])]
    corpus = kwiq.Corpus([text], threads=1)
    the = corpus.kwic("the", window=5)
    frequent = list(corpus.freq()["word"][:40])
    many = corpus.kwic(frequent, window=5)
    ops = builds + list(
        zip(
            names,
            [
                lambda: list(the),
                lambda: many.sort("r1", "l1", "r2"),
                lambda: corpus.collocates(frequent, window=5),
                lambda: corpus.kwic(frequent),
                lambda: the.to_pandas(),
            ],
        )
    )
    return [op for op in ops if chosen(op[0])]


def interrupted_after(fn, delay: float) -> float | None:
    """Seconds from a SIGINT sent `delay` seconds into fn() to its
    KeyboardInterrupt; None if fn returned first."""
    sent = []

    def kill():
        sent.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(delay, kill)
    try:
        timer.start()
        result = fn()
    except KeyboardInterrupt:
        return time.perf_counter() - sent[0]
    finally:
        timer.cancel()
    del result
    # The signal may still be on its way: let it arrive before the next run.
    try:
        timer.join()
        time.sleep(0.05)
    except KeyboardInterrupt:
        pass
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100, help="megabytes of text")
    parser.add_argument("--trials", type=int, default=5, help="signals per operation")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument(
        "--max-latency", type=float, default=0.5, help="seconds; a worse latency fails (exit 1)"
    )
    parser.add_argument(
        "--only", action="append", help="run only the operations whose name holds this (repeatable)"
    )
    parser.add_argument("--out", help="write the table to this Markdown file")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    text = make_text(int(args.mb * 1e6), args.seed)
    ops = operations(text, args.threads, args.only)
    # What kwiq must still answer after each stop.
    sample = text[:100_000]
    expected = len(kwiq.Corpus([sample]).kwic("peace"))
    rows, worst_all, broken = [], 0.0, []
    for name, fn in ops:
        start = time.perf_counter()
        fn()
        whole = time.perf_counter() - start
        gc.collect()
        latencies = []
        for _ in range(args.trials):
            latency = interrupted_after(fn, whole * rng.uniform(0.1, 0.9))
            if latency is not None:
                latencies.append(latency)
            gc.collect()
            if len(kwiq.Corpus([sample]).kwic("peace")) != expected:
                broken.append(name)
        worst = max(latencies, default=float("nan"))
        worst_all = max(worst_all, max(latencies, default=0.0))
        rows.append(
            (
                name,
                whole,
                len(latencies),
                statistics.median(latencies) if latencies else float("nan"),
                worst,
            )
        )
        print(
            f"{name:24} {whole:6.2f} s whole, {len(latencies)} stopped, "
            f"latency median {rows[-1][3] * 1000:6.1f} ms, worst {worst * 1000:6.1f} ms",
            flush=True,
        )
    table = [
        f"# Ctrl-C latency, {args.mb:g} MB of text, {args.trials} signals an operation",
        "",
        "| operation | whole (s) | stopped | median latency (ms) | worst (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    table += [
        f"| {name} | {whole:.2f} | {n} | {median * 1000:.1f} | {worst * 1000:.1f} |"
        for name, whole, n, median, worst in rows
    ]
    table += ["", f"Worst: {worst_all * 1000:.1f} ms (limit {args.max_latency * 1000:.0f} ms)."]
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write("\n".join(table) + "\n")
    print("\n".join(table[-1:]))
    if broken:
        print(f"kwiq gave a wrong answer after stopping: {', '.join(broken)}")
        return 1
    if worst_all > args.max_latency:
        print(f"FAIL: a latency of {worst_all:.3f} s exceeds {args.max_latency} s")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
