"""Every endpoint around a finished detect, defined once (contract §4.6, §5):
intelligence reports, questions, feedback, audio source tracing.

Like :mod:`._endpoints`: one ``async def`` each, used as a method by both clients.
"""

from __future__ import annotations

from typing import Any

from . import _analysis, _calls
from ._analysis import Feedback, FeedbackType, ListPage, Question, SourceTrace
from ._base import DEFAULT_ANSWER_TIMEOUT, DEFAULT_PAGE_SIZE, DEFAULT_WAIT_TIMEOUT, BaseClient
from ._endpoints import send
from ._wait import Deadline, answer_intervals, answer_timeout_error
from .errors import NotFoundError
from .models import Intelligence, MediaToken

__all__ = [
    "ask",
    "delete_feedback",
    "get_audio_source_tracing",
    "get_feedback",
    "get_intelligence",
    "get_question",
    "intelligence",
    "list_audio_source_tracings",
    "list_intelligences",
    "send_feedback",
    "wait_for_answer",
]


async def intelligence(
    self: BaseClient[Any],
    *,
    media_token: MediaToken | str | None = None,
    url: str | None = None,
    detect_id: str | None = None,
    media_type: str | None = None,
    json: bool | None = None,
    callback_url: str | None = None,
    wait_timeout: float | None = DEFAULT_WAIT_TIMEOUT,
) -> Intelligence:
    """Run an intelligence report on media (``POST /intelligence``).

    Args:
        media_token: A token from :meth:`secure_upload`.
        url: Or a public https URL.
        detect_id: A detection to attach the report to (the media still has to be
            sent as ``media_token`` or ``url``).
        media_type: ``"audio"``, ``"image"`` or ``"video"`` (auto-detected if omitted).
        json: Ask for a structured description (default: images only).
        callback_url: Return at once (202) and have the result POSTed there.
        wait_timeout: Read timeout in seconds while the report is produced.

    Returns:
        The :class:`Intelligence` report (pending if ``callback_url`` was given).

    Raises:
        ValueError: Not exactly one of ``media_token`` and ``url`` was given.
        OutcomeUnknownError: The connection failed after sending.
        APIStatusError, APIConnectionError: Other failures.
    """
    call = _calls.intelligence_call(
        self.timeout,
        media_token=media_token,
        url=url,
        detect_id=detect_id,
        media_type=media_type,
        json_output=json,
        callback_url=callback_url,
        wait_timeout=wait_timeout,
    )
    return self._parse_intelligence(call, await send(self, call))


async def ask(self: BaseClient[Any], detect_uuid: str, query: str) -> Question:
    """Ask a question about a completed detect (``POST /detects/{uuid}/intelligence``).

    Returns at once with the question ``pending``; get the answer with
    :meth:`wait_for_answer` (or poll :meth:`get_question`).

    Args:
        detect_uuid: The detect, which must be ``completed``.
        query: The question in plain words.

    Raises:
        ValueError: The question is empty.
        UnprocessableEntityError: The detect has not completed (422).
        NotFoundError: No such detect for this key's team.
        OutcomeUnknownError: The connection failed after sending (not retried: a
            second question would be answered twice).
    """
    call = _analysis.ask_call(detect_uuid, query)
    response = await send(self, call)
    return Question.from_json(self._item(call, response), self._source(response))


async def get_question(self: BaseClient[Any], detect_uuid: str, question_uuid: str) -> Question:
    """Fetch a question and its answer (``GET /detects/{uuid}/intelligence/{id}``).

    Raises:
        NotFoundError: No such detect or question.
    """
    call = _analysis.get_question_call(detect_uuid, question_uuid)
    response = await send(self, call)
    return Question.from_json(self._item(call, response), self._source(response))


