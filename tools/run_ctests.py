#!/usr/bin/env python3
"""Build and run the C tests of the core, without Python headers.

Usage:
    python tools/run_ctests.py              # gcc/cc, warnings as errors
    python tools/run_ctests.py --valgrind   # the same binary under memcheck
    python tools/run_ctests.py --sanitize   # AddressSanitizer + UBSan build
    python tools/run_ctests.py --portable   # the scanner's portable path, not SSE2
    CC=clang python tools/run_ctests.py     # another compiler (default gcc, then cc)

Prints the test program's output, whose last line is "N passed, N failed",
and exits non-zero if any check, the compiler or valgrind fails.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from core_sources import INCLUDE, REPO, core_sources

TEST = "csrc/tests/test_core.c"
WARNINGS = ["-std=c11", "-Wall", "-Wextra", "-Wshadow", "-Wconversion", "-Werror"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--valgrind", action="store_true", help="run under valgrind memcheck")
    mode.add_argument("--sanitize", action="store_true", help="build with ASan and UBSan")
    parser.add_argument("--portable", action="store_true",
                        help="build the byte arithmetic that machines without SSE2 run")
    args = parser.parse_args()

    compiler = os.environ.get("CC") or shutil.which("gcc") or shutil.which("cc")
    if not compiler:
        print("run_ctests: no C compiler (set CC)", file=sys.stderr)
        return 2
    # KW_COUNT_STEPS: the core counts the steps of its bounded loops, which
    # the tests compare with linear bounds (csrc/core/kw_steps.h).
    flags = ["-g", "-O1", "-DKW_COUNT_STEPS"]
    if args.sanitize:
        flags += ["-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                  "-fno-omit-frame-pointer"]
    if args.portable:
        flags.append("-DKW_PORTABLE")
    with tempfile.TemporaryDirectory() as tmp:
        binary = str(Path(tmp) / "test_core")
        build = [compiler, *WARNINGS, *flags, *INCLUDE, TEST, *core_sources(), "-o", binary]
        subprocess.run(build, cwd=REPO, check=True)
        command = [binary]
        if args.valgrind:
            command = ["valgrind", "--quiet", "--leak-check=full", "--errors-for-leak-kinds=all",
                       "--error-exitcode=99", binary]
        return subprocess.run(command, cwd=REPO).returncode


if __name__ == "__main__":
    sys.exit(main())
