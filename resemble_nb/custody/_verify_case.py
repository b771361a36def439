"""Verifying a case: the chain, the signatures, the tables against the chain, the media.

Reads the ledger file read-only with plain SQL (never through the code that wrote it), so
a verification never changes what it checks.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resemble_nb.ledger import GENESIS, Event, event_hash
from resemble_nb.media.probe import sha256_file

from ._keys import fingerprint, short, verify_signature
from ._result import Verification
from ._sign import signing_message

__all__ = ["open_read_only", "verify_case"]


def open_read_only(path: Path) -> sqlite3.Connection:
    """The ledger opened read-only (a verification never writes).

    With no ``-wal`` file beside it (no writer has it open), it is opened as immutable, so
    not even SQLite's shared-memory file is made; otherwise read-only, reading the WAL.
    """
    wal = path.with_name(path.name + "-wal")
    flags = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def _events(conn: sqlite3.Connection) -> list[Event]:
    rows = conn.execute(
        "SELECT seq, kind, subject, at, payload, reconstructed, prev, hash FROM events ORDER BY seq"
    )
    return [Event(int(r[0]), r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7]) for r in rows]


def _facts(event: Event) -> dict[str, Any]:
    try:
        return event.facts
    except ValueError:
        return {}


def check_chain(events: list[Event], out: Verification) -> bool:
    """Every event follows the one before and still has the hash it was sealed with."""
    problems = 0
    prev = GENESIS
    expected_seq = events[0].seq if events else 1
    for event in events:
        where = f"event {event.seq} ({event.kind})"
        if event.seq != expected_seq:
            out.fail("chain", f"events {expected_seq}..{event.seq - 1} are missing", where)
            problems += 1
        expected_seq = event.seq + 1
        if event.hash is None:
            out.fail("chain", "was written outside resemble_nb: it was never sealed", where)
            problems += 1
            continue
        if event.prev != prev:
            out.fail(
                "chain",
                "does not follow the event before it (removed, moved or inserted events)",
                where,
            )
            problems += 1
        recomputed = event_hash(
            event.seq,
            event.prev or "",
            event.kind,
            event.subject,
            event.at,
            event.payload,
            event.reconstructed,
        )
        if recomputed != event.hash:
            out.fail(
                "chain", "was changed after it was recorded (its hash no longer matches)", where
            )
            problems += 1
        prev = event.hash
    if not events:
        out.fail("chain", "the case has no custody events")
        return False
    if not problems:
        head = events[-1]
        rebuilt = sum(e.reconstructed for e in events)
        note = f"; {rebuilt} reconstructed from an older ledger" if rebuilt else ""
        out.add(
            "chain",
            True,
            f"{len(events)} events, each follows the one before{note}; head {head.seq} {head.hash}",
        )
    return problems == 0


def check_signatures(
    conn: sqlite3.Connection, events: list[Event], out: Verification, trust: set[str] | None
) -> None:
    by_seq = {e.seq: e for e in events}
    signers = {
        r["fingerprint"]: (r["reviewer"], r["public_key"])
        for r in conn.execute("SELECT fingerprint, reviewer, public_key FROM signers")
    }
    out.signers = [(who, fp) for fp, (who, _key) in signers.items()]
    for fp, (who, key) in signers.items():
        if fingerprint(key) != fp:
            out.fail(
                "signers",
                f"the public key recorded for {who} does not have the "
                f"fingerprint it is filed under",
                f"signer {short(fp)}",
            )
    good, signed = 0, set()
    for row in conn.execute("SELECT seq, fingerprint, signature FROM signatures ORDER BY seq"):
        seq, fp = int(row["seq"]), str(row["fingerprint"])
        where = f"event {seq}"
        if fp not in signers:
            out.fail(
                "signatures",
                f"signed by an unknown key {short(fp)} (not a signer of this case)",
                where,
            )
            continue
        who, key = signers[fp]
        if trust is not None and not any(fp.startswith(t) for t in trust):
            out.fail(
                "signatures",
                f"signed by {who} ({short(fp)}), a key you did not say you trust (--trust)",
                where,
            )
            continue
        event = by_seq.get(seq)
        if event is None or event.hash is None:
            out.fail(
                "signatures", f"{who}'s signature is over an event that is not in the chain", where
            )
            continue
        if not verify_signature(key, signing_message(event), str(row["signature"])):
            out.fail(
                "signatures",
                f"{who}'s signature does not match the event it is on "
                "(the chain before it changed, or the signature was forged)",
                where,
            )
            continue
        good += 1
        signed.add(seq)
    for event in events:
        if event.kind == "decision" and not event.reconstructed and event.seq not in signed:
            facts = _facts(event)
            out.fail(
                "signatures",
                f"decision {facts.get('decision_id')} "
                f"({facts.get('verdict')}, by {facts.get('reviewer')}) is not signed",
                f"event {event.seq}",
            )
    last = max(signed, default=0)
    after = sum(1 for e in events if e.seq > last)
    out.add(
        "signatures",
        True,
        f"{good} valid signature(s) by {len(signers)} signer(s); "
        f"{after} event(s) after the last signature are covered by the chain only",
    )


def _latest(
    events: Iterable[Event], kind: str, key: str
) -> dict[Any, tuple[Event, dict[str, Any]]]:
    found: dict[Any, tuple[Event, dict[str, Any]]] = {}
    for event in events:
        if event.kind == kind:
            facts = _facts(event)
            found[facts.get(key)] = (event, facts)
    return found


def _compare(
    out: Verification,
    area: str,
    label: str,
    row: dict[str, Any],
    facts: dict[str, Any],
    fields: Iterable[str],
    where: str,
) -> bool:
    same = True
    for name in fields:
        recorded, now = facts.get(name), row.get(name)
        if isinstance(recorded, float) or isinstance(now, float):
            equal = (
                recorded is not None
                and now is not None
                and abs(float(recorded) - float(now)) < 1e-12
            )
            equal = equal or (recorded is None and now is None)
        else:
            equal = recorded == now
        if not equal:
            out.fail(
                area,
                f"{label}: {name} is {now!r} in the ledger but was recorded as {recorded!r}",
                where,
            )
            same = False
    return same


class _Facts(dict[str, Any]):
    """An event's facts for a message: a fact the event lacks reads as ``?``."""

    def __missing__(self, key: str) -> str:
        return "?"


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
    recorded = _latest(events, spec.kind, spec.key)
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
        bad += not _compare(out, spec.area, label, row, facts, spec.fields, where)
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
                _Facts({**facts, "key": key, "name": name(event.subject), "seq": event.seq})
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


