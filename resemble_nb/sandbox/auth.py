"""API keys: ``Authorization: Bearer KEY`` and the legacy ``Token token=KEY``."""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from .state import Team

__all__ = ["key_from_header", "resolve_team"]


def key_from_header(value: str | None) -> str | None:
    """The key carried by an ``Authorization`` header, or ``None``.

    >>> key_from_header("Bearer abc")
    'abc'
    >>> key_from_header('Token token="abc"')
    'abc'
    >>> key_from_header("Basic abc") is None
    True
    """
    if not value:
        return None
    scheme, _, rest = value.strip().partition(" ")
    rest = rest.strip()
    scheme = scheme.lower()
    if scheme == "bearer":
        return rest or None
    if scheme == "token":
        if rest.lower().startswith("token="):
            rest = rest[len("token=") :].strip()
        rest = rest.strip('"')
        return rest or None
    return None


def resolve_team(header: str | None, teams: Iterable[Team]) -> Team | None:
    """The team whose key the header carries (constant-time comparison)."""
    key = key_from_header(header)
    if key is None:
        return None
    found = None
    for team in teams:
        if hmac.compare_digest(team.key.encode(), key.encode()):
            found = team
    return found
