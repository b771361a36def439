"""Moving a case between PostgreSQL and an ordinary SQLite case folder, row for row.

:func:`export_case` writes a SQLite case (for a bundle, a handover, an archive) that
``resemble-nb verify`` accepts: every table's rows in their order (``rowid`` kept), the
events as sealed (payload text, ``prev``, ``hash``) and the signatures, read in one
snapshot; the schema is SQLite's own, its triggers made after the rows are in.
:func:`import_case` goes the other way into a new PostgreSQL case. Nothing is re-sealed
or re-signed: the chain that arrives is the chain that left.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql as pgsql

from ..errors import LedgerError
from ..sqlite._migrations import APP_ID
from ..sqlite._schema import latest_version
from ._dialect import INTEGER_KEYS
from ._schema import _sqlite_schema, tables
from ._store import PgConnection, PostgreSQLStore, add_triggers, create

__all__ = ["export_case", "import_case"]


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def _keyed(table: str, columns: list[str], conn: sqlite3.Connection) -> bool:
    """Whether ``table``'s rowid is one of its columns (an integer primary key)."""
    return table in INTEGER_KEYS or any(
        row[5] == 1 and str(row[2]).upper() == "INTEGER"
        for row in conn.execute(f"PRAGMA table_info({table})")
    )


def export_case(url: str, ledger_file: str | os.PathLike[str]) -> int:
    """Write the PostgreSQL case ``url`` as the SQLite ledger ``ledger_file`` (which must
    not exist); return how many events it carries."""
    target = Path(ledger_file)
    if target.exists():
        raise LedgerError(f"{target}: already exists; export into a new case folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    store = PostgreSQLStore(url)
    out = sqlite3.connect(target, isolation_level=None)
    try:
        made, indexes, triggers = _sqlite_schema()
        out.execute("BEGIN")
        for _name, statement in made:
            out.execute(statement)
        with store.snapshot() as conn:
            for table in tables():
                names, rows = _rows(conn, table, out)
                marks = ", ".join("?" * len(names))
                out.executemany(
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})",
                    [tuple(_plain(v) for v in row) for row in rows],
                )
            events = int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])
        for statement in indexes:
            out.execute(statement)
        for _name, statement in triggers:
            out.execute(statement)
        out.execute(f"PRAGMA user_version = {int(store.schema_version)}")
        out.execute("COMMIT")
    except BaseException:
        out.close()
        target.unlink(missing_ok=True)
        raise
    finally:
        store.close()
    out.close()
    return events


def _rows(source: Any, table: str, layout: sqlite3.Connection) -> tuple[list[str], list[Any]]:
    """Every row of ``table`` in ``source``, in rowid order, with the column names read:
    those of ``table`` in the SQLite ``layout``, and its rowid when that is not one."""
    columns = _columns(layout, table)
    names = columns if _keyed(table, columns, layout) else ["rowid", *columns]
    rows = source.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY rowid").fetchall()
    return names, list(rows)


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def import_case(ledger_file: str | os.PathLike[str], url: str) -> int:
    """Copy the SQLite ledger ``ledger_file`` into the new PostgreSQL case ``url``;
    return how many events it carries. The case must not exist yet."""
    source = Path(ledger_file)
    if not source.is_file():
        raise LedgerError(f"{source}: no case ledger here")
    raw = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        version = int(raw.execute("PRAGMA user_version").fetchone()[0])
        marker = raw.execute("SELECT value FROM meta WHERE key = 'app'").fetchone()
        if marker is None or marker[0] != APP_ID:
            raise LedgerError(f"{source}: not a resemble_nb case ledger")
        if version != latest_version():
            raise LedgerError(
                f"{source}: schema version {version}, this resemble_nb writes "
                f"{latest_version()}; open the case once with this resemble_nb, then import"
            )
        return _load(raw, url)
    except sqlite3.Error as exc:
        raise LedgerError(f"{source}: cannot read the case ledger ({exc})") from None
    finally:
        raw.close()


def _load(source: sqlite3.Connection, url: str) -> int:
    from ._url import parse_case_url

    where = parse_case_url(url)
    pg = psycopg.connect(where.conninfo, autocommit=True, connect_timeout=10)
    try:
        with pg.transaction():
            schema = pgsql.Identifier(where.schema)
            lock = f"resemble_nb:{where.schema}"
            pg.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (lock,))
            exists = pg.execute(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s",
                (where.schema,),
            ).fetchone()
            if exists is not None:
                raise LedgerError(
                    f"{where.display}: this case already exists; import into a new one"
                )
            pg.execute(pgsql.SQL("CREATE SCHEMA {}").format(schema))
            pg.execute(pgsql.SQL("SET LOCAL search_path TO {}").format(schema))
            conn = PgConnection(pg)
            create(conn, first_events=False)
            for table in tables():
                names, rows = _rows(source, table, source)
                if not rows:
                    continue
                cur = pg.cursor()
                cur.executemany(
                    pgsql.SQL("INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE VALUES ({})").format(
                        pgsql.Identifier(table),
                        pgsql.SQL(", ").join(map(pgsql.Identifier, names)),
                        pgsql.SQL(", ").join(pgsql.Placeholder() * len(names)),
                    ),
                    rows,
                )
            for table in tables():  # identities continue after the imported rows
                for column in ("rowid", INTEGER_KEYS.get(table)):
                    if column is None:
                        continue
                    seq = pg.execute(
                        "SELECT pg_get_serial_sequence(%s, %s)", (table, column)
                    ).fetchone()
                    if seq and seq[0]:
                        pg.execute(
                            pgsql.SQL(
                                "SELECT setval(%s, "
                                "COALESCE((SELECT MAX({}) FROM {}), 0) + 1, false)"
                            ).format(pgsql.Identifier(column), pgsql.Identifier(table)),
                            (seq[0],),
                        )
            conn.depth += 1
            add_triggers(conn)
            counted = pg.execute("SELECT COUNT(*) FROM events").fetchone()
        return int(counted[0]) if counted else 0
    except psycopg.Error as exc:
        raise LedgerError(f"{where.display}: the import failed ({exc}); nothing was kept") from None
    finally:
        pg.close()
