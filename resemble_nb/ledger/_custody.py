"""Reading the event chain, and writing what only the custody layer knows.

Most events are appended by triggers (see :mod:`._events`); this part adds the explicit
ones (a report, an export or a bundle written, a threshold chosen), the reviewers' public
keys and the signatures over event hashes, and the exhibits cut from items.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._base import LedgerBase, to_text
from ._events import DECISION_ID_SQL, Event, canonical, row_event
from ._signing import EventSigner
from .errors import LedgerError

_EVENT_COLUMNS = "seq, kind, subject, at, payload, reconstructed, prev, hash"

VOUCHED_SQL = (
    "SELECT i.sha256, r.detect_uuid, r.label, r.score FROM items i "
    "LEFT JOIN results r ON r.job_id = i.latest_job_id ORDER BY i.rowid"
)
"""Each item's current result, as a report's manifest vouches for it."""


@dataclass(frozen=True)
class Signer:
    """A reviewer's public key recorded in the case."""

    fingerprint: str
    reviewer: str
    public_key: str
    added_at: str


@dataclass(frozen=True)
class Signature:
    """A signature over one event's hash (and so over the whole chain up to it)."""

    seq: int
    fingerprint: str
    signature: str
    signed_at: str


@dataclass(frozen=True)
class ExhibitRecord:
    """A clip or still cut from an item, with its lineage."""

    id: int
    sha256: str
    source_sha256: str
    kind: str
    path: str
    start_s: float | None
    end_s: float | None
    size: int
    tool: str
    created_at: str


