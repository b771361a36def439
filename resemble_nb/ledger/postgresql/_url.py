"""A PostgreSQL case's address: ``postgresql://USER@HOST:PORT/DB?case=NAME``.

The database holds many cases; each case is one PostgreSQL schema (``rnb_NAME``), so the
ledger's tables keep their names and one server serves a whole desk. The password, if
the URL carries one, is never shown: :attr:`CaseURL.display` leaves it out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import LedgerError

__all__ = ["CaseURL", "is_case_url", "parse_case_url"]

_SCHEMES = ("postgresql://", "postgres://")
_NAME = re.compile(r"^[a-z0-9_]{1,50}$")


def is_case_url(text: object) -> bool:
    """Whether ``text`` names a PostgreSQL case rather than a folder."""
    return isinstance(text, str) and text.lower().startswith(_SCHEMES)


@dataclass(frozen=True)
class CaseURL:
    """A parsed case URL.

    Attributes:
        conninfo: What psycopg connects with (the URL without ``case=``).
        case: The case's name (lower-case letters, digits, ``_``).
        schema: The PostgreSQL schema that holds it.
        display: The URL without any password, for messages.
    """

    conninfo: str
    case: str
    schema: str
    display: str


def parse_case_url(url: str) -> CaseURL:
    """Split a case URL; one clear :class:`LedgerError` when it is not one."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    case = query.pop("case", "")
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}@" if parts.username else ""
    shown = urlunsplit((parts.scheme, f"{user}{host}{port}", parts.path, "", ""))
    display = f"{shown}?case={case}"
    if not case:
        raise LedgerError(f"{shown}: a PostgreSQL case URL needs ?case=NAME (which case)")
    if not _NAME.match(case):
        raise LedgerError(
            f"{display}: the case name must be 1-50 lower-case letters, digits or '_'"
        )
    conninfo = urlunsplit(
        (parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment)
    )
    return CaseURL(conninfo=conninfo, case=case, schema=f"rnb_{case}", display=display)
