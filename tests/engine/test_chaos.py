"""Chaos: reviews through a sandbox that fails, throttles, drops and stalls requests.

The sandbox answers 10 % of requests with a 500 and 10 % with a 429, drops 2 % of
connections before answering, drops some create requests *after* making their detects
(the answer is lost, so the engine cannot know the outcome), and holds 10 % of requests
for 0.3 s. A few faults fire for certain (``times=N``) so every run meets each kind.

A review must still end with every file in exactly one terminal state, counts that add
up, a reason naming the file on every failure and skip, not a single content analysed
twice and no detect on the server that the case does not know; a second review once the
faults stop finishes the rest, again with no duplicate.

300 small files go through batches (the path ``auto`` takes for them). The single path
(secure upload + detect) gets its own, smaller run: every 429 rightly halves the
engine's request rate, so 10 % random 429s hold it to a few requests a second.

Both runs go once per list order, against a sandbox whose intelligence lags (and
sometimes fails), whose tokens serve once and whose create answers carry no ``status``
(see ``test_resume.service_modes``); every completed item must end with its
intelligence stored completed, or failed with its reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from resemble_nb.case import Case
from resemble_nb.engine import Run
from resemble_nb.sandbox import Sandbox

from .helpers import FAST, SAMPLES, client_for, write_wav
from .test_resume import OPTIONS, ORDERS, service_modes

pytestmark = pytest.mark.slow

RANDOM_FAULTS = [
    "*:500@0.1",
    "*:429;retry_after=0@0.1",
    "*:drop@0.02",
    "*:delay=0.3@0.1",
]
BATCH_FAULTS = ",".join(
    [
        # the first two batches are made on the server but their answers are lost
        "POST /detect/batch:drop_after;times=2",
        "POST /detect/batch:drop_after@0.1",
        "GET /detect:drop;times=1",
        *RANDOM_FAULTS,
    ]
)
SINGLE_FAULTS = ",".join(
    [
        "POST /detect:drop_after;times=2",
        "POST /detect:drop_after@0.05",
        "POST /secure_uploads:drop;times=1",
        *RANDOM_FAULTS,
    ]
)


def _evidence(folder: Path, wavs: int, pngs: int, damaged: int, texts: int) -> dict[str, str]:
    """Small distinct files; returns ``{name: expected final state}``."""
    expected: dict[str, str] = {}
    for i in range(wavs):
        write_wav(folder / "audio" / f"clip{i:03d}.wav", seconds=0.1, freq=150.0 + 3.0 * i)
        expected[f"clip{i:03d}.wav"] = "completed"
    images = folder / "images"
    images.mkdir(parents=True, exist_ok=True)
    for i in range(pngs):
        Image.new("RGB", (8, 8), (i, 255 - i, (7 * i) % 256)).save(images / f"frame{i:03d}.png")
        expected[f"frame{i:03d}.png"] = "completed"
    head = (SAMPLES / "damaged.wav").read_bytes()[:64]
    for i in range(damaged):  # a broken header: failed without being sent
        (folder / f"broken{i}.wav").write_bytes(head + bytes([i]) * 100)
        expected[f"broken{i}.wav"] = "failed"
    for i in range(texts):
        (folder / f"notes{i}.txt").write_text(f"case notes, page {i}\n")
        expected[f"notes{i}.txt"] = "skipped"
    return expected


def _review(case: Case, sandbox: Sandbox, evidence: Path, strategy: str, wait: float) -> Run:
    run = case.review(
        evidence,
        client=client_for(sandbox),
        strategy=strategy,
        display=False,
        poll_interval=FAST,
        **OPTIONS,
    )
    run.wait(wait)
    assert run.error is None
    return run


def _check_chaotic_run(run: Run, case: Case, sandbox: Sandbox, expected: dict[str, str]) -> None:
    items = run.items()
    counts = Counter(item.state for item in items)
    assert len(items) == len(expected)
    assert counts["completed"] + counts["failed"] + counts["skipped"] == len(expected), counts
    for item in items:
        if item.state != "completed":
            assert item.error and item.name in item.error, item
        if expected[item.name] != "completed":  # local outcomes do not depend on luck
            assert item.state == expected[item.name], item
    sendable = sum(1 for state in expected.values() if state == "completed")
    # chaos slows a review down; it must not cost more than a few files
    assert counts["completed"] >= sendable - 3, counts

    stats = sandbox.stats()
    injected = stats["faults_injected"]
    assert injected.get("drop_after", 0) >= 2 and injected.get("status=500", 0) >= 1, injected
    assert injected.get("status=429", 0) >= 1 and injected.get("drop", 0) >= 1, injected
    assert max(stats["detects_per_sha256"].values()) == 1
    frame = case.results()
    assert len(frame) == len(expected)
    assert Counter(frame["status"].astype(str)) == counts
    # every detect the server made belongs to exactly one row: nothing billed unseen
    assert frame["detect_uuid"].dropna().is_unique
    assert set(frame["detect_uuid"].dropna()) == set(sandbox.app.service.store.detects)
    _check_analyses(case, set(frame.loc[frame["status"] == "completed", "sha256"]))


def _check_analyses(case: Case, completed: set[str]) -> None:
    """Each completed item's intelligence is stored completed, or failed with its reason."""
    rows = case.ledger.analyses_rows()
    got = [dict(zip(rows.columns, row, strict=True)) for row in rows.rows]
    assert {row["sha256"] for row in got} == completed
    for row in got:
        assert row["status"] in ("completed", "failed"), row
        assert (row["status"] == "failed") == bool(row["reason"]), row


