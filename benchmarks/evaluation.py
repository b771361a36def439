"""Time ``evaluate`` (by media type, 1,000 bootstrap resamples) on 100,000 items.

    .venv/bin/python benchmarks/evaluation.py [--items 100000] [--resamples 1000]

The frame is what ``case.ground_truth()`` returns: 40 % known fake, scores from two
overlapping distributions, 60 % audio / 25 % image / 15 % video. Two kinds of scores are
timed: rounded to 4 decimals as the API sends them (many ties), and all distinct (the
worst case for the bootstrap, which works per distinct score). Prints the best of three
timings of each (wall and CPU time: on a shared machine the CPU time is the
steadier figure). Target: under 5 s.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from resemble_nb.evaluation import evaluate


def _frame(n: int, decimals: int | None, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    fake = rng.random(n) < 0.4
    scores = 1 / (1 + np.exp(-(rng.normal(0.0, 1.0, n) + 1.8 * fake - 0.9)))
    if decimals is not None:
        scores = scores.round(decimals)
    media = rng.choice(["audio", "image", "video"], size=n, p=[0.6, 0.25, 0.15])
    return pd.DataFrame(
        {
            "media_type": media,
            "score": pd.array(scores, dtype="Float64"),
            "truth": np.where(fake, "fake", "real"),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    for what, decimals in (("scores to 4 decimals", 4), ("all scores distinct", None)):
        frame = _frame(args.items, decimals)
        times, cpu = [], []
        for _ in range(3):
            start, start_cpu = time.perf_counter(), time.process_time()
            ev = evaluate(frame, by="media_type", resamples=args.resamples)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        auc = ev.overall
        print(
            f"{args.items:,} items, {args.resamples:,} resamples, {what}: "
            f"best {min(times):.2f} s wall, {min(cpu):.2f} s CPU "
            f"(runs {', '.join(f'{t:.2f}' for t in times)}); "
            f"overall AUC {auc.auc:.3f} ({auc.auc_ci[0]:.3f}–{auc.auc_ci[1]:.3f}), "
            f"{len(ev.groups)} groups"
        )


if __name__ == "__main__":
    main()
