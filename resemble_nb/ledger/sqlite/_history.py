"""An older ledger gains the chain: its rows become the first events, marked reconstructed.

The order is by table, then by the time each table recorded (the tables never kept one
order across them); every event is sealed like any other (see :mod:`._chain`).
"""

from __future__ import annotations

import sqlite3

from ._chain import seal

__all__ = ["reconstruct_history"]

_HISTORY: tuple[tuple[str, str], ...] = (
    # (kind, SELECT subject, at, json payload FROM ...) in the order they happened per table
    (
        "item_added",
        "SELECT sha256, first_seen, json_object('sha256', sha256, 'size', size, 'media_type', "
        "media_type, 'mime', mime, 'duration', duration) FROM items ORDER BY rowid",
    ),
    (
        "file_seen",
        "SELECT p.sha256, p.first_seen, json_object('sha256', p.sha256, 'path', p.path, "
        "'in_case', p.in_case, 'name', p.name, 'size', i.size) "
        "FROM item_paths p JOIN items i USING (sha256) ORDER BY p.rowid",
    ),
    (
        "file_skipped",
        "SELECT COALESCE(sha256, ''), seen_at, json_object('path', path, 'in_case', in_case, "
        "'sha256', sha256, 'size', size, 'problem', problem, 'reason', reason) "
        "FROM skipped_files ORDER BY rowid",
    ),
    (
        "job_created",
        "SELECT sha256, created_at, json_object('job_id', id, 'options_key', options_key, "
        "'options', options_json, 'strategy', strategy, 'source', source) FROM jobs ORDER BY id",
    ),
    (
        "job_state",
        # a ledger from before the chain never kept request ids (the jobs table gains
        # them later): the reconstructed state says so with the live payload's keys
        "SELECT sha256, updated_at, json_object('job_id', id, 'from', NULL, 'to', state, "
        "'detect_uuid', detect_uuid, 'batch_uuid', batch_uuid, 'submit_name', submit_name, "
        "'attempts', attempts, 'error', error, 'request_id', NULL, "
        "'upload_request_id', NULL) FROM jobs ORDER BY id",
    ),
    (
        "result_stored",
        "SELECT sha256, COALESCE(completed_at, ''), json_object('job_id', job_id, "
        "'detect_uuid', detect_uuid, 'label', label, 'score', score, 'completed_at', "
        "completed_at) FROM results ORDER BY job_id",
    ),
    (
        "decision",
        "SELECT sha256, decided_at, json_object('decision_id', id, 'verdict', verdict, "
        "'note', note, 'reviewer', reviewer, 'decided_at', decided_at) "
        "FROM decisions ORDER BY id",
    ),
    (
        "question_asked",
        "SELECT sha256, asked_at, json_object('question_id', id, 'detect_uuid', detect_uuid, "
        "'query', query, 'asker', asker, 'status', status) FROM questions ORDER BY id",
    ),
    (
        "feedback_sent",
        "SELECT sha256, sent_at, json_object('feedback_id', id, 'detect_uuid', detect_uuid, "
        "'decision_id', decision_id, 'verdict', verdict, 'type', type, 'comment', comment, "
        "'outcome', outcome, 'error', error) FROM feedback ORDER BY id",
    ),
    (
        "truth_label",
        "SELECT sha256, imported_at, json_object('label_id', id, 'truth', truth, 'source', "
        "source, 'imported_by', imported_by) FROM truth_labels ORDER BY id",
    ),
    (
        "threshold_chosen",
        "SELECT '', chosen_at, json_object('threshold_id', id, 'threshold', threshold, "
        "'method', method, 'evidence', evidence_json, 'note', note, 'chosen_by', chosen_by) "
        "FROM thresholds ORDER BY id",
    ),
    (
        "provenance_read",
        "SELECT sha256, read_at, json_object('provenance_id', id, 'sha256', sha256, 'state', "
        "state, 'reason', reason, 'claim_generator', claim_generator, 'title', title, "
        "'signer', signer, 'signed_at', signed_at, 'summary', summary, 'tool', tool) "
        "FROM provenance ORDER BY id",
    ),
)


def reconstruct_history(conn: sqlite3.Connection, created_at: str) -> int:
    """Turn an older ledger's rows into the first events, marked as reconstructed."""
    conn.execute(
        "INSERT INTO events (kind, subject, at, payload, reconstructed) "
        "VALUES ('case_created', '', ?, json_object('reconstructed', 1), 1)",
        (created_at,),
    )
    count = 1
    for kind, select in _HISTORY:
        try:
            rows = conn.execute(select).fetchall()
        except sqlite3.OperationalError as exc:  # a table a later migration adds
            if "no such table" not in str(exc):
                raise
            continue
        conn.executemany(
            "INSERT INTO events (kind, subject, at, payload, reconstructed) VALUES (?, ?, ?, ?, 1)",
            [(kind, row[0], row[1], row[2]) for row in rows],
        )
        count += len(rows)
    seal(conn)
    return count
