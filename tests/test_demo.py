"""``resemble-nb demo`` end to end, and the proof that nothing it writes holds a secret.

The demo runs the quickstart (through secure uploads, so media tokens really exist)
and the report notebook against a sandbox whose key the test records. Then every file
under the output folder (executed notebooks including any widget-state metadata, the
HTML report, the case ledger's SQLite bytes and its WAL/SHM files, the log) and what
the demo printed are scanned for that key and for anything shaped like a media token.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sqlite3
from pathlib import Path
from typing import Any, ClassVar

import pytest

import resemble_nb.sandbox
from resemble_nb.cli._demo import CASE_FOLDER, LOG_FILE, REPORT_FILE, run_demo
from resemble_nb.sandbox import Sandbox

SHELL_KEY = "test_key_of_the_shell_not_for_the_demo"
JWT = re.compile(rb"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.")

pytestmark = pytest.mark.slow


class RecordingSandbox(Sandbox):
    """The demo's sandbox, remembered with its key and its request counts."""

    started: ClassVar[list[RecordingSandbox]] = []

    def start(self) -> RecordingSandbox:
        super().start()
        RecordingSandbox.started.append(self)
        self.final_stats: dict[str, Any] = {}
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.final_stats = self.stats()
        super().stop()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("demo") / "build"
    RecordingSandbox.started = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(resemble_nb.sandbox, "Sandbox", RecordingSandbox, raising=False)
        mp.setenv("RESEMBLE_API_KEY", SHELL_KEY)  # must not reach the notebooks
        mp.chdir(out.parent)  # like `make demo`: a relative "build" under the current folder
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = run_demo(out="build")
    assert len(RecordingSandbox.started) == 1
    return {
        "code": code,
        "out": out,
        "printed": printed.getvalue(),
        "sandbox": RecordingSandbox.started[0],
    }


def test_demo_succeeds_and_writes_everything(demo: dict[str, Any]) -> None:
    out: Path = demo["out"]
    assert demo["code"] == 0, demo["printed"]
    for name in ("01_quickstart.ipynb", "03_report.ipynb", REPORT_FILE, LOG_FILE):
        assert (out / name).is_file(), f"{name} missing; printed:\n{demo['printed']}"
    assert (out / CASE_FOLDER / "case.db").is_file()
    assert "make lab   (then open build/01_quickstart.ipynb)" in demo["printed"]
    assert str(out / REPORT_FILE) in demo["printed"]


def test_executed_notebooks_carry_results_and_no_widget_state(demo: dict[str, Any]) -> None:
    out: Path = demo["out"]
    for name in ("01_quickstart.ipynb", "03_report.ipynb"):
        nb = json.loads((out / name).read_text(encoding="utf-8"))
        assert "widgets" not in nb["metadata"]
        texts = json.dumps([c.get("outputs", []) for c in nb["cells"]])
        assert "Using the local sandbox (http://127.0.0.1:" in texts  # connect() says which
        assert "scores are synthetic" in texts
        assert "interview.mp4" in texts
    quickstart = (out / "01_quickstart.ipynb").read_text(encoding="utf-8")
    # the quickstart reviews what its file picker selected: the six media files
    assert "Run: 6/6 done (completed 5, failed 1)" in quickstart


def test_the_case_went_through_secure_uploads_and_was_not_sent_twice(
    demo: dict[str, Any],
) -> None:
    """Media tokens existed (so the token scan means something); the report re-sent nothing."""
    stats = demo["sandbox"].final_stats
    assert stats["requests"]["POST /secure_uploads"] == {"200": 5}
    assert stats["detects_created"] == 5
    assert set(stats["detects_per_sha256"].values()) == {1}
    db = sqlite3.connect(demo["out"] / CASE_FOLDER / "case.db")
    try:
        states = dict(db.execute("SELECT state, count(*) FROM jobs GROUP BY state").fetchall())
    finally:
        db.close()
    assert states == {"completed": 5, "failed": 1}


def test_report_is_self_contained_and_marked_as_sandbox(demo: dict[str, Any]) -> None:
    html = (demo["out"] / REPORT_FILE).read_text(encoding="utf-8")
    assert "interview.mp4" in html
    assert re.search(r"sandbox", html, re.IGNORECASE)
    assert not re.search(r"""(src|href)=["']https?://""", html), "the report loads something"


def test_no_key_or_media_token_in_anything_the_demo_produced(demo: dict[str, Any]) -> None:
    out: Path = demo["out"]
    key = demo["sandbox"].api_key.encode()
    assert key.startswith(b"sandbox_") and len(key) > 20
    keys = {key: "the sandbox key", SHELL_KEY.encode(): "the shell's key"}
    files = sorted(p for p in out.rglob("*") if p.is_file())
    names = {p.name for p in files}
    assert {"case.db", "01_quickstart.ipynb", "03_report.ipynb", REPORT_FILE, LOG_FILE} <= names
    hits = []
    for path in files:
        data = path.read_bytes()
        hits += [f"{path}: {what}" for needle, what in keys.items() if needle in data]
        if JWT.search(data):
            hits.append(f"{path}: a media token")
    printed = demo["printed"].encode()
    if any(needle in printed for needle in keys) or JWT.search(printed):
        hits.append("the demo's own output")
    assert hits == []
