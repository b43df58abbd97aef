#!/usr/bin/env python3
"""docs/performance.md, drawn from the benchmark results in bench/results/.

    python tools/docs_performance.py           # rewrite the page
    python tools/docs_performance.py --check   # exit 1 if the page is stale

The comparison with NLTK, conc and re is bench/compare.py's own tables
(``compare.py --readme``) over the results named in COMPARE, one column per
size; every other result file in bench/results/ that has no .json beside it
(analysis, frames, Dask, Ctrl-C, ...) follows as written, its headings
moved one level down. So a new result lands on the page by rerunning this
script; tests/test_docs_examples.py fails while the page is stale.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
PAGE = REPO / "docs" / "performance.md"
# The newest compare.py run of each size with every tool (1 GB: kwiq only).
COMPARE = ["2026-11-28-10mb.json", "2026-11-28-100mb.json", "2026-11-28-1000mb-kwiq.json"]

INTRO = """\
# Performance

Measured on the 2-core development machine (AMD EPYC, shared with other
work, so figures move by 10-25% from run to run), by the scripts of
`bench/`; each script's docstring says what it measures and how, and
`CONTRIBUTING.md` how to run them. This page is generated from `bench/results/` by
`tools/docs_performance.py`: do not edit it by hand.

## kwiq, NLTK, conc and re

`bench/compare.py` builds each tool's index of the benchmark corpus (the
texts of NLTK's gutenberg, state_union, inaugural and movie_reviews cut to
10 MB, repeated for larger sizes, in documents of 100,000 characters),
each build in a fresh process, and queries 20 words spread from "the" to
a word seen once, and 5 phrases.

"""


def compare_module():
    spec = importlib.util.spec_from_file_location("compare", REPO / "bench" / "compare.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def demoted(markdown: str) -> str:
    """A result file's text, each heading one level lower."""
    return "\n".join("#" + line if line.startswith("#") else line
                     for line in markdown.strip().splitlines())


def render() -> str:
    saved = [json.loads((RESULTS / name).read_text(encoding="utf-8")) for name in COMPARE]
    parts = [INTRO]
    parts += [f"- {result['mb']:,} MB, {result['docs']:,} documents (`bench/results/{name}`)"
              + (f": {result['note']}" if "note" in result else "") + "\n"
              for name, result in zip(COMPARE, saved)]
    parts.append("\n" + compare_module().readme_tables(saved).strip() + "\n")
    for path in sorted(RESULTS.glob("*.md")):
        if path.with_suffix(".json").exists():
            continue
        parts.append(f"\n{demoted(path.read_text(encoding='utf-8'))}\n\n"
                     f"From `bench/results/{path.name}`.\n")
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    page = render()
    if parser.parse_args().check:
        if PAGE.read_text(encoding="utf-8") != page:
            print(f"{PAGE} is stale: run python tools/docs_performance.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(page, encoding="utf-8")
    print(f"{PAGE}: {len(page):,} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
