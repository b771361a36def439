"""Results and segments: written with a job's completion, read back one by one or in bulk."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence

from ._base import LedgerBase, from_text, to_text
from ._scrub import dump_raw
from .records import Result, ResultRecord, Rows, SegmentRecord

_RESULT_COLUMNS = (
    "job_id, sha256, detect_uuid, label, label_raw, score, audio_score, video_score, "
    "image_score, consistency, duration, completed_at, raw_json"
)
_SEGMENT_COLUMNS = "track, kind, idx, start_s, end_s, score, label, sub_idx, certainty"

# One row per item: its latest job (any options), that job's result, the latest verdict.
_RESULTS_SQL = """
WITH latest AS (SELECT sha256, MAX(id) AS job_id FROM jobs GROUP BY sha256),
verdicts AS (
    SELECT d.sha256, d.verdict, d.note, d.reviewer, d.decided_at
    FROM decisions d JOIN (SELECT MAX(id) AS id FROM decisions GROUP BY sha256) m ON d.id = m.id
),
paths AS (
    SELECT sha256,
           group_concat(CASE WHEN in_case THEN :folder || path ELSE path END, char(10)) AS paths,
           COUNT(*) AS n_paths, MIN(rowid) AS first_rowid
    FROM (SELECT rowid, sha256, path, in_case FROM item_paths ORDER BY sha256, rowid)
    GROUP BY sha256
)
SELECT i.sha256, fp.name,
       CASE WHEN fp.in_case THEN :folder || fp.path ELSE fp.path END AS path,
       p.paths, p.n_paths, i.media_type, i.mime, i.size,
       COALESCE(r.duration, i.duration) AS duration,
       j.state AS status, j.id AS job_id, j.options_key, j.strategy, j.source,
       r.label, r.label_raw, r.score, r.audio_score, r.video_score, r.image_score,
       r.consistency, COALESCE(r.detect_uuid, j.detect_uuid) AS detect_uuid, j.batch_uuid,
       j.attempts, j.error, i.first_seen, j.submitted_at,
       COALESCE(r.completed_at, j.completed_at) AS completed_at,
       v.verdict, v.note, v.reviewer, v.decided_at
FROM items i
LEFT JOIN paths p ON p.sha256 = i.sha256
LEFT JOIN item_paths fp ON fp.rowid = p.first_rowid
LEFT JOIN latest l ON l.sha256 = i.sha256
LEFT JOIN jobs j ON j.id = l.job_id
LEFT JOIN results r ON r.job_id = j.id
LEFT JOIN verdicts v ON v.sha256 = i.sha256
ORDER BY i.rowid
"""

RESULTS_COLUMNS: tuple[str, ...] = (
    "sha256", "name", "path", "paths", "n_paths", "media_type", "mime", "size", "duration",
    "status", "job_id", "options_key", "strategy", "source",
    "label", "label_raw", "score", "audio_score", "video_score", "image_score",
    "consistency", "detect_uuid", "batch_uuid", "attempts", "error",
    "first_seen", "submitted_at", "completed_at",
    "verdict", "note", "reviewer", "decided_at",
)  # fmt: skip
"""Columns of :meth:`Ledger.results_rows`, in order."""

RESULTS_TIME_COLUMNS = ("first_seen", "submitted_at", "completed_at", "decided_at")

_SKIPPED_SQL = """
SELECT sha256, name, CASE WHEN in_case THEN :folder || path ELSE path END AS path,
       size, problem, reason, seen_at
FROM skipped_files ORDER BY rowid
"""

_SEGMENTS_SQL = """
SELECT s.sha256, s.job_id, s.track, s.kind, s.idx, s.sub_idx, s.start_s, s.end_s,
       s.score, s.label, s.certainty
FROM segments s
JOIN (SELECT MAX(id) AS job_id FROM jobs GROUP BY sha256) l ON s.job_id = l.job_id
ORDER BY s.rowid
"""

SEGMENTS_COLUMNS: tuple[str, ...] = (
    "sha256", "job_id", "track", "kind", "index", "sub_index", "start_s", "end_s",
    "score", "label", "certainty",
)  # fmt: skip
"""Columns of :meth:`Ledger.segments_rows`, in order."""


class ResultsMixin(LedgerBase):
    def _insert_result(
        self,
        conn: sqlite3.Connection,
        job_id: int,
        sha256: str,
        detect_uuid: str | None,
        result: ResultRecord,
        segments: Sequence[SegmentRecord],
        completed_at: str | None,
    ) -> None:
        conn.execute(
            f"INSERT INTO results ({_RESULT_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                job_id,
                sha256,
                result.detect_uuid or detect_uuid,
                result.label,
                result.label_raw,
                result.score,
                result.audio_score,
                result.video_score,
                result.image_score,
                result.consistency,
                result.duration,
                completed_at,
                dump_raw(result.raw),
            ),
        )
        if segments:
            conn.executemany(
                f"INSERT INTO segments (job_id, sha256, {_SEGMENT_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        job_id,
                        sha256,
                        s.track,
                        s.kind,
                        s.index,
                        s.start_s,
                        s.end_s,
                        s.score,
                        s.label,
                        s.sub_index,
                        s.certainty,
                    )
                    for s in segments
                ],
            )

    def result_for(self, job_id: int) -> Result | None:
        """The stored result of a completed job, or ``None``."""
        row = (
            self._conn()
            .execute(f"SELECT {_RESULT_COLUMNS} FROM results WHERE job_id = ?", (job_id,))
            .fetchone()
        )
        if row is None:
            return None
        values = list(row)
        values[11] = from_text(values[11])
        return Result(*values)

    def segments_for(self, job_id: int) -> list[SegmentRecord]:
        """A completed job's segments, in the order written."""
        rows = self._conn().execute(
            f"SELECT {_SEGMENT_COLUMNS} FROM segments WHERE job_id = ? ORDER BY rowid", (job_id,)
        )
        return [SegmentRecord(*row) for row in rows]

    # -- bulk reads for DataFrames --------------------------------------------------------

    def results_rows(self) -> Rows:
        """One row per item (its latest job and result, latest verdict), first-seen order.

        ``status`` is the job state, or ``None`` for an item never planned. Paths inside
        the case folder come back absolute for where the case is now; ``paths`` holds every
        path, newline-separated. See :data:`RESULTS_COLUMNS`.
        """
        rows = self._conn().execute(_RESULTS_SQL, {"folder": self._folder_prefix()}).fetchall()
        return Rows(list(RESULTS_COLUMNS), rows, RESULTS_TIME_COLUMNS)

    def skipped_rows(self) -> Rows:
        """One row per skipped path: sha256 (if hashed), name, path, size, problem, reason."""
        rows = self._conn().execute(_SKIPPED_SQL, {"folder": self._folder_prefix()}).fetchall()
        return Rows(
            ["sha256", "name", "path", "size", "problem", "reason", "seen_at"], rows, ("seen_at",)
        )

    def segments_rows(self) -> Rows:
        """Every segment of each item's latest job, in the order written.

        See :data:`SEGMENTS_COLUMNS`; join ``sha256`` to :meth:`results_rows` for names.
        """
        rows = self._conn().execute(_SEGMENTS_SQL).fetchall()
        return Rows(list(SEGMENTS_COLUMNS), rows, ())

    def _folder_prefix(self) -> str:
        return str(self.folder).rstrip(os.sep) + os.sep

    @staticmethod
    def _completed_text(result: ResultRecord, fallback: str | None) -> str | None:
        return to_text(result.completed_at) if result.completed_at else fallback
