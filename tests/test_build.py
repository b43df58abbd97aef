"""Builds on several threads: the same corpus whatever the thread count, the
Builder of kwiq._core, and KeyboardInterrupt during a build.

The runs and batches of kwiq._build are made tiny here (monkeypatched), so
that corpora of a few MB are cut into many runs and batches and every path
of the threaded build runs; the C core cuts appends and the postings into
parts only from 65,536 tokens a part, which these corpora pass.
"""

import _thread
import gc
import signal
import sys
import threading
import time
import tracemalloc
from array import array

import pytest

import kwiq
from conftest import DATA
from kwiq import _build, _core

BOOKS = [
    "1342-Pride-and-Prejudice.txt",
    "1661-The-Adventures-of-Sherlock-Holmes.txt",
    "2701-Moby-Dick--Or-The-Whale.txt",
]
QUERIES = [
    "the",
    "Elizabeth",
    "whale",
    "of the",
    "said the",
    "peace*",
    "/[0-9]+/",
    "* of",
    "Holmes",
    ",",
    "'",
    "in spite of",
    "zebra",
]


@pytest.fixture(scope="module")
def books():
    """Three books cut into documents of uneven length, with a few texts that
    are not ASCII (so some go through a temporary UTF-8 bytes) and empty ones."""
    texts = []
    for name in BOOKS:
        text = (DATA / "gutenberg" / name).read_text(encoding="utf-8")
        step = 7_000 + 3_000 * len(texts) % 11_000
        texts += [text[i : i + step] for i in range(0, len(text), step)]
    texts[5:5] = ["", "Straße STRASSE 和平 — “quoted”", ""]
    texts.append("ΣΊΣΥΦΟΣ σίσυφος")
    return texts


@pytest.fixture
def small_runs(monkeypatch):
    """Runs of any size and batches of 64 KB, so small corpora take many of
    each."""
    monkeypatch.setattr(_build, "MIN_RUN_BYTES", 1)
    monkeypatch.setattr(_build, "BATCH_BYTES", 64 << 10)


def fingerprint(corpus, queries=QUERIES):
    """What must not depend on the thread count: sizes, the vocabulary in id
    order (type and fold group ids), the frequency of every 4th type, the
    text, and the lines of many queries."""
    index = corpus._index
    counts = [len(index.match([(1, array("I", [t]))], True)) for t in range(0, index.n_types, 4)]
    lines = {q: list(corpus.kwic(q, window=3)) for q in queries}
    return (
        index.n_docs,
        index.n_tokens,
        index.vocabulary(False),
        index.vocabulary(True),
        index.group_of(),
        counts,
        [index.doc_text(d) for d in range(index.n_docs)],
        lines,
    )


def test_plan_runs():
    assert _build.plan_runs([], 4) == [(0, 0)]
    assert _build.plan_runs([5] * 10, 1, 1) == [(0, 10)]
    assert _build.plan_runs([5] * 10, 2, 1) == [(0, 5), (5, 10)]
    assert _build.plan_runs([5] * 10, 3, 1) == [(0, 3), (3, 6), (6, 10)]
    # never an empty run, never more runs than documents
    assert _build.plan_runs([100, 1, 1, 1], 4, 1) == [(0, 1), (1, 2), (2, 3), (3, 4)]
    assert _build.plan_runs([1, 1], 8, 1) == [(0, 1), (1, 2)]
    # a small corpus stays on one thread
    assert _build.plan_runs([1000] * 10, 4, 1 << 20) == [(0, 10)]
    for sizes in ([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], [0] * 5 + [10], list(range(40))):
        for threads in range(1, 8):
            runs = _build.plan_runs(sizes, threads, 1)
            assert runs[0][0] == 0 and runs[-1][1] == len(sizes)
            assert all(a < b for a, b in runs) or sum(sizes) == 0
            assert all(runs[k][1] == runs[k + 1][0] for k in range(len(runs) - 1))


def test_check_threads():
    assert 1 <= _build.check_threads(None) <= _build.MAX_DEFAULT_THREADS
    assert _build.check_threads(3) == 3
    for bad, error in [
        (0, ValueError),
        (-2, ValueError),
        (2.0, TypeError),
        ("2", TypeError),
        (True, TypeError),
    ]:
        with pytest.raises(error):
            kwiq.Corpus(["a"], threads=bad)


def saved(corpus, tmp_path, name):
    """The bytes of the corpus saved: every array of the index, and the ids."""
    path = tmp_path / name
    corpus.save(path)
    return path.read_bytes()


