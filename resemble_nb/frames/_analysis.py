"""``case.intelligence()``, ``case.questions()`` and ``case.feedback()`` as typed frames.

Like :mod:`resemble_nb.frames`: fixed columns and dtypes, the same whether the case is
empty or not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..api._findings import TEXT_FIELDS_AV, TEXT_FIELDS_IMAGE
from ._results import MEDIA_TYPES, _frame

if TYPE_CHECKING:
    from ..ledger import Ledger

__all__ = [
    "FEEDBACK_COLUMNS",
    "INTELLIGENCE_COLUMNS",
    "QUESTION_COLUMNS",
    "QUESTION_STATES",
    "feedback_frame",
    "intelligence_frame",
    "questions_frame",
]

_STRING = "string"
_UTC = "datetime64[ns, UTC]"
FINDING_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys((*TEXT_FIELDS_AV, "fraud", "liveness", "digitally_altered", *TEXT_FIELDS_IMAGE))
)
"""Every documented structured intelligence field, audio/video first, then image."""
QUESTION_STATES = ["asking", "pending", "processing", "completed", "failed"]

INTELLIGENCE_COLUMNS: dict[str, Any] = {
    "sha256": _STRING,
    "name": _STRING,
    "media_type": pd.CategoricalDtype(MEDIA_TYPES),
    "detect_uuid": _STRING,
    "status": _STRING,
    "summary": _STRING,
    "structured": "boolean",
    **{name: _STRING for name in FINDING_FIELDS},
}
"""``case.intelligence()``: one row per item with an intelligence report."""

QUESTION_COLUMNS: dict[str, Any] = {
    "sha256": _STRING,
    "name": _STRING,
    "detect_uuid": _STRING,
    "question": _STRING,
    "status": pd.CategoricalDtype(QUESTION_STATES),
    "answer": _STRING,
    "error": _STRING,
    "asker": _STRING,
    "asked_at": _UTC,
    "answered_at": _UTC,
}
"""``case.questions()``: one row per question asked, oldest first."""

FEEDBACK_COLUMNS: dict[str, Any] = {
    "sha256": _STRING,
    "name": _STRING,
    "detect_uuid": _STRING,
    "verdict": _STRING,
    "type": _STRING,
    "outcome": pd.CategoricalDtype(["sent", "failed"]),
    "error": _STRING,
    "sent_at": _UTC,
}
"""``case.feedback()``: every feedback sent (or tried), oldest first."""


def intelligence_frame(ledger: Ledger) -> pd.DataFrame:
    """One row per item whose latest result carries an intelligence report."""
    names = ledger.item_names()
    rows = ledger.intelligence_rows()
    columns: dict[str, Any] = {
        "sha256": [r[0] for r in rows],
        "name": [names.get(r[0]) for r in rows],
        "media_type": [r[1] for r in rows],
        "detect_uuid": [r[2] for r in rows],
        "status": [r[3] for r in rows],
        "summary": [r[4] for r in rows],
        "structured": [bool(r[5]) for r in rows],
    }
    for name in FINDING_FIELDS:
        columns[name] = [r[5].get(name) for r in rows]
    return _frame(columns, INTELLIGENCE_COLUMNS)


def questions_frame(ledger: Ledger) -> pd.DataFrame:
    """One row per question and its answer, oldest first."""
    return _log_frame(ledger, ledger.questions(), QUESTION_COLUMNS, {"question": "query"})


def feedback_frame(ledger: Ledger) -> pd.DataFrame:
    """The feedback log: what was sent to Resemble for which verdict, and when."""
    return _log_frame(ledger, ledger.feedback_log(), FEEDBACK_COLUMNS)


def _log_frame(
    ledger: Ledger,
    records: Sequence[Any],
    schema: dict[str, Any],
    attributes: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per record of a log: its item's name, then each column of ``schema`` from
    the record's attribute of that name (or of ``attributes[column]``); times as text."""
    names = ledger.item_names()
    columns: dict[str, list[Any]] = {"name": [names.get(r.sha256) for r in records]}
    for column in schema:
        if column != "name":
            values = [getattr(r, (attributes or {}).get(column, column)) for r in records]
            columns[column] = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return _frame(columns, schema)
