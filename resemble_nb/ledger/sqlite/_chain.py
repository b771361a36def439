"""The chain in SQLite: the events table, the triggers that append to it, and sealing.

Triggers written in plain SQL append an ``events`` row for each change to a watched table,
inside the same transaction as the change; :func:`seal`, called by the store's write
transaction before it commits (under SQLite's write lock, ``BEGIN IMMEDIATE``), gives every
new event the hash of the one before and its own (see :mod:`resemble_nb.ledger._events`).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .._events import DECISION_ID_SQL, canonical, event_hash, field_digest, unsealed

__all__ = [
    "DECISION_EVENT_INDEX",
    "EVENTS_SQL",
    "append_only",
    "event_triggers",
    "replace_event_triggers",
    "seal",
]

_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


def append_only(
    table: str, reason: str, *, ops: tuple[str, ...] = ("UPDATE", "DELETE")
) -> list[str]:
    """Triggers that make ``table`` append-only: each of ``ops`` is refused with ``reason``."""
    return [
        f"CREATE TRIGGER {table}_append_only_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{reason}'); END"
        for op in ops
    ]


EVENTS_SQL: tuple[str, ...] = (
    """CREATE TABLE events (
        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
        kind          TEXT NOT NULL,
        subject       TEXT NOT NULL DEFAULT '',
        at            TEXT NOT NULL,
        payload       TEXT NOT NULL,
        reconstructed INTEGER NOT NULL DEFAULT 0 CHECK (reconstructed IN (0, 1)),
        prev          TEXT,
        hash          TEXT
    )""",
    "CREATE INDEX events_subject ON events(subject, seq)",
    """CREATE TRIGGER events_sealed_stay BEFORE UPDATE ON events WHEN OLD.hash IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'events are append-only: a sealed event cannot change'); END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only: an event cannot be removed'); END""",
    # reviewers' public keys, and signatures over event hashes (see resemble_nb.custody)
    """CREATE TABLE signers (
        fingerprint TEXT PRIMARY KEY,
        reviewer    TEXT NOT NULL,
        public_key  TEXT NOT NULL,
        added_at    TEXT NOT NULL
    )""",
    """CREATE TABLE signatures (
        seq         INTEGER NOT NULL REFERENCES events(seq),
        fingerprint TEXT NOT NULL,
        signature   TEXT NOT NULL,
        signed_at   TEXT NOT NULL,
        PRIMARY KEY (seq, fingerprint)
    )""",
    *append_only("signatures", "signatures are append-only"),
    *append_only("signers", "signers are append-only"),
    # exhibits: clips and stills cut from an item, with their lineage
    """CREATE TABLE exhibits (
        id            INTEGER PRIMARY KEY,
        sha256        TEXT NOT NULL,
        source_sha256 TEXT NOT NULL REFERENCES items(sha256),
        kind          TEXT NOT NULL CHECK (kind IN ('clip','still')),
        path          TEXT NOT NULL,
        start_s       REAL,
        end_s         REAL,
        size          INTEGER NOT NULL,
        tool          TEXT NOT NULL,
        created_at    TEXT NOT NULL
    )""",
    *append_only("exhibits", "exhibits are append-only: cut a new one", ops=("UPDATE",)),
)


@dataclass(frozen=True)
class _Watch:
    """One trigger: on ``operation`` of ``table``, append an event of ``kind``."""

    name: str
    table: str
    operation: str  # "INSERT" or "UPDATE OF col, ..."
    kind: str
    subject: str  # SQL expression over NEW
    payload: Mapping[str, str]  # key -> SQL expression over NEW/OLD
    when: str = ""
    at: str = _NOW


