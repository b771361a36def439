"""Run: starts at once, works in the background, reports, cancels, never freezes the caller."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from resemble_nb.case import Case
from resemble_nb.engine import TERMINAL, Run, RunEvent
from resemble_nb.sandbox import Sandbox

from .conftest import Review
from .helpers import FAST, SAMPLES, client_for, duplicates, states, write_wavs


def test_review_returns_at_once_and_wait_finishes(case: Case, sandbox: Sandbox) -> None:
    start = time.perf_counter()
    run = case.review(SAMPLES, client=client_for(sandbox), display=False, poll_interval=FAST)
    assert time.perf_counter() - start < 0.5
    assert run.wait(60) is run
    assert run.done and run.error is None
    assert run.progress.total == 7 and run.progress.finished == 7
    assert run.progress.counts == {"completed": 5, "failed": 1, "skipped": 1}
    assert repr(run) == "Run: 7/7 done (completed 5, failed 1, skipped 1)"
    assert run.source == "sandbox"


def test_items_have_names_states_and_results(review: Review, sandbox: Sandbox) -> None:
    run = review(sandbox, SAMPLES)
    by_name = {item.name: item for item in run.items()}
    speech = by_name["speech.wav"]
    assert speech.state == "completed" and speech.media_type == "audio"
    assert speech.label in ("real", "likely_real", "uncertain", "likely_fake", "fake")
    assert 0.0 <= (speech.score or -1) <= 1.0
    assert speech.started_at is not None and speech.finished_at is not None
    assert speech.elapsed is not None and speech.elapsed >= 0
    assert by_name["notes.txt"].state == "skipped" and "plain text" in str(
        by_name["notes.txt"].error
    )
    assert by_name["damaged.wav"].state == "failed"
    assert all(item.state in TERMINAL for item in run.items())


def test_run_results_are_this_runs_rows(case: Case, review: Review, sandbox: Sandbox) -> None:
    review(sandbox, SAMPLES / "speech.wav")
    run = review(sandbox, [SAMPLES / "street.jpg", SAMPLES / "notes.txt"])
    assert sorted(run.results()["name"]) == ["notes.txt", "street.jpg"]
    assert len(case.results()) == 3


def test_subscribers_see_every_change_from_the_engine_thread(case: Case, sandbox: Sandbox) -> None:
    events: list[RunEvent] = []
    threads: set[str] = set()

    def listen(event: RunEvent) -> None:
        events.append(event)
        threads.add(threading.current_thread().name)

    run = Run(case.ledger, SAMPLES, client_for(sandbox), poll_interval=FAST)
    run.subscribe(listen)
    run.start().wait(60)
    assert events[-1].kind == "finished" and events[-1].item is None
    assert events[-1].progress.finished == 7
    finals = {e.item.name: e.item.state for e in events if e.item is not None and e.item.terminal}
    assert finals == states(run)
    assert threads == {"resemble_nb-review"}


def test_unsubscribe_and_failing_callbacks_do_not_disturb_the_run(
    case: Case, sandbox: Sandbox
) -> None:
    seen: list[RunEvent] = []

    def broken(event: RunEvent) -> None:
        raise RuntimeError("a buggy view")

    run = Run(case.ledger, SAMPLES, client_for(sandbox), poll_interval=FAST)
    run.subscribe(broken)
    unsubscribe = run.subscribe(seen.append)
    unsubscribe()
    run.start().wait(60)
    assert seen == []
    assert run.error is None and run.progress.counts["completed"] == 5


def test_cancel_mid_run_keeps_submitted_detects_for_the_next_review(
    tmp_path: Path, sandbox_factory: type, case: Case
) -> None:
    sandbox = sandbox_factory(progress="time", latency=30.0)
    write_wavs(tmp_path / "evidence", 12)
    run = case.review(
        tmp_path / "evidence", client=client_for(sandbox), display=False, poll_interval=FAST
    )
    deadline = time.monotonic() + 20
    while sandbox.stats()["detects_created"] < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    run.cancel()
    run.wait(20)
    assert run.cancelled and run.progress.counts == {"cancelled": 12}
    assert all("cancelled before it finished" in str(i.error) for i in run.items())
    frame = case.results()
    assert (frame["status"] == "cancelled").all() and frame["detect_uuid"].notna().all()
    # the next review fetches those results instead of submitting again
    sandbox.advance_clock(31)
    again = case.review(
        tmp_path / "evidence", client=client_for(sandbox), display=False, poll_interval=FAST
    ).wait(30)
    assert again.progress.counts == {"completed": 12}
    assert sandbox.stats()["detects_created"] == 12
    assert duplicates(sandbox) == {}


def test_cancel_before_anything_was_sent(tmp_path: Path, case: Case, sandbox: Sandbox) -> None:
    write_wavs(tmp_path / "evidence", 3)
    run = Run(case.ledger, tmp_path / "evidence", client_for(sandbox), poll_interval=FAST)
    run.cancel()
    run.start().wait(10)
    assert run.done and sandbox.stats()["detects_created"] == 0


def test_wait_times_out_without_stopping_the_run(
    tmp_path: Path, sandbox_factory: type, case: Case
) -> None:
    sandbox = sandbox_factory(progress="time", latency=1.0)
    write_wavs(tmp_path / "evidence", 2)
    run = case.review(
        tmp_path / "evidence", client=client_for(sandbox), display=False, poll_interval=FAST
    )
    with pytest.raises(TimeoutError, match="still running"):
        run.wait(0.01)
    assert run.wait(30).progress.counts == {"completed": 2}


def test_the_calling_thread_stays_free_during_a_200_file_review(
    tmp_path: Path, sandbox_factory: type, case: Case
) -> None:
    """Kernel-style: a review returns at once and the caller keeps running while it works.

    The sandbox clock stands still (and with it the rate limit, so none is set): no detect
    can finish until the caller moves the clock, so on any machine the review is provably
    in the middle while the caller runs. How long a cell is held up is a figure, measured
    by benchmarks/responsiveness.py, not a timed assertion here.
    """
    now = [1_800_000_000.0]
    sandbox = sandbox_factory(progress="time", latency=1.0, clock=lambda: now[0], rate_limit=None)
    write_wavs(tmp_path / "evidence", 200, seconds=0.25)
    all_sent = threading.Event()

    def watch(event: RunEvent | None = None) -> None:
        counts = (event.progress if event else run.progress).counts
        if counts.get("submitted", 0) + counts.get("processing", 0) == 200:
            all_sent.set()

    run = case.review(
        tmp_path / "evidence", client=client_for(sandbox), display=False, poll_interval=FAST
    )
    unsubscribe = run.subscribe(watch)
    watch()  # in case every file went out before the subscription
    returned_while_working = not run.done  # nothing can be done before the clock moves
    ticks = 0
    for _ in range(30):
        sum(range(10_000))  # a cell doing a little work while the review works
        assert not run.done
        ticks += 1
    assert all_sent.wait(60), f"the review did not send every file: {run!r}"
    assert not run.done  # every detect is with the server, which waits for its clock
    sandbox.advance_clock(1.0)
    run.wait(60)
    unsubscribe()
    assert run.progress.counts == {"completed": 200}
    assert returned_while_working
    assert ticks > 20  # the caller kept running while the review was under way


def test_bad_arguments_are_refused_in_the_callers_thread(case: Case, sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    with pytest.raises(ValueError, match="strategy"):
        case.review(SAMPLES, client=client, strategy="fastest", display=False)
    with pytest.raises(ValueError, match="unknown detect option 'inteligence'"):
        case.review(SAMPLES, client=client, display=False, inteligence=True)
    with pytest.raises(ValueError, match="detect_watermark"):
        case.review(SAMPLES, client=client, display=False, strategy="batch", detect_watermark=True)
    with pytest.raises(TypeError, match="client"):
        case.review(SAMPLES, client="my-key", display=False)  # type: ignore[arg-type]


def test_no_key_or_token_in_reprs(case: Case, sandbox: Sandbox) -> None:
    run = case.review(SAMPLES, client=client_for(sandbox), display=False, poll_interval=FAST)
    run.wait(60)
    text = repr(run) + repr(run.items()) + repr(run.progress) + repr(case) + str(run.stats())
    assert sandbox.api_key not in text
    assert "eyJ" not in text
