"""Verifying the ledger's tables: each row says what the event that recorded it says."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from typing import Any

from resemble_nb.ledger import Event

from ._read import Facts, compare, latest
from ._result import Verification

__all__ = ["check_tables"]


@dataclass(frozen=True)
class _Table:
    """How one ledger table is held to the chain: which events record its rows, and what."""

    area: str
    kind: str  # the event kind that records a row
    key: str  # the row's key, as named in the event's facts
    select: str  # SELECT ... AS <key>, sha256, <fields>... FROM <table>
    fields: tuple[str, ...]
    what: str  # how rows are counted: "result", "decision"...
    label: str  # how a row is named: a format of {key} and {name}
    gone: str  # what a removed row's event says: a format of {key}, {name}, {seq}, facts


_TABLES = (
    _Table("results", "result_stored", "job_id",
           "SELECT job_id, sha256, detect_uuid, label, score, raw_json FROM results",
           ("detect_uuid", "label", "score"), "result", "result of {name} (job {key})",
           "the result of job {key} recorded in event {seq} was removed from the ledger"),
    _Table("decisions", "decision", "decision_id",
           "SELECT id AS decision_id, sha256, verdict, note, reviewer, decided_at "
           "FROM decisions", ("verdict", "note", "reviewer", "decided_at"), "decision",
           "decision {key} about {name}",
           "decision {key} ({verdict} about {name}, by {reviewer}) recorded in event {seq} "
           "was deleted from the ledger"),
    _Table("items", "item_added", "sha256", "SELECT sha256, size, media_type FROM items",
           ("size", "media_type"), "item", "item {name}",
           "item {name} recorded in event {seq} was removed from the ledger"),
)  # fmt: skip
"""Add a table here to hold it to the chain (its rows are then checked by ``verify``)."""


def _check_table(
    conn: sqlite3.Connection, spec: _Table, events: list[Event], out: Verification,
    name: Any,
) -> None:  # fmt: skip
    recorded = latest(events, spec.kind, spec.key)
    try:
        rows = {r[spec.key]: dict(r) for r in conn.execute(spec.select)}
    except sqlite3.OperationalError as exc:  # a table missing: dropped with the shell
        out.fail(spec.area, f"the {spec.area} table cannot be read ({exc})", spec.area)
        return
    bad = 0
    for key, row in rows.items():
        label = spec.label.format(key=key, name=name(row["sha256"]))
        where = f"{spec.area}.{spec.key}={str(key)[:12]}"
        if key not in recorded:
            out.fail(spec.area, f"{label} is not in the chain (added outside resemble_nb)",
                     where)  # fmt: skip
            bad += 1
            continue
        event, facts = recorded[key]
        where = f"{where}, event {event.seq}"
        bad += not compare(out, spec.area, label, row, facts, spec.fields, where)
        raw = row.get("raw_json")
        if (
            raw is not None
            and "raw_sha256" in facts
            and facts["raw_sha256"] != hashlib.sha256(str(raw).encode("utf-8")).hexdigest()
        ):
            out.fail(spec.area, f"{label}: the stored answer (raw_json) changed since it was "
                     "recorded", where)  # fmt: skip
            bad += 1
    for key, (event, facts) in recorded.items():
        if key not in rows:
            text = spec.gone.format_map(
                Facts({**facts, "key": key, "name": name(event.subject), "seq": event.seq})
            )
            out.fail(spec.area, text, f"event {event.seq}")
            bad += 1
    if not bad:
        out.add(spec.area, True, f"{len(rows)} {spec.what}(s) match the chain")


def check_tables(conn: sqlite3.Connection, events: list[Event], out: Verification) -> None:
    """The ledger's rows say what the chain recorded, and nothing was removed."""
    names = {
        r[0]: r[1]
        for r in conn.execute(
            "SELECT i.sha256, p.name FROM items i "
            "LEFT JOIN item_paths p ON p.rowid = i.first_path_id"
        )
    }

    def name(sha: Any) -> str:
        return str(names.get(sha) or str(sha)[:12])

    for spec in _TABLES:
        _check_table(conn, spec, events, out, name)
