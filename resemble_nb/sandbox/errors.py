"""The error envelope of the API: ``{"success": false, "message": ...}``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

__all__ = ["ApiError", "error_response"]


class ApiError(Exception):
    """Raised by a handler to answer with an error body.

    >>> ApiError(404, "Detect not found").status
    404
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})


def error_response(
    status: int,
    message: str,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The documented error body, plus any extra fields (``error_code``, ``details``...)."""
    body: dict[str, Any] = {"success": False, "message": message}
    body.update(extra or {})
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))
