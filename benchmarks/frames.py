"""Time ``case.results()`` and ``case.segments()`` on a ledger of 100,000 items.

    .venv/bin/python benchmarks/frames.py [--items 100000] [--folder /tmp/rnb-frames] [--analyses]

With ``--folder``, a case already built there is reused (building takes minutes).

The ledger is filled through the ledger's own bulk calls with a realistic mix: 60 %
audio (3 windows each), 25 % images, 15 % video (4 frames with 1-2 face segments and
3 audio windows each), 2 % failed, every tenth item with a triage decision, a few
skipped files. Prints the build time, the row counts and the best of three timings:
wall time, CPU time of this process (steadier on a shared machine) and the garbage
collector's collections and CPU time during the call. Target: under 2 s each.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from resemble_nb.api import LABELS
from resemble_nb.case import Case
from resemble_nb.ledger import AnalysisRecord, JobSpec, ResultRecord, SegmentRecord


@dataclass(frozen=True)
class _Item:
    sha256: str
    size: int
    media_type: str
    mime: str | None
    extension: str
    duration: float | None
    paths: tuple[Path, ...]


@dataclass(frozen=True)
class _Skip:
    path: Path
    size: int | None
    sha256: str | None
    problem: str | None
    reason: str | None


_LABELS = LABELS


def _label(score: float) -> str:
    return _LABELS[sum(score >= cut for cut in (0.15, 0.3, 0.5, 0.7))]


def build(folder: Path, n: int, seed: int = 0, analyses: bool = False) -> Case:
    """A case folder with ``n`` reviewed items (see the module docstring); with
    ``analyses``, each completed item also carries every extra analysis (issue 11)."""
    rng = random.Random(seed)
    case = Case(folder)
    ledger = case.ledger
    items: list[_Item] = []
    for i in range(n):
        sha = hashlib.sha256(f"item-{i}".encode()).hexdigest()
        roll = rng.random()
        kind, ext = (
            ("audio", ".wav")
            if roll < 0.6
            else ("image", ".png")
            if roll < 0.85
            else ("video", ".mp4")
        )
        duration = None if kind == "image" else 6.0
        path = Path(f"/evidence/batch{i // 1000}/file{i}{ext}")
        items.append(_Item(sha, 1000 + i, kind, None, ext, duration, (path,)))
    for start in range(0, n, 10_000):
        ledger.add_items(items[start : start + 10_000])
    specs = [JobSpec(it.sha256, "k", "batch", "sandbox") for it in items]
    job_ids = ledger.create_jobs(specs)
    now = datetime.now(timezone.utc)
    ledger.mark_submitting(job_ids)
    ledger.mark_submitted(job_ids, batch_uuid="b")
    entries = []
    failed = []
    for job_id, it in zip(job_ids, items, strict=True):
        if rng.random() < 0.02:
            failed.append(job_id)
            continue
        score = rng.random()
        segs: list[SegmentRecord] = []
        if it.media_type != "image":
            segs += [
                SegmentRecord("audio", "window", w, w * 2.0, w * 2.0 + 2.0, rng.random())
                for w in range(3)
            ]
        if it.media_type == "video":
            for f in range(4):
                s = rng.random()
                segs.append(SegmentRecord("video", "frame", f, f * 1.0, f * 1.0, s, _label(s)))
                for j in range(1 + (f % 2)):
                    segs.append(
                        SegmentRecord("video", "segment", f, f * 1.0, f * 1.0, s, _label(s), j)
                    )
        record = ResultRecord(
            label=_label(score),
            score=score,
            audio_score=score if it.media_type != "image" else None,
            image_score=score if it.media_type == "image" else None,
            video_score=score if it.media_type == "video" else None,
            consistency=0.9 if it.media_type == "audio" else None,
            duration=it.duration,
            detect_uuid=f"d-{job_id}",
            completed_at=now,
            raw={"uuid": f"d-{job_id}", "status": "completed"},
            analysis=_analysis(it.media_type, score) if analyses else None,
        )
        entries.append((job_id, record, segs))
    for start in range(0, len(entries), 10_000):
        ledger.complete_many(entries[start : start + 10_000])
    ledger.mark_failed(failed, "the analysis failed: could not decode the media")
    for it in items[::10]:
        ledger.decide(it.sha256, "inconclusive", "first look", reviewer="bench")
    ledger.record_skips(
        [
            _Skip(Path(f"/evidence/notes{i}.txt"), 10, None, "unsupported", "not media")
            for i in range(50)
        ]
    )
    return case


def _analysis(media_type: str, score: float) -> AnalysisRecord:
    """Every analysis asked for: a written report, tracing, watermark, C2PA, reverse search."""
    image = media_type == "image"
    fields = {
        "language": "en",
        "abnormalities": "Robotic prosody in the second half" if score > 0.5 else "None",
        "transcription": "Hello, this is your bank calling about a transfer. " * 3,
    }
    return AnalysisRecord(
        intelligence_status="completed",
        intelligence="Adult speaker, calm tone; the delivery is unusually even. " * 2,
        findings=fields,
        abnormalities=fields["abnormalities"],
        transcription=fields["transcription"],
        language="en",
        source_tracing="elevenlabs" if score > 0.5 and media_type == "audio" else None,
        watermark_status="completed",
        watermark="not_found",
        c2pa="NotPresent",
        reverse_sources=[{"url": "https://stock.example/x", "title": "stock"}] if image else None,
        heatmap=True,
    )


class _GCWatch:
    """Counts the garbage collector's collections and the CPU time they take."""

    def __init__(self) -> None:
        self.count, self.seconds, self._start = 0, 0.0, 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.process_time()
        else:
            self.count += 1
            self.seconds += time.process_time() - self._start


