"""The metric blocks of a detection: audio, image and video (tree flattened to frames).

Also the small parsing helpers shared with :mod:`resemble_nb.api.models`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ._labels import Label, label_text, parse_certainty, parse_label, parse_score

__all__ = [
    "AudioMetrics",
    "AudioSourceTracing",
    "ImageMetrics",
    "ReverseSearchSource",
    "Segment",
    "VideoFrame",
    "VideoMetrics",
]


def as_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def as_str(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return None


def as_int(value: Any) -> int | None:
    number = parse_score(value)
    return None if number is None else int(number)


def parse_datetime(value: Any) -> datetime | None:
    """An ISO-8601 timestamp as a timezone-aware datetime (UTC if no zone was given)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def unknown_fields(data: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in known}


@dataclass(frozen=True)
class AudioMetrics:
    """The audio verdict (``metrics``): for audio files and for a video's audio track.

    Attributes:
        label: The verdict on the five-step scale, or ``None`` if absent or unknown.
        label_raw: The label as the server wrote it.
        aggregated_score: Overall score, 0-1, higher means more likely synthetic.
        consistency: How consistent the window scores are.
        window_scores: One score per analysed window, in order (``nan`` if unreadable).
        visualization: Heatmap URL or ``data:`` URI when ``visualize`` was on.
    """

    label: Label | None
    label_raw: str | None
    aggregated_score: float | None
    consistency: float | None
    window_scores: list[float] = field(repr=False)
    visualization: str | None = field(default=None, repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    _KNOWN = frozenset({"label", "score", "consistency", "aggregated_score", "image"})

    @classmethod
    def from_json(cls, data: Any) -> AudioMetrics | None:
        """Parse ``metrics``; ``None`` for a missing or empty block (processing, images)."""
        if not isinstance(data, Mapping) or not (
            {"label", "score", "aggregated_score"} & data.keys()
        ):
            return None
        windows = data.get("score")
        if not isinstance(windows, (list, tuple)):
            windows = [] if windows is None else [windows]
        scores = [parse_score(w) for w in windows]
        return cls(
            label=parse_label(data.get("label")),
            label_raw=label_text(data.get("label")),
            aggregated_score=parse_score(data.get("aggregated_score")),
            consistency=parse_score(data.get("consistency")),
            window_scores=[float("nan") if s is None else s for s in scores],
            visualization=as_str(data.get("image")) or None,
            extra=unknown_fields(data, cls._KNOWN),
        )


@dataclass(frozen=True)
class ReverseSearchSource:
    """A web page where reverse image search found the image."""

    url: str | None
    title: str | None
    reason: str | None
    verdict: str | None
    similarity: float | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReverseSearchSource:
        return cls(
            url=as_str(data.get("url")),
            title=as_str(data.get("title")),
            reason=as_str(data.get("reason")),
            verdict=as_str(data.get("verdict")),
            similarity=parse_score(data.get("similarity")),
        )


@dataclass(frozen=True)
class ImageMetrics:
    """The image verdict (``image_metrics``).

    Attributes:
        label: The verdict on the five-step scale, or ``None`` if absent or unknown.
        label_raw: The label as the server wrote it.
        score: Probability the image is synthetic, 0-1.
        ifl_score: The image forgery localisation score (``ifl.score``).
        ifl_heatmap: The IFL heatmap URL or ``data:`` URI.
        type: The result type, e.g. ``"FinalResult"``.
        reverse_search_sources: Pages found by reverse image search, if requested.
    """

    label: Label | None
    label_raw: str | None
    score: float | None
    ifl_score: float | None
    type: str | None
    reverse_search_sources: list[ReverseSearchSource] = field(default_factory=list, repr=False)
    ifl_heatmap: str | None = field(default=None, repr=False)
    visualization: str | None = field(default=None, repr=False)
    children: list[Any] = field(default_factory=list, repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    _KNOWN = frozenset(
        {"label", "score", "ifl", "type", "image", "children", "reverse_image_search_sources"}
    )

    @classmethod
    def from_json(cls, data: Any) -> ImageMetrics | None:
        """Parse ``image_metrics``; ``None`` when it is missing or empty."""
        if not isinstance(data, Mapping) or not data:
            return None
        ifl = as_dict(data.get("ifl"))
        sources = data.get("reverse_image_search_sources")
        children = data.get("children")
        return cls(
            label=parse_label(data.get("label")),
            label_raw=label_text(data.get("label")),
            score=parse_score(data.get("score")),
            ifl_score=parse_score(ifl.get("score")),
            type=as_str(data.get("type")),
            reverse_search_sources=[
                ReverseSearchSource.from_json(s)
                for s in (sources if isinstance(sources, list) else [])
                if isinstance(s, Mapping)
            ],
            ifl_heatmap=as_str(ifl.get("heatmap")),
            visualization=as_str(data.get("image")) or None,
            children=list(children) if isinstance(children, list) else [],
            extra=unknown_fields(data, cls._KNOWN),
        )


def _node_label(node: Mapping[str, Any]) -> Any:
    return node.get("conclusion", node.get("label"))


@dataclass(frozen=True)
class Segment:
    """A face/region inside a video frame (the tree's ``Segment`` level)."""

    label: Label | None
    label_raw: str | None
    score: float | None
    certainty: float | None

    @classmethod
    def from_json(cls, node: Mapping[str, Any]) -> Segment:
        return cls(
            label=parse_label(_node_label(node)),
            label_raw=label_text(_node_label(node)),
            score=parse_score(node.get("score")),
            certainty=parse_certainty(node.get("certainty"), node.get("certainty (%)")),
        )


@dataclass(frozen=True)
class VideoFrame:
    """One analysed frame (the tree's ``ImageResult`` level) with its segments.

    Attributes:
        timestamp: Seconds from the start of the video.
        score: Probability the frame is synthetic, 0-1.
        certainty: The model's certainty, 0-1 (from ``certainty`` or ``certainty (%)``).
        label: The frame's verdict (``conclusion``) on the five-step scale.
        segments: Per-face/region results inside the frame.
    """

    timestamp: float | None
    score: float | None
    certainty: float | None
    label: Label | None
    label_raw: str | None
    segments: list[Segment] = field(default_factory=list, repr=False)

    @classmethod
    def from_json(cls, node: Mapping[str, Any]) -> VideoFrame:
        children = node.get("children")
        return cls(
            timestamp=parse_score(node.get("timestamp")),
            score=parse_score(node.get("score")),
            certainty=parse_certainty(node.get("certainty"), node.get("certainty (%)")),
            label=parse_label(_node_label(node)),
            label_raw=label_text(_node_label(node)),
            segments=[
                Segment.from_json(child)
                for child in (children if isinstance(children, list) else [])
                if isinstance(child, Mapping)
            ],
        )


def _frames(nodes: Any) -> list[VideoFrame]:
    """Flatten the VideoResult -> ImageResult -> Segment tree into frames, in order."""
    frames: list[VideoFrame] = []
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, Mapping):
            continue
        is_frame = node.get("type") == "ImageResult" or (
            "timestamp" in node and node.get("type") != "VideoResult"
        )
        if is_frame:
            frames.append(VideoFrame.from_json(node))
        else:
            frames.extend(_frames(node.get("children")))
    return frames


@dataclass(frozen=True)
class VideoMetrics:
    """The visual verdict for a video (``video_metrics``), with the tree flattened.

    Attributes:
        label: The verdict on the five-step scale.
        label_raw: The label as the server wrote it.
        score: Probability the video is synthetic, 0-1.
        certainty: The model's certainty, 0-1.
        frames: Every analysed frame, each with its segments.
        treeview: The tree visualisation (URL or ``data:`` URI), if any.
        children: The untouched result tree.
    """

    label: Label | None
    label_raw: str | None
    score: float | None
    certainty: float | None
    frames: list[VideoFrame] = field(default_factory=list, repr=False)
    treeview: str | None = field(default=None, repr=False)
    children: list[Any] = field(default_factory=list, repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    _KNOWN = frozenset({"label", "score", "certainty", "certainty (%)", "treeview", "children"})

    @classmethod
    def from_json(cls, data: Any) -> VideoMetrics | None:
        """Parse ``video_metrics``; ``None`` when it is missing or empty."""
        if not isinstance(data, Mapping) or not data:
            return None
        children = data.get("children")
        return cls(
            label=parse_label(data.get("label")),
            label_raw=label_text(data.get("label")),
            score=parse_score(data.get("score")),
            certainty=parse_certainty(data.get("certainty"), data.get("certainty (%)")),
            frames=_frames(children),
            treeview=as_str(data.get("treeview")) or None,
            children=list(children) if isinstance(children, list) else [],
            extra=unknown_fields(data, cls._KNOWN),
        )


@dataclass(frozen=True)
class AudioSourceTracing:
    """Which generator likely made fake audio (e.g. ``"elevenlabs"``); only for fake audio."""

    label: str | None
    error_message: str | None

    @classmethod
    def from_json(cls, data: Any) -> AudioSourceTracing | None:
        if not isinstance(data, Mapping):
            return None
        return cls(label=as_str(data.get("label")), error_message=as_str(data.get("error_message")))
