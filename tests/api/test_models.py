"""Parsing the documented response items (contract §3.4, §4) into models."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resemble_nb.api import Batch, Detection, DetectionPage, Intelligence, Label

ASYNC_CREATE = {
    "uuid": "DETECTION_UUID",
    "metrics": {},
    "created_at": "2024-01-15T10:30:00Z",
    "updated_at": "2024-01-15T10:30:00Z",
    "media_type": "audio",
    "intelligence": None,
}

SYNC_AUDIO = {
    "uuid": "DETECTION_UUID",
    "metrics": {
        "image": "",
        "label": "fake",
        "score": ["0.9", "0.8", "0.7"],
        "consistency": "0.85",
        "aggregated_score": "0.80",
    },
    "created_at": "2024-01-15T10:30:00Z",
    "updated_at": "2024-01-15T10:30:05Z",
    "duration": "5.2",
    "media_type": "audio",
    "status": "completed",
    "intelligence": {
        "description": "Adult male speaker with confident tone...",
        "created_at": "2024-01-15T10:30:05Z",
    },
}

SYNC_IMAGE = {
    "uuid": "DETECTION_UUID",
    "metrics": {},
    "created_at": "2024-01-15T10:30:00Z",
    "updated_at": "2024-01-15T10:30:12Z",
    "url": "https://example.com/image.jpg",
    "duration": "5.0",
    "media_type": "image",
    "image_metrics": {
        "ifl": {"score": 1, "heatmap": "https://heat"},
        "type": "FinalResult",
        "image": "https://vis",
        "label": "Fake",
        "score": 1,
        "children": [],
        "reverse_image_search_sources": [
            {
                "url": "https://example-stock-site.com/ai-generated-images/",
                "title": "example-stock-site.com",
                "reason": "hosted on a stock site",
                "verdict": "known_fake",
                "similarity": 1,
            }
        ],
    },
    "intelligence": {
        "uuid": "INTELLIGENCE_UUID",
        "description": "...",
        "created_at": "2024-01-15T10:30:12Z",
        "detect_uuid": "DETECTION_UUID",
    },
    "visualize": False,
    "audio_source_tracing_enabled": False,
    "use_ood_detector": False,
    "filename": "image.jpg",
    "extra_params": {"use_reverse_search": True, "search_identity_requested": False},
    "status": "completed",
    "audio_url": "https://example.com/image.jpg",
    "zero_retention_mode": False,
    "media_redacted": False,
    "media_deleted": False,
}

SYNC_VIDEO = {
    "uuid": "DETECTION_UUID",
    "status": "completed",
    "metrics": {
        "image": "https://...",
        "label": "fake",
        "score": ["0.9", "0.8", "0.7"],
        "consistency": "0.85",
        "aggregated_score": "0.80",
    },
    "created_at": "2024-01-15T10:30:00Z",
    "updated_at": "2024-01-15T10:30:10Z",
    "duration": "10.5",
    "media_type": "video",
    "video_metrics": {
        "label": "Fake",
        "score": 0.95,
        "certainty": 0.93,
        "treeview": "...",
        "children": [
            {
                "type": "VideoResult",
                "conclusion": "Fake",
                "score": 0.99,
                "certainty": 0.9,
                "certainty (%)": "90.0",
                "children": [
                    {
                        "type": "ImageResult",
                        "conclusion": "Fake",
                        "score": 0.9,
                        "certainty": 0.95,
                        "certainty (%)": "95.0",
                        "timestamp": 0.23,
                        "children": [
                            {
                                "type": "Segment",
                                "conclusion": "Fake",
                                "score": 0.9,
                                "certainty": 0.995,
                                "certainty (%)": "99.5",
                            }
                        ],
                    },
                    {
                        "type": "ImageResult",
                        "conclusion": "Likely real",
                        "score": "0.2",
                        "certainty (%)": "80%",
                        "timestamp": "1.23",
                        "children": [],
                    },
                ],
            }
        ],
    },
    "intelligence": {"description": "Video ...", "created_at": "2024-01-15T10:30:10Z"},
}

LIST_BODY = {
    "success": True,
    "page": 1,
    "num_pages": 5,
    "page_size": 20,
    "total_count": 87,
    "items": [
        {
            "uuid": "a1b2c3d4e5f6",
            "media_type": "audio",
            "status": "completed",
            "metrics": {
                "label": "real",
                "score": [0.92, 0.88, 0.95],
                "aggregated_score": 0.92,
                "consistency": 0.94,
                "duration": 12.5,
            },
            "video_metrics": None,
            "image_metrics": None,
            "intelligence": None,
            "filename": "file.wav",
            "duration": 12.5,
            "zero_retention_mode": False,
            "media_redacted": False,
            "media_deleted": False,
            "file_deleted_at": None,
            "visualize": True,
            "extra_params": {},
            "error_message": None,
            "created_at": "2025-12-10T15:30:00.000Z",
            "updated_at": "2025-12-10T15:30:45.000Z",
        }
    ],
}


def test_async_create_item_is_not_done_and_has_no_verdict() -> None:
    d = Detection.from_json(ASYNC_CREATE)
    assert d.uuid == "DETECTION_UUID"
    assert d.status is None and not d.done
    # metrics {} while processing: no block, no label, no score - never a made-up "real"
    assert d.audio is None and d.image is None and d.video is None
    assert d.label is None and d.score is None
    assert d.intelligence is None and d.intelligence_results == []
    assert d.created_at == datetime(2024, 1, 15, 10, 30, tzinfo=timezone.utc)


def test_sync_audio_scores_from_strings() -> None:
    d = Detection.from_json(SYNC_AUDIO, source="sandbox")
    assert d.done and d.completed and not d.failed
    assert d.audio is not None
    assert d.audio.label is Label.FAKE and d.audio.label_raw == "fake"
    assert d.audio.aggregated_score == 0.8
    assert d.audio.consistency == 0.85
    assert d.audio.window_scores == [0.9, 0.8, 0.7]
    assert d.audio.visualization is None  # "" means no artifact
    assert (d.label, d.label_raw, d.score) == (Label.FAKE, "fake", 0.8)
    assert d.duration == 5.2
    assert d.source == "sandbox"
    assert d.intelligence is not None and d.intelligence.description.startswith("Adult")
    assert d.image is None and d.video is None


def test_sync_image_with_reverse_search() -> None:
    d = Detection.from_json(SYNC_IMAGE)
    assert d.image is not None
    assert (d.label, d.label_raw, d.score) == (Label.FAKE, "Fake", 1.0)
    assert d.image.ifl_score == 1.0 and d.image.ifl_heatmap == "https://heat"
    assert d.image.type == "FinalResult" and d.image.visualization == "https://vis"
    [found] = d.image.reverse_search_sources
    assert found.verdict == "known_fake" and found.similarity == 1.0
    assert d.audio is None  # "metrics": {} for images
    assert d.filename == "image.jpg" and d.url == "https://example.com/image.jpg"
    assert d.extra_params["use_reverse_search"] is True
    assert d.zero_retention_mode is False and d.media_redacted is False
    assert d.intelligence is not None and d.intelligence.uuid == "INTELLIGENCE_UUID"
    assert d.intelligence.detect_uuid == "DETECTION_UUID"


def test_sync_video_tree_is_flattened_into_frames_and_segments() -> None:
    d = Detection.from_json(SYNC_VIDEO)
    assert d.video is not None and d.audio is not None
    assert d.video.label is Label.FAKE and d.video.score == 0.95 and d.video.certainty == 0.93
    first, second = d.video.frames
    assert first.timestamp == 0.23 and first.score == 0.9 and first.certainty == 0.95
    assert first.label is Label.FAKE and first.label_raw == "Fake"
    [segment] = first.segments
    assert segment.score == 0.9 and segment.certainty == 0.995 and segment.label is Label.FAKE
    assert second.timestamp == 1.23 and second.score == 0.2
    assert second.certainty == pytest.approx(0.8)  # only "certainty (%)": "80%"
    assert second.label is Label.LIKELY_REAL and second.segments == []
    assert d.video.children[0]["type"] == "VideoResult"  # raw tree kept
    assert d.duration == 10.5


def test_video_headline_is_the_more_suspicious_track() -> None:
    item = {**SYNC_VIDEO, "video_metrics": {**SYNC_VIDEO["video_metrics"], "label": "Real"}}
    item["video_metrics"]["score"] = 0.1
    d = Detection.from_json(item)
    # audio track says fake 0.80, visual says real 0.10: the headline is the audio track
    assert (d.label, d.label_raw, d.score) == (Label.FAKE, "fake", 0.8)
    visual_only = Detection.from_json({**item, "metrics": {}})
    assert (visual_only.label, visual_only.score) == (Label.REAL, 0.1)
    assert visual_only.audio is None


def test_list_page_with_numbers_instead_of_strings() -> None:
    page = DetectionPage.from_json(LIST_BODY, source="api")
    assert (page.page, page.num_pages, page.page_size, page.total_count) == (1, 5, 20, 87)
    assert page.has_next and len(page) == 1
    [d] = list(page)
    assert d.label is Label.REAL and d.score == 0.92
    assert d.audio is not None and d.audio.window_scores == [0.92, 0.88, 0.95]
    assert d.audio.extra == {"duration": 12.5}  # the stray metrics.duration is kept
    assert d.video is None and d.image is None  # explicit nulls stay None
    assert d.created_at is not None and d.created_at.tzinfo is not None
    assert d.created_at.microsecond == 0 and d.updated_at is not None


def test_a_page_finds_only_the_detects_asked_for() -> None:
    first = LIST_BODY["items"][0]
    items = [
        {**first, "uuid": f"u{i}", "created_at": f"2025-12-10T15:{30 + i}:00Z"} for i in range(5)
    ]
    page = DetectionPage.from_json({**LIST_BODY, "items": [*items, "junk"]})
    found = page.find({"u1", "u3", "elsewhere"})
    assert sorted(found) == ["u1", "u3"] and found["u3"].label is Label.REAL
    assert page.oldest_created_at is not None and page.oldest_created_at.minute == 30
    assert len(page) == 5 and [d.uuid for d in page.items] == [f"u{i}" for i in range(5)]
    assert DetectionPage.from_json({"page": 1}).oldest_created_at is None


def test_unknown_fields_are_kept_and_raw_is_untouched() -> None:
    item = {**SYNC_AUDIO, "brand_new_field": {"x": 1}, "pipeline": "general"}
    d = Detection.from_json(item)
    assert d.extra == {"brand_new_field": {"x": 1}}
    assert d.raw == item and d.raw is not item


def test_unknown_label_keeps_raw_and_gives_no_label() -> None:
    d = Detection.from_json({**SYNC_AUDIO, "metrics": {**SYNC_AUDIO["metrics"], "label": "ai"}})
    assert d.label is None and d.label_raw == "ai" and d.score == 0.8


def test_failed_and_zero_retention_items() -> None:
    failed = Detection.from_json(
        {"uuid": "x", "status": "failed", "media_type": "audio", "error_message": "corrupt"}
    )
    assert failed.done and failed.failed and failed.error_message == "corrupt"
    assert failed.label is None and failed.score is None
    redacted = Detection.from_json(
        {
            **SYNC_AUDIO,
            "url": None,
            "audio_url": None,
            "filename": "redacted_abc123def4567890abcd1234.mp3",
            "zero_retention_mode": True,
            "media_redacted": True,
            "media_deleted": True,
            "file_deleted_at": "2024-01-15T10:31:00Z",
        }
    )
    assert redacted.url is None and redacted.media_redacted and redacted.media_deleted
    assert redacted.file_deleted_at == datetime(2024, 1, 15, 10, 31, tzinfo=timezone.utc)


def test_experts_intelligence_array_and_source_tracing() -> None:
    item = {
        **SYNC_AUDIO,
        "intelligence": [
            {"uuid": "i1", "status": "completed", "description": {"transcription": "hi"}},
            {"uuid": "i2", "status": "completed", "description": "later"},
        ],
        "audio_source_tracing": {"label": "resemble_ai", "error_message": None},
    }
    d = Detection.from_json(item)
    assert [r.uuid for r in d.intelligence_results] == ["i1", "i2"]
    assert d.intelligence is not None and d.intelligence.uuid == "i2"
    assert d.intelligence_results[0].description == {"transcription": "hi"}
    assert d.audio_source_tracing is not None
    assert d.audio_source_tracing.label == "resemble_ai"


def test_detection_repr_is_short() -> None:
    text = repr(
        Detection.from_json({**SYNC_VIDEO, "video_metrics": {"treeview": "data:" + "A" * 10_000}})
    )
    assert len(text) < 300 and "AAAA" not in text


def test_batch_statuses() -> None:
    body = {
        "uuid": "b1",
        "status": "processing",
        "total_files": 3,
        "completed_count": 1,
        "failed_count": 0,
        "created_at": "2024-01-15T09:30:00Z",
        "detect_uuids": ["d1", "d2", "d3"],
    }
    assert not Batch.from_json(body).done
    for status in ("completed", "partially_failed", "failed"):
        done = Batch.from_json({**body, "status": status, "completed_count": 2, "failed_count": 1})
        assert done.done
    # a terminal status whose counters do not add up is not trusted as done
    assert not Batch.from_json({**body, "status": "completed"}).done
    b = Batch.from_json(body, source="sandbox")
    assert b.detect_uuids == ["d1", "d2", "d3"] and b.source == "sandbox"
    assert b.created_at == datetime(2024, 1, 15, 9, 30, tzinfo=timezone.utc)


def test_intelligence_report() -> None:
    report = Intelligence.from_json(
        {
            "uuid": "abc",
            "media_type": "audio",
            "description": {"speaker_info": "Adult male", "translation": None},
            "created_at": "2024-01-15T10:30:00Z",
        }
    )
    assert report is not None and report.media_type == "audio"
    assert isinstance(report.description, dict) and report.description["speaker_info"]
    assert Intelligence.from_json(None) is None


label_forms = st.sampled_from(
    [
        "fake",
        "Fake",
        "Likely fake",
        "Likely Fake",
        "Neutral/Uncertain",
        "Likely real",
        "real",
        "Real",
    ]
)
score_values = st.floats(min_value=0, max_value=1, allow_nan=False)


@given(
    media=st.sampled_from(["audio", "image", "video"]),
    label=label_forms,
    score=score_values,
    as_string=st.booleans(),
)
def test_any_documented_label_and_score_form_parses(
    media: str, label: str, score: float, as_string: bool
) -> None:
    value: Any = f"{score}" if as_string else score
    item: dict[str, Any] = {"uuid": "u", "status": "completed", "media_type": media}
    if media == "audio":
        item["metrics"] = {"label": label, "aggregated_score": value, "score": [value]}
    elif media == "image":
        item["image_metrics"] = {"label": label, "score": value, "type": "FinalResult"}
    else:
        item["video_metrics"] = {"label": label, "score": value, "certainty": value}
    d = Detection.from_json(item)
    assert d.label_raw == label
    assert d.label is not None and d.label.value in Label.order()
    assert d.score is not None and math.isclose(d.score, score)
