"""Results and segments: stored with the completion, scrubbed, and read back in bulk."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from resemble_nb.ledger import (
    RESULTS_COLUMNS,
    SEGMENTS_COLUMNS,
    Ledger,
    ResultRecord,
    SegmentRecord,
)

from .conftest import make_item, spec

RAW = {
    "success": True,
    "item": {
        "uuid": "det-1",
        "status": "completed",
        "media_type": "audio",
        "metrics": {"label": "fake", "score": ["0.9", "0.8"], "aggregated_score": "0.85"},
        "media_token": "eyJhbGciOiJIUzI1NiJ9.eyJmaWxlIjoiY2FsbC53YXYifQ.c2ln",
        "url": "https://cdn.example/x.wav?sig=eyJhbGciOiJIUzI1NiJ9.eyJ4Ijo1fQ.c2lnbmF0dXJl",
    },
}
WINDOWS = [
    SegmentRecord("audio", "window", 0, 0.0, 2.0, 0.9, "fake"),
    SegmentRecord("audio", "window", 1, 2.0, 4.0, 0.8, "fake"),
]


def _complete(ledger: Ledger, n: int, *, key: str = "k1", label: str = "fake") -> int:
    item = make_item(n)
    ledger.add_items([item])
    job, _ = ledger.ensure_job(spec(item, key=key), force=True)
    ledger.mark_submitting(job.id)
    ledger.mark_submitted(job.id, detect_uuid=f"det-{n}-{key}")
    ledger.mark_completed(
        job.id,
        ResultRecord(label=label, label_raw=label.title(), score=0.85, audio_score=0.85,
                     consistency=0.5, duration=4.0, raw=RAW),
        WINDOWS,
    )  # fmt: skip
    return job.id


def test_a_completed_job_keeps_its_result_and_segments(ledger: Ledger) -> None:
    job_id = _complete(ledger, 1)
    result = ledger.result_for(job_id)
    assert result is not None
    assert (result.label, result.label_raw, result.score, result.duration) == (
        "fake",
        "Fake",
        0.85,
        4.0,
    )
    assert result.detect_uuid == "det-1-k1" and result.completed_at is not None
    assert result.completed_at.tzinfo is not None
    assert ledger.segments_for(job_id) == WINDOWS
    assert ledger.job(job_id).completed_at == result.completed_at


def test_raw_json_is_kept_but_never_a_token(ledger: Ledger) -> None:
    job_id = _complete(ledger, 1)
    result = ledger.result_for(job_id)
    assert result is not None
    assert "eyJ" not in result.raw_json and "media_token" not in result.raw_json
    assert result.raw["item"]["metrics"] == RAW["item"]["metrics"]  # type: ignore[index]
    assert result.raw["item"]["url"] == "https://cdn.example/x.wav?sig=[redacted]"
    on_disk = ledger._conn().execute("SELECT raw_json FROM results").fetchone()[0]
    assert "eyJ" not in on_disk


def test_raw_json_with_a_token_as_a_key_is_refused(ledger: Ledger) -> None:
    item = make_item(2)
    ledger.add_items([item])
    job, _ = ledger.ensure_job(spec(item))
    ledger.mark_submitting(job.id)
    bad = {"eyJhbGciOiJIUzI1NiJ9.eyJ4Ijo1fQ.c2lnbmF0dXJl": 1}
    with pytest.raises(ValueError, match="token-like"):
        ledger.mark_completed(job.id, ResultRecord(raw=bad))
    assert ledger.job(job.id).state == "submitting"  # nothing half-written
    assert ledger.result_for(job.id) is None


def test_the_server_time_is_kept_when_given(ledger: Ledger) -> None:
    item = make_item(3)
    ledger.add_items([item])
    job, _ = ledger.ensure_job(spec(item))
    ledger.mark_submitting(job.id)
    when = datetime(2026, 1, 15, 10, 30, 5, tzinfo=timezone.utc)
    ledger.mark_completed(job.id, ResultRecord(label="real", completed_at=when, raw="{}"))
    assert ledger.result_for(job.id).completed_at == when  # type: ignore[union-attr]
    assert ledger.job(job.id).submitted_at is not None  # sync create: submitted when marked


def test_results_rows_one_per_item_latest_job_latest_verdict(ledger: Ledger) -> None:
    _complete(ledger, 1, key="k1", label="fake")
    _complete(ledger, 1, key="k2", label="real")  # later analysis of the same item
    _complete(ledger, 2)
    waiting = make_item(3)
    ledger.add_items([waiting])
    sha1 = make_item(1).sha256
    ledger.decide(sha1, "needs_escalation", "ask the bank")
    ledger.decide(sha1, "confirmed_fake", "cloned voice, confirmed")
    rows = ledger.results_rows()
    assert tuple(rows.columns) == RESULTS_COLUMNS
    frame = pd.DataFrame.from_records(rows.rows, columns=rows.columns)
    assert list(frame["sha256"]) == [sha1, make_item(2).sha256, waiting.sha256]
    first = frame.iloc[0]
    assert (first["label"], first["options_key"], first["status"]) == ("real", "k2", "completed")
    assert (first["verdict"], first["note"]) == ("confirmed_fake", "cloned voice, confirmed")
    assert first["name"] == "file1.mp4" and first["n_paths"] == 1
    assert first["source"] == "sandbox" and first["detect_uuid"] == "det-1-k2"
    last = frame.iloc[2]
    assert pd.isna(last["status"]) and pd.isna(last["label"]) and pd.isna(last["verdict"])
    assert rows.rows[2][RESULTS_COLUMNS.index("status")] is None
    for column in rows.time_columns:
        parsed = pd.to_datetime(frame[column], utc=True, format="ISO8601")
        assert isinstance(parsed.dtype, pd.DatetimeTZDtype) and str(parsed.dt.tz) == "UTC"


def test_segments_rows_cover_only_each_items_latest_job(ledger: Ledger) -> None:
    _complete(ledger, 1, key="k1")
    newer = _complete(ledger, 1, key="k2")
    rows = ledger.segments_rows()
    assert tuple(rows.columns) == SEGMENTS_COLUMNS
    assert [r[1] for r in rows.rows] == [newer, newer]
    assert [(r[2], r[3], r[4], r[6], r[7]) for r in rows.rows] == [
        ("audio", "window", 0, 0.0, 2.0),
        ("audio", "window", 1, 2.0, 4.0),
    ]


def test_skipped_rows(ledger: Ledger, tmp_path: Path) -> None:
    from resemble_nb.media import inspect

    notes = tmp_path / "notes.txt"
    notes.write_text("just notes")
    ledger.record_skips([inspect(notes)])
    rows = ledger.skipped_rows()
    assert rows.columns[:6] == ["sha256", "name", "path", "size", "problem", "reason"]
    assert rows.rows[0][:5] == (None, "notes.txt", str(notes), 10, "unsupported")


def test_an_empty_case_gives_empty_rows_with_columns(ledger: Ledger) -> None:
    for rows in (ledger.results_rows(), ledger.segments_rows(), ledger.skipped_rows()):
        assert rows.rows == [] and rows.columns
        frame = pd.DataFrame.from_records(rows.rows, columns=rows.columns)
        assert list(frame.columns) == rows.columns and frame.empty


def test_many_paths_are_listed_in_the_order_seen(ledger: Ledger) -> None:
    item = make_item(5)
    ledger.add_items([item])
    from dataclasses import replace

    ledger.add_items([replace(item, paths=(Path("/b/second.wav"), Path("/a/third.wav")))])
    row = dict(zip(RESULTS_COLUMNS, ledger.results_rows().rows[0], strict=True))
    assert row["paths"].split("\n") == [str(item.paths[0]), "/b/second.wav", "/a/third.wav"]
    assert row["n_paths"] == 3 and row["path"] == str(item.paths[0])
    assert json.loads(json.dumps(row))  # plain values only


def test_segments_of_every_kind_round_trip_with_gaps(ledger: Ledger) -> None:
    item = make_item(7)
    ledger.add_items([item])
    job, _ = ledger.ensure_job(spec(item))
    ledger.mark_submitting(job.id)
    video = [
        SegmentRecord("video", "frame", 0, 0.23, None, 0.9, "fake", certainty=0.95),
        SegmentRecord("video", "segment", 0, 0.23, None, 0.88, "likely_fake", sub_index=0),
        SegmentRecord("video", "segment", 0, 0.23, None, None, None, sub_index=1),
        SegmentRecord("video", "frame", 1, 0.5, None, 0.1, "real", certainty=0.6),
        SegmentRecord("audio", "window", 0, 0.0, 2.0, 0.4, None),
    ]
    ledger.mark_completed(job.id, ResultRecord(label="fake"), video)
    stored = ledger.segments_for(job.id)
    # grouped by (track, kind) in order of first appearance, order kept inside a group
    assert stored == [video[0], video[3], video[1], video[2], video[4]]
    columns = ledger.segments_columns()
    assert list(columns) == list(SEGMENTS_COLUMNS)
    frame = pd.DataFrame(columns)
    assert list(frame["kind"]) == ["frame", "frame", "segment", "segment", "window"]
    assert frame["score"].isna().tolist() == [False, False, False, True, False]
    assert frame["end_s"].isna().tolist() == [True, True, True, True, False]
    assert frame["sub_index"].tolist()[2:4] == [0.0, 1.0] and pd.isna(frame["sub_index"][0])
    assert columns["label"].tolist() == ["fake", "real", "likely_fake", None, None]
    assert frame["label"].isna().tolist() == [False, False, False, True, True]
    rows = ledger.segments_rows().rows
    assert rows[2][4:10] == (0, 0, 0.23, None, 0.88, "likely_fake")


def test_segment_labels_off_the_scale_are_stored_as_none_never_guessed(ledger: Ledger) -> None:
    item = make_item(8)
    ledger.add_items([item])
    job, _ = ledger.ensure_job(spec(item))
    ledger.mark_submitting(job.id)
    odd = [
        SegmentRecord("video", "frame", 0, label="Likely Fake"),
        SegmentRecord("video", "frame", 1, label="Neutral/Uncertain"),
        SegmentRecord("video", "frame", 2, label="suspicious"),
    ]
    ledger.mark_completed(job.id, ResultRecord(label="fake"), odd)
    assert [s.label for s in ledger.segments_for(job.id)] == ["likely_fake", "uncertain", None]


def test_segment_labels_are_the_api_scale() -> None:
    from resemble_nb.api._labels import Label
    from resemble_nb.ledger._segments import SEGMENT_LABELS

    assert list(SEGMENT_LABELS) == Label.order()


def test_results_columns_are_results_rows_by_column(ledger: Ledger) -> None:
    items = [make_item(n) for n in range(5)]
    ledger.add_items(items)
    ledger.create_jobs([spec(item) for item in items[:3]])
    rows = ledger.results_rows()
    for chunk in (1, 2, 256):
        columns = ledger.results_columns(chunk=chunk)
        assert list(columns) == rows.columns
        assert [list(values) for values in zip(*columns.values(), strict=True)] == [
            list(row) for row in rows.rows
        ]
    assert ledger.results_columns()["sha256"] == [item.sha256 for item in items]
