"""The extra analyses of a result, questions asked about items, feedback sent back.

* ``analyses``: one row per completed job with the readable findings (intelligence
  summary and fields, source-tracing label, watermark, C2PA state, reverse-search hits,
  whether a heatmap exists), written with the result.
* ``artifacts``: the bytes of inline visualizations (heatmaps), so a report can embed
  the image itself. URLs are never stored here (they may be pre-signed).
* ``questions``: each question asked about an item, its status, answer and times.
* ``feedback``: an append-only log of what was sent to Resemble for which decision.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ._base import LedgerBase, from_text, must_time, to_text
from ._scrub import scrub, scrub_text
from .errors import LedgerError

__all__ = [
    "ANALYSIS_COLUMNS",
    "AnalysisRecord",
    "ArtifactRecord",
    "FeedbackEntry",
    "QuestionRecord",
]

ANALYSIS_COLUMNS: tuple[str, ...] = (
    "intelligence_status", "intelligence", "abnormalities", "transcription", "language",
    "source_tracing", "watermark_status", "watermark", "c2pa", "reverse_hits",
    "reverse_top", "heatmap",
)  # fmt: skip
"""The analysis columns joined into :meth:`Ledger.results_rows`, in order."""


@dataclass(frozen=True)
class ArtifactRecord:
    """An inline visualization's bytes (``image/png``, ``image/svg+xml``...)."""

    name: str
    mime: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class AnalysisRecord:
    """The readable findings of a completed detect, stored beside its result.

    ``findings`` holds every structured intelligence field as text (``{}`` for a text
    report); ``reverse_sources`` the reverse-search hits (url, title, verdict...), or
    ``None`` when reverse search was not asked for.
    """

    intelligence_status: str | None = None
    intelligence: str | None = None
    findings: dict[str, str] = field(default_factory=dict)
    abnormalities: str | None = None
    transcription: str | None = None
    language: str | None = None
    source_tracing: str | None = None
    watermark_status: str | None = None
    watermark: str | None = None
    c2pa: str | None = None
    reverse_sources: list[dict[str, Any]] | None = None
    heatmap: bool = False
    artifacts: tuple[ArtifactRecord, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class QuestionRecord:
    """A question asked about an item, as stored."""

    id: int
    sha256: str
    detect_uuid: str
    question_uuid: str | None
    query: str
    status: str
    answer: str | None
    error: str | None
    asker: str
    asked_at: datetime
    answered_at: datetime | None
    updated_at: datetime

    @property
    def done(self) -> bool:
        return self.status in ("completed", "failed")


@dataclass(frozen=True)
class FeedbackEntry:
    """One feedback sent (or tried) for a decision."""

    id: int
    sha256: str
    detect_uuid: str
    decision_id: int
    verdict: str
    type: str
    comment: str | None
    outcome: str
    error: str | None
    sent_at: datetime


_Q_COLUMNS = (
    "id, sha256, detect_uuid, question_uuid, query, status, answer, error, asker, "
    "asked_at, answered_at, updated_at"
)
_F_COLUMNS = "id, sha256, detect_uuid, decision_id, verdict, type, comment, outcome, error, sent_at"


def _question(row: Sequence[Any]) -> QuestionRecord:
    values = list(row)
    values[9], values[10], values[11] = (
        must_time(values[9]),
        from_text(values[10]),
        must_time(values[11]),
    )
    return QuestionRecord(*values)


def _feedback(row: Sequence[Any]) -> FeedbackEntry:
    values = list(row)
    values[9] = must_time(values[9])
    return FeedbackEntry(*values)


def _text(value: str | None) -> str | None:
    return None if value is None else scrub_text(value)


class AnalysisMixin(LedgerBase):
    # -- analyses (written by ResultsMixin._insert_results) ----------------------------------
    def _insert_analyses(self, entries: Sequence[tuple[int, str, AnalysisRecord]]) -> None:
        conn = self._conn()
        conn.executemany(
            "INSERT INTO analyses (job_id, sha256, intelligence_status, intelligence, "
            "findings_json, abnormalities, transcription, language, source_tracing, "
            "watermark_status, watermark, c2pa, reverse_hits, reverse_top, reverse_json, "
            "heatmap) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    job_id, sha256, a.intelligence_status, _text(a.intelligence),
                    json.dumps(scrub(a.findings), ensure_ascii=False) if a.findings else None,
                    _text(a.abnormalities), _text(a.transcription), a.language,
                    a.source_tracing, a.watermark_status, a.watermark, a.c2pa,
                    len(a.reverse_sources) if a.reverse_sources is not None else None,
                    _top(a.reverse_sources),
                    json.dumps(scrub(a.reverse_sources), ensure_ascii=False)
                    if a.reverse_sources else None,
                    int(a.heatmap),
                )
                for job_id, sha256, a in entries
            ],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO artifacts (job_id, name, mime, data) VALUES (?, ?, ?, ?)",
            [
                (job_id, art.name, art.mime, art.data)
                for job_id, _, a in entries
                for art in a.artifacts
            ],
        )

    def analysis_for(self, job_id: int) -> dict[str, Any] | None:
        """A completed job's analysis row (findings and reverse sources parsed), or ``None``."""
        conn = self._conn()
        cursor = conn.execute("SELECT * FROM analyses WHERE job_id = ?", (job_id,))
        row = cursor.fetchone()
        if row is None:
            return None
        names = [d[0] for d in cursor.description]
        found = dict(zip(names, row, strict=True))
        found["findings"] = json.loads(found.pop("findings_json") or "{}")
        found["reverse_sources"] = json.loads(found.pop("reverse_json") or "[]")
        found["heatmap"] = bool(found["heatmap"])
        return found

    def findings_rows(self) -> list[dict[str, Any]]:
        """The analysis of every item's latest job (items without one are left out)."""
        conn = self._conn()
        cursor = conn.execute(
            "SELECT a.* FROM analyses a JOIN items i ON i.latest_job_id = a.job_id ORDER BY i.rowid"
        )
        names = [d[0] for d in cursor.description]
        rows = []
        for row in cursor:
            found = dict(zip(names, row, strict=True))
            found["findings"] = json.loads(found.pop("findings_json") or "{}")
            found["reverse_sources"] = json.loads(found.pop("reverse_json") or "[]")
            found["heatmap"] = bool(found["heatmap"])
            rows.append(found)
        return rows

    def intelligence_rows(self) -> list[tuple[Any, ...]]:
        """``(sha256, media_type, detect_uuid, status, summary, findings)`` for every item
        whose latest job carries an intelligence report, first-seen order (one query; the
        findings of all rows parsed in one go)."""
        conn = self._conn()
        rows = conn.execute(
            "SELECT a.sha256, i.media_type, COALESCE(r.detect_uuid, j.detect_uuid), "
            "a.intelligence_status, a.intelligence "
            "FROM analyses a JOIN items i ON i.latest_job_id = a.job_id "
            "JOIN jobs j ON j.id = a.job_id LEFT JOIN results r ON r.job_id = a.job_id "
            "WHERE a.intelligence_status IS NOT NULL ORDER BY i.rowid"
        ).fetchall()
        text = conn.execute(
            "SELECT '[' || group_concat(COALESCE(a.findings_json, '{}'), ',') || ']' "
            "FROM (SELECT a.findings_json FROM analyses a "
            "JOIN items i ON i.latest_job_id = a.job_id "
            "WHERE a.intelligence_status IS NOT NULL ORDER BY i.rowid) a"
        ).fetchone()[0]
        findings = json.loads(text) if text else []
        return [(*row, found) for row, found in zip(rows, findings, strict=True)]

    def artifacts_for(self, job_id: int) -> list[ArtifactRecord]:
        """The inline visualizations stored for a job."""
        rows = self._conn().execute(
            "SELECT name, mime, data FROM artifacts WHERE job_id = ? ORDER BY name", (job_id,)
        )
        return [ArtifactRecord(name, mime, bytes(data)) for name, mime, data in rows]

    # -- questions ----------------------------------------------------------------------------
    def add_question(self, sha256: str, detect_uuid: str, query: str, asker: str) -> QuestionRecord:
        """Record a question before it is sent (status ``asking``)."""
        stamp = to_text(self._now())
        with self._write() as conn:
            try:
                cursor = conn.execute(
                    "INSERT INTO questions (sha256, detect_uuid, query, status, asker, asked_at, "
                    "updated_at) VALUES (?, ?, ?, 'asking', ?, ?, ?)",
                    (sha256, detect_uuid, scrub_text(query), asker, stamp, stamp),
                )
            except self._store.integrity_error:
                raise LedgerError(f"{self.path}: no item {sha256} to ask about") from None
            return self.question(int(cursor.lastrowid or 0))

    def update_question(
        self,
        question_id: int,
        *,
        status: str,
        question_uuid: str | None = None,
        answer: str | None = None,
        error: str | None = None,
    ) -> QuestionRecord:
        """Record what the server said about a question (its id, status, answer)."""
        stamp = to_text(self._now())
        answered = stamp if status in ("completed", "failed") else None
        with self._write() as conn:
            conn.execute(
                "UPDATE questions SET status = ?, question_uuid = COALESCE(?, question_uuid), "
                "answer = COALESCE(?, answer), error = ?, "
                "answered_at = COALESCE(answered_at, ?), updated_at = ? WHERE id = ?",
                (status, question_uuid, _text(answer), _text(error), answered, stamp, question_id),
            )
        return self.question(question_id)

    def question(self, question_id: int) -> QuestionRecord:
        row = (
            self._conn()
            .execute(f"SELECT {_Q_COLUMNS} FROM questions WHERE id = ?", (question_id,))
            .fetchone()
        )
        if row is None:
            raise LedgerError(f"{self.path}: no question {question_id}")
        return _question(row)

    def questions(self, sha256: str | None = None) -> list[QuestionRecord]:
        """Questions asked, oldest first: about one item, or the whole case."""
        return [_question(row) for row in self._log("questions", _Q_COLUMNS, sha256)]

    # -- feedback -----------------------------------------------------------------------------
    def record_feedback(
        self,
        sha256: str,
        detect_uuid: str,
        decision_id: int,
        verdict: str,
        type: str,
        *,
        comment: str | None = None,
        outcome: str = "sent",
        error: str | None = None,
    ) -> FeedbackEntry:
        """Append what was sent (or failed to be sent) for a decision."""
        with self._write(signed=True) as conn:
            cursor = conn.execute(
                f"INSERT INTO feedback ({_F_COLUMNS.replace('id, ', '', 1)}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    sha256, detect_uuid, decision_id, verdict, type, _text(comment), outcome,
                    _text(error), to_text(self._now()),
                ),
            )  # fmt: skip
            row = self._added(conn, "feedback", _F_COLUMNS, cursor)
        return _feedback(row)

    def feedback_log(self, sha256: str | None = None) -> list[FeedbackEntry]:
        """Every feedback sent or tried, oldest first."""
        return [_feedback(row) for row in self._log("feedback", _F_COLUMNS, sha256)]


def _top(sources: list[dict[str, Any]] | None) -> str | None:
    if not sources:
        return None
    best = max(sources, key=lambda s: float(s.get("similarity") or 0.0))
    title = best.get("title") or best.get("url")
    return None if title is None else scrub_text(str(title))
