"""Verifying the ledger's tables: each row says what the event that recorded it says.

Every table that holds evidence is listed in :data:`_TABLES` with the event that records
its rows; ``verify`` names the table, the row and the field that differ, a row no event
recorded, and a recorded row that is gone. Long or binary columns (an analysis's
intelligence text, a heatmap's bytes) are held by the SHA-256 the event recorded.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from resemble_nb.ledger import Event
from resemble_nb.ledger._events import field_digest

from ._read import Facts, compare, facts_of
from ._result import Verification

__all__ = ["check_tables"]


def _one(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda facts: facts.get(name)


def _path_key(facts: dict[str, Any]) -> Any:
    return f"{facts.get('sha256')}|{facts.get('path')}"


@dataclass(frozen=True)
class _Table:
    """How one ledger table is held to the chain: which events record its rows, and what."""

    area: str  # the table, as verify names it
    kind: str  # the event kind that records a row
    key: str  # the row's key column (as the SELECT names it)
    select: str  # SELECT <key>, sha256, <fields>... FROM <table>
    fields: tuple[str, ...]  # compared with the event's facts of the same name
    what: str  # how rows are counted: "result", "decision"...
    label: str  # how a row is named: a format of {key} and {name}
    gone: str  # what a removed row's event says: a format of {key}, {name}, {seq}, facts
    fact_key: Callable[[dict[str, Any]], Any] | None = None  # the key in the facts
    subject: bool = True  # the row's sha256 must be the event's subject
    removable: bool = False  # rows may leave (only what is there is checked)


_TABLES = (
    _Table("items", "item_added", "sha256",
           "SELECT sha256, size, media_type, mime FROM items",
           ("size", "media_type", "mime"), "item", "item {name}",
           "item {name} recorded in event {seq} was removed from the ledger"),
    _Table("item_paths", "file_seen", "path_key",
           "SELECT sha256 || '|' || path AS path_key, sha256, path, in_case, name "
           "FROM item_paths", ("path", "in_case", "name"), "file path",
           "the path of {name} ({key})",
           "the path {path} of {name} recorded in event {seq} was removed from the ledger",
           fact_key=_path_key),
    _Table("results", "result_stored", "job_id",
           "SELECT job_id, sha256, detect_uuid, label, score, raw_json FROM results",
           ("detect_uuid", "label", "score"), "result", "result of {name} (job {key})",
           "the result of job {key} recorded in event {seq} was removed from the ledger"),
    _Table("analyses", "analysis_stored", "job_id",
           "SELECT job_id, sha256, intelligence_status, watermark_status, source_tracing, "
           "c2pa, reverse_hits, heatmap FROM analyses",
           ("intelligence_status", "watermark_status", "source_tracing", "c2pa",
            "reverse_hits", "heatmap"), "analysis", "analysis of {name} (job {key})",
           "the analysis of job {key} recorded in event {seq} was removed from the ledger"),
    _Table("decisions", "decision", "decision_id",
           "SELECT id AS decision_id, sha256, verdict, note, reviewer, decided_at "
           "FROM decisions", ("verdict", "note", "reviewer", "decided_at"), "decision",
           "decision {key} about {name}",
           "decision {key} ({verdict} about {name}, by {reviewer}) recorded in event {seq} "
           "was deleted from the ledger"),
    _Table("truth_labels", "truth_label", "label_id",
           "SELECT id AS label_id, sha256, truth, source, imported_by FROM truth_labels",
           ("truth", "source", "imported_by"), "label", "label {key} of {name}",
           "label {key} ({truth} for {name}) recorded in event {seq} was removed"),
    _Table("thresholds", "threshold_chosen", "threshold_id",
           "SELECT id AS threshold_id, '' AS sha256, threshold, method, evidence_json AS "
           "evidence, note, chosen_by FROM thresholds",
           ("threshold", "method", "evidence", "note", "chosen_by"), "threshold",
           "threshold {key}",
           "threshold {key} ({threshold}, by {chosen_by}) recorded in event {seq} was removed"),
    _Table("exhibits", "exhibit_made", "exhibit_id",
           "SELECT id AS exhibit_id, source_sha256 AS sha256, sha256 AS exhibit_sha256, "
           "source_sha256, kind, path, start_s, end_s, size, tool FROM exhibits",
           ("source_sha256", "kind", "path", "start_s", "end_s", "size", "tool"), "exhibit",
           "exhibit {key} (cut from {name})",
           "exhibit {key} (cut from {name}) recorded in event {seq} was removed"),
    _Table("questions", "question_asked", "question_id",
           "SELECT id AS question_id, sha256, detect_uuid, query, asker FROM questions",
           ("detect_uuid", "query", "asker"), "question", "question {key} about {name}",
           "question {key} about {name} recorded in event {seq} was removed"),
    _Table("answers", "question_answered", "question_id",
           "SELECT id AS question_id, sha256, question_uuid, status, answer, error "
           "FROM questions WHERE status IN ('completed', 'failed')",
           ("question_uuid", "status", "answer", "error"), "answer",
           "the answer to question {key} about {name}",
           "the answer to question {key} about {name} recorded in event {seq} was removed"),
    _Table("feedback", "feedback_sent", "feedback_id",
           "SELECT id AS feedback_id, sha256, detect_uuid, decision_id, verdict, type, "
           "comment, outcome, error FROM feedback",
           ("detect_uuid", "decision_id", "verdict", "type", "comment", "outcome", "error"),
           "feedback", "feedback {key} about {name}",
           "feedback {key} about {name} recorded in event {seq} was removed"),
    _Table("signers", "signer_added", "fingerprint",
           "SELECT fingerprint, '' AS sha256, reviewer, public_key FROM signers",
           ("reviewer", "public_key"), "signer", "signer {key}",
           "signer {key} ({reviewer}) recorded in event {seq} was removed"),
    _Table("meta", "case_meta", "key", "SELECT key, '' AS sha256, value FROM meta",
           ("value",), "case fact", "the case's {key}",
           "the case's {key} recorded in event {seq} was removed"),
)  # fmt: skip
"""Add a table here to hold it to the chain (its rows are then checked by ``verify``)."""


def _recorded(events: list[Event], spec: _Table) -> dict[Any, tuple[Event, dict[str, Any]]]:
    key = spec.fact_key or _one(spec.key)
    found: dict[Any, tuple[Event, dict[str, Any]]] = {}
    for event in events:
        if event.kind == spec.kind:
            facts = facts_of(event)
            found[key(facts)] = (event, facts)
    return found


def _digests(
    conn: sqlite3.Connection, spec: _Table, key: Any, facts: dict[str, Any], label: str,
    where: str, out: Verification,
) -> int:  # fmt: skip
    """An analysis's long columns and its artifacts, against the digests its event kept."""
    if spec.kind != "analysis_stored":
        return 0
    bad = 0
    digests = facts.get("digests") or {}
    if digests:
        columns = ", ".join(f'"{c}"' for c in digests)
        row = conn.execute(f"SELECT {columns} FROM analyses WHERE job_id = ?", (key,)).fetchone()
        for column, recorded in digests.items():
            if row is not None and field_digest(row[column]) != recorded:
                out.fail(spec.area, f"{label}: {column} changed since it was recorded", where)
                bad += 1
    artifacts = facts.get("artifacts")
    if artifacts is not None:
        now = {
            str(r[0]): {"mime": r[1], "sha256": field_digest(r[2])}
            for r in conn.execute("SELECT name, mime, data FROM artifacts WHERE job_id = ?", (key,))
        }
        for name in sorted(set(now) | set(artifacts)):
            if now.get(name) != artifacts.get(name):
                change = (
                    "was added"
                    if name not in artifacts
                    else ("was removed" if name not in now else "changed (its bytes or type)")
                )
                out.fail("artifacts", f"{label}: artifact {name!r} {change} since it was "
                         "recorded", f"artifacts.job_id={key}, name={name}")  # fmt: skip
                bad += 1
    return bad