def _best(fn: object, watch: _GCWatch, repeat: int = 3) -> tuple[float, float, int, int, float]:
    """Best of ``repeat``: (wall s, CPU s, rows, collections, collector CPU s)."""
    runs = []
    for _ in range(repeat):
        watch.count, watch.seconds = 0, 0.0
        wall, cpu = time.perf_counter(), time.process_time()
        frame = fn()  # type: ignore[operator]
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        runs.append((wall, cpu, len(frame), watch.count, watch.seconds))
    best_cpu = min(runs, key=lambda run: run[1])
    return (min(run[0] for run in runs), *best_cpu[1:])


_OFFSET = 10_000_000  # job ids of copy k: the original's + k * _OFFSET


def scale(source: Path, target: Path, times: int) -> None:
    """A case of ``times`` x the items of the case in ``source`` (copies of its rows with
    new hashes, paths and job ids), built with bulk SQL on a copy of the file.

    The copy's event triggers are dropped first: the frames never read the chain, and
    sealing ten million events would take longer than the measurement (the triggers that
    keep the items' pointers stay, so the frames read what a real case holds).
    """
    import sqlite3

    target.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source / "case.db")
    src.execute(f"VACUUM INTO '{target / 'case.db'}'")
    src.close()
    conn = sqlite3.connect(target / "case.db", isolation_level=None)
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'events_%' "
        "AND tbl_name != 'events'"
    ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    n = conn.execute("SELECT max(rowid) FROM items").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for k in range(1, times):
        sha = f"printf('%08x', {k}) || substr(sha256, 9)"
        off = k * _OFFSET
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO items (sha256, size, media_type, mime, extension, duration, "
            f"first_seen) SELECT {sha}, size, media_type, mime, extension, duration, "
            f"first_seen FROM items WHERE rowid <= {n} ORDER BY rowid"
        )
        conn.execute(
            "INSERT INTO item_paths (sha256, path, in_case, name, first_seen, seen_at) "
            f"SELECT {sha}, path || '.{k}', in_case, name, first_seen, seen_at FROM item_paths "
            f"WHERE sha256 IN (SELECT sha256 FROM items WHERE rowid <= {n}) ORDER BY rowid"
        )
        conn.execute(
            "INSERT INTO jobs (id, sha256, options_key, options_json, strategy, state, source, "
            "detect_uuid, batch_uuid, submit_name, attempts, error, created_at, submitting_at, "
            "submitted_at, completed_at, updated_at) "
            f"SELECT id + {off}, {sha}, options_key, options_json, strategy, state, source, "
            "detect_uuid, batch_uuid, submit_name, attempts, error, created_at, submitting_at, "
            f"submitted_at, completed_at, updated_at FROM jobs WHERE id < {_OFFSET} ORDER BY id"
        )
        conn.execute(
            f"INSERT INTO results SELECT job_id + {off}, {sha}, detect_uuid, label, label_raw, "
            "score, audio_score, video_score, image_score, consistency, duration, "
            f"completed_at, raw_json, analyses_json FROM results WHERE job_id < {_OFFSET}"
        )
        conn.execute(
            f"INSERT INTO segment_blocks SELECT job_id + {off}, {sha}, track, kind, n, idx, "
            "sub_idx, start_s, end_s, score, certainty, labels FROM segment_blocks "
            f"WHERE job_id < {_OFFSET} ORDER BY rowid"
        )
        if "analyses" in tables:
            columns = [r[1] for r in conn.execute("PRAGMA table_info(analyses)")]
            chosen = ", ".join(
                f"job_id + {off}" if c == "job_id" else sha if c == "sha256" else c for c in columns
            )
            conn.execute(
                f"INSERT INTO analyses ({', '.join(columns)}) SELECT {chosen} FROM analyses "
                f"WHERE job_id < {_OFFSET}"
            )
        conn.execute(
            "INSERT INTO decisions (sha256, verdict, note, reviewer, decided_at) "
            f"SELECT {sha}, verdict, note, reviewer, decided_at FROM decisions "
            f"WHERE sha256 IN (SELECT sha256 FROM items WHERE rowid <= {n}) ORDER BY id"
        )
        conn.execute("COMMIT")
        print(f"  copy {k}: {(k + 1) * n:,} items", flush=True)
    conn.close()


