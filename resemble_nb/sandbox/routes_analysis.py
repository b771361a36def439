"""Questions about a detect, intelligence reports, feedback and audio source tracings.

* ``POST /detects/{uuid}/intelligence`` and ``GET /detects/{uuid}/intelligence/{q}``:
  a question about a completed detect (422 before), answered ``pending`` ->
  ``processing`` -> ``completed`` (or ``failed`` when the sandbox is set to fail answers),
  at the pace of the progress mode.
* ``GET /intelligences`` (paged) and ``GET /intelligences/{uuid}``: every report of the
  team, from ``POST /intelligence`` and from detects run with ``intelligence``.
* ``GET``/``POST``/``DELETE /detect/{uuid}/feedback``: one feedback per key (a key is a
  user here); 400 before the detect completes.
* ``GET /audio_source_tracings`` (paged) and ``/{uuid}``: one record per completed audio
  detect that asked for tracing; the standalone record always carries a label.
"""

from __future__ import annotations

import hashlib
import math
import uuid as uuidlib
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from .clock import isoformat
from .errors import ApiError
from .hostile import hostile_text
from .routes_detect import int_param, json_body, service_of, team_of
from .scoring import answer_text, tracing_label
from .service import Service
from .state import Detect, Team

__all__ = [
    "ask_question",
    "delete_feedback",
    "get_feedback",
    "get_intelligence",
    "get_question",
    "get_tracing",
    "list_intelligences",
    "list_tracings",
    "send_feedback",
]

FEEDBACK_TYPES = (
    "correct",
    "should_be_ai_generated",
    "should_be_authentic",
    "should_be_non_ai",
    "should_be_neutral",
    "skipped",
)
_MAX_COMMENT = 1000
_MAX_QUERY = 2000


@dataclass
class Question:
    """A question about a detect; its answer is revealed per progress mode."""

    uuid: str
    team_id: str
    detect_uuid: str
    query: str
    created_at: float
    ready_at: float
    polls: int = 0
    status: str = "pending"
    answer: str | None = None
    error_message: str | None = None
    updated_at: float = 0.0


def _questions(svc: Service) -> dict[str, Question]:
    found: dict[str, Question] = svc.store.questions
    return found


def _feedback(svc: Service) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = svc.store.feedback
    return found


def _detect_of(request: Request) -> tuple[Service, Team, Detect]:
    """The service, the caller's team and the team's detect the path names (else 404)."""
    svc = service_of(request)
    team = team_of(request)
    detect = svc.store.detects.get(request.path_params["uuid"])
    if detect is None or detect.team_id != team.id:
        raise ApiError(404, "Detect not found", extra={"item": None})
    return svc, team, detect


def _page_params(request: Request) -> tuple[int, int]:
    page, page_size = int_param(request, "page", None), int_param(request, "page_size", 10)
    if page < 1:
        raise ApiError(400, f"page must be >= 1, got {page}")
    if not 10 <= page_size <= 1000:
        raise ApiError(400, f"page_size must be between 10 and 1000, got {page_size}")
    return page, page_size


def _paged(request: Request, items: list[dict[str, Any]]) -> JSONResponse:
    page, page_size = _page_params(request)
    chunk = items[(page - 1) * page_size : page * page_size]
    return JSONResponse(
        {
            "success": True,
            "page": page,
            "num_pages": math.ceil(len(items) / page_size),
            "page_size": page_size,
            "total_count": len(items),
            "items": chunk,
        }
    )


# -- questions ---------------------------------------------------------------------------------
def _question_item(q: Question) -> dict[str, Any]:
    return {
        "uuid": q.uuid,
        "detect_uuid": q.detect_uuid,
        "query": q.query,
        "answer": q.answer,
        "status": q.status,
        "error_message": q.error_message,
        "created_at": isoformat(q.created_at),
        "updated_at": isoformat(q.updated_at or q.created_at),
    }


def _advance(svc: Service, q: Question, detect: Detect) -> None:
    """One read: pending -> processing -> completed|failed, at the progress mode's pace."""
    if q.status in ("completed", "failed"):
        return
    q.polls += 1
    if svc.mode == "immediate":
        ready = True
    elif svc.mode == "time":
        ready = svc.now() >= q.ready_at
    else:
        ready = q.polls > svc.polls_needed
    q.updated_at = svc.now()
    if not ready:
        q.status = "processing"
        return
    if svc.config.answers == "fail":
        q.status = "failed"
        q.error_message = "Error generating an answer (sandbox set to fail answers)"
        return
    q.status = "completed"
    q.answer = answer_text(detect.sha256, detect.media_type, q.query, detect.outcome)
    if detect.hostile:
        q.answer = hostile_text(q.answer)


async def ask_question(request: Request) -> JSONResponse:
    svc, team, detect = _detect_of(request)
    body = await json_body(request)
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        raise ApiError(400, "query is required")
    if len(query) > _MAX_QUERY:
        raise ApiError(400, f"query is too long (at most {_MAX_QUERY} characters)")
    if not (detect.finished and detect.final_status == "completed"):
        raise ApiError(422, "Detection must be completed before asking questions")
    now = svc.now()
    q = Question(
        uuid=str(uuidlib.uuid4()),
        team_id=team.id,
        detect_uuid=detect.uuid,
        query=query.strip(),
        created_at=now,
        ready_at=now + svc.config.latency,
        updated_at=now,
    )
    _questions(svc)[q.uuid] = q
    return JSONResponse({"success": True, "item": _question_item(q)}, status_code=202)


