"""What the ledger stores and returns: plain frozen dataclasses, times tz-aware (UTC)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, NamedTuple, Protocol, get_args

__all__ = [
    "LIVE_STATES",
    "PROBLEM_STATES",
    "STATES",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "VERDICTS",
    "VERDICT_WORDS",
    "Decision",
    "Item",
    "ItemLike",
    "ItemPath",
    "Job",
    "JobSpec",
    "JobState",
    "Result",
    "ResultRecord",
    "Rows",
    "SegmentKind",
    "SegmentRecord",
    "SkipLike",
    "SkippedFile",
    "Source",
    "Strategy",
    "Track",
    "Verdict",
]

JobState = Literal[
    "pending", "uploading", "submitting", "submitted", "completed", "failed", "skipped", "cancelled"
]
"""A job's state. The engine adds its own in-run states on top (``engine.State``)."""
Strategy = Literal["batch", "single"]
Source = Literal["api", "sandbox"]
Verdict = Literal["confirmed_fake", "confirmed_real", "needs_escalation", "inconclusive"]
Track = Literal["audio", "video", "image"]
SegmentKind = Literal["window", "frame", "segment"]

STATES: tuple[JobState, ...] = get_args(JobState)
"""Every job state in pipeline order: the one list (frames, schema and engine build on it)."""
TERMINAL_STATES: frozenset[JobState] = frozenset({"completed", "failed", "skipped", "cancelled"})
"""States a job ends in."""
LIVE_STATES: frozenset[JobState] = frozenset(STATES) - TERMINAL_STATES
"""At most one job per item and options key is in one of these (enforced by the schema)."""
PROBLEM_STATES: frozenset[JobState] = TERMINAL_STATES - {"completed"}
"""Ends without a result: each carries the reason in ``error``."""
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
"""The triage verdicts, in the order the triage board offers them: the one list."""
VERDICT_WORDS: dict[Verdict, str] = {
    "confirmed_fake": "Confirmed fake",
    "confirmed_real": "Confirmed real",
    "needs_escalation": "Needs escalation",
    "inconclusive": "Inconclusive",
}
"""Each verdict in plain words, for boards and reports."""

TRANSITIONS: dict[JobState, frozenset[JobState]] = {
    "pending": frozenset({"uploading", "submitting", "failed", "skipped", "cancelled"}),
    "uploading": frozenset({"pending", "submitting", "failed", "skipped", "cancelled"}),
    # from submitting, "pending" means: the create request provably never reached the server
    "submitting": frozenset({"pending", "submitted", "completed", "failed", "cancelled"}),
    "submitted": frozenset({"submitted", "completed", "failed", "cancelled"}),
    "completed": frozenset(),  # final: analyse again with a new job (force)
    "failed": frozenset({"pending"}),  # retry on the same row
    "skipped": frozenset({"pending"}),
    "cancelled": frozenset({"pending", "submitting", "submitted"}),  # resume
}
"""Allowed moves: ``TRANSITIONS[current]`` is the set of states a job may go to next."""


