"""Running a notebook in a real Jupyter kernel, for the tests of
examples/*.ipynb.

The kernel is "python3" as the ipykernel installed beside this Python
writes it, in a private JUPYTER_PATH, so it runs this very interpreter
(sys.executable) and imports the kwiq installed here, whatever kernels the
machine or the user have. Kernels, connection files and IPython's history
all stay in a temporary directory, out of the user's home.
"""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip(
    "nbformat", reason="nbformat is not installed (pip install '.[test]')"
)
nbclient = pytest.importorskip(
    "nbclient", reason="nbclient is not installed (pip install '.[test]')"
)
kernelspec = pytest.importorskip(
    "ipykernel.kernelspec", reason="ipykernel is not installed (pip install '.[test]')"
)

TIMEOUT = 300  # seconds a cell may take on a loaded machine; not a check of speed


def run_notebook(nb, folder: Path, jupyter: Path) -> dict:
    """Execute nb with `folder` as its working directory; its code cells
    after the run, by tag (each cell under each of its tags)."""
    kernelspec.write_kernel_spec(jupyter / "data" / "kernels" / "python3")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("JUPYTER_PATH", str(jupyter / "data"))
        env.setenv("JUPYTER_RUNTIME_DIR", str(jupyter / "runtime"))
        env.setenv("JUPYTER_CONFIG_DIR", str(jupyter / "config"))
        env.setenv("IPYTHONDIR", str(jupyter / "ipython"))
        env.setenv("JUPYTER_PLATFORM_DIRS", "1")
        client = nbclient.NotebookClient(
            nb,
            kernel_name="python3",
            timeout=TIMEOUT,
            startup_timeout=TIMEOUT,
            resources={"metadata": {"path": str(folder)}},
        )
        client.execute()
    return {
        tag: cell
        for cell in nb.cells
        if cell.cell_type == "code"
        for tag in cell.metadata.get("tags", [])
    }


def outputs(cell, kind: str):
    """The data of the cell's rich outputs of one MIME type, or its stdout."""
    if kind == "stdout":
        return "".join(
            out.text for out in cell.outputs if out.output_type == "stream" and out.name == "stdout"
        )
    return [
        out.data[kind]
        for out in cell.outputs
        if out.output_type in ("execute_result", "display_data") and kind in out.data
    ]


def failures(cells: dict) -> list[str]:
    """The tags of cells that raised or wrote to stderr."""
    return [
        tag
        for tag, cell in cells.items()
        if any(
            out.output_type == "error" or (out.output_type == "stream" and out.name == "stderr")
            for out in cell.outputs
        )
    ]