async def get_question(request: Request) -> JSONResponse:
    svc, team, detect = _detect_of(request)
    q = _questions(svc).get(request.path_params["question_uuid"])
    if q is None or q.team_id != team.id or q.detect_uuid != detect.uuid:
        raise ApiError(404, "Question not found", extra={"item": None})
    _advance(svc, q, detect)
    return JSONResponse({"success": True, "item": _question_item(q)})


# -- intelligence reports ----------------------------------------------------------------------
def _team_reports(svc: Service, team: Team) -> list[dict[str, Any]]:
    """Every report of the team, newest first: stand-alone ones and those of detects."""
    reports: list[tuple[str, dict[str, Any]]] = []
    for item in svc.store.intelligences.values():
        if item.get("team_id") == team.id:
            public = {k: v for k, v in item.items() if k != "team_id"}
            reports.append((str(item.get("created_at")), public))
    for detect in svc.store.detects.values():
        report = detect.intelligence
        if detect.team_id == team.id and isinstance(report, dict) and report.get("uuid"):
            reports.append(
                (str(report.get("created_at")), {"media_type": detect.media_type, **report})
            )
    reports.sort(key=lambda pair: pair[0], reverse=True)
    return [report for _, report in reports]


async def list_intelligences(request: Request) -> JSONResponse:
    svc = service_of(request)
    return _paged(request, _team_reports(svc, team_of(request)))


async def get_intelligence(request: Request) -> JSONResponse:
    return _one(request, _team_reports(service_of(request), team_of(request)), "Not found")


def _one(request: Request, records: list[dict[str, Any]], missing: str) -> JSONResponse:
    """The record whose uuid the path names, or a 404 saying ``missing``."""
    wanted = request.path_params["uuid"]
    for record in records:
        if record.get("uuid") == wanted:
            return JSONResponse({"success": True, "item": record})
    raise ApiError(404, missing, extra={"item": None})


# -- feedback ----------------------------------------------------------------------------------
def _verdict_and_score(detect: Detect) -> tuple[str | None, float | None]:
    outcome = detect.outcome or {}
    scores: list[float] = []
    metrics = outcome.get("metrics") or {}
    if metrics.get("aggregated_score") not in (None, ""):
        scores.append(float(metrics["aggregated_score"]))
    for block in ("video_metrics", "image_metrics"):
        found = outcome.get(block) or {}
        if found.get("score") is not None:
            scores.append(float(found["score"]))
    if not scores:
        return None, None
    score = max(scores)  # for video: the higher of the audio and video confidences
    return ("ai_generated" if score >= 0.5 else "authentic"), round(score, 4)


async def get_feedback(request: Request) -> JSONResponse:
    svc, team, detect = _detect_of(request)
    item = _feedback(svc).get((team.id, detect.uuid))
    return JSONResponse({"success": True, "item": item})


async def send_feedback(request: Request) -> JSONResponse:
    svc, team, detect = _detect_of(request)
    body = await json_body(request)
    kind = body.get("type")
    if kind not in FEEDBACK_TYPES:
        raise ApiError(400, f"type must be one of {', '.join(FEEDBACK_TYPES)}, got {kind!r}")
    comment = body.get("comment")
    if comment is not None and (not isinstance(comment, str) or len(comment) > _MAX_COMMENT):
        raise ApiError(400, f"comment must be text of at most {_MAX_COMMENT} characters")
    source = body.get("source") or "api"
    if not (detect.finished and detect.final_status == "completed"):
        raise ApiError(400, "Feedback can only be given on a completed detect")
    verdict, score = _verdict_and_score(detect)
    store = _feedback(svc)
    previous = store.get((team.id, detect.uuid))
    now = isoformat(svc.now())
    item = {
        "uuid": previous["uuid"] if previous else str(uuidlib.uuid4()),
        "detect_uuid": detect.uuid,
        "type": kind,
        "comment": comment,
        "source": str(source),
        "media_type": detect.media_type,
        "verdict": verdict,
        "score": score,
        "created_at": previous["created_at"] if previous else now,
        "updated_at": now,
    }
    store[(team.id, detect.uuid)] = item
    return JSONResponse({"success": True, "item": item})


async def delete_feedback(request: Request) -> JSONResponse:
    svc, team, detect = _detect_of(request)
    if _feedback(svc).pop((team.id, detect.uuid), None) is None:
        raise ApiError(404, "Feedback not found", extra={"item": None})
    return JSONResponse({"success": True, "message": "Feedback deleted"})


# -- audio source tracings ---------------------------------------------------------------------
def _tracing_uuid(detect: Detect) -> str:
    return hashlib.sha256(f"tracing:{detect.uuid}".encode()).hexdigest()[:32]


def _team_tracings(svc: Service, team: Team) -> list[dict[str, Any]]:
    """A record per completed detect with an audio result that asked for tracing."""
    records: list[dict[str, Any]] = []
    for detect in svc.store.detects.values():
        metrics = (detect.outcome or {}).get("metrics") or {}
        if (
            detect.team_id != team.id
            or not (detect.finished and detect.final_status == "completed")
            or not detect.options.get("audio_source_tracing")
            or not metrics.get("label")
        ):
            continue
        records.append(
            {
                "uuid": _tracing_uuid(detect),
                "results": {
                    "label": tracing_label(detect.sha256, str(metrics["label"])),
                    "error_message": None,
                },
                "created_at": isoformat(detect.finished_at or detect.created_at),
                "detect_uuid": detect.uuid,
            }
        )
    records.reverse()  # newest first
    return records


async def list_tracings(request: Request) -> JSONResponse:
    svc = service_of(request)
    return _paged(request, _team_tracings(svc, team_of(request)))


async def get_tracing(request: Request) -> JSONResponse:
    records = _team_tracings(service_of(request), team_of(request))
    return _one(request, records, "Audio source tracing not found")
