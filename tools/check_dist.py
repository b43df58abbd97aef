#!/usr/bin/env python3
"""Check what the sdist and the wheel hold (CI runs it after python -m build).

Both hold LICENSE and csrc/core/UNICODE-LICENSE.txt. The wheel holds the
compiled extension and its stub, the package's data files and py.typed. The sdist holds
every file git tracks except the CI's own (.ci/, .git*): with its tests,
tools and data it builds and tests itself anywhere (MANIFEST.in).

Usage:
    python tools/check_dist.py dist/kwiq-X.tar.gz dist/kwiq-X-....whl

Prints what it checked; exits non-zero, naming what is missing, otherwise.
"""

import fnmatch
import subprocess
import sys
import tarfile
import zipfile

from core_sources import REPO

LICENCES = ["LICENSE", "csrc/core/UNICODE-LICENSE.txt"]
# The extension (_core.cpython-*.so, _core.cp*.pyd) and its stub, _core.pyi.
WHEEL_NEEDS = [
    "kwiq/__init__.py",
    "kwiq/_core.c*",
    "kwiq/_core.pyi",
    "kwiq/py.typed",
    "kwiq/data/*.txt",
    *(f"kwiq-*.dist-info/licenses/{name}" for name in LICENCES),
]
NOT_IN_SDIST = (".ci/", ".git")


def sdist_problems(path):
    with tarfile.open(path) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    expected = set(LICENCES)
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True)
    if tracked.returncode == 0:
        expected |= {
            name for name in tracked.stdout.splitlines() if not name.startswith(NOT_IN_SDIST)
        }
    return [f"{path}: no {name}" for name in sorted(expected - names)], len(names)


def wheel_problems(path):
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    return [
        f"{path}: no {pattern}" for pattern in WHEEL_NEEDS if not fnmatch.filter(names, pattern)
    ], len(names)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.split("Usage:")[1].strip().splitlines()[0], file=sys.stderr)
        return 2
    sdist, wheel = sys.argv[1:]
    problems, n_sdist = sdist_problems(sdist)
    wheel_missing, n_wheel = wheel_problems(wheel)
    problems += wheel_missing
    print(*problems, sep="\n", end="\n" if problems else "")
    if problems:
        return 1
    print(
        f"sdist: {n_sdist} files, the licences and every tracked file but .ci/ and .git*; "
        f"wheel: {n_wheel} files, the licences, the extension, its stub, data and "
        "py.typed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