def _check_table(
    conn: sqlite3.Connection, spec: _Table, events: list[Event], out: Verification,
    name: Callable[[Any], str],
) -> None:  # fmt: skip
    recorded = _recorded(events, spec)
    try:
        rows = {r[spec.key]: dict(r) for r in conn.execute(spec.select)}
    except sqlite3.OperationalError as exc:  # a table missing: dropped with the shell
        out.fail(spec.area, f"the {spec.area} table cannot be read ({exc})", spec.area)
        return
    bad = 0
    for key, row in rows.items():
        label = spec.label.format(key=key, name=name(row["sha256"]))
        where = f"{spec.area}.{spec.key}={str(key)[:40]}"
        if key not in recorded:
            out.fail(spec.area, f"{label} is not in the chain (added outside resemble_nb)",
                     where)  # fmt: skip
            bad += 1
            continue
        event, facts = recorded[key]
        where = f"{where}, event {event.seq}"
        bad += not compare(out, spec.area, label, row, facts, spec.fields, where)
        if spec.subject and row["sha256"] and row["sha256"] != event.subject:
            out.fail(spec.area, f"{label}: it is now about {name(row['sha256'])} but was "
                     f"recorded about {name(event.subject)}", where)  # fmt: skip
            bad += 1
        raw = row.get("raw_json")
        if (
            raw is not None
            and "raw_sha256" in facts
            and facts["raw_sha256"] != field_digest_text(raw)
        ):
            out.fail(spec.area, f"{label}: the stored answer (raw_json) changed since it was "
                     "recorded", where)  # fmt: skip
            bad += 1
        bad += _digests(conn, spec, key, facts, label, where, out)
    for key, (event, facts) in recorded.items():
        if key not in rows and not spec.removable:
            text = spec.gone.format_map(
                Facts({**facts, "key": key, "name": name(event.subject), "seq": event.seq})
            )
            out.fail(spec.area, text, f"event {event.seq}")
            bad += 1
    if not bad and rows:
        out.add(spec.area, True, f"{len(rows)} {spec.what}(s) match the chain")


def field_digest_text(raw: Any) -> str:
    """A stored answer's digest as the chain records it (the text's UTF-8 bytes)."""
    return hashlib.sha256(str(raw).encode("utf-8")).hexdigest()


def check_tables(
    conn: sqlite3.Connection, events: list[Event], out: Verification, name: Callable[[Any], str]
) -> None:
    """The ledger's rows say what the chain recorded, and nothing was removed."""
    for spec in _TABLES:
        _check_table(conn, spec, events, out, name)
