"""Two processes, one case: one review holds the case, the other is told who, nothing twice.

Each test starts two processes on one case folder and 60 files against a sandbox whose
detects stay ``processing`` until the test lets them finish (so the first review is
certainly still running when the second one asks). The sandbox's per-content counters
must then show exactly one detect per file.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from resemble_nb.case import CASE_DB, Case
from resemble_nb.engine import CRASH_ENV_VAR
from resemble_nb.sandbox import Sandbox

from .test_resume import make_evidence, spawn_detect, wait_until

FILES = 60
HELD = "polls:1000000"
"""Detects stay processing until :func:`let_finish`."""
TIMEOUT = 90.0


def let_finish(sandbox: Sandbox) -> None:
    sandbox.app.service.polls_needed = 0  # the next read of each detect finishes it


def holder_pid(case: Path) -> int | None:
    db = case / CASE_DB
    if not db.exists():
        return None
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        row = conn.execute("SELECT pid FROM leases WHERE name = 'review'").fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return None if row is None else int(row[0])


def communicate(child: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = child.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        pytest.fail(f"a review process did not end within {TIMEOUT} s:\n{err}")
    return child.returncode, out, err


def assert_once_each(sandbox: Sandbox, files: dict[str, str], case: Path) -> None:
    stats = sandbox.stats()
    assert stats["detects_per_sha256"] == dict.fromkeys(files, 1)
    with Case(case) as opened:
        frame = opened.results()
    assert len(frame) == FILES and (frame["status"] == "completed").all()
    assert set(frame["detect_uuid"]) == set(sandbox.app.service.store.detects)


def test_two_detect_commands_started_together_send_each_file_once(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory(progress=HELD)
    evidence, case = tmp_path / "evidence", tmp_path / "case"
    files = make_evidence(evidence, FILES)
    children = [spawn_detect(case, evidence, sandbox, "auto") for _ in range(2)]
    # one of them holds the case; the other gives up at once, saying who holds it
    wait_until(lambda: any(c.poll() is not None for c in children), "one review to give up", 60)
    loser = next(c for c in children if c.poll() is not None)
    winner = next(c for c in children if c is not loser)
    code, out, err = communicate(loser)
    assert code == 3, err
    assert f"is being reviewed by resemble-nb detect (process {winner.pid} on host" in err
    assert "since" in err and "--wait-for-case" in err and "Traceback" not in err
    assert holder_pid(case) == winner.pid
    let_finish(sandbox)
    code, out, err = communicate(winner)
    assert code == 0, err
    assert f"{FILES}/{FILES}" in out
    assert holder_pid(case) is None  # released at the end
    assert_once_each(sandbox, files, case)


NOTEBOOK = textwrap.dedent(
    """
    import os, sys
    import resemble_nb as rnb
    case_dir, evidence, base_url, wait = sys.argv[1:5]
    case = rnb.Case(case_dir)
    client = rnb.Client(api_key=os.environ["RESEMBLE_API_KEY"], base_url=base_url)
    try:
        run = case.review(
            evidence, client=client, display=False, poll_interval=(0.05, 0.5),
            wait_for_case=None if wait == "forever" else float(wait),
        )
    except rnb.CaseBusyError as exc:
        print(exc, file=sys.stderr)
        sys.exit(3)
    print("reviewing", flush=True)
    run.wait(120)
    print(dict(run.progress.counts), run.stats().get("requests", 0), flush=True)
    """
)


def notebook(case: Path, evidence: Path, sandbox: Sandbox, wait: str) -> subprocess.Popen[str]:
    env = {**os.environ, "RESEMBLE_API_KEY": sandbox.api_key}
    env.pop(CRASH_ENV_VAR, None)
    return subprocess.Popen(
        [sys.executable, "-c", NOTEBOOK, str(case), str(evidence), sandbox.base_url, wait],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_kernels_reviewing_one_case_wait_or_give_up_and_send_each_file_once(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory(progress=HELD)
    evidence, case = tmp_path / "evidence", tmp_path / "case"
    files = make_evidence(evidence, FILES)
    first = notebook(case, evidence, sandbox, "0")
    assert first.stdout is not None and first.stdout.readline().strip() == "reviewing"
    assert holder_pid(case) == first.pid
    # a second kernel that gives up at once is told who holds the case
    code, _, err = communicate(notebook(case, evidence, sandbox, "0"))
    assert code == 3
    assert f"is being reviewed by python -c (process {first.pid} on host" in err
    # a third one waits for it, then finds everything done and sends nothing
    waiting = notebook(case, evidence, sandbox, "forever")
    wait_until(lambda: sandbox.stats()["detects_created"] == FILES, "the first to send all")
    assert waiting.poll() is None
    let_finish(sandbox)
    code, out, err = communicate(first)
    assert code == 0, err
    assert f"'completed': {FILES}" in out
    code, out, err = communicate(waiting)
    assert code == 0, err
    assert out.startswith("reviewing") and f"{{'completed': {FILES}}}" in out
    assert_once_each(sandbox, files, case)
