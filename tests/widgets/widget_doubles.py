"""Doubles for the widget tests, written to the engine interface (Case / Run contract).

``FakeRun`` and ``FakeCase`` follow the widgets' protocols (``widgets/_protocols.py``),
built from the engine's own ``ItemStatus``, ``Progress`` and ``RunEvent`` and the one list
of states, labels and verdicts, so the widget logic can be unit-tested without the engine.
Integration tests against the real ``Case`` live beside them.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from resemble_nb import api, frames, ledger
from resemble_nb.engine import STATES, TERMINAL, ItemStatus, Progress, RunEvent

LABELS = list(api.LABELS)
VERDICTS = list(ledger.VERDICTS)
T0 = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)


class FakeRun:
    """A run whose items a test moves by hand; events go to subscribers synchronously
    from whatever thread calls ``advance`` (use ``in_thread`` to be the engine)."""

    def __init__(self, names: Sequence[str], media_type: str = "audio") -> None:
        self._lock = threading.Lock()
        self._items = {
            f"k{i}": ItemStatus(f"k{i}", name, media_type, "pending")
            for i, name in enumerate(names)
        }
        self._subscribers: list[Callable[[RunEvent], None]] = []
        self._done = threading.Event()
        self.cancel_calls = 0
        self._clock = itertools.count(1)  # each change one second after the previous
        self.unsubscribed = 0

    # the interface ------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def progress(self) -> Progress:
        with self._lock:
            counts = dict.fromkeys(STATES, 0)
            for item in self._items.values():
                counts[item.state] += 1
            return Progress(len(self._items), counts)

    def items(self) -> list[ItemStatus]:
        with self._lock:
            return list(self._items.values())

    def subscribe(self, callback: Callable[[RunEvent], None]) -> Callable[[], None]:
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)
                self.unsubscribed += 1

        return unsubscribe

    def cancel(self) -> None:
        self.cancel_calls += 1
        for key, item in list(self._items.items()):
            if item.state not in TERMINAL:
                self.advance(key, "cancelled")
        self.finish()

    def wait(self, timeout: float | None = None) -> FakeRun:
        if not self._done.wait(timeout):
            raise TimeoutError("run not finished")
        return self

    # test controls ------------------------------------------------------------------
    @property
    def keys(self) -> list[str]:
        return list(self._items)

    def advance(self, key: str, state: str, **changes: Any) -> None:
        now = T0 + timedelta(seconds=next(self._clock))
        with self._lock:
            item = self._items[key]
            started = item.started_at or (now if state != "pending" else None)
            finished = now if state in TERMINAL else None
            item = replace(item, state=state, started_at=started, finished_at=finished, **changes)
            self._items[key] = item
        self._emit(RunEvent("item", item, self.progress))

    def finish(self) -> None:
        if not self._done.is_set():
            self._done.set()
            self._emit(RunEvent("finished", None, self.progress))

    def _emit(self, event: RunEvent) -> None:
        for callback in list(self._subscribers):
            callback(event)


def in_thread(work: Callable[[], None]) -> None:
    """Run ``work`` on another thread (as the engine would) and wait for it."""
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()


@dataclass
class FakeCase:
    """A case with a fixed results frame and an in-memory decision log."""

    folder: Path
    rows: list[dict[str, Any]]
    decisions_log: list[dict[str, Any]] = field(default_factory=list)
    segment_rows: list[dict[str, Any]] = field(default_factory=list)

    def results(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows)
        latest: dict[str, dict[str, Any]] = {}
        for d in self.decisions_log:
            latest[d["sha256"]] = d
        df["verdict"] = pd.Categorical(
            [latest.get(s, {}).get("verdict") for s in df["sha256"]], categories=VERDICTS
        )
        df["note"] = pd.array([latest.get(s, {}).get("note") for s in df["sha256"]], dtype="string")
        df["label"] = pd.Categorical(df["label"], categories=LABELS, ordered=True)
        df["score"] = pd.array(df["score"], dtype="Float64")
        return df

    def segments(self) -> pd.DataFrame:
        return pd.DataFrame(self.segment_rows, columns=list(frames.SEGMENT_COLUMNS))

    def decide(self, item: str, verdict: str, note: str = "", reviewer: str | None = None) -> None:
        if verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {verdict!r}")
        match = [r for r in self.rows if item in (r["sha256"], r["name"])]
        if not match:
            raise KeyError(item)
        self.decisions_log.append(
            {
                "sha256": match[0]["sha256"],
                "name": match[0]["name"],
                "verdict": verdict,
                "note": note,
                "reviewer": reviewer,
                "decided_at": datetime.now(timezone.utc),
            }
        )


def make_row(
    name: str,
    path: Path | None,
    score: float | None,
    label: str | None,
    media_type: str = "audio",
    **extra: Any,
) -> dict[str, Any]:
    sha = (name.encode().hex() * 8)[:64]
    row: dict[str, Any] = {
        "name": name,
        "path": str(path) if path else f"/nowhere/{name}",
        "paths": [str(path) if path else f"/nowhere/{name}"],
        "sha256": sha,
        "media_type": media_type,
        "size": 100,
        "duration": 2.0,
        "status": "completed" if score is not None else "failed",
        "label": label,
        "score": score,
        "audio_score": score,
        "video_score": None,
        "image_score": None,
        "consistency": None,
        "detect_uuid": f"uuid-{name}",
        "submitted_at": T0,
        "completed_at": T0,
        "error": None if score is not None else "boom",
        "source": "sandbox",
    }
    row.update(extra)
    return row


class RecordingComm:
    """Stands in for a kernel comm and records every message a widget sends."""

    comm_id = "test"
    kernel = "Truthy"
    log: list[tuple[float, dict[str, Any]]]

    def __init__(self, log: list[tuple[float, dict[str, Any]]]) -> None:
        self.log = log

    def open(self, *args: Any, **kwargs: Any) -> None:
        pass

    def on_msg(self, *args: Any, **kwargs: Any) -> None:
        pass

    def close(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        import time

        self.log.append((time.monotonic(), data))


def record_items(case: FakeCase) -> None:
    """Record ``case``'s rows in a real ledger in its folder, as a review would: the media
    route plays only items a case's ledger holds."""
    from types import SimpleNamespace

    from resemble_nb.ledger import Ledger

    items = []
    for row in case.rows:
        path = Path(row["path"])
        size = path.stat().st_size if path.is_file() else int(row["size"])
        items.append(
            SimpleNamespace(
                sha256=row["sha256"], size=size, media_type=row["media_type"], mime=None,
                extension=path.suffix.lower(), duration=row.get("duration"), paths=[path],
            )
        )  # fmt: skip
    ledger = Ledger(case.folder / "case.db")
    try:
        ledger.add_items(items)
    finally:
        ledger.close()
