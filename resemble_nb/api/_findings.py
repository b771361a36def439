"""Typed views of a detect's extra analyses, each keeping the raw JSON.

* :class:`Findings`: the intelligence ``description``, text or structured
  (audio/video: speaker, language, transcription, fraud...; image: scene, subjects...).
* :class:`Watermark`: spec-B's ``DetectWatermarkAnalysis`` (audio and image/video shapes).
* :class:`C2PAManifest`: the ``c2pa_manifest`` block.
* :class:`Artifact`: a visualization (heatmap, treeview) sent as a URL or an inline
  ``data:`` URI. URLs from the real service can be pre-signed: an artifact never shows
  its URL in a repr or ``str`` (``reveal()`` gives it at the point of use), and a
  ``data:`` URI is never repeated in full.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from .._core.markup import decode_data_uri, sniff_image
from .._core.secrets import remember
from ._labels import parse_score
from ._metrics import as_bool, as_dict, as_str

__all__ = ["Artifact", "C2PAManifest", "Findings", "Watermark"]

TEXT_FIELDS_AV = (
    "speaker_info", "language", "dialect", "emotion", "speaking_style", "context",
    "message", "abnormalities", "transcription", "translation", "misinformation",
)  # fmt: skip
"""Structured intelligence fields for audio and video (contract §3.5)."""
TEXT_FIELDS_IMAGE = (
    "scene_description", "subjects", "authenticity_analysis", "context_and_setting",
    "abnormalities", "misinformation",
)  # fmt: skip
"""Structured intelligence fields for images (contract §3.5)."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value if v is not None) or None
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {v}" for k, v in value.items() if v is not None) or None
    return str(value)


@dataclass(frozen=True)
class Findings:
    """An intelligence ``description``, read field by field.

    ``summary`` is the free text when the report is text, else the most telling
    structured field (authenticity analysis, context, message or scene). Every
    documented field is an attribute (``None`` when absent); ``fields`` holds every
    structured field as plain text, in the order sent, for a short table.

    >>> f = Findings.from_description({"language": "en", "abnormalities": "None"})
    >>> f.language, f.abnormalities, f.structured
    ('en', 'None', True)
    >>> Findings.from_description("Adult male speaker").summary
    'Adult male speaker'
    """

    summary: str | None
    structured: bool
    speaker_info: str | None = None
    language: str | None = None
    dialect: str | None = None
    emotion: str | None = None
    speaking_style: str | None = None
    context: str | None = None
    message: str | None = None
    abnormalities: str | None = None
    transcription: str | None = None
    translation: str | None = None
    misinformation: str | None = None
    scene_description: str | None = None
    subjects: str | None = None
    authenticity_analysis: str | None = None
    context_and_setting: str | None = None
    fraud_type: str | None = None
    fraud_confidence: float | None = None
    fraud_reasoning: str | None = None
    liveness: str | None = None
    liveness_confidence: float | None = None
    digitally_altered: bool | None = None
    digitally_altered_confidence: float | None = None
    fields: dict[str, str] = field(default_factory=dict, repr=False)
    raw: Any = field(default=None, repr=False)

    @classmethod
    def from_description(cls, description: Any) -> Findings | None:
        """Read a ``description`` (text or object); ``None`` when there is none."""
        if description is None:
            return None
        if not isinstance(description, Mapping):
            text = str(description).strip()
            return cls(summary=text or None, structured=False, raw=description) if text else None
        data = dict(description)
        texts = {name: _text(data.get(name)) for name in TEXT_FIELDS_AV + TEXT_FIELDS_IMAGE}
        fraud = as_dict(data.get("fraud"))
        liveness = as_dict(data.get("liveness"))
        altered = as_dict(data.get("digitally_altered"))
        shown = {k: t for k, v in data.items() if (t := _text(v)) is not None}
        summary = (
            texts["authenticity_analysis"]
            or texts["message"]
            or texts["context"]
            or texts["scene_description"]
            or texts["speaker_info"]
            or next(iter(shown.values()), None)
        )
        return cls(
            summary=summary,
            structured=True,
            **texts,
            fraud_type=as_str(fraud.get("type")),
            fraud_confidence=parse_score(fraud.get("confidence")),
            fraud_reasoning=_text(fraud.get("reasoning")),
            liveness=as_str(liveness.get("assessment")),
            liveness_confidence=parse_score(liveness.get("confidence")),
            digitally_altered=as_bool(altered.get("detected")),
            digitally_altered_confidence=parse_score(altered.get("confidence")),
            fields=shown,
            raw=data,
        )