def test_same_corpus_whatever_the_thread_count(books, small_runs, tmp_path):
    runs_seen = []
    real_plan = _build.plan_runs

    def plan(sizes, threads, min_run=None):
        runs = real_plan(sizes, threads, min_run)
        runs_seen.append(len(runs))
        return runs

    _build.plan_runs = plan
    try:
        one = kwiq.Corpus(books, threads=1)
        expected, file = fingerprint(one), saved(one, tmp_path, "1")
        for threads in (2, 3, 4):
            corpus = kwiq.Corpus(books, threads=threads)
            assert fingerprint(corpus) == expected, threads
            assert saved(corpus, tmp_path, str(threads)) == file, threads  # byte for byte
    finally:
        _build.plan_runs = real_plan
    assert runs_seen == [1, 2, 3, 4]
    assert expected[1] > 4 * 65_536  # the core cut appends and postings into parts too


def test_threads_do_not_change_lines_of_small_corpora(small_runs):
    texts = ["The cat sat.", "", "the CAT, the Dog", "straße", "new words", "the end"] * 3
    expected = fingerprint(kwiq.Corpus(texts, threads=1), ["the", "cat", "the *", "strasse"])
    for threads in (2, 3, 5, 18, 40):
        corpus = kwiq.Corpus(texts, threads=threads)
        assert fingerprint(corpus, ["the", "cat", "the *", "strasse"]) == expected


def test_surrogate_named_from_any_thread(books, small_runs):
    texts = list(books)
    texts[40] = "fine text \ud800 bad"
    texts[70] = "\udfff also bad"
    for threads in (1, 2, 4):
        with pytest.raises(UnicodeEncodeError, match="document 40 "):
            kwiq.Corpus(texts, threads=threads)


def test_empty_corpus():
    for threads in (1, 4):
        corpus = kwiq.Corpus([], threads=threads)
        assert (corpus.n_docs, corpus.n_tokens, len(corpus.kwic("a"))) == (0, 0, 0)


# ------------------------------------------------------------------ Builder


def test_builder_batches():
    builder = _core.Builder()
    builder.add(["a b", b"c \xc3\xa9", "é d"])
    assert builder.n_docs == 3
    with pytest.raises(TypeError, match="document 1 is int"):
        builder.add(["x", 5])
    assert builder.n_docs == 3  # nothing of a batch with an item of another type
    with pytest.raises(UnicodeEncodeError) as caught:
        builder.add(["x", "ab \U0001f600 \ud800", "never"])
    assert caught.value.start == 5
    assert builder.n_docs == 4  # the documents before the bad one stay
    with pytest.raises(UnicodeDecodeError) as caught:
        builder.add([b"ok", b"bad \xc3( here", b"never"])
    assert caught.value.start == 4 and caught.value.object == b"bad \xc3( here"
    assert builder.n_docs == 5
    with pytest.raises(TypeError):
        builder.add(("a tuple",))
    index = builder.finish()
    assert index.n_docs == 5
    assert index.vocabulary(False)[0] == ["a", "b", "c", "é", "d", "x", "ok"]
    with pytest.raises(ValueError, match="appended or finished"):
        builder.add(["more"])
    with pytest.raises(ValueError, match="appended or finished"):
        builder.finish()


def test_builder_encodes_every_kind_of_str_as_python():
    """Non-ASCII str is encoded to UTF-8 by the binding without the GIL:
    1-, 2- and 4-byte code units, at and around each UTF-8 length boundary."""
    edges = [0x7F, 0x80, 0xFF, 0x100, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF]
    texts = [
        "caf\u00e9 na\u00efve " * 5000,  # 1-byte units
        "\u2019quoted\u2019 \u548c\u5e73 " * 5000,  # 2-byte units
        "emoji \U0001f600 and \u00e9 " * 5000,  # 4-byte units
        " ".join(chr(cp) + "x" for cp in edges),
    ]
    builder = _core.Builder()
    builder.add(texts)  # over 64 KiB: the GIL is released
    index = builder.finish()
    assert [index.doc_text(d) for d in range(index.n_docs)] == texts
    assert index.n_tokens == sum(len(kwiq.tokenize(t)) for t in texts)


def test_builder_append():
    first, second = _core.Builder(), _core.Builder()
    first.add(["b a"])
    second.add(["c a", "d"])
    with pytest.raises(ValueError, match="itself"):
        first.append(first)
    with pytest.raises(TypeError):
        first.append("not a builder")
    first.append(second, 4)
    with pytest.raises(ValueError, match="appended or finished"):
        second.n_docs
    with pytest.raises(ValueError, match="appended or finished"):
        first.append(second)
    assert first.n_docs == 3
    index = first.finish(3)
    assert index.vocabulary(False)[0] == ["b", "a", "c", "d"]
    with pytest.raises(TypeError):
        _core.Builder("x")
    with pytest.raises(ValueError):
        _core.Builder(-1)
    roomy = _core.Builder(text_bytes=1 << 20, tokens=1 << 18)  # room: a hint only
    roomy.add(["b a", "c a d"])
    assert roomy.finish().vocabulary(False) == index.vocabulary(False)


