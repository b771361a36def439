"""Ground truth (media known to be real or fake) and the thresholds chosen on it.

Both are append-only logs, like the triage decisions: importing a label again adds a
row (the latest one per item counts), and choosing a threshold adds a row with the
evidence it was chosen on. Nothing recorded changes silently.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from ._base import LedgerBase, must_time, to_text
from .errors import LedgerError

__all__ = ["DEFAULT_THRESHOLD", "TRUTHS", "ThresholdChoice", "Truth", "TruthLabel", "TruthMixin"]

Truth = Literal["real", "fake"]
TRUTHS: tuple[Truth, ...] = ("real", "fake")

DEFAULT_THRESHOLD = 0.5
"""Scores at or above this are flagged, until a case chooses its own threshold."""
_LABEL_COLUMNS = "id, sha256, truth, source, imported_by, imported_at"
_THRESHOLD_COLUMNS = "id, threshold, method, evidence_json, note, chosen_by, chosen_at"


@dataclass(frozen=True)
class TruthLabel:
    """One imported ground-truth label: the item, real or fake, and where it came from."""

    id: int
    sha256: str
    truth: Truth
    source: str
    imported_by: str
    imported_at: datetime


@dataclass(frozen=True)
class ThresholdChoice:
    """A threshold chosen for the case, with the evidence it was chosen on."""

    id: int
    threshold: float
    method: str
    evidence: dict[str, Any]
    note: str
    chosen_by: str
    chosen_at: datetime


def _label(row: Sequence[Any]) -> TruthLabel:
    return TruthLabel(row[0], row[1], row[2], row[3], row[4], must_time(row[5]))


def _choice(row: Sequence[Any]) -> ThresholdChoice:
    return ThresholdChoice(
        row[0], float(row[1]), row[2], json.loads(row[3]), row[4], row[5], must_time(row[6])
    )


class TruthMixin(LedgerBase):
    def add_truth_labels(
        self, labels: Iterable[tuple[str, Truth, str]], *, imported_by: str | None = None
    ) -> int:
        """Append ``(sha256, truth, source)`` labels in one transaction; return how many.

        All or nothing: an unknown item or a truth other than real/fake stores none.
        """
        who = self.actor(imported_by)
        stamp = to_text(self._now())
        rows = []
        for sha256, truth, source in labels:
            if truth not in TRUTHS:
                raise ValueError(f"truth must be 'real' or 'fake', not {truth!r}")
            rows.append((sha256, truth, source, who, stamp))
        with self._write(signed=True) as conn:
            try:
                conn.executemany(
                    "INSERT INTO truth_labels (sha256, truth, source, imported_by, imported_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    rows,
                )
            except Exception as exc:
                raise LedgerError(f"{self.path}: labels not stored ({exc})") from None
        return len(rows)

    def truth_labels(self) -> list[TruthLabel]:
        """Every imported label, oldest first."""
        rows = self._conn().execute(f"SELECT {_LABEL_COLUMNS} FROM truth_labels ORDER BY id")
        return [_label(row) for row in rows]

    def current_truth(self) -> dict[str, TruthLabel]:
        """The latest imported label of every labelled item, by sha256."""
        rows = self._conn().execute(
            f"SELECT {_LABEL_COLUMNS} FROM truth_labels WHERE id IN "
            "(SELECT MAX(id) FROM truth_labels GROUP BY sha256) ORDER BY id"
        )
        return {row[1]: _label(row) for row in rows}

    def choose_threshold(
        self,
        threshold: float,
        method: str,
        evidence: Mapping[str, Any] | None = None,
        note: str = "",
        *,
        chosen_by: str | None = None,
    ) -> ThresholdChoice:
        """Record the case's threshold and the evidence behind it (append-only)."""
        value = float(threshold)
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, not {threshold!r}")
        who = self.actor(chosen_by)
        text = json.dumps(dict(evidence or {}), sort_keys=True, allow_nan=False)
        with self._write(signed=True) as conn:
            cursor = conn.execute(
                "INSERT INTO thresholds (threshold, method, evidence_json, note, chosen_by, "
                "chosen_at) VALUES (?, ?, ?, ?, ?, ?)",
                (value, method, text, note, who, to_text(self._now())),
            )
            row = self._added(conn, "thresholds", _THRESHOLD_COLUMNS, cursor)
        return _choice(row)

    def threshold_choices(self) -> list[ThresholdChoice]:
        """Every threshold chosen for the case, oldest first (the latest one counts)."""
        rows = self._conn().execute(f"SELECT {_THRESHOLD_COLUMNS} FROM thresholds ORDER BY id")
        return [_choice(row) for row in rows]

    def path_index(self) -> list[tuple[str, str, str]]:
        """``(sha256, absolute path, file name)`` for every path any item was seen at."""
        rows = self._conn().execute(
            "SELECT sha256, path, in_case, name FROM item_paths ORDER BY rowid"
        )
        return [
            (sha, str(self._load_path(path, in_case)), name) for sha, path, in_case, name in rows
        ]

    def truth_version(self) -> tuple[int, int, int]:
        """Changes whenever ground truth or scores may have: the newest decision, label and
        result (cheap, for views that cache what they measured)."""
        row = (
            self._conn()
            .execute(
                "SELECT (SELECT COALESCE(MAX(id), 0) FROM decisions), "
                "(SELECT COALESCE(MAX(id), 0) FROM truth_labels), "
                "(SELECT COALESCE(MAX(rowid), 0) FROM results)"
            )
            .fetchone()
        )
        return int(row[0]), int(row[1]), int(row[2])
