"""Keeping the API key and media tokens out of reprs, logs and pickles.

:class:`Secret` holds a string that must not leak: its ``repr`` and ``str`` are
masked and it refuses to be pickled; call :meth:`Secret.reveal` at the single
point of use (building the ``Authorization`` header). Each value is remembered by
:mod:`resemble_nb._core.secrets`, whose scan keeps it out of every artifact written.

:class:`RedactingFilter` is attached to the ``resemble_nb.api`` logger and
masks ``Authorization`` header values and bearer tokens in every record.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

from resemble_nb._core.secrets import remember

__all__ = ["MASK", "RedactingFilter", "Secret", "redact_headers", "scrub"]

MASK = "**********"
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

_BEARER = re.compile(r"(?i)\b(bearer|token)(\s+|=)([A-Za-z0-9._~+/=\-]{6,})")


class Secret:
    """A string that shows as ``**********`` everywhere except :meth:`reveal`.

    >>> key = Secret("test_key_a")
    >>> key, str(key), f"{key}"
    (Secret('**********'), '**********', '**********')
    >>> key.reveal()
    'test_key_a'
    """

    __slots__ = ("_value",)

    def __init__(self, value: str, what: str = "a secret") -> None:
        self._value = value
        remember(value, what)  # so no report, bundle or notebook this process writes holds it

    def reveal(self) -> str:
        """The real value. Use it only where it is sent, never to print or log."""
        return self._value

    def __repr__(self) -> str:
        return f"{type(self).__name__}({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, format_spec: str) -> str:
        return format(MASK, format_spec)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled: it would write the secret value to disk")


def redact_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """A copy of ``headers`` with credential headers replaced by the mask."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {name: (MASK if name.lower() in SENSITIVE_HEADERS else value) for name, value in items}


def scrub(value: Any, secrets: Iterable[str]) -> Any:
    """Replace every occurrence of each secret in strings nested inside ``value``.

    Used on server messages and error bodies before they become exception text,
    in case a server echoes a key or token back.
    """
    needles = [s for s in secrets if s]
    if not needles:
        return value
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, MASK)
        return value
    if isinstance(value, Mapping):
        return {key: scrub(item, needles) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(scrub(item, needles) for item in value)
    return value


def _redact_text(text: str) -> str:
    return _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


def _redact_arg(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            key: (MASK if str(key).lower() in SENSITIVE_HEADERS else _redact_arg(item))
            for key, item in value.items()
        }
    if isinstance(value, str):
        return _redact_text(value)
    return value


class RedactingFilter(logging.Filter):
    """Masks ``Authorization`` headers and bearer tokens in log records.

    Header mappings passed as log arguments have their credential values replaced,
    and ``Bearer <token>`` / ``Token token=<key>`` patterns in the message are masked.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, Mapping):
            record.args = _redact_arg(record.args)
        elif isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(arg) for arg in record.args)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to logging
            return True
        record.msg = _redact_text(message)
        record.args = None
        return True
