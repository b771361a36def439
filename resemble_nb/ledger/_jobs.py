"""Jobs: one detect of one item with one set of options, and every move it makes.

Each ``mark_*`` call is its own committed transaction: the state is on disk before the
caller takes the next step (``mark_submitting`` before a create request goes out). Moves
are checked against :data:`~resemble_nb.ledger.records.TRANSITIONS`; the schema itself
refuses a second job in flight for the same item and options.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._base import from_text, must_time, to_text
from ._results import ResultsMixin
from ._scrub import scrub, scrub_text
from .errors import InvalidTransition, LedgerError
from .records import (
    LIVE_STATES,
    STATES,
    TRANSITIONS,
    Job,
    JobSpec,
    JobState,
    ResultRecord,
    SegmentRecord,
    Source,
)

_JOB_COLUMNS = (
    "id, sha256, options_key, options_json, strategy, state, source, detect_uuid, batch_uuid, "
    "submit_name, attempts, error, created_at, submitting_at, submitted_at, completed_at, "
    "updated_at, request_id, upload_request_id"
)
_CHUNK = 500  # ids per IN (...) query
_INSERT_JOB = (
    "INSERT INTO jobs (sha256, options_key, options_json, strategy, source, created_at, "
    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _ids(job_ids: int | Iterable[int]) -> list[int]:
    return [job_ids] if isinstance(job_ids, int) else list(job_ids)


def _job(row: Sequence[Any]) -> Job:
    return Job(
        id=row[0],
        sha256=row[1],
        options_key=row[2],
        options=json.loads(row[3]),
        strategy=row[4],
        state=row[5],
        source=row[6],
        detect_uuid=row[7],
        batch_uuid=row[8],
        submit_name=row[9],
        attempts=row[10],
        error=row[11],
        created_at=must_time(row[12]),
        submitting_at=from_text(row[13]),
        submitted_at=from_text(row[14]),
        completed_at=from_text(row[15]),
        updated_at=must_time(row[16]),
        request_id=row[17],
        upload_request_id=row[18],
    )


class JobsMixin(ResultsMixin):
    # -- creating -------------------------------------------------------------------------

    def ensure_job(self, spec: JobSpec, *, force: bool = False) -> tuple[Job, bool]:
        """The job for ``spec``'s item and options, created if there is none.

        Returns ``(job, created)``. An existing job is returned whatever its state (the
        engine decides whether to resume, retry or leave it); with ``force=True`` a new job
        is created unless the existing one is still in flight.
        """
        return self.ensure_jobs([spec], force=force)[0]

    def ensure_jobs(
        self, specs: Iterable[JobSpec], *, force: bool = False
    ) -> list[tuple[Job, bool]]:
        """:meth:`ensure_job` for many specs, in one transaction."""
        out: list[tuple[Job, bool]] = []
        with self._write() as conn:
            for spec in specs:
                row = conn.execute(
                    f"SELECT {_JOB_COLUMNS} FROM jobs WHERE sha256 = ? AND options_key = ? "
                    "ORDER BY id DESC LIMIT 1",
                    (spec.sha256, spec.options_key),
                ).fetchone()
                if row is not None and (not force or row[5] in LIVE_STATES):
                    out.append((_job(row), False))
                    continue
                job_id = self._insert_job(conn, spec)
                out.append((self._fetch(conn, job_id), True))
        return out

    def create_jobs(self, specs: Iterable[JobSpec]) -> list[int]:
        """Insert new pending jobs in one transaction (bulk loads); return their ids.

        Raises:
            LedgerError: an item is unknown, or already has a job in flight for the options.
        """
        stamp = to_text(self._now())
        rows = [
            (
                spec.sha256,
                spec.options_key,
                json.dumps(scrub(spec.options), sort_keys=True, separators=(",", ":")),
                spec.strategy,
                spec.source,
                stamp,
                stamp,
            )
            for spec in specs
        ]
        with self._write() as conn:
            last = conn.execute("SELECT COALESCE(MAX(id), 0) FROM jobs").fetchone()[0]
            try:
                conn.executemany(_INSERT_JOB, rows)
            except sqlite3.IntegrityError as exc:
                raise self._integrity(exc, "(one of the items)") from None
            # the write lock is held: the new rows are exactly those after ``last``
            return [
                r[0] for r in conn.execute("SELECT id FROM jobs WHERE id > ? ORDER BY id", (last,))
            ]

    def _insert_job(self, conn: sqlite3.Connection, spec: JobSpec) -> int:
        stamp = to_text(self._now())
        options = json.dumps(scrub(spec.options), sort_keys=True, separators=(",", ":"))
        try:
            cursor = conn.execute(
                _INSERT_JOB,
                (spec.sha256, spec.options_key, options, spec.strategy, spec.source, stamp, stamp),
            )
        except sqlite3.IntegrityError as exc:
            raise self._integrity(exc, spec.sha256) from None
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _integrity(self, exc: sqlite3.IntegrityError, sha256: str) -> LedgerError:
        text = str(exc)
        if "FOREIGN KEY" in text:
            return LedgerError(f"{self.path}: no item {sha256}; record it with add_items first")
        if "UNIQUE" in text:
            return LedgerError(
                f"{self.path}: item {sha256} already has a job in flight for these options; "
                "a second one would analyse (and bill) it twice"
            )
        return LedgerError(f"{self.path}: {text}")

    # -- reading --------------------------------------------------------------------------

    def _fetch(self, conn: sqlite3.Connection, job_id: int) -> Job:
        row = conn.execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise LedgerError(f"{self.path}: no job {job_id}")
        return _job(row)

    def job(self, job_id: int) -> Job:
        """The job with this id (``LedgerError`` if there is none)."""
        return self._fetch(self._conn(), job_id)

    def job_for(self, sha256: str, options_key: str) -> Job | None:
        """The latest job for this item and options key, or ``None``."""
        row = (
            self._conn()
            .execute(
                f"SELECT {_JOB_COLUMNS} FROM jobs WHERE sha256 = ? AND options_key = ? "
                "ORDER BY id DESC LIMIT 1",
                (sha256, options_key),
            )
            .fetchone()
        )
        return None if row is None else _job(row)

    def jobs_for_item(self, sha256: str) -> list[Job]:
        """Every job of an item, oldest first (its history)."""
        rows = self._conn().execute(
            f"SELECT {_JOB_COLUMNS} FROM jobs WHERE sha256 = ? ORDER BY id", (sha256,)
        )
        return [_job(row) for row in rows]

    def reviewed_on(self) -> str | None:
        """The service (``"api"`` or ``"sandbox"``) the latest job was sent to, or ``None``."""
        row = self._conn().execute("SELECT source FROM jobs ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else str(row[0])

    def jobs_in_state(self, *states: JobState, source: Source | None = None) -> list[Job]:
        """Jobs in any of ``states`` (all jobs if none given), oldest first."""
        unknown = set(states) - set(STATES)
        if unknown:
            raise ValueError(f"unknown job state(s) {sorted(unknown)}; states are {STATES}")
        sql = f"SELECT {_JOB_COLUMNS} FROM jobs WHERE 1 = 1"
        params: list[Any] = []
        if states:
            sql += f" AND state IN ({', '.join('?' * len(states))})"
            params.extend(states)
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        return [_job(row) for row in self._conn().execute(sql + " ORDER BY id", params)]

    def job_for_detect(self, detect_uuid: str) -> Job | None:
        """The job that created (or adopted) this detect."""
        row = (
            self._conn()
            .execute(
                f"SELECT {_JOB_COLUMNS} FROM jobs WHERE detect_uuid = ? ORDER BY id DESC LIMIT 1",
                (detect_uuid,),
            )
            .fetchone()
        )
        return None if row is None else _job(row)

    def jobs_in_batch(self, batch_uuid: str) -> list[Job]:
        """The jobs sent in one ``/detect/batch`` request, oldest first."""
        rows = self._conn().execute(
            f"SELECT {_JOB_COLUMNS} FROM jobs WHERE batch_uuid = ? ORDER BY id", (batch_uuid,)
        )
        return [_job(row) for row in rows]

    def state_counts(self) -> dict[str, int]:
        """How many items stand in each state (latest job per item; skipped files count as
        ``skipped``, items without a job as ``new``)."""
        conn = self._conn()
        counts: dict[str, int] = {}
        rows = conn.execute(
            "SELECT COALESCE(j.state, 'new'), COUNT(*) FROM items i "
            "LEFT JOIN jobs j ON j.id = i.latest_job_id GROUP BY 1"
        )
        for state, count in rows:
            counts[state] = count
        skipped = conn.execute("SELECT COUNT(*) FROM skipped_files").fetchone()[0]
        if skipped:
            counts["skipped"] = counts.get("skipped", 0) + skipped
        return counts

    # -- moving ---------------------------------------------------------------------------

    def _move(
        self,
        conn: sqlite3.Connection,
        job_ids: list[int],
        to: JobState,
        sets: str = "",
        params: Mapping[int, tuple[Any, ...]] | tuple[Any, ...] = (),
    ) -> None:
        """Check every job may go to ``to``, then update them all (inside a transaction)."""
        for start in range(0, len(job_ids), _CHUNK):
            chunk = job_ids[start : start + _CHUNK]
            found = dict(
                conn.execute(
                    f"SELECT id, state FROM jobs WHERE id IN ({', '.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
            )
            for job_id in chunk:
                state = found.get(job_id)
                if state is None:
                    raise LedgerError(f"{self.path}: no job {job_id}")
                if to not in TRANSITIONS[state]:
                    raise InvalidTransition(
                        f"job {job_id} is {state}; it cannot become {to}"
                        + (
                            " (completed jobs are final: force a new job)"
                            if state == "completed"
                            else ""
                        )
                    )
        stamp = to_text(self._now())
        rows = [
            (to, stamp, *(params[job_id] if isinstance(params, Mapping) else params), job_id)
            for job_id in job_ids
        ]
        try:
            conn.executemany(f"UPDATE jobs SET state = ?, updated_at = ?{sets} WHERE id = ?", rows)
        except sqlite3.IntegrityError as exc:
            raise LedgerError(
                f"{self.path}: cannot make job(s) {job_ids} {to}: {exc} (another job for the "
                "same item and options is already in flight)"
            ) from None

    def mark_pending(self, job_ids: int | Iterable[int], reason: str | None = None) -> None:
        """Back to pending: a retry, a resume, or a create request that never left."""
        with self._write() as conn:
            self._move(
                conn, _ids(job_ids), "pending", ", error = ?, completed_at = NULL",
                (None if reason is None else scrub_text(reason),),
            )  # fmt: skip

    def mark_uploading(self, job_ids: int | Iterable[int]) -> None:
        """The item is being uploaded (secure upload: nothing billed yet)."""
        with self._write() as conn:
            self._move(conn, _ids(job_ids), "uploading")

    def mark_submitting(
        self,
        job_ids: int | Iterable[int],
        names: Mapping[int, str] | None = None,
        *,
        upload_request_id: str | None = None,
    ) -> None:
        """Mark that a create request is about to go out (call *before* sending it).

        Counts an attempt and records when, and the file name sent (``names[job_id]``), so
        that after a crash the detect can be found on the server instead of made again;
        with the request id of the secure upload whose token the create will carry, if
        any. An earlier create's request id is cleared: it is not this request's.
        """
        ids = _ids(job_ids)
        stamp = to_text(self._now())
        with self._write() as conn:
            self._move(
                conn, ids, "submitting",
                ", attempts = attempts + 1, submitting_at = ?, submit_name = ?, error = NULL"
                ", request_id = NULL, upload_request_id = ?",
                {i: (stamp, (names or {}).get(i), upload_request_id) for i in ids},
            )  # fmt: skip

    def mark_submitted(
        self,
        job_ids: int | Iterable[int],
        *,
        detect_uuid: str | None = None,
        batch_uuid: str | None = None,
        request_id: str | None = None,
    ) -> None:
        """The server accepted the request: record the detect (single) or batch uuid, and
        the ``X-Request-Id`` of the create's response (``None``: none sent, or adopted)."""
        ids = _ids(job_ids)
        if detect_uuid is not None and len(ids) != 1:
            raise ValueError("detect_uuid names one detect: give one job (see assign_detects)")
        stamp = to_text(self._now())
        with self._write() as conn:
            self._move(
                conn, ids, "submitted",
                ", submitted_at = CASE WHEN state = 'submitted' THEN submitted_at ELSE ? END"
                ", detect_uuid = COALESCE(?, detect_uuid), batch_uuid = COALESCE(?, batch_uuid)"
                ", request_id = COALESCE(?, request_id)",
                (stamp, detect_uuid, batch_uuid, request_id),
            )  # fmt: skip

    def assign_detects(self, detects: Mapping[int, str]) -> None:
        """Record the detect uuid of each job in a batch (``{job_id: detect_uuid}``)."""
        with self._write() as conn:
            self._move(
                conn, list(detects), "submitted", ", detect_uuid = ?",
                {job_id: (uuid,) for job_id, uuid in detects.items()},
            )  # fmt: skip

    def mark_completed(
        self, job_id: int, result: ResultRecord, segments: Sequence[SegmentRecord] = ()
    ) -> None:
        """The detect finished: store its result and segments with the state, atomically."""
        self.complete_many([(job_id, result, segments)])

    def complete_many(
        self, entries: Iterable[tuple[int, ResultRecord, Sequence[SegmentRecord]]]
    ) -> int:
        """:meth:`mark_completed` for many jobs in one transaction; return how many.

        All or nothing: if one job cannot complete (wrong state, bad raw JSON), none does.
        """
        todo = list(entries)
        ids = [job_id for job_id, _result, _segments in todo]
        if len(set(ids)) != len(ids):
            raise ValueError("a job can only be completed once per call")
        stamp = to_text(self._now())
        with self._write() as conn:
            self._move(conn, ids, "completed")
            known: dict[int, tuple[str, str | None]] = {}
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                rows = conn.execute(
                    "SELECT id, sha256, detect_uuid FROM jobs "
                    f"WHERE id IN ({', '.join('?' * len(chunk))})",
                    chunk,
                )
                known.update({job_id: (sha, uuid) for job_id, sha, uuid in rows})
            ended = {
                job_id: to_text(result.completed_at) if result.completed_at else stamp
                for job_id, result, _segments in todo
            }
            conn.executemany(
                "UPDATE jobs SET completed_at = ?, error = NULL, "
                "detect_uuid = COALESCE(?, detect_uuid), "
                "submitted_at = COALESCE(submitted_at, submitting_at) WHERE id = ?",
                [(ended[job_id], result.detect_uuid, job_id) for job_id, result, _ in todo],
            )
            self._insert_results(
                [
                    (job_id, *known[job_id], result, segments, ended[job_id])
                    for job_id, result, segments in todo
                ]
            )
        return len(todo)

    def mark_failed(
        self, job_ids: int | Iterable[int], reason: str, *, detect_uuid: str | None = None
    ) -> None:
        """The job cannot finish: keep the reason (scrubbed of anything token-like)."""
        ids = _ids(job_ids)
        if detect_uuid is not None and len(ids) != 1:
            raise ValueError("detect_uuid names one detect: give one job")
        with self._write() as conn:
            self._move(
                conn, ids, "failed",
                ", error = ?, completed_at = ?, detect_uuid = COALESCE(?, detect_uuid)",
                (scrub_text(reason), to_text(self._now()), detect_uuid),
            )  # fmt: skip

    def mark_skipped(self, job_ids: int | Iterable[int], reason: str) -> None:
        """No path can take the item with these options (e.g. too large): say why."""
        with self._write() as conn:
            self._move(conn, _ids(job_ids), "skipped", ", error = ?", (scrub_text(reason),))

    def mark_cancelled(self, job_ids: int | Iterable[int], reason: str = "cancelled") -> None:
        """The run was cancelled before this job finished (it can be resumed later)."""
        with self._write() as conn:
            self._move(conn, _ids(job_ids), "cancelled", ", error = ?", (scrub_text(reason),))