def check_media(conn: sqlite3.Connection, folder: Path, out: Verification) -> None:
    """Re-hash every media file still present; it must be the content first seen."""
    checked = missing = 0
    bad = 0
    for row in conn.execute("SELECT sha256, path, in_case FROM item_paths ORDER BY rowid"):
        path = folder / row["path"] if row["in_case"] else Path(row["path"])
        if not path.is_file():
            missing += 1
            continue
        try:
            digest = sha256_file(path)
        except OSError as exc:
            out.fail("media", f"{path} could not be read ({exc.strerror or exc})", str(path))
            bad += 1
            continue
        checked += 1
        if digest != row["sha256"]:
            out.fail(
                "media",
                f"{path.name} changed since it was reviewed: its SHA-256 is now "
                f"{digest[:16]}…, recorded {row['sha256'][:16]}…",
                str(path),
            )
            bad += 1
    if not bad:
        note = f"; {missing} path(s) not present here (not checked)" if missing else ""
        out.add("media", True, f"{checked} media file(s) re-hashed, each as recorded{note}")


def check_exhibits(
    conn: sqlite3.Connection, folder: Path, out: Verification, events: list[Event]
) -> None:
    recorded = _latest(events, "exhibit_made", "exhibit_id")
    bad = 0
    rows = list(conn.execute("SELECT id, sha256, path FROM exhibits ORDER BY id"))
    for row in rows:
        where = f"exhibit {row['id']}"
        if row["id"] not in recorded:
            out.fail("exhibits", f"exhibit {row['id']} is not in the chain", where)
            bad += 1
            continue
        _event, facts = recorded[row["id"]]
        if facts.get("sha256") != row["sha256"]:
            out.fail("exhibits", f"exhibit {row['id']}'s recorded hash was changed", where)
            bad += 1
        path = Path(row["path"]) if os.path.isabs(row["path"]) else folder / row["path"]
        if path.is_file() and sha256_file(path) != row["sha256"]:
            out.fail("exhibits", f"{path.name} was replaced or changed after it was cut", str(path))
            bad += 1
    if rows and not bad:
        out.add("exhibits", True, f"{len(rows)} exhibit(s) as cut")


def verify_case(
    ledger_path: Path, *, trust: Iterable[str] | None = None, media: bool = True
) -> Verification:
    """Check a case folder (or its ``case.db``) and return every finding."""
    from ._verify_provenance import check_provenance  # it builds on this module's helpers

    out = Verification(str(ledger_path.parent))
    try:
        conn = open_read_only(ledger_path)
        events = _events(conn)
    except sqlite3.DatabaseError as exc:
        out.fail(
            "ledger",
            f"{ledger_path} cannot be read as a case ledger with a custody chain ({exc})",
            str(ledger_path),
        )
        return out
    try:
        check_chain(events, out)
        check_signatures(conn, events, out, None if trust is None else set(trust))
        check_tables(conn, events, out)
        check_provenance(conn, events, out)
        check_exhibits(conn, ledger_path.parent, out, events)
        if media:
            check_media(conn, ledger_path.parent, out)
    finally:
        conn.close()
    return out


def chain_head_of(ledger_path: Path) -> dict[str, Any]:
    """``{"seq", "hash"}`` of a ledger's newest event (read-only)."""
    conn = open_read_only(ledger_path)
    try:
        row = conn.execute(
            "SELECT seq, hash FROM events WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return {"seq": int(row[0]), "hash": str(row[1])} if row else {}
