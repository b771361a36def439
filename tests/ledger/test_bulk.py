"""100,000 items through the bulk paths and back: nothing lost, nothing mixed up."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from resemble_nb.ledger import JobSpec, Ledger, ResultRecord, SegmentRecord
from resemble_nb.media import MediaItem

N = 100_000


@pytest.mark.slow
def test_100k_items_round_trip(case: Path) -> None:
    items = [
        MediaItem(
            hashlib.sha256(str(n).encode()).hexdigest(),
            1000 + n,
            "audio",
            "audio/wav",
            ".wav",
            float(n % 60),
            (Path(f"/evidence/{n // 1000}/call{n}.wav"),),
        )
        for n in range(N)
    ]
    with Ledger(case / "ledger.sqlite") as ledger:
        assert ledger.add_items(items) == N
        ids = ledger.create_jobs(JobSpec(i.sha256, "k", "batch", "api") for i in items)
        assert len(ids) == N == len(set(ids))
        ledger.mark_submitting(ids)
        done = ids[: N - 10]
        ledger.complete_many(
            (
                job_id,
                ResultRecord(label="real", score=(job_id % 100) / 100, raw="{}"),
                [
                    SegmentRecord("audio", "window", 0, 0.0, 2.0, 0.1, "real"),
                    SegmentRecord("audio", "window", 1, 2.0, 4.0, (job_id % 7) / 7, None),
                ],
            )
            for job_id in done
        )
        ledger.mark_failed(ids[N - 10 :], "could not decode")

    with Ledger(case / "ledger.sqlite") as reader:
        rows = reader.results_rows()
        assert len(rows.rows) == N
        col = {name: i for i, name in enumerate(rows.columns)}
        assert [r[col["sha256"]] for r in rows.rows] == [i.sha256 for i in items]  # order kept
        assert [r[col["name"]] for r in rows.rows[:3]] == ["call0.wav", "call1.wav", "call2.wav"]
        statuses = [r[col["status"]] for r in rows.rows]
        assert statuses.count("completed") == N - 10 and statuses[-10:] == ["failed"] * 10
        columns = reader.results_columns(chunk=777)  # chunks that do not divide N
        assert list(columns) == rows.columns
        assert all(list(columns[name]) == [r[col[name]] for r in rows.rows] for name in col)
        sample = rows.rows[12_345]
        assert sample[col["score"]] == (ids[12_345] % 100) / 100
        assert sample[col["duration"]] == float(12_345 % 60)
        segments = reader.segments_columns()
        assert len(segments["sha256"]) == 2 * (N - 10)
        assert segments["sha256"][2 * 777] == items[777].sha256
        assert np.allclose(segments["score"][1::2], [(j % 7) / 7 for j in done])
        assert reader.state_counts() == {"completed": N - 10, "failed": 10}
