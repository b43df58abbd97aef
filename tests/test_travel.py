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
    return [query_error.value, format_error.value,
            FileDecodeError("dir/a.txt", "utf-8", b"ab\xffcd", 2, 3, "invalid start byte")]


def attributes(error):
    return (type(error), str(error), error.args,
            {name: getattr(error, name) for name in vars(error)},
            {name: getattr(error, name, None) for name in
             ("problem", "query", "position", "path", "encoding", "object", "start", "end",
              "reason")})


@pytest.mark.parametrize("error", exceptions(), ids=lambda e: type(e).__name__)
def test_every_exception_pickles_with_its_attributes(error):
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert attributes(pickle.loads(pickle.dumps(error, protocol))) == attributes(error)


def run_child(script, tmp_path):
    """Run `script` as a file (spawned workers import its functions) and
    return its standard output; a hang fails by the timeout."""
    path = tmp_path / "child.py"
    path.write_text(textwrap.dedent(script), encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=TIMEOUT, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_query_error_in_a_pool_worker_reaches_the_parent(tmp_path):
    out = run_child("""
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
    """, tmp_path)
    lines = out.splitlines()
    assert lines and all(line.split(" ", 1)[1].endswith(" /(/ 0") for line in lines)
