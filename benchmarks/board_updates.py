"""How much a 1,000-item review costs the browser and the kernel through the JobBoard.

Feeds a JobBoard the event stream of a 1,000-item review from an "engine" thread (each
item goes pending -> uploading -> submitting -> submitted -> processing -> completed, 1%
failing), once as one burst and once paced over a few seconds, and prints:

- board updates pushed per second, and comm messages / bytes sent to the browser;
- the longest and the 99th-percentile time one event callback took (engine side);
- the longest a trivial operation waited on the main (kernel) thread meanwhile.

With ``--sandbox`` it also runs a real review of 1,000 small WAV files through the
engine and a local sandbox, with the board subscribed to the real run.

    .venv/bin/python benchmarks/board_updates.py [--items 1000] [--seconds 5] [--sandbox]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import comm

from resemble_nb.engine import TERMINAL, ItemStatus, Progress, RunEvent
from resemble_nb.widgets import JobBoard

PATH = ("uploading", "submitting", "submitted", "processing")


class _CountingComm:
    """Stands in for the kernel comm: counts what would go to the browser."""

    comm_id = "bench"
    kernel = "Truthy"
    messages = 0
    bytes_sent = 0

    def open(self, *a: Any, **k: Any) -> None: ...
    def on_msg(self, *a: Any, **k: Any) -> None: ...
    def close(self, *a: Any, **k: Any) -> None: ...

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        _CountingComm.messages += 1
        _CountingComm.bytes_sent += len(json.dumps(data, default=str))


class _StreamRun:
    """The Run interface over a scripted event stream (what the engine would emit)."""

    def __init__(self, n: int) -> None:
        self._lock = threading.Lock()
        self._items = {
            f"k{i}": ItemStatus(f"k{i}", f"clip{i:04d}.wav", "audio", "pending") for i in range(n)
        }
        self._counts = {"pending": n}
        self._subs: list[Callable[[Any], None]] = []
        self._done = False
        self.callback_times: list[float] = []

    @property
    def done(self) -> bool:
        return self._done

    @property
    def progress(self) -> Progress:
        with self._lock:
            return Progress(len(self._items), dict(self._counts))

    def items(self) -> list[ItemStatus]:
        with self._lock:
            return list(self._items.values())

    def subscribe(self, callback: Callable[[Any], None]) -> Callable[[], None]:
        self._subs.append(callback)
        return lambda: self._subs.remove(callback) if callback in self._subs else None

    def cancel(self) -> None:
        pass

    def set(self, key: str, state: str, **changes: Any) -> None:
        now = datetime.now(timezone.utc)
        with self._lock:
            old = self._items[key]
            new = replace(
                old,
                state=state,
                started_at=old.started_at or now,
                finished_at=now if state in TERMINAL else None,
                **changes,
            )
            self._items[key] = new
            self._counts[old.state] -= 1
            self._counts[state] = self._counts.get(state, 0) + 1
        self._emit(RunEvent("item", new, self.progress))

    def finish(self) -> None:
        self._done = True
        self._emit(RunEvent("finished", None, self.progress))

    def _emit(self, event: RunEvent) -> None:
        for callback in list(self._subs):
            start = time.perf_counter()
            callback(event)
            self.callback_times.append(time.perf_counter() - start)


def _engine(run: _StreamRun, n: int, seconds: float) -> None:
    events = n * (len(PATH) + 1)
    pause = seconds / events if seconds > 0 else 0.0
    for step in (*PATH, "done"):
        for i in range(n):
            key = f"k{i}"
            if step != "done":
                run.set(key, step)
            elif i % 100 == 7:
                run.set(key, "failed", error="HTTP 400: corrupt media")
            else:
                run.set(key, "completed", label="likely_fake", score=0.5 + (i % 50) / 100)
            if pause:
                time.sleep(pause)
    run.finish()


def _main_thread_latency(stop: threading.Event) -> list[float]:
    """How long a trivial operation (a tiny sleep) overruns on this thread."""
    lags = []
    while not stop.is_set():
        start = time.perf_counter()
        time.sleep(0.001)
        sum(range(100))
        lags.append(time.perf_counter() - start - 0.001)
    return lags


def scenario(n: int, seconds: float) -> dict[str, float]:
    _CountingComm.messages = _CountingComm.bytes_sent = 0
    run = _StreamRun(n)
    board = JobBoard(run)
    start = time.perf_counter()
    engine = threading.Thread(target=_engine, args=(run, n, seconds), daemon=True)
    stop = threading.Event()
    engine.start()
    waiter = threading.Thread(target=lambda: (engine.join(), board.wait(30), stop.set()))
    waiter.start()
    lags = _main_thread_latency(stop)
    waiter.join()
    wall = time.perf_counter() - start
    times = sorted(run.callback_times)
    return {
        "events": len(times),
        "wall_s": wall,
        "updates": board.updates_sent,
        "updates_per_s": board.updates_sent / wall,
        "messages_per_s": _CountingComm.messages / wall,
        "kb_per_s": _CountingComm.bytes_sent / 1024 / wall,
        "callback_max_us": times[-1] * 1e6,
        "callback_p99_us": times[int(len(times) * 0.99)] * 1e6,
        "callback_mean_us": statistics.fmean(times) * 1e6,
        "main_lag_max_ms": max(lags) * 1e3,
    }


def _tiny_wav(path: Path, i: int) -> None:
    """Half a second of 8 kHz silence with one distinct sample: a distinct item."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        frames = bytearray(8000)
        frames[0:4] = i.to_bytes(4, "little")
        out.writeframes(bytes(frames))


