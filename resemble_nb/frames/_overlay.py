"""The richest answer per item: analyses from every completed result, with their failures.

An item's row shows its latest result (while a newer job has none, such as one still
running or failed, the latest completed result, named in ``analyses_from``; ``status``
and ``error`` stay the newer job's). An analysis that result lacks (a plainer review
came later, or a detect with other detection options) is shown from the newest earlier
completed result that holds it, and ``analyses_from`` names the detect it came from.
Each analysis that failed, or was not returned in time, keeps its reason in the
``*_error`` column beside it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..ledger import Ledger

__all__ = ["ERROR_COLUMNS", "GROUPS", "OVERLAID", "overlay"]

GROUPS: dict[str, tuple[str, ...]] = {
    "intelligence": ("intelligence", "abnormalities", "transcription", "language"),
    "source_tracing": ("source_tracing",),
    "watermark": ("watermark",),
    "c2pa": ("c2pa",),
    "reverse_search": ("reverse_hits", "reverse_top"),
    "heatmap": ("heatmap",),
}
"""Analysis -> its columns in ``case.results()`` (the first says whether it is there)."""

ERROR_COLUMNS: dict[str, str] = {
    "intelligence": "intelligence_error",
    "source_tracing": "source_tracing_error",
    "watermark": "watermark_error",
    "heatmap": "heatmap_error",
}
"""Analysis -> the column holding why it failed or was not returned."""

OVERLAID = (*ERROR_COLUMNS.values(), "analyses_from")
"""Columns of ``case.results()`` made here, not read from the ledger."""

_FAILED = frozenset({"failed", "timed_out"})
_RESULT = (
    "label", "score", "audio_score", "video_score", "image_score", "consistency",
    "completed_at", "detect_uuid",
)  # fmt: skip


def _errors(text: Any) -> dict[str, str]:
    """``{analysis: reason}`` of the failed (or not returned) analyses in a result."""
    if not text:
        return {}
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return {
        str(name): str(a.get("reason") or a.get("status"))
        for name, a in found.items()
        if isinstance(a, dict) and a.get("status") in _FAILED
    }


def _held(values: dict[str, Any], group: str) -> bool:
    main = values.get(GROUPS[group][0])
    return bool(main) if group == "heatmap" else main is not None


def overlay(
    columns: dict[str, Any], n: int, ledger: Ledger, codes: Mapping[str, Sequence[str]]
) -> None:
    """Add the ``*_error`` columns and ``analyses_from`` to ``columns`` (``n`` item rows,
    raw from the ledger, with ``analyses_json``), filling analyses the latest result
    lacks from earlier ones. Columns in ``codes`` hold category codes (-1: none)."""

    def get(name: str, i: int) -> Any:
        value = columns[name][i]
        if name in codes:
            return None if value < 0 else codes[name][value]
        return value

    def put(name: str, i: int, value: Any) -> None:
        columns[name] = _mutable(columns[name])
        if name in codes:
            value = codes[name].index(value) if value in codes[name] else -1
        columns[name][i] = value

    texts: Sequence[Any] = columns.pop("analyses_json")
    errors: dict[str, list[str | None]] = {name: [None] * n for name in ERROR_COLUMNS.values()}
    for i, text in enumerate(texts):
        if text and ('"failed"' in text or '"timed_out"' in text):  # parse only failures
            for name, reason in _errors(text).items():
                if name in ERROR_COLUMNS:
                    errors[ERROR_COLUMNS[name]][i] = reason
    origin: list[str | None] = [None] * n
    earlier = ledger.earlier_analyses()
    if earlier.rows:
        names = earlier.columns
        by_item: dict[str, list[dict[str, Any]]] = {}
        for values in earlier.rows:
            by_item.setdefault(values[0], []).append(dict(zip(names, values, strict=True)))
        for i, sha in enumerate(columns["sha256"]):
            older = by_item.get(sha)
            if not older:
                continue
            notes = []
            if get("status", i) != "completed" and get("label", i) is None:
                latest = older[0]  # the latest completed detect, while a newer job is not
                for c in _RESULT:
                    put(c, i, latest[c])
                notes.append(f"result from detect {latest['detect_uuid']}")
            now = {c: get(c, i) for cols in GROUPS.values() for c in cols}
            for group, cols in GROUPS.items():
                error_col = ERROR_COLUMNS.get(group)
                if _held(now, group) or (error_col and errors[error_col][i] is not None):
                    continue
                for past in older:  # newest first
                    why = _errors(past["analyses_json"]).get(group)
                    if not _held(past, group) and why is None:
                        continue
                    for c in cols:
                        put(c, i, past[c])
                    if error_col:
                        errors[error_col][i] = why
                    notes.append(f"{group} from detect {past['detect_uuid']}")
                    break
            origin[i] = "; ".join(notes) or None
    columns.update(errors)
    columns["analyses_from"] = origin


def _mutable(values: Any) -> list[Any]:
    return values if isinstance(values, list) else list(values)
