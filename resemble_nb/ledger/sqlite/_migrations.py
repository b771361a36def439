"""The ledger's migrations: ``MIGRATIONS[n]`` turns a version ``n - 1`` file into
version ``n`` (the tables of every layer of the ledger, in the order they were added).

How a version will be added (an example; not registered)::

    def _v8(conn: sqlite3.Connection) -> None:
        \"\"\"Decisions gain the reviewer's team.\"\"\"
        conn.execute("ALTER TABLE decisions ADD COLUMN team TEXT NOT NULL DEFAULT ''")

    MIGRATIONS[8] = _v8  # that is all: the latest version follows, older files migrate

Statements are executed one by one (never ``executescript``, which would commit midway).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable

from ..records import LIVE_STATES, STATES, VERDICTS
from ._chain import (
    DECISION_EVENT_INDEX,
    EVENTS_SQL,
    append_only,
    event_triggers,
    replace_event_triggers,
    seal,
)
from ._history import reconstruct_history
from ._migrations_signed import _v_meta_chained, _v_signing_required

__all__ = ["APP_ID", "MIGRATIONS", "Migration"]

Migration = Callable[[sqlite3.Connection], None]
APP_ID = "resemble_nb"


def _sql_list(values: Iterable[str]) -> str:
    """``'a','b'`` for a CHECK (... IN (...)) built from the one list of names."""
    return ",".join(f"'{value}'" for value in values)


# Built from records' lists, in their order, so the text is what v1 always wrote.
_STATES = _sql_list(STATES)
_LIVE = _sql_list(state for state in STATES if state in LIVE_STATES)
_VERDICTS = _sql_list(VERDICTS)

_V1 = [
    """CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE items (
        sha256     TEXT PRIMARY KEY
                   CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
        size       INTEGER NOT NULL CHECK (size >= 0),
        media_type TEXT NOT NULL CHECK (media_type IN ('audio','video','image')),
        mime       TEXT,
        extension  TEXT NOT NULL DEFAULT '',
        duration   REAL,
        first_seen TEXT NOT NULL,
        -- kept by the triggers below, so one-row-per-item reads need no per-item searches
        n_paths            INTEGER NOT NULL DEFAULT 0,
        first_path_id      INTEGER,
        latest_job_id      INTEGER,
        latest_decision_id INTEGER
    )""",
    # in_case = 1: path is relative to the case folder (uploads), so a copied case still works
    """CREATE TABLE item_paths (
        sha256     TEXT NOT NULL REFERENCES items(sha256),
        path       TEXT NOT NULL,
        in_case    INTEGER NOT NULL DEFAULT 0 CHECK (in_case IN (0, 1)),
        name       TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        seen_at    TEXT NOT NULL,
        PRIMARY KEY (sha256, path)
    )""",
    "CREATE INDEX item_paths_path ON item_paths(path)",
    """CREATE TABLE skipped_files (
        path    TEXT PRIMARY KEY,
        in_case INTEGER NOT NULL DEFAULT 0 CHECK (in_case IN (0, 1)),
        name    TEXT NOT NULL,
        sha256  TEXT,
        size    INTEGER,
        problem TEXT NOT NULL,
        reason  TEXT NOT NULL,
        seen_at TEXT NOT NULL
    )""",
    f"""CREATE TABLE jobs (
        id            INTEGER PRIMARY KEY,
        sha256        TEXT NOT NULL REFERENCES items(sha256),
        options_key   TEXT NOT NULL,
        options_json  TEXT NOT NULL DEFAULT '{{}}',
        strategy      TEXT NOT NULL CHECK (strategy IN ('batch','single')),
        state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ({_STATES})),
        source        TEXT NOT NULL CHECK (source IN ('api','sandbox')),
        detect_uuid   TEXT,
        batch_uuid    TEXT,
        submit_name   TEXT,
        attempts      INTEGER NOT NULL DEFAULT 0,
        error         TEXT,
        created_at    TEXT NOT NULL,
        submitting_at TEXT,
        submitted_at  TEXT,
        completed_at  TEXT,
        updated_at    TEXT NOT NULL
    )""",
    "CREATE INDEX jobs_item ON jobs(sha256, options_key)",
    "CREATE INDEX jobs_detect ON jobs(detect_uuid) WHERE detect_uuid IS NOT NULL",
    "CREATE INDEX jobs_batch ON jobs(batch_uuid) WHERE batch_uuid IS NOT NULL",
    # never two jobs in flight for one item and one set of options: no double billing
    f"CREATE UNIQUE INDEX jobs_one_live ON jobs(sha256, options_key) WHERE state IN ({_LIVE})",
    """CREATE TABLE results (
        job_id      INTEGER PRIMARY KEY REFERENCES jobs(id),
        sha256      TEXT NOT NULL REFERENCES items(sha256),
        detect_uuid TEXT,
        label       TEXT,
        label_raw   TEXT,
        score       REAL,
        audio_score REAL,
        video_score REAL,
        image_score REAL,
        consistency REAL,
        duration    REAL,
        completed_at TEXT,
        raw_json    TEXT NOT NULL
    )""",
    # segments column-wise: one row per (job, track, kind) with packed little-endian arrays
    # (int32 idx/sub_idx with -1 for none; float64 with NaN for none; uint8 label codes,
    # 0 = none, 1..5 = real, likely_real, uncertain, likely_fake, fake). NULL: all none.
    """CREATE TABLE segment_blocks (
        job_id    INTEGER NOT NULL REFERENCES results(job_id),
        sha256    TEXT NOT NULL,
        track     TEXT NOT NULL CHECK (track IN ('audio','video','image')),
        kind      TEXT NOT NULL CHECK (kind IN ('window','frame','segment')),
        n         INTEGER NOT NULL CHECK (n > 0),
        idx       BLOB NOT NULL,
        sub_idx   BLOB,
        start_s   BLOB,
        end_s     BLOB,
        score     BLOB,
        certainty BLOB,
        labels    BLOB NOT NULL,
        PRIMARY KEY (job_id, track, kind)
    )""",
    f"""CREATE TABLE decisions (
        id         INTEGER PRIMARY KEY,
        sha256     TEXT NOT NULL REFERENCES items(sha256),
        verdict    TEXT NOT NULL CHECK (verdict IN ({_VERDICTS})),
        note       TEXT NOT NULL DEFAULT '',
        reviewer   TEXT NOT NULL,
        decided_at TEXT NOT NULL
    )""",
    "CREATE INDEX decisions_item ON decisions(sha256, id)",
    """CREATE TRIGGER item_paths_count AFTER INSERT ON item_paths BEGIN
        UPDATE items SET n_paths = n_paths + 1,
                         first_path_id = COALESCE(first_path_id, NEW.rowid)
        WHERE sha256 = NEW.sha256;
       END""",
    """CREATE TRIGGER jobs_latest AFTER INSERT ON jobs BEGIN
        UPDATE items SET latest_job_id = NEW.id WHERE sha256 = NEW.sha256;
       END""",
    """CREATE TRIGGER decisions_latest AFTER INSERT ON decisions BEGIN
        UPDATE items SET latest_decision_id = NEW.id WHERE sha256 = NEW.sha256;
       END""",
    # the decision log is the chain of custody: append-only, enforced by the file itself
    *append_only("decisions", "decisions are append-only: record a new decision instead"),
]


def _v1(conn: sqlite3.Connection) -> None:
    """The first schema: items, paths, skipped files, jobs, results, segments, decisions."""
    for statement in _V1:
        conn.execute(statement)
    conn.execute("INSERT INTO meta (key, value) VALUES ('app', ?)", (APP_ID,))


_V2_TRUTH = [
    # ground truth imported for evaluation: append-only, the latest row per item counts
    """CREATE TABLE truth_labels (
        id          INTEGER PRIMARY KEY,
        sha256      TEXT NOT NULL REFERENCES items(sha256),
        truth       TEXT NOT NULL CHECK (truth IN ('real','fake')),
        source      TEXT NOT NULL,
        imported_by TEXT NOT NULL,
        imported_at TEXT NOT NULL
    )""",
    "CREATE INDEX truth_labels_item ON truth_labels(sha256, id)",
    # thresholds chosen for the case, with the evidence they were chosen on (JSON)
    """CREATE TABLE thresholds (
        id            INTEGER PRIMARY KEY,
        threshold     REAL NOT NULL CHECK (threshold >= 0 AND threshold <= 1),
        method        TEXT NOT NULL,
        evidence_json TEXT NOT NULL DEFAULT '{}',
        note          TEXT NOT NULL DEFAULT '',
        chosen_by     TEXT NOT NULL,
        chosen_at     TEXT NOT NULL
    )""",
    *append_only("truth_labels", "truth_labels are append-only: record a new row instead"),
    *append_only("thresholds", "thresholds are append-only: record a new row instead"),
]


def _v2_truth(conn: sqlite3.Connection) -> None:
    """Ground-truth labels and chosen thresholds (evaluation), both append-only."""
    for statement in _V2_TRUTH:
        conn.execute(statement)


def _v3(conn: sqlite3.Connection) -> None:
    """Results keep each requested analysis' outcome; one review of a case at a time."""
    # {"intelligence": {"status": "failed", "reason": "..."}, ...}; NULL: none asked for
    conn.execute("ALTER TABLE results ADD COLUMN analyses_json TEXT")
    # who reviews the case now (see ledger/_lease.py): one row per lease name
    conn.execute(
        """CREATE TABLE leases (
            name         TEXT PRIMARY KEY,
            holder       TEXT NOT NULL,
            host         TEXT NOT NULL,
            pid          INTEGER NOT NULL,
            what         TEXT NOT NULL DEFAULT '',
            started_at   TEXT NOT NULL,
            heartbeat_at TEXT NOT NULL
        )"""
    )


