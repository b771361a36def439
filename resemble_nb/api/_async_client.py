"""The asynchronous client: the same methods as :class:`Client`, awaited."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, TypeVar, overload

import httpx

from . import _analysis, _calls
from ._analysis import Feedback, FeedbackType, ListPage, Question, SourceTrace
from ._base import (
    DEFAULT_ANSWER_TIMEOUT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_PAGE_SIZE,
    DEFAULT_TIMEOUT,
    DEFAULT_WAIT_TIMEOUT,
    BaseClient,
    TimeoutTypes,
)
from ._calls import Call
from ._client import Client
from ._page import DetectionPage
from ._uploads import FileInput, NamedFileInput
from ._wait import (
    Deadline,
    answer_intervals,
    answer_timeout_error,
    answered_in_full,
    poll_intervals,
    wait_target,
    wait_timeout_error,
)
from .errors import NotFoundError
from .models import Batch, Detection, Intelligence, MediaToken

__all__ = ["AsyncClient"]

_A = TypeVar("_A", bound="AsyncClient")
_F = TypeVar("_F", bound=Callable[..., Any])


def _doc(twin: Callable[..., Any]) -> Callable[[_F], _F]:
    """Give a coroutine method the docstring of its :class:`Client` twin (one text each)."""

    def apply(method: _F) -> _F:
        method.__doc__ = twin.__doc__
        return method

    return apply


class AsyncClient(BaseClient):
    """An asyncio client for Resemble AI's deepfake detection API (v2).

    The same methods as :class:`Client`, as coroutines (``iter_detects`` is an async
    iterator). Close it with ``await client.aclose()`` or ``async with``.

    Example::

        from resemble_nb.api import AsyncClient

        async with AsyncClient() as client:           # key from RESEMBLE_API_KEY
            token = await client.secure_upload("evidence/call.wav")
            job = await client.detect(media_token=token, intelligence=True)
            job = await client.wait_for(job, timeout=300)
            print(job.label, job.score)               # Label.LIKELY_FAKE 0.71

    Args:
        api_key, base_url, timeout, max_retries: As for :class:`Client`.
        http_client: An ``httpx.AsyncClient`` to send with (the client does not close one
            it was given).

    Raises, attributes, retries and errors: as for :class:`Client`.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(api_key, base_url, timeout, max_retries)
        self._owns_http = http_client is None
        self._http = (
            http_client if http_client is not None else httpx.AsyncClient(timeout=self.timeout)
        )
        self._sleep = asyncio.sleep

    async def aclose(self) -> None:
        """Close the connections (unless ``http_client`` was given). Idempotent."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self: _A) -> _A:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _send(self, call: Call) -> httpx.Response:
        for retries in self._attempts(call):
            try:
                with call.request_kwargs() as kwargs:
                    response = await self._http.request(
                        call.method, self._url(call.path), headers=self._headers(call), **kwargs
                    )
            except httpx.TransportError as exc:
                delay = self._on_exception(call, exc, retries)
            else:
                wait = self._on_response(call, response, retries)
                if wait is None:
                    return response
                delay = wait
            await self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    @_doc(Client.secure_upload)
    async def secure_upload(
        self, path_or_file: FileInput, *, filename: str | None = None
    ) -> MediaToken:
        call, upload = _calls.secure_upload_call(path_or_file, filename)
        return self._parse_token(call, await self._send(call), upload)

    @_doc(Client.detect)
    async def detect(
        self,
        *,
        media_token: MediaToken | str | None = None,
        url: str | None = None,
        file: FileInput | None = None,
        filename: str | None = None,
        wait: bool = False,
        wait_timeout: float | None = DEFAULT_WAIT_TIMEOUT,
        extra_fields: dict[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
        **more: Any,
    ) -> Detection:
        call = _calls.detect_call(
            self.timeout,
            media_token=media_token,
            url=url,
            file=file,
            filename=filename,
            wait=wait,
            wait_timeout=wait_timeout,
            extra_fields=extra_fields,
            options=options,
            more=more,
        )
        detection = self._parse_detection(call, await self._send(call))
        if not wait:
            return detection  # an answer without status is in progress, as it should be
        settled = answered_in_full(detection)
        if settled is None:  # settled by one GET; the detect is still the create's
            fetched = await self.get_detect(detection.uuid)
            settled = dataclasses.replace(fetched, request_id=detection.request_id)
        return settled

    @_doc(Client.get_detect)
    async def get_detect(self, uuid: str, experts: bool = False) -> Detection:
        call = _calls.get_detect_call(uuid, experts)
        return self._parse_detection(call, await self._send(call))

    @_doc(Client.list_detects)
    async def list_detects(
        self, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
    ) -> DetectionPage:
        call = _calls.list_detects_call(page, page_size)
        return self._parse_page(call, await self._send(call))

    @_doc(Client.iter_detects)
    async def iter_detects(self, page_size: int = DEFAULT_PAGE_SIZE) -> AsyncIterator[Detection]:
        page = 1
        while True:
            result = await self.list_detects(page, page_size)
            for item in result.items:
                yield item
            if not result.items or page >= result.num_pages:
                return
            page += 1

    @_doc(Client.delete_detect)
    async def delete_detect(self, uuid: str) -> None:
        call = _calls.delete_detect_call(uuid)
        try:
            await self._send(call)
        except NotFoundError:
            if not call.maybe_applied:
                raise
            # An earlier attempt may have deleted it before its answer was lost.

    @_doc(Client.detect_batch)
    async def detect_batch(
        self,
        files: Sequence[NamedFileInput] | None = None,
        *,
        zip: FileInput | None = None,
        extra_fields: dict[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
        **more: Any,
    ) -> Batch:
        call = _calls.detect_batch_call(files, zip, extra_fields, options, more)
        return self._parse_batch(call, await self._send(call))

    @_doc(Client.get_batch)
    async def get_batch(self, uuid: str) -> Batch:
        call = _calls.get_batch_call(uuid)
        return self._parse_batch(call, await self._send(call))

    @_doc(Client.intelligence)
    async def intelligence(
        self,
        *,
        media_token: MediaToken | str | None = None,
        url: str | None = None,
        detect_id: str | None = None,
        media_type: str | None = None,
        json: bool | None = None,
        callback_url: str | None = None,
        wait_timeout: float | None = DEFAULT_WAIT_TIMEOUT,
    ) -> Intelligence:
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
        return self._parse_intelligence(call, await self._send(call))

    @overload
    async def wait_for(
        self,
        target: Batch,
        *,
        timeout: float = ...,
        poll_interval: tuple[float, float] | float = ...,
    ) -> Batch: ...

    @overload
    async def wait_for(
        self,
        target: Detection | str,
        *,
        kind: Literal["detect"] = ...,
        timeout: float = ...,
        poll_interval: tuple[float, float] | float = ...,
    ) -> Detection: ...

    @overload
    async def wait_for(
        self,
        target: str,
        *,
        kind: Literal["batch"],
        timeout: float = ...,
        poll_interval: tuple[float, float] | float = ...,
    ) -> Batch: ...

    @_doc(Client.wait_for)
    async def wait_for(
        self,
        target: Detection | Batch | str,
        *,
        kind: Literal["detect", "batch"] = "detect",
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: tuple[float, float] | float = (1.0, 10.0),
    ) -> Detection | Batch:
        what, uuid = wait_target(target, kind)
        if isinstance(target, (Detection, Batch)) and target.done:
            return target
        deadline = Deadline(self._monotonic, timeout, poll_intervals(poll_interval))
        get = self.get_detect if what == "detect" else self.get_batch
        while not (last := await get(uuid)).done:
            if (wait := deadline.next_wait()) is None:
                raise wait_timeout_error(what, uuid, last, deadline.waited)
            await self._sleep(wait)
        return last

    # -- questions, reports, feedback, source tracing (contract §4.6, §5) ------------------

    @_doc(Client.ask)
    async def ask(self, detect_uuid: str, query: str) -> Question:
        call = _analysis.ask_call(detect_uuid, query)
        response = await self._send(call)
        return Question.from_json(self._item(call, response), self._source(response))

    @_doc(Client.get_question)
    async def get_question(self, detect_uuid: str, question_uuid: str) -> Question:
        call = _analysis.get_question_call(detect_uuid, question_uuid)
        response = await self._send(call)
        return Question.from_json(self._item(call, response), self._source(response))

    @_doc(Client.wait_for_answer)
    async def wait_for_answer(
        self,
        question: Question,
        *,
        timeout: float = DEFAULT_ANSWER_TIMEOUT,
        poll_interval: tuple[float, float] = (1.0, 10.0),
    ) -> Question:
        if question.done:
            return question
        deadline = Deadline(self._monotonic, timeout, answer_intervals(poll_interval))
        last = question
        while (wait := deadline.next_wait()) is not None:
            await self._sleep(wait)
            if (last := await self.get_question(question.detect_uuid, question.uuid)).done:
                return last
        raise answer_timeout_error(last, deadline.waited)

    @_doc(Client.get_intelligence)
    async def get_intelligence(self, uuid: str) -> Intelligence:
        call = _analysis.get_intelligence_call(uuid)
        return self._parse_intelligence(call, await self._send(call))

    @_doc(Client.list_intelligences)
    async def list_intelligences(
        self, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
    ) -> ListPage[Intelligence]:
        call = _analysis.list_intelligences_call(page, page_size)
        response = await self._send(call)
        return _analysis.intelligence_page(self._body(call, response), self._source(response))

    @_doc(Client.get_feedback)
    async def get_feedback(self, detect_uuid: str) -> Feedback | None:
        call = _analysis.get_feedback_call(detect_uuid)
        response = await self._send(call)
        item = self._body(call, response).get("item")
        return Feedback.from_json(item, self._source(response)) if isinstance(item, dict) else None

    @_doc(Client.send_feedback)
    async def send_feedback(
        self,
        detect_uuid: str,
        type: FeedbackType | str,
        *,
        comment: str | None = None,
        source: str | None = None,
    ) -> Feedback:
        call = _analysis.send_feedback_call(detect_uuid, type, comment, source)
        response = await self._send(call)
        return Feedback.from_json(self._item(call, response), self._source(response))

    @_doc(Client.delete_feedback)
    async def delete_feedback(self, detect_uuid: str) -> None:
        call = _analysis.delete_feedback_call(detect_uuid)
        try:
            await self._send(call)
        except NotFoundError:
            if not call.maybe_applied:
                raise

    @_doc(Client.get_audio_source_tracing)
    async def get_audio_source_tracing(self, uuid: str) -> SourceTrace:
        call = _analysis.get_tracing_call(uuid)
        response = await self._send(call)
        return SourceTrace.from_json(self._item(call, response), self._source(response))

    @_doc(Client.list_audio_source_tracings)
    async def list_audio_source_tracings(
        self, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
    ) -> ListPage[SourceTrace]:
        call = _analysis.list_tracings_call(page, page_size)
        response = await self._send(call)
        return _analysis.tracing_page(self._body(call, response), self._source(response))
