"""Errors raised by :mod:`resemble_nb.api`.

Every error is a :class:`ResembleError`, the package's one root; the whole tree is drawn
in :mod:`resemble_nb._core.errors` (``help(rnb.ResembleError)``).

Error text carries the status, the server's message, the method and path and the
request id when one was sent. It never carries the API key or a media token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.errors import ResembleError
from ._retry import MAYBE_APPLIED_STATUSES, RETRY_STATUSES, should_retry_status

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BatchLimitError",
    "FileRejectedError",
    "InternalServerError",
    "InvalidAPIKeyError",
    "MissingAPIKeyError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResembleError",
    "UnexpectedResponseError",
    "UnknownOptionError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "error_for_status",
    "message_from_body",
]


class MissingAPIKeyError(ResembleError):
    """No API key was given and ``RESEMBLE_API_KEY`` is not set."""

    def __init__(self) -> None:
        super().__init__(
            "No Resemble API key. Set the RESEMBLE_API_KEY environment variable "
            "(for example in your shell before starting Jupyter, or with "
            "os.environ['RESEMBLE_API_KEY'] = getpass.getpass()), or pass "
            "Client(api_key=...)."
        )


class UnknownOptionError(ResembleError, ValueError):
    """A detect option no endpoint documents (most likely a typo); nothing was sent.

    Attributes:
        name: The option as it was given.
        suggestion: The closest documented name, if one is close.
    """

    def __init__(self, message: str, *, name: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.name = name
        self.suggestion = suggestion


class InvalidAPIKeyError(ResembleError, ValueError):
    """The API key has characters no API key has (a pasted space, quote or accent)."""


class FileRejectedError(ResembleError, ValueError):
    """A file cannot be sent as it is (empty, a directory, over a size cap); nothing was sent.

    Attributes:
        path: The file concerned, when there is one.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class BatchLimitError(ResembleError, ValueError):
    """A batch is over the documented limits (50 files, 500 MB); nothing was sent."""


class UnexpectedResponseError(ResembleError):
    """The server answered with a success status but not the documented JSON body."""

    def __init__(self, message: str, *, method: str, path: str, status_code: int) -> None:
        super().__init__(message)
        self.method = method
        self.path = path
        self.status_code = status_code


class WaitTimeoutError(ResembleError, TimeoutError):
    """:meth:`Client.wait_for` gave up; ``.last`` is the last (unfinished) state seen."""

    def __init__(self, message: str, *, last: Any, waited: float) -> None:
        super().__init__(message)
        self.last = last
        self.waited = waited


class APIStatusError(ResembleError):
    """The server answered with an error status.

    Attributes:
        status_code: The HTTP status, e.g. ``404``.
        message: The server's explanation (body ``message``, else ``error``, else ``errors``).
        method: The HTTP method, e.g. ``"POST"``.
        path: The request path relative to the base URL, e.g. ``"/detect"``.
        request_id: The ``X-Request-Id`` response header, if the server sent one.
        body: The parsed JSON body (or the text, if it was not JSON).
        retries_taken: How many times the request was retried before this answer.
        may_have_been_applied: Whether the server may have carried the request out anyway
            (a 500, 502 or 504 behind a gateway, or an earlier attempt whose answer was
            lost). For a create, look it up before sending it again.
        retry_safe: Whether sending the same request again later may succeed and cannot
            create anything twice (429 and 503 always; 5xx for reads, deletes, uploads).
    """

    status_code: int = 0
    """The HTTP status (each subclass has its own as a default, e.g. 404)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        method: str = "",
        path: str = "",
        request_id: str | None = None,
        body: Any = None,
        retries_taken: int = 0,
        may_have_been_applied: bool | None = None,
        retry_safe: bool | None = None,
    ) -> None:
        if status_code is not None:
            self.status_code = status_code
        self.message = message
        self.method = method
        self.path = path
        self.request_id = request_id
        self.body = body
        self.retries_taken = retries_taken
        # Without word from the client, assume the request was a create (the careful side).
        if may_have_been_applied is None:
            may_have_been_applied = self.status_code in MAYBE_APPLIED_STATUSES
        if retry_safe is None:
            retry_safe = self.status_code in RETRY_STATUSES and not may_have_been_applied
        self.may_have_been_applied: bool = may_have_been_applied
        self.retry_safe: bool = retry_safe
        where = f"{method} {path} failed with " if method or path else ""
        text = f"{where}HTTP {self.status_code}: {message}"
        if request_id:
            text += f" (request id {request_id})"
        super().__init__(text)


class BadRequestError(APIStatusError):
    """400: the request was invalid (bad field, bad file, more than one media source...)."""

    status_code = 400


class AuthenticationError(APIStatusError):
    """401: the API key is missing or invalid."""

    status_code = 401


class PaymentRequiredError(APIStatusError):
    """402: the wallet cannot cover the request; nothing was created.

    Attributes:
        error_code: e.g. ``"insufficient_balance"``.
        details: e.g. ``{"estimated_cost_cents": 3.5, ...}``.
    """

    status_code = 402

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        body = self.body if isinstance(self.body, Mapping) else {}
        code = body.get("error_code")
        self.error_code: str | None = code if isinstance(code, str) else None
        details = body.get("details")
        self.details: dict[str, Any] = dict(details) if isinstance(details, Mapping) else {}


class PermissionDeniedError(APIStatusError):
    """403: the key may not use this product (watermark, Signal, plan limits...)."""

    status_code = 403


class NotFoundError(APIStatusError):
    """404: no such detect or batch (or it belongs to another team)."""

    status_code = 404


class UnprocessableEntityError(APIStatusError):
    """422: the request is well formed but cannot be processed yet."""

    status_code = 422


class RateLimitError(APIStatusError):
    """429: too many requests.

    Attributes:
        retry_after: Seconds the server asked to wait (``Retry-After``), if it said.
    """

    status_code = 429

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """5xx: the server failed."""

    status_code = 500


class APIConnectionError(ResembleError):
    """No usable answer came back (connection refused, reset, protocol error...).

    Attributes:
        method: The HTTP method.
        path: The request path relative to the base URL.
        retries_taken: How many times the request was retried first.
        may_have_been_applied: Whether the request may have reached the server (it was
            sent before the connection failed, or an earlier attempt was).
        retry_safe: Whether sending it again later cannot create anything twice: the
            request is a read, delete or upload, or it never left this machine.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        retries_taken: int = 0,
        may_have_been_applied: bool = False,
        retry_safe: bool = True,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.retries_taken = retries_taken
        self.may_have_been_applied = may_have_been_applied
        self.retry_safe = retry_safe