class CustodyMixin(LedgerBase):
    # -- the chain ------------------------------------------------------------------------

    def events(
        self,
        *,
        kind: str | None = None,
        subject: str | None = None,
        reconstructed: bool | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        """The chain, oldest first (optionally one kind, about one item, rebuilt or not)."""
        clauses: list[str] = []
        args: list[Any] = []
        if kind is not None:
            clauses.append("kind = ?")
            args.append(kind)
        if subject is not None:
            clauses.append("subject = ?")
            args.append(subject)
        if reconstructed is not None:
            clauses.append("reconstructed = ?")
            args.append(int(reconstructed))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        tail = "" if limit is None else f" LIMIT {int(limit)}"
        rows = self._conn().execute(
            f"SELECT {_EVENT_COLUMNS} FROM events{where} ORDER BY seq{tail}", args
        )
        return [row_event(row) for row in rows]

    def chain_head(self) -> Event:
        """The newest sealed event: its hash stands for the whole history."""
        row = (
            self._conn()
            .execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE hash IS NOT NULL "
                "ORDER BY seq DESC LIMIT 1"
            )
            .fetchone()
        )
        if row is None:
            raise LedgerError(f"{self.path}: the case has no custody events")
        return row_event(row)

    def record_event(
        self,
        kind: str,
        facts: Mapping[str, Any],
        *,
        subject: str = "",
        signer: EventSigner | None = None,
    ) -> Event:
        """Append an event the tables do not show (``"report_written"``...); return it sealed.

        An event of a kind that must be signed is signed by ``signer`` (else the ledger's
        :attr:`event_signer`) inside the same write, or nothing is written.
        """
        with self._write(signer, signed=True) as conn:
            cursor = conn.execute(
                "INSERT INTO events (kind, subject, at, payload) VALUES (?, ?, ?, ?)",
                (kind, subject, to_text(self._now()), canonical(dict(facts))),
            )
            seq = cursor.lastrowid
        row = (
            self._conn()
            .execute(f"SELECT {_EVENT_COLUMNS} FROM events WHERE seq = ?", (seq,))
            .fetchone()
        )
        return row_event(row)

    def decision_event(self, decision_id: int) -> Event | None:
        """The sealed event that recorded a decision."""
        row = (
            self._conn()
            .execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE kind = 'decision' "
                f"AND {DECISION_ID_SQL} = ? ORDER BY seq LIMIT 1",
                (decision_id,),
            )
            .fetchone()
        )
        return None if row is None else row_event(row)

    def vouched_results(self) -> list[tuple[str, str | None, str | None, float | None]]:
        """``(sha256, detect_uuid, label, score)`` of every item's current result."""
        return [(r[0], r[1], r[2], r[3]) for r in self._conn().execute(VOUCHED_SQL)]

    # -- signers and signatures -----------------------------------------------------------

    def add_signer(self, fingerprint: str, reviewer: str, public_key: str) -> Signer:
        """Record a reviewer's public key (once per key)."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO signers (fingerprint, reviewer, public_key, added_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(fingerprint) DO NOTHING",
                (fingerprint, reviewer, public_key, to_text(self._now())),
            )
        found = self.signers().get(fingerprint)
        assert found is not None
        return found

    def signers(self) -> dict[str, Signer]:
        """Every recorded public key, by fingerprint."""
        rows = self._conn().execute(
            "SELECT fingerprint, reviewer, public_key, added_at FROM signers ORDER BY rowid"
        )
        return {row[0]: Signer(*row) for row in rows}

    def add_signature(self, seq: int, fingerprint: str, signature: str) -> Signature:
        """Record a signature over event ``seq``'s hash."""
        stamp = to_text(self._now()) or ""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO signatures (seq, fingerprint, signature, signed_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(seq, fingerprint) DO NOTHING",
                (seq, fingerprint, signature, stamp),
            )
        return Signature(seq, fingerprint, signature, stamp)

    def newest_signature(self) -> tuple[int, Signature] | None:
        """``(rowid, signature)`` of the signature recorded last, or ``None``."""
        row = (
            self._conn()
            .execute(
                "SELECT rowid, seq, fingerprint, signature, signed_at FROM signatures "
                "ORDER BY rowid DESC LIMIT 1"
            )
            .fetchone()
        )
        return None if row is None else (int(row[0]), Signature(int(row[1]), *row[2:]))

    def signatures(self) -> list[Signature]:
        """Every signature, in event order."""
        rows = self._conn().execute(
            "SELECT seq, fingerprint, signature, signed_at FROM signatures ORDER BY seq, rowid"
        )
        return [Signature(int(r[0]), r[1], r[2], r[3]) for r in rows]

    # -- exhibits -------------------------------------------------------------------------

    def add_exhibit(
        self,
        *,
        sha256: str,
        source_sha256: str,
        kind: str,
        path: str | os.PathLike[str],
        start_s: float | None,
        end_s: float | None,
        size: int,
        tool: Mapping[str, Any],
    ) -> ExhibitRecord:
        """Record an exhibit file (its path is kept relative to the case when inside it)."""
        text, _in_case = self._store_path(path)
        with self._write(signed=True) as conn:
            cursor = conn.execute(
                "INSERT INTO exhibits (sha256, source_sha256, kind, path, start_s, end_s, size, "
                "tool, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    sha256,
                    source_sha256,
                    kind,
                    text,
                    start_s,
                    end_s,
                    size,
                    json.dumps(dict(tool), sort_keys=True),
                    to_text(self._now()),
                ),
            )
            exhibit_id = int(cursor.lastrowid or 0)
        return next(e for e in self.exhibits() if e.id == exhibit_id)

    def exhibits(self) -> list[ExhibitRecord]:
        """Every exhibit, oldest first (paths absolute)."""
        rows = self._conn().execute(
            "SELECT id, sha256, source_sha256, kind, path, start_s, end_s, size, tool, "
            "created_at FROM exhibits ORDER BY id"
        )
        out = []
        for row in rows:
            path = str(self._load_path(row[4], 0 if os.path.isabs(row[4]) else 1))
            out.append(ExhibitRecord(row[0], row[1], row[2], row[3], path, *row[5:]))
        return out
