"""Local provenance: what each item's own C2PA manifest said when it was first read.

One row per reading (append-only; the latest row of an item counts). A trigger records
each row in the custody chain as a ``provenance_read`` event (see :mod:`._events`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ._base import LedgerBase, to_text

_COLUMNS = "id, sha256, state, reason, claim_generator, title, signer, signed_at, summary, tool"


class ProvenanceLike(Protocol):
    """What :meth:`ProvenanceMixin.add_provenance` records (``media.provenance.Provenance``)."""

    @property
    def state(self) -> str: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def claim_generator(self) -> str | None: ...
    @property
    def title(self) -> str | None: ...
    @property
    def signer(self) -> str | None: ...
    @property
    def signed_at(self) -> str | None: ...
    @property
    def summary(self) -> str: ...


@dataclass(frozen=True)
class ProvenanceRecord:
    """One reading of an item's embedded C2PA manifest (see ``media.provenance``)."""

    id: int
    sha256: str
    state: str
    reason: str | None
    claim_generator: str | None
    title: str | None
    signer: str | None
    signed_at: str | None
    summary: str
    tool: str | None
    read_at: str


class ProvenanceMixin(LedgerBase):
    def provenance_to_read(self, sha256s: Iterable[str], *, available: bool) -> list[str]:
        """The items among ``sha256s`` whose provenance is still to be read.

        Content is identity: an item read before is not read again, unless its latest
        reading was ``Unavailable`` (the library was missing) and it is ``available`` now.
        """
        wanted = list(dict.fromkeys(sha256s))
        if not wanted:
            return []
        latest = {
            row[0]: row[1]
            for row in self._conn().execute(
                "SELECT sha256, state FROM provenance WHERE id IN "
                "(SELECT max(id) FROM provenance GROUP BY sha256)"
            )
        }
        return [
            sha
            for sha in wanted
            if sha not in latest or (available and latest[sha] == "Unavailable")
        ]

    def add_provenance(self, readings: Sequence[tuple[str, ProvenanceLike, str | None]]) -> int:
        """Record ``(sha256, Provenance, tool)`` readings in one transaction; return how many."""
        stamp = to_text(self._now())
        rows = [
            (
                sha,
                p.state,
                p.reason,
                p.claim_generator,
                p.title,
                p.signer,
                p.signed_at,
                p.summary,
                tool,
                stamp,
            )
            for sha, p, tool in readings
        ]
        if not rows:
            return 0
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO provenance (sha256, state, reason, claim_generator, title, signer, "
                "signed_at, summary, tool, read_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def provenance_for(self, sha256: str) -> ProvenanceRecord | None:
        """The item's latest reading, or ``None`` if never read."""
        row = self._latest("provenance", f"{_COLUMNS}, read_at", sha256)
        return None if row is None else ProvenanceRecord(*row)

    def latest_provenance(self) -> dict[str, ProvenanceRecord]:
        """Every item's latest reading, by sha256 (one query, for reports)."""
        rows = self._conn().execute(
            f"SELECT {_COLUMNS}, read_at FROM provenance WHERE id IN "
            "(SELECT max(id) FROM provenance GROUP BY sha256)"
        )
        return {row[1]: ProvenanceRecord(*row) for row in rows}
