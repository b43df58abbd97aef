"""Where the C core is, for the tools that compile it without setup.py
(run_ctests.py, fuzz.py, check_core_layering.py).

The folder is the list: every .c file in csrc/core/ is part of the core, so
a new file needs no edit anywhere. setup.py globs the same folder itself, as
it must build from an sdist, which holds csrc/ but not tools/.
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORE_DIR = REPO / "csrc" / "core"
# What a file outside the core (the tests, the fuzzers) compiles with to
# include the core's headers by name.
INCLUDE = ["-I", str(CORE_DIR.relative_to(REPO))]


def core_sources() -> list[str]:
    """The core's .c files, relative to the repository, sorted."""
    return sorted(str(path.relative_to(REPO)) for path in CORE_DIR.glob("*.c"))