_V4_ANALYSIS = [
    """CREATE TABLE analyses (
        job_id               INTEGER PRIMARY KEY REFERENCES results(job_id),
        sha256               TEXT NOT NULL,
        intelligence_status  TEXT,
        intelligence         TEXT,
        findings_json        TEXT,
        abnormalities        TEXT,
        transcription        TEXT,
        language             TEXT,
        source_tracing       TEXT,
        watermark_status     TEXT,
        watermark            TEXT,
        c2pa                 TEXT,
        reverse_hits         INTEGER,
        reverse_top          TEXT,
        reverse_json         TEXT,
        heatmap              INTEGER NOT NULL DEFAULT 0 CHECK (heatmap IN (0, 1))
    )""",
    """CREATE TABLE artifacts (
        job_id  INTEGER NOT NULL REFERENCES results(job_id),
        name    TEXT NOT NULL,
        mime    TEXT NOT NULL,
        data    BLOB NOT NULL,
        PRIMARY KEY (job_id, name)
    )""",
    """CREATE TABLE questions (
        id            INTEGER PRIMARY KEY,
        sha256        TEXT NOT NULL REFERENCES items(sha256),
        detect_uuid   TEXT NOT NULL,
        question_uuid TEXT,
        query         TEXT NOT NULL,
        status        TEXT NOT NULL,
        answer        TEXT,
        error         TEXT,
        asker         TEXT NOT NULL,
        asked_at      TEXT NOT NULL,
        answered_at   TEXT,
        updated_at    TEXT NOT NULL
    )""",
    "CREATE INDEX questions_item ON questions(sha256, id)",
    """CREATE TABLE feedback (
        id           INTEGER PRIMARY KEY,
        sha256       TEXT NOT NULL REFERENCES items(sha256),
        detect_uuid  TEXT NOT NULL,
        decision_id  INTEGER NOT NULL REFERENCES decisions(id),
        verdict      TEXT NOT NULL,
        type         TEXT NOT NULL,
        comment      TEXT,
        outcome      TEXT NOT NULL CHECK (outcome IN ('sent','failed')),
        error        TEXT,
        sent_at      TEXT NOT NULL
    )""",
    "CREATE INDEX feedback_item ON feedback(sha256, id)",
    *append_only("feedback", "feedback is append-only: what was sent stays recorded"),
]


