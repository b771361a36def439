"""A throw-away PostgreSQL server for the session, and a new case on it per test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from _postgres import find_binaries, throwaway_server

_names = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The server's URL; the tests that need it skip loudly where none can be started."""
    pytest.importorskip("psycopg", reason="the postgresql extra (psycopg) is not installed")
    binaries = find_binaries()
    if binaries is None:
        pytest.skip(
            "NO POSTGRESQL: initdb/pg_ctl not found (apt-get install postgresql, as .ci/run "
            "does); the PostgreSQL case store is NOT tested here"
        )
    with throwaway_server(binaries) as url:
        yield url


@pytest.fixture
def pg_case(pg_server: str, request: pytest.FixtureRequest) -> str:
    """A URL naming a case no other test uses."""
    return f"{pg_server}?case=t{next(_names)}_{abs(hash(request.node.nodeid)) % 10_000}"
