"""A real JupyterLab on 127.0.0.1 and Debian's headless Chromium, for the browser tests.

Chromium is the system package at ``/usr/bin/chromium`` (``.ci/run`` installs it);
Playwright's own browser downloads are never used. Without it, every test here is
skipped and the terminal summary says so loudly.

The lab serves a temporary copy of ``notebooks/`` plus a generated notebook for the
Cancel test. Its kernels run without ``RESEMBLE_API_KEY`` (so the notebooks use their
embedded sandbox) and with ``TMPDIR`` set to :func:`cases_dir`, where the notebooks
create their case folders: the tests open the case ledgers there.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from .lab import shut_down_kernels

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("RNB_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts"
_SKIP_REASON = (
    f"Chromium not found at {CHROMIUM}: the real-browser tests did NOT run. "
    "Install Debian's package (apt-get install chromium) or set RNB_CHROMIUM; "
    "never `playwright install`."
)

CANCEL_NOTEBOOK = "cancel_review.ipynb"
MEDIA_EXTENSION = "resemble_nb.widgets.inspector._server"
#: Seconds the sandbox of the Cancel notebook takes per job: far longer than the test waits.
CANCEL_LATENCY = 60


def chromium_available() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the browser tests, skip them without Chromium, and run them last.

    Last, because Playwright's sync API keeps an event loop running in the main thread
    for as long as its session-scoped fixture lives: a later test calling
    ``asyncio.run()`` would fail with "cannot be called from a running event loop".
    """
    here = Path(__file__).parent
    mine = [item for item in items if here in Path(str(item.fspath)).parents]
    if mine:
        chosen = set(map(id, mine))
        items[:] = [item for item in items if id(item) not in chosen] + mine
    for item in mine:
        item.add_marker(pytest.mark.browser)
        item.add_marker(pytest.mark.slow)
        # pytest-playwright's base_url fixture warns under pytest 9; harmless (jupyter-notes 2.5)
        item.add_marker(pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"))
        if not chromium_available():
            item.add_marker(pytest.mark.skip(reason=_SKIP_REASON))
    config.stash[_SKIPPED] = bool(mine) and not chromium_available()


_SKIPPED = pytest.StashKey[bool]()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if config.stash.get(_SKIPPED, False):
        terminalreporter.write_sep("!", "REAL-BROWSER TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(_SKIP_REASON, red=True, bold=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium instead of a Playwright download."""
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 1000}}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _put_setting(folder: Path, plugin: str, values: dict[str, Any]) -> None:
    package, name = plugin.rsplit("/", 1)
    target = folder / package / f"{name}.jupyterlab-settings"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(values), encoding="utf-8")


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited early:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"jupyter lab did not answer within {timeout} s:\n{log.read_text()}")


def _cancel_notebook() -> dict[str, Any]:
    """One cell: a review against a slow sandbox, left running when the cell returns."""
    source = f"""\
import tempfile

import resemble_nb as rnb
from resemble_nb.api import Client
from resemble_nb.sandbox import Sandbox

# Every job takes {CANCEL_LATENCY} s in this sandbox: only Cancel ends the review early.
sandbox = Sandbox(port=0, progress="time", latency={CANCEL_LATENCY}).start()
client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
case = rnb.Case(tempfile.mkdtemp(prefix="rnb-cancel-"), name="Cancel test")
run = case.review(rnb.sample_media(), client=client)"""
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "cancel-review",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
        ],
        "metadata": {
            "kernelspec": {
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "name": "python3",
            }
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


@pytest.fixture(scope="session")
def cases_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kernels' TMPDIR: every case folder the notebooks create lands here."""
    return tmp_path_factory.mktemp("cases")


@pytest.fixture(scope="session")
def lab_url(tmp_path_factory: pytest.TempPathFactory, cases_dir: Path) -> Iterator[str]:
    """A JupyterLab on 127.0.0.1 serving a copy of notebooks/ (no token, no XSRF)."""
    root = tmp_path_factory.mktemp("lab-root")
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy2(notebook, root / notebook.name)
    (root / CANCEL_NOTEBOOK).write_text(json.dumps(_cancel_notebook()), encoding="utf-8")
    settings = tmp_path_factory.mktemp("lab-settings")
    _put_setting(settings, "@jupyterlab/notebook-extension/tracker", {"windowingMode": "none"})
    _put_setting(
        settings,
        "@jupyterlab/apputils-extension/notification",
        {"checkForUpdates": False, "fetchNews": "false"},
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESEMBLE_")}
    env.update(
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path_factory.mktemp("lab-workspaces")),
        JUPYTER_RUNTIME_DIR=str(tmp_path_factory.mktemp("lab-runtime")),
        IPYTHONDIR=str(tmp_path_factory.mktemp("ipython")),
        TMPDIR=str(cases_dir),
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    port = _free_port()
    log = tmp_path_factory.mktemp("lab-log") / "jupyter-lab.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={port}",
                "--ServerApp.port_retries=0",
                "--IdentityProvider.token=",
                "--ServerApp.password=",
                "--ServerApp.disable_check_xsrf=True",
                f"--ServerApp.root_dir={root}",
                "--LabApp.expose_app_in_browser=True",
                "--ServerApp.allow_root=True",
                # the triage board plays media by URL through the package's server extension
                f"--ServerApp.jpserver_extensions={MEDIA_EXTENSION}=True",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/api/status", proc, log, timeout=90)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (``test-artifacts/``, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def lab_page(page: Page) -> Iterator[Page]:
    """The test's browser page; the kernels it started are shut down afterwards."""
    yield page
    shut_down_kernels(page)
