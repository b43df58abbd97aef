#!/usr/bin/env python3
"""Instructions, not seconds: two kwiq builds compared phase by phase under
callgrind, for changes whose effect a timing on a shared machine would hide.

    python bench/callgrind_phases.py --baseline-python OLD/bin/python [--docs 50]

Each phase runs in its own process under `valgrind --tool=callgrind`, with
a fixed PYTHONHASHSEED, so its instruction count is the same from run to
run whatever else the machine does. A phase's cost is its process's
count less the count of the phase before it (same imports, same
documents):

    read       import kwiq, read the documents
    build      + Corpus(docs, threads=1)
    count60    + count and first 60 lines of each of the 20 words
    again      + the same 20 words asked twice more
    all        + every line of the 17 rarest words

The documents are the first --docs of compare.py's 100 MB cut (written to
--workdir by compare.py, or here if missing): the corpus is
$KWIQ_CORPUS or ../shared/corpus, as for compare.py.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare  # noqa: E402  (beside this file)

PHASES = ["read", "build", "count60", "again", "all"]

# What one phase's process runs: argv = phase, folder, n_docs, words...
PHASE_SCRIPT = """
import sys
from pathlib import Path
import kwiq
phase, folder, n_docs, words = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
paths = sorted(Path(folder, "docs").glob("*.txt"))[:n_docs]
docs = [p.read_text(encoding="utf-8") for p in paths]
order = ["read", "build", "count60", "again", "all"]
upto = order.index(phase)
if upto >= 1:
    corpus = kwiq.Corpus(docs, threads=1)
for _ in range(1 if upto == 2 else 3 if upto >= 3 else 0):
    for word in words:
        conc = corpus.kwic(word)
        len(conc), conc[:60]
if upto >= 4:
    for word in words[3:]:
        list(corpus.kwic(word))
"""


def instructions(python: str, script: str, args: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        # A fixed hash seed: with a random one, dicts and sets lay out, and
        # so count, differently from run to run by about a million.
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", python, script, *args],
            capture_output=True,
            text=True,
            env=dict(os.environ, PYTHONHASHSEED="0"),
        )
        if run.returncode != 0:
            raise RuntimeError(f"{python} {args[0]} failed:\n{run.stderr[-3000:]}")
        return int(re.search(r"Collected : (\d+)", run.stderr).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--baseline-python",
        required=True,
        metavar="PYTHON",
        help="the interpreter whose kwiq is the other build",
    )
    parser.add_argument(
        "--docs", type=int, default=50, help="documents of 100,000 characters (default 50)"
    )
    parser.add_argument(
        "--workdir", default="/tmp/kwiq-bench", help="where compare.py keeps its documents"
    )
    args = parser.parse_args()
    folder = Path(args.workdir) / "100mb"
    if not (folder / "docs").is_dir():
        compare.write_docs(100, folder)
    words = [w for w, _ in compare.pick_words(compare.base_text())]
    sides = {"this checkout": sys.executable, "baseline": args.baseline_python}
    counts = {side: [] for side in sides}
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "phase.py"
        script.write_text(PHASE_SCRIPT)
        for phase in PHASES:
            for side, python in sides.items():
                counts[side].append(
                    instructions(python, str(script), [phase, str(folder), str(args.docs), *words])
                )
    print(
        f"Instructions by phase, {args.docs} documents of compare.py's 100 MB cut "
        f"(words: {', '.join(words)})\n"
    )
    print("| phase | this checkout | baseline | ratio |\n|---|---|---|---|")
    for i, phase in enumerate(PHASES):
        new, old = (c[i] - (c[i - 1] if i else 0) for c in counts.values())
        print(f"| {phase} | {new / 1e6:,.2f} M | {old / 1e6:,.2f} M | {new / old:.3f} |")


if __name__ == "__main__":
    main()
