"""Next item in Chromium: from the J key to the new item's waveform and spectrogram drawn.

Starts a JupyterLab on 127.0.0.1 (with the package's media route), opens a notebook that
builds the same 50-item case as ``triage_inspector.py`` (one-hour and ten-minute WAVs, a
210 MiB video, 47 sample copies), fills the case's cache by walking the board once, then
presses J in Debian's Chromium 49 times and K 49 times. Each move is timed in the page
from the key event to the moment the inspector marks the new item drawn (``data-drawn``:
peaks, windows and the coloured spectrogram on the canvas), which includes the round trip
to the kernel. Every websocket frame is measured too.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/triage_inspector_browser.py [--load N]``

``--load N`` starts N CPU-bound processes beside it for the whole run (issue 20 item 7
asks for the figure with two); the machine's load average is printed with the result.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("RNB_CHROMIUM", "/usr/bin/chromium")

SETUP = f"""\
import sys
sys.path.insert(0, {str(ROOT / "benchmarks")!r})
import tempfile
from pathlib import Path
import triage_inspector as bench
from resemble_nb.widgets import TriageBoard
folder = Path(tempfile.mkdtemp(prefix="rnb-bench-browser-"))
case = bench.build(folder)
warm = TriageBoard(case, threshold=0.0, reviewer="bench")
for _ in range(49):
    warm.wait_drawn(300)
    warm.next()
warm.wait_drawn(300)
board = TriageBoard(case, threshold=0.0)
board.first()
board"""

MOVES = """async ([key, n]) => {
  const el = document.querySelector('.rnb-insp');
  const times = [];
  for (let i = 0; i < n; i++) {
    const before = el.dataset.item;
    const t0 = performance.now();
    el.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true, cancelable: true}));
    await new Promise((resolve) => {
      const done = () => el.dataset.item !== before && el.dataset.drawn === el.dataset.item;
      const obs = new MutationObserver(() => { if (done()) { obs.disconnect(); resolve(); } });
      obs.observe(el, {attributes: true});
    });
    await new Promise((r) => requestAnimationFrame(() => r()));
    times.push(performance.now() - t0);
  }
  return times;
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_lab(root: Path, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    settings = work / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port = free_port()
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(work / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(work / "ws"), "JUPYTER_RUNTIME_DIR": str(work / "rt"),
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--IdentityProvider.token=",
         "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
         f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
         "--ServerApp.allow_root=True",
         "--ServerApp.jpserver_extensions=resemble_nb.widgets.inspector._server=True"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/status", timeout=2):
                return proc, url
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("jupyter lab did not start") from None
            time.sleep(0.3)


def burners(n: int) -> list[subprocess.Popen[bytes]]:
    """``n`` CPU-bound processes (a busy loop each), stopped by the caller."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--load", type=int, default=0, help="CPU-bound processes beside it")
    args = parser.parse_args()
    load = burners(args.load)
    try:
        run()
    finally:
        for proc in load:
            proc.kill()
            proc.wait()


def run() -> None:
    work = Path(tempfile.mkdtemp(prefix="rnb-bench-lab-"))
    root = work / "root"
    root.mkdir()
    notebook = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": "c0", "metadata": {},
                   "outputs": [], "source": SETUP}],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip
    (root / "bench.ipynb").write_text(json.dumps(notebook))
    proc, url = start_lab(root, work)
    frames: list[int] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1440, "height": 900})

            def watch(ws: Any) -> None:
                ws.on("framereceived", lambda payload: frames.append(len(payload)))
                ws.on("framesent", lambda payload: frames.append(len(payload)))

            page.on("websocket", watch)
            page.goto(f"{url}/lab/tree/bench.ipynb?reset")
            page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
            page.locator("#jp-main-statusbar").get_by_text("Idle").wait_for(timeout=90_000)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_selector(".rnb-insp[data-drawn]", timeout=600_000)
            page.wait_for_function(
                "() => { const e = document.querySelector('.rnb-insp');"
                " return e.dataset.drawn === e.dataset.item; }"
            )
            forward = page.evaluate(MOVES, ["j", 49])
            back = page.evaluate(MOVES, ["k", 49])
            browser.close()
    finally:
        proc.terminate()
        proc.wait(20)
        shutil.rmtree(work, ignore_errors=True)
    ms = np.array(forward + back)
    print(
        f"next/previous item in Chromium, key to drawn ({len(ms)} moves over 50 items, cached): "
        f"p50 {np.percentile(ms, 50):.0f} ms, p95 {np.percentile(ms, 95):.0f} ms, "
        f"max {ms.max():.0f} ms"
    )
    print(f"websocket frames: {len(frames):,}, largest {max(frames):,} bytes")
    print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