@dataclass(frozen=True)
class Watermark:
    """The watermark analysis of a detect (``watermark``; spec-B shapes).

    ``status`` is the analysis's own state (``pending``, ``processing``, ``completed``,
    ``failed``); a failed analysis does not fail the detect. ``detected`` is ``True``
    when any watermark was found (audio: in any channel), ``False`` when the analysis
    completed without one, ``None`` when it has not said.

    >>> w = Watermark.from_json({"status": "completed", "metrics": {
    ...     "overall_status": "detected", "has_watermark": {"left": True, "right": False}}})
    >>> w.detected, w.verdict_text
    (True, 'watermark found')
    """

    status: str | None
    detected: bool | None
    overall_status: str | None = None
    verdict: str | None = None
    confidence: float | None = None
    detection_score: float | None = None
    coverage_complete: bool | None = None
    channels: dict[str, bool] = field(default_factory=dict)
    detected_model_versions: list[str] = field(default_factory=list)
    synthid: Any = field(default=None, repr=False)
    model_results: list[Any] = field(default_factory=list, repr=False)
    error_message: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def verdict_text(self) -> str:
        """One line for a badge: found, none found, pending, failed."""
        if self.status == "failed":
            return "watermark check failed" + (
                f": {self.error_message}" if self.error_message else ""
            )
        if self.detected is True:
            return "watermark found"
        if self.detected is False:
            return "no watermark found"
        return f"watermark check {self.status or 'not reported'}"

    @classmethod
    def from_json(cls, data: Any) -> Watermark | None:
        if not isinstance(data, Mapping):
            return None
        metrics = as_dict(data.get("metrics"))
        has = metrics.get("has_watermark")
        channels: dict[str, bool] = {}
        detected: bool | None
        if isinstance(has, Mapping):
            channels = {str(k): bool(v) for k, v in has.items()}
            detected = any(channels.values()) if channels else None
        else:
            detected = as_bool(has) if has is not None else None
        synthid = metrics.get("synthid")
        if detected is not True and isinstance(synthid, Mapping):
            found = as_bool(synthid.get("detected", synthid.get("has_watermark")))
            detected = True if found else detected
        versions = metrics.get("detected_model_versions")
        results = metrics.get("model_results")
        return cls(
            status=as_str(data.get("status")),
            detected=detected,
            overall_status=as_str(metrics.get("overall_status")),
            verdict=as_str(metrics.get("verdict")),
            confidence=parse_score(metrics.get("confidence")),
            detection_score=parse_score(metrics.get("detection_score")),
            coverage_complete=as_bool(metrics.get("coverage_complete")),
            channels=channels,
            detected_model_versions=[str(v) for v in versions]
            if isinstance(versions, list)
            else [],
            synthid=synthid,
            model_results=list(results) if isinstance(results, list) else [],
            error_message=as_str(data.get("error_message")),
            raw=dict(data),
        )


C2PA_MEANING = {
    "Valid": "signed provenance (C2PA) found and valid",
    "NotPresent": "no C2PA provenance in the file",
    "Unavailable": "C2PA provenance could not be checked",
}


@dataclass(frozen=True)
class C2PAManifest:
    """The ``c2pa_manifest`` block: ``Valid``, ``NotPresent`` or ``Unavailable``.

    >>> C2PAManifest.from_json({"validation_state": "NotPresent"}).meaning
    'no C2PA provenance in the file'
    """

    validation_state: str | None
    message: str | None = None
    active_manifest: Any = field(default=None, repr=False)
    manifests: Any = field(default=None, repr=False)
    validation_results: Any = field(default=None, repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def meaning(self) -> str:
        """One line saying what the state means."""
        state = self.validation_state
        return C2PA_MEANING.get(state or "", f"C2PA state {state!r}" if state else "no C2PA state")

    @classmethod
    def from_json(cls, data: Any) -> C2PAManifest | None:
        if not isinstance(data, Mapping):
            return None
        return cls(
            validation_state=as_str(data.get("validation_state")),
            message=as_str(data.get("message")),
            active_manifest=data.get("active_manifest"),
            manifests=data.get("manifests"),
            validation_results=data.get("validation_results"),
            raw=dict(data),
        )


@dataclass(frozen=True, repr=False, eq=False)
class Artifact:
    """A visualization: an https URL (possibly pre-signed) or an inline ``data:`` URI.

    Its repr says what it is, never where: the URL is a secret like a media token.

    >>> a = Artifact.from_value("https://cdn.example/h.png?X-Amz-Signature=abc", "heatmap")
    >>> a, a.kind
    (Artifact(name='heatmap', kind='url'), 'url')
    >>> b = Artifact.from_value("data:image/png;base64,iVBORw0KGgo=", "heatmap")
    >>> b.mime, b.data()[:4]
    ('image/png', b'\\x89PNG')
    """

    name: str
    kind: Literal["url", "data"]
    _value: str

    def reveal(self) -> str:
        """The URL or data URI itself: only where it is used, never to print or store."""
        return self._value

    @property
    def mime(self) -> str | None:
        """The image type an inline artifact's bytes show (``image/png``...: sniffed, never
        the type it claims), else ``None`` (a URL, or bytes that are no known image)."""
        data = self.data()
        return sniff_image(data) if data is not None else None

    @property
    def size(self) -> int:
        """Characters of the value (a hint of how big an inline artifact is)."""
        return len(self._value)

    def data(self) -> bytes | None:
        """The bytes of an inline artifact (``None`` for a URL or undecodable data)."""
        if self.kind != "data":
            return None
        return decode_data_uri(self._value)

    def __repr__(self) -> str:
        return f"Artifact(name={self.name!r}, kind={self.kind!r})"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("an Artifact cannot be pickled: its URL may be pre-signed")

    @classmethod
    def from_value(cls, value: Any, name: str) -> Artifact | None:
        """An artifact from a field's value; ``None`` for empty or non-URL values."""
        if not isinstance(value, str) or not value.strip():
            return None
        text = value.strip()
        if text.startswith("data:") and "," in text:
            return cls(name, "data", text)
        parts = urlsplit(text)
        if parts.scheme in ("http", "https"):
            if len(parts.query) >= 16:  # a pre-signed one: it must reach no artifact
                remember(parts.query, "a pre-signed URL")
            return cls(name, "url", text)
        return None
