"""Reconciling: find a detect the server already made, by upload name and time."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import resemble_nb.engine._reconcile as reconcile
from resemble_nb.api import DetectOptions
from resemble_nb.case import Case
from resemble_nb.engine import upload_name
from resemble_nb.engine._clients import make_clients
from resemble_nb.engine._context import Context, Work
from resemble_nb.engine._crash import CrashHook
from resemble_nb.engine._limits import RateLimiter, UploadGate
from resemble_nb.engine._reconcile import Found, find_existing, undecided_reason
from resemble_nb.engine._state import Tracker
from resemble_nb.ledger import JobSpec
from resemble_nb.media import scan
from resemble_nb.sandbox import Sandbox

from .helpers import FAST, client_for, write_wavs


def test_upload_names_are_unique_per_content_and_options() -> None:
    a = upload_name("Call 1.WAV", "ab" * 32, "cd" * 8)
    assert a == "Call 1.rnb-ababababcdcd.wav"
    assert upload_name("Call 1.WAV", "ab" * 32, "ef" * 8) != a
    assert upload_name("Call 1.WAV", "ba" * 32, "cd" * 8) != a
    assert upload_name(".hidden", "ab" * 32, "cd" * 8).startswith(".hidden.rnb-")
    assert len(upload_name("x.mp4", "ab" * 32, "")) == len("x.rnb-") + 12 + len(".mp4")


def _works(case: Case, folder: Path, count: int) -> list[Work]:
    items = scan(folder).items[:count]
    case.ledger.add_items(items)
    jobs = case.ledger.ensure_jobs(JobSpec(i.sha256, "key0", "single", "sandbox") for i in items)
    works = []
    for item, (job, _) in zip(items, jobs, strict=True):
        name = upload_name(item.name, item.sha256, "key0")
        case.ledger.mark_submitting(job.id, {job.id: name})
        works.append(Work(item, case.ledger.job(job.id), "single", name))
    return works


async def _find(case: Case, sandbox: Sandbox, works: list[Work]) -> dict[int, str]:
    clients = make_clients(client_for(sandbox), RateLimiter(50))
    ctx = Context(
        ledger=case.ledger,
        tracker=Tracker(),
        clients=clients,
        limiter=clients.transport.limiter,
        gate=UploadGate(),
        options=DetectOptions.build(),
        options_key="key0",
        crash=CrashHook(""),
    )
    try:
        found = await find_existing(ctx, works)
    finally:
        await clients.aclose()
    return {job_id: det.uuid for job_id, det in found.items()}


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    write_wavs(tmp_path / "evidence", 4)
    return tmp_path / "evidence"


def test_a_detect_created_after_the_mark_is_found_by_its_name(
    tmp_path: Path, evidence: Path, sandbox: Sandbox
) -> None:
    case = Case(tmp_path / "case")
    works = _works(case, evidence, 3)
    client = client_for(sandbox)
    made = client.detect(file=works[1].path, filename=works[1].upload_name)
    client.detect(file=works[2].path, filename="someone-else.wav")  # not ours
    found = asyncio.run(_find(case, sandbox, works))
    assert found == {works[1].job.id: made.uuid}


def test_a_detect_another_job_owns_is_not_adopted_twice(
    tmp_path: Path, evidence: Path, sandbox: Sandbox
) -> None:
    case = Case(tmp_path / "case")
    works = _works(case, evidence, 1)
    made = client_for(sandbox).detect(file=works[0].path, filename=works[0].upload_name)
    other = case.ledger.create_jobs([JobSpec(works[0].key, "key1", "single", "sandbox")])[0]
    case.ledger.mark_submitting(other)
    case.ledger.mark_submitted(other, detect_uuid=made.uuid)
    assert asyncio.run(_find(case, sandbox, works)) == {}


def test_a_detect_made_before_the_mark_is_not_adopted(
    tmp_path: Path, evidence: Path, sandbox: Sandbox
) -> None:
    case = Case(tmp_path / "case")
    works = _works(case, evidence, 1)
    made = client_for(sandbox).detect(file=works[0].path, filename=works[0].upload_name)
    assert asyncio.run(_find(case, sandbox, works)) == {works[0].job.id: made.uuid}
    # the same detect, for a job marked an hour later: created before the mark, not ours
    marked_later = [
        dataclasses.replace(
            w,
            job=dataclasses.replace(w.job, submitting_at=w.job.submitting_at + timedelta(hours=1)),
        )
        for w in works
        if w.job.submitting_at is not None
    ]
    assert asyncio.run(_find(case, sandbox, marked_later)) == {}


def test_the_earliest_of_several_matches_is_adopted(
    tmp_path: Path, evidence: Path, sandbox: Sandbox
) -> None:
    case = Case(tmp_path / "case")
    works = _works(case, evidence, 1)
    client = client_for(sandbox)
    first = client.detect(file=works[0].path, filename=works[0].upload_name)
    sandbox.advance_clock(1)
    client.detect(file=works[0].path, filename=works[0].upload_name)
    assert asyncio.run(_find(case, sandbox, works)) == {works[0].job.id: first.uuid}


# -- whatever the list order (over HTTP, in an account with a history) -------------------------

HISTORY = 2500
"""Older detects in the account: three pages of 1,000 to walk."""


async def _found(case: Case, sandbox: Sandbox, works: list[Work], **kwargs: Any) -> Found:
    clients = make_clients(client_for(sandbox), RateLimiter(100))
    ctx = Context(
        ledger=case.ledger,
        tracker=Tracker(),
        clients=clients,
        limiter=clients.transport.limiter,
        gate=UploadGate(),
        options=DetectOptions.build(),
        options_key="key0",
        crash=CrashHook(""),
    )
    try:
        return await find_existing(ctx, works, **kwargs)
    finally:
        await clients.aclose()


@pytest.mark.parametrize("order", ["newest", "oldest", "shuffled"])
def test_lost_detects_are_found_and_absence_proven_in_every_list_order(
    tmp_path: Path, evidence: Path, sandbox_factory: Callable[..., Sandbox], order: str
) -> None:
    sandbox = sandbox_factory(list_order=order)
    sandbox.seed_detects(HISTORY)
    case = Case(tmp_path / "case")
    works = _works(case, evidence, 4)
    client = client_for(sandbox)
    made = {w.job.id: client.detect(file=w.path, filename=w.upload_name).uuid for w in works[:2]}
    found = asyncio.run(_found(case, sandbox, works))
    assert {job_id: det.uuid for job_id, det in found.items()} == made
    assert found.complete  # the other two are proven absent: they may be sent
    pages = sandbox.stats()["requests"]["GET /detect"]["200"]
    assert pages == found.pages
    assert pages <= (3 if order != "shuffled" else 4)


def test_a_lookup_that_reaches_its_bound_leaves_the_item_undecided(
    tmp_path: Path, evidence: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sandbox = sandbox_factory(list_order="shuffled")
    sandbox.seed_detects(HISTORY)
    case = Case(tmp_path / "case")
    works = _works(case, evidence, 1)
    found = asyncio.run(_found(case, sandbox, works, max_pages=2))
    assert found == {} and not found.complete and found.pages == 2
    reason = undecided_reason(works[0], found)
    assert works[0].name in reason and works[0].upload_name in reason
    assert "may already exist" in reason and "force=True" in reason
    assert works[0].job.submitting_at is not None
    assert works[0].job.submitting_at.isoformat(timespec="seconds") in reason


def test_a_review_whose_answer_was_lost_is_failed_not_sent_again_when_undecided(
    tmp_path: Path,
    sandbox_factory: Callable[..., Sandbox],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The create's answer is lost and the list cannot settle it within the bound (none
    here: the walk above shows a bound reached after reading): the item ends failed
    saying how to check, and the server still has exactly one detect of it."""
    monkeypatch.setattr(reconcile, "MAX_PAGES", 0)
    sandbox = sandbox_factory(list_order="shuffled", faults="POST /detect:drop_after;times=1")
    sandbox.seed_detects(HISTORY)
    write_wavs(tmp_path / "evidence", 1)
    case = Case(tmp_path / "case")
    run = case.review(
        tmp_path / "evidence",
        client=client_for(sandbox),
        strategy="single",
        display=False,
        poll_interval=FAST,
    ).wait(60)
    (item,) = run.items()
    assert item.state == "failed" and item.error is not None
    assert "may already exist" in item.error and ".rnb-" in item.error
    assert list(sandbox.stats()["detects_per_sha256"].values()) == [1]
