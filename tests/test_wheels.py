"""The package under test is the installed one when CI says so: .ci/run
installs the manylinux wheel, or the sdist, in a fresh venv and runs the
quick tests from an unpacked sdist with KWIQ_TEST_INSTALLED=1. There
kwiq and its extension must come from the venv, not from the tree beside
the tests (what the tree holds is tools/check_dist.py's to check)."""

import importlib.util
import os
import sysconfig
from pathlib import Path

import pytest

import kwiq
from conftest import REPO

installed_only = pytest.mark.skipif(
    os.environ.get("KWIQ_TEST_INSTALLED", "") in ("", "0"),
    reason="KWIQ_TEST_INSTALLED is not set (CI's wheel and sdist steps set it)",
)


@installed_only
def test_kwiq_is_imported_from_the_venv_not_the_tree():
    site_packages = Path(sysconfig.get_paths()["platlib"]).resolve()
    extension = Path(importlib.util.find_spec("kwiq._core").origin).resolve()
    for module in (Path(kwiq.__file__).resolve(), extension):
        assert module.is_relative_to(site_packages), module
        assert not module.is_relative_to(REPO), module
    # Installed, not linked back to a source tree (an editable install).
    assert not list(site_packages.glob("__editable__*kwiq*"))
