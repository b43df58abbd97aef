#!/usr/bin/env python3
"""Build and run the C tests of the core, without Python headers.

Each csrc/tests/test_*.c is a program of its own, built with the core's
sources; each prints one line per failed check and closes with "N passed,
N failed".

Usage:
    python tools/run_ctests.py              # gcc/cc, warnings as errors
    python tools/run_ctests.py --valgrind   # the same binary under memcheck
    python tools/run_ctests.py --sanitize   # AddressSanitizer + UBSan build
    python tools/run_ctests.py --portable   # the scanner's portable path, not SSE2,
                                            # and plain C for the builtins (kw_bits.h)
    CC=clang python tools/run_ctests.py     # another compiler (default gcc, then cc)

Prints the programs' output and closes with the totals, "N passed, N
failed"; exits non-zero if any check, the compiler or valgrind fails.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from core_sources import INCLUDE, REPO, core_sources

TESTS = sorted((REPO / "csrc" / "tests").glob("test_*.c"))
WARNINGS = ["-std=c11", "-Wall", "-Wextra", "-Wshadow", "-Wconversion", "-Werror"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--valgrind", action="store_true", help="run under valgrind memcheck")
    mode.add_argument("--sanitize", action="store_true", help="build with ASan and UBSan")
    parser.add_argument(
        "--portable",
        action="store_true",
        help="build the byte arithmetic that machines without SSE2 run, "
        "and the plain-C forms of the compiler builtins",
    )
    args = parser.parse_args()

    compiler = os.environ.get("CC") or shutil.which("gcc") or shutil.which("cc")
    if not compiler:
        print("run_ctests: no C compiler (set CC)", file=sys.stderr)
        return 2
    # KW_COUNT_STEPS: the core counts the steps of its bounded loops, which
    # the tests compare with linear bounds (csrc/core/kw_steps.h).
    flags = ["-g", "-O1", "-DKW_COUNT_STEPS"]
    if args.sanitize:
        flags += [
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer",
        ]
    if args.portable:
        flags += ["-DKW_PORTABLE", "-DKW_NO_BUILTINS"]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for test in TESTS:
            binary = str(Path(tmp) / test.stem)
            build = [
                compiler,
                *WARNINGS,
                *flags,
                *INCLUDE,
                str(test),
                *core_sources(),
                "-o",
                binary,
            ]
            subprocess.run(build, cwd=REPO, check=True)
            command = [binary]
            if args.valgrind:
                command = [
                    "valgrind",
                    "--quiet",
                    "--leak-check=full",
                    "--errors-for-leak-kinds=all",
                    "--error-exitcode=99",
                    binary,
                ]
            result = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
            *report, closing = result.stdout.splitlines() or [""]
            print(*report, sep="\n", end="\n" if report else "")
            counts = re.fullmatch(r"(\d+) passed, (\d+) failed", closing)
            if result.returncode != 0 or not counts:
                print(f"{test.name}: exit code {result.returncode}, closing line {closing!r}")
                return result.returncode or 1
            passed += int(counts[1])
            failed += int(counts[2])
    print(f"{passed} passed, {failed} failed")
    return failed != 0


if __name__ == "__main__":
    sys.exit(main())
