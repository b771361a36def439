"""Results and segments: written with a job's completion, read back one by one or in bulk."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._analysis import ANALYSIS_COLUMNS, AnalysisMixin
from ._base import from_text
from ._scrub import dump_raw, scrub_text
from ._segments import (
    BLOCK_ARRAYS_SQL,
    BLOCK_COLUMNS,
    block_arrays,
    decode_block,
    decode_columns,
    encode_blocks,
)
from .records import Result, Rows, SegmentRecord

if TYPE_CHECKING:
    import numpy.typing as npt

_RESULT_COLUMNS = (
    "job_id, sha256, detect_uuid, label, label_raw, score, audio_score, video_score, "
    "image_score, consistency, duration, completed_at, raw_json, analyses_json"
)

# One row per item: its latest job (any options), that job's result, the latest verdict.
# The items row carries pointers kept by triggers: only integer-key lookups per item.
# Each column's expression, so a reader can ask for only the columns it shows.
_IN_CASE = "CASE WHEN fp.in_case THEN :folder || fp.path ELSE fp.path END"
_SEVERAL_PATHS = """CASE WHEN i.n_paths > 1 THEN (
           SELECT group_concat(CASE WHEN in_case THEN :folder || path ELSE path END, char(10))
           FROM (SELECT path, in_case FROM item_paths WHERE sha256 = i.sha256 ORDER BY rowid)
       ) END"""
_EXPRESSIONS: dict[str, str] = {
    "sha256": "i.sha256",
    "name": "fp.name",
    "path": _IN_CASE,
    "paths": f"COALESCE({_SEVERAL_PATHS}, {_IN_CASE})",
    "n_paths": "i.n_paths",
    "media_type": "i.media_type",
    "mime": "i.mime",
    "size": "i.size",
    "duration": "COALESCE(r.duration, i.duration)",
    "status": "j.state",
    "job_id": "j.id",
    "options_key": "j.options_key",
    "strategy": "j.strategy",
    "source": "j.source",
    "label": "r.label",
    "label_raw": "r.label_raw",
    "score": "r.score",
    "audio_score": "r.audio_score",
    "video_score": "r.video_score",
    "image_score": "r.image_score",
    "consistency": "r.consistency",
    "detect_uuid": "COALESCE(r.detect_uuid, j.detect_uuid)",
    "batch_uuid": "j.batch_uuid",
    "attempts": "j.attempts",
    "error": "j.error",
    "first_seen": "i.first_seen",
    "submitted_at": "j.submitted_at",
    "completed_at": "COALESCE(r.completed_at, j.completed_at)",
    "verdict": "d.verdict",
    "note": "d.note",
    "reviewer": "d.reviewer",
    "decided_at": "d.decided_at",
    **{name: f"a.{name}" for name in ANALYSIS_COLUMNS},
    "local_c2pa": "(SELECT state FROM provenance WHERE sha256 = i.sha256 ORDER BY id DESC LIMIT 1)",
    "analyses_json": "r.analyses_json",
}
_FROM = """
FROM items i
LEFT JOIN item_paths fp ON fp.rowid = i.first_path_id
LEFT JOIN jobs j ON j.id = i.latest_job_id
LEFT JOIN results r ON r.job_id = i.latest_job_id
LEFT JOIN decisions d ON d.id = i.latest_decision_id
LEFT JOIN analyses a ON a.job_id = i.latest_job_id
ORDER BY i.rowid
"""

RESULTS_COLUMNS: tuple[str, ...] = tuple(_EXPRESSIONS)
"""Columns of :meth:`Ledger.results_rows`, in order."""

_RESULTS_SQL = f"SELECT {', '.join(f'{e} AS {n}' for n, e in _EXPRESSIONS.items())}{_FROM}"


def _results_sql(columns: Sequence[str], codes: Mapping[str, Sequence[str]]) -> str:
    """The results query for ``columns`` only; those in ``codes`` come back as the
    position of their value in the given list (-1 for none or anything else)."""
    parts = []
    for name in columns:
        expression = _SEVERAL_PATHS if name == "several_paths" else _EXPRESSIONS[name]
        if name in codes:
            cases = " ".join(
                f"WHEN {_quote(value)} THEN {code}" for code, value in enumerate(codes[name])
            )
            expression = f"CASE {expression} {cases} ELSE -1 END"
        parts.append(f"{expression} AS {name}")
    return f"SELECT {', '.join(parts)}{_FROM}"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


RESULTS_TIME_COLUMNS = ("first_seen", "submitted_at", "completed_at", "decided_at")

EARLIER_RESULT_COLUMNS = (
    "label", "score", "audio_score", "video_score", "image_score", "consistency",
    "duration", "completed_at",
)  # fmt: skip
"""The result columns :meth:`ResultsMixin.earlier_analyses` carries besides analyses."""

SKIPPED_COLUMNS = ("sha256", "name", "path", "size", "problem", "reason", "seen_at")
_SKIPPED_SQL = """
SELECT sha256, name, CASE WHEN in_case THEN :folder || path ELSE path END AS path,
       size, problem, reason, seen_at
