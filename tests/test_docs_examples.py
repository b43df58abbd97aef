"""Every example in README.md and docs/ runs, and shows what it prints.

The convention, for every page:
- a ```python block is Python: where it has ``>>>`` prompts it is a
  doctest (the shown output compared exactly, ``...`` standing for any
  text, as doctest's ELLIPSIS reads it), otherwise code that must run;
- a ```console block is a shell session: each ``$ `` line runs in bash,
  and the lines up to the next ``$ `` are its standard output and error,
  compared the same way;
- ```sh and ```text blocks are not run: commands to install or to start
  servers, and layouts (CONTRIBUTING.md's commands are checked by hand).
The blocks of one page run in order in one namespace, in a folder of their
own where ``tests/data`` is the repository's, so a page reads the test
texts as it would from a checkout and writes its files nowhere else.
"""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = sorted([REPO / "README.md", *(REPO / "docs").rglob("*.md")])
# Pages whose examples start a Dask cluster (about ten seconds).
SLOW_PAGES = {"docs/guide/dask.md"}
RUN = {"python", "console"}
SHOWN = {"sh", "text"}
FENCE = re.compile(r"^```(\S*)\n(.*?)^```$", re.M | re.S)
FLAGS = doctest.ELLIPSIS


def blocks(page: Path) -> list[tuple[str, int, str]]:
    """Each fenced block of page: its language, first line and text."""
    text = page.read_text(encoding="utf-8")
    return [
        (match[1], text.count("\n", 0, match.start()) + 2, match[2])
        for match in FENCE.finditer(text)
    ]


def name(page: Path) -> str:
    return page.relative_to(REPO).as_posix()


def check(got: str, want: str, where: str) -> None:
    checker = doctest.OutputChecker()
    if not checker.check_output(want, got, FLAGS):
        example = doctest.Example("", want)
        pytest.fail(f"{where}: " + checker.output_difference(example, got, FLAGS))


def run_python(code: str, namespace: dict, where: str) -> None:
    if ">>>" not in code:
        exec(compile(code, where, "exec"), namespace)
        return
    test = doctest.DocTestParser().get_doctest(code, namespace, where, where, 0)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    runner.run(test, out=report.append, clear_globs=False)
    namespace.update(test.globs)  # a DocTest runs on a copy of the namespace
    if runner.failures:
        pytest.fail("".join(report))


def run_console(session: str, where: str) -> None:
    commands = re.split(r"^\$ ", session, flags=re.M)
    assert commands[0] == "", f"{where}: a console block starts with '$ '"
    env = dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        COLUMNS="80",
    )
    for command in commands[1:]:
        line, _, want = command.partition("\n")
        done = subprocess.run(
            ["bash", "-c", line], capture_output=True, text=True, env=env, timeout=120
        )
        check(done.stdout + done.stderr, want, f"{where}: $ {line}")


def page_params() -> list:
    return [
        pytest.param(
            page, id=name(page), marks=[pytest.mark.slow] if name(page) in SLOW_PAGES else []
        )
        for page in PAGES
    ]


@pytest.mark.parametrize("page", page_params())
def test_the_examples_of_each_page_run_and_show_what_they_print(page, tmp_path, monkeypatch):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "data").symlink_to(REPO / "tests" / "data")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__main__"}
    for language, line, code in blocks(page):
        where = f"{name(page)}:{line}"
        if language == "python":
            run_python(code, namespace, where)
        elif language == "console":
            run_console(code, where)


def test_every_block_says_whether_it_runs():
    """A block in a language this file neither runs nor knows is an example
    that nothing checks: each must be one of RUN or SHOWN."""
    for page in PAGES:
        for language, line, _ in blocks(page):
            assert language in RUN | SHOWN, f"{name(page)}:{line}: ```{language}"


def test_a_changed_output_fails():
    """The comparison is real: a page whose shown output differs fails."""
    with pytest.raises(pytest.fail.Exception, match="Expected:"):
        run_python(">>> 1 + 1\n3\n", {}, "example")
    with pytest.raises(pytest.fail.Exception, match="Expected:"):
        run_console("$ echo peace\nwar\n", "example")


def test_the_performance_page_is_drawn_from_bench_results():
    """docs/performance.md is what tools/docs_performance.py makes of
    bench/results/ now."""
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "docs_performance.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_the_readme_cheat_sheet_counts_hold():
    """Each row of README's query cheat sheet that gives a count of lines on
    the letter: its first query finds that many."""
    import ast

    import kwiq

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    sheet = readme.split("## Query cheat sheet", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)`.*\| (\d+) lines? \|$", sheet, re.M)
    assert len(rows) == 8
    letter = kwiq.sample()
    for query, count in rows:
        asked = ast.literal_eval(query) if query.startswith("[") else query
        assert len(letter.kwic(asked)) == int(count), query
