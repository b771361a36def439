"""Media tokens: HS256 JWTs bound to a team and a stored upload, valid for one hour."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import jwt

__all__ = ["MediaClaims", "TokenError", "issue_token", "read_token"]

_AUDIENCE = "resemble-sandbox-media"


class TokenError(Exception):
    """A media token that cannot be used; ``status`` is the HTTP answer, ``code`` a
    machine-readable reason (``media_token_invalid`` or ``media_token_expired``)."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str = "media_token_invalid",
        reason: str = "is invalid",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class MediaClaims:
    upload_id: str
    team_id: str
    issued_at: float
    expires_at: float


def issue_token(secret: bytes, *, upload_id: str, team_id: str, now: float, ttl: float) -> str:
    """A signed token for one upload of one team."""
    claims = {
        "sub": upload_id,
        "team": team_id,
        "aud": _AUDIENCE,
        "iat": int(now),
        "exp": int(now + ttl),
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def read_token(secret: bytes, token: object, *, now: float) -> MediaClaims:
    """Check signature and expiry against the sandbox clock; raise :class:`TokenError`."""
    if not isinstance(token, str) or not token.strip():
        raise TokenError(400, "media_token must be a non-empty string")
    try:
        claims = jwt.decode(
            token.strip(),
            secret,
            algorithms=["HS256"],
            audience=_AUDIENCE,
            options={"verify_exp": False, "verify_iat": False, "require": ["exp", "sub", "team"]},
        )
    except jwt.InvalidSignatureError:
        raise TokenError(400, "Invalid media_token: signature does not match") from None
    except jwt.PyJWTError:
        raise TokenError(
            400, "Invalid media_token: not a token issued by /secure_uploads"
        ) from None
    exp = float(claims["exp"])
    if now >= exp:
        raise TokenError(
            400,
            "media_token has expired (tokens live 1 hour); upload the file again",
            "media_token_expired",
            "has expired",
        )
    return MediaClaims(
        upload_id=str(claims["sub"]),
        team_id=str(claims["team"]),
        issued_at=float(claims.get("iat", 0)),
        expires_at=exp,
    )