async def wait_for_answer(
    self: BaseClient[Any],
    question: Question,
    *,
    timeout: float = DEFAULT_ANSWER_TIMEOUT,
    poll_interval: tuple[float, float] = (1.0, 10.0),
) -> Question:
    """Poll a question until it is answered or failed, as the docs advise.

    Waits start at 1 s and double up to 10 s (most answers take 5-15 s).

    Returns:
        The :class:`Question`, ``completed`` (with ``answer``) or ``failed``
        (with ``error_message``).

    Raises:
        WaitTimeoutError: Not answered after ``timeout`` s; ``.last`` is the last state.
    """
    if question.done:
        return question
    deadline = Deadline(self._monotonic, timeout, answer_intervals(poll_interval))
    last = question
    while (wait := deadline.next_wait()) is not None:
        await self._pause(wait)
        if (last := await get_question(self, question.detect_uuid, question.uuid)).done:
            return last
    raise answer_timeout_error(last, deadline.waited)


async def get_intelligence(self: BaseClient[Any], uuid: str) -> Intelligence:
    """Fetch one intelligence report (``GET /intelligences/{uuid}``).

    Raises:
        NotFoundError: No such report for this key's team.
    """
    call = _analysis.get_intelligence_call(uuid)
    return self._parse_intelligence(call, await send(self, call))


async def list_intelligences(
    self: BaseClient[Any], page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
) -> ListPage[Intelligence]:
    """One page of the team's intelligence reports (``GET /intelligences``).

    Raises:
        ValueError: ``page`` or ``page_size`` out of range (from 1; 10 to 1000).
    """
    call = _analysis.list_intelligences_call(page, page_size)
    response = await send(self, call)
    return _analysis.intelligence_page(self._body(call, response), self._source(response))


async def get_feedback(self: BaseClient[Any], detect_uuid: str) -> Feedback | None:
    """The feedback this key gave on a detect (``GET /detect/{uuid}/feedback``).

    Returns:
        The :class:`Feedback`, or ``None`` when none was given.
    """
    call = _analysis.get_feedback_call(detect_uuid)
    response = await send(self, call)
    item = self._body(call, response).get("item")
    return Feedback.from_json(item, self._source(response)) if isinstance(item, dict) else None


async def send_feedback(
    self: BaseClient[Any],
    detect_uuid: str,
    type: FeedbackType | str,
    *,
    comment: str | None = None,
    source: str | None = None,
) -> Feedback:
    """Tell Resemble whether a detect was right (``POST /detect/{uuid}/feedback``).

    Args:
        detect_uuid: A completed detect.
        type: ``correct``, ``should_be_ai_generated``, ``should_be_authentic``,
            ``should_be_non_ai``, ``should_be_neutral`` or ``skipped``.
        comment: Free text, at most 1,000 characters.
        source: The feedback's ``source`` field (the server's default is ``"api"``).

    Raises:
        ValueError: Unknown type or a comment over 1,000 characters (nothing sent).
        BadRequestError: The detect has not completed (400).
    """
    call = _analysis.send_feedback_call(detect_uuid, type, comment, source)
    response = await send(self, call)
    return Feedback.from_json(self._item(call, response), self._source(response))


async def delete_feedback(self: BaseClient[Any], detect_uuid: str) -> None:
    """Withdraw this key's feedback on a detect (``DELETE /detect/{uuid}/feedback``).

    A 404 after a retry whose first attempt may have gone through counts as deleted.
    """
    call = _analysis.delete_feedback_call(detect_uuid)
    try:
        await send(self, call)
    except NotFoundError:
        if not call.maybe_applied:
            raise


async def get_audio_source_tracing(self: BaseClient[Any], uuid: str) -> SourceTrace:
    """Fetch one audio source tracing record (``GET /audio_source_tracings/{uuid}``)."""
    call = _analysis.get_tracing_call(uuid)
    response = await send(self, call)
    return SourceTrace.from_json(self._item(call, response), self._source(response))


async def list_audio_source_tracings(
    self: BaseClient[Any], page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
) -> ListPage[SourceTrace]:
    """One page of the team's audio source tracings (``GET /audio_source_tracings``)."""
    call = _analysis.list_tracings_call(page, page_size)
    response = await send(self, call)
    return _analysis.tracing_page(self._body(call, response), self._source(response))
