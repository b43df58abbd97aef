#!/usr/bin/env python3
"""kwiq.dask on a LocalCluster of 2 worker processes against one process.

    python bench/dask_scaling.py --repeat 10      # 100 MB
    python bench/dask_scaling.py --repeat 100     # 1 GB

The corpus is bench/compare.py's: the 10 MB cut of the benchmark corpus
(../shared/corpus/README.md; read from $KWIQ_CORPUS if set) repeated
--repeat times, as UTF-8 files of 100,000 characters each (written once
under --workdir). Both sides read
the same files with from_files, on one thread per process:

  one process   kwiq.Corpus.from_files(dir, threads=1)
  2 workers     kwiq.dask.Corpus.from_files(dir, npartitions=2), one
                partition per worker process (1 thread each)

and run the same query of a frequent word (--word, default "the"):

  count         every line made as a DataFrame, only the count kept:
                len(corpus.kwic(word).to_pandas()) / len(frame), so only
                the partitions' lengths reach the client
  all lines     every line brought to the caller: corpus.kwic(word)
                .to_pandas() / frame.compute() (a local Concordance)

Each step is timed --runs times (median), one process and the cluster
taking turns, the build in a fresh cluster each run; the CPU seconds of
each (this process's, and the workers') show the work apart from the load
that others put on a shared machine. Bytes moved are distributed's own count (the nbytes of every
result a worker sends, from each worker's transfer_outgoing_log), split by
who asked: another worker, or the client. Results go to standard output
and bench/results/<date>-dask-<size>mb-<word>.md.
"""

import argparse
import datetime
import gc
import importlib
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import kwiq  # noqa: E402
import kwiq.dask  # noqa: E402
from compare import CORPUS_HELP, write_docs  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def moved(client):
    """Bytes the workers have sent so far: (to other workers, to the client)."""

    def sent(dask_worker):
        return [(entry["who"], entry["total"]) for entry in dask_worker.transfer_outgoing_log]

    workers = set(client.scheduler_info()["workers"])
    peers = to_client = 0
    for log in client.run(sent).values():
        for who, total in log:
            if who in workers:
                peers += total
            else:
                to_client += total
    return peers, to_client


def spin(_=None):
    """Wall seconds of a fixed pure-Python loop."""
    start = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - start


def two_process_speedup():
    """What two processes gained over one at the same loop just now: the
    best speed-up the machine could give the cluster (2.0 on two idle
    cores)."""
    import multiprocessing

    one = spin()
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(spin, [0, 0])  # the pool started
        start = time.perf_counter()
        pool.map(spin, [0, 0], chunksize=1)
        two = time.perf_counter() - start
    return 2 * one / two


def side(client):
    return "two" if client else "one"


def cpu_seconds(client=None):
    """CPU seconds used so far by this process, and by the workers."""
    own = time.process_time()
    if client is None:
        return own
    return own + sum(client.run(time.process_time).values())


def cluster():
    from distributed import Client, LocalCluster

    workers = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = Client(workers)
    # A worker imports kwiq.dask (dask.dataframe, pandas) when its first task
    # comes; this process has imported it already, so the workers do too.
    client.run(importlib.import_module, "kwiq.dask")
    return workers, client


def measure(folder, word, runs):
    """Medians of runs, one process and 2 workers taking turns, so that
    both see the same load on a shared machine; bytes moved by the first
    run of each 2-worker step."""
    times = {side: {"build": [], "count": [], "lines": []} for side in ("one", "two")}
    cpu = {side: {"build": [], "count": [], "lines": []} for side in ("one", "two")}
    moves = {}

    def step(name, fn, client=None):
        before = moved(client) if client else None
        cpu_before = cpu_seconds(client)
        seconds, result = timed(fn)
        cpu[side(client)][name].append(cpu_seconds(client) - cpu_before)
        times[side(client)][name].append(seconds)
        if client and name not in moves:
            after = moved(client)
            moves[name] = (after[0] - before[0], after[1] - before[1])
        return result

    for _ in range(runs):
        corpus = step("build", lambda: kwiq.Corpus.from_files(folder, threads=1, progress=False))
        del corpus
        gc.collect()
        workers, client = cluster()
        with workers, client:
            step(
                "build",
                lambda: kwiq.dask.Corpus.from_files(folder, npartitions=2, client=client),
                client,
            )
    single = kwiq.Corpus.from_files(folder, threads=1, progress=False)
    workers, client = cluster()
    with workers, client:
        spread = kwiq.dask.Corpus.from_files(folder, npartitions=2, client=client)
        for _ in range(runs):
            hits = step("count", lambda: len(single.kwic(word).to_pandas()))
            assert step("count", lambda: len(spread.kwic(word)), client) == hits
            step("lines", lambda: single.kwic(word).to_pandas())
            gc.collect()
            local = step("lines", lambda: spread.kwic(word).compute(), client)
            assert len(local) == hits
            del local
            gc.collect()
    return times, cpu, moves, {"hits": hits, "docs": single.n_docs, "tokens": single.n_tokens}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=CORPUS_HELP)
    parser.add_argument("--repeat", type=int, default=10, help="copies of the 10 MB cut")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--word", default="the")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kwiq-bench"))
    args = parser.parse_args()
    megabytes = 10 * args.repeat
    folder = args.workdir / f"{megabytes}mb"
    n_docs, n_bytes = write_docs(megabytes, folder)
    folder = folder / "docs"

    load_before, gain_before = os.getloadavg()[0], two_process_speedup()
    times, cpu, moves, info = measure(folder, args.word, args.runs)
    load_after, gain_after = os.getloadavg()[0], two_process_speedup()
    single, spread = times["one"], times["two"]

    def cell(seconds):
        return f"{statistics.median(seconds):.2f} s"

    def mb(n):
        return f"{n / 1e6:,.1f} MB"

    rows = [
        ("build (from_files)", "build"),
        (f"kwic({args.word!r}), count", "count"),
        (f"kwic({args.word!r}), all lines to the caller", "lines"),
    ]
    out = [
        f"# kwiq.dask, 2 worker processes vs one process, {megabytes} MB",
        "",
        f"{datetime.date.today()}, {os.cpu_count()} CPUs (shared), Python "
        f"{sys.version.split()[0]}; {n_docs:,} files, {n_bytes / 1e6:,.0f} MB of UTF-8, "
        f"{info['tokens']:,} tokens; {info['hits']:,} lines of {args.word!r}; "
        f"medians of {args.runs} runs.",
        "",
        f"Load average (1 min) {load_before:.1f} before, {load_after:.1f} after; two "
        f"processes running a pure-Python loop side by side went {gain_before:.2f}x / "
        f"{gain_after:.2f}x as fast as one (2x on two idle cores): the best speed-up "
        "this machine could give 2 workers then. CPU: the seconds of CPU the step used, "
        "in this process and (2 workers) in the workers too.",
        "",
        "| step | one process | 2 workers | speed-up | CPU, one / 2 workers | "
        "worker to worker | to the client |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, key in rows:
        speedup = statistics.median(single[key]) / statistics.median(spread[key])
        peers, client = moves[key]
        out.append(
            f"| {label} | {cell(single[key])} | {cell(spread[key])} | "
            f"{speedup:.2f}x | {cell(cpu['one'][key])} / {cell(cpu['two'][key])} | "
            f"{mb(peers)} | {mb(client)} |"
        )
    text = "\n".join(out) + "\n"
    print(text)
    results = HERE / "results" / f"{datetime.date.today()}-dask-{megabytes}mb-{args.word}.md"
    results.write_text(text)


if __name__ == "__main__":
    main()
