#!/usr/bin/env python3
"""Build and run one libFuzzer harness of csrc/fuzz/ (clang needed).

Usage:
    python tools/fuzz.py NAME [--seconds 60]   # fuzz NAME for that long
    python tools/fuzz.py NAME --seeds-only     # run every seed once
    python tools/fuzz.py --list

NAME is tokenize, query, load, conllu or vrt (csrc/fuzz/fuzz_NAME.c). The harness is
built with -fsanitize=fuzzer,address,undefined; it starts from its seeds in
csrc/fuzz/seeds/NAME/ (read only: inputs it finds go to a scratch folder,
kept with --keep DIR). A crash, a sanitizer report, a broken invariant or an
input that runs longer than --timeout seconds stops it with a non-zero
status and writes the input as crash-*, timeout-* or oom-* in the current
folder; add that file to the seeds (and a test of it) once fixed.
Debian: apt-get install clang libclang-rt-14-dev.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from core_sources import INCLUDE, REPO, core_sources

HARNESSES = ["tokenize", "query", "load", "conllu", "vrt"]


def build(name: str, out_dir: Path) -> Path:
    compiler = os.environ.get("FUZZ_CC") or shutil.which("clang")
    if not compiler:
        sys.exit("fuzz: no clang (apt-get install clang libclang-rt-14-dev, or set FUZZ_CC)")
    binary = out_dir / f"fuzz_{name}"
    command = [
        compiler,
        "-std=c11",
        "-g",
        "-O1",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-fsanitize=fuzzer,address,undefined",
        "-fno-sanitize-recover=all",
        "-fno-omit-frame-pointer",
        *INCLUDE,
        f"csrc/fuzz/fuzz_{name}.c",
        *core_sources(),
        "-o",
        str(binary),
    ]
    subprocess.run(command, cwd=REPO, check=True)
    return binary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", nargs="?", choices=HARNESSES)
    parser.add_argument("--seconds", type=int, default=60, help="how long to fuzz")
    parser.add_argument("--seeds-only", action="store_true", help="run each seed once")
    parser.add_argument("--timeout", type=int, default=10, help="seconds an input may take")
    parser.add_argument("--keep", type=Path, help="keep the inputs found in this folder")
    parser.add_argument("--list", action="store_true", help="list the harnesses")
    args = parser.parse_args()
    if args.list or not args.name:
        print("\n".join(HARNESSES))
        return 0
    seeds = REPO / "csrc" / "fuzz" / "seeds" / args.name
    with tempfile.TemporaryDirectory(prefix="kwiq-fuzz-") as tmp:
        binary = build(args.name, Path(tmp))
        limits = [f"-timeout={args.timeout}", "-rss_limit_mb=2048", "-max_len=65536"]
        if args.seeds_only:
            command = [str(binary), *limits, *sorted(map(str, seeds.iterdir()))]
        else:
            found = args.keep or Path(tmp) / "found"
            found.mkdir(parents=True, exist_ok=True)
            command = [
                str(binary),
                *limits,
                f"-max_total_time={args.seconds}",
                "-print_final_stats=1",
                str(found),
                str(seeds),
            ]
        print(" ".join(command), flush=True)
        return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main())
