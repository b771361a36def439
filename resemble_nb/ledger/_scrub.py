"""Keep secrets out of the ledger: no media token, key or JWT is ever written.

>>> scrub({"item": {"uuid": "u1", "media_token": "eyJhbGciOi.eyJzdWIiOi.sig"}})
{'item': {'uuid': 'u1'}}
>>> scrub_text("upload failed for token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdef")
'upload failed for token [redacted]'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from resemble_nb._core.secrets import looks_like_token, redact

__all__ = ["SECRET_KEYS", "dump_raw", "scrub", "scrub_text"]

SECRET_KEYS = frozenset(
    {
        "media_token",
        "token",
        "api_key",
        "apikey",
        "authorization",
        "signed_id",
        "access_token",
        "refresh_token",
        "secret",
        "password",
    }
)
"""Keys dropped wherever they appear (compared case-insensitively)."""


def scrub_text(text: str) -> str:
    """``text`` with known secrets and anything shaped like a JWT or a bearer credential
    redacted (the shapes live in :mod:`resemble_nb._core.secrets`)."""
    return redact(text)


def scrub(value: Any) -> Any:
    """A copy of JSON-like ``value`` without secret keys and with token-like text redacted."""
    if isinstance(value, Mapping):
        return {
            str(key): scrub(item)
            for key, item in value.items()
            if str(key).lower() not in SECRET_KEYS
        }
    if isinstance(value, (list, tuple)):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value


def dump_raw(raw: Mapping[str, Any] | str | None) -> str:
    """The server's JSON as compact text, scrubbed. A string is parsed first.

    Raises:
        ValueError: ``raw`` is a string that is not JSON.
    """
    if raw is None:
        return "{}"
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"raw result is not JSON: {exc}") from None
    text = json.dumps(scrub(raw), ensure_ascii=False, separators=(",", ":"))
    if looks_like_token(text):  # e.g. a token used as a key: refuse rather than store it
        raise ValueError("raw result still contains a token-like string; not stored")
    return text
