"""How long the plots and the HTML report take for a large case.

Builds schema-exact frames for N items (a third each audio, video, image; 1 in 37
without a score; a 15-window / 15-frame timeline per scored audio or video item), then
times each plot (build + PNG), one long timeline (1 hour of 2 s windows), and the whole
report, and prints the figures with the report's size.

    .venv/bin/python benchmarks/plots_report.py [--items 1000] [--max-timelines 50]
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from resemble_nb import frames, plots
from resemble_nb.report import render_report


def _sha(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _label(score: float) -> str:
    return frames.LABELS[int(min(score, 0.999) * 5)]


def _frame(rows: list[dict[str, Any]], empty: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=list(empty.columns))
    out = {}
    for column in empty.columns:
        dtype = empty[column].dtype
        values = frame[column]
        out[column] = (
            pd.to_datetime(values, utc=True).astype(dtype)
            if str(dtype).startswith("datetime")
            else values.astype(dtype)
        )
    return pd.DataFrame(out)


def build(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    results: list[dict[str, Any]] = []
    segments: list[dict[str, Any]] = []
    for i in range(n):
        media = ("audio", "video", "image")[i % 3]
        name = f"item_{i:05d}.{ {'audio': 'wav', 'video': 'mp4', 'image': 'png'}[media] }"
        sha = _sha(name)
        score = None if i % 37 == 0 else float(rng.beta(0.7, 1.2))
        results.append(
            {
                "name": name,
                "path": f"/evidence/{name}",
                "paths": [f"/evidence/{name}"],
                "sha256": sha,
                "media_type": media,
                "size": int(rng.integers(1e4, 1e8)),
                "duration": None if media == "image" else 30.0,
                "status": "completed" if score is not None else "failed",
                "label": _label(score) if score is not None else None,
                "score": score,
                "detect_uuid": f"uuid-{sha[:12]}",
                "submitted_at": "2025-03-01T10:00:00Z",
                "completed_at": "2025-03-01T10:01:00Z",
                "source": "sandbox",
                "verdict": "confirmed_fake" if i % 11 == 0 else None,
            }
        )
        if score is None or media == "image":
            continue
        for j in range(15):
            s = float(np.clip(score + rng.normal(0, 0.1), 0, 1))
            base = {"sha256": sha, "name": name, "index": j, "score": s}
            segments.append(
                base
                | {"track": "audio", "kind": "window", "start_s": 2.0 * j, "end_s": 2.0 * j + 2}
            )
            if media == "video":
                segments.append(
                    base
                    | {
                        "track": "video",
                        "kind": "frame",
                        "start_s": 2.0 * j,
                        "end_s": 2.0 * j,
                        "label": _label(s),
                    }
                )
    decisions = [
        {
            "sha256": r["sha256"],
            "name": r["name"],
            "verdict": r["verdict"],
            "note": "",
            "reviewer": "bench",
            "decided_at": "2025-03-02T09:00:00Z",
        }
        for r in results
        if r["verdict"]
    ]
    return (
        _frame(results, frames.empty_results()),
        _frame(segments, frames.empty_segments()),
        _frame(decisions, frames.empty_decisions()),
    )


def timed(label: str, fn: Any) -> float:
    started = time.perf_counter()
    fn()
    took = time.perf_counter() - started
    print(f"  {label:<44} {took:6.2f} s")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--max-timelines", type=int, default=50)
    args = parser.parse_args()
    results, segments, decisions = build(args.items)
    print(f"plots and report for {args.items} items ({len(segments)} segment rows):")
    plots.figure_to_png(plots.triage_progress(results))  # warm up fonts and caches
    timed(
        "score_distribution + PNG", lambda: plots.figure_to_png(plots.score_distribution(results))
    )
    timed("ranked_scores + PNG", lambda: plots.figure_to_png(plots.ranked_scores(results)))
    timed("triage_progress + PNG", lambda: plots.figure_to_png(plots.triage_progress(results)))
    item = str(results.loc[1, "sha256"])
    timed(
        "timeline (15 windows, 15 frames) + PNG",
        lambda: plots.figure_to_png(plots.timeline(segments, item)),
    )
    hour = _frame(
        [
            {
                "sha256": "a" * 64,
                "name": "hour.wav",
                "track": "audio",
                "kind": "window",
                "index": j,
                "start_s": 2.0 * j,
                "end_s": 2.0 * j + 2,
                "score": 0.5,
            }
            for j in range(1800)
        ],
        frames.empty_segments(),
    )
    timed(
        "timeline (1 hour: 1,800 windows) + PNG",
        lambda: plots.figure_to_png(plots.timeline(hour, "hour.wav")),
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.html"
        timed(
            f"render_report (max_timelines={args.max_timelines})",
            lambda: render_report(
                results,
                segments,
                decisions,
                path=path,
                case_name="bench",
                max_timelines=args.max_timelines,
            ),
        )
        print(f"  report size: {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