def _v4_analysis(conn: sqlite3.Connection) -> None:
    """Analyses, inline artifacts, questions and the feedback log (issue 11)."""
    for statement in _V4_ANALYSIS:
        conn.execute(statement)


def _v_custody(conn: sqlite3.Connection) -> None:
    """The custody chain: events chained by hash, signers, signatures and exhibits.

    An older file's rows become the first events, marked as reconstructed.
    """
    had_rows = any(
        conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()
        for table in ("items", "skipped_files", "jobs", "decisions")
    )
    row = conn.execute("SELECT value FROM meta WHERE key = 'created_at'").fetchone()
    for statement in EVENTS_SQL:
        conn.execute(statement)
    # the watched tables that exist now; a later migration adds its own table's triggers
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for statement in event_triggers(tables):
        conn.execute(statement)
    if had_rows:
        reconstruct_history(conn, str(row[0]) if row else "")
    else:
        conn.execute(
            "INSERT INTO events (kind, subject, at, payload) VALUES ('case_created', '', "
            "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), json_object('app', ?))",
            (APP_ID,),
        )
        seal(conn)


PROVENANCE_SQL: tuple[str, ...] = (
    """CREATE TABLE provenance (
        id              INTEGER PRIMARY KEY,
        sha256          TEXT NOT NULL REFERENCES items(sha256),
        state           TEXT NOT NULL,
        reason          TEXT,
        claim_generator TEXT,
        title           TEXT,
        signer          TEXT,
        signed_at       TEXT,
        summary         TEXT NOT NULL DEFAULT '',
        tool            TEXT,
        read_at         TEXT NOT NULL
    )""",
    "CREATE INDEX provenance_item ON provenance(sha256, id)",
    *append_only("provenance", "provenance is append-only: read the file again"),
)


