"""resemble_nb.frames: ledger rows into DataFrames with the documented schema."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from resemble_nb import frames
from resemble_nb.ledger import JobSpec, Ledger, ResultRecord, SegmentRecord
from resemble_nb.media import MediaItem

UTC = "datetime64[ns, UTC]"


def _item(name: str, media_type: str = "audio", *paths: Path, size: int = 100) -> MediaItem:
    ext = Path(name).suffix
    return MediaItem(
        sha256=hashlib.sha256(name.encode()).hexdigest(),
        size=size,
        media_type=media_type,  # type: ignore[arg-type]
        mime="audio/wav",
        extension=ext,
        duration=None if media_type == "image" else 6.0,
        paths=paths or (Path("/evidence") / name,),
    )


@dataclass(frozen=True)
class _Skip:
    path: Path
    size: int | None = 12
    sha256: str | None = None
    problem: str | None = "unsupported"
    reason: str | None = "not a supported media type: the content looks like plain text"


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    opened = Ledger(tmp_path / "case.db")
    yield opened
    opened.close()


def _check_schema(frame: pd.DataFrame, schema: dict[str, object]) -> None:
    assert list(frame.columns) == list(schema)
    for column, dtype in schema.items():
        if dtype is object:
            assert frame[column].dtype == object, column
        else:
            assert frame[column].dtype == pd.api.types.pandas_dtype(dtype), column


def test_empty_case_gives_empty_frames_with_every_column_and_dtype(ledger: Ledger) -> None:
    for frame, schema in (
        (frames.results_frame(ledger), frames.RESULT_COLUMNS),
        (frames.segments_frame(ledger), frames.SEGMENT_COLUMNS),
        (frames.decisions_frame(ledger), frames.DECISION_COLUMNS),
    ):
        assert len(frame) == 0
        _check_schema(frame, schema)


def test_schema_matches_the_documented_contract() -> None:
    assert list(frames.RESULT_COLUMNS) == [
        "name", "path", "paths", "sha256", "media_type", "size", "duration", "status",
        "label", "score", "audio_score", "video_score", "image_score", "consistency",
        "detect_uuid", "submitted_at", "completed_at", "error", "verdict", "note", "source",
        "intelligence", "intelligence_error", "abnormalities", "transcription",
        "language", "source_tracing", "source_tracing_error", "watermark",
        "watermark_error", "c2pa", "local_c2pa", "reverse_hits", "reverse_top", "heatmap",
        "heatmap_error", "analyses_from",
    ]  # fmt: skip
    assert list(frames.SEGMENT_COLUMNS) == [
        "sha256", "name", "track", "kind", "index", "start_s", "end_s", "score", "label",
    ]  # fmt: skip
    label = frames.RESULT_COLUMNS["label"]
    assert list(label.categories) == ["real", "likely_real", "uncertain", "likely_fake", "fake"]
    assert label.ordered
    assert frames.RESULT_COLUMNS["submitted_at"] == UTC


def test_local_c2pa_shows_each_items_latest_reading_beside_the_apis(ledger: Ledger) -> None:
    from resemble_nb.media.provenance import Provenance

    items = _populate(ledger)
    ledger.add_provenance(
        [
            (items["call"].sha256, Provenance("Unavailable", "not installed"), None),
            (items["photo"].sha256, Provenance("Invalid", "failed: x"), "c2pa-python 0.38"),
            (items["call"].sha256, Provenance("NotPresent"), "c2pa-python 0.38"),
        ]
    )
    df = frames.results_frame(ledger)
    _check_schema(df, frames.RESULT_COLUMNS)
    assert list(df.columns).index("local_c2pa") == list(df.columns).index("c2pa") + 1
    local = dict(zip(df["name"], df["local_c2pa"], strict=True))
    assert local["call.wav"] == "NotPresent"  # the latest reading counts
    assert local["photo.png"] == "Invalid"
    assert pd.isna(local["clip.mp4"]) and pd.isna(local["notes.txt"])  # not read; skipped
    assert list(frames.LOCAL_C2PA_STATES[:3]) == ["Trusted", "Valid", "Invalid"]


def _populate(ledger: Ledger) -> dict[str, MediaItem]:
    done = _item("call.wav", "audio", Path("/evidence/call.wav"), Path("/copies/call-copy.wav"))
    clip = _item("clip.mp4", "video")
    photo = _item("photo.png", "image")
    broken = _item("broken.wav", "audio")
    waiting = _item("waiting.wav", "audio")
    ledger.add_items([done, clip, photo, broken, waiting])
    ids = ledger.create_jobs(
        JobSpec(i.sha256, "k", "batch", "sandbox") for i in (done, clip, photo, broken)
    )
    ledger.mark_submitting(ids)
    ledger.mark_submitted(ids, batch_uuid="batch-1")
    ledger.assign_detects(dict(zip(ids, ["d-call", "d-clip", "d-photo", "d-broken"], strict=True)))
    finished = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    ledger.mark_completed(
        ids[0],
        ResultRecord(
            label="likely_fake", score=0.66, audio_score=0.66, consistency=0.8,
            duration=6.0, completed_at=finished, raw={"uuid": "d-call"},
        ),
        [
            SegmentRecord("audio", "window", 0, 0.0, 2.0, 0.9),
            SegmentRecord("audio", "window", 1, 2.0, 4.0, 0.5),
            SegmentRecord("audio", "window", 2, 4.0, 6.0, 0.6),
        ],
    )  # fmt: skip
    ledger.mark_completed(
        ids[1],
        ResultRecord(label="fake", score=0.95, video_score=0.95, audio_score=0.3, raw={}),
        [
            SegmentRecord("video", "frame", 0, 0.5, 0.5, 0.95, "fake"),
            SegmentRecord("video", "segment", 0, 0.5, 0.5, 0.9, "likely_fake", sub_index=0),
        ],
    )
    ledger.mark_completed(
        ids[2], ResultRecord(label="real", score=0.05, image_score=0.05, raw={}), []
    )
    ledger.mark_failed(ids[3], "broken.wav: the analysis failed on the server: bad header")
    ledger.record_skips([_Skip(Path("/evidence/notes.txt"))])
    ledger.decide(done.sha256, "needs_escalation", "ask the caller", reviewer="ana")
    ledger.decide(done.sha256, "confirmed_fake", "voice clone", reviewer="ben")
    return {"call": done, "clip": clip, "photo": photo, "broken": broken, "waiting": waiting}


def test_results_one_row_per_item_then_skipped_files(ledger: Ledger) -> None:
    items = _populate(ledger)
    df = frames.results_frame(ledger)
    _check_schema(df, frames.RESULT_COLUMNS)
    assert list(df["name"]) == [
        "call.wav", "clip.mp4", "photo.png", "broken.wav", "waiting.wav", "notes.txt",
    ]  # fmt: skip
    row = df.iloc[0]
    assert row["sha256"] == items["call"].sha256
    assert row["path"] == "/evidence/call.wav"
    assert row["paths"] == ["/evidence/call.wav", "/copies/call-copy.wav"]
    assert row["status"] == "completed" and row["label"] == "likely_fake"
    assert row["score"] == pytest.approx(0.66) and row["consistency"] == pytest.approx(0.8)
    assert row["detect_uuid"] == "d-call" and row["source"] == "sandbox"
    assert row["completed_at"] == pd.Timestamp("2026-01-02T03:04:05Z")
    assert row["verdict"] == "confirmed_fake" and row["note"] == "voice clone"
    assert df["submitted_at"].notna().iloc[:4].all()


def test_missing_results_are_na_never_made_up(ledger: Ledger) -> None:
    _populate(ledger)
    df = frames.results_frame(ledger).set_index("name")
    broken = df.loc["broken.wav"]
    assert broken["status"] == "failed"
    assert "bad header" in broken["error"]
    assert pd.isna(broken["label"]) and pd.isna(broken["score"])
    waiting = df.loc["waiting.wav"]
    assert pd.isna(waiting["status"])  # recorded, never planned
    assert pd.isna(waiting["label"]) and pd.isna(waiting["verdict"])
    notes = df.loc["notes.txt"]
    assert notes["status"] == "skipped"
    assert "plain text" in notes["error"]
    assert pd.isna(notes["media_type"]) and pd.isna(notes["sha256"])
    assert df.loc["photo.png", "duration"] is pd.NA


def test_labels_sort_from_real_to_fake(ledger: Ledger) -> None:
    _populate(ledger)
    df = frames.results_frame(ledger)
    ordered = df.dropna(subset=["label"]).sort_values("label")["name"].tolist()
    assert ordered == ["photo.png", "call.wav", "clip.mp4"]
    assert df["label"].max() == "fake"


def test_segments_rows_with_item_names(ledger: Ledger) -> None:
    items = _populate(ledger)
    seg = frames.segments_frame(ledger)
    _check_schema(seg, frames.SEGMENT_COLUMNS)
    assert len(seg) == 5
    windows = seg[seg["kind"] == "window"]
    assert windows["name"].unique().tolist() == ["call.wav"]
    assert windows["start_s"].tolist() == [0.0, 2.0, 4.0]
    assert windows["label"].isna().all()  # the API sends no label per window
    frame = seg[seg["kind"] == "frame"].iloc[0]
    assert frame["sha256"] == items["clip"].sha256 and frame["label"] == "fake"
    segment = seg[seg["kind"] == "segment"].iloc[0]
    assert segment["index"] == 0 and segment["end_s"] == segment["start_s"] == 0.5


def test_decisions_in_append_order(ledger: Ledger) -> None:
    _populate(ledger)
    log = frames.decisions_frame(ledger)
    _check_schema(log, frames.DECISION_COLUMNS)
    assert log["verdict"].tolist() == ["needs_escalation", "confirmed_fake"]
    assert log["reviewer"].tolist() == ["ana", "ben"]
    assert log["name"].unique().tolist() == ["call.wav"]
    assert log["decided_at"].is_monotonic_increasing


def test_results_can_leave_out_skipped_files(ledger: Ledger) -> None:
    _populate(ledger)
    df = frames.results_frame(ledger, include_skipped=False)
    assert "notes.txt" not in df["name"].tolist()
    assert len(df) == 5
