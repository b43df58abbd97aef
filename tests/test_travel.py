"""Objects that travel: kwiq's exceptions, corpora and concordances pickle,
so that multiprocessing, concurrent.futures and joblib can hand them to
other processes and back. Where a hang is the failure (an exception that
cannot be unpickled hangs Pool.map), the test runs in a child process
with a timeout.
"""

import pickle
import subprocess
import sys
import textwrap

import pytest

import kwiq
from kwiq._files import FileDecodeError

TIMEOUT = 120  # a safety net against a hung child, not a timing assertion


def exceptions():
    """One of each public kwiq exception, as kwiq raises it."""
    with pytest.raises(kwiq.QueryError) as query_error:
        kwiq.Corpus(["a b"]).kwic("/(/")
    with pytest.raises(kwiq.FormatError) as format_error:
        kwiq._core.load(bytearray(64))
    return [
        query_error.value,
        format_error.value,
        FileDecodeError("dir/a.txt", "utf-8", b"ab\xffcd", 2, 3, "invalid start byte"),
    ]


def attributes(error):
    return (
        type(error),
        str(error),
        error.args,
        {name: getattr(error, name) for name in vars(error)},
        {
            name: getattr(error, name, None)
            for name in (
                "problem",
                "query",
                "position",
                "path",
                "encoding",
                "object",
                "start",
                "end",
                "reason",
            )
        },
    )


@pytest.mark.parametrize("error", exceptions(), ids=lambda e: type(e).__name__)
def test_every_exception_pickles_with_its_attributes(error):
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert attributes(pickle.loads(pickle.dumps(error, protocol))) == attributes(error)