def _v_provenance(conn: sqlite3.Connection) -> None:
    """Local provenance: each item's embedded C2PA manifest as read at intake, chained."""
    for statement in (*PROVENANCE_SQL, *event_triggers(["provenance"])):
        conn.execute(statement)


def _v_request_ids(conn: sqlite3.Connection) -> None:
    """Jobs keep the request ids of their create and of its upload; the chain records them.

    The jobs table's event triggers are replaced by today's (their payloads gain the
    request ids); the events written before keep theirs.
    """
    conn.execute("ALTER TABLE jobs ADD COLUMN request_id TEXT")
    conn.execute("ALTER TABLE jobs ADD COLUMN upload_request_id TEXT")
    for statement in replace_event_triggers(["jobs"]):
        conn.execute(statement)


def _v_decision_index(conn: sqlite3.Connection) -> None:
    """The chain finds a decision's event through an index, not a scan of every event.

    Partial (decision events only) and on the same expression
    :meth:`~.CustodyMixin.decision_event` asks for, so a click costs the same on a case
    of a thousand events or a million.
    """
    conn.execute(DECISION_EVENT_INDEX)


MIGRATIONS: dict[int, Migration] = {
    1: _v1,
    2: _v2_truth,
    3: _v3,
    4: _v4_analysis,
    5: _v_custody,
    6: _v_provenance,
    7: _v_request_ids,
    8: _v_decision_index,
    9: _v_meta_chained,
    10: _v_signing_required,
}
"""Version -> the step that produces it from the version before."""
