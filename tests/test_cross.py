"""The core on other machines (tools/cross_check.py): warning-free for
Windows (mingw-w64), and its C tests pass under qemu-user on aarch64 and on
big-endian s390x, where saved indexes are refused (test_byte_order.c)."""

import os
import re
import subprocess
import sys

import pytest

from conftest import REPO

TOOL = REPO / "tools" / "cross_check.py"


@pytest.mark.slow
def test_cross_builds_and_qemu_runs(monkeypatch):
    monkeypatch.syspath_prepend(str(TOOL.parent))
    from cross_check import TARGETS, missing_tools

    missing = missing_tools(TARGETS)
    if missing:
        # CI sets KWIQ_REQUIRE_CROSS=1: there missing compilers are a failure.
        reason = f"not on PATH: {', '.join(missing)}"
        if os.environ.get("KWIQ_REQUIRE_CROSS", "") not in ("", "0"):
            pytest.fail(f"KWIQ_REQUIRE_CROSS is set but {reason}", pytrace=False)
        pytest.skip(reason)
    env = {name: value for name, value in os.environ.items() if name != "LD_PRELOAD"}
    result = subprocess.run([sys.executable, str(TOOL)], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    for target in ("windows", "aarch64", "s390x", "aarch64 -DKW_PORTABLE"):
        assert f"== {target}: ok" in result.stdout
    for arch in ("aarch64", "s390x"):
        passed, failed = map(
            int, re.search(rf"^{arch}: (\d+) passed, (\d+) failed$", result.stdout, re.M).groups()
        )
        assert failed == 0 and passed > 1000
    assert "s390x: test_byte_order.c: big-endian load: this machine is big-endian" in result.stdout
