"""Resume after the engine's process is killed with SIGKILL: every item ends once, no detect twice.

Every test runs against a sandbox as unhelpful as the docs allow (:func:`service_modes`:
a list in any order, intelligence that lags its detect and sometimes fails, single-use
media tokens, create answers without ``status``), and every review asks for
intelligence. Each test runs ``resemble-nb detect`` in a child process against a sandbox
served by the test process, kills the child (with the engine's test-only crash hook
``RESEMBLE_NB_CRASH_AT``, or from outside at a random moment), checks from the ledger and
the sandbox that the kill landed where it was meant to, then reviews the same folder
again in this process with no hook. The sandbox's per-content counters
(``detects_per_sha256``) must then show exactly one detect per file, every item must be
``completed``, and every detect on the server must belong to exactly one ledger row.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from resemble_nb.case import CASE_DB, Case
from resemble_nb.engine import CRASH_ENV_VAR
from resemble_nb.sandbox import Sandbox

from .helpers import FAST, client_for, write_wavs

SINGLE_FILES = 8
BATCH_FILES = 60
"""Two batches (50 + 10), sent at the same time by two upload workers."""
CHILD_TIMEOUT = 60.0

ORDERS = ("newest", "oldest", "shuffled")
"""Every order ``GET /detect`` may come in (the docs promise none)."""


def service_modes(order: str) -> dict[str, object]:
    """A sandbox as unhelpful as the docs allow: ``order``, intelligence finishing two
    reads after its detect (and failing for some content), single-use media tokens,
    create answers without ``status``."""
    return {
        "list_order": order,
        "intelligence_lag": "polls:2",
        "intelligence_fail": 0.25,
        "single_use_tokens": True,
        "create_status": False,
    }


OPTIONS = {"intelligence": True}
"""Every review here asks for intelligence, so lagging intelligence is waited for."""


# -- helpers ------------------------------------------------------------------------------------


def make_evidence(folder: Path, count: int) -> dict[str, str]:
    """``count`` distinct short WAVs in ``folder``; returns ``{sha256: name}``."""
    paths = write_wavs(folder, count, seconds=0.2)
    return {hashlib.sha256(p.read_bytes()).hexdigest(): p.name for p in paths}


def spawn_detect(
    case: Path, evidence: Path, sandbox: Sandbox, strategy: str, crash: str | None = None
) -> subprocess.Popen[str]:
    """``resemble-nb detect`` in a child process, with the crash hook when given."""
    env = {**os.environ, "RESEMBLE_API_KEY": sandbox.api_key}
    env.pop(CRASH_ENV_VAR, None)
    if crash is not None:
        env[CRASH_ENV_VAR] = crash
    command = [
        sys.executable, "-m", "resemble_nb.cli", "detect", str(evidence),
        "--case", str(case), "--base-url", sandbox.base_url,
        "--strategy", strategy, "--no-progress", "--intelligence",
    ]  # fmt: skip
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(child: subprocess.Popen[str]) -> tuple[int, str]:
    """Wait for the child; its return code and what it wrote to stderr."""
    try:
        _, err = child.communicate(timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        _, err = child.communicate()
        pytest.fail(f"the review process did not end within {CHILD_TIMEOUT} s:\n{err}")
    return child.returncode, err


def ledger_jobs(case: Path) -> list[dict[str, str | None]]:
    """The case's jobs as the child left them, read without writing anything."""
    db = case / CASE_DB
    if not db.exists():
        return []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        conn.row_factory = sqlite3.Row
        try:
            rows = conn.execute("SELECT state, detect_uuid, batch_uuid FROM jobs").fetchall()
        except sqlite3.OperationalError:  # the child has not made its tables yet
            return []
        return [dict(row) for row in rows]
    finally:
        conn.close()


def states_of(jobs: list[dict[str, str | None]]) -> Counter[str]:
    return Counter(str(job["state"]) for job in jobs)


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what} after {timeout} s")
        time.sleep(0.02)


def resume(case: Path, evidence: Path, sandbox: Sandbox, strategy: str) -> Case:
    """Review the folder again in this process (no crash hook); every item must complete."""
    opened = Case(case)
    run = opened.review(
        evidence,
        client=client_for(sandbox),
        strategy=strategy,
        display=False,
        poll_interval=FAST,
        **OPTIONS,
    )
    run.wait(60)
    assert run.error is None
    problems = {i.name: i.error for i in run.items() if i.state != "completed"}
    assert problems == {}
    return opened


