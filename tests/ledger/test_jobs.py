"""Jobs: one per item and options, checked state moves, committed before the next step."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from resemble_nb.ledger import (
    STATES,
    TERMINAL_STATES,
    TRANSITIONS,
    InvalidTransition,
    JobSpec,
    Ledger,
    LedgerError,
    ResultRecord,
)
from resemble_nb.media import MediaItem

from .conftest import make_item, spec


@pytest.fixture
def item(ledger: Ledger) -> MediaItem:
    one = make_item(1)
    ledger.add_items([one])
    return one


def test_ensure_job_creates_once_then_returns_the_same_job(ledger: Ledger, item: MediaItem) -> None:
    job, created = ledger.ensure_job(spec(item))
    assert created and job.state == "pending" and job.attempts == 0
    assert (job.strategy, job.source, job.options) == ("batch", "sandbox", {"intelligence": True})
    assert job.created_at.tzinfo is not None and job.completed_at is None
    again, created_again = ledger.ensure_job(spec(item, strategy="single"))
    assert (again.id, created_again, again.strategy) == (job.id, False, "batch")
    other, created_other = ledger.ensure_job(spec(item, key="k2"))
    assert created_other and other.id != job.id  # other options: another detect
    assert ledger.job_for(item.sha256, "k1") == job


def test_completed_items_are_not_redone_unless_forced(ledger: Ledger, item: MediaItem) -> None:
    job, _ = ledger.ensure_job(spec(item))
    ledger.mark_submitting(job.id)
    ledger.mark_submitted(job.id, detect_uuid="d-1")
    ledger.mark_completed(job.id, ResultRecord(label="real", score=0.1))
    same, created = ledger.ensure_job(spec(item))
    assert not created and same.state == "completed"
    fresh, forced = ledger.ensure_job(spec(item), force=True)
    assert forced and fresh.id > job.id and fresh.state == "pending"
    assert ledger.job_for(item.sha256, "k1").id == fresh.id  # type: ignore[union-attr]
    assert [j.id for j in ledger.jobs_for_item(item.sha256)] == [job.id, fresh.id]
    in_flight, created = ledger.ensure_job(spec(item), force=True)
    assert not created and in_flight.id == fresh.id  # never two in flight


def test_ensure_jobs_in_bulk_answers_as_one_at_a_time(ledger: Ledger) -> None:
    """Many specs at once (set-based, issue 24): existing jobs found, new ones made in
    order, a spec given twice gets the first mention's job, forcing spares jobs in flight,
    and an unknown item is named."""
    items = [make_item(n) for n in range(6)]
    ledger.add_items(items)
    first, _ = ledger.ensure_job(spec(items[0]))
    done, _ = ledger.ensure_job(spec(items[1]))
    ledger.mark_submitting(done.id)
    ledger.mark_submitted(done.id, detect_uuid="d-1")
    ledger.mark_completed(done.id, ResultRecord(label="real", score=0.1))
    wanted = [spec(items[2]), spec(items[0]), spec(items[1]), spec(items[2]), spec(items[3])]
    got = ledger.ensure_jobs(wanted)
    assert [created for _job, created in got] == [True, False, False, False, True]
    assert got[1][0] == first and got[2][0].id == done.id
    assert got[0][0] == got[3][0] and got[0][0].id < got[4][0].id  # made in order
    forced = ledger.ensure_jobs([spec(items[0]), spec(items[1]), spec(items[1])], force=True)
    assert [c for _j, c in forced] == [False, True, False]  # in flight stays; done redone
    assert forced[1][0].id == forced[2][0].id != done.id
    stranger = make_item(99)
    with pytest.raises(LedgerError, match=stranger.sha256):
        ledger.ensure_jobs([spec(items[4]), spec(stranger), spec(items[5])])
    assert ledger.job_for(items[4].sha256, "k1") is None  # nothing of that call was kept


def test_the_file_refuses_two_jobs_in_flight_for_one_item_and_options(
    ledger: Ledger,
    item: MediaItem,
) -> None:
    ledger.create_jobs([spec(item)])
    with pytest.raises(LedgerError, match="already has a job in flight"):
        ledger.create_jobs([spec(item)])
    with pytest.raises(LedgerError, match="add_items first"):
        ledger.create_jobs([JobSpec("e" * 64, "k1", "batch", "api")])


def test_a_failed_job_retries_on_its_own_row_but_not_beside_a_new_one(
    ledger: Ledger, item: MediaItem
) -> None:
    job, _ = ledger.ensure_job(spec(item))
    ledger.mark_failed(job.id, "HTTP 500 from the server")
    retry, _ = ledger.ensure_job(spec(item), force=True)
    with pytest.raises(LedgerError, match="in flight"):
        ledger.mark_pending(job.id, "retry")
    ledger.mark_cancelled(retry.id)
    ledger.mark_pending(job.id, "retry")
    assert ledger.job(job.id).state == "pending" and ledger.job(job.id).error == "retry"


def test_the_submit_path_records_attempts_names_and_times(ledger: Ledger, item: MediaItem) -> None:
    job, _ = ledger.ensure_job(spec(item, strategy="single"))
    ledger.mark_uploading(job.id)
    ledger.mark_submitting(job.id, {job.id: "call.wav"})
    marked = ledger.job(job.id)
    assert marked.state == "submitting" and marked.attempts == 1
    assert marked.submit_name == "call.wav" and marked.submitting_at is not None
    ledger.mark_pending(job.id, "connection refused before sending")  # never reached the server
    ledger.mark_submitting(job.id, {job.id: "call.wav"})
    assert ledger.job(job.id).attempts == 2
    ledger.mark_submitted(job.id, detect_uuid="d-9")
    submitted = ledger.job(job.id)
    assert submitted.detect_uuid == "d-9" and submitted.submitted_at is not None
    assert submitted.submitted_at >= submitted.submitting_at  # type: ignore[operator]
    assert ledger.job_for_detect("d-9") == submitted


def test_batch_jobs_move_together_and_learn_their_detects(ledger: Ledger) -> None:
    items = [make_item(n) for n in range(5)]
    ledger.add_items(items)
    ids = ledger.create_jobs(spec(i) for i in items)
    ledger.mark_submitting(ids, {i: f"f{i}.wav" for i in ids})
    ledger.mark_submitted(ids, batch_uuid="batch-1")
    first = ledger.job(ids[0]).submitted_at
    ledger.assign_detects({job_id: f"det-{job_id}" for job_id in ids})
    jobs = ledger.jobs_in_batch("batch-1")
    assert [j.detect_uuid for j in jobs] == [f"det-{i}" for i in ids]
    assert all(j.state == "submitted" and j.submitted_at == first for j in jobs)
    assert [j.submit_name for j in jobs] == [f"f{i}.wav" for i in ids]
    with pytest.raises(ValueError, match="one detect"):
        ledger.mark_submitted(ids, detect_uuid="x")


def test_a_402_fails_every_job_of_its_batch_at_once(ledger: Ledger) -> None:
    items = [make_item(n) for n in range(3)]
    ledger.add_items(items)
    ids = ledger.create_jobs(spec(i) for i in items)
    ledger.mark_submitting(ids)
    ledger.mark_failed(ids, "insufficient balance (HTTP 402) for this batch")
    assert {j.state for j in ledger.jobs_in_state("failed")} == {"failed"}
    assert len(ledger.jobs_in_state("failed")) == 3
    assert all(j.completed_at is not None for j in ledger.jobs_in_state("failed"))


def test_a_bad_move_in_a_group_moves_nothing(ledger: Ledger) -> None:
    items = [make_item(n) for n in range(3)]
    ledger.add_items(items)
    ids = ledger.create_jobs(spec(i) for i in items)
    ledger.mark_skipped(ids[2], "too large for detect_watermark")
    with pytest.raises(InvalidTransition, match=f"job {ids[2]} is skipped"):
        ledger.mark_submitting(ids)
    assert [ledger.job(i).state for i in ids] == ["pending", "pending", "skipped"]
    with pytest.raises(LedgerError, match="no job 999"):
        ledger.mark_uploading(999)


@pytest.mark.parametrize("start", STATES)
def test_every_move_outside_the_transition_table_is_refused(
    ledger: Ledger,
    item: MediaItem,
    start: str,
) -> None:
    paths = {  # how to reach each state from pending
        "pending": [],
        "uploading": ["uploading"],
        "submitting": ["submitting"],
        "submitted": ["submitting", "submitted"],
        "completed": ["submitting", "submitted", "completed"],
        "failed": ["failed"],
        "skipped": ["skipped"],
        "cancelled": ["cancelled"],
    }
    movers = {
        "pending": lambda j: ledger.mark_pending(j),
        "uploading": lambda j: ledger.mark_uploading(j),
        "submitting": lambda j: ledger.mark_submitting(j),
        "submitted": lambda j: ledger.mark_submitted(j),
        "completed": lambda j: ledger.mark_completed(j, ResultRecord(label="fake")),
        "failed": lambda j: ledger.mark_failed(j, "x"),
        "skipped": lambda j: ledger.mark_skipped(j, "x"),
        "cancelled": lambda j: ledger.mark_cancelled(j),
    }
    for target in STATES:
        job = ledger.create_jobs([spec(item, key=f"{start}-{target}")])[0]
        for step in paths[start]:
            movers[step](job)
        assert ledger.job(job).state == start
        if target in TRANSITIONS[start]:  # type: ignore[index]
            movers[target](job)
            assert ledger.job(job).state == target
        else:
            with pytest.raises(InvalidTransition, match=f"is {start}; it cannot become {target}"):
                movers[target](job)
            assert ledger.job(job).state == start
        if ledger.job(job).state not in TERMINAL_STATES:
            ledger.mark_cancelled(job)  # leave nothing in flight for the next key


def test_errors_are_scrubbed_of_tokens(ledger: Ledger, item: MediaItem) -> None:
    job, _ = ledger.ensure_job(spec(item))
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1cGxvYWQifQ.c2lnbmF0dXJlLXZhbHVl"
    ledger.mark_failed(job.id, f"token {token} expired; Bearer sk_live_abcdefghijklmnop1234")
    error = ledger.job(job.id).error or ""
    assert token not in error and "sk_live" not in error and "[redacted]" in error


def test_queries_by_state_and_counts(ledger: Ledger) -> None:
    items = [make_item(n) for n in range(4)]
    ledger.add_items(items)
    ids = ledger.create_jobs(spec(i) for i in items[:3])
    ledger.mark_submitting(ids[:2])
    ledger.mark_submitted(ids[1])
    assert [j.id for j in ledger.jobs_in_state("submitting", "submitted")] == ids[:2]
    assert [j.id for j in ledger.jobs_in_state(source="api")] == []
    assert len(ledger.jobs_in_state()) == 3
    with pytest.raises(ValueError, match="unknown job state"):
        ledger.jobs_in_state("done")  # type: ignore[arg-type]
    assert ledger.state_counts() == {"submitting": 1, "submitted": 1, "pending": 1, "new": 1}


_KILL_AFTER_MARK = textwrap.dedent(
    """
    import os, signal, sys
    from resemble_nb.ledger import JobSpec, Ledger
    from resemble_nb.media import MediaItem
    from pathlib import Path

    ledger = Ledger(sys.argv[1])
    item = MediaItem("a" * 64, 10, "audio", "audio/wav", ".wav", 1.0, (Path("/e/a.wav"),))
    ledger.add_items([item])
    job, _ = ledger.ensure_job(JobSpec(item.sha256, "k", "single", "sandbox"))
    ledger.mark_submitting(job.id, {job.id: "a.wav"})
    print(job.id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # the create request would go out now
    """
)


def test_a_mark_survives_the_process_being_killed(case: Path) -> None:
    """SIGKILL right after mark_submitting: the next process sees the job as submitting."""
    path = case / "ledger.sqlite"
    run = subprocess.run(
        [sys.executable, "-c", _KILL_AFTER_MARK, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert run.returncode == -signal.SIGKILL, run.stderr
    job_id = int(run.stdout.split()[0])
    with Ledger(path) as ledger:
        job = ledger.job(job_id)
        assert (job.state, job.attempts, job.submit_name) == ("submitting", 1, "a.wav")
        assert job.submitting_at is not None
        assert job.submitting_at.timestamp() <= time.time()
