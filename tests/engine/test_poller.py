"""Polling: batch status first, list pages for many, single GETs only for a few."""

from __future__ import annotations

import time
from pathlib import Path

from resemble_nb.case import Case

from .conftest import Review
from .helpers import client_for, write_wavs


def _routes(sandbox: object) -> dict[str, int]:
    stats = sandbox.stats()  # type: ignore[attr-defined]
    return {route: sum(codes.values()) for route, codes in stats["requests"].items()}


def test_a_batch_is_harvested_with_a_handful_of_requests(
    tmp_path: Path, review: Review, sandbox_factory: type
) -> None:
    sandbox = sandbox_factory(progress="time", latency=1.0)
    write_wavs(tmp_path / "evidence", 50, seconds=0.25)
    run = review(sandbox, tmp_path / "evidence")
    assert run.progress.counts == {"completed": 50}
    routes = _routes(sandbox)
    assert routes.get("GET /detect/{uuid}", 0) == 0  # no per-file polling
    assert routes["GET /detect/batch/{uuid}"] >= 1
    assert routes["GET /detect"] <= 3
    assert sandbox.stats()["requests_total"] / 50 < 0.5


def test_many_singles_are_harvested_from_list_pages(
    tmp_path: Path, review: Review, sandbox_factory: type
) -> None:
    sandbox = sandbox_factory(progress="polls:2")
    write_wavs(tmp_path / "evidence", 12)
    run = review(sandbox, tmp_path / "evidence", strategy="single")
    assert run.progress.counts == {"completed": 12}
    routes = _routes(sandbox)
    polls = routes.get("GET /detect/{uuid}", 0) + routes["GET /detect"]
    assert routes["GET /detect"] >= 2  # the preflight, then list rounds
    assert polls <= 8  # each detect needs two reads: 24 single GETs otherwise


def test_a_lone_straggler_is_fetched_by_itself(
    tmp_path: Path, review: Review, sandbox_factory: type
) -> None:
    sandbox = sandbox_factory(progress="polls:2")
    write_wavs(tmp_path / "evidence", 1)
    run = review(sandbox, tmp_path / "evidence", strategy="single")
    assert run.progress.counts == {"completed": 1}
    routes = _routes(sandbox)
    assert routes["GET /detect/{uuid}"] == 2
    assert routes["GET /detect"] == 1  # only the preflight


def test_polling_backs_off_while_nothing_finishes(
    tmp_path: Path, review: Review, sandbox_factory: type
) -> None:
    sandbox = sandbox_factory(progress="time", latency=2.5)
    write_wavs(tmp_path / "evidence", 3)
    run = review(sandbox, tmp_path / "evidence", poll_interval=(0.1, 1.0))
    assert run.progress.counts == {"completed": 3}
    # rounds at 0.1, 0.25, 0.47, 0.81, 1.0, 1.0... : about 6 in 2.5 s, not 25
    assert _routes(sandbox)["GET /detect/batch/{uuid}"] <= 8


def test_items_show_processing_while_the_server_works(
    tmp_path: Path, case: Case, review: Review, sandbox_factory: type
) -> None:
    sandbox = sandbox_factory(progress="polls:3")
    write_wavs(tmp_path / "evidence", 1)
    seen: set[str] = set()
    run = review(sandbox, tmp_path / "evidence", strategy="single", wait=False)
    run.subscribe(lambda event: seen.add(event.item.state) if event.item else None)
    run.wait(30)
    assert run.progress.counts == {"completed": 1}
    assert "processing" in seen or "submitted" in seen


def test_a_detect_deleted_on_the_server_fails_with_the_reason(
    tmp_path: Path, case: Case, review: Review, sandbox_factory: type
) -> None:
    sandbox = sandbox_factory(progress="time", latency=30.0)
    write_wavs(tmp_path / "evidence", 1)
    run = review(sandbox, tmp_path / "evidence", strategy="single", wait=False)
    deadline = time.monotonic() + 20
    jobs = []
    while not jobs and time.monotonic() < deadline:
        jobs = case.ledger.jobs_in_state("submitted")
        time.sleep(0.02)
    uuid = jobs[0].detect_uuid
    assert uuid is not None
    client_for(sandbox).delete_detect(uuid)
    run.wait(30)
    item = run.items()[0]
    assert item.state == "failed"
    assert str(item.error).startswith(f"clip000.wav: detect {uuid} no longer exists")
    assert "HTTP 404" in str(item.error)