def assert_exactly_once(sandbox: Sandbox, case: Case, files: dict[str, str]) -> None:
    """One detect per file on the server, each owned by exactly one completed ledger row."""
    stats = sandbox.stats()
    assert stats["detects_per_sha256"] == dict.fromkeys(files, 1)
    assert stats["detects_created"] == len(files)
    frame = case.results()
    assert len(frame) == len(files)
    assert set(frame["sha256"]) == set(files)
    assert (frame["status"] == "completed").all()
    on_server = set(sandbox.app.service.store.detects)
    assert frame["detect_uuid"].is_unique
    assert set(frame["detect_uuid"]) == on_server
    assert_analyses_settled(case, files)
    # and a further review of the same folder sends nothing at all
    before = stats["requests_total"]
    again = case.review(
        sorted({p for paths in frame["paths"] for p in paths}),
        client=client_for(sandbox),
        display=False,
        poll_interval=FAST,
        **OPTIONS,
    ).wait(60)
    assert again.progress.counts == {"completed": len(files)}
    assert sandbox.stats()["requests_total"] == before


def assert_analyses_settled(case: Case, files: dict[str, str]) -> None:
    """Every item's intelligence is stored completed, or failed with its reason."""
    rows = case.ledger.analyses_rows()
    got = [dict(zip(rows.columns, row, strict=True)) for row in rows.rows]
    assert {row["sha256"] for row in got} == set(files)
    for row in got:
        assert row["analysis"] == "intelligence"
        assert row["status"] in ("completed", "failed"), row
        assert (row["status"] == "failed") == bool(row["reason"]), row
    for job_id in {row["job_id"] for row in got}:
        result = case.ledger.result_for(job_id)
        assert result is not None
        block = result.raw["intelligence"]
        assert block["status"] == result.analyses["intelligence"]["status"]
        if block["status"] == "completed":
            assert block["description"]


# -- kills at named points ------------------------------------------------------------------------


def _check_where_it_died(point: str, nth: int, sandbox: Sandbox, case: Path) -> None:
    """Evidence from the ledger and the server that the kill landed at ``point``."""
    jobs = ledger_jobs(case)
    states = states_of(jobs)
    created = sandbox.stats()["detects_created"]
    recorded = sum(1 for job in jobs if job["detect_uuid"])
    if point == "after_upload":
        assert states["uploading"] >= 1 and sandbox.stats()["uploads"] >= 1
    elif point == "after_mark_submitting":
        assert states["submitting"] >= 1
        if nth == 1:  # nothing had been sent for creation yet
            assert created == 0
    elif point == "after_create_before_ledger":
        # the server made detects that the ledger never heard of
        assert created > recorded
        assert states["submitting"] >= 1
    elif point == "after_submitted":
        assert recorded >= 1 and states["submitted"] >= 1
    elif point == "mid_poll":
        assert nth == 1 and states["completed"] == 0  # fetched but not written
        assert recorded >= 1 and created >= 1
    else:  # pragma: no cover - a typo in the parameters
        raise AssertionError(point)


KILL_POINTS = [
    ("single", "after_upload:2"),
    ("single", "after_mark_submitting:1"),
    ("single", "after_mark_submitting:3"),
    ("single", "after_create_before_ledger:1"),
    ("single", "after_create_before_ledger:3"),
    ("single", "after_submitted:2"),
    ("single", "mid_poll:1"),
    ("batch", "after_mark_submitting:1"),
    ("batch", "after_mark_submitting:2"),
    ("batch", "after_create_before_ledger:1"),
    ("batch", "after_create_before_ledger:2"),
    ("batch", "after_submitted:1"),
    ("batch", "mid_poll:1"),
]


def _kill_cases() -> list[Any]:
    """Every kill point under every list order; each point runs in one order by default
    (taking turns), the other two with ``-m slow``."""
    cases = []
    for i, (strategy, crash) in enumerate(KILL_POINTS):
        for j, order in enumerate(ORDERS):
            marks = () if j == i % len(ORDERS) else (pytest.mark.slow,)
            cases.append(
                pytest.param(strategy, crash, order, marks=marks, id=f"{strategy}-{crash}-{order}")
            )
    return cases


