"""A finished detect's extra analyses into the ledger's :class:`AnalysisRecord`.

Read through the API layer's typed views (intelligence findings, source tracing,
watermark, C2PA, reverse search, visualizations). Inline images are kept as bytes for
the report; URLs never are (they may be pre-signed).
"""

from __future__ import annotations

from .._core.markup import sniff_image
from ..api import Detection
from ..ledger import AnalysisRecord, ArtifactRecord

__all__ = ["analysis_of"]

MAX_ARTIFACT_BYTES = 8_000_000
"""Inline visualizations bigger than this are not kept (a heatmap is far smaller)."""


def _watermark_state(det: Detection) -> tuple[str | None, str | None]:
    mark = det.watermark_analysis
    if mark is None:
        return None, None
    if mark.status == "failed":
        return mark.status, "failed"
    if mark.detected is True:
        return mark.status, "found"
    if mark.detected is False and mark.status in (None, "completed"):
        return mark.status, "not_found"
    if mark.status in ("pending", "processing"):
        return mark.status, "pending"
    return mark.status, None  # done but says nothing we can read: never guessed


def analysis_of(det: Detection) -> AnalysisRecord | None:
    """The readable findings of ``det``; ``None`` when it carries no extra analysis."""
    report = det.intelligence
    findings = det.findings
    tracing = det.audio_source_tracing
    status, mark = _watermark_state(det)
    c2pa = det.c2pa
    sources = det.image.reverse_search_sources if det.image is not None else []
    asked_reverse = det.image is not None and (
        bool(det.extra_params.get("use_reverse_search")) or bool(sources)
    )  # reverse image search is for images only
    artifacts = det.artifacts
    kept = []
    for name, art in sorted(artifacts.items()):
        data = art.data() if art.kind == "data" else None
        mime = sniff_image(data) if data else None  # the bytes decide, never the claim
        if data and mime is not None and len(data) <= MAX_ARTIFACT_BYTES:
            kept.append(ArtifactRecord(name, mime, data))
    if not any((report, tracing, mark, c2pa, asked_reverse, artifacts)):
        return None
    return AnalysisRecord(
        intelligence_status=(report.status or "completed") if report is not None else None,
        intelligence=findings.summary if findings is not None else None,
        findings=dict(findings.fields) if findings is not None else {},
        abnormalities=findings.abnormalities if findings is not None else None,
        transcription=findings.transcription if findings is not None else None,
        language=findings.language if findings is not None else None,
        source_tracing=tracing.label if tracing is not None else None,
        watermark_status=status,
        watermark=mark,
        c2pa=c2pa.validation_state if c2pa is not None else None,
        reverse_sources=[
            {
                "url": s.url, "title": s.title, "reason": s.reason, "verdict": s.verdict,
                "similarity": s.similarity,
            }
            for s in sources
        ] if asked_reverse else None,
        heatmap=bool(artifacts.keys() & {"audio_heatmap", "image_heatmap", "ifl_heatmap"}),
        artifacts=tuple(kept),
    )  # fmt: skip
