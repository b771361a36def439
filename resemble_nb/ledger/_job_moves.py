"""How a job moves: every ``mark_*`` is checked against the one table of transitions.

Each ``mark_*`` call is its own committed transaction: the state is on disk before the
caller takes the next step (``mark_submitting`` before a create request goes out). Moves
are checked against :data:`~resemble_nb.ledger.records.TRANSITIONS`; completing a job
stores its result and segments in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._base import to_text
from ._results import ResultsMixin
from ._scrub import scrub_text
from ._store import Connection
from .errors import InvalidTransition, LedgerError
from .records import TRANSITIONS, JobState, ResultRecord, SegmentRecord

__all__ = ["JobMovesMixin"]


def _ids(job_ids: int | Iterable[int]) -> list[int]:
    return [job_ids] if isinstance(job_ids, int) else list(job_ids)


class JobMovesMixin(ResultsMixin):
    # -- moving ---------------------------------------------------------------------------

    def _move(
        self,
        conn: Connection,
        job_ids: list[int],
        to: JobState,
        sets: str = "",
        params: Mapping[int, tuple[Any, ...]] | tuple[Any, ...] = (),
    ) -> None:
        """Check every job may go to ``to``, then update them all (inside a transaction)."""
        for chunk in self._chunks(job_ids):
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
        except self._store.integrity_error as exc:
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
            for chunk in self._chunks(ids):
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
