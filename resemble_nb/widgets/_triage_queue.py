"""The triage queue as plain data: which items to look at, in which order.

Pure functions over ``case.results()`` so the filter rules are tested without widgets.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

import pandas as pd

from ..api import LABELS  # the five-step label scale, from real to fake

__all__ = [
    "LABELS",
    "SORTS",
    "build_queue",
    "check_labels",
    "find_in_queue",
    "mirror_decision",
    "positions",
    "row_dict",
    "verdict_at",
]

#: Queue orders: key -> words for the menu.
SORTS: dict[str, str] = {
    "score": "Score, highest first",
    "name": "Name",
    "time": "Time analysed, newest first",
    "unreviewed": "Unreviewed first",
}


def check_labels(labels: Iterable[str] | None) -> tuple[str, ...]:
    """Validate a label filter; ``None`` means every label."""
    if labels is None:
        return LABELS
    if isinstance(labels, str):
        labels = [labels]
    chosen = tuple(dict.fromkeys(labels))
    unknown = [label for label in chosen if label not in LABELS]
    if unknown:
        raise ValueError(f"unknown label(s) {unknown}: choose from {', '.join(LABELS)}")
    return chosen


def build_queue(
    frame: pd.DataFrame,
    *,
    threshold: float,
    labels: Collection[str],
    unreviewed_only: bool,
    sort: str = "score",
) -> list[str]:
    """The sha256 of every item to triage, in ``sort`` order (default highest score first).

    Rows without a sha256 (files skipped before hashing) are never in it; an item is in
    the queue when its score is at or above ``threshold`` (with a
    threshold of 0, items without a score are included too, last), its label is one
    of ``labels`` (items without a label pass only when every label is chosen), and,
    with ``unreviewed_only``, it has no verdict yet. Ties keep name order.
    """
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}: choose from {', '.join(SORTS)}")
    if frame.empty:
        return []
    score = pd.to_numeric(frame["score"], errors="coerce").astype("Float64")
    keep = (score >= threshold).fillna(False)
    identified = frame["sha256"].notna()  # a skipped file that was never hashed: no item
    if threshold <= 0:
        keep = keep | score.isna()
    if set(labels) != set(LABELS):
        label = frame["label"].astype("string")
        keep = keep & label.isin(list(labels)).fillna(False)
    if unreviewed_only and "verdict" in frame:
        keep = keep & frame["verdict"].isna()
    keep = keep & identified
    chosen = frame.loc[keep.to_numpy(dtype=bool)]
    when = chosen["completed_at"] if "completed_at" in chosen else pd.Series([pd.NaT] * len(chosen))
    decided = chosen["verdict"].notna() if "verdict" in chosen else pd.Series([False] * len(chosen))
    order = pd.DataFrame(
        {
            "score": score[keep.to_numpy(dtype=bool)].fillna(-1.0).to_numpy(dtype=float),
            "name": chosen["name"].astype("string").fillna("").str.casefold().to_numpy(),
            "sha256": chosen["sha256"].astype("string").to_numpy(),
            "when": pd.to_datetime(when, utc=True, errors="coerce").to_numpy(),
            "decided": decided.to_numpy(dtype=bool),
        }
    )
    columns, ascending = {
        "score": (["score", "name"], [False, True]),
        "name": (["name", "score"], [True, False]),
        "time": (["when", "name"], [False, True]),
        "unreviewed": (["decided", "score", "name"], [True, False, True]),
    }[sort]
    order = order.sort_values(columns, ascending=ascending, kind="stable", na_position="last")
    return [str(s) for s in order["sha256"]]


def _plain(value: Any) -> Any:
    """pandas scalars (NA, numpy numbers, Timestamps) as plain Python values."""
    if isinstance(value, (list, tuple)):
        return list(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    if hasattr(value, "item") and not isinstance(value, pd.Timestamp):
        return value.item()
    return value


def positions(frame: pd.DataFrame) -> dict[str, int]:
    """sha256 -> row position, to find an item's row without scanning the frame."""
    shas = frame["sha256"].astype("string")
    return {str(sha): i for i, sha in enumerate(shas) if not pd.isna(sha) and sha}


def row_dict(frame: pd.DataFrame, position: int) -> dict[str, Any]:
    """The row at ``position`` as a dict of plain values (``None`` for missing)."""
    row = frame.iloc[position]
    return {str(col): _plain(row[col]) for col in frame.columns}


def find_in_queue(item: str, shas: list[str], names: list[str]) -> int | None:
    """Where ``item`` is in the queue: by sha256 (or a prefix of 6+), then exact file
    name, then part of a name (case-insensitive); ``None`` if nowhere."""
    rules: list[Callable[[int], bool]] = [
        lambda i: shas[i] == item or (len(item) >= 6 and shas[i].startswith(item.lower())),
        lambda i: names[i] == item,
        lambda i: item.casefold() in names[i].casefold(),
    ]
    for match in rules:
        for i in range(len(shas)):
            if item and match(i):
                return i
    return None


def mirror_decision(frame: pd.DataFrame, row: int, verdict: str, note: str) -> None:
    """Write a decision into ``frame`` (the board's copy of the results), in place."""
    if "verdict" not in frame:
        frame["verdict"] = pd.Series([None] * len(frame), dtype="object")
    column = frame["verdict"]
    if isinstance(column.dtype, pd.CategoricalDtype) and verdict not in column.cat.categories:
        frame["verdict"] = column.cat.add_categories([verdict])
    frame.loc[frame.index[row], "verdict"] = verdict
    if "note" not in frame:
        frame["note"] = pd.Series([None] * len(frame), dtype="string")
    frame.loc[frame.index[row], "note"] = note


def verdict_at(frame: pd.DataFrame, row: int) -> Any:
    """The verdict in ``frame``'s row, or ``None``."""
    if "verdict" not in frame:
        return None
    value = frame["verdict"].iloc[row]
    return None if pd.isna(value) else value