@pytest.mark.parametrize(("strategy", "crash", "order"), _kill_cases())
def test_a_review_killed_at_a_point_resumes_with_no_duplicate_detect(
    tmp_path: Path,
    sandbox_factory: Callable[..., Sandbox],
    strategy: str,
    crash: str,
    order: str,
) -> None:
    # polls:1: every detect is still processing when first read, so the poller has work
    sandbox = sandbox_factory(progress="polls:1", **service_modes(order))
    evidence, case = tmp_path / "evidence", tmp_path / "case"
    files = make_evidence(evidence, SINGLE_FILES if strategy == "single" else BATCH_FILES)
    code, err = finish(spawn_detect(case, evidence, sandbox, strategy, crash))
    assert code == -signal.SIGKILL, f"the review was not killed at {crash}:\n{err}"
    point, _, nth = crash.partition(":")
    _check_where_it_died(point, int(nth or 1), sandbox, case)
    assert_exactly_once(sandbox, resume(case, evidence, sandbox, strategy), files)


def _held(sandbox: Sandbox) -> int:
    """How many requests the sandbox's fault rules have caught (counted on arrival)."""
    return sum(int(rule["fired"]) for rule in sandbox.app.service.faults.describe())


@pytest.mark.parametrize(
    "order", [o if o == "oldest" else pytest.param(o, marks=pytest.mark.slow) for o in ORDERS]
)
def test_a_review_killed_while_its_batch_request_is_on_the_wire_resumes(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox], order: str
) -> None:
    # the server holds the first batch request 1.5 s before reading it; the process dies
    # meanwhile, with its jobs marked submitting and the outcome unknown to the ledger
    sandbox = sandbox_factory(faults="POST /detect/batch:delay=1.5;times=1", **service_modes(order))
    evidence, case = tmp_path / "evidence", tmp_path / "case"
    files = make_evidence(evidence, 12)
    child = spawn_detect(case, evidence, sandbox, "batch")
    wait_until(lambda: states_of(ledger_jobs(case))["submitting"] == 12, "the batch to be sent")
    # the server has the request in hand (its delay rule fired on arrival) and holds it
    wait_until(lambda: _held(sandbox) == 1, "the server to receive and hold the batch request")
    child.send_signal(signal.SIGKILL)
    code, _ = finish(child)
    assert code == -signal.SIGKILL
    # only once the server has finished with the orphaned request is its outcome settled
    wait_until(lambda: "POST /detect/batch" in sandbox.stats()["requests"], "the held request")
    assert states_of(ledger_jobs(case)) == {"submitting": 12}
    assert_exactly_once(sandbox, resume(case, evidence, sandbox, "batch"), files)


# -- kills at random moments ---------------------------------------------------------------------


def _moved(child: subprocess.Popen[str], case: Path, before: Counter[str]) -> bool:
    """Whether the child has ended, or moved some item past where ``before`` had it."""
    now = states_of(ledger_jobs(case))
    moving = ("uploading", "submitting", "submitted", "completed")
    return child.poll() is not None or any(now[s] > before[s] for s in moving)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_review_killed_twice_at_random_moments_resumes_with_no_duplicate_detect(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox], seed: int
) -> None:
    """Two kills at seeded random moments once sending has begun, then a clean resume."""
    rng = random.Random(seed)
    strategy = ("single", "batch", "auto")[seed % 3]
    # detects finish 2 s after creation: the first kill (at most 1.8 s after the first
    # item starts moving) always lands before the run can end, later ones anywhere
    sandbox = sandbox_factory(
        progress="time", latency=2.0, **service_modes(ORDERS[seed % len(ORDERS)])
    )
    evidence, case = tmp_path / "evidence", tmp_path / "case"
    files = make_evidence(evidence, 16)
    kills = 0
    for _ in range(2):
        before = states_of(ledger_jobs(case))
        child = spawn_detect(case, evidence, sandbox, strategy)

        wait_until(partial(_moved, child, case, before), "the review to start sending")
        time.sleep(rng.uniform(0.0, 1.8))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
        code, err = finish(child)
        assert code in (0, -signal.SIGKILL), err
        kills += code == -signal.SIGKILL
    assert_exactly_once(sandbox, resume(case, evidence, sandbox, strategy), files)
    assert kills >= 1, "no kill landed while the review ran; the test proved nothing"