_WATCHES: tuple[_Watch, ...] = (
    _Watch(
        "events_item_added", "items", "INSERT", "item_added", "NEW.sha256",
        {"sha256": "NEW.sha256", "size": "NEW.size", "media_type": "NEW.media_type",
         "mime": "NEW.mime", "duration": "NEW.duration"},
        at="NEW.first_seen",
    ),
    _Watch(
        "events_path_seen", "item_paths", "INSERT", "file_seen", "NEW.sha256",
        {"sha256": "NEW.sha256", "path": "NEW.path", "in_case": "NEW.in_case",
         "name": "NEW.name",
         "size": "(SELECT size FROM items WHERE sha256 = NEW.sha256)"},
        at="NEW.first_seen",
    ),
    _Watch(
        "events_file_skipped", "skipped_files", "INSERT", "file_skipped",
        "COALESCE(NEW.sha256, '')",
        {"path": "NEW.path", "in_case": "NEW.in_case", "sha256": "NEW.sha256",
         "size": "NEW.size", "problem": "NEW.problem", "reason": "NEW.reason"},
        at="NEW.seen_at",
    ),
    _Watch(
        "events_file_reskipped", "skipped_files", "UPDATE OF problem, reason, sha256",
        "file_skipped", "COALESCE(NEW.sha256, '')",
        {"path": "NEW.path", "in_case": "NEW.in_case", "sha256": "NEW.sha256",
         "size": "NEW.size", "problem": "NEW.problem", "reason": "NEW.reason"},
        when="OLD.problem IS NOT NEW.problem OR OLD.reason IS NOT NEW.reason "
        "OR OLD.sha256 IS NOT NEW.sha256",
        at="NEW.seen_at",
    ),
    _Watch(
        "events_job_created", "jobs", "INSERT", "job_created", "NEW.sha256",
        {"job_id": "NEW.id", "options_key": "NEW.options_key", "options": "NEW.options_json",
         "strategy": "NEW.strategy", "source": "NEW.source"},
        at="NEW.created_at",
    ),
    _Watch(
        "events_job_state", "jobs", "UPDATE OF state", "job_state", "NEW.sha256",
        {"job_id": "NEW.id", "from": "OLD.state", "to": "NEW.state",
         "detect_uuid": "NEW.detect_uuid", "batch_uuid": "NEW.batch_uuid",
         "submit_name": "NEW.submit_name", "attempts": "NEW.attempts", "error": "NEW.error",
         "request_id": "NEW.request_id", "upload_request_id": "NEW.upload_request_id"},
        when="OLD.state IS NOT NEW.state",
        at="NEW.updated_at",
    ),
    _Watch(
        "events_detect_assigned", "jobs", "UPDATE OF detect_uuid, batch_uuid",
        "detect_assigned", "NEW.sha256",
        {"job_id": "NEW.id", "detect_uuid": "NEW.detect_uuid", "batch_uuid": "NEW.batch_uuid",
         "request_id": "NEW.request_id"},
        when="(OLD.detect_uuid IS NOT NEW.detect_uuid OR OLD.batch_uuid IS NOT NEW.batch_uuid) "
        "AND OLD.state IS NEW.state",
        at="NEW.updated_at",
    ),
    _Watch(
        "events_result_stored", "results", "INSERT", "result_stored", "NEW.sha256",
        {"job_id": "NEW.job_id", "detect_uuid": "NEW.detect_uuid", "label": "NEW.label",
         "score": "NEW.score", "completed_at": "NEW.completed_at"},
        at="COALESCE(NEW.completed_at, " + _NOW + ")",
    ),
    _Watch(
        "events_decision", "decisions", "INSERT", "decision", "NEW.sha256",
        {"decision_id": "NEW.id", "verdict": "NEW.verdict", "note": "NEW.note",
         "reviewer": "NEW.reviewer", "decided_at": "NEW.decided_at"},
        at="NEW.decided_at",
    ),
    _Watch(
        "events_truth_label", "truth_labels", "INSERT", "truth_label", "NEW.sha256",
        {"label_id": "NEW.id", "truth": "NEW.truth", "source": "NEW.source",
         "imported_by": "NEW.imported_by"},
        at="NEW.imported_at",
    ),
    _Watch(
        "events_threshold_chosen", "thresholds", "INSERT", "threshold_chosen", "''",
        {"threshold_id": "NEW.id", "threshold": "NEW.threshold", "method": "NEW.method",
         "evidence": "NEW.evidence_json", "note": "NEW.note", "chosen_by": "NEW.chosen_by"},
        at="NEW.chosen_at",
    ),
    _Watch(
        "events_analysis_stored", "analyses", "INSERT", "analysis_stored", "NEW.sha256",
        {"job_id": "NEW.job_id", "intelligence_status": "NEW.intelligence_status",
         "watermark_status": "NEW.watermark_status", "source_tracing": "NEW.source_tracing",
         "c2pa": "NEW.c2pa", "reverse_hits": "NEW.reverse_hits", "heatmap": "NEW.heatmap"},
    ),
    _Watch(
        "events_question_asked", "questions", "INSERT", "question_asked", "NEW.sha256",
        {"question_id": "NEW.id", "detect_uuid": "NEW.detect_uuid", "query": "NEW.query",
         "asker": "NEW.asker", "status": "NEW.status"},
        at="NEW.asked_at",
    ),
    _Watch(
        "events_question_answered", "questions", "UPDATE OF status", "question_answered",
        "NEW.sha256",
        {"question_id": "NEW.id", "question_uuid": "NEW.question_uuid",
         "status": "NEW.status", "answer": "NEW.answer", "error": "NEW.error"},
        when="OLD.status IS NOT NEW.status AND NEW.status IN ('completed', 'failed')",
        at="NEW.updated_at",
    ),
    _Watch(
        "events_feedback_sent", "feedback", "INSERT", "feedback_sent", "NEW.sha256",
        {"feedback_id": "NEW.id", "detect_uuid": "NEW.detect_uuid",
         "decision_id": "NEW.decision_id", "verdict": "NEW.verdict", "type": "NEW.type",
         "comment": "NEW.comment", "outcome": "NEW.outcome", "error": "NEW.error",
         "reviewer": "(SELECT reviewer FROM decisions WHERE id = NEW.decision_id)"},
        at="NEW.sent_at",
    ),
    _Watch(
        "events_signer_added", "signers", "INSERT", "signer_added", "''",
        {"fingerprint": "NEW.fingerprint", "reviewer": "NEW.reviewer",
         "public_key": "NEW.public_key"},
        at="NEW.added_at",
    ),
    _Watch(
        "events_exhibit_made", "exhibits", "INSERT", "exhibit_made", "NEW.source_sha256",
        {"exhibit_id": "NEW.id", "sha256": "NEW.sha256", "source_sha256": "NEW.source_sha256",
         "kind": "NEW.kind", "path": "NEW.path", "start_s": "NEW.start_s", "end_s": "NEW.end_s",
         "size": "NEW.size", "tool": "NEW.tool"},
        at="NEW.created_at",
    ),
    _Watch(
        "events_meta_set", "meta", "INSERT", "case_meta", "''",
        {"key": "NEW.key", "value": "NEW.value"},
    ),
    _Watch(
        "events_meta_changed", "meta", "UPDATE OF value", "case_meta", "''",
        {"key": "NEW.key", "value": "NEW.value"}, when="OLD.value IS NOT NEW.value",
    ),
    _Watch(
        "events_provenance_read", "provenance", "INSERT", "provenance_read", "NEW.sha256",
        {"provenance_id": "NEW.id", "sha256": "NEW.sha256", "state": "NEW.state",
         "reason": "NEW.reason", "claim_generator": "NEW.claim_generator", "title": "NEW.title",
         "signer": "NEW.signer", "signed_at": "NEW.signed_at", "summary": "NEW.summary",
         "tool": "NEW.tool"},
        at="NEW.read_at",
    ),
)  # fmt: skip