def _rss_mb() -> float:
    """This process's peak resident set so far (MiB; Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def fresh(folder: Path, name: str) -> int:
    """In this (fresh) process: the first call's time and peak memory, then two more."""
    import pandas as pd  # noqa: F401  (imported before measuring, as a notebook has it)
    import pyarrow  # noqa: F401  (pandas loads it for its first string column)

    import resemble_nb.frames  # noqa: F401

    case = Case(folder)
    case.ledger.item_names()  # the connection is open
    before = _current_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    frame = getattr(case, name)()
    first, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = _rss_mb() - before
    size = frame.memory_usage(deep=True).sum() / 2**20
    rows = len(frame)
    del frame
    warm = []
    for _ in range(2):
        started = time.perf_counter()
        getattr(case, name)()
        warm.append(time.perf_counter() - started)
    print(
        f"case.{name}(): {rows:,} rows; first call {first:.3f} s ({cpu:.3f} s CPU), then "
        f"{' / '.join(f'{w:.3f}' for w in warm)} s; peak RSS +{peak:.0f} MiB over the "
        f"{size:.0f} MiB frame ({peak / size:.2f}x)"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument(
        "--analyses", action="store_true", help="every item with every extra analysis"
    )
    parser.add_argument("--fresh", choices=("results", "segments"), default=None)
    parser.add_argument(
        "--scale", type=int, default=0, metavar="K",
        help="build FOLDER/case as K copies of the case in --source (bulk SQL), then stop",
    )  # fmt: skip
    parser.add_argument("--source", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.scale:
        scale(args.source / "case", args.folder / "case", args.scale)
        return 0
    if args.fresh:
        return fresh(args.folder / "case", args.fresh)
    folder = args.folder or Path(tempfile.mkdtemp(prefix="rnb-frames-"))
    try:
        if (folder / "case" / "case.db").exists():
            case = Case(folder / "case")
            print(f"reusing the case in {folder / 'case'}")
        else:
            start = time.perf_counter()
            case = build(folder / "case", args.items, analyses=args.analyses)
            built = time.perf_counter() - start
            print(f"built a ledger of {args.items:,} items in {built:.1f} s")
        watch = _GCWatch()
        names = ("results", "segments", "decisions") + (("intelligence",) if args.analyses else ())
        for name in names:
            wall, cpu, rows, collections, collecting = _best(getattr(case, name), watch)
            print(
                f"case.{name}(): {rows:,} rows in {wall:.3f} s wall, {cpu:.3f} s CPU "
                f"(best of 3); {collections} collections, {collecting:.3f} s CPU in them"
            )
    finally:
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
