"""What the sync and async clients share: configuration, request building,
retry decisions and response parsing. Only sending and sleeping differ.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import os
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeAlias

import httpx

from . import _retry
from ._options import form_fields, prepare_options
from ._secret import MASK, RedactingFilter, Secret, redact_headers, scrub
from ._uploads import FileInput, Upload, check_batch, check_direct
from .errors import (
    APIConnectionError,
    APITimeoutError,
    MissingAPIKeyError,
    OutcomeUnknownError,
    UnexpectedResponseError,
    WaitTimeoutError,
    error_for_status,
    message_from_body,
)
from .models import Batch, Detection, DetectionPage, Intelligence, MediaToken, Source

__all__ = ["DEFAULT_BASE_URL", "BaseClient", "Call", "ClientStats"]

DEFAULT_BASE_URL = "https://app.resemble.ai/api/v2"
DEFAULT_TIMEOUT = 60.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_WAIT_TIMEOUT = 600.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_PAGE_SIZE = 100
SANDBOX_HEADER = "X-Resemble-Sandbox"

try:
    _VERSION = importlib.metadata.version("resemble_nb")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - not installed
    _VERSION = "0"

logger = logging.getLogger("resemble_nb.api")
if not any(isinstance(f, RedactingFilter) for f in logger.filters):
    logger.addFilter(RedactingFilter())

TimeoutTypes: TypeAlias = "float | httpx.Timeout | None"


@dataclass
class ClientStats:
    """Counters kept by a client (handy in tests and notebooks).

    Attributes:
        requests: HTTP attempts made, retries included.
        retries: Retries made in total.
        last_retries: Retries the most recent call needed.
        last_request_id: The ``X-Request-Id`` of the most recent response, if sent.
    """

    requests: int = 0
    retries: int = 0
    last_retries: int = 0
    last_request_id: str | None = None


@dataclass
class Call:
    """One API call, ready to be sent (and re-sent on a retry)."""

    method: str
    path: str
    safe: bool
    """Whether repeating it after it may have reached the server cannot create a duplicate."""
    params: dict[str, Any] | None = None
    json: dict[str, Any] | None = None
    data: dict[str, str | list[str]] | None = None
    uploads: Sequence[Upload] = ()
    headers: dict[str, str] = field(default_factory=dict)
    timeout: httpx.Timeout | None = None
    secrets: tuple[str, ...] = ()
    """Values sent in this call that must never appear in error text (media tokens)."""
    maybe_applied: bool = False
    """Set when an earlier attempt may have been carried out before the retry."""

    @contextmanager
    def request_kwargs(self) -> Iterator[dict[str, Any]]:
        """Keyword arguments for ``httpx.Client.request``, with upload files open."""
        with ExitStack() as stack:
            kwargs: dict[str, Any] = {}
            if self.params:
                kwargs["params"] = self.params
            if self.json is not None:
                kwargs["json"] = self.json
            if self.uploads:
                kwargs["files"] = [(u.field, u.open(stack)) for u in self.uploads]
                kwargs["data"] = self.data or {}
            elif self.data:
                kwargs["data"] = self.data
            if self.timeout is not None:
                kwargs["timeout"] = self.timeout
            yield kwargs


def _to_timeout(timeout: TimeoutTypes) -> httpx.Timeout:
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is None:
        return httpx.Timeout(None)
    return httpx.Timeout(timeout, connect=min(timeout, DEFAULT_CONNECT_TIMEOUT))


def _token_value(media_token: MediaToken | str) -> str:
    if isinstance(media_token, MediaToken):
        if media_token.expired:
            raise ValueError(
                f"the media token for {media_token.filename or 'this upload'} expired "
                f"{-media_token.expires_in.total_seconds():.0f} s ago (tokens live "
                f"{media_token.lifetime.total_seconds() / 60:.0f} min); upload the file "
                "again with secure_upload()"
            )
        return media_token.reveal()
    return str(media_token)


def _exactly_one(method: str, **sources: Any) -> str:
    given = [name for name, value in sources.items() if value is not None]
    if len(given) != 1:
        names = ", ".join(f"{n}=" for n in sources)
        found = ", ".join(f"{n}=" for n in given) or "none"
        raise ValueError(f"{method}() needs exactly one of {names} (got {found})")
    return given[0]


class BaseClient:
    """Configuration and plumbing shared by :class:`Client` and :class:`AsyncClient`."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("RESEMBLE_API_KEY")
        if not key or not key.strip():
            raise MissingAPIKeyError()
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self._api_key = Secret(key.strip())
        url = base_url or os.environ.get("RESEMBLE_BASE_URL") or DEFAULT_BASE_URL
        self.base_url: str = url.rstrip("/")
        self.timeout: httpx.Timeout = _to_timeout(timeout)
        self.max_retries: int = max_retries
        self.is_sandbox: bool = False
        self.stats = ClientStats()
        self._rng = random.Random()
        self._monotonic = time.monotonic

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, api_key={MASK!r}, "
            f"max_retries={self.max_retries})"
        )

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            f"{type(self).__name__} objects cannot be pickled: they hold an API key. "
            "Create a new client in the other process instead."
        )

    # -- sending -------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def _headers(self, call: Call) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self._api_key.reveal()}",
            "Accept": "application/json",
            "User-Agent": f"resemble_nb/{_VERSION} httpx/{httpx.__version__}",
        }
        headers.update(call.headers)
        return headers

    def _log_request(self, call: Call, headers: Mapping[str, str], retries: int) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "request %s %s (attempt %d) headers=%s",
                call.method,
                self._url(call.path),
                retries + 1,
                redact_headers(headers),
            )

    def _scrub(self, call: Call, value: Any) -> Any:
        return scrub(value, (self._api_key.reveal(), *call.secrets))

    def _on_exception(self, call: Call, exc: httpx.TransportError, retries: int) -> float:
        """Delay before retrying after a transport failure, or raise the mapped error."""
        sent = _retry.is_sent_before_failure(exc)
        retryable = isinstance(
            exc, (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)
        )
        what = f"{type(exc).__name__}: {self._scrub(call, str(exc)) or 'no details'}"
        if retryable and (call.safe or not sent) and retries < self.max_retries:
            call.maybe_applied = call.maybe_applied or sent
            delay = _retry.backoff(retries, self._rng)
            logger.info(
                "retrying %s %s in %.2f s after %s (retry %d of %d)",
                call.method,
                call.path,
                delay,
                type(exc).__name__,
                retries + 1,
                self.max_retries,
            )
            return delay
        kwargs: dict[str, Any] = {
            "method": call.method,
            "path": call.path,
            "retries_taken": retries,
        }
        if sent and retryable and not call.safe:
            raise OutcomeUnknownError(
                f"{call.method} {call.path}: the connection failed after the request was "
                f"sent ({what}). The outcome is unknown: the server may or may not have "
                "created it. It was not retried because a retry could create a duplicate "
                "(and bill twice); look it up first (e.g. list_detects()) and adopt what exists.",
                **kwargs,
            ) from exc
        if isinstance(exc, httpx.TimeoutException):
            raise APITimeoutError(
                f"{call.method} {call.path} timed out ({what})", **kwargs
            ) from exc
        raise APIConnectionError(
            f"{call.method} {call.path}: could not reach {self.base_url} ({what})", **kwargs
        ) from exc

    def _on_response(self, call: Call, response: httpx.Response, retries: int) -> float | None:
        """``None`` if the response is a success, else a delay before retrying, else raise."""
        request_id = response.headers.get("x-request-id")
        self.stats.last_request_id = request_id
        if response.headers.get(SANDBOX_HEADER) == "1":
            self.is_sandbox = True
        logger.debug(
            "response %s %s -> %d (request id %s)",
            call.method,
            call.path,
            response.status_code,
            request_id,
        )
        status = response.status_code
        if 200 <= status < 300:
            return None
        retry_after = _retry.parse_retry_after(response.headers)
        if retries < self.max_retries and _retry.should_retry_status(status, safe=call.safe):
            delay = _retry.retry_delay(retries, retry_after, self._rng)
            if delay is not None:
                call.maybe_applied = call.maybe_applied or status in _retry.MAYBE_APPLIED_STATUSES
                logger.info(
                    "retrying %s %s in %.2f s after HTTP %d (retry %d of %d)",
                    call.method,
                    call.path,
                    delay,
                    status,
                    retries + 1,
                    self.max_retries,
                )
                return delay
        raise self._status_error(call, response, retries, retry_after)

    def _status_error(
        self, call: Call, response: httpx.Response, retries: int, retry_after: float | None
    ) -> Exception:
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        body = self._scrub(call, body)
        message = message_from_body(body, response.reason_phrase or "no message")
        if not call.safe and response.status_code in _retry.MAYBE_APPLIED_STATUSES:
            message += (
                " (the request may still have been carried out: look it up before sending "
                "it again, or it could be created and billed twice)"
            )
        return error_for_status(
            response.status_code,
            message,
            method=call.method,
            path=call.path,
            request_id=response.headers.get("x-request-id"),
            body=body,
            retry_after=retry_after,
            retries_taken=retries,
        )

    # -- parsing -------------------------------------------------------------------------

    def _source(self, response: httpx.Response) -> Source:
        return "sandbox" if response.headers.get(SANDBOX_HEADER) == "1" else "api"

    def _body(self, call: Call, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except (ValueError, json.JSONDecodeError):
            body = None
        if not isinstance(body, dict):
            raise UnexpectedResponseError(
                f"{call.method} {call.path} returned HTTP {response.status_code} without a "
                "JSON object body",
                method=call.method,
                path=call.path,
                status_code=response.status_code,
            )
        return body

    def _item(self, call: Call, response: httpx.Response) -> dict[str, Any]:
        item = self._body(call, response).get("item")
        if not isinstance(item, dict):
            raise UnexpectedResponseError(
                f"{call.method} {call.path} returned HTTP {response.status_code} without "
                "an 'item' object",
                method=call.method,
                path=call.path,
                status_code=response.status_code,
            )
        return item

    def _parse_token(self, call: Call, response: httpx.Response, upload: Upload) -> MediaToken:
        token = self._body(call, response).get("token")
        if not isinstance(token, str) or not token:
            raise UnexpectedResponseError(
                f"{call.method} {call.path} returned HTTP {response.status_code} without a token",
                method=call.method,
                path=call.path,
                status_code=response.status_code,
            )
        return MediaToken(
            token, filename=upload.filename, size=upload.size, source=self._source(response)
        )

    def _parse_detection(self, call: Call, response: httpx.Response) -> Detection:
        return Detection.from_json(self._item(call, response), self._source(response))

    def _parse_batch(self, call: Call, response: httpx.Response) -> Batch:
        return Batch.from_json(self._item(call, response), self._source(response))

    def _parse_page(self, call: Call, response: httpx.Response) -> DetectionPage:
        return DetectionPage.from_json(self._body(call, response), self._source(response))

    def _parse_intelligence(self, call: Call, response: httpx.Response) -> Intelligence:
        report = Intelligence.from_json(self._item(call, response), self._source(response))
        assert report is not None  # _item guarantees a dict
        return report

    # -- building calls ------------------------------------------------------------------

    def _long_timeout(self, read: float | None) -> httpx.Timeout:
        t = self.timeout
        return httpx.Timeout(connect=t.connect, read=read, write=t.write, pool=t.pool)

    def _secure_upload_call(
        self, path_or_file: FileInput, filename: str | None
    ) -> tuple[Call, Upload]:
        upload = Upload.make("file", path_or_file, filename)
        # A repeated upload creates nothing billable, only an unused token: safe to retry.
        return Call("POST", "/secure_uploads", safe=True, uploads=[upload]), upload

    def _detect_call(
        self,
        *,
        media_token: MediaToken | str | None,
        url: str | None,
        file: FileInput | None,
        filename: str | None,
        wait: bool,
        wait_timeout: float | None,
        extra_fields: Mapping[str, Any] | None,
        options: Mapping[str, Any],
    ) -> Call:
        source = _exactly_one("detect", media_token=media_token, url=url, file=file)
        prepared = prepare_options("detect", options, extra_fields)
        headers = {"Prefer": "wait"} if wait else {}
        timeout = self._long_timeout(wait_timeout) if wait else None
        if source == "file":
            assert file is not None
            upload = Upload.make("file", file, filename)
            check_direct(upload)
            return Call(
                "POST",
                "/detect",
                safe=False,
                data=form_fields(prepared),
                uploads=[upload],
                headers=headers,
                timeout=timeout,
            )
        secrets: tuple[str, ...] = ()
        if source == "media_token":
            assert media_token is not None
            value = _token_value(media_token)
            body = {"media_token": value, **prepared}
            secrets = (value,)
        else:
            body = {"url": url, **prepared}
        return Call(
            "POST",
            "/detect",
            safe=False,
            json=body,
            headers=headers,
            timeout=timeout,
            secrets=secrets,
        )

    def _get_detect_call(self, uuid: str, experts: bool) -> Call:
        params = {"experts": "true"} if experts else None
        return Call("GET", f"/detect/{_path_id(uuid)}", safe=True, params=params)

    def _list_detects_call(self, page: int, page_size: int) -> Call:
        if page < 1:
            raise ValueError(f"page starts at 1 (got {page})")
        if not 10 <= page_size <= 1000:
            raise ValueError(f"page_size must be between 10 and 1000 (got {page_size})")
        return Call("GET", "/detect", safe=True, params={"page": page, "page_size": page_size})

    def _delete_detect_call(self, uuid: str) -> Call:
        return Call("DELETE", f"/detect/{_path_id(uuid)}", safe=True)

    def _detect_batch_call(
        self,
        files: Sequence[FileInput] | None,
        zip: FileInput | None,
        extra_fields: Mapping[str, Any] | None,
        options: Mapping[str, Any],
    ) -> Call:
        _exactly_one("detect_batch", files=files, zip=zip)
        prepared = prepare_options("batch", options, extra_fields)
        if zip is not None:
            zip_upload = Upload.make("file", zip)
            check_batch([], zip_upload)
            uploads = [zip_upload]
        else:
            if isinstance(files, (str, os.PathLike)):
                raise TypeError("files= takes a list of paths or file objects, not one path")
            uploads = [Upload.make("files[]", f) for f in files or []]
            check_batch(uploads)
        return Call(
            "POST", "/detect/batch", safe=False, data=form_fields(prepared), uploads=uploads
        )

    def _get_batch_call(self, uuid: str) -> Call:
        return Call("GET", f"/detect/batch/{_path_id(uuid)}", safe=True)

    def _intelligence_call(
        self,
        *,
        media_token: MediaToken | str | None,
        url: str | None,
        detect_id: str | None,
        media_type: str | None,
        json_output: bool | None,
        callback_url: str | None,
        wait_timeout: float | None,
    ) -> Call:
        _exactly_one("intelligence", media_token=media_token, url=url)
        body: dict[str, Any] = {}
        secrets: tuple[str, ...] = ()
        if media_token is not None:
            body["media_token"] = _token_value(media_token)
            secrets = (body["media_token"],)
        for name, value in (
            ("url", url),
            ("detect_id", detect_id),
            ("media_type", media_type),
            ("json", json_output),
            ("callback_url", callback_url),
        ):
            if value is not None:
                body[name] = value
        # Without a callback the report is produced while the request waits.
        timeout = None if callback_url else self._long_timeout(wait_timeout)
        return Call(
            "POST", "/intelligence", safe=False, json=body, timeout=timeout, secrets=secrets
        )


def poll_intervals(poll_interval: tuple[float, float] | float) -> Iterator[float]:
    """Waits between polls: from the low bound, growing by half each time, to the high."""
    if isinstance(poll_interval, (int, float)):
        low = high = float(poll_interval)
    else:
        low, high = (float(v) for v in poll_interval)
    if low <= 0 or high < low:
        raise ValueError(f"poll_interval must be positive and (low, high) ordered: {poll_interval}")
    interval = low
    while True:
        yield interval
        interval = min(high, interval * 1.5)


def wait_target(target: Any, kind: str) -> tuple[str, str]:
    """``(kind, uuid)`` for ``wait_for``: a Detection, a Batch, or an id of ``kind``."""
    if isinstance(target, Detection):
        return "detect", target.uuid
    if isinstance(target, Batch):
        return "batch", target.uuid
    if isinstance(target, str):
        if kind not in ("detect", "batch"):
            raise ValueError(f"kind must be 'detect' or 'batch', not {kind!r}")
        return kind, target
    raise TypeError(f"wait_for() takes a Detection, a Batch or an id, not {type(target).__name__}")


def wait_timeout_error(
    kind: str, uuid: str, last: Detection | Batch | None, waited: float
) -> WaitTimeoutError:
    status = last.status if last is not None else None
    return WaitTimeoutError(
        f"{kind} {uuid} is still {status!r} after {waited:.0f} s of waiting; "
        "the last state seen is in .last (it is not finished: do not read it as a result)",
        last=last,
        waited=waited,
    )


def _path_id(uuid: str) -> str:
    uuid = str(uuid).strip()
    if not uuid or "/" in uuid or "?" in uuid or "#" in uuid:
        raise ValueError(f"not a valid id: {uuid!r}")
    return uuid
