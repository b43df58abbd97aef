"""Runs the C tests of the core (tools/run_ctests.py) and the check of its
layering (tools/check_core_layering.py) from pytest."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import REPO

needs_compiler = pytest.mark.skipif(
    not (shutil.which("gcc") or shutil.which("cc")), reason="no C compiler on PATH"
)


def run_ctests(*flags):
    # The C tests are no Python: the sanitizer runtime that
    # tools/run_sanitized.py preloads for the interpreter stays out of them
    # (valgrind refuses it).
    env = {name: value for name, value in os.environ.items() if name != "LD_PRELOAD"}
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "run_ctests.py"), *flags],
        capture_output=True,
        text=True,
        env=env,
    )
    closing = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    return result, closing


@needs_compiler
def test_c_core():
    result, closing = run_ctests()
    assert result.returncode == 0, result.stdout + result.stderr
    passed, failed = map(int, re.fullmatch(r"(\d+) passed, (\d+) failed", closing).groups())
    assert failed == 0 and passed > 50


@pytest.mark.slow
@needs_compiler
@pytest.mark.skipif(not shutil.which("valgrind"), reason="valgrind is not installed")
def test_c_core_under_valgrind():
    result, closing = run_ctests("--valgrind")
    assert result.returncode == 0, result.stdout + result.stderr
    assert closing.endswith(" passed, 0 failed")
    assert "==" not in result.stdout + result.stderr  # memcheck reports start with ==pid==


@needs_compiler
@pytest.mark.skipif(not shutil.which("nm"), reason="nm is not installed")
def test_core_knows_no_python_and_has_no_circle():
    # The compiler and nm it runs get no sanitizer runtime either.
    env = {name: value for name, value in os.environ.items() if name != "LD_PRELOAD"}
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "check_core_layering.py")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_binding_stays_thin():
    """The binding is split by object (csrc/python/kwiq_*.c), each file at
    most 600 lines: argument conversion, the GIL, results; the work is the
    core's."""
    sizes = {
        path.name: len(path.read_text().splitlines())
        for path in (REPO / "csrc" / "python").glob("*.c")
    }
    assert len(sizes) >= 4 and max(sizes.values()) <= 600, sizes
