"""Building an index on several threads, deterministically.

The documents are cut into consecutive runs of about equal size, one a
thread. Each thread feeds its run to its own ``_core.Builder`` in batches:
the batch's documents are gathered with the GIL held (pointers to an ASCII
str's UTF-8, bytes as they are, the code units of any other str), then the
whole batch is encoded to UTF-8 where needed and tokenized with the GIL
released. When every run is done the builders are appended in order
(``kw_builder_append`` interns each run's types in its own first-occurrence
order, so the type ids, and every array, are exactly those of one builder
fed every document) and finished; the core cuts appending and the
postings' counting sort into parts, which the binding runs on threads.

Errors are reported for the first bad document in corpus order, whatever
the thread that met it: a run that fails stops only the runs after it, and
the runs before it go on and may fail earlier in the corpus.
KeyboardInterrupt (and any other exception in the calling thread) stops
every run within milliseconds, in the middle of its batch
(``Builder.interrupt``); the builders are freed before it propagates.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any

from kwiq import _core
from kwiq._args import as_int

# A batch ends once it holds this many bytes (or characters): the GIL is
# taken once a batch, and a thread holds at most one batch of text besides
# the builder. Small enough that a stop request is seen within tens of ms.
BATCH_BYTES = 4 << 20
# Below this many bytes a run is not worth a thread of its own.
MIN_RUN_BYTES = 1 << 20
# The default thread count is the CPUs this process may use, at most this.
MAX_DEFAULT_THREADS = 8
# A guess of the text's bytes per token, to reserve room for the tokens.
BYTES_PER_TOKEN = 4
# How often the calling thread wakes while it waits, to take signals.
WAKE_SECONDS = 0.25

Doc = str | bytes


def default_threads() -> int:
    """The CPUs this process may run on (os.cpu_count() without affinity
    support), capped at MAX_DEFAULT_THREADS."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    return max(1, min(n, MAX_DEFAULT_THREADS))


def check_threads(threads: Any) -> int:
    """A thread count from the ``threads=`` argument (None: the default)."""
    if threads is None:
        return default_threads()
    count = as_int(threads, "threads", "a positive int or None")
    if count < 1:
        raise ValueError(f"threads must be >= 1, not {count}")
    return count