def test_builder_used_by_two_threads_at_once():
    """A builder at work with the GIL released refuses a second thread, and
    loses nothing."""
    builder = _core.Builder()
    big = ["word " * 400_000]  # 2 MB: the GIL is released while it is tokenized
    started = threading.Event()

    def feed():
        started.set()
        builder.add(big)

    thread = threading.Thread(target=feed)
    thread.start()
    started.wait()
    added = refused = 0
    while thread.is_alive() and added + refused < 100_000:
        try:
            builder.add(["x"])
            added += 1
        except RuntimeError as error:
            assert "in use by another thread" in str(error)
            refused += 1
    thread.join()
    assert builder.n_docs == 1 + added
    index = builder.finish()
    assert index.n_tokens == 400_000 + added


# ------------------------------------------------------------------ KeyboardInterrupt


def interrupting_load(text, at, how):
    """load(i) giving `text`, which interrupts the main thread as Ctrl-C does
    (by `how`) once it has given document `at`, and the SIGINT handler that
    raises the KeyboardInterrupt. A document asked for after that is given
    only once the handler has run, so the build cannot end before the
    interrupt, whatever the threads. `calls` lists the documents given."""
    calls, fired, raised = [], threading.Event(), threading.Event()
    main = threading.main_thread().ident

    def on_sigint(signum, frame):
        raised.set()
        raise KeyboardInterrupt

    def load(i):
        if fired.is_set():
            assert raised.wait(timeout=60), "the main thread never took the interrupt"
        calls.append(i)
        if i == at:
            fired.set()
            if how == "signal":
                signal.pthread_kill(main, signal.SIGINT)
            else:
                _thread.interrupt_main()
        return text

    return load, calls, on_sigint


@pytest.mark.skipif(sys.platform == "win32", reason="pthread_kill")
@pytest.mark.parametrize("how", ["signal", "interrupt_main"])
@pytest.mark.parametrize("threads", [1, 2, 4])
def test_keyboard_interrupt_stops_the_build(monkeypatch, how, threads):
    monkeypatch.setattr(_build, "MIN_RUN_BYTES", 1)
    monkeypatch.setattr(_build, "BATCH_BYTES", 200_000)
    text = "Some words of a document, over and over. " * 2_500  # 100 KB
    n_docs = 200
    at = 30  # in the first run, however many threads

    def describe(i, error):
        return error

    def interrupted_build():
        load, calls, on_sigint = interrupting_load(text, at, how)
        previous = signal.signal(signal.SIGINT, on_sigint)
        try:
            with pytest.raises(KeyboardInterrupt):
                _build.build([len(text)] * n_docs, load, describe, threads)
        finally:
            signal.signal(signal.SIGINT, previous)
        # The first run gave every document up to the interrupt; the other
        # runs, loading meanwhile, stopped before the end.
        assert set(range(at + 1)) <= set(calls) and len(calls) < n_docs
        if threads == 1:
            # The only thread is the main one: it stops at once.
            assert calls == list(range(at + 1))
        return calls

    interrupted_build()  # warm up: caches of the first run are not leaks
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(2):
            calls = interrupted_build()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    # Each interrupted build had loaded MBs of text into its builders; they
    # are all freed (PyMem_RawMalloc is traced).
    assert len(calls) * len(text) > 1_000_000
    assert after - before < 200_000, (before, after)
    assert not [t for t in threading.enumerate() if t.name.startswith("kwiq-build")]
    # The process goes on as before.
    corpus = kwiq.Corpus([text] * 20, threads=threads)
    assert len(corpus.kwic("words")) == 20 * 2_500


def test_error_in_a_run_stops_the_later_runs_only(monkeypatch):
    """The error reported is the first in corpus order, whichever thread
    meets one first."""
    monkeypatch.setattr(_build, "MIN_RUN_BYTES", 1)
    monkeypatch.setattr(_build, "BATCH_BYTES", 1)
    texts = ["fine words"] * 40
    bad = {9: b"bad \xff", 33: b"also \xfe bad"}

    def load(i):
        if i == 33:
            return bad[i]  # the last run fails at once ...
        time.sleep(0.002)  # ... while the first is still loading
        return bad.get(i, texts[i])

    def describe(i, error):
        return ValueError(f"document {i}")

    for threads in (1, 2, 4):
        with pytest.raises(ValueError, match="document 9$"):
            _build.build([10] * 40, load, describe, threads)
