#!/usr/bin/env python3
"""Run a command with kwiq built by KWIQ_SANITIZE=1 (ASan and UBSan).

Usage (in a venv where `KWIQ_SANITIZE=1 pip install .` installed kwiq):
    python tools/run_sanitized.py python -m pytest -q --capture=sys

The interpreter itself is not built with ASan, so its runtime must be
loaded first: LD_PRELOAD holds gcc's libasan, and libstdc++ beside it so
that C++ extensions of other packages (matplotlib) can still throw.
PYTHONMALLOC=malloc sends every allocation through ASan; leak detection is
off because CPython frees little at exit; the first error of either
sanitizer ends the process with a report on standard error.
"""

import os
import subprocess
import sys


def runtime(name: str) -> str:
    path = subprocess.run(
        ["gcc", f"-print-file-name={name}"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if not os.path.isabs(path):
        sys.exit(f"run_sanitized: gcc does not know {name} (install gcc's libasan)")
    return path


def main() -> int:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    env = dict(os.environ)
    env["LD_PRELOAD"] = " ".join([runtime("libasan.so"), runtime("libstdc++.so")])
    env["PYTHONMALLOC"] = "malloc"
    env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1:halt_on_error=1"
    env["UBSAN_OPTIONS"] = "halt_on_error=1:print_stacktrace=1"
    return subprocess.run(sys.argv[1:], env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
