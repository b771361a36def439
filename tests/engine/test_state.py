"""Item statuses, progress counts and the thread-safe board views read."""

from __future__ import annotations

import threading

from resemble_nb.engine import ItemStatus, Progress, RunEvent
from resemble_nb.engine._state import Tracker


def test_progress_counts_and_text() -> None:
    progress = Progress(
        total=20, counts={"completed": 10, "failed": 1, "skipped": 1, "submitted": 8}
    )
    assert progress.finished == 12 and progress.in_flight == 8
    assert progress.fraction == 0.6
    assert progress.describe() == "12/20 done (completed 10, failed 1, skipped 1) — 8 in flight"
    assert Progress(total=0).fraction == 1.0


def test_terminal_states_are_final() -> None:
    tracker = Tracker()
    tracker.add([ItemStatus("k", "a.wav", "audio", "pending")])
    tracker.move(["k"], "submitted")
    tracker.move(["k"], "completed", label="fake", score=0.9)
    tracker.move(["k"], "failed", error="late news")
    status = tracker.get("k")
    assert status is not None
    assert (status.state, status.label, status.score, status.error) == (
        "completed",
        "fake",
        0.9,
        None,
    )
    assert status.started_at is not None and status.finished_at is not None
    assert tracker.progress().counts == {"completed": 1}


def test_replace_swaps_placeholders_for_items() -> None:
    tracker = Tracker()
    tracker.add(ItemStatus(f"/ev/{n}.wav", f"{n}.wav", None, "inspecting") for n in ("a", "b", "c"))
    tracker.replace(
        ["/ev/a.wav", "/ev/b.wav", "/ev/c.wav"],
        [ItemStatus("sha-ab", "a.wav", "audio", "pending"),
         ItemStatus("/ev/c.wav", "c.wav", None, "skipped", error="not media")],
    )  # fmt: skip
    assert tracker.progress() == Progress(total=2, counts={"pending": 1, "skipped": 1})
    assert sorted(tracker.keys()) == ["/ev/c.wav", "sha-ab"]


def test_subscribers_get_events_and_a_bad_one_is_ignored() -> None:
    tracker = Tracker()
    events: list[RunEvent] = []

    def bad(event: RunEvent) -> None:
        raise RuntimeError("boom")

    tracker.subscribe(bad)
    unsubscribe = tracker.subscribe(events.append)
    tracker.add([ItemStatus("k", "a.wav", "audio", "pending")])
    tracker.move(["k"], "completed")
    tracker.finish()
    assert [e.kind for e in events] == ["item", "item", "finished"]
    assert events[1].item is not None and events[1].item.state == "completed"
    assert events[2].progress.finished == 1
    unsubscribe()
    tracker.finish()
    assert len(events) == 3


def test_snapshots_are_safe_while_the_engine_writes() -> None:
    tracker = Tracker()
    tracker.add(ItemStatus(str(n), f"{n}.wav", "audio", "pending") for n in range(500))
    stop = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            while not stop.is_set():
                items = tracker.snapshot()
                progress = tracker.progress()
                assert len(items) == 500 and progress.total == 500
                assert sum(progress.counts.values()) == 500
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    for n in range(500):
        tracker.move([str(n)], "submitted")
        tracker.move([str(n)], "completed")
    stop.set()
    reader.join()
    assert errors == []
    assert tracker.progress().counts == {"completed": 500}
