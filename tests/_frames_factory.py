"""Frames built exactly to the schema of case.results(), case.segments(), case.decisions().

The plots and the report are tested against these, independently of the engine that
produces the real frames; the schema (columns, order, dtypes) is the contract, read from
:mod:`resemble_nb.frames` itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from resemble_nb import frames

# The schema is frames' own (columns, order, dtypes): the one contract, not a copy of it.
LABELS = frames.LABELS
UTC = "datetime64[ns, UTC]"
RESULT_DTYPES: dict[str, Any] = frames.RESULT_COLUMNS
SEGMENT_DTYPES: dict[str, Any] = frames.SEGMENT_COLUMNS
DECISION_DTYPES: dict[str, Any] = frames.DECISION_COLUMNS


def sha_of(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def label_for(score: float | None) -> str | None:
    """Resemble's bands, as the engine would map a score to a label."""
    if score is None:
        return None
    return LABELS[sum(score >= cut for cut in (0.2, 0.4, 0.6, 0.8))]


def _frame(rows: Iterable[Mapping[str, Any]], dtypes: Mapping[str, Any]) -> pd.DataFrame:
    records = [{col: row.get(col) for col in dtypes} for row in rows]
    frame = pd.DataFrame.from_records(records, columns=list(dtypes))
    out = {}
    for col, dtype in dtypes.items():
        series = frame[col]
        if dtype == UTC:
            out[col] = pd.to_datetime(series, utc=True).astype(UTC)
        elif dtype is object:
            out[col] = series.astype(object)
        else:
            out[col] = series.astype(dtype)
    return pd.DataFrame(out, columns=list(dtypes))


def result_row(name: str, score: float | None = None, **kw: Any) -> dict[str, Any]:
    """One completed item (or a pending one when score is None), with overrides."""
    media_type = kw.pop("media_type", _guess_type(name))
    row: dict[str, Any] = {
        "name": name,
        "path": f"/evidence/{name}",
        "paths": [f"/evidence/{name}"],
        "sha256": sha_of(name),
        "media_type": media_type,
        "size": 1000 + len(name),
        "duration": None if media_type == "image" else 12.5,
        "status": "completed" if score is not None else "pending",
        "label": label_for(score),
        "score": score,
        f"{media_type}_score": score,
        "detect_uuid": f"uuid-{sha_of(name)[:8]}" if score is not None else None,
        "submitted_at": "2025-03-01T10:00:00Z",
        "completed_at": "2025-03-01T10:00:07Z" if score is not None else None,
        "source": "api",
    }
    row.update(kw)
    return row


def _guess_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return {"mp4": "video", "mov": "video", "png": "image", "jpg": "image"}.get(ext, "audio")


def results(rows: Iterable[Mapping[str, Any]] = ()) -> pd.DataFrame:
    return _frame(rows, RESULT_DTYPES)


def segments(rows: Iterable[Mapping[str, Any]] = ()) -> pd.DataFrame:
    return _frame(rows, SEGMENT_DTYPES)


def decisions(rows: Iterable[Mapping[str, Any]] = ()) -> pd.DataFrame:
    return _frame(rows, DECISION_DTYPES)


def audio_windows(name: str, scores: list[float], window: float = 2.0) -> list[dict[str, Any]]:
    return [
        {
            "sha256": sha_of(name),
            "name": name,
            "track": "audio",
            "kind": "window",
            "index": i,
            "start_s": i * window,
            "end_s": (i + 1) * window,
            "score": s,
            "label": label_for(s),
        }
        for i, s in enumerate(scores)
    ]


def video_frames(
    name: str, scores: list[float], step: float = 0.5, faces: int = 0
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i, s in enumerate(scores):
        base = {"sha256": sha_of(name), "name": name, "track": "video", "start_s": i * step}
        rows.append(
            base
            | {"kind": "frame", "index": i, "end_s": i * step, "score": s, "label": label_for(s)}
        )
        for j in range(faces):
            seg = min(1.0, s + 0.05 * j)
            rows.append(
                base
                | {
                    "kind": "segment",
                    "index": i,
                    "end_s": i * step,
                    "score": seg,
                    "label": label_for(seg),
                }
            )
    return rows


def demo_case(n: int = 6) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A small mixed case: audio, video, image, one failed and one pending item."""
    names = ["call.wav", "clip.mp4", "photo.png", "memo.mp3", "street.jpg", "broken.wav"][:n]
    scores: list[float | None] = [0.91, 0.66, 0.12, 0.35, 0.55, None]
    rows = [result_row(nm, sc) for nm, sc in zip(names, scores, strict=False)]
    if n >= 6:
        rows[5].update(status="failed", error="corrupt media: no audio stream")
    segs = audio_windows("call.wav", [0.8, 0.95, 0.9, 0.7]) + video_frames(
        "clip.mp4", [0.4, 0.7, 0.8, 0.6], faces=2
    )
    segs += audio_windows("clip.mp4", [0.3, 0.6]) + audio_windows("memo.mp3", [0.3, 0.4])
    decs = [
        {
            "sha256": sha_of("call.wav"),
            "name": "call.wav",
            "verdict": "needs_escalation",
            "note": "ask the caller",
            "reviewer": "ana",
            "decided_at": "2025-03-01T11:00:00Z",
        },
        {
            "sha256": sha_of("call.wav"),
            "name": "call.wav",
            "verdict": "confirmed_fake",
            "note": "voice clone",
            "reviewer": "ben",
            "decided_at": "2025-03-01T12:30:00Z",
        },
        {
            "sha256": sha_of("photo.png"),
            "name": "photo.png",
            "verdict": "confirmed_real",
            "note": "",
            "reviewer": "ana",
            "decided_at": "2025-03-01T11:05:00Z",
        },
    ]
    res = results(rows)
    latest = pd.DataFrame(decs).groupby("sha256").last()
    for sha, dec in latest.iterrows():
        res.loc[res["sha256"] == sha, "verdict"] = dec["verdict"]
        res.loc[res["sha256"] == sha, "note"] = dec["note"]
    return res, segments(segs), decisions(decs)
