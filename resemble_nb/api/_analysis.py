"""Questions about a detect, feedback, source tracings and report lists: models and calls.

The endpoints (contract §4.6 and §5):

* ``POST /detects/{uuid}/intelligence`` (202) and ``GET /detects/{uuid}/intelligence/{q}``:
  a :class:`Question` whose ``status`` goes ``pending`` -> ``processing`` ->
  ``completed`` | ``failed``; 422 before the detect is complete.
* ``GET /intelligences`` (paged) and ``GET /intelligences/{uuid}``.
* ``GET`` / ``POST`` / ``DELETE /detect/{uuid}/feedback``: a :class:`Feedback`.
* ``GET /audio_source_tracings`` (paged) and ``/{uuid}``: a :class:`SourceTrace`.

The functions below build each :class:`~resemble_nb.api._calls.Call` and parse each
answer; :class:`Client` and :class:`AsyncClient` only send.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar, get_args

from ._calls import Call
from ._labels import parse_score
from ._metrics import as_str, parse_datetime, unknown_fields
from ._page import Paged, page_counters
from .models import Intelligence, Source

__all__ = [
    "FEEDBACK_TYPES",
    "Feedback",
    "FeedbackType",
    "ListPage",
    "Question",
    "SourceTrace",
]

FeedbackType = Literal[
    "correct",
    "should_be_ai_generated",
    "should_be_authentic",
    "should_be_non_ai",
    "should_be_neutral",
    "skipped",
]
FEEDBACK_TYPES: tuple[str, ...] = get_args(FeedbackType)
"""The documented feedback types (contract §4.6)."""
MAX_FEEDBACK_COMMENT = 1000
QUESTION_TERMINAL = frozenset({"completed", "failed"})


@dataclass(frozen=True)
class Question:
    """A question asked about a completed detect, and its answer once there is one.

    Attributes:
        uuid: The question's id.
        detect_uuid: The detect it is about.
        query: The question as sent.
        answer: The answer (``None`` until ``completed``).
        status: ``pending``, ``processing``, ``completed`` or ``failed``.
        error_message: Why it failed, when it did.
    """

    uuid: str
    detect_uuid: str
    query: str | None
    answer: str | None
    status: str | None
    error_message: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    source: Source = "api"
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def done(self) -> bool:
        """Whether the answer is final (``completed`` or ``failed``)."""
        return self.status in QUESTION_TERMINAL

    @classmethod
    def from_json(cls, data: Mapping[str, Any], source: Source = "api") -> Question:
        return cls(
            uuid=as_str(data.get("uuid")) or "",
            detect_uuid=as_str(data.get("detect_uuid")) or "",
            query=as_str(data.get("query")),
            answer=as_str(data.get("answer")),
            status=as_str(data.get("status")),
            error_message=as_str(data.get("error_message")),
            created_at=parse_datetime(data.get("created_at")),
            updated_at=parse_datetime(data.get("updated_at")),
            source=source,
            raw=dict(data),
        )


@dataclass(frozen=True)
class Feedback:
    """The feedback given on a detect (one per user).

    Attributes:
        type: ``correct``, ``should_be_ai_generated``, ``should_be_authentic``...
        comment: Free text sent with it.
        origin: The ``source`` field of the feedback (``"api"`` by default).
        verdict: The detect's own verdict: ``ai_generated``, ``authentic`` or ``None``.
        score: The detect's confidence, 0-1 (for video the higher of audio and video).
    """

    detect_uuid: str | None
    type: str | None
    comment: str | None
    origin: str | None
    verdict: str | None
    score: float | None
    uuid: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    source: Source = "api"
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    _KNOWN = frozenset(
        {"detect_uuid", "type", "comment", "source", "verdict", "score", "uuid"}
        | {"created_at", "updated_at"}
    )

    @classmethod
    def from_json(cls, data: Mapping[str, Any], source: Source = "api") -> Feedback:
        return cls(
            detect_uuid=as_str(data.get("detect_uuid")),
            type=as_str(data.get("type")),
            comment=as_str(data.get("comment")),
            origin=as_str(data.get("source")),
            verdict=as_str(data.get("verdict")),
            score=parse_score(data.get("score")),
            uuid=as_str(data.get("uuid")),
            created_at=parse_datetime(data.get("created_at")),
            updated_at=parse_datetime(data.get("updated_at")),
            source=source,
            raw=dict(data),
            extra=unknown_fields(data, cls._KNOWN),
        )


@dataclass(frozen=True)
class SourceTrace:
    """A stand-alone audio source tracing record: which generator made the audio.

    ``label`` is e.g. ``resemble_ai``, ``elevenlabs`` or ``real``.
    """

    uuid: str
    detect_uuid: str | None
    label: str | None
    error_message: str | None
    created_at: datetime | None = None
    source: Source = "api"
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], source: Source = "api") -> SourceTrace:
        results = data.get("results")
        results = results if isinstance(results, Mapping) else {}
        return cls(
            uuid=as_str(data.get("uuid")) or "",
            detect_uuid=as_str(data.get("detect_uuid")),
            label=as_str(results.get("label")),
            error_message=as_str(results.get("error_message")),
            created_at=parse_datetime(data.get("created_at")),
            source=source,
            raw=dict(data),
        )


T = TypeVar("T")


@dataclass(frozen=True)
class ListPage(Paged, Generic[T]):
    """One page of a paged list (``page`` from 1), items parsed."""

    items: list[T]
    page: int
    num_pages: int
    page_size: int
    total_count: int
    source: Source = "api"

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @classmethod
    def from_json(
        cls, data: Mapping[str, Any], parse: Callable[[Mapping[str, Any]], T], source: Source
    ) -> ListPage[T]:
        raw = data.get("items")
        items = [parse(i) for i in raw if isinstance(i, Mapping)] if isinstance(raw, list) else []
        return cls(items=items, **page_counters(data), source=source)


# -- calls ------------------------------------------------------------------------------------


def _id(value: str) -> str:
    text = str(value).strip()
    if not text or any(c in text for c in "/?#"):
        raise ValueError(f"not a valid id: {value!r}")
    return text


def _paging(page: int, page_size: int) -> dict[str, int]:
    if page < 1:
        raise ValueError(f"page starts at 1 (got {page})")
    if not 10 <= page_size <= 1000:
        raise ValueError(f"page_size must be between 10 and 1000 (got {page_size})")
    return {"page": page, "page_size": page_size}


def ask_call(detect_uuid: str, query: str) -> Call:
    """``POST /detects/{uuid}/intelligence``. Not retried once it may have been received:
    a second question would be answered (and billed) twice."""
    if not isinstance(query, str) or not query.strip():
        raise ValueError("the question is empty: ask something about the detect")
    return Call(
        "POST", f"/detects/{_id(detect_uuid)}/intelligence", safe=False, json={"query": query}
    )


def get_question_call(detect_uuid: str, question_uuid: str) -> Call:
    return Call("GET", f"/detects/{_id(detect_uuid)}/intelligence/{_id(question_uuid)}", safe=True)


def get_intelligence_call(uuid: str) -> Call:
    return Call("GET", f"/intelligences/{_id(uuid)}", safe=True)


def list_intelligences_call(page: int, page_size: int) -> Call:
    return Call("GET", "/intelligences", safe=True, params=_paging(page, page_size))


def get_feedback_call(detect_uuid: str) -> Call:
    return Call("GET", f"/detect/{_id(detect_uuid)}/feedback", safe=True)


def send_feedback_call(
    detect_uuid: str, type: str, comment: str | None, origin: str | None
) -> Call:
    """``POST /detect/{uuid}/feedback``: one feedback per user, so a repeat replaces it
    with the same content (safe to retry)."""
    if type not in FEEDBACK_TYPES:
        raise ValueError(f"feedback type must be one of {', '.join(FEEDBACK_TYPES)}, not {type!r}")
    if comment is not None and len(comment) > MAX_FEEDBACK_COMMENT:
        raise ValueError(
            f"feedback comment is {len(comment)} characters; at most {MAX_FEEDBACK_COMMENT}"
        )
    body: dict[str, Any] = {"type": type}
    if comment is not None:
        body["comment"] = comment
    if origin is not None:
        body["source"] = origin
    return Call("POST", f"/detect/{_id(detect_uuid)}/feedback", safe=True, json=body)


def delete_feedback_call(detect_uuid: str) -> Call:
    return Call("DELETE", f"/detect/{_id(detect_uuid)}/feedback", safe=True)


def get_tracing_call(uuid: str) -> Call:
    return Call("GET", f"/audio_source_tracings/{_id(uuid)}", safe=True)


def list_tracings_call(page: int, page_size: int) -> Call:
    return Call("GET", "/audio_source_tracings", safe=True, params=_paging(page, page_size))


# -- parsing (item already extracted by the client) ---------------------------------------------


def intelligence_page(body: Mapping[str, Any], source: Source) -> ListPage[Intelligence]:
    def parse(item: Mapping[str, Any]) -> Intelligence:
        report = Intelligence.from_json(item, source)
        assert report is not None
        return report

    return ListPage.from_json(body, parse, source)


def tracing_page(body: Mapping[str, Any], source: Source) -> ListPage[SourceTrace]:
    return ListPage.from_json(body, lambda i: SourceTrace.from_json(i, source), source)
