#!/usr/bin/env python3
"""Build the C core for other machines with Debian's cross compilers, and
run its C tests there under qemu-user.

- windows: x86_64-w64-mingw32-gcc compiles the core (-O2) and links the C
  tests, warnings as errors; nothing runs (that would need wine).
- aarch64: aarch64-linux-gnu-gcc builds the C tests (-O2) and qemu-aarch64
  runs them. With no SSE2 there, the scanner takes its portable path, the
  one -DKW_PORTABLE selects on x86: the core built with that switch must be
  the same bytes.
- s390x: the same on a big-endian machine: saved indexes are refused
  there, which csrc/tests/test_byte_order.c checks.

Debian packages: gcc-mingw-w64-x86-64 gcc-aarch64-linux-gnu
gcc-s390x-linux-gnu libc6-dev-arm64-cross libc6-dev-s390x-cross qemu-user.

Usage:
    python tools/cross_check.py                    # every target
    python tools/cross_check.py aarch64 s390x      # some of them

Prints each program's report and closing line, then one line per target;
exits non-zero if a compiler warns or fails, or a check fails.
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from core_sources import INCLUDE, REPO, core_sources
from run_ctests import TESTS, WARNINGS

# KW_COUNT_STEPS as in run_ctests.py: the tests compare the core's counted
# loop steps with linear bounds.
TEST_FLAGS = ["-O2", "-DKW_COUNT_STEPS"]
# name: (compiler, qemu program or None, the target's root for qemu -L)
TARGETS = {
    "windows": ("x86_64-w64-mingw32-gcc", None, None),
    "aarch64": ("aarch64-linux-gnu-gcc", "qemu-aarch64", "/usr/aarch64-linux-gnu"),
    "s390x": ("s390x-linux-gnu-gcc", "qemu-s390x", "/usr/s390x-linux-gnu"),
}


def missing_tools(names):
    """The compilers and qemu programs the targets `names` need that are not on PATH."""
    needed = []
    for name in names:
        compiler, qemu, _ = TARGETS[name]
        needed += [compiler] + ([qemu] if qemu else [])
    return [tool for tool in needed if not shutil.which(tool)]


def compile_program(compiler, flags, test, binary):
    """Compile and link one C test; the compiler's output, empty if it said nothing."""
    build = [compiler, *WARNINGS, *flags, *INCLUDE, str(test), *core_sources(), "-o", binary]
    result = subprocess.run(build, cwd=REPO, capture_output=True, text=True)
    if result.returncode != 0 and not (result.stdout or result.stderr):
        return f"{compiler} exited with {result.returncode}"
    return result.stdout + result.stderr


def check_windows(tmp):
    compiler = TARGETS["windows"][0]
    objects = Path(tmp) / "windows"
    # The core alone, at the optimisation a wheel is built with.
    said = compile_core(compiler, ["-O2"], objects)
    if said:
        return False, [f"the core: {said}"]
    lines = [f"the core: {len(core_sources())} files compiled, no warning"]
    for test in TESTS:
        said = compile_program(compiler, TEST_FLAGS, test, str(objects / f"{test.stem}.exe"))
        if said:
            return False, lines + [f"{test.name}: {said}"]
        lines.append(f"{test.name}: compiled and linked, not run (no wine)")
    return True, lines


def compile_core(compiler, flags, folder):
    """The core's objects in `folder`; the compiler's output, empty if it said nothing."""
    folder.mkdir()
    result = subprocess.run(
        [
            compiler,
            *WARNINGS,
            *flags,
            "-c",
            *INCLUDE,
            *(str(REPO / source) for source in core_sources()),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 and not (result.stdout or result.stderr):
        return f"{compiler} exited with {result.returncode}"
    return result.stdout + result.stderr


def check_portable_is_default(tmp):
    """aarch64 has no SSE2, so its only scanner is the portable one that
    -DKW_PORTABLE selects on x86: the objects must be the same bytes with
    and without it, and the tests run under qemu ran that path."""
    compiler = TARGETS["aarch64"][0]
    folders = [Path(tmp) / "aarch64-default", Path(tmp) / "aarch64-portable"]
    for folder, flags in zip(folders, (["-O2"], ["-O2", "-DKW_PORTABLE"])):
        said = compile_core(compiler, flags, folder)
        if said:
            return False, [f"aarch64 -DKW_PORTABLE: {said}"]
    differ = [
        obj.name
        for obj in sorted(folders[0].glob("*.o"))
        if obj.read_bytes() != (folders[1] / obj.name).read_bytes()
    ]
    if differ:
        return False, [
            f"aarch64 -DKW_PORTABLE: objects differ from the default build: "
            f"{', '.join(differ)}: run the tests of that build too"
        ]
    return True, [
        "aarch64 -DKW_PORTABLE: the core's objects are byte for byte the default "
        "build's, whose C tests ran under qemu"
    ]


def check_qemu(name, tmp):
    compiler, qemu, root = TARGETS[name]
    lines, passed, failed = [], 0, 0
    for test in TESTS:
        binary = str(Path(tmp) / f"{name}-{test.stem}")
        said = compile_program(compiler, TEST_FLAGS, test, binary)
        if said:
            return False, lines + [f"{name}: {test.name}: {said}"]
        result = subprocess.run(
            [qemu, "-L", root, binary], cwd=REPO, capture_output=True, text=True
        )
        *report, closing = result.stdout.splitlines() or [""]
        lines += [f"{name}: {test.name}: {line}" for line in report]
        counts = re.fullmatch(r"(\d+) passed, (\d+) failed", closing)
        if result.returncode != 0 or not counts:
            lines.append(
                f"{name}: {test.name}: exit code {result.returncode}, closing line "
                f"{closing!r} {result.stderr.strip()}"
            )
            return False, lines
        passed += int(counts[1])
        failed += int(counts[2])
    lines.append(f"{name}: {passed} passed, {failed} failed")
    return failed == 0, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "targets", nargs="*", metavar="TARGET", help=f"any of {', '.join(TARGETS)} (default: all)"
    )
    args = parser.parse_args()
    unknown = [name for name in args.targets if name not in TARGETS]
    if unknown:
        parser.error(f"unknown target {', '.join(unknown)}: choose from {', '.join(TARGETS)}")
    targets = args.targets or list(TARGETS)
    missing = missing_tools(targets)
    if missing:
        print(
            f"cross_check: not on PATH: {', '.join(missing)} (see this tool's docstring "
            "for the Debian packages)",
            file=sys.stderr,
        )
        return 2

    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        if "windows" in targets:
            jobs.append(("windows", lambda: check_windows(tmp)))
        for name in ("aarch64", "s390x"):
            if name in targets:
                jobs.append((name, lambda n=name: check_qemu(n, tmp)))
        if "aarch64" in targets:
            jobs.append(("aarch64 -DKW_PORTABLE", lambda: check_portable_is_default(tmp)))
        # Two at a time: qemu runs one core each.
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda job: (job[0], *job[1]()), jobs))
    all_ok = True
    for name, ok, lines in results:
        print(*lines, sep="\n")
        print(f"== {name}: {'ok' if ok else 'FAILED'}")
        all_ok &= ok
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
