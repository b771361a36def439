"""What the sync and async clients share: configuration, request building,
retry decisions and response parsing. Only sending once and pausing differ.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, NoReturn, TypeAlias, TypeVar

import httpx

from . import _retry
from ._answers import SANDBOX_HEADER, Answers
from ._bounded import ResponseRefused
from ._calls import Call
from ._secret import MASK, RedactingFilter, Secret, redact_headers, scrub
from .errors import (
    APIConnectionError,
    APITimeoutError,
    InvalidAPIKeyError,
    MissingAPIKeyError,
    OutcomeUnknownError,
    error_for_status,
    message_from_body,
)

__all__ = ["DEFAULT_BASE_URL", "BaseClient", "ClientStats"]

DEFAULT_BASE_URL = "https://app.resemble.ai/api/v2"
DEFAULT_TIMEOUT = 60.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_WAIT_TIMEOUT = 600.0
DEFAULT_ANSWER_TIMEOUT = 120.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_PAGE_SIZE = 100

try:
    _VERSION = importlib.metadata.version("resemble_nb")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - not installed
    _VERSION = "0"

logger = logging.getLogger("resemble_nb.api")
if not any(isinstance(f, RedactingFilter) for f in logger.filters):
    logger.addFilter(RedactingFilter())

TimeoutTypes: TypeAlias = "float | httpx.Timeout | None"


def _check_key(key: str) -> None:
    """Refuse a key that cannot travel in an HTTP header (never quoting it)."""
    for position, char in enumerate(key, start=1):
        if not 33 <= ord(char) <= 126:
            what = "a space or control character" if ord(char) < 128 else "not plain ASCII"
            raise InvalidAPIKeyError(
                f"The API key cannot be used: its character {position} of {len(key)} is "
                f"{what}. Check RESEMBLE_API_KEY for a pasted quote, space or accent."
            )


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


def _to_timeout(timeout: TimeoutTypes) -> httpx.Timeout:
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is None:
        return httpx.Timeout(None)
    return httpx.Timeout(timeout, connect=min(timeout, DEFAULT_CONNECT_TIMEOUT))


_C = TypeVar("_C", bound="BaseClient[Any]")
_H = TypeVar("_H")
"""The connection pool's type: ``httpx.Client`` or ``httpx.AsyncClient``."""


