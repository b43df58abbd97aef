#!/usr/bin/env python3
"""Check that the C core (csrc/core/) knows no Python and has no circle.

Usage:
    python tools/check_core_layering.py     # CC: the compiler (default gcc, then cc, clang)

Fails (exit 1, saying where) when
  - a file of csrc/core/ includes Python.h;
  - a file of csrc/core/ includes, with #include "...", a file that is not
    in csrc/core/;
  - the include graph has a circle: its nodes are the modules, kw_x.c and
    kw_x.h being module kw_x, and module A points to module B when a file of
    A includes a header of B;
  - the symbol graph has a circle: each .c is compiled alone and `nm` lists
    what its object defines and what it uses; kw_a.o points to kw_b.o when
    it uses a symbol that kw_b.o defines.
So every module can be read, tested and replaced by looking only at those
below it. Exit 2 when no compiler or nm is found.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from core_sources import CORE_DIR, INCLUDE, REPO, core_sources

INCLUDE_LINE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.MULTILINE)


def find_circle(graph: dict[str, set[str]]) -> list[str] | None:
    """The nodes of one circle of `graph`, the first repeated at the end,
    or None; the same circle on every run (nodes taken in sorted order)."""
    state: dict[str, str] = {}  # "open" while on the path, then "done"
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return path[path.index(target) :] + [target]
            if target not in state:
                circle = visit(target)
                if circle:
                    return circle
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            circle = visit(node)
            if circle:
                return circle
    return None


def include_problems(files: list[Path]) -> tuple[list[str], dict[str, set[str]]]:
    """Includes of Python.h or of files outside the core, and the include
    graph between modules."""
    problems = []
    graph: dict[str, set[str]] = {}
    names = {path.name for path in files}
    for path in files:
        module = graph.setdefault(path.stem, set())
        for bracket, included in INCLUDE_LINE.findall(path.read_text(encoding="utf-8")):
            where = path.relative_to(REPO)
            if Path(included).name == "Python.h":
                problems.append(f"{where} includes Python.h: only csrc/python/ may")
            elif bracket == '"' and included not in names:
                problems.append(f'{where} includes "{included}", which is not in csrc/core/')
            elif bracket == '"' and Path(included).stem != path.stem:
                module.add(Path(included).stem)
    return problems, graph


def symbol_graph(compiler: str) -> tuple[dict[str, set[str]], dict[tuple[str, str], set[str]]]:
    """Which object uses which object's symbols, and the symbols of each such
    use. CalledProcessError if a file does not compile."""
    defined: dict[str, str] = {}
    used: dict[str, set[str]] = {}
    with tempfile.TemporaryDirectory(prefix="kwiq-layering-") as tmp:
        for source in core_sources():
            obj = Path(source).stem + ".o"
            subprocess.run(
                [compiler, "-std=c11", "-O1", "-c", *INCLUDE, source, "-o", str(Path(tmp) / obj)],
                cwd=REPO,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            listing = subprocess.run(
                ["nm", "-P", str(Path(tmp) / obj)], capture_output=True, text=True, check=True
            ).stdout
            used[obj] = set()
            for line in listing.splitlines():
                name, kind = line.split()[:2]
                if kind == "U":
                    used[obj].add(name)
                elif kind.isupper():
                    defined[name] = obj
    graph: dict[str, set[str]] = {obj: set() for obj in used}
    via: dict[tuple[str, str], set[str]] = {}
    for obj, names in used.items():
        for name in names:
            owner = defined.get(name)
            if owner and owner != obj:
                graph[obj].add(owner)
                via.setdefault((obj, owner), set()).add(name)
    return graph, via


def main() -> int:
    compiler = (
        os.environ.get("CC") or shutil.which("gcc") or shutil.which("cc") or shutil.which("clang")
    )
    if not compiler or not shutil.which("nm"):
        print("check_core_layering: needs a C compiler (set CC) and nm", file=sys.stderr)
        return 2
    files = sorted(path for path in CORE_DIR.rglob("*") if path.is_file())
    problems, includes = include_problems(files)
    circle = find_circle(includes)
    if circle:
        problems.append("include circle: " + " -> ".join(circle))
    try:
        symbols, via = symbol_graph(compiler)
    except subprocess.CalledProcessError as error:
        problems.append(f"no symbol graph: {' '.join(error.cmd)} failed")
    else:
        circle = find_circle(symbols)
        if circle:
            steps = [
                f"{a} -> {b} ({', '.join(sorted(via[a, b]))})" for a, b in zip(circle, circle[1:])
            ]
            problems.append("symbol circle: " + "; ".join(steps))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"csrc/core: {len(files)} files, no Python.h, no include or symbol circle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
