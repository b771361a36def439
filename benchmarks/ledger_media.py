"""Media intake and ledger speed: hashing/sniffing many files, 100,000-item ledgers.

Prints its figures; no assertions. Run: ``.venv/bin/python benchmarks/ledger_media.py``.

Targets (issue 4): hashing 1,000 small files well under 1-2 s; a DataFrame of 100,000
items (``results_rows``) and of their segments (``segments_rows``) in under 2 s each.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
import tracemalloc
import wave
from pathlib import Path

import pandas as pd

from resemble_nb.ledger import JobSpec, Ledger, ResultRecord, SegmentRecord
from resemble_nb.media import MediaItem, scan, sha256_file

N_FILES = 1_000
N_ITEMS = 100_000
SEGMENTS_PER_ITEM = 5


def _write_wavs(folder: Path, count: int) -> None:
    for i in range(count):
        with wave.open(str(folder / f"f{i:05d}.wav"), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(8000)
            out.writeframes(os.urandom(1600))


def _timed(label: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    print(f"{label:<58} {time.perf_counter() - start:7.3f} s")
    return value


def media_figures(root: Path) -> None:
    folder = root / "files"
    folder.mkdir()
    _write_wavs(folder, N_FILES)
    paths = sorted(folder.iterdir())
    _timed(f"sha256_file over {N_FILES:,} small WAVs", lambda: [sha256_file(p) for p in paths])
    found = _timed(f"scan() of {N_FILES:,} small WAVs (sniff+hash+header)", scan, folder)
    assert len(found.items) == N_FILES
    _timed(f"scan(check_integrity=False) of {N_FILES:,}", scan, folder, check_integrity=False)

    big = root / "big.wav"
    # 512 MiB of real bytes behind a WAV header
    with open(big, "wb") as out, wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        chunk = os.urandom(1 << 20)
        for _ in range(512):
            w.writeframes(chunk)
    tracemalloc.start()
    found_big = _timed("scan() of one 512 MiB WAV", scan, big)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{'  peak Python memory while hashing it':<58} {peak / 2**20:7.1f} MiB")
    assert found_big.items[0].sha256 == hashlib.sha256(big.read_bytes()).hexdigest()


def ledger_figures(root: Path) -> None:
    items = [
        MediaItem(
            hashlib.sha256(str(n).encode()).hexdigest(),
            1000 + n,
            "audio",
            "audio/wav",
            ".wav",
            10.0,
            (Path(f"/evidence/batch{n // 1000}/call{n}.wav"),),
        )
        for n in range(N_ITEMS)
    ]
    ledger = Ledger(root / "ledger.sqlite")
    _timed(f"add_items({N_ITEMS:,})", ledger.add_items, items)
    ids = _timed(
        f"create_jobs({N_ITEMS:,})",
        ledger.create_jobs,
        (JobSpec(i.sha256, "k", "batch", "sandbox") for i in items),
    )
    _timed(f"mark_submitting({N_ITEMS:,} ids, one transaction)", ledger.mark_submitting, ids)
    segments = [
        SegmentRecord("audio", "window", k, 2.0 * k, 2.0 * k + 2, 0.5, "uncertain")
        for k in range(SEGMENTS_PER_ITEM)
    ]
    raw = '{"item":{"uuid":"x","status":"completed","metrics":{"label":"real"}}}'
    _timed(
        f"complete_many({N_ITEMS:,}) with {SEGMENTS_PER_ITEM} segments each",
        ledger.complete_many,
        ((j, ResultRecord(label="real", score=0.2, raw=raw), segments) for j in ids),
    )
    ledger.close()
    size = sum(p.stat().st_size for p in root.glob("ledger.sqlite*"))
    print(f"{'  ledger size on disk':<58} {size / 2**20:7.1f} MiB")

    reader = Ledger(root / "ledger.sqlite")

    def results_frame() -> pd.DataFrame:
        rows = reader.results_rows()
        frame = pd.DataFrame.from_records(rows.rows, columns=rows.columns)
        for column in rows.time_columns:
            frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
        return frame

    def segments_frame() -> pd.DataFrame:
        return pd.DataFrame(reader.segments_columns())

    frame = _timed(f"results_rows() -> DataFrame + times parsed, {N_ITEMS:,} items", results_frame)
    assert len(frame) == N_ITEMS
    seg = _timed(
        f"segments_columns() -> DataFrame, {N_ITEMS * SEGMENTS_PER_ITEM:,} rows",
        segments_frame,
    )
    assert len(seg) == N_ITEMS * SEGMENTS_PER_ITEM
    _timed("results_rows() alone (SQLite fetch)", reader.results_rows)
    _timed("segments_columns() alone (fetch + decode)", reader.segments_columns)
    _timed("segments_rows() (plain tuples, slower path)", reader.segments_rows)
    reader.close()


def main() -> int:
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="rnb-bench-") as tmp:
        root = Path(tmp)
        media_figures(root)
        ledger_figures(root)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
