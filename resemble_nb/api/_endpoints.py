"""Every endpoint of the detect family, defined once.

Each endpoint is one ``async def`` taking the client as ``self``: build the call
(:mod:`._calls`), :func:`send` it, parse the answer. :class:`AsyncClient` uses these
functions as its methods; :class:`Client` runs the very same coroutines to the end
without an event loop (:func:`._sync.blocking`), because its two primitives,
``_request`` and ``_pause``, never suspend. So the two clients cannot drift: there
is only one text of each endpoint, its docs included.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Literal, overload

import httpx

from . import _calls
from ._base import DEFAULT_PAGE_SIZE, DEFAULT_WAIT_TIMEOUT, BaseClient
from ._calls import Call
from ._page import DetectionPage
from ._uploads import FileInput, NamedFileInput
from ._wait import Deadline, answered_in_full, poll_intervals, wait_target, wait_timeout_error
from .errors import NotFoundError
from .models import Batch, Detection, MediaToken

__all__ = [
    "delete_detect",
    "detect",
    "detect_batch",
    "get_batch",
    "get_detect",
    "iter_detects",
    "list_detects",
    "secure_upload",
    "send",
    "wait_for",
]


async def send(self: BaseClient[Any], call: Call) -> httpx.Response:
    """Send ``call``, retried as :mod:`._retry` allows (every decision is
    :class:`BaseClient`'s; only ``_request`` and ``_pause`` differ per client)."""
    for retries in self._attempts(call):
        try:
            response = await self._request(call)
        except httpx.TransportError as exc:
            delay = self._on_exception(call, exc, retries)
        else:
            wait = self._on_response(call, response, retries)
            if wait is None:
                return response
            delay = wait
        await self._pause(delay)
    raise AssertionError("unreachable")  # pragma: no cover


async def secure_upload(
    self: BaseClient[Any], path_or_file: FileInput, *, filename: str | None = None
) -> MediaToken:
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
    return self._parse_token(call, await send(self, call), upload)


async def detect(
    self: BaseClient[Any],
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
    detection = self._parse_detection(call, await send(self, call))
    if not wait:
        return detection  # an answer without status is in progress, as it should be
    settled = answered_in_full(detection)
    if settled is None:  # settled by one GET; the detect is still the create's
        fetched = await get_detect(self, detection.uuid)
        settled = dataclasses.replace(fetched, request_id=detection.request_id)
    return settled


async def get_detect(self: BaseClient[Any], uuid: str, experts: bool = False) -> Detection:
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
    return self._parse_detection(call, await send(self, call))


async def list_detects(
    self: BaseClient[Any], page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
) -> DetectionPage:
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
    return self._parse_page(call, await send(self, call))


async def iter_detects(
    self: BaseClient[Any], page_size: int = DEFAULT_PAGE_SIZE
) -> AsyncIterator[Detection]:
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
        result = await list_detects(self, page, page_size)
        for item in result.items:
            yield item
        if not result.items or page >= result.num_pages:
            return
        page += 1


async def delete_detect(self: BaseClient[Any], uuid: str) -> None:
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
        await send(self, call)
    except NotFoundError:
        if not call.maybe_applied:
            raise
        # An earlier attempt may have deleted it before its answer was lost.


async def detect_batch(
    self: BaseClient[Any],
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
    return self._parse_batch(call, await send(self, call))


async def get_batch(self: BaseClient[Any], uuid: str) -> Batch:
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
    return self._parse_batch(call, await send(self, call))


@overload
async def wait_for(
    self: BaseClient[Any],
    target: Batch,
    *,
    timeout: float = ...,
    poll_interval: tuple[float, float] | float = ...,
) -> Batch: ...


@overload
async def wait_for(
    self: BaseClient[Any],
    target: Detection | str,
    *,
    kind: Literal["detect"] = ...,
    timeout: float = ...,
    poll_interval: tuple[float, float] | float = ...,
) -> Detection: ...


@overload
async def wait_for(
    self: BaseClient[Any],
    target: str,
    *,
    kind: Literal["batch"],
    timeout: float = ...,
    poll_interval: tuple[float, float] | float = ...,
) -> Batch: ...


async def wait_for(
    self: BaseClient[Any],
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
    get = get_detect if what == "detect" else get_batch
    while not (last := await get(self, uuid)).done:
        if (wait := deadline.next_wait()) is None:
            raise wait_timeout_error(what, uuid, last, deadline.waited)
        await self._pause(wait)
    return last
