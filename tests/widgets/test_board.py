"""JobBoard against a run double that follows the engine interface.

The engine calls the board from its own thread; these tests do the same.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from resemble_nb.widgets import JobBoard
from resemble_nb.widgets._board_render import eta_text, pick_rows, summary_text, table_html

from .conftest import widget_states
from .widget_doubles import FakeRun, in_thread


def names(n: int) -> list[str]:
    return [f"clip{i:04d}.wav" for i in range(n)]


def complete_all(run: FakeRun, fail_every: int = 0) -> None:
    for i, key in enumerate(run.keys):
        run.advance(key, "uploading")
        run.advance(key, "processing")
        if fail_every and i % fail_every == 0:
            run.advance(key, "failed", error=f"HTTP 400 for clip{i:04d}.wav: corrupt media")
        else:
            run.advance(key, "completed", label="likely_fake", score=0.75)
    run.finish()


def descendants(widget: Any) -> list[Any]:
    out, stack = [], [widget]
    while stack:
        w = stack.pop()
        out.append(w)
        stack.extend(getattr(w, "children", ()))
    return out


def test_starts_at_zero_and_text_repr_reads_like_tqdm() -> None:
    run = FakeRun(names(4))
    board = JobBoard(run)
    try:
        assert repr(board) == "JobBoard: ▕          ▏ 0% 0/4 — completed 0"
        assert board._bar.value == 0.0
        assert "pending <b>4</b>" in board._counts.value
        assert "of 4 items" in board._header.value
    finally:
        board.close()


def test_reaches_100_percent_with_the_right_counts() -> None:
    run = FakeRun(names(20))
    board = JobBoard(run)

    in_thread(lambda: complete_all(run, fail_every=10))
    board.wait(5)

    assert board._bar.value == 1.0
    assert board._bar.bar_style == "warning"  # finished, with failures
    assert repr(board) == "JobBoard: ▕██████████▏ 100% 20/20 — completed 18, failed 2"
    assert "completed <b>18</b>" in board._counts.value
    assert "failed <b>2</b>" in board._counts.value
    assert "100%</b> 20/20" in board._fraction.value
    assert "finished in" in board._header.value
    assert "Failed (2):" in board._problems.value
    assert "HTTP 400 for clip0000.wav: corrupt media" in board._problems.value
    assert board._cancel.disabled
    assert run.unsubscribed == 1  # let go of the run at the end
    assert board._thread is not None and not board._thread.is_alive()


def test_all_completed_turns_the_bar_green() -> None:
    run = FakeRun(names(3))
    board = JobBoard(run)
    in_thread(lambda: complete_all(run))
    board.wait(5)
    assert board._bar.bar_style == "success"
    assert repr(board) == "JobBoard: ▕██████████▏ 100% 3/3 — completed 3"


def test_a_burst_of_events_costs_a_handful_of_pushes(comm_log: list[Any]) -> None:
    run = FakeRun(names(1000))
    board = JobBoard(run)  # interval 0.25 s: at most 4 pushes a second
    watched = {id(w.comm): w for w in descendants(board) if w.comm is not None}
    comm_log.clear()
    start = time.monotonic()

    in_thread(lambda: complete_all(run, fail_every=200))  # 3,001 events
    board.wait(10)
    elapsed = time.monotonic() - start

    assert board.events_seen == 3001
    budget = 3 + 4 * elapsed  # initial state, first push of the burst, final push, 4/s
    assert 1 <= board.updates_sent <= budget, (board.updates_sent, elapsed)
    updates = [m for _, m in comm_log if isinstance(m, dict) and m.get("method") == "update"]
    # each push sends at most one message per board widget (hold_sync batches traits)
    assert len(updates) <= board.updates_sent * len(watched)
    assert board._bar.value == 1.0


def test_a_steady_stream_is_shown_live_yet_throttled() -> None:
    run = FakeRun(names(60))
    board = JobBoard(run, interval=0.25)
    seen: list[float] = []

    def slow() -> None:
        for key in run.keys:
            run.advance(key, "completed", label="real", score=0.1)
            seen.append(board._bar.value)
            time.sleep(0.02)  # 60 items over ~1.2 s
        run.finish()

    start = time.monotonic()
    in_thread(slow)
    board.wait(5)
    elapsed = time.monotonic() - start

    assert any(0 < v < 1 for v in seen)  # updates arrived while the run was going
    assert board.updates_sent <= 3 + 4 * elapsed


def test_table_is_bounded_failures_first_then_in_flight_then_recent() -> None:
    run = FakeRun(names(1000))
    keys = run.keys
    for i, key in enumerate(keys):
        if i < 5:
            run.advance(key, "failed", error="boom")
        elif i < 25:
            run.advance(key, "processing")
        elif i < 995:
            run.advance(key, "completed", label="real", score=0.05)
    items = run.items()

    rows, hidden = pick_rows(items, max_rows=25)

    assert [r.state for r in rows[:5]] == ["failed"] * 5
    assert [r.state for r in rows[5:15]] == ["processing"] * 10
    assert [r.state for r in rows[15:]] == ["completed"] * 25
    assert hidden == 1000 - 40
    html = table_html(items, 25)
    assert html.count("<tr>") == 41  # header + 40 rows
    assert "… and 960 more" in html
    assert len(html) < 12_000  # small, however big the run


def test_recent_completions_come_first() -> None:
    run = FakeRun(["a.wav", "b.wav", "c.wav"])
    for key in run.keys:
        run.advance(key, "completed", score=0.3, label="uncertain")
    rows, hidden = pick_rows(run.items(), max_rows=2)
    assert [r.name for r in rows] == ["c.wav", "b.wav"]
    assert hidden == 1


def test_file_names_and_reasons_are_escaped() -> None:
    run = FakeRun(["<script>alert(1)</script>.wav"])
    run.advance(run.keys[0], "failed", error="<b>bad</b>")
    html = table_html(run.items(), 25)
    assert "<script>" not in html and "&lt;script&gt;" in html
    board = JobBoard(run)
    try:
        assert "<b>bad</b>" not in board._problems.value
        assert "&lt;b&gt;bad&lt;/b&gt;" in board._problems.value
    finally:
        board.close()


def test_cancel_button_cancels_the_run_while_it_works() -> None:
    run = FakeRun(names(200))
    board = JobBoard(run)
    working = threading.Event()  # the engine has finished some items and is mid-run
    clicked = threading.Event()

    def engine() -> None:  # keeps working until cancelled, as the engine would
        for i, key in enumerate(run.keys):
            if run.cancel_calls:
                break
            run.advance(key, "completed", score=0.2, label="likely_real")
            if i == 49:
                working.set()
                clicked.wait(10)  # mid-run when the click lands, whatever the scheduler does

    worker = threading.Thread(target=engine, daemon=True)
    worker.start()
    assert working.wait(10)
    board._cancel.click()  # from the kernel's thread, while the engine thread runs
    clicked.set()
    worker.join(10)
    assert not worker.is_alive()
    board.wait(5)

    assert run.cancel_calls == 1
    assert board._cancel.disabled
    counts = run.progress.counts
    assert counts["cancelled"] > 0 and counts["completed"] > 0
    assert counts["cancelled"] + counts["completed"] == 200
    assert board._bar.bar_style == "danger"
    assert f"cancelled {counts['cancelled']}" in repr(board)
    assert "cancelled; finished in" in board._header.value


def test_a_run_already_finished_is_shown_at_once_without_a_thread() -> None:
    run = FakeRun(names(3))
    complete_all(run)
    board = JobBoard(run)
    assert board._thread is None
    assert board._bar.value == 1.0 and board._bar.bar_style == "success"
    assert board.wait() is board


def test_the_engine_never_sees_an_exception_from_the_board() -> None:
    run = FakeRun(names(1))
    board = JobBoard(run)
    try:
        assert board._on_event(object()) is None  # type: ignore[arg-type, func-returns-value]
        in_thread(lambda: complete_all(run))  # and the board still follows the run
        board.wait(5)
        assert board._bar.value == 1.0 and board._bar.bar_style == "success"
        assert repr(board) == "JobBoard: ▕██████████▏ 100% 1/1 — completed 1"
    finally:
        board.close()


class BrokenRun(FakeRun):
    def items(self) -> list[Any]:
        raise RuntimeError("ledger is locked")


def test_errors_go_to_the_output_widget_not_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    run = BrokenRun(names(2))
    board = JobBoard(run)
    in_thread(lambda: complete_all(run))
    board.wait(5)

    outputs = board._errors.outputs
    assert len(outputs) == 1  # reported once, not at every push
    assert outputs[0]["name"] == "stderr"
    assert "RuntimeError: ledger is locked" in outputs[0]["text"]
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_mimebundle_has_the_widget_and_a_text_fallback() -> None:
    run = FakeRun(names(2))
    complete_all(run)
    board = JobBoard(run)
    bundle = board._repr_mimebundle_()
    assert bundle["text/plain"] == "JobBoard: ▕██████████▏ 100% 2/2 — completed 2"
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == board.model_id


def test_sandbox_runs_carry_a_banner() -> None:
    run = FakeRun(names(1))
    run.source = "sandbox"  # type: ignore[attr-defined]
    complete_all(run)
    assert "SANDBOX" in JobBoard(run)._banner.value
    plain = FakeRun(names(1))
    complete_all(plain)
    assert JobBoard(plain)._banner.value == ""


def test_close_stops_the_thread_and_unsubscribes() -> None:
    run = FakeRun(names(5))
    board = JobBoard(run)
    board.close()
    assert board._thread is not None and not board._thread.is_alive()
    assert run.unsubscribed == 1


def test_summary_text_counts_only_what_happened() -> None:
    run = FakeRun(names(1000))
    for i, key in enumerate(run.keys[:450]):
        state = "failed" if i < 5 else "skipped" if i < 10 else "completed"
        run.advance(key, state)
    assert summary_text(run.progress) == (
        "▕████▌     ▏ 45% 450/1000 — completed 440, failed 5, skipped 5"
    )


# -- against a real review on the sandbox ----------------------------------------------

SAMPLES = Path(__file__).resolve().parents[2] / "resemble_nb" / "samples"
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")


def test_a_real_review_of_the_samples_reaches_100_percent(real_case: Any, client: Any) -> None:
    run = real_case.review([SAMPLES], client=client, display=False)
    board = JobBoard(run)
    run.wait(60)
    board.wait(10)

    counts = run.progress.counts
    assert run.progress.total == 7  # five good media files, a damaged wav, a text file
    assert counts.get("completed") == 5
    assert counts.get("failed", 0) + counts.get("skipped", 0) == 2
    assert board._bar.value == 1.0
    assert repr(board) == f"JobBoard: {summary_text(run.progress)}"
    assert repr(board).startswith("JobBoard: ▕██████████▏ 100% 7/7 — completed 5, ")
    assert "notes.txt" in board._problems.value and "damaged.wav" in board._problems.value
    assert "SANDBOX" in board._banner.value  # results from the sandbox say so
    statuses = real_case.results()["status"].astype(str).value_counts().to_dict()
    assert statuses.get("completed") == 5
    assert board._cancel.disabled


def test_cancel_stops_a_long_review(sandbox_factory: Any, real_case: Any) -> None:
    from resemble_nb.api import Client

    slow = sandbox_factory(progress="time", latency=5)
    with Client(api_key=slow.api_key, base_url=slow.base_url) as api:
        start = time.monotonic()
        run = real_case.review([SAMPLES], client=api, display=False)
        board = JobBoard(run)
        deadline = time.monotonic() + 4
        while run.progress.finished < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # the two bad files end at once; the rest take 5 s
        assert not run.done
        board._cancel.click()
        run.wait(10)
        board.wait(10)
        took = time.monotonic() - start

    assert took < 5  # the sandbox would have taken 5 s to finish these jobs
    counts = run.progress.counts
    assert counts.get("cancelled", 0) >= 1
    assert counts.get("completed", 0) == 0
    assert board._bar.bar_style == "danger"
    assert f"cancelled {counts['cancelled']}" in repr(board)
    assert run.progress.finished == run.progress.total == 7
    assert real_case.results()["status"].astype(str).eq("cancelled").sum() == counts["cancelled"]


def test_no_widget_state_holds_the_key_or_a_media_token(
    real_case: Any, client: Any, sandbox: Any
) -> None:
    from resemble_nb.widgets import TriageBoard, UploadPicker

    run = real_case.review([SAMPLES], client=client, display=False, strategy="single")
    board = JobBoard(run)
    run.wait(60)
    board.wait(10)
    triage = TriageBoard(real_case, threshold=0.0)
    triage._buttons["inconclusive"].click()
    UploadPicker(real_case)

    state = widget_states()
    assert sandbox.api_key not in state
    assert not JWT.search(state)  # secure-upload tokens are JWTs
    assert sandbox.api_key not in repr(board) + repr(triage)


def test_the_bar_moves_while_items_are_processed_before_any_finishes() -> None:
    run = FakeRun(names(60))
    board = JobBoard(run, heartbeat=60)
    try:
        for key in run.keys[:30]:
            run.advance(key, "uploading")
        for key in run.keys[:10]:
            run.advance(key, "processing")
        board._push()  # what the board thread does at its next tick
        assert run.progress.finished == 0
        assert 0.05 < board._bar.value < 0.5
        assert "0/60 finished" in board._fraction.value
        assert "uploading <b>20</b>" in board._counts.value
        assert "processing <b>10</b>" in board._counts.value
    finally:
        board.close()


def test_eta_from_the_pace_so_far() -> None:
    assert eta_text(10.0, 0.25) == "about 30 s left"
    assert eta_text(60.0, 0.5) == "about 1 min 00 s left"
    assert eta_text(1.0, 0.5) == ""  # too early to say
    assert eta_text(30.0, 0.01) == ""
    assert eta_text(30.0, 1.0) == ""


def test_a_cancelled_run_says_what_was_cancelled_and_cancel_goes_away() -> None:
    run = FakeRun(names(61))
    board = JobBoard(run)
    for key in run.keys[:3]:
        run.advance(key, "completed", score=0.4, label="uncertain")
    run.advance(run.keys[3], "failed", error="HTTP 400: corrupt media")
    board._cancel.click()
    board.wait(5)
    assert board._bar.bar_style == "danger"
    assert board._bar.value == pytest.approx(4 / 61)  # not a full red bar
    assert "<b>Cancelled</b>: 57 of 61 not analysed; 3 completed, 1 failed" in (
        board._fraction.value
    )
    assert board._cancel.layout.display == "none"


def test_every_finished_row_is_reachable_and_sortable_by_score() -> None:
    run = FakeRun(names(61))
    board = JobBoard(run, max_rows=25)
    for i, key in enumerate(run.keys):
        run.advance(key, "completed", score=round((i * 37 % 61) / 61, 3), label="uncertain")
    run.finish()
    board.wait(5)
    board._order.value = "score"
    seen: list[str] = []
    scores: list[float] = []
    for page in range(3):
        assert f"page {page + 1} of 3" in board._page_text.value
        cells = re.findall(r"<td>(clip\d+\.wav)</td>.*?<td class='num'>([\d.]+)</td>",
                           board._table.value)  # fmt: skip
        seen += [name for name, _ in cells]
        scores += [float(score) for _, score in cells]
        board._page_on.click()
    assert sorted(seen) == sorted(names(61)) and len(seen) == 61
    assert scores == sorted(scores, reverse=True)
    assert board._page_on.disabled and not board._page_back.disabled


def _batch_item(name: str, started: float, finished: float) -> Any:
    from datetime import datetime, timedelta, timezone

    from resemble_nb.engine import ItemStatus

    t0 = datetime(2026, 11, 30, 17, 0, 0, tzinfo=timezone.utc)
    return ItemStatus(
        key=name,
        name=name,
        media_type="audio",
        state="completed",
        label="real",
        score=0.1,
        started_at=t0 + timedelta(seconds=started),
        finished_at=t0 + timedelta(seconds=finished),
    )


def test_finished_table_says_when_each_batch_ended_and_that_it_was_a_batch() -> None:
    """Two batches of equal length and one single upload: the finished clock time tells
    the batches apart, and the shared time at the service is named as the batch's."""
    first = [_batch_item(f"a{i}.wav", 0, 12.3) for i in range(3)]
    second = [_batch_item(f"b{i}.wav", 20, 32.3) for i in range(2)]
    alone = [_batch_item("single.mp4", 5, 9.1)]
    html = table_html(first + second + alone, 25, order="name")

    rows = re.findall(r"<tr><td>(.*?)</td>.*?</tr>", html)
    assert rows == ["a0.wav", "a1.wav", "a2.wav", "b0.wav", "b1.wav", "single.mp4"]
    cells = re.findall(r"<td class='num'>([^<]*)</td><td class='num'>([^<]*)</td></tr>", html)
    finished = [f for f, _ in cells]
    took = [t for _, t in cells]
    assert finished == ["17:00:12 UTC"] * 3 + ["17:00:32 UTC"] * 2 + ["17:00:09 UTC"]
    assert took == ["batch of 3: 12 s"] * 3 + ["batch of 2: 12 s"] * 2 + ["4.1 s"]
    assert len(set(finished)) == 3  # not one repeated value across the run
    assert "<th>finished</th>" in html and "elapsed" not in html


def test_a_real_tracker_stamps_a_batch_together_and_a_cancelled_pending_item_is_no_batch() -> None:
    from resemble_nb.engine import ItemStatus
    from resemble_nb.engine._state import Tracker

    tracker = Tracker()
    tracker.add(
        ItemStatus(key=k, name=f"{k}.wav", media_type="audio", state="pending") for k in "abcd"
    )
    tracker.move(["a", "b", "c"], "submitting")  # one POST /detect/batch
    for key in "abc":
        tracker.move([key], "completed", label="real", score=0.1)
    tracker.move(["d"], "cancelled", error="cancelled before it was sent")
    items = {i.key: i for i in tracker.snapshot()}
    html = table_html(list(items.values()), 25, order="name")
    assert html.count("batch of 3: ") == 3
    assert html.count("batch of") == 3  # d never ran: no batch, no time
    assert "UTC" in html


def test_labels_are_words_not_identifiers() -> None:
    """The job board says 'Likely fake', never the API's 'likely_fake' (issue 20 item 4)."""
    run = FakeRun(["a.wav"])
    (key,) = run.keys
    run.advance(key, "completed", score=0.75, label="likely_fake")
    html = table_html(run.items(), 25)
    assert "Likely fake" in html and "likely_fake" not in html