def _trigger_sql(watch: _Watch) -> str:
    pairs = ", ".join(f"'{key}', {expr}" for key, expr in watch.payload.items())
    when = f" WHEN {watch.when}" if watch.when else ""
    return (
        f"CREATE TRIGGER {watch.name} AFTER {watch.operation} ON {watch.table}{when} BEGIN "
        "INSERT INTO events (kind, subject, at, payload) VALUES "
        f"('{watch.kind}', {watch.subject}, {watch.at}, json_object({pairs})); END"
    )


def event_triggers(tables: Iterable[str] | None = None) -> list[str]:
    """``CREATE TRIGGER`` statements for the watched tables (all, or those named).

    The chain's own migration creates them for every table that exists then; a later
    migration that adds a watched table creates that table's triggers with
    ``event_triggers(["its_table"])``.
    """
    wanted = None if tables is None else set(tables)
    return [_trigger_sql(w) for w in _WATCHES if wanted is None or w.table in wanted]


def replace_event_triggers(tables: Iterable[str]) -> list[str]:
    """``DROP`` then ``CREATE TRIGGER`` statements that give the named tables today's
    triggers: for a migration that changes what a watched table's events record (the
    events already written keep their payloads)."""
    wanted = set(tables)
    drops = [f"DROP TRIGGER IF EXISTS {w.name}" for w in _WATCHES if w.table in wanted]
    return [*drops, *event_triggers(wanted)]


