"""The synchronous client."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator, Mapping, Sequence
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

__all__ = ["Client"]

_S = TypeVar("_S", bound="Client")


class Client(BaseClient):
    """A client for Resemble AI's deepfake detection API (v2).

    One method per endpoint; answers come back as parsed models (:class:`Detection`,
    :class:`Batch`...) that keep the raw JSON. Failed calls raise a
    :class:`ResembleError` subclass. Transient failures are retried (see ``max_retries``);
    a request that creates a detect is never blindly repeated once it may have reached
    the server (:class:`OutcomeUnknownError` is raised instead).

    Example::

        from resemble_nb.api import Client

        with Client() as client:                      # key from RESEMBLE_API_KEY
            token = client.secure_upload("evidence/call.wav")
            job = client.detect(media_token=token, intelligence=True)
            job = client.wait_for(job, timeout=300)   # polls with backoff
            print(job.label, job.score)               # Label.LIKELY_FAKE 0.71

    Args:
        api_key: Your API key. Defaults to the ``RESEMBLE_API_KEY`` environment variable.
            It is kept in a :class:`Secret` and never shown in a repr, log or error.
        base_url: Defaults to ``RESEMBLE_BASE_URL``, else ``https://app.resemble.ai/api/v2``.
        timeout: Seconds (or an ``httpx.Timeout``) for each request. Calls that wait for a
            result on the server (``detect(wait=True)``, ``intelligence()``) use a longer
            read timeout of their own.
        max_retries: Retries after a connection failure, 429 or 503 (and 500, 502, 504 or
            a dropped answer for requests that are safe to repeat: reads, deletes, uploads),
            with exponential backoff and jitter, honouring ``Retry-After`` up to 60 s.
            ``0`` turns retries off.
        http_client: An ``httpx.Client`` to send with (for proxies, custom transports...).
            The client does not close one it was given.

    Raises:
        MissingAPIKeyError: No key was given and ``RESEMBLE_API_KEY`` is not set.

    Attributes:
        is_sandbox: ``True`` once an answer came from the local sandbox (synthetic scores).
        stats: Request and retry counters (:class:`ClientStats`).
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(api_key, base_url, timeout, max_retries)
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client(timeout=self.timeout)
        self._sleep = time.sleep

    def close(self) -> None:
        """Close the connections (unless ``http_client`` was given). Idempotent."""
        if self._owns_http:
            self._http.close()

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _send(self, call: Call) -> httpx.Response:
        """Send ``call``, retried as :mod:`._retry` allows (the loop is the same in
        :class:`AsyncClient`; every decision in it is :class:`BaseClient`'s)."""
        for retries in self._attempts(call):
            try:
                with call.request_kwargs() as kwargs:
                    response = self._http.request(
                        call.method, self._url(call.path), headers=self._headers(call), **kwargs
                    )
            except httpx.TransportError as exc:
                delay = self._on_exception(call, exc, retries)
            else:
                wait = self._on_response(call, response, retries)
                if wait is None:
                    return response
                delay = wait
            self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def secure_upload(self, path_or_file: FileInput, *, filename: str | None = None) -> MediaToken:
        """Upload a file privately (``POST /secure_uploads``) and get a media token.

        The file is streamed from disk, so any size costs little memory. The token is
        valid for about an hour: upload right before you submit.

        Args:
            path_or_file: A path, or a file object opened in binary mode.
            filename: The name to send (defaults to the file's own name).

        Returns:
            A :class:`MediaToken` for ``detect(media_token=...)`` or ``intelligence()``.

        Raises:
            FileNotFoundError: The path does not exist.
            FileRejectedError: The file is empty or not a regular file.
            APIStatusError: The server refused the upload (400, 401...).
            APIConnectionError: The server could not be reached.
        """
        call, upload = _calls.secure_upload_call(path_or_file, filename)
        return self._parse_token(call, self._send(call), upload)

    def detect(
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
        """Start a detection (``POST /detect``) from exactly one source.

        Args:
            media_token: A token from :meth:`secure_upload` (or its raw string).
            url: A public https URL the API fetches itself.
            file: A path or binary file object, sent as a direct multipart upload
                (at most 150 MB; use :meth:`secure_upload` for larger files).
            filename: The name to send with ``file`` (defaults to its own name).
            wait: Send ``Prefer: wait`` so the call returns when the detection is done.
                Check :attr:`Detection.done` anyway, or use :meth:`wait_for`.
            wait_timeout: Read timeout in seconds for ``wait=True``.
            extra_fields: Fields sent as they are, for options this client does not know.
            options: The options as a mapping or a :class:`DetectOptions` (checked once),
                instead of or besides keyword arguments.
            **more: Documented options by their documented names, e.g.
                ``intelligence=True``, ``visualize=True``, ``frame_length=2``,
                ``start_region=1.5``, ``end_region=9``, ``max_video_secs=60``,
                ``modality="audio"``, ``face_only=True``, ``audio_source_tracing=True``,
                ``use_reverse_search=True``, ``use_ood_detector=True``,
                ``zero_retention_mode=True`` (or its older name ``privacy_mode``),
                ``detect_watermark=True``, ``callback_url="https://..."``. ``None``
                values are not sent; the deprecated ``pipeline`` is accepted, not sent.

        Returns:
            The new :class:`Detection`: in progress unless ``wait=True`` (its ``status``
            is ``processing``, or absent as in the docs' examples). With ``wait=True``,
            an answer without ``status`` that carries its media's metrics is completed;
            any other answer without ``status`` is settled by one ``GET``.

        Raises:
            ValueError: Not exactly one of ``media_token``, ``url``, ``file`` was given.
            UnknownOptionError: An option name no endpoint documents (a ValueError).
            FileRejectedError: ``file`` is empty or over 150 MB.
            PaymentRequiredError: The wallet cannot cover it (``error_code``, ``details``).
            OutcomeUnknownError: The connection failed after sending: the detect may exist.
            APIStatusError: Any other refusal (400 bad input, 401 bad key, 403...).
        """
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
        detection = self._parse_detection(call, self._send(call))
        if not wait:
            return detection  # an answer without status is in progress, as it should be
        settled = answered_in_full(detection)
        if settled is None:  # settled by one GET; the detect is still the create's
            fetched = self.get_detect(detection.uuid)
            settled = dataclasses.replace(fetched, request_id=detection.request_id)
        return settled

    def get_detect(self, uuid: str, experts: bool = False) -> Detection:
        """Fetch a detection (``GET /detect/{uuid}``).

        Args:
            uuid: The detection's id.
            experts: Also fetch every completed intelligence report
                (``Detection.intelligence_results``).

        Returns:
            The current :class:`Detection`; it may still be processing.

        Raises:
            NotFoundError: No such detection for this key's team.
            APIStatusError, APIConnectionError: Other failures.
        """
        call = _calls.get_detect_call(uuid, experts)
        return self._parse_detection(call, self._send(call))

    def list_detects(self, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> DetectionPage:
        """List the team's detections, newest first (``GET /detect``).

        Args:
            page: Page number, from 1.
            page_size: Items per page, 10 to 1000.

        Returns:
            A :class:`DetectionPage` with ``items``, ``page``, ``num_pages`` and ``total_count``.

        Raises:
            ValueError: ``page`` or ``page_size`` out of range.
            APIStatusError, APIConnectionError: The request failed.
        """
        call = _calls.list_detects_call(page, page_size)
        return self._parse_page(call, self._send(call))

    def iter_detects(self, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[Detection]:
        """Every detection of the team, walking the pages of :meth:`list_detects`.

        Args:
            page_size: Items fetched per request, 10 to 1000.

        Returns:
            An iterator of :class:`Detection`; pages are fetched as it advances.

        Raises:
            APIStatusError, APIConnectionError: A page request failed.
        """
        page = 1
        while True:
            result = self.list_detects(page, page_size)
            yield from result.items
            if not result.items or page >= result.num_pages:
                return
            page += 1

    def delete_detect(self, uuid: str) -> None:
        """Delete a detection (``DELETE /detect/{uuid}``).

        Args:
            uuid: The detection's id.

        A 404 after a retry whose first attempt may have gone through counts as deleted.

        Raises:
            NotFoundError: No such detection for this key's team.
            APIStatusError, APIConnectionError: Other failures.
        """
        call = _calls.delete_detect_call(uuid)
        try:
            self._send(call)
        except NotFoundError:
            if not call.maybe_applied:
                raise
            # An earlier attempt may have deleted it before its answer was lost.

    def detect_batch(
        self,
        files: Sequence[NamedFileInput] | None = None,
        *,
        zip: FileInput | None = None,
        extra_fields: dict[str, Any] | None = None,
        options: Mapping[str, Any] | None = None,
        **more: Any,
    ) -> Batch:
        """Start one job for many files (``POST /detect/batch``).

        Args:
            files: Paths or binary file objects, sent as ``files[]``; or
                ``(filename, file)`` pairs to send a file under another name.
            zip: Or one ``.zip`` archive (non-media entries are skipped by the server).
            extra_fields: Fields sent as they are, for options this client does not know.
            options: The options as a mapping or a :class:`DetectOptions` (checked once).
            **more: Batch options by their documented names: ``intelligence``,
                ``infer_from_intelligence``, ``search_identity``, ``visualize`` (server
                default true), ``audio_source_tracing_enabled`` (``audio_source_tracing``
                is accepted and renamed), ``frame_length``, ``start_region``,
                ``end_region``, ``max_video_secs``, ``use_llm``, ``face_only``,
                ``zero_retention_mode``, ``callback_url``.

        Returns:
            The new :class:`Batch`; poll it with :meth:`wait_for` or :meth:`get_batch`.

        Raises:
            ValueError: Not exactly one of ``files`` and ``zip`` was given.
            BatchLimitError: More than 50 files or 500 MB; nothing was sent.
            UnknownOptionError: An option name no endpoint documents (a ValueError).
            ValueError: A single-only option (e.g. ``detect_watermark``), or a bad value.
            PaymentRequiredError: The wallet cannot cover every file; nothing was created.
            OutcomeUnknownError: The connection failed after sending: the batch may exist.
            APIStatusError: Any other refusal.
        """
        call = _calls.detect_batch_call(files, zip, extra_fields, options, more)
        return self._parse_batch(call, self._send(call))

    def get_batch(self, uuid: str) -> Batch:
        """Fetch a batch (``GET /detect/batch/{uuid}``).

        Args:
            uuid: The batch's id.

        Returns:
            The current :class:`Batch` with its counters and ``detect_uuids``.

        Raises:
            NotFoundError: No such batch for this key's team.
            APIStatusError, APIConnectionError: Other failures.
        """
        call = _calls.get_batch_call(uuid)
        return self._parse_batch(call, self._send(call))

    def intelligence(
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
        return self._parse_intelligence(call, self._send(call))

    @overload
    def wait_for(
        self,
        target: Batch,
        *,
        timeout: float = ...,
        poll_interval: tuple[float, float] | float = ...,
    ) -> Batch: ...

    @overload
    def wait_for(
        self,
        target: Detection | str,
        *,
        kind: Literal["detect"] = ...,
        timeout: float = ...,
        poll_interval: tuple[float, float] | float = ...,
    ) -> Detection: ...

    @overload
    def wait_for(
        self,
        target: str,
        *,
        kind: Literal["batch"],
        timeout: float = ...,
        poll_interval: tuple[float, float] | float = ...,
    ) -> Batch: ...

    def wait_for(
        self,
        target: Detection | Batch | str,
        *,
        kind: Literal["detect", "batch"] = "detect",
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: tuple[float, float] | float = (1.0, 10.0),
    ) -> Detection | Batch:
        """Poll a detection or batch until it is finished.

        Waits start at about 1 s and grow to 10 s. A finished result has ``done`` true
        (``completed``/``failed``; a batch also ``partially_failed``); nothing unfinished
        is ever returned.

        Args:
            target: A :class:`Detection`, a :class:`Batch`, or an id.
            kind: What a bare id refers to: ``"detect"`` (default) or ``"batch"``.
            timeout: Seconds to keep polling before giving up.
            poll_interval: ``(first, longest)`` wait in seconds, or one fixed wait.

        Returns:
            The finished :class:`Detection` or :class:`Batch`.

        Raises:
            WaitTimeoutError: Still not finished after ``timeout``; ``.last`` holds the
                last state seen.
            APIStatusError, APIConnectionError: A poll failed (after retries).
        """
        what, uuid = wait_target(target, kind)
        if isinstance(target, (Detection, Batch)) and target.done:
            return target
        deadline = Deadline(self._monotonic, timeout, poll_intervals(poll_interval))
        get = self.get_detect if what == "detect" else self.get_batch
        while not (last := get(uuid)).done:
            if (wait := deadline.next_wait()) is None:
                raise wait_timeout_error(what, uuid, last, deadline.waited)
            self._sleep(wait)
        return last

    # -- questions, reports, feedback, source tracing (contract §4.6, §5) ------------------

    def ask(self, detect_uuid: str, query: str) -> Question:
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
        response = self._send(call)
        return Question.from_json(self._item(call, response), self._source(response))

    def get_question(self, detect_uuid: str, question_uuid: str) -> Question:
        """Fetch a question and its answer (``GET /detects/{uuid}/intelligence/{id}``).

        Raises:
            NotFoundError: No such detect or question.
        """
        call = _analysis.get_question_call(detect_uuid, question_uuid)
        response = self._send(call)
        return Question.from_json(self._item(call, response), self._source(response))

    def wait_for_answer(
        self,
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
            self._sleep(wait)
            if (last := self.get_question(question.detect_uuid, question.uuid)).done:
                return last
        raise answer_timeout_error(last, deadline.waited)

    def get_intelligence(self, uuid: str) -> Intelligence:
        """Fetch one intelligence report (``GET /intelligences/{uuid}``).

        Raises:
            NotFoundError: No such report for this key's team.
        """
        call = _analysis.get_intelligence_call(uuid)
        return self._parse_intelligence(call, self._send(call))

    def list_intelligences(
        self, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
    ) -> ListPage[Intelligence]:
        """One page of the team's intelligence reports (``GET /intelligences``).

        Raises:
            ValueError: ``page`` or ``page_size`` out of range (from 1; 10 to 1000).
        """
        call = _analysis.list_intelligences_call(page, page_size)
        response = self._send(call)
        return _analysis.intelligence_page(self._body(call, response), self._source(response))

    def get_feedback(self, detect_uuid: str) -> Feedback | None:
        """The feedback this key gave on a detect (``GET /detect/{uuid}/feedback``).

        Returns:
            The :class:`Feedback`, or ``None`` when none was given.
        """
        call = _analysis.get_feedback_call(detect_uuid)
        response = self._send(call)
        item = self._body(call, response).get("item")
        return Feedback.from_json(item, self._source(response)) if isinstance(item, dict) else None

    def send_feedback(
        self,
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
        response = self._send(call)
        return Feedback.from_json(self._item(call, response), self._source(response))

    def delete_feedback(self, detect_uuid: str) -> None:
        """Withdraw this key's feedback on a detect (``DELETE /detect/{uuid}/feedback``).

        A 404 after a retry whose first attempt may have gone through counts as deleted.
        """
        call = _analysis.delete_feedback_call(detect_uuid)
        try:
            self._send(call)
        except NotFoundError:
            if not call.maybe_applied:
                raise

    def get_audio_source_tracing(self, uuid: str) -> SourceTrace:
        """Fetch one audio source tracing record (``GET /audio_source_tracings/{uuid}``)."""
        call = _analysis.get_tracing_call(uuid)
        response = self._send(call)
        return SourceTrace.from_json(self._item(call, response), self._source(response))

    def list_audio_source_tracings(
        self, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
    ) -> ListPage[SourceTrace]:
        """One page of the team's audio source tracings (``GET /audio_source_tracings``)."""
        call = _analysis.list_tracings_call(page, page_size)
        response = self._send(call)
        return _analysis.tracing_page(self._body(call, response), self._source(response))
