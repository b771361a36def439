"""Records into the documented JSON items."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .analyses import c2pa_block, intelligence_block, tracing_block, watermark_block
from .clock import isoformat
from .state import Batch, Detect

__all__ = ["batch_item", "detect_item"]


def _media_url(detect: Detect) -> str | None:
    if detect.options.get("zero_retention_mode"):
        return None
    if detect.url is not None:
        return detect.url
    name = quote(detect.filename or "media")
    return f"{detect.base_url}/_sandbox/media/{detect.uuid}/{name}"


def _intelligence(detect: Detect, completed: bool, experts: bool) -> Any:
    """Null until the detect completes; then spec-B's object (or, with ``experts``, the
    array of completed results)."""
    analysis = detect.analyses.get("intelligence")
    if not completed or analysis is None:
        return [] if experts else None
    block = intelligence_block(
        analysis, detect_uuid=detect.uuid, sha256=detect.sha256, media_type=detect.media_type
    )
    if experts:
        return [block] if analysis.status == "completed" else []
    return block


def _face_only(detect: Detect) -> bool:
    """spec-B echoes the effective value: false for audio, image and audio-only video."""
    opts = detect.options
    return (
        bool(opts.get("face_only"))
        and detect.media_type == "video"
        and (opts.get("modality", "all") != "audio")
    )


def detect_item(detect: Detect, *, experts: bool = False) -> dict[str, Any]:
    """The detect item as ``GET /detect/{uuid}`` returns it.

    As spec-B: ``pipeline`` is not echoed, ``face_only`` is the effective value, and the
    metrics block a single-modality video skipped is absent (not ``{}``).
    """
    opts = detect.options
    finished = detect.finished
    completed = finished and detect.final_status == "completed"
    outcome = detect.outcome if completed else {}
    url = _media_url(detect)
    updated = detect.finished_at if finished and detect.finished_at else detect.created_at
    item: dict[str, Any] = {
        "uuid": detect.uuid,
        "status": detect.status,
        "media_type": detect.media_type,
        "metrics": outcome.get("metrics") or {},
        "image_metrics": outcome.get("image_metrics"),
        "video_metrics": outcome.get("video_metrics"),
        "audio_source_tracing": tracing_block(
            detect.analyses.get("tracing"), outcome.get("audio_source_tracing")
        ),
        "intelligence": _intelligence(detect, completed, experts),
        "url": url,
        "audio_url": url,
        "filename": detect.redacted_name or detect.filename,
        "duration": detect.duration if finished else None,
        "modality": opts.get("modality", "all"),
        "face_only": _face_only(detect),
        "visualize": bool(opts.get("visualize")),
        "audio_source_tracing_enabled": bool(opts.get("audio_source_tracing")),
        "use_ood_detector": bool(opts.get("use_ood_detector")),
        "zero_retention_mode": bool(opts.get("zero_retention_mode")),
        "media_redacted": bool(opts.get("zero_retention_mode")),
        "media_deleted": detect.file_deleted_at is not None,
        "file_deleted_at": isoformat(detect.file_deleted_at) if detect.file_deleted_at else None,
        "extra_params": {
            "use_reverse_search": bool(opts.get("use_reverse_search")),
            "search_identity_requested": bool(opts.get("search_identity")),
        },
        "c2pa_manifest": c2pa_block(finished, completed),
        "error_message": detect.error_message if finished else None,
        "created_at": isoformat(detect.created_at),
        "updated_at": isoformat(updated),
    }
    if detect.media_type == "video":
        skipped = {"video": "metrics", "audio": "video_metrics"}.get(opts.get("modality", "all"))
        if skipped:
            del item[skipped]
    watermark = detect.analyses.get("watermark")
    if watermark is not None:
        item["watermark"] = watermark_block(
            watermark, sha256=detect.sha256, media_type=detect.media_type
        )
    return item


def batch_status(children: list[Detect]) -> str:
    """``processing`` while any child runs; then completed / partially_failed / failed."""
    if not children:
        return "failed"
    if any(not c.finished for c in children):
        return "processing"
    failed = sum(c.final_status == "failed" for c in children)
    if failed == 0:
        return "completed"
    return "failed" if failed == len(children) else "partially_failed"


def batch_item(batch: Batch, children: list[Detect], *, order: str = "files") -> dict[str, Any]:
    """The batch item as ``GET /detect/batch/{uuid}`` returns it."""
    uuids = sorted(batch.detect_uuids) if order == "sorted" else list(batch.detect_uuids)
    return {
        "uuid": batch.uuid,
        "status": batch_status(children),
        "total_files": len(batch.detect_uuids),
        "completed_count": sum(c.finished and c.final_status == "completed" for c in children),
        "failed_count": sum(c.finished and c.final_status == "failed" for c in children),
        "created_at": isoformat(batch.created_at),
        "detect_uuids": uuids,
    }
