"""Finished detects into ledger records: headline, sub-scores, windows, frames, segments."""

from __future__ import annotations

from typing import Any

import pytest

from resemble_nb.api import Detection
from resemble_nb.engine._harvest import result_of, segments_of


def _audio(duration: float = 5.0, scores: list[Any] | None = None) -> dict[str, Any]:
    return {
        "uuid": "d-audio",
        "status": "completed",
        "media_type": "audio",
        "duration": duration,
        "metrics": {
            "label": "fake",
            "score": scores if scores is not None else ["0.9", "0.8", "0.7"],
            "aggregated_score": "0.80",
            "consistency": "0.85",
            "image": "data:image/png;base64," + "A" * 5000,
        },
        "created_at": "2026-01-01T10:00:00Z",
        "updated_at": "2026-01-01T10:00:05Z",
    }


def _video() -> dict[str, Any]:
    segment = {"type": "Segment", "conclusion": "Likely fake", "score": 0.7, "certainty": 0.9}
    frame = {
        "type": "ImageResult",
        "conclusion": "Fake",
        "score": 0.9,
        "certainty": 0.95,
        "timestamp": 0.5,
        "children": [segment, {**segment, "score": 0.2, "conclusion": "Real"}],
    }
    return {
        "uuid": "d-video",
        "status": "completed",
        "media_type": "video",
        "duration": "4.0",
        "metrics": {"label": "real", "score": ["0.1", "0.2"], "aggregated_score": "0.15"},
        "video_metrics": {
            "label": "Fake",
            "score": 0.95,
            "children": [{"type": "VideoResult", "children": [frame, {**frame, "timestamp": 2.5}]}],
        },
        "updated_at": "2026-01-01T10:00:09Z",
    }


def test_audio_windows_follow_frame_length_and_stop_at_the_duration() -> None:
    det = Detection.from_json(_audio())
    segments = segments_of(det, {})
    assert [(s.start_s, s.end_s) for s in segments] == [(0.0, 2.0), (2.0, 4.0), (4.0, 5.0)]
    assert [s.score for s in segments] == [0.9, 0.8, 0.7]
    assert {s.track for s in segments} == {"audio"} and {s.kind for s in segments} == {"window"}
    assert all(s.label is None for s in segments)  # the API sends no label per window


def test_windows_start_at_the_start_region() -> None:
    det = Detection.from_json(_audio(duration=10.0, scores=[0.1, 0.2]))
    segments = segments_of(det, {"frame_length": 3, "start_region": 4.0})
    assert [(s.start_s, s.end_s) for s in segments] == [(4.0, 7.0), (7.0, 10.0)]


def test_unreadable_window_scores_are_missing_not_zero() -> None:
    det = Detection.from_json(_audio(scores=["0.9", "n/a", 0.5]))
    assert [s.score for s in segments_of(det, {})] == [0.9, None, 0.5]


def test_video_frames_and_their_face_segments() -> None:
    det = Detection.from_json(_video())
    segments = segments_of(det, {})
    video = [s for s in segments if s.track == "video"]
    assert [(s.kind, s.index, s.sub_index, s.start_s) for s in video] == [
        ("frame", 0, None, 0.5),
        ("segment", 0, 0, 0.5),
        ("segment", 0, 1, 0.5),
        ("frame", 1, None, 2.5),
        ("segment", 1, 0, 2.5),
        ("segment", 1, 1, 2.5),
    ]
    assert [s.label for s in video[:3]] == ["fake", "likely_fake", "real"]
    assert [s.kind for s in segments if s.track == "audio"] == ["window", "window"]


def test_result_record_has_headline_and_sub_scores() -> None:
    record, segments = result_of(Detection.from_json(_video()), {})
    assert record.label == "fake" and record.score == pytest.approx(0.95)
    assert record.video_score == pytest.approx(0.95)
    assert record.audio_score == pytest.approx(0.15)
    assert record.image_score is None and record.duration == 4.0
    assert record.detect_uuid == "d-video"
    assert record.completed_at is not None and record.completed_at.tzinfo is not None
    assert len(segments) == 8


def test_inline_images_are_dropped_from_the_stored_json() -> None:
    record, _ = result_of(Detection.from_json(_audio()), {})
    image = record.raw["metrics"]["image"]
    assert image.startswith("data:image/png;base64,") and len(image) < 100
    assert record.raw["metrics"]["aggregated_score"] == "0.80"