def _check_calm_rerun(run: Run, case: Case, sandbox: Sandbox, expected: dict[str, str]) -> None:
    assert {item.name: item.state for item in run.items()} == expected
    frame = case.results()
    _check_analyses(case, set(frame.loc[frame["status"] == "completed", "sha256"]))
    stats = sandbox.stats()
    sendable = sum(1 for state in expected.values() if state == "completed")
    assert stats["detects_created"] == sendable
    assert set(stats["detects_per_sha256"].values()) == {1}


@pytest.mark.parametrize("order", ORDERS)
def test_a_chaotic_review_of_300_files_ends_with_every_file_once(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox], order: str
) -> None:
    sandbox = sandbox_factory(
        progress="polls:1", faults=BATCH_FAULTS, seed=7, **service_modes(order)
    )
    evidence = tmp_path / "evidence"
    expected = _evidence(evidence, wavs=240, pngs=54, damaged=3, texts=3)
    assert len(expected) == 300
    with Case(tmp_path / "case") as case:
        run = _review(case, sandbox, evidence, "auto", wait=60)
        _check_chaotic_run(run, case, sandbox, expected)
        # 294 files, 50 a batch: six batches made on the server, lost answers included
        assert sandbox.stats()["batches_created"] == 6
        sandbox.set_faults(None)
        _check_calm_rerun(_review(case, sandbox, evidence, "auto", 60), case, sandbox, expected)


@pytest.mark.parametrize("order", ORDERS)
def test_a_chaotic_review_through_secure_uploads_ends_with_every_file_once(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox], order: str
) -> None:
    sandbox = sandbox_factory(
        progress="polls:1", faults=SINGLE_FAULTS, seed=11, **service_modes(order)
    )
    evidence = tmp_path / "evidence"
    expected = _evidence(evidence, wavs=30, pngs=8, damaged=1, texts=1)
    with Case(tmp_path / "case") as case:
        run = _review(case, sandbox, evidence, "single", wait=90)
        _check_chaotic_run(run, case, sandbox, expected)
        assert sandbox.stats()["uploads"] >= 38
        sandbox.set_faults(None)
        _check_calm_rerun(_review(case, sandbox, evidence, "single", 60), case, sandbox, expected)
