"""Schema versions: fresh files, migrations forward, newer files refused, foreign files refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from resemble_nb.ledger import (
    MIGRATIONS,
    Ledger,
    LedgerError,
    LedgerVersionError,
    NotALedgerError,
    latest_version,
)
from resemble_nb.ledger.sqlite._schema import migrate

from .conftest import make_item


def _version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def test_a_new_file_gets_the_latest_schema_in_wal_mode(case: Path) -> None:
    path = case / "ledger.sqlite"
    with Ledger(path) as ledger:
        assert ledger.schema_version == latest_version()
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        conn.close()
    expected = "meta items item_paths skipped_files jobs results segment_blocks decisions"
    assert set(expected.split()) <= tables
    assert _version(path) == latest_version()


def test_foreign_keys_are_enforced(ledger: Ledger) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        ledger._conn().execute(
            "INSERT INTO item_paths (sha256, path, name, first_seen, seen_at) "
            "VALUES (?, '/x', 'x', '', '')",
            ("a" * 64,),
        )


def _next(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE decisions ADD COLUMN team TEXT NOT NULL DEFAULT ''")


def test_an_older_file_is_migrated_when_opened(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = case / "ledger.sqlite"
    latest = latest_version()
    with Ledger(path) as ledger:  # a file of today's version with data in it
        item = make_item(1)
        ledger.add_items([item])
        ledger.decide(item.sha256, "inconclusive", "before the upgrade")
    monkeypatch.setitem(MIGRATIONS, latest + 1, _next)  # this resemble_nb now writes one more
    with Ledger(path) as ledger:
        assert ledger.schema_version == latest + 1
        assert [d.note for d in ledger.decisions()] == ["before the upgrade"]
        teams = ledger._conn().execute("SELECT team FROM decisions").fetchall()
        assert teams == [("",)]
    assert _version(path) == latest + 1


def test_a_failed_migration_leaves_the_file_as_it_was(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = case / "ledger.sqlite"
    Ledger(path).close()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE items ADD COLUMN width INTEGER")
        conn.execute("THIS IS NOT SQL")

    latest = latest_version()
    monkeypatch.setitem(MIGRATIONS, latest + 1, broken)
    with pytest.raises(
        LedgerError, match=rf"version {latest + 1} failed .*left at version {latest}"
    ):
        Ledger(path)
    monkeypatch.delitem(MIGRATIONS, latest + 1)
    assert _version(path) == latest
    with Ledger(path) as ledger:  # still a good ledger, without the half-made column
        columns = [r[1] for r in ledger._conn().execute("PRAGMA table_info(items)")]
        assert "width" not in columns


def test_a_newer_file_is_refused_untouched(case: Path) -> None:
    path = case / "ledger.sqlite"
    Ledger(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(LedgerVersionError) as caught:
        Ledger(path)
    message = str(caught.value)
    assert str(path) in message and f"version {latest_version() + 1}" in message
    assert f"up to {latest_version()}" in message
    assert "Upgrade resemble_nb" in message
    assert path.read_bytes() == before


def test_a_text_file_is_not_a_ledger(case: Path) -> None:
    path = case / "ledger.sqlite"
    path.write_text("hello, not a database at all" * 100)
    with pytest.raises(NotALedgerError, match=str(path)):
        Ledger(path)


def test_someone_elses_sqlite_file_is_not_a_ledger(case: Path) -> None:
    path = case / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.close()
    with pytest.raises(NotALedgerError, match="customers"):
        Ledger(path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    with pytest.raises(NotALedgerError, match="not a resemble_nb case ledger"):
        Ledger(path)


def test_a_folder_or_missing_case_folder_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="is a folder"):
        Ledger(tmp_path)
    with pytest.raises(LedgerError, match="case folder does not exist"):
        Ledger(tmp_path / "nope" / "ledger.sqlite")


def test_a_version_1_file_gains_analyses_and_leases(case: Path) -> None:
    """A case made before analyses and leases existed opens, keeps its rows, and gains both."""
    path = case / "ledger.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    migrate(conn, path, {1: MIGRATIONS[1]})
    conn.close()
    assert _version(path) == 1
    with Ledger(path) as ledger:
        assert ledger.schema_version == latest_version()
        tables = {r[0] for r in ledger._conn().execute("SELECT name FROM sqlite_master")}
        columns = {r[1] for r in ledger._conn().execute("PRAGMA table_info(results)")}
    assert "leases" in tables and "analyses_json" in columns


def test_a_version_1_file_gains_the_analysis_tables(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = case / "ledger.sqlite"
    with monkeypatch.context() as m:
        for version in [v for v in MIGRATIONS if v > 1]:
            m.delitem(MIGRATIONS, version)
        with Ledger(path) as ledger:
            item = make_item(1)
            ledger.add_items([item])
            ledger.decide(item.sha256, "confirmed_fake", "kept")
        assert _version(path) == 1
    with Ledger(path) as ledger:
        assert ledger.schema_version == latest_version()
        assert [d.note for d in ledger.decisions()] == ["kept"]
        assert ledger.questions() == [] and ledger.feedback_log() == []
        rows = ledger.results_rows()
        assert rows.rows[0][rows.columns.index("intelligence")] is None
        tables = {r[0] for r in ledger._conn().execute("SELECT name FROM sqlite_master")}
        assert {"analyses", "artifacts", "questions", "feedback"} <= tables