def _check_base_url(url: str, *, given: bool) -> str:
    """``url`` if it is an http(s) URL with a host; else a ValueError that says where it
    came from and what one looks like (before anything is created or sent)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        host = None
        parts = urlsplit("")
    if parts.scheme in ("http", "https") and host:
        return url.strip()
    source = "--base-url / base_url" if given else "RESEMBLE_BASE_URL"
    raise ValueError(
        f"{source} {url!r} is not an http(s) URL with a host; give one like "
        f"{DEFAULT_BASE_URL} (or leave it out for Resemble's)"
    )


class BaseClient(Answers, Generic[_H]):
    """Everything :class:`Client` and :class:`AsyncClient` share: configuration, headers,
    every retry decision, errors and parsing. Each adds only its connection and its two
    primitives, ``_request`` and ``_pause``; the endpoints are defined once, in
    :mod:`._endpoints` and :mod:`._asking`."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: _H | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("RESEMBLE_API_KEY")
        if not key or not key.strip():
            raise MissingAPIKeyError()
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        _check_key(key.strip())
        self._api_key = Secret(key.strip(), "the API key")
        url = base_url or os.environ.get("RESEMBLE_BASE_URL") or DEFAULT_BASE_URL
        self.base_url: str = _check_base_url(url, given=base_url is not None).rstrip("/")
        self.timeout: httpx.Timeout = _to_timeout(timeout)
        self.max_retries: int = max_retries
        self.is_sandbox: bool = False
        self.stats = ClientStats()
        self._rng = random.Random()
        self._monotonic = time.monotonic
        self._owns_http = http_client is None
        self._http: _H = http_client if http_client is not None else self._new_http(self.timeout)

    def _new_http(self, timeout: httpx.Timeout) -> _H:
        """A connection pool from the one transport factory (:mod:`._transport`)."""
        raise NotImplementedError

    @property
    def service(self) -> str:
        """Which service this client talks to, in words (never the key).

        >>> Client(api_key="k").service  # doctest: +SKIP
        "Resemble AI's Detect API (https://app.resemble.ai/api/v2): files are analysed for real"
        """
        host = httpx.URL(self.base_url).host
        if self.is_sandbox or host in ("127.0.0.1", "localhost", "::1"):
            return (
                f"the local sandbox ({self.base_url}); scores are synthetic, not Resemble AI "
                "detections"
            )
        return f"Resemble AI's Detect API ({self.base_url}); files are analysed for real"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, api_key={MASK!r}, "
            f"max_retries={self.max_retries})"
        )

    @classmethod
    def from_client(
        cls: type[_C],
        client: BaseClient[Any],
        *,
        max_retries: int | None = None,
        http_client: Any = None,
    ) -> _C:
        """A client of this kind for the same account as ``client`` (sync or async).

        Same key, base URL and timeout; the key passes from one :class:`Secret` to the
        other and is never exposed on the way.

        >>> sync = Client(api_key="...")  # doctest: +SKIP
        >>> async with AsyncClient.from_client(sync) as client:  # doctest: +SKIP
        ...     page = await client.list_detects()

        Args:
            client: The client whose account to use.
            max_retries: Defaults to ``client.max_retries``.
            http_client: As for the constructor (an ``httpx.Client`` or ``AsyncClient``).
        """
        made = cls(
            api_key=client._api_key.reveal(),
            base_url=client.base_url,
            timeout=client.timeout,
            max_retries=client.max_retries if max_retries is None else max_retries,
            http_client=http_client,
        )
        made.is_sandbox = client.is_sandbox
        return made

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            f"{type(self).__name__} objects cannot be pickled: they hold an API key. "
            "Create a new client in the other process instead."
        )

    # -- sending -------------------------------------------------------------------------

    async def _request(self, call: Call) -> httpx.Response:
        """Send ``call`` once (Client blocks here; AsyncClient awaits)."""
        raise NotImplementedError

    async def _pause(self, seconds: float) -> None:
        """Wait before a retry or the next poll (Client blocks; AsyncClient awaits)."""
        raise NotImplementedError

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

    def _attempts(self, call: Call) -> Iterator[int]:
        """Count the attempts of ``call`` (0, 1, 2... retries taken); the send loop stops."""
        retries = 0
        while True:
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug(
                    "request %s %s (attempt %d) headers=%s",
                    call.method,
                    self._url(call.path),
                    retries + 1,
                    redact_headers(self._headers(call)),
                )
            self.stats.requests += 1
            self.stats.last_retries = retries
            yield retries
            retries += 1
            self.stats.retries += 1

    def _scrub(self, call: Call, value: Any) -> Any:
        return scrub(value, (self._api_key.reveal(), *call.secrets))

    def _on_exception(self, call: Call, exc: httpx.TransportError, retries: int) -> float:
        """Delay before retrying after a transport failure, or raise the mapped error."""
        sent = _retry.is_sent_before_failure(exc)
        retryable = isinstance(
            exc,
            (
                httpx.NetworkError,
                httpx.TimeoutException,
                httpx.RemoteProtocolError,
                ResponseRefused,
            ),
        )
        kind = "ReadTimeout" if isinstance(exc, httpx.ReadTimeout) else type(exc).__name__
        what = f"{kind}: {self._scrub(call, str(exc)) or 'no details'}"
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
            "may_have_been_applied": sent or call.maybe_applied,
            "retry_safe": call.safe or not (sent or call.maybe_applied),
        }
        if isinstance(exc, ResponseRefused):
            if sent and not call.safe:
                raise OutcomeUnknownError(
                    f"{call.method} {call.path}: the answer was refused after the request "
                    f"was sent ({what}). The outcome is unknown: look it up first (e.g. "
                    "list_detects()) and adopt what exists before sending it again.",
                    **kwargs,
                ) from exc
            raise APIConnectionError(
                f"{call.method} {call.path}: {self.base_url} sent no usable answer ({what})",
                **kwargs,
            ) from exc
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
        request_id = self._request_id(response)
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
            request_id=self._request_id(response),
            body=body,
            retry_after=retry_after,
            retries_taken=retries,
            safe=call.safe,
            maybe_applied_before=call.maybe_applied,
        )
