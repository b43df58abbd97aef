"""Replays the seeds of the fuzz harnesses (csrc/fuzz/seeds/NAME/, crashes
found once kept among them) with gcc and ASan + UBSan, no libFuzzer: each
must pass the harness's invariants. tools/fuzz.py fuzzes from them."""

import os
import shutil
import subprocess

import pytest

from conftest import REPO

CORE = sorted(str(path.relative_to(REPO)) for path in (REPO / "csrc" / "core").glob("*.c"))
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]


@pytest.mark.skipif(not shutil.which("gcc"), reason="no gcc on PATH")
@pytest.mark.parametrize("name", ["tokenize", "query", "load", "conllu", "vrt"])
def test_seeds_pass_the_harness(name, tmp_path):
    seeds = sorted((REPO / "csrc" / "fuzz" / "seeds" / name).iterdir())
    assert len(seeds) >= 5
    binary = tmp_path / f"seeds_{name}"
    # The interpreter's sanitizer runtime, if tools/run_sanitized.py
    # preloaded one, stays out of gcc and of the binary, which links its own.
    env = {key: value for key, value in os.environ.items() if key != "LD_PRELOAD"}
    subprocess.run(
        [
            "gcc",
            "-std=c11",
            "-g",
            "-O1",
            "-Wall",
            "-Wextra",
            "-Werror",
            *SANITIZE,
            "-I",
            "csrc/core",
            f"csrc/fuzz/fuzz_{name}.c",
            "csrc/fuzz/seed_main.c",
            *CORE,
            "-o",
            str(binary),
        ],
        cwd=REPO,
        check=True,
        env=env,
    )
    result = subprocess.run(
        [str(binary), *map(str, seeds)], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == f"{len(seeds)} passed, 0 failed"