def run_child(script, tmp_path):
    """Run `script` as a file (spawned workers import its functions) and
    return its standard output; a hang fails by the timeout."""
    path = tmp_path / "child.py"
    path.write_text(textwrap.dedent(script), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_query_error_in_a_pool_worker_reaches_the_parent(tmp_path):
    out = run_child(
        """
        import multiprocessing

        import kwiq

        def count(query):
            return len(kwiq.Corpus(["peace and war"]).kwic(query))

        if __name__ == "__main__":
            for method in multiprocessing.get_all_start_methods():
                with multiprocessing.get_context(method).Pool(2) as pool:
                    assert pool.map(count, ["peace", "war"]) == [1, 1]
                    try:
                        pool.map(count, ["peace", "/(/"])
                    except kwiq.QueryError as error:
                        print(method, error.problem, error.query, error.position)
    """,
        tmp_path,
    )
    lines = out.splitlines()
    assert lines and all(line.split(" ", 1)[1].endswith(" /(/ 0") for line in lines)


# ---- corpora and concordances ----


@pytest.fixture(scope="module")
def corpus():
    pytest.importorskip("pandas")
    return kwiq.Corpus(
        ["The peace and the war. Peace!", "War again, peace", "", "peace " * 50],
        ids=["a", ("b", 1), 2.5, "d"],
        metadata=[
            {"year": 1962, "by": "K"},
            {"year": None, "by": "J"},
            {"year": 1963, "by": None},
            {"year": 1962, "by": "K"},
        ],
    )


def same_lines(got, expected):
    """Lines equal field by field (repr: a missing metadata value is NaN,
    which equals nothing)."""
    assert repr(list(got)) == repr(list(expected))


def concordances(corpus):
    return [
        corpus.kwic("peace"),
        corpus.kwic("peace", meta=["year", "by"]).sort("R1", "doc"),
        corpus.kwic(["war", "the *"], window=(2, 1), case=True),
        corpus.kwic("peace", width=12, bound="sentence").sort("L1"),
        corpus.where(year=1962).kwic("peace*"),
    ]


def test_a_built_corpus_and_its_views_pickle(corpus):
    for original in (
        corpus,
        corpus.where(year=1962),
        corpus.subset([("b", 1), 2.5]),
        corpus.where(year=1962).subset(["d"]),
    ):
        copied = pickle.loads(pickle.dumps(original))
        assert type(copied) is kwiq.Corpus and repr(copied) == repr(original)
        assert copied.ids == original.ids
        assert [copied.text(i) for i in copied.ids] == [original.text(i) for i in original.ids]
        assert copied.metadata.equals(original.metadata)
        same_lines(copied.kwic("peace"), original.kwic("peace"))
        assert copied.freq().equals(original.freq())


def test_a_concordance_pickles_with_its_hits_sort_and_options(corpus):
    for original in concordances(corpus):
        copied = pickle.loads(pickle.dumps(original))
        same_lines(copied, original)
        assert (
            copied.query,
            copied.queries,
            copied.window,
            copied.case,
            copied.width,
            copied.bound,
            copied.meta,
        ) == (
            original.query,
            original.queries,
            original.window,
            original.case,
            original.width,
            original.bound,
            original.meta,
        )
        assert copied.to_pandas().equals(original.to_pandas())
        same_lines(copied.sort("R2"), original.sort("R2"))


def test_a_loaded_corpus_pickles_as_a_reference_to_its_file(corpus, tmp_path):
    path = tmp_path / "c.kwiq"
    corpus.save(path)
    loaded = kwiq.Corpus.load(path)
    data = pickle.dumps(loaded)
    assert b"peace peace" not in data and len(data) < path.stat().st_size
    same_lines(pickle.loads(data).kwic("peace"), corpus.kwic("peace"))
    view_data = pickle.dumps(loaded.where(by="K").kwic("peace").sort("R1"))
    same_lines(pickle.loads(view_data), corpus.where(by="K").kwic("peace").sort("R1"))
    corpus.save(path)  # the same bytes again: still the file it was
    same_lines(pickle.loads(data).kwic("war"), corpus.kwic("war"))
    kwiq.Corpus(["another text"]).save(path)
    for pickled in (data, view_data):
        with pytest.raises(kwiq.FormatError, match=f"{path}: the file has changed since"):
            pickle.loads(pickled)
    path.unlink()
    with pytest.raises(FileNotFoundError):
        pickle.loads(data)


def test_a_damaged_pickled_concordance_raises_rather_than_reads_outside(corpus):
    conc = corpus.kwic("peace")
    function, (view, (positions, lengths, queries), options) = conc.__reduce__()
    tokens = (corpus.n_tokens + 5).to_bytes(4, "little")
    with pytest.raises(ValueError, match="inside one document"):
        function(view, (tokens + positions[4:], lengths, queries), options)
    with pytest.raises(ValueError, match="inside one document"):
        function(view, (positions, b"\0\0\0\0" + lengths[4:], queries), options)
    with pytest.raises(ValueError, match="of no query"):
        function(view, (positions, lengths, b"\1\0\0\0" + queries[4:]), options)
    with pytest.raises(ValueError, match="of one length"):
        function(view, (positions, lengths[4:], queries), options)


def test_corpora_and_concordances_travel_through_a_process_pool(tmp_path):
    out = run_child(
        """
        import multiprocessing
        import pickle
        from concurrent.futures import ProcessPoolExecutor

        import pandas as pd

        import kwiq

        def lines(conc):
            return list(conc)

        def frame(conc):
            return conc.to_pandas()

        def kwic(corpus, query):
            return corpus.kwic(query, meta=["year"]).sort("R1")

        def collocates(corpus):
            return corpus.collocates("peace", min_count=1)

        if __name__ == "__main__":
            built = kwiq.Corpus(["The peace and the war. Peace!", "War again, peace",
                                 "peace " * 50], ids=["a", ("b", 1), "c"],
                                metadata=[{"year": 1962}, {"year": None}, {"year": 1962}])
            built.save("c.kwiq")
            loaded = kwiq.Corpus.load("c.kwiq")
            corpora = [built, loaded, built.where(year=1962), loaded.subset(["a", "c"])]
            for method in multiprocessing.get_all_start_methods():
                context = multiprocessing.get_context(method)
                with ProcessPoolExecutor(2, mp_context=context) as pool:
                    for corpus in corpora:
                        conc = corpus.kwic("peace", meta=["year"]).sort("R1", "doc")
                        assert repr(pool.submit(lines, conc).result()) == repr(list(conc))
                        pd.testing.assert_frame_equal(pool.submit(frame, conc).result(),
                                                      conc.to_pandas())
                        back = pool.submit(kwic, corpus, "peace*").result()
                        assert repr(list(back)) == repr(list(kwic(corpus, "peace*")))
                        assert repr(list(back.sort("L1"))) == \\
                            repr(list(kwic(corpus, "peace*").sort("L1")))
                        pd.testing.assert_frame_equal(pool.submit(collocates, corpus).result(),
                                                      collocates(corpus))
                    stale = pickle.dumps(loaded)
                    kwiq.Corpus(["changed"]).save("c.kwiq")
                    try:
                        pool.submit(pickle.loads, stale).result()
                    except kwiq.FormatError as error:
                        print(method, "stale:", error)
                    built.save("c.kwiq")
                print(method, "ok")
    """,
        tmp_path,
    )
    methods = [line.split()[0] for line in out.splitlines() if line.endswith(" ok")]
    assert methods and all(f"{m} stale: " in out for m in methods)
    assert "c.kwiq: the file has changed since" in out
