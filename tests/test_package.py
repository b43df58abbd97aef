"""What pip and a user see of the installed package: its version, from one
source, and its licence."""

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import kwiq

REPO = Path(__file__).resolve().parents[1]


def test_one_version_everywhere():
    command = subprocess.run(
        [sys.executable, "-m", "kwiq", "--version"], capture_output=True, text=True, check=True
    )
    assert command.stdout == f"kwiq {kwiq.__version__}\n"
    assert importlib.metadata.version("kwiq") == kwiq.__version__


def test_metadata_declares_the_mit_licence_and_ships_its_text():
    metadata = importlib.metadata.metadata("kwiq")
    # kwiq's own code is MIT; its character tables derive from Unicode's data.
    assert metadata["License-Expression"] == "MIT AND Unicode-DFS-2016"
    assert metadata["Author"] == "the kwiq developers"
    assert "Topic :: Text Processing :: Linguistic" in metadata.get_all("Classifier")
    shipped = [f for f in importlib.metadata.files("kwiq") if f.name == "LICENSE"]
    assert len(shipped) == 1
    assert shipped[0].read_text() == (REPO / "LICENSE").read_text()
    assert (REPO / "LICENSE").read_text().startswith("MIT License\n")
    unicode_notice = [
        f for f in importlib.metadata.files("kwiq") if f.name == "UNICODE-LICENSE.txt"
    ]
    assert len(unicode_notice) == 1
    assert unicode_notice[0].read_text() == (REPO / "csrc/core/UNICODE-LICENSE.txt").read_text()
