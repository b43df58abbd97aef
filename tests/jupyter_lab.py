"""A JupyterLab server of its own for a test or a benchmark: on
127.0.0.1, a free port, a token, a temporary home, a notebook of the cells
given, the kernel "python3" running this interpreter; stopped, after its
kernels, whatever happens (tests/test_explorer_browser.py, bench/explore.py).

The facts this relies on (server flags, the settings that silence the news
pop-up, how to wait for the kernel) were checked on this machine: see the
team's BROWSER-TESTS.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from ipykernel import kernelspec

NOTEBOOK = "explore.ipynb"

KERNEL_IDLE = """() => {
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return Boolean(kernel) && kernel.status === 'idle';
}"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, method="GET"):
    request = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(request, timeout=10) as answer:
        body = answer.read()
    return json.loads(body) if body else None


def jupyter_home(home: Path) -> dict:
    """The environment of a JupyterLab that reads and writes nothing of
    the user's: every Jupyter and IPython folder in ``home``, the kernel
    "python3" running this interpreter, and no news or update pop-up."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("JUPYTER", "IPYTHON"))
    }
    folders = {
        "HOME": "home",
        "JUPYTER_CONFIG_DIR": "config",
        "JUPYTER_DATA_DIR": "data",
        "JUPYTER_RUNTIME_DIR": "runtime",
        "IPYTHONDIR": "ipython",
        "JUPYTERLAB_SETTINGS_DIR": "settings",
        "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
    }
    for name, folder in folders.items():
        (home / folder).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / folder)
    kernelspec.write_kernel_spec(home / "data" / "kernels" / "python3")
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    return env


def write_notebook(path: Path, sources: list[str]) -> None:
    cells = [
        {
            "cell_type": "code",
            "metadata": {},
            "source": source,
            "outputs": [],
            "execution_count": None,
        }
        for source in sources
    ]
    path.write_text(
        json.dumps(
            {
                "cells": cells,
                "nbformat": 4,
                "nbformat_minor": 5,
                "metadata": {
                    "kernelspec": {
                        "name": "python3",
                        "display_name": "Python 3",
                        "language": "python",
                    }
                },
            }
        )
    )


@contextlib.contextmanager
def running(home: Path, cells: list[str], timeout: float) -> Iterator[tuple[str, str]]:
    """A JupyterLab whose folder holds NOTEBOOK, of ``cells``: its URL and
    token, for as long as the block runs (``timeout``: seconds it may take
    to answer)."""
    root = home / "notebooks"
    root.mkdir()
    write_notebook(root / NOTEBOOK, cells)
    env = jupyter_home(home)
    port, token = free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}"
    log = open(home / "server.log", "wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=root,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                get(f"{url}/api/status?token={token}")
                break
            except (urllib.error.URLError, ConnectionError, OSError) as error:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "JupyterLab did not start: "
                        + (home / "server.log").read_text(errors="replace")[-3000:]
                    ) from error
                time.sleep(0.2)
        yield url, token
    finally:
        try:
            for kernel in get(f"{url}/api/kernels?token={token}") or []:
                get(f"{url}/api/kernels/{kernel['id']}?token={token}", method="DELETE")
        except (urllib.error.URLError, OSError):
            pass  # a server that never answered has no kernel either
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def open_notebook(browser, url: str, token: str, timeout_ms: float):
    """A Playwright page (of ``browser``) showing NOTEBOOK, its kernel idle
    and every cell sent to run."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(timeout_ms)
    page.goto(f"{url}/lab/tree/{NOTEBOOK}?token={token}")
    page.wait_for_function(KERNEL_IDLE, timeout=timeout_ms)
    # Not awaited: the promise resolves only when every cell has run.
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    return page
