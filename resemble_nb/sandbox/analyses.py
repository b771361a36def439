"""Analyses that run beside a detect and may finish later: intelligence, watermark and
audio source tracing.

spec-B: intelligence "can still be processing after Detect reaches completed", and a
failed watermark analysis does not fail the detect. An :class:`Analysis` starts when its
detect completes, then finishes at once, after a time or after N reads (per its lag),
as ``completed`` or ``failed``. This module also shapes the blocks the item carries:
``intelligence``, ``watermark`` (spec-B ``DetectWatermarkAnalysis``) and
``c2pa_manifest``.
"""

from __future__ import annotations

import hashlib
import uuid as uuidlib
from dataclasses import dataclass
from typing import Any

from .clock import isoformat
from .modes import Modes, fails, parse_lag
from .scoring import intelligence_text

__all__ = [
    "Analysis",
    "c2pa_block",
    "intelligence_block",
    "plan_analyses",
    "tracing_block",
    "watermark_block",
]

_REASONS = {
    "intelligence": "Error generating Intelligence report. (sandbox: intelligence_fail)",
    "watermark": "Watermark analysis failed. (sandbox: watermark_fail)",
    "tracing": "Audio source tracing failed. (sandbox: tracing_fail)",
}


@dataclass
class Analysis:
    """One requested analysis of one detect."""

    kind: str  # "intelligence" | "watermark" | "tracing"
    uuid: str
    lag_mode: str  # none | time | polls
    lag: float
    will_fail: bool
    status: str = "pending"  # pending -> processing -> completed | failed
    started_at: float | None = None
    polls: int = 0
    finished_at: float | None = None
    error_message: str | None = None

    @property
    def terminal(self) -> bool:
        return self.status in ("completed", "failed")

    @property
    def ready_at(self) -> float | None:
        """When a time lag ends (sandbox clock), once started."""
        if self.started_at is None or self.lag_mode != "time":
            return None
        return self.started_at + self.lag

    def start(self, now: float) -> None:
        """The detect completed: the analysis runs, or is done at once without a lag."""
        if self.status != "pending":
            return
        self.status = "processing"
        self.started_at = now
        if self.lag_mode == "none" or self.lag == 0:
            self.finish(now)

    def cancel(self, now: float, reason: str) -> None:
        """The detect failed: there is nothing to analyse."""
        if not self.terminal:
            self.status, self.finished_at, self.error_message = "failed", now, reason

    def advance(self, now: float, *, polled: bool) -> bool:
        """Count a read, finish when due; True if it finished now."""
        if self.status != "processing":
            return False
        if polled:
            self.polls += 1
        due = (self.lag_mode == "time" and now >= (self.ready_at or 0.0)) or (
            self.lag_mode == "polls" and self.polls >= self.lag
        )
        if due:
            self.finish(now)
        return due

    def finish(self, now: float) -> None:
        if self.terminal:
            return
        self.finished_at = now
        if self.will_fail:
            self.status, self.error_message = "failed", _REASONS[self.kind]
        else:
            self.status = "completed"


def plan_analyses(
    options: dict[str, Any], sha256: str, modes: Modes, seed: int
) -> dict[str, Analysis]:
    """The analyses a detect's options ask for, with the lag and outcome the modes set."""
    plans: dict[str, Analysis] = {}
    wanted = (
        (
            "intelligence",
            options.get("intelligence"),
            modes.intelligence_lag,
            modes.intelligence_fail,
        ),
        ("watermark", options.get("detect_watermark"), modes.watermark_lag, modes.watermark_fail),
        ("tracing", options.get("audio_source_tracing"), modes.tracing_lag, modes.tracing_fail),
    )
    for kind, asked, lag, share in wanted:
        if asked:
            mode, amount = parse_lag(lag)
            plans[kind] = Analysis(
                kind, str(uuidlib.uuid4()), mode, amount, fails(share, seed, kind, sha256)
            )
    return plans


def intelligence_block(
    analysis: Analysis, *, detect_uuid: str, sha256: str, media_type: str
) -> dict[str, Any]:
    """spec-B's intelligence object: ``{uuid, status, error_message, description, ...}``.

    While processing (or failed) ``description`` is null.
    """
    created = analysis.finished_at if analysis.terminal else analysis.started_at
    description: Any = None
    if analysis.status == "completed":
        description = intelligence_text(sha256, media_type, media_type == "image")
    return {
        "uuid": analysis.uuid,
        "status": "processing" if analysis.status == "pending" else analysis.status,
        "error_message": analysis.error_message,
        "description": description,
        "created_at": isoformat(created) if created is not None else None,
        "detect_uuid": detect_uuid,
    }


def _watermark_metrics(sha256: str, media_type: str) -> dict[str, Any]:
    """A synthetic ``DetectWatermarkAnalysis`` (audio and image/video shapes differ)."""
    digest = hashlib.sha256(f"watermark:{sha256}".encode()).digest()
    marked = digest[0] < 40  # about one in six contents carries a Resemble watermark
    synthid = {"detected": digest[1] < 20, "confidence": round(digest[2] / 255, 3)}
    versions = ["resemble-v2"] if marked else []
    results = [
        {"model": "resemble-v2", "detected": marked, "score": round(digest[3] / 255, 3)},
    ]
    overall = "detected" if marked else "not_detected"
    if media_type == "audio":
        return {
            "overall_status": overall,
            "detected_model_versions": versions,
            "coverage_complete": True,
            "has_watermark": {"channel_0": marked},
            "confidence": round(0.5 + digest[4] / 510, 3),
            "model_results": results,
            "synthid": synthid,
        }
    return {
        "overall_status": overall,
        "detected_model_versions": versions,
        "has_watermark": marked,
        "detection_score": round(digest[3] / 255, 3),
        "model_results": results,
        "verdict": "watermarked" if marked else "no_watermark",
        "synthid": synthid,
    }


def watermark_block(analysis: Analysis, *, sha256: str, media_type: str) -> dict[str, Any]:
    """``{status, metrics, error_message?}``; ``error_message`` only when there is one."""
    block: dict[str, Any] = {
        "status": analysis.status,
        "metrics": (
            _watermark_metrics(sha256, media_type) if analysis.status == "completed" else None
        ),
    }
    if analysis.error_message:
        block["error_message"] = analysis.error_message
    return block


def tracing_block(analysis: Analysis | None, outcome: Any) -> Any:
    """The item's ``audio_source_tracing``: what the detect's outcome carries (only for
    fake audio), once its analysis finished; ``{label: null, error_message}`` if it
    failed; absent (null) while it runs."""
    if outcome is None or analysis is None:
        return outcome
    if analysis.status == "completed":
        return outcome
    if analysis.status == "failed":
        return {"label": None, "error_message": analysis.error_message}
    return None


def c2pa_block(finished: bool, completed: bool) -> dict[str, Any] | None:
    """spec-B's ``c2pa_manifest``: sandbox media carry none (``NotPresent``)."""
    if not finished:
        return None
    if not completed:
        return {
            "validation_state": "Unavailable",
            "active_manifest": None,
            "manifests": {},
            "validation_results": None,
            "message": "The media could not be read",
        }
    return {
        "validation_state": "NotPresent",
        "active_manifest": None,
        "manifests": {},
        "validation_results": None,
        "message": "No C2PA manifest found",
    }
