"""Threads, lifetimes and leaks: one corpus queried by 8 threads at once, a
Concordance that outlives its Corpus, and 10,000 builds and queries that
leave memory where it was."""

import gc
import os
import threading
import tracemalloc
from pathlib import Path

import pytest

import kwiq
from conftest import LETTER_NAME
from kwiq import _concordance

QUERIES = [
    "the",
    "peace",
    "nuclear catastrophe",
    "peace*",
    "the * of",
    "/[0-9]+/",
    "U-2",
    ["war", "peace"],
    "Cuba",
]
CONTEXTS = [
    dict(),
    dict(window=(3, 1)),
    dict(width=30),
    dict(window=12, bound="sentence"),
    dict(case=True),
]


def everything(corpus):
    """Every line of every query, context and sort, as plain tuples."""
    result = []
    for query in QUERIES:
        for context in CONTEXTS:
            conc = corpus.kwic(query, **context)
            result.append([tuple(line) for line in conc])
            result.append([tuple(line) for line in conc.sort("R1", "L2")])
        # A frame's columns are laid out with the GIL released too.
        frame = corpus.kwic(query, **CONTEXTS[-1]).to_pandas()
        result.append([tuple(row) for row in frame.itertuples(index=False)])
    return result


@pytest.fixture(scope="module")
def books(gutenberg_text):
    chapters = [c for c in gutenberg_text.split("\nChapter ") if c.strip()]
    letter = kwiq.sample().text(LETTER_NAME)
    return kwiq.Corpus(chapters + [letter] * 3)


def query_from_threads(corpus, n_threads=8, rounds=3):
    """Each thread runs everything() `rounds` times, all starting at once."""
    barrier = threading.Barrier(n_threads)
    results = [None] * n_threads
    errors = []

    def work(k):
        try:
            barrier.wait()
            results[k] = [everything(corpus) for _ in range(rounds)]
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def test_eight_threads_give_the_single_thread_lines(books):
    expected = everything(books)
    assert sum(map(len, expected)) > 10_000
    for per_thread in query_from_threads(books):
        assert all(result == expected for result in per_thread)


def test_eight_threads_on_a_loaded_corpus(books, tmp_path):
    books.save(tmp_path / "books.kwiq")
    loaded = kwiq.Corpus.load(tmp_path / "books.kwiq")
    expected = everything(books)
    for per_thread in query_from_threads(loaded, rounds=1):
        assert per_thread == [expected]


def test_threads_get_fresh_vocabularies_safely(books):
    """The first glob of a corpus fetches its vocabulary: several threads
    may do so at once, and the slot cache may be cleared under them."""
    corpus = kwiq.Corpus([books.text(i) for i in range(5)])
    globs = [f"{c}*" for c in "abcdefghijklmnopqrstuvw"] * 12  # > the 256 slots remembered
    expected = {
        glob: len(kwiq.Corpus([corpus.text(i) for i in range(5)]).kwic(glob)) for glob in set(globs)
    }
    barrier = threading.Barrier(8)
    found = []

    def work(k):
        barrier.wait()
        found.extend((glob, len(corpus.kwic(glob))) for glob in globs[k:] + globs[:k])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 8 * len(globs)
    assert all(count == expected[glob] for glob, count in found)


@pytest.mark.parametrize("how", ["built", "loaded"])
def test_a_concordance_outlives_its_corpus(how, tmp_path, letter_text):
    corpus = kwiq.Corpus([letter_text, "peace " * 50], ids=["letter", "peaces"])
    if how == "loaded":
        corpus.save(tmp_path / "c.kwiq")
        corpus = kwiq.Corpus.load(tmp_path / "c.kwiq")
    conc = corpus.kwic("peace", window=3)
    sorted_conc = corpus.kwic("peace*").sort("L1")
    expected = [tuple(line) for line in conc]
    expected_sorted = [tuple(line) for line in sorted_conc]
    expected_html = conc._repr_html_()
    expected_by_r1 = [tuple(line) for line in conc.sort("R1")]
    del corpus
    gc.collect()
    assert [tuple(line) for line in conc] == expected and len(expected) == 61
    assert [tuple(line) for line in sorted_conc] == expected_sorted
    assert conc._repr_html_() == expected_html
    assert [tuple(line) for line in conc.sort("R1")] == expected_by_r1
    conc.to_csv(tmp_path / "lines.csv")
    assert len((tmp_path / "lines.csv").read_text().splitlines()) == 62
    assert conc.format(limit=None).count("\n") == 61  # a header and 61 lines


# ---------------------------------------------------------------- leaks


def rss_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def build_and_query(k, text, saved):
    """One round of what a user does: build, query (words, phrases, globs,
    sorts, lines, HTML) and, every 10th round, make a DataFrame, load and
    run regexes."""
    corpus = kwiq.Corpus([text, f"document {k} peace"], ids=["a", k])
    conc = corpus.kwic(["peace", "nuclear catastrophe"], window=(3, 2))
    lines = list(conc.sort("R1", "match"))
    assert sum(line.doc == k for line in lines) == 1
    corpus.kwic("pea*", width=20, bound="sentence")._repr_html_()
    if k % 10 == 0:
        frame = conc.to_pandas()
        assert frame["doc"].tolist().count(k) == 1
        loaded = kwiq.Corpus.load(saved)
        assert len(loaded.kwic("peace")) == 11
        assert sum(line.doc == k for line in corpus.kwic("/[0-9]+/")) == 1
        try:
            loaded.kwic("/(/")
        except kwiq.QueryError:
            pass


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc/self/statm")
def test_ten_thousand_builds_and_queries_leave_memory_flat(letter_text, tmp_path, monkeypatch):
    text = letter_text[:4_000]  # a leaked copy of it would add 40 MB in 10,000 rounds
    # Frames of these few lines are laid out in Arrow too, as large ones are.
    monkeypatch.setattr(_concordance, "ARROW_MIN_LINES", 0)
    saved = tmp_path / "letter.kwiq"
    kwiq.sample().save(saved)
    for k in range(500):  # warm up: caches (re's too) and the allocator's first arenas
        build_and_query(k, text, saved)
    gc.collect()
    tracemalloc.start()
    try:
        traced_before = tracemalloc.get_traced_memory()[0]
        rss_before = rss_bytes()
        for k in range(10_000):
            build_and_query(k, text, saved)
        gc.collect()
        traced_after = tracemalloc.get_traced_memory()[0]
        rss_after = rss_bytes()
    finally:
        tracemalloc.stop()
    # The core allocates with PyMem_RawMalloc, which tracemalloc traces: a
    # leak of 10 bytes a round would show here ...
    assert traced_after - traced_before < 100_000, (traced_before, traced_after)
    # ... and RSS catches what tracemalloc cannot see (mmap, libc malloc):
    # a leak of 400 bytes a round would pass 4 MB. Not under AddressSanitizer
    # (CI's sanitized run), whose quarantine holds up to 256 MB of freed
    # blocks, so that RSS grows without a leak; the plain run checks it.
    if not under_address_sanitizer():
        assert rss_after - rss_before < 4_000_000, (rss_before, rss_after)


def under_address_sanitizer() -> bool:
    return "libasan" in Path("/proc/self/maps").read_text()