DECISION_EVENT_INDEX = (
    f"CREATE INDEX events_decision ON events({DECISION_ID_SQL}) WHERE kind = 'decision'"
)
"""A partial index: only decision events are in it (see the schema's migration 8)."""


# -- sealing ---------------------------------------------------------------------------------


def _raw_hash(conn: sqlite3.Connection, facts: dict[str, Any]) -> dict[str, Any]:
    row = conn.execute(
        "SELECT raw_json FROM results WHERE job_id = ?", (facts.get("job_id"),)
    ).fetchone()
    if row is not None:
        facts["raw_sha256"] = hashlib.sha256(str(row[0]).encode("utf-8")).hexdigest()
    return facts


ANALYSIS_DIGESTED = (
    "intelligence_status", "intelligence", "findings_json", "abnormalities", "transcription",
    "language", "source_tracing", "watermark_status", "watermark", "c2pa", "reverse_hits",
    "reverse_top", "reverse_json", "heatmap",
)  # fmt: skip
"""The analyses columns an ``analysis_stored`` event holds by digest (verify checks each)."""


def _analysis_digests(conn: sqlite3.Connection, facts: dict[str, Any]) -> dict[str, Any]:
    job = facts.get("job_id")
    row = conn.execute(
        f"SELECT {', '.join(ANALYSIS_DIGESTED)} FROM analyses WHERE job_id = ?", (job,)
    ).fetchone()
    if row is not None:
        facts["digests"] = {c: field_digest(v) for c, v in zip(ANALYSIS_DIGESTED, row, strict=True)}
    facts["artifacts"] = {
        str(name): {"mime": mime, "sha256": field_digest(data)}
        for name, mime, data in conn.execute(
            "SELECT name, mime, data FROM artifacts WHERE job_id = ? ORDER BY name", (job,)
        )
    }
    return facts


_COMPLETERS: dict[str, Callable[[sqlite3.Connection, dict[str, Any]], dict[str, Any]]] = {
    "result_stored": _raw_hash,
    "analysis_stored": _analysis_digests,
}
"""Facts a trigger cannot compute in SQL, added when the event is sealed."""


def seal(conn: sqlite3.Connection) -> int:
    """Hash every event not yet sealed, in order; return how many. Call inside a write."""
    try:
        prev, rows = unsealed(conn)
    except sqlite3.OperationalError:  # a ledger from before the chain, not migrated yet
        return 0
    plain, completed = [], []
    for seq, kind, subject, at, payload, reconstructed in rows:
        text = str(payload)  # SQLite's json_object(): compact, keys in the trigger's order
        complete = _COMPLETERS.get(kind)
        if complete is not None:
            text = canonical(complete(conn, json.loads(text)))
        digest = event_hash(seq, prev, kind, subject, at, text, bool(reconstructed))
        if complete is None:
            plain.append((prev, digest, seq))
        else:
            completed.append((text, prev, digest, seq))
        prev = digest
    conn.executemany("UPDATE events SET prev = ?, hash = ? WHERE seq = ?", plain)
    conn.executemany("UPDATE events SET payload = ?, prev = ?, hash = ? WHERE seq = ?", completed)
    return len(rows)
