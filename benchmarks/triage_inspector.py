"""Triage with the media inspector: first view of a long file, next-item time, message sizes.

Builds a 50-item case in a temporary folder (a one-hour and a ten-minute WAV, a video of
more than 200 MB made by padding the sample video, and 47 copies of the samples, each a
distinct item), with 2-second scored windows for every audio item, then drives the real
TriageBoard from Python with every widget message recorded (JSON plus binary buffers):

- first view: ``item_view`` of the one-hour file with an empty cache (decode, peaks,
  spectrogram, PNG), and the same with the cache filled;
- next item: ``board.next()`` over the 50 items, once to fill the case's cache, then in a
  new board (as after a kernel restart), in both directions; p50/p95/max;
- the largest widget message of the whole session, and the bytes of media that went
  through widget messages (there should be none: files play by URL).

The browser's share (drawing a 1,200-column canvas) is measured by the Playwright test
run; this script measures the kernel's. Run: ``.venv/bin/python benchmarks/triage_inspector.py``
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import comm
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import resemble_nb as rnb  # noqa: E402
from resemble_nb.ledger import Ledger  # noqa: E402
from resemble_nb.media import scan  # noqa: E402
from resemble_nb.widgets import TriageBoard  # noqa: E402
from resemble_nb.widgets.inspector import item_view  # noqa: E402

SEGMENT_COLUMNS = ["sha256", "name", "track", "kind", "index", "start_s", "end_s", "score", "label"]


class Recorder:
    """A comm that records the size of every message a widget sends."""

    sizes: list[int] = []  # noqa: RUF012 - shared on purpose: one log per process
    comm_id = "bench"
    kernel = "yes"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def open(self, *args: Any, **kwargs: Any) -> None:
        pass

    def on_msg(self, *args: Any, **kwargs: Any) -> None:
        pass

    def close(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        size = len(json.dumps(data, default=str))
        size += sum(memoryview(b).nbytes for b in buffers or [])
        Recorder.sizes.append(size)


@dataclass
class BenchCase:
    folder: Path
    rows: list[dict[str, Any]]
    segment_rows: list[list[Any]]
    decisions: list[Any] = field(default_factory=list)

    def results(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows)
        df["verdict"] = pd.Categorical([None] * len(df), categories=list(rnb.ledger.VERDICTS))
        df["note"] = pd.array([None] * len(df), dtype="string")
        return df

    def segments(self) -> pd.DataFrame:
        return pd.DataFrame(self.segment_rows, columns=SEGMENT_COLUMNS)

    def decide(self, item: str, verdict: str, note: str = "", reviewer: str | None = None) -> None:
        self.decisions.append((item, verdict, note, reviewer))


def write_wav(path: Path, seconds: int, rate: int = 16_000) -> None:
    rng = np.random.default_rng(seconds)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        for start in range(0, seconds, 60):  # a minute at a time
            n = rate * min(60, seconds - start)
            t = np.arange(n) / rate
            voice = np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 0.7 * t) > 0)
            noise = rng.normal(0, 0.05, n)
            out.writeframes(((voice * 0.4 + noise) * 20_000).astype(np.int16).tobytes())


def padded_video(path: Path, extra: int) -> None:
    sample = (rnb.sample_media() / "interview.mp4").read_bytes()
    with path.open("wb") as fh:
        fh.write(sample)
        fh.write((extra + 8).to_bytes(4, "big") + b"free")
        fh.truncate(len(sample) + 8 + extra)


def build(folder: Path) -> BenchCase:
    media = folder / "media"
    media.mkdir()
    files: list[tuple[Path, str, float]] = []
    write_wav(media / "hour.wav", 3600)
    files.append((media / "hour.wav", "audio", 3600.0))
    write_wav(media / "ten-minutes.wav", 600)
    files.append((media / "ten-minutes.wav", "audio", 600.0))
    padded_video(media / "bodycam.mp4", 210 * 1024**2)
    files.append((media / "bodycam.mp4", "video", 4.0))
    samples = {"speech.wav": ("audio", 6.0), "voicemail.mp3": ("audio", 9.0),
               "interview.mp4": ("video", 4.0), "street.jpg": ("image", 0.0)}  # fmt: skip
    names = list(samples)
    for i in range(47):
        name = names[i % len(names)]
        copy = media / f"{i:02d}-{name}"
        data = (rnb.sample_media() / name).read_bytes()
        copy.write_bytes(data + b"\0" * (i + 1))  # each copy its own content
        files.append((copy, *samples[name]))
    # the media route serves only what a case's ledger recorded (by content hash), so the
    # items are scanned and recorded as a review would: the board then plays them by URL
    found = scan([str(path) for path, _, _ in files])
    sha_of = {str(p): item.sha256 for item in found.items for p in item.paths}
    (folder / "case").mkdir()
    ledger = Ledger(folder / "case" / "case.db")
    try:
        ledger.add_items(found.items)
    finally:
        ledger.close()
    rows, segments = [], []
    for i, (path, kind, seconds) in enumerate(files):
        sha = sha_of[str(path)]
        score = round(0.99 - i * 0.015, 3)
        rows.append({"name": path.name, "path": str(path), "paths": [str(path)], "sha256": sha,
                     "media_type": kind, "size": path.stat().st_size, "duration": seconds,
                     "status": "completed", "label": "fake", "score": score,
                     "detect_uuid": f"d-{i}", "source": "sandbox"})  # fmt: skip
        if kind == "audio":
            for w in range(int(seconds // 2)):
                segments.append([sha, path.name, "audio", "window", w, 2.0 * w, 2.0 * w + 2,
                                 float((w * 37 % 100) / 100), "fake"])  # fmt: skip
        elif kind == "video":
            for f, at in enumerate((0.0, 1.5, 3.0, 4.76)):
                segments.append([sha, path.name, "video", "frame", f, at, at, 0.2 * f, "fake"])
    return BenchCase(folder / "case", rows, segments)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def main() -> None:
    comm.create_comm = Recorder  # every widget created from here on records its messages
    folder = Path(tempfile.mkdtemp(prefix="rnb-bench-triage-"))
    try:
        started = time.perf_counter()
        case = build(folder)
        print(f"built 50 items in {time.perf_counter() - started:.1f} s under {folder}")
        hour = case.rows[0]
        segs = case.segments()

        cold = []
        for attempt in range(3):
            cache = folder / f"cold-cache-{attempt}"
            t0 = time.perf_counter()
            view = item_view(hour, segs, case_folder=case.folder, cache=cache)
            cold.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        item_view(hour, segs, case_folder=case.folder, cache=folder / "cold-cache-0")
        warm = time.perf_counter() - t0
        print(
            f"first view of a one-hour WAV (decode, peaks, spectrogram): "
            f"{min(cold):.2f} s best, {statistics.median(cold):.2f} s median of 3; "
            f"cached: {warm * 1000:.0f} ms; windows {len(view['windows'])}, "
            f"peaks {len(view['peaks'])} B, spectrogram PNG {len(view['spectrogram']):,} B"
        )

        Recorder.sizes.clear()
        t0 = time.perf_counter()
        board = TriageBoard(case, threshold=0.0, reviewer="bench")  # type: ignore[arg-type]
        shown = time.perf_counter() - t0
        board.wait_drawn(120)
        drawn = time.perf_counter() - t0
        print(
            f"board opening on the one-hour item, cache empty: player, scores and windows "
            f"shown after {shown * 1000:.0f} ms; waveform and spectrogram after {drawn:.2f} s"
        )
        t0 = time.perf_counter()
        fill = []
        for _ in range(49):
            t1 = time.perf_counter()
            board.next()
            board.wait_drawn(120)
            fill.append(time.perf_counter() - t1)
        print(
            f"first pass over 50 items (computing and caching): {time.perf_counter() - t0:.1f} s"
            f", slowest step {max(fill):.2f} s"
        )

        again = TriageBoard(case, threshold=0.0)  # type: ignore[arg-type]
        again.first()
        steps = []
        for _ in range(49):
            t1 = time.perf_counter()
            again.next()
            steps.append(time.perf_counter() - t1)
        for _ in range(49):
            t1 = time.perf_counter()
            again.previous()
            steps.append(time.perf_counter() - t1)
        ms = [s * 1000 for s in steps]
        print(
            f"next/previous item once cached ({len(ms)} moves, new board): "
            f"p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
            f"max {max(ms):.1f} ms"
        )
        biggest = max(Recorder.sizes)
        print(
            f"widget messages in the session: {len(Recorder.sizes):,}, largest "
            f"{biggest:,} B ({biggest / 1024**2:.2f} MiB), total {sum(Recorder.sizes):,} B; "
            f"media bytes sent through the kernel: {board.inspector.bytes_sent}"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