def plan_runs(
    sizes: Sequence[int], threads: int, min_run: int | None = None
) -> list[tuple[int, int]]:
    """Consecutive runs [start, stop) covering every document, about equal in
    total size: at most ``threads`` of them, none empty, and no more than one
    per ``min_run`` bytes. No documents: one empty run."""
    min_run = MIN_RUN_BYTES if min_run is None else min_run
    n, total = len(sizes), sum(sizes)
    n_runs = max(1, min(threads, n, total // max(min_run, 1)))
    if n_runs == 1:
        return [(0, n)]
    runs, start, done = [], 0, 0
    for k in range(1, n_runs):
        # The run ends at the first document that reaches its share, leaving
        # at least one document for each later run.
        target, stop = total * k / n_runs, start + 1
        done += sizes[start]
        while stop < n - (n_runs - k) and done + sizes[stop] <= target:
            done += sizes[stop]
            stop += 1
        runs.append((start, stop))
        start = stop
    runs.append((start, n))
    return runs


class Progress:
    """A tqdm bar over `total` bytes (or another `unit`; None: a total not
    known) that threads may advance, shown only for builds that take longer
    than a second; a no-op when disabled."""

    def __init__(self, total: int | None, enabled: bool, desc: str = "kwiq", unit: str = "B"):
        self._bar = None
        self._lock = threading.Lock()
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total,
                unit=unit,
                unit_scale=unit == "B",
                unit_divisor=1024,
                delay=1,
                desc=desc,
                dynamic_ncols=True,
            )

    def advance(self, n: int) -> None:
        if self._bar is not None:
            with self._lock:
                self._bar.update(n)

    def note(self, text: str) -> None:
        if self._bar is not None:
            with self._lock:
                self._bar.set_postfix_str(text, refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class _Runs:
    """What the runs share: the first failed run, and a stop for all."""

    def __init__(self, n: int):
        self.first_failed = n
        self.stopped = False
        self.lock = threading.Lock()

    def failed(self, k: int) -> None:
        with self.lock:
            self.first_failed = min(self.first_failed, k)

    def go_on(self, k: int) -> bool:
        return not self.stopped and k < self.first_failed


def build(
    sizes: Sequence[int],
    load: Callable[[int], Doc],
    describe: Callable[[int, BaseException], BaseException],
    threads: int,
    progress: Progress | None = None,
) -> _core.Index:
    """The Index of documents 0 .. len(sizes)-1, document i being load(i), a
    str or UTF-8 bytes, sizes[i] about its size in bytes. A document that
    the core rejects (invalid UTF-8 bytes, a str with lone surrogates) raises
    describe(i, error); load may raise too. Returns the same Index whatever
    `threads` is."""
    runs = plan_runs(sizes, threads)
    shared = _Runs(len(runs))
    progress = progress or Progress(0, False)
    # Room for each run's text and tokens up front (about 4.6 bytes a token
    # in English; more is only address space), so the arrays do not grow
    # from nothing by doubling, leaving freed blocks to the allocator.
    builders = []
    for start, stop in runs:
        size = sum(sizes[start:stop])
        builders.append(_core.Builder(size, size // BYTES_PER_TOKEN))
    try:
        if len(runs) == 1:
            _fill(builders[0], 0, runs[0], sizes, load, describe, shared, progress)
        else:
            _fill_in_threads(builders, runs, sizes, load, describe, shared, progress)
        progress.note("indexing")
        first = builders[0]
        for builder in builders[1:]:
            first.append(builder, threads)
        return first.finish(threads)
    finally:
        builders.clear()  # frees them now, not when a traceback goes


def _fill_in_threads(
    builders: list[_core.Builder],
    runs: list[tuple[int, int]],
    sizes: Sequence[int],
    load: Callable[[int], Doc],
    describe: Callable[[int, BaseException], BaseException],
    shared: _Runs,
    progress: Progress,
) -> None:
    executor = ThreadPoolExecutor(max_workers=len(runs), thread_name_prefix="kwiq-build")
    try:
        futures = [
            executor.submit(_fill, builder, k, run, sizes, load, describe, shared, progress)
            for k, (builder, run) in enumerate(zip(builders, runs))
        ]
        pending = set(futures)
        while pending:
            # A timeout, so that the calling thread runs its signal handlers
            # (KeyboardInterrupt) while it waits.
            done, pending = wait(pending, timeout=WAKE_SECONDS, return_when=FIRST_EXCEPTION)
            for future in done:
                if future.exception() is not None:
                    shared.failed(futures.index(future))
        if shared.first_failed < len(runs):
            failure = futures[shared.first_failed].exception()
            assert failure is not None  # the run failed
            raise failure
    except BaseException:
        # The runs see `stopped` between batches; interrupt() stops the
        # batch each is adding now, which may be one document of gigabytes.
        shared.stopped = True
        for builder in builders:
            builder.interrupt()
        raise
    finally:
        executor.shutdown(wait=True)


def _fill(
    builder: _core.Builder,
    k: int,
    run: tuple[int, int],
    sizes: Sequence[int],
    load: Callable[[int], Doc],
    describe: Callable[[int, BaseException], BaseException],
    shared: _Runs,
    progress: Progress,
) -> None:
    """Feed documents run[0] .. run[1]-1 to `builder` in batches; run number
    k stops early once an earlier run has failed or the build is stopped."""
    batch: list[Doc] = []
    first, size = run[0], 0

    def flush() -> None:
        before = builder.n_docs
        try:
            builder.add(batch)
        except (UnicodeDecodeError, UnicodeEncodeError) as error:
            # The documents before the bad one were added.
            raise describe(first + builder.n_docs - before, error) from None
        progress.advance(sum(sizes[first : first + len(batch)]))

    try:
        for i in range(*run):
            if not shared.go_on(k):
                return
            batch.append(load(i))
            size += len(batch[-1])
            if size >= BATCH_BYTES:
                flush()
                batch.clear()
                first, size = i + 1, 0
        if batch and shared.go_on(k):
            flush()
    except BaseException:
        shared.failed(k)
        raise