class ItemLike(Protocol):
    """What :meth:`Ledger.add_items` needs (a :class:`resemble_nb.media.MediaItem` fits)."""

    @property
    def sha256(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def media_type(self) -> str: ...
    @property
    def mime(self) -> str | None: ...
    @property
    def extension(self) -> str: ...
    @property
    def duration(self) -> float | None: ...
    @property
    def paths(self) -> Sequence[Path]: ...


class SkipLike(Protocol):
    """What :meth:`Ledger.record_skips` needs (a skipped ``media.MediaFile`` fits)."""

    @property
    def path(self) -> Path: ...
    @property
    def size(self) -> int | None: ...
    @property
    def sha256(self) -> str | None: ...
    @property
    def problem(self) -> str | None: ...
    @property
    def reason(self) -> str | None: ...


@dataclass(frozen=True)
class ItemPath:
    """A path an item was seen at (absolute; resolved against the case folder if inside)."""

    path: Path
    name: str
    first_seen: datetime
    seen_at: datetime


@dataclass(frozen=True)
class Item:
    """A media item: distinct content, with every path it was seen at (first first)."""

    sha256: str
    size: int
    media_type: str
    mime: str | None
    extension: str
    duration: float | None
    first_seen: datetime
    paths: tuple[ItemPath, ...]

    @property
    def name(self) -> str:
        return self.paths[0].name if self.paths else ""


@dataclass(frozen=True)
class SkippedFile:
    """A path that could not become an item, with the reason (one row per path)."""

    path: Path
    name: str
    sha256: str | None
    size: int | None
    problem: str
    reason: str
    seen_at: datetime


@dataclass(frozen=True)
class JobSpec:
    """A job to create: one detect of one item with one set of options."""

    sha256: str
    options_key: str
    strategy: Strategy
    source: Source
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    """One detect of one item with one set of options, and where it stands.

    ``attempts`` counts create requests marked (``submitting``); ``submit_name`` is the
    file name the create request carried (for reconciling after a crash).
    ``request_id`` is the ``X-Request-Id`` of the create request that made the detect or
    batch (``None`` if the server sent none, or the detect was adopted after an unknown
    outcome); ``upload_request_id`` that of the secure upload the create used, if any.
    """

    id: int
    sha256: str
    options_key: str
    options: dict[str, Any]
    strategy: Strategy
    state: JobState
    source: Source
    detect_uuid: str | None
    batch_uuid: str | None
    submit_name: str | None
    attempts: int
    error: str | None
    created_at: datetime
    submitting_at: datetime | None
    submitted_at: datetime | None
    completed_at: datetime | None
    updated_at: datetime
    request_id: str | None = None
    upload_request_id: str | None = None

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES


@dataclass(frozen=True)
class SegmentRecord:
    """One scored piece of a result.

    Attributes:
        track: ``"audio"`` (windows, also a video's audio track), ``"video"`` (frames and
            their segments) or ``"image"``.
        kind: ``"window"`` (audio window), ``"frame"`` (video frame) or ``"segment"`` (a
            face/region inside a frame).
        index: Window index, or the frame index (for a segment: its frame's index).
        sub_index: For a segment, its index inside the frame; else ``None``.
        start_s: Start in seconds (a frame's timestamp); ``end_s``: end, if known.
    """

    track: Track
    kind: SegmentKind
    index: int
    start_s: float | None = None
    end_s: float | None = None
    score: float | None = None
    label: str | None = None
    sub_index: int | None = None
    certainty: float | None = None


@dataclass(frozen=True)
class ResultRecord:
    """A completed detect's verdict, as the engine hands it to :meth:`Ledger.mark_completed`.

    ``raw`` is the server's JSON (a mapping or its text); it is stored scrubbed of media
    tokens and anything JWT-like.
    """

    label: str | None = None
    label_raw: str | None = None
    score: float | None = None
    audio_score: float | None = None
    video_score: float | None = None
    image_score: float | None = None
    consistency: float | None = None
    duration: float | None = None
    detect_uuid: str | None = None
    completed_at: datetime | None = None
    raw: Any = None
    analyses: Mapping[str, Mapping[str, Any]] | None = None
    """Each requested analysis that can lag the detect (intelligence, watermark):
    ``{name: {"status": "completed" | "failed", "reason": ...}}``."""
    analysis: Any = field(default=None, repr=False)
    """An :class:`~resemble_nb.ledger.AnalysisRecord` of the extra analyses, if any."""


@dataclass(frozen=True)
class Result:
    """A stored result (one per completed job)."""

    job_id: int
    sha256: str
    detect_uuid: str | None
    label: str | None
    label_raw: str | None
    score: float | None
    audio_score: float | None
    video_score: float | None
    image_score: float | None
    consistency: float | None
    duration: float | None
    completed_at: datetime | None
    raw_json: str = field(repr=False)
    analyses_json: str | None = field(default=None, repr=False)

    @property
    def raw(self) -> Any:
        """The stored JSON, parsed."""
        return json.loads(self.raw_json)

    @property
    def analyses(self) -> dict[str, dict[str, Any]]:
        """Each requested analysis' outcome: ``{name: {"status", "reason"?}}``."""
        return dict(json.loads(self.analyses_json)) if self.analyses_json else {}


@dataclass(frozen=True)
class Decision:
    """One triage decision. The latest for an item is its current verdict."""

    id: int
    sha256: str
    verdict: Verdict
    note: str
    reviewer: str
    decided_at: datetime


class Rows(NamedTuple):
    """Column names and plain rows, ready for ``pd.DataFrame.from_records(rows, columns=...)``.

    Time columns (see ``time_columns``) are ISO-8601 UTC strings here, for speed; convert
    with ``pd.to_datetime(df[col], utc=True, format="ISO8601")``.
    """

    columns: list[str]
    rows: list[tuple[Any, ...]]
    time_columns: tuple[str, ...] = ()