FROM skipped_files ORDER BY rowid
"""

SEGMENTS_COLUMNS: tuple[str, ...] = (
    "sha256", "job_id", "track", "kind", "index", "sub_index", "start_s", "end_s",
    "score", "label", "certainty",
)  # fmt: skip
"""Columns of :meth:`Ledger.segments_rows` and keys of :meth:`Ledger.segments_columns`."""


def _analyses(analyses: Mapping[str, Mapping[str, Any]] | None) -> str | None:
    if not analyses:
        return None
    clean = {
        str(name): {k: scrub_text(str(v)) if k == "reason" else v for k, v in a.items()}
        for name, a in analyses.items()
    }
    return json.dumps(clean, sort_keys=True, separators=(",", ":"))


def _plain(label: Any) -> str | None:
    return None if label is None else str(getattr(label, "value", label))


class ResultsMixin(AnalysisMixin):
    def _insert_results(self, entries: Sequence[tuple[Any, ...]]) -> None:
        """Insert ``(job_id, sha256, detect_uuid, result, segments, completed_at)`` rows."""
        conn = self._conn()
        conn.executemany(
            f"INSERT INTO results ({_RESULT_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    job_id,
                    sha256,
                    result.detect_uuid or detect_uuid,
                    _plain(result.label),
                    result.label_raw,
                    result.score,
                    result.audio_score,
                    result.video_score,
                    result.image_score,
                    result.consistency,
                    result.duration,
                    completed_at,
                    dump_raw(result.raw),
                    _analyses(result.analyses),
                )
                for job_id, sha256, detect_uuid, result, _segments, completed_at in entries
            ],
        )
        conn.executemany(
            f"INSERT INTO segment_blocks (job_id, sha256, {BLOCK_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (job_id, sha256, *block)
                for job_id, sha256, _uuid, _result, segments, _at in entries
                if segments
                for block in encode_blocks(segments)
            ],
        )
        self._insert_analyses(
            [
                (job_id, sha256, result.analysis)
                for job_id, sha256, _uuid, result, _segments, _at in entries
                if result.analysis is not None
            ]
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

    def analyses_rows(self) -> Rows:
        """One row per requested analysis of each item's latest completed job:
        ``sha256, job_id, analysis, status, reason`` (a failed one keeps its reason)."""
        rows = self._conn().execute(
            "SELECT r.sha256, r.job_id, r.analyses_json FROM results r "
            "JOIN items i ON i.latest_job_id = r.job_id "
            "WHERE r.analyses_json IS NOT NULL ORDER BY i.rowid"
        )
        out = [
            (sha, job_id, name, a.get("status"), a.get("reason"))
            for sha, job_id, text in rows
            for name, a in sorted(json.loads(text).items())
        ]
        return Rows(["sha256", "job_id", "analysis", "status", "reason"], out, ())

    def earlier_analyses(self) -> Rows:
        """Every completed result but the one of each item's latest job, newest first:
        ``sha256, job_id, detect_uuid``, :data:`ANALYSIS_COLUMNS`, ``analyses_json`` and
        the scores. What a later, plainer result lacks is shown from these (and the
        latest completed result where the latest job has none)."""
        names = [
            "sha256", "job_id", "detect_uuid", *ANALYSIS_COLUMNS, "analyses_json",
            *EARLIER_RESULT_COLUMNS,
        ]  # fmt: skip
        conn = self._conn()
        jobs, latest = conn.execute(
            "SELECT (SELECT count(*) FROM jobs), "
            "(SELECT count(*) FROM items WHERE latest_job_id IS NOT NULL)"
        ).fetchone()
        if jobs <= latest:  # one job per item: no earlier result anywhere (the usual case)
            return Rows(names, [], ())
        cols = ", ".join(f"a.{c}" for c in ANALYSIS_COLUMNS)
        scores = ", ".join(f"r.{c}" for c in EARLIER_RESULT_COLUMNS)
        sql = (
            f"SELECT r.sha256, r.job_id, r.detect_uuid, {cols}, r.analyses_json, {scores} "
            "FROM results r JOIN items i ON i.sha256 = r.sha256 "
            "LEFT JOIN analyses a ON a.job_id = r.job_id "
            "WHERE r.job_id != COALESCE(i.latest_job_id, -1) "
            "ORDER BY r.sha256, r.job_id DESC"
        )
        return Rows(names, conn.execute(sql).fetchall(), ())

    def segments_for(self, job_id: int) -> list[SegmentRecord]:
        """A completed job's segments: grouped by (track, kind) in order first given."""
        rows = self._conn().execute(
            f"SELECT {BLOCK_COLUMNS} FROM segment_blocks WHERE job_id = ? ORDER BY rowid",
            (job_id,),
        )
        return [segment for row in rows for segment in decode_block(row)]

    # -- bulk reads for DataFrames --------------------------------------------------------

    def results_rows(self) -> Rows:
        """One row per item (its latest job and result, latest verdict), first-seen order.

        ``status`` is the job state, or ``None`` for an item never planned. Paths inside
        the case folder come back absolute for where the case is now; ``paths`` holds every
        path, newline-separated. See :data:`RESULTS_COLUMNS`.
        """
        rows = self._conn().execute(_RESULTS_SQL, {"folder": self._prefix}).fetchall()
        return Rows(list(RESULTS_COLUMNS), rows, RESULTS_TIME_COLUMNS)

    def results_columns(
        self,
        chunk: int = 256,
        *,
        only: Sequence[str] | None = None,
        codes: Mapping[str, Sequence[str]] | None = None,
    ) -> dict[str, list[Any]]:
        """:meth:`results_rows` as one list per column (the fast path for DataFrames).

        ``only``: just these columns (see :data:`RESULTS_COLUMNS`), in this order; also
        ``several_paths``: ``paths`` for items with several, ``None`` for the rest.
        ``codes``: columns to return as category codes (the position of the value in the
        given list; -1 for none or anything not in it), computed by SQLite.

        Rows are read ``chunk`` at a time and moved into the columns at once, so only a
        few hundred row tuples are alive at any moment. The garbage collector starts a
        collection when about 700 more tracked objects exist than before: ``fetchall`` of
        100,000 rows set off some 140 of them (and full ones over every row), a chunk of
        256 rows none, without touching the collector's settings.
        """
        names = RESULTS_COLUMNS if only is None else tuple(only)
        sql = _RESULTS_SQL if only is None and not codes else _results_sql(names, codes or {})
        cursor = self._conn().execute(sql, {"folder": self._prefix})
        columns: list[list[Any]] = [[] for _ in names]
        while rows := cursor.fetchmany(chunk):
            for column, values in zip(columns, zip(*rows, strict=True), strict=True):
                column.extend(values)
            del rows
        return dict(zip(names, columns, strict=True))

    def skipped_rows(self) -> Rows:
        """One row per skipped path: sha256 (if hashed), name, path, size, problem, reason."""
        rows = self._conn().execute(_SKIPPED_SQL, {"folder": self._prefix}).fetchall()
        return Rows(list(SKIPPED_COLUMNS), rows, ("seen_at",))

    def segments_columns(self) -> dict[str, npt.NDArray[Any]]:
        """Every segment of each item's latest job, as numpy columns (fast path).

        Keys are :data:`SEGMENTS_COLUMNS`. Feed to ``pd.DataFrame(columns)``; missing
        numbers are NaN, missing labels ``None``. Join ``sha256`` to :meth:`results_rows`.
        """
        return decode_columns(self._conn().execute(BLOCK_ARRAYS_SQL).fetchall())

    def segments_blocks(self) -> dict[str, Any]:
        """Every segment of each item's latest job, per stored block and per segment
        (the DataFrame's fast path: codes and numbers, no object per segment); see
        :func:`~._segments.block_arrays`."""
        return block_arrays(self._conn().execute(BLOCK_ARRAYS_SQL).fetchall())

    def segments_rows(self) -> Rows:
        """:meth:`segments_columns` as plain rows (``None`` for missing values)."""
        columns = self.segments_columns()

        def plain(name: str) -> list[Any]:
            values: list[Any] = columns[name].tolist()
            if columns[name].dtype.kind == "f":
                return [None if v != v else v for v in values]
            return values

        data = [plain(name) for name in SEGMENTS_COLUMNS]
        for i, value in enumerate(data[5]):  # sub_index: an int where present
            if value is not None:
                data[5][i] = int(value)
        return Rows(list(SEGMENTS_COLUMNS), list(zip(*data, strict=True)), ())
