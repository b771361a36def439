"""Driving JupyterLab like a user: open a notebook, Run All, find what is on screen."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import time
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

_ALL_RAN = """() => {
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
    return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
}"""
_ERRORS = """() => {
    const nb = window.jupyterapp.shell.currentWidget.content.model;
    const found = [];
    for (let i = 0; i < nb.cells.length; i++) {
        const cell = nb.cells.get(i);
        if (cell.type !== 'code') continue;
        for (const out of cell.outputs.toJSON()) {
            if (out.output_type === 'error') found.push(out.ename + ': ' + out.evalue);
        }
    }
    return found;
}"""


def open_notebook(page: Page, lab_url: str, name: str) -> None:
    """Open ``name`` in a fresh workspace and wait for its kernel to be idle."""
    page.goto(f"{lab_url}/lab/tree/{name}?reset")
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
    expect(page.locator(".jp-Notebook")).to_be_visible(timeout=60_000)
    expect(page.locator("#jp-main-statusbar").get_by_text("Idle")).to_be_visible(timeout=60_000)


def run_all(page: Page) -> None:
    """Press Run All (fire and forget: the page stays observable while cells run)."""
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


def wait_until_all_ran(page: Page, timeout_s: float = 90) -> None:
    """Every code cell has an execution count, and none raised."""
    page.wait_for_function(_ALL_RAN, timeout=timeout_s * 1000)
    errors = page.evaluate(_ERRORS)
    assert not errors, f"cells raised: {errors}"


def output_with(page: Page, text: str) -> Locator:
    """The output area (one cell's outputs) that shows ``text``."""
    return page.locator(".jp-Cell-outputArea").filter(has_text=text)


def board(page: Page) -> Locator:
    """The live job board's output (its Cancel button goes away when the run is over)."""
    return page.locator(".jp-OutputArea-output").filter(has=page.locator(".rnb-jobboard"))


def progress_bar(scope: Locator) -> Locator:
    return scope.locator(".widget-hprogress .progress-bar")


def expect_full_bar(scope: Locator, timeout_s: float = 60) -> None:
    expect(progress_bar(scope)).to_have_attribute(
        "style", re.compile(r"width:\s*100%"), timeout=timeout_s * 1000
    )


def images_shown(scope: Locator) -> list[tuple[float, float]]:
    """(width, height) on screen of every loaded, non-empty image in ``scope``."""
    sizes: list[tuple[float, float]] = []
    for img in scope.locator("img").all():
        img.scroll_into_view_if_needed()
        loaded = img.evaluate("el => el.complete && el.naturalWidth > 0")
        box = img.bounding_box()
        if loaded and box is not None and box["width"] > 0 and box["height"] > 0:
            sizes.append((box["width"], box["height"]))
    return sizes


def shut_down_kernels(page: Page) -> None:
    """Free the kernels this test started (the lab server lives for the session)."""
    with contextlib.suppress(Exception):  # the page may already be gone
        page.evaluate("() => window.jupyterapp.serviceManager.sessions.shutdownAll()")


def one_case(cases_dir: Path, prefix: str, timeout_s: float = 30) -> Path:
    """The single case folder a notebook created under the kernels' TMPDIR."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = sorted(p for p in cases_dir.glob(f"{prefix}*") if (p / "case.db").is_file())
        if len(found) == 1 or time.monotonic() > deadline:
            assert len(found) == 1, f"expected one {prefix}* case in {cases_dir}, got {found}"
            return found[0]
        time.sleep(0.2)


def query(case: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Read the case's ledger the way any SQLite tool would (read-only)."""
    db = sqlite3.connect(f"file:{case / 'case.db'}?mode=ro", uri=True)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def put_notebook(lab_url: str, name: str, *cells: str) -> None:
    """Write a notebook into the lab's root through the contents API."""
    notebook = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
             "outputs": [], "source": source}
            for i, source in enumerate(cells)
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)",
                                    "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }  # fmt: skip
    body = json.dumps({"type": "notebook", "format": "json", "content": notebook}).encode()
    request = urllib.request.Request(
        f"{lab_url}/api/contents/{name}", data=body, method="PUT",
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status in (200, 201)
