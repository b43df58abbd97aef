"""What pip and a user see of the installed package: its version, from one
source, and its licence."""
import importlib.metadata
import subprocess
import sys
from pathlib import Path

import kwiq

REPO = Path(__file__).resolve().parents[1]


def test_one_version_everywhere():
    command = subprocess.run([sys.executable, "-m", "kwiq", "--version"],
                             capture_output=True, text=True, check=True)
    assert command.stdout == f"kwiq {kwiq.__version__}\n"
    assert importlib.metadata.version("kwiq") == kwiq.__version__


def test_metadata_declares_the_mit_licence_and_ships_its_text():
    metadata = importlib.metadata.metadata("kwiq")
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Author"] == "the kwiq developers"
    assert "Topic :: Text Processing :: Linguistic" in metadata.get_all("Classifier")
    shipped = [f for f in importlib.metadata.files("kwiq") if f.name == "LICENSE"]
    assert len(shipped) == 1
    assert shipped[0].read_text() == (REPO / "LICENSE").read_text()
    assert (REPO / "LICENSE").read_text().startswith("MIT License\n")
