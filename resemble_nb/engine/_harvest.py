"""Finished detects into ledger rows: the result, its scored windows, frames and segments.

>>> from resemble_nb.api import Detection
>>> det = Detection.from_json({"uuid": "d1", "status": "completed", "media_type": "audio",
...     "duration": 5.0, "metrics": {"label": "fake", "score": ["0.9", "0.8", "0.7"],
...     "aggregated_score": "0.8", "consistency": "0.85"}})
>>> record, segments = result_of(det, {})
>>> record.label, record.score, [(s.start_s, s.end_s) for s in segments]
('fake', 0.8, [(0.0, 2.0), (2.0, 4.0), (4.0, 5.0)])
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..api import Detection
from ..ledger import ResultRecord, SegmentRecord
from ._findings import analysis_of

__all__ = ["result_of", "segments_of"]


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


def segments_of(det: Detection, options: Mapping[str, Any]) -> list[SegmentRecord]:
    """Every scored piece of a finished detect.

    Audio windows (for audio, and for a video's audio track) are ``frame_length`` seconds
    long (the option, default 2) from ``start_region`` (default 0), the last one cut at the
    duration. The API sends no label per window, so none is made up. Video frames sit at
    their timestamp; each face/region segment inherits its frame's time and index.
    """
    rows: list[SegmentRecord] = []
    if det.audio is not None and det.audio.window_scores:
        length = float(options.get("frame_length") or 2)
        offset = float(options.get("start_region") or 0.0)
        end_limit = det.duration
        for i, score in enumerate(det.audio.window_scores):
            start = offset + i * length
            end = start + length
            if end_limit is not None and end_limit > start:
                end = min(end, end_limit)
            rows.append(SegmentRecord("audio", "window", i, start, end, _finite(score)))
    if det.video is not None:
        for i, frame in enumerate(det.video.frames):
            label = frame.label.value if frame.label is not None else None
            at = frame.timestamp
            rows.append(
                SegmentRecord(
                    "video", "frame", i, at, at, _finite(frame.score), label,
                    certainty=_finite(frame.certainty),
                )
            )  # fmt: skip
            for j, seg in enumerate(frame.segments):
                seg_label = seg.label.value if seg.label is not None else None
                rows.append(
                    SegmentRecord(
                        "video", "segment", i, at, at, _finite(seg.score), seg_label,
                        sub_index=j, certainty=_finite(seg.certainty),
                    )
                )  # fmt: skip
    return rows


def _raw(det: Detection) -> Any:
    """The server's JSON without inline ``data:`` images (heatmaps can be megabytes; the
    images themselves are kept as artifacts) and without URL query strings (media and
    heatmap URLs can be pre-signed: their signature is a credential).

    Secrets are scrubbed once, by the ledger as it stores the text (``dump_raw``), after
    the inline images are gone (scrubbing first ran every pattern over megabytes)."""
    return _strip_data_uris(det.raw)


def _strip_data_uris(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_data_uris(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_data_uris(v) for v in value]
    if isinstance(value, str) and value.startswith("data:") and "," in value:
        return value[: value.find(",") + 1] + "...(inline data dropped)"
    if isinstance(value, str) and value.startswith(("https://", "http://")) and "?" in value:
        return value[: value.find("?")] + "?[redacted]"
    return value


def result_of(
    det: Detection, options: Mapping[str, Any]
) -> tuple[ResultRecord, Sequence[SegmentRecord]]:
    """The ledger's view of a completed detect: headline and sub-scores, raw JSON, pieces."""
    record = ResultRecord(
        label=det.label.value if det.label is not None else None,
        label_raw=det.label_raw,
        score=_finite(det.score),
        audio_score=_finite(det.audio.aggregated_score) if det.audio else None,
        video_score=_finite(det.video.score) if det.video else None,
        image_score=_finite(det.image.score) if det.image else None,
        consistency=_finite(det.audio.consistency) if det.audio else None,
        duration=_finite(det.duration),
        detect_uuid=det.uuid or None,
        completed_at=det.updated_at,
        raw=_raw(det),
        analysis=analysis_of(det),
    )
    return record, segments_of(det, options)
