"""Jobs: one detect of one item with one set of options; creating and finding them.

How a job moves from state to state is :mod:`._job_moves`; the schema itself refuses a
second job in flight for the same item and options.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from ._base import from_text, must_time, to_text
from ._results import ResultsMixin
from ._scrub import scrub
from ._store import Connection
from .errors import LedgerError
from .records import LIVE_STATES, STATES, Job, JobSpec, JobState, Source

__all__ = ["JOB_COLUMNS", "JobsMixin", "job_of"]

JOB_COLUMNS = (
    "id, sha256, options_key, options_json, strategy, state, source, detect_uuid, batch_uuid, "
    "submit_name, attempts, error, created_at, submitting_at, submitted_at, completed_at, "
    "updated_at, request_id, upload_request_id"
)
_INSERT_JOB = (
    "INSERT INTO jobs (sha256, options_key, options_json, strategy, source, created_at, "
    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def job_of(row: Sequence[Any]) -> Job:
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
        """:meth:`ensure_job` for many specs, in one transaction.

        Set-based: one read of the existing jobs (in chunks), one bulk insert of the new
        ones, one read of what was inserted, whatever the number of specs. A spec given
        twice gets the job its first mention found or made.
        """
        specs = list(specs)
        with self._write() as conn:
            latest = self._latest_jobs(conn, specs)
            fresh: list[JobSpec] = []
            making: set[tuple[str, str]] = set()
            for spec in specs:
                key = (spec.sha256, spec.options_key)
                row = latest.get(key)
                if key not in making and (row is None or (force and row[5] not in LIVE_STATES)):
                    making.add(key)
                    fresh.append(spec)
            made = self._insert_jobs(conn, fresh)
        jobs: dict[tuple[str, str], Job] = {}
        out: list[tuple[Job, bool]] = []
        for spec in specs:
            key = (spec.sha256, spec.options_key)
            job = made.pop(key, None)
            if job is not None:  # the first mention made it; later ones reuse it
                jobs[key] = job
                out.append((job, True))
                continue
            if key not in jobs:
                jobs[key] = job_of(latest[key])
            out.append((jobs[key], False))
        return out

    def _latest_jobs(
        self, conn: Connection, specs: Sequence[JobSpec]
    ) -> dict[tuple[str, str], Any]:
        """The newest job row of each spec's (item, options), by key; chunked reads."""
        wanted = {(spec.sha256, spec.options_key) for spec in specs}
        shas = sorted({sha for sha, _key in wanted})
        found: dict[tuple[str, str], Any] = {}
        step = max(1, self._store.max_params)
        for start in range(0, len(shas), step):
            chunk = shas[start : start + step]
            rows = conn.execute(
                f"SELECT {JOB_COLUMNS} FROM jobs WHERE sha256 IN "
                f"({','.join('?' * len(chunk))}) ORDER BY id",
                chunk,
            )
            for row in rows:
                if (row[1], row[2]) in wanted:
                    found[(row[1], row[2])] = row  # ascending ids: the newest stays
        return found

    def _insert_jobs(
        self, conn: Connection, specs: Sequence[JobSpec]
    ) -> dict[tuple[str, str], Job]:
        """Insert pending jobs for ``specs`` (in order); return them by (item, options)."""
        if not specs:
            return {}
        stamp = to_text(self._now())
        texts: dict[int, str] = {}  # the options of a review are one object: scrubbed once
        rows = []
        for spec in specs:
            text = texts.get(id(spec.options))
            if text is None:
                text = json.dumps(scrub(spec.options), sort_keys=True, separators=(",", ":"))
                texts[id(spec.options)] = text
            rows.append(
                (spec.sha256, spec.options_key, text, spec.strategy, spec.source, stamp, stamp)
            )
        last = conn.execute("SELECT COALESCE(MAX(id), 0) FROM jobs").fetchone()[0]
        try:
            conn.executemany(_INSERT_JOB, rows)
        except self._store.integrity_error as exc:
            done = conn.execute("SELECT COUNT(*) FROM jobs WHERE id > ?", (last,)).fetchone()[0]
            raise self._integrity(exc, specs[min(int(done), len(specs) - 1)].sha256) from None
        # the write lock is held: the new rows are exactly those after ``last``, in order
        made = conn.execute(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id > ? ORDER BY id", (last,))
        return {(row[1], row[2]): job_of(row) for row in made}

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
            except self._store.integrity_error as exc:
                raise self._integrity(exc, "(one of the items)") from None
            # the write lock is held: the new rows are exactly those after ``last``
            return [
                r[0] for r in conn.execute("SELECT id FROM jobs WHERE id > ? ORDER BY id", (last,))
            ]

    def _insert_job(self, conn: Connection, spec: JobSpec) -> int:
        stamp = to_text(self._now())
        options = json.dumps(scrub(spec.options), sort_keys=True, separators=(",", ":"))
        try:
            cursor = conn.execute(
                _INSERT_JOB,
                (spec.sha256, spec.options_key, options, spec.strategy, spec.source, stamp, stamp),
            )
        except self._store.integrity_error as exc:
            raise self._integrity(exc, spec.sha256) from None
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _integrity(self, exc: Exception, sha256: str) -> LedgerError:
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

    def _fetch(self, conn: Connection, job_id: int) -> Job:
        row = conn.execute(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise LedgerError(f"{self.path}: no job {job_id}")
        return job_of(row)

    def job(self, job_id: int) -> Job:
        """The job with this id (``LedgerError`` if there is none)."""
        return self._fetch(self._conn(), job_id)

    def jobs_by_id(self, job_ids: Iterable[int]) -> dict[int, Job]:
        """The jobs with these ids, by id (in chunked reads; unknown ids are left out)."""
        conn = self._conn()
        out: dict[int, Job] = {}
        for chunk in self._chunks(list(dict.fromkeys(job_ids))):
            rows = conn.execute(
                f"SELECT {JOB_COLUMNS} FROM jobs WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            out.update((row[0], job_of(row)) for row in rows)
        return out

    def job_for(self, sha256: str, options_key: str) -> Job | None:
        """The latest job for this item and options key, or ``None``."""
        return self._last_job("sha256 = ? AND options_key = ?", sha256, options_key)

    def jobs_for_item(self, sha256: str) -> list[Job]:
        """Every job of an item, oldest first (its history)."""
        return self._jobs_where("sha256 = ?", sha256)

    def reviewed_on(self) -> str | None:
        """The service (``"api"`` or ``"sandbox"``) the latest job was sent to, or ``None``."""
        row = self._conn().execute("SELECT source FROM jobs ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else str(row[0])

    def jobs_in_state(self, *states: JobState, source: Source | None = None) -> list[Job]:
        """Jobs in any of ``states`` (all jobs if none given), oldest first."""
        unknown = set(states) - set(STATES)
        if unknown:
            raise ValueError(f"unknown job state(s) {sorted(unknown)}; states are {STATES}")
        sql = f"SELECT {JOB_COLUMNS} FROM jobs WHERE 1 = 1"
        params: list[Any] = []
        if states:
            sql += f" AND state IN ({', '.join('?' * len(states))})"
            params.extend(states)
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        return [job_of(row) for row in self._conn().execute(sql + " ORDER BY id", params)]

    def job_for_detect(self, detect_uuid: str) -> Job | None:
        """The job that created (or adopted) this detect."""
        return self._last_job("detect_uuid = ?", detect_uuid)

    def jobs_in_batch(self, batch_uuid: str) -> list[Job]:
        """The jobs sent in one ``/detect/batch`` request, oldest first."""
        return self._jobs_where("batch_uuid = ?", batch_uuid)

    def _jobs_where(self, where: str, *params: Any) -> list[Job]:
        sql = f"SELECT {JOB_COLUMNS} FROM jobs WHERE {where} ORDER BY id"
        return [job_of(row) for row in self._conn().execute(sql, params)]

    def _last_job(self, where: str, *params: Any) -> Job | None:
        sql = f"SELECT {JOB_COLUMNS} FROM jobs WHERE {where} ORDER BY id DESC LIMIT 1"
        row = self._conn().execute(sql, params).fetchone()
        return None if row is None else job_of(row)

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
