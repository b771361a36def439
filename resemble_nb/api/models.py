"""Parsed API objects: detections, batches, pages, intelligence, media tokens.

Every model is an immutable dataclass built by ``from_json``. Conventions:

* Scores are floats whether the API sent ``0.8`` or ``"0.80"``; labels are
  :class:`~resemble_nb.api.Label` values whatever their wording, with the
  server's text kept in ``label_raw``. An unknown wording gives ``label=None``
  (and keeps ``label_raw``): it is never guessed.
* A block the API did not send is ``None``; nothing is ever filled in as "real".
* ``raw`` is the untouched JSON object; ``extra`` holds fields this version of
  the client does not know (nothing is dropped).
* ``source`` is ``"sandbox"`` when the local sandbox answered, else ``"api"``.
* ``request_id`` is the ``X-Request-Id`` of the response a model was parsed from (for a
  create, the create's), when the server sent one; it names a request, never a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ._findings import Artifact, C2PAManifest, Findings, Watermark
from ._labels import Label, label_text, parse_score
from ._metrics import (
    AudioMetrics,
    AudioSourceTracing,
    ImageMetrics,
    ReverseSearchSource,
    Segment,
    VideoFrame,
    VideoMetrics,
    as_bool,
    as_dict,
    as_int,
    as_str,
    parse_datetime,
    unknown_fields,
)
from ._token import MediaToken

__all__ = [
    "AudioMetrics",
    "AudioSourceTracing",
    "Batch",
    "Detection",
    "ImageMetrics",
    "Intelligence",
    "MediaToken",
    "ReverseSearchSource",
    "Segment",
    "Source",
    "VideoFrame",
    "VideoMetrics",
]

Source = Literal["api", "sandbox"]

DETECT_TERMINAL = frozenset({"completed", "failed"})
BATCH_TERMINAL = frozenset({"completed", "partially_failed", "failed"})


@dataclass(frozen=True)
class Intelligence:
    """A multimodal intelligence report (speaker, transcript, abnormalities...).

    Attributes:
        uuid: The report's id (``None`` on some inline copies).
        status: ``processing``, ``completed`` or ``failed`` when sent.
        media_type: ``audio``, ``image`` or ``video`` when sent.
        description: Free text, or a dict of named findings (``transcription``, ``fraud``...).
        detect_uuid: The detect this report belongs to, if any.
    """

    uuid: str | None
    status: str | None
    media_type: str | None
    description: str | dict[str, Any] | None
    error_message: str | None
    detect_uuid: str | None
    created_at: datetime | None
    source: Source = "api"
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    _KNOWN = frozenset(
        {"uuid", "status", "media_type", "description", "error_message", "detect_uuid"}
        | {"created_at"}
    )

    @classmethod
    def from_json(cls, data: Any, source: Source = "api") -> Intelligence | None:
        """Parse one report object; ``None`` if ``data`` is not an object."""
        if not isinstance(data, Mapping):
            return None
        description = data.get("description")
        if isinstance(description, Mapping):
            description = dict(description)
        elif description is not None:
            description = as_str(description)
        return cls(
            uuid=as_str(data.get("uuid")),
            status=as_str(data.get("status")),
            media_type=as_str(data.get("media_type")),
            description=description,
            error_message=as_str(data.get("error_message")),
            detect_uuid=as_str(data.get("detect_uuid")),
            created_at=parse_datetime(data.get("created_at")),
            source=source,
            raw=dict(data),
            extra=unknown_fields(data, cls._KNOWN),
        )

    @property
    def findings(self) -> Findings | None:
        """The description read field by field (text or structured), or ``None``."""
        return Findings.from_description(self.description)


def _worst(*pairs: tuple[Label | None, float | None]) -> tuple[Label | None, float | None]:
    labels = [label for label, _ in pairs if label is not None]
    scores = [score for _, score in pairs if score is not None]
    return (max(labels) if labels else None, max(scores) if scores else None)


@dataclass(frozen=True, repr=False)
class Detection:
    """One detect job and, once it is done, its verdict.

    The headline ``label`` and ``score`` come from the block that matches the media:
    audio -> ``audio.aggregated_score``; image -> ``image.score``; video -> the more
    suspicious of the visual (``video``) and audio-track (``audio``) results, i.e. the
    higher score and the more-fake label, since either track being fake makes the
    video fake (this is also how Resemble's feedback API scores a video). Each block
    stays available on its own. Both are ``None`` until the job completes.

    Check :attr:`done` (or use :meth:`Client.wait_for`) before reading a verdict.

    Attributes:
        uuid: The detect's id.
        status: ``processing``, ``completed`` or ``failed`` (``None`` if not sent).
        media_type: ``audio``, ``image`` or ``video``.
        label: Headline verdict on the five-step scale (see above), or ``None``.
        label_raw: The server's wording of the headline label.
        score: Headline probability of being synthetic, 0-1 (see above), or ``None``.
        audio: The audio result (an audio file, or a video's audio track), or ``None``.
        image: The image result, or ``None``.
        video: The visual result of a video, frames and segments included, or ``None``.
        duration: Media duration in seconds.
        intelligence: The intelligence report (the latest one with ``experts=True``).
        intelligence_results: Every intelligence report sent (a list with ``experts=True``).
        audio_source_tracing: Generator attribution, only sent for fake audio.
        error_message: Why the job failed, when it did.
        request_id: The ``X-Request-Id`` of the response it was parsed from, if sent.
        raw: The untouched JSON item. ``extra``: fields not parsed above.
    """

    uuid: str
    status: str | None
    media_type: str | None
    label: Label | None
    label_raw: str | None
    score: float | None
    audio: AudioMetrics | None
    image: ImageMetrics | None
    video: VideoMetrics | None
    duration: float | None = None
    filename: str | None = None
    url: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    error_message: str | None = None
    intelligence: Intelligence | None = field(default=None, repr=False)
    intelligence_results: list[Intelligence] = field(default_factory=list, repr=False)
    audio_source_tracing: AudioSourceTracing | None = None
    zero_retention_mode: bool | None = None
    media_redacted: bool | None = None
    media_deleted: bool | None = None
    file_deleted_at: datetime | None = None
    modality: str | None = None
    face_only: bool | None = None
    visualize: bool | None = None
    audio_source_tracing_enabled: bool | None = None
    use_ood_detector: bool | None = None
    extra_params: dict[str, Any] = field(default_factory=dict, repr=False)
    watermark: dict[str, Any] | None = field(default=None, repr=False)
    c2pa_manifest: dict[str, Any] | None = field(default=None, repr=False)
    source: Source = "api"
    request_id: str | None = field(default=None, compare=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    _KNOWN = frozenset(
        {"uuid", "status", "media_type", "metrics", "image_metrics", "video_metrics"}
        | {"duration", "filename", "url", "audio_url", "created_at", "updated_at"}
        | {"error_message", "intelligence", "audio_source_tracing", "zero_retention_mode"}
        | {"media_redacted", "media_deleted", "file_deleted_at", "modality", "face_only"}
        | {"visualize", "audio_source_tracing_enabled", "use_ood_detector", "extra_params"}
        | {"watermark", "c2pa_manifest", "pipeline"}
    )

    @property
    def done(self) -> bool:
        """Whether the job reached a terminal state (``completed`` or ``failed``)."""
        return self.status in DETECT_TERMINAL

    def __repr__(self) -> str:
        label = self.label.value if self.label is not None else self.label_raw
        return (
            f"Detection(uuid={self.uuid!r}, status={self.status!r}, "
            f"media_type={self.media_type!r}, label={label!r}, score={self.score!r}, "
            f"filename={self.filename!r}, source={self.source!r})"
        )

    @property
    def findings(self) -> Findings | None:
        """The latest intelligence description read field by field, or ``None``."""
        return self.intelligence.findings if self.intelligence is not None else None

    @property
    def watermark_analysis(self) -> Watermark | None:
        """The ``watermark`` block as a :class:`Watermark` (only if it was asked for)."""
        return Watermark.from_json(self.watermark)

    @property
    def c2pa(self) -> C2PAManifest | None:
        """The ``c2pa_manifest`` block as a :class:`C2PAManifest`, if sent."""
        return C2PAManifest.from_json(self.c2pa_manifest)

    @property
    def artifacts(self) -> dict[str, Artifact]:
        """Visualizations sent (``visualize``): ``audio_heatmap``, ``image_heatmap``,
        ``ifl_heatmap``, ``video_treeview``; URLs kept secret (see :class:`Artifact`)."""
        values = {
            "audio_heatmap": self.audio.visualization if self.audio else None,
            "image_heatmap": self.image.visualization if self.image else None,
            "ifl_heatmap": self.image.ifl_heatmap if self.image else None,
            "video_treeview": self.video.treeview if self.video else None,
        }
        found = {name: Artifact.from_value(value, name) for name, value in values.items()}
        return {name: artifact for name, artifact in found.items() if artifact is not None}

    @property
    def completed(self) -> bool:
        """Whether the job finished with a result."""
        return self.status == "completed"

    @property
    def failed(self) -> bool:
        """Whether the job failed (see :attr:`error_message`)."""
        return self.status == "failed"

    @classmethod
    def from_json(
        cls, data: Mapping[str, Any], source: Source = "api", *, request_id: str | None = None
    ) -> Detection:
        """Parse a detect item (the ``item`` of ``GET /detect/{uuid}``)."""
        media_type = as_str(data.get("media_type"))
        audio = AudioMetrics.from_json(data.get("metrics"))
        image = ImageMetrics.from_json(data.get("image_metrics"))
        video = VideoMetrics.from_json(data.get("video_metrics"))
        audio_pair = (audio.label, audio.aggregated_score) if audio else (None, None)
        image_pair = (image.label, image.score) if image else (None, None)
        video_pair = (video.label, video.score) if video else (None, None)
        raw_label: Any = None
        if media_type == "audio":
            label, score = audio_pair
            raw_label = audio.label_raw if audio else None
        elif media_type == "image":
            label, score = image_pair
            raw_label = image.label_raw if image else None
        else:
            label, score = _worst(video_pair, audio_pair, image_pair)
            for block in (video, audio, image):
                if block is not None and block.label is not None and block.label == label:
                    raw_label = block.label_raw
                    break
            else:
                blocks = [b for b in (video, audio, image) if b is not None]
                raw_label = blocks[0].label_raw if blocks else None

        intel = data.get("intelligence")
        if isinstance(intel, list):
            reports = [r for r in (Intelligence.from_json(i, source) for i in intel) if r]
        else:
            single = Intelligence.from_json(intel, source)
            reports = [single] if single else []
        watermark = data.get("watermark")
        c2pa = data.get("c2pa_manifest")
        return cls(
            uuid=as_str(data.get("uuid")) or "",
            status=as_str(data.get("status")),
            media_type=media_type,
            label=label,
            label_raw=label_text(raw_label),
            score=score,
            audio=audio,
            image=image,
            video=video,
            duration=parse_score(data.get("duration")),
            filename=as_str(data.get("filename")),
            url=as_str(data.get("url")) or as_str(data.get("audio_url")),
            created_at=parse_datetime(data.get("created_at")),
            updated_at=parse_datetime(data.get("updated_at")),
            error_message=as_str(data.get("error_message")),
            intelligence=reports[-1] if reports else None,
            intelligence_results=reports,
            audio_source_tracing=AudioSourceTracing.from_json(data.get("audio_source_tracing")),
            zero_retention_mode=as_bool(data.get("zero_retention_mode")),
            media_redacted=as_bool(data.get("media_redacted")),
            media_deleted=as_bool(data.get("media_deleted")),
            file_deleted_at=parse_datetime(data.get("file_deleted_at")),
            modality=as_str(data.get("modality")),
            face_only=as_bool(data.get("face_only")),
            visualize=as_bool(data.get("visualize")),
            audio_source_tracing_enabled=as_bool(data.get("audio_source_tracing_enabled")),
            use_ood_detector=as_bool(data.get("use_ood_detector")),
            extra_params=as_dict(data.get("extra_params")),
            watermark=dict(watermark) if isinstance(watermark, Mapping) else None,
            c2pa_manifest=dict(c2pa) if isinstance(c2pa, Mapping) else None,
            source=source,
            request_id=request_id,
            raw=dict(data),
            extra=unknown_fields(data, cls._KNOWN),
        )


@dataclass(frozen=True)
class Batch:
    """A ``/detect/batch`` job: many files, one status.

    ``status`` is ``processing`` until every file is done, then ``completed`` (all
    succeeded), ``partially_failed`` or ``failed`` (all failed). Per-file results
    come from :meth:`Client.get_detect` for each of :attr:`detect_uuids`.
    ``request_id`` is the ``X-Request-Id`` of the response it was parsed from, if sent.
    """

    uuid: str
    status: str | None
    total_files: int | None
    completed_count: int | None
    failed_count: int | None
    detect_uuids: list[str]
    created_at: datetime | None = None
    source: Source = "api"
    request_id: str | None = field(default=None, repr=False, compare=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    _KNOWN = frozenset(
        {"uuid", "status", "total_files", "completed_count", "failed_count", "detect_uuids"}
        | {"created_at"}
    )

    @property
    def done(self) -> bool:
        """Whether every file reached a terminal state.

        A terminal ``status`` whose counters still add up to fewer than ``total_files``
        is not trusted as done.
        """
        if self.status not in BATCH_TERMINAL:
            return False
        if self.total_files is None or self.completed_count is None or self.failed_count is None:
            return True
        return self.completed_count + self.failed_count >= self.total_files

    @classmethod
    def from_json(
        cls, data: Mapping[str, Any], source: Source = "api", *, request_id: str | None = None
    ) -> Batch:
        """Parse a batch item (the ``item`` of ``GET /detect/batch/{uuid}``)."""
        uuids = data.get("detect_uuids")
        return cls(
            uuid=as_str(data.get("uuid")) or "",
            status=as_str(data.get("status")),
            total_files=as_int(data.get("total_files")),
            completed_count=as_int(data.get("completed_count")),
            failed_count=as_int(data.get("failed_count")),
            detect_uuids=[str(u) for u in uuids] if isinstance(uuids, list) else [],
            created_at=parse_datetime(data.get("created_at")),
            source=source,
            request_id=request_id,
            raw=dict(data),
            extra=unknown_fields(data, cls._KNOWN),
        )