def sandbox_review(n: int) -> dict[str, float]:
    """A real review of ``n`` small files through the engine and the local sandbox."""
    from resemble_nb.api import Client
    from resemble_nb.case import Case
    from resemble_nb.sandbox import Sandbox

    with tempfile.TemporaryDirectory() as tmp, Sandbox(port=0) as sandbox:
        folder = Path(tmp) / "media"
        folder.mkdir()
        for i in range(n):
            _tiny_wav(folder / f"clip{i:04d}.wav", i)
        client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
        case = Case(Path(tmp) / "case")
        _CountingComm.messages = _CountingComm.bytes_sent = 0
        start = time.perf_counter()
        run = case.review([folder], client=client, display=False)
        board = JobBoard(run)
        stop = threading.Event()
        waiter = threading.Thread(target=lambda: (run.wait(), board.wait(30), stop.set()))
        waiter.start()
        lags = _main_thread_latency(stop)
        waiter.join()
        wall = time.perf_counter() - start
        counts = run.progress.counts
        case.close()
        client.close()
        return {
            "events": board.events_seen,
            "wall_s": wall,
            "updates": board.updates_sent,
            "updates_per_s": board.updates_sent / wall,
            "messages_per_s": _CountingComm.messages / wall,
            "kb_per_s": _CountingComm.bytes_sent / 1024 / wall,
            "completed": counts.get("completed", 0),
            "main_lag_max_ms": max(lags) * 1e3,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5.0, help="pacing of the 2nd run")
    parser.add_argument("--sandbox", action="store_true", help="a real review via the sandbox")
    args = parser.parse_args()
    comm.create_comm = lambda *a, **k: _CountingComm()

    runs = [("burst", 0.0), (f"paced over {args.seconds:g} s", args.seconds)]
    print(f"JobBoard, {args.items:,}-item review ({args.items * 5:,} item events + finished)")
    for title, seconds in runs:
        r = scenario(args.items, seconds)
        print(
            f"  {title:<18} wall {r['wall_s']:.2f} s | board updates {r['updates']:.0f} "
            f"({r['updates_per_s']:.1f}/s incl. initial+final) | "
            f"comm messages {r['messages_per_s']:.1f}/s, "
            f"{r['kb_per_s']:.1f} KB/s | callback max {r['callback_max_us']:.0f} µs, "
            f"p99 {r['callback_p99_us']:.1f} µs, mean {r['callback_mean_us']:.1f} µs | "
            f"main-thread lag max {r['main_lag_max_ms']:.1f} ms"
        )
    if args.sandbox:
        r = sandbox_review(args.items)
        print(
            f"  sandbox review     wall {r['wall_s']:.2f} s | {r['completed']:.0f} completed | "
            f"events {r['events']:.0f} | board updates {r['updates']:.0f} "
            f"({r['updates_per_s']:.1f}/s) | comm messages {r['messages_per_s']:.1f}/s, "
            f"{r['kb_per_s']:.1f} KB/s | main-thread lag max {r['main_lag_max_ms']:.1f} ms"
        )


if __name__ == "__main__":
    main()
