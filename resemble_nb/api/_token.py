"""The media token returned by ``POST /secure_uploads``: a secret with a one-hour life."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, Literal, NoReturn

from ._secret import MASK, Secret

__all__ = ["TOKEN_LIFETIME", "MediaToken"]

TOKEN_LIFETIME = timedelta(hours=1)
"""Documented life of a media token when the token itself does not say."""


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _unverified_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, read without checking its signature (we only want the times).

    Anything that is not a three-part token with a JSON object payload gives ``{}``.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        return {}
    return claims if isinstance(claims, dict) else {}


def _claim_time(claims: dict[str, Any], name: str) -> datetime | None:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


class MediaToken:
    """A ``media_token`` for ``detect()`` / ``intelligence()``, valid for about an hour.

    The value is a secret: ``repr`` and ``str`` never show it and it cannot be pickled.
    Pass the object itself to :meth:`Client.detect`; use :meth:`reveal` only when you
    must hand the raw string to something else.

    >>> token = client.secure_upload("call.wav")          # doctest: +SKIP
    >>> token                                              # doctest: +SKIP
    MediaToken(filename='call.wav', expires_at='2026-01-01T11:00:00+00:00', value='**********')
    >>> token.expired, token.expires_in                     # doctest: +SKIP
    (False, datetime.timedelta(seconds=3599, ...))

    Age and expiry are counted on this machine's clock from when the token arrived, over
    the lifetime the server gave it (``exp - iat``), so a skewed local clock does not
    make fresh tokens look expired.

    Attributes:
        issued_at: When the server issued it (the JWT ``iat`` claim, else when it arrived).
        expires_at: When the server says it expires (the JWT ``exp`` claim, else one hour
            after issue).
        lifetime: How long it is valid in all (``expires_at - issued_at``).
        filename: The name of the uploaded file, if known.
        size: The number of bytes uploaded, if known.
        source: ``"sandbox"`` if the local sandbox issued it, else ``"api"``.
        request_id: The ``X-Request-Id`` of the upload's response, if sent (not a secret:
            it names the request, for the custody record and for support).
    """

    __slots__ = (
        "_clock",
        "_received",
        "_value",
        "expires_at",
        "filename",
        "issued_at",
        "lifetime",
        "request_id",
        "size",
        "source",
    )

    def __init__(
        self,
        value: str,
        *,
        filename: str | None = None,
        size: int | None = None,
        source: Literal["api", "sandbox"] = "api",
        request_id: str | None = None,
        received_at: datetime | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._value = Secret(value, "a media token")
        self._clock = clock
        self.filename = filename
        self.size = size
        self.source: Literal["api", "sandbox"] = source
        self.request_id = request_id
        received = received_at or clock()
        self._received = received
        claims = _unverified_claims(value)
        self.issued_at: datetime = _claim_time(claims, "iat") or received
        self.expires_at: datetime = _claim_time(claims, "exp") or (self.issued_at + TOKEN_LIFETIME)
        self.lifetime: timedelta = self.expires_at - self.issued_at

    def reveal(self) -> str:
        """The raw token string. Do not print, log or store it."""
        return self._value.reveal()

    @property
    def value(self) -> str:
        """The raw token string (same as :meth:`reveal`)."""
        return self._value.reveal()

    @property
    def age(self) -> timedelta:
        """Time since the token arrived."""
        return self._clock() - self._received

    @property
    def expires_in(self) -> timedelta:
        """Time left before the token expires (zero or negative once expired)."""
        return self.lifetime - self.age

    @property
    def expired(self) -> bool:
        """Whether the token has expired; upload again if so."""
        return self.expires_in <= timedelta(0)

    def expires_within(self, seconds: float) -> bool:
        """Whether the token expires in the next ``seconds`` (e.g. 300 before a submit)."""
        return self.expires_in <= timedelta(seconds=seconds)

    def __repr__(self) -> str:
        return (
            f"MediaToken(filename={self.filename!r}, "
            f"expires_at={self.expires_at.isoformat()!r}, value={MASK!r})"
        )

    def __str__(self) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MediaToken):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a MediaToken cannot be pickled: it is a secret; keep it in memory only")
