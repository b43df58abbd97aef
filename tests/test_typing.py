"""kwiq's types: ``mypy --strict`` accepts the package and the user's code
of tests/typing (whose marked mistakes it must report: pyproject's
warn_unused_ignores), and kwiq._core's stub (_core.pyi) names what the
extension has, no more and no less, with the same arguments
(mypy.stubtest against the imported module)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import kwiq

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **env},
    )


def stubtest(folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """mypy.stubtest of kwiq._core, run in ``folder``. The stub's imports
    (kwiq._concordance's Line, typing_extensions) are not followed: what
    is compared is the stub's names and signatures against the module's,
    in under a second rather than the half minute that reading the
    package and pandas' stubs takes."""
    config = folder / "stubtest.ini"
    config.write_text(
        "[mypy]\nfollow_imports = skip\nfollow_imports_for_stubs = True\n", encoding="utf-8"
    )
    return run("mypy.stubtest", "kwiq._core", "--mypy-config-file", str(config), cwd=folder, **env)


# About 15 s without mypy's cache (.mypy_cache), most of it pandas' stubs.
@pytest.mark.slow
def test_mypy_strict_accepts_the_package_and_typed_usage():
    checked = run("mypy", "--strict", "pkg/kwiq", "tests/typing")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("Success: no issues found"), checked.stdout


def test_core_stub_names_what_the_extension_has(tmp_path):
    stub = Path(kwiq.__file__).with_name("_core.pyi")
    assert stub.is_file(), f"{stub} is not installed beside the extension"
    compared = stubtest(tmp_path)
    assert compared.returncode == 0, compared.stdout + compared.stderr
    assert "Success" in compared.stdout, compared.stdout


def test_stubtest_sees_a_name_missing_from_the_stub(tmp_path):
    """The check above can fail: a stub without one of the extension's
    functions is reported, naming it."""
    stub = Path(kwiq.__file__).with_name("_core.pyi").read_text(encoding="utf-8")
    package = tmp_path / "kwiq"
    package.mkdir()
    (package / "__init__.pyi").write_text("", encoding="utf-8")
    (package / "_core.pyi").write_text(
        stub.replace("def casefold(text: str, /) -> str: ...\n", ""), encoding="utf-8"
    )
    compared = stubtest(tmp_path, MYPYPATH=str(tmp_path))
    assert compared.returncode != 0
    assert "kwiq._core.casefold is not present in stub" in compared.stdout, compared.stdout