class APITimeoutError(APIConnectionError, TimeoutError):
    """The request timed out."""


class OutcomeUnknownError(APIConnectionError):
    """A request that creates something may have reached the server, but no answer came.

    Always ``may_have_been_applied`` and never ``retry_safe``.

    The detect (or batch) may or may not exist now. It was not retried, because a
    blind retry could create and bill it twice: look it up first (for example with
    ``list_detects``) and adopt what exists.
    """

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs.update(may_have_been_applied=True, retry_safe=False)
        super().__init__(message, **kwargs)


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def message_from_body(body: Any, fallback: str) -> str:
    """The server's explanation: body ``message``, else ``error``, else ``errors``."""
    if isinstance(body, Mapping):
        for key in ("message", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        errors = body.get("errors")
        if isinstance(errors, Mapping) and errors:
            parts = []
            for field, problems in errors.items():
                if isinstance(problems, (list, tuple)):
                    problems = ", ".join(str(p) for p in problems)
                parts.append(f"{field}: {problems}")
            return "; ".join(parts)
        if isinstance(errors, (list, tuple)) and errors:
            return "; ".join(str(e) for e in errors)
        if isinstance(errors, str) and errors.strip():
            return errors.strip()
    elif isinstance(body, str) and body.strip():
        text = " ".join(body.split())
        return text if len(text) <= 200 else text[:197] + "..."
    return fallback


def error_for_status(
    status_code: int,
    message: str,
    *,
    method: str,
    path: str,
    request_id: str | None = None,
    body: Any = None,
    retry_after: float | None = None,
    retries_taken: int = 0,
    safe: bool = False,
    maybe_applied_before: bool = False,
) -> APIStatusError:
    """Build the :class:`APIStatusError` subclass that matches ``status_code``.

    Args:
        safe: Whether repeating the request cannot create anything twice (reads, deletes,
            uploads). Decides ``retry_safe`` for 5xx answers.
        maybe_applied_before: An earlier attempt of the same request may have been
            carried out before this answer.
    """
    applied = maybe_applied_before or status_code in MAYBE_APPLIED_STATUSES
    kwargs: dict[str, Any] = {
        "status_code": status_code,
        "method": method,
        "path": path,
        "request_id": request_id,
        "body": body,
        "retries_taken": retries_taken,
        "may_have_been_applied": applied,
        "retry_safe": should_retry_status(status_code, safe=safe) and (safe or not applied),
    }
    if status_code == 429:
        return RateLimitError(message, retry_after=retry_after, **kwargs)
    cls = _BY_STATUS.get(status_code)
    if cls is None:
        cls = InternalServerError if status_code >= 500 else APIStatusError
    return cls(message, **kwargs)
