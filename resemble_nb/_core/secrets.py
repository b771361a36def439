"""What a secret looks like, and the secrets this process knows: the one module every scan uses.

Two questions, answered differently on purpose:

* :func:`redact` (service text before it is stored or shown: reasons, server JSON):
  anything *shaped* like a media token (a JWT) or a bearer credential is replaced. A
  false hit costs a few words of service text, so shape is enough.
* :func:`find_secrets` (an artifact before it is written: a report, a bundle, a notebook):
  does it hold a secret this process *knows* (the API key, a media token, a heatmap's
  pre-signed URL, a reviewer's private key), or a private-key block? Shape alone never
  blocks here: evidence may look like a token (a file named like a JWT, a transcription),
  and refusing it would make a case unreportable for ever.

Values become known when they are made: :class:`resemble_nb.api.Secret` (the API key,
media tokens), heatmap URLs, reviewers' keys call :func:`remember`.

>>> remember("sk_test_0123456789abcdef", "the API key")
>>> find_secrets(b"<p>key sk_test_0123456789abcdef</p>")
['the API key']
>>> find_secrets(b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJldmlkZW5jZSJ9.wav")
[]
>>> redact("expired token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdef")
'expired token [redacted]'
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable

__all__ = [
    "BEARER",
    "JWT",
    "JWT_BYTES",
    "PRIVATE_KEY_BLOCK",
    "REDACTED",
    "find_secrets",
    "known_count",
    "looks_like_token",
    "redact",
    "remember",
]

REDACTED = "[redacted]"

_B64URL = "A-Za-z0-9_-"
JWT = re.compile(rf"eyJ[{_B64URL}]{{4,}}\.[{_B64URL}]{{4,}}\.[{_B64URL}]*")
"""A JSON Web Token's shape (media tokens are JWTs): three base64url parts, the first one
starting with ``{"`` encoded (``eyJ``); the third (the signature) may be empty."""
JWT_BYTES = re.compile(JWT.pattern.encode("ascii"))
BEARER = re.compile(r"(?i)\b(bearer|token)\s+[A-Za-z0-9._~+/=-]{16,}")
"""A bearer credential written out in text (``Bearer sk_live_...``, ``token abc...``)."""
PRIVATE_KEY_BLOCK = re.compile(rb"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
"""A PEM private key (PKCS#8, OpenSSH, RSA, EC...)."""

_MIN_LENGTH = 8  # shorter values would match ordinary text
_API_KEY_ENV = "RESEMBLE_API_KEY"
_lock = threading.Lock()
_known: dict[bytes, str] = {}  # value -> what it is ("the API key", "a media token"...)
_MAX_PLAIN = 1024
"""Plain (not token-shaped) values are looked for one by one: the oldest beyond this many
are forgotten, so a long review's heatmap URLs cannot make every scan slow. The first
ones remembered (the API keys, made before any URL) are kept."""
_KEEP_FIRST = 16
_known_tokens: dict[bytes, str] = {}  # the JWT-shaped ones, found through JWT_BYTES


def remember(value: str, what: str = "a secret") -> None:
    """Note a secret this process holds, so no artifact it writes can carry it.

    ``what`` names it in findings (``"the API key"``); the value itself is never shown.
    """
    if not value or len(value) < _MIN_LENGTH:
        return
    raw = value.encode("utf-8")
    with _lock:
        if JWT_BYTES.fullmatch(raw):
            _known_tokens[raw] = what
            return
        _known[raw] = what
        if len(_known) > _MAX_PLAIN:  # forget the oldest after the first few
            del _known[list(_known)[_KEEP_FIRST]]


def known_count() -> int:
    """How many secrets this process knows (for tests and ``doctor``; never the values)."""
    with _lock:
        return len(_known) + len(_known_tokens)


def looks_like_token(text: str) -> bool:
    """Whether ``text`` holds something shaped like a media token (a JWT)."""
    return JWT.search(text) is not None


def redact(text: str) -> str:
    """``text`` with every known secret, and anything shaped like a JWT or a bearer
    credential, replaced."""
    with _lock:
        plain = [v.decode("utf-8") for v in _known]
    for value in plain:
        if value in text:
            text = text.replace(value, REDACTED)
    text = JWT.sub(REDACTED, text)
    return BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)


def find_secrets(data: bytes | str, extra: Iterable[str] = ()) -> list[str]:
    """What secret ``data`` holds, each named once (``"the API key"``); ``[]`` if none.

    Looks for the secrets this process knows (see :func:`remember`), ``RESEMBLE_API_KEY``
    from the environment, the ``extra`` values given, and private-key blocks. Never
    names the value itself.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with _lock:
        plain = dict(_known)
        tokens = dict(_known_tokens)
    given = [(os.environ.get(_API_KEY_ENV, ""), "the API key")]
    given += [(value, "a secret given to the scan") for value in extra]
    for text, label in given:
        if text and len(text) >= _MIN_LENGTH:
            encoded = text.encode("utf-8")
            (tokens if JWT_BYTES.fullmatch(encoded) else plain).setdefault(encoded, label)
    found: list[str] = []

    def note(what: str) -> None:
        if what not in found:
            found.append(what)

    if PRIVATE_KEY_BLOCK.search(raw):
        note("a private-key block")
    for value, what in plain.items():
        if value in raw:
            note(what)
    if tokens:  # a known token is JWT-shaped: look only where the shape is
        for match in JWT_BYTES.finditer(raw):
            candidate = match.group()
            hit = tokens.get(candidate)
            if hit is None:
                hit = next((w for v, w in tokens.items() if v in candidate), None)
            if hit is not None:
                note(hit)
    return found
