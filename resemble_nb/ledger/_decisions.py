"""The triage log: append-only decisions (who, what, when, note). The latest one counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._base import LedgerBase, default_reviewer, must_time, to_text
from .errors import LedgerError
from .records import VERDICTS, Decision, Verdict

__all__ = ["DecisionsMixin", "default_reviewer"]

_COLUMNS = "id, sha256, verdict, note, reviewer, decided_at"


def _decision(row: Sequence[Any]) -> Decision:
    return Decision(row[0], row[1], row[2], row[3], row[4], must_time(row[5]))


class DecisionsMixin(LedgerBase):
    def decide(
        self, sha256: str, verdict: Verdict, note: str = "", *, reviewer: str | None = None
    ) -> Decision:
        """Append a decision about an item; it becomes the item's current verdict.

        There is no way to change or remove a decision (the file refuses it too): to
        correct one, decide again. ``reviewer`` defaults to the case's rule (see
        ``Case.decide``), else the logged-in user. With an :attr:`event_signer` set, the
        decision is signed before it commits, or not written at all.
        """
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
        who = self.actor(reviewer)
        with self._write(signed=True) as conn:
            try:
                cursor = conn.execute(
                    "INSERT INTO decisions (sha256, verdict, note, reviewer, decided_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (sha256, verdict, note, who, to_text(self._now())),
                )
            except self._store.integrity_error:
                raise LedgerError(f"{self.path}: no item {sha256} to decide about") from None
            row = self._added(conn, "decisions", _COLUMNS, cursor)
        return _decision(row)

    def decisions(self, sha256: str | None = None) -> list[Decision]:
        """The log, oldest first: for one item, or for the whole case."""
        return [_decision(row) for row in self._log("decisions", _COLUMNS, sha256)]

    def verdict_for(self, sha256: str) -> Decision | None:
        """The item's current verdict: its latest decision, or ``None``."""
        row = self._latest("decisions", _COLUMNS, sha256)
        return None if row is None else _decision(row)

    def current_verdicts(self) -> dict[str, Decision]:
        """The current verdict of every decided item, by sha256."""
        rows = self._conn().execute(
            f"SELECT {_COLUMNS} FROM decisions WHERE id IN "
            "(SELECT MAX(id) FROM decisions GROUP BY sha256) ORDER BY id"
        )
        return {row[1]: _decision(row) for row in rows}
