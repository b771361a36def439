"""A PostgreSQL case that cannot be opened says why in one line, never with a password."""

from __future__ import annotations

import socket

import psycopg
import pytest

from resemble_nb.cli._main import main
from resemble_nb.ledger import Ledger, LedgerError, LedgerVersionError, NotALedgerError


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


def test_an_unreachable_server_is_one_line_without_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"postgresql://ana:s3cret-pw@127.0.0.1:{_closed_port()}/desk?case=acme"
    assert main(["results", "--case", url]) == 2
    err = capsys.readouterr().err
    assert "cannot reach the case's PostgreSQL server" in err and "case=acme" in err
    assert "s3cret-pw" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("tail", "words"),
    [("", r"needs \?case=NAME"), ("?case=Bad-Name", "lower-case letters")],
)
def test_a_bad_case_url_is_refused_in_words(tail: str, words: str) -> None:
    with pytest.raises(LedgerError, match=words):
        Ledger(f"postgresql://ana@127.0.0.1:1/desk{tail}")


def test_a_newer_case_and_a_foreign_schema_are_refused(pg_server: str, pg_case: str) -> None:
    Ledger(pg_case).close()
    name = pg_case.rsplit("case=", 1)[1]
    with psycopg.connect(pg_server, autocommit=True) as raw:
        raw.execute(f"UPDATE rnb_{name}.rnb_version SET version = 999")
        raw.execute("CREATE SCHEMA rnb_foreign")
        raw.execute("CREATE TABLE rnb_foreign.notes (x TEXT)")
    with pytest.raises(LedgerVersionError, match="version 999"):
        Ledger(pg_case)
    with psycopg.connect(pg_server, autocommit=True) as raw:
        raw.execute(f"UPDATE rnb_{name}.rnb_version SET version = 1")
    with pytest.raises(LedgerVersionError, match="cannot yet upgrade"):  # never half-upgraded
        Ledger(pg_case)
    with pytest.raises(NotALedgerError, match="not a resemble_nb case"):
        Ledger(f"{pg_server}?case=foreign")
