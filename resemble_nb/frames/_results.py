"""Ledger rows into pandas DataFrames with a fixed schema (columns, order, dtypes).

The frames are the contract between the case ledger and everything that reads results
(plots, report, widgets, the investigator's own pandas). Every frame has the same
columns whether the case is empty or holds 100,000 items.

>>> from resemble_nb.frames import empty_results, LABELS
>>> list(empty_results().columns[:4])
['name', 'path', 'paths', 'sha256']
>>> LABELS
['real', 'likely_real', 'uncertain', 'likely_fake', 'fake']

Built column by column from the ledger's bulk rows (never row by row through pandas),
so ``results_frame`` and ``segments_frame`` stay well under two seconds for 100,000 items.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..api import LABELS as _LABELS
from ..ledger import DEFAULT_THRESHOLD
from ..ledger import STATES as _JOB_STATES
from ..ledger import VERDICTS as _VERDICTS
from ..media.provenance import PROVENANCE_STATES as _PROVENANCE_STATES

if TYPE_CHECKING:
    from ..ledger import Ledger

__all__ = [
    "C2PA_STATES",
    "DECISION_COLUMNS",
    "DEFAULT_THRESHOLD",
    "KINDS",
    "LABELS",
    "LABEL_DTYPE",
    "LOCAL_C2PA_STATES",
    "MEDIA_TYPES",
    "RESULT_COLUMNS",
    "SEGMENT_COLUMNS",
    "SOURCES",
    "STATUSES",
    "VERDICTS",
    "WATERMARK_STATES",
    "decisions_frame",
    "empty_decisions",
    "empty_results",
    "empty_segments",
    "results_frame",
    "segments_frame",
]

LABELS: list[str] = list(_LABELS)
"""The five-step verdict scale, from most real to most fake (an ordered categorical)."""
LABEL_DTYPE = pd.CategoricalDtype(LABELS, ordered=True)
MEDIA_TYPES: list[str] = ["audio", "video", "image"]
STATUSES: list[str] = list(_JOB_STATES)
"""A job's states, as the ledger keeps them."""
VERDICTS: list[str] = list(_VERDICTS)
SOURCES: list[str] = ["api", "sandbox"]
WATERMARK_STATES: list[str] = ["found", "not_found", "pending", "failed"]
"""``watermark`` column: a watermark was found, none was, the check is running, it failed."""
C2PA_STATES: list[str] = ["Valid", "NotPresent", "Unavailable"]
"""``c2pa`` column: the C2PA ``validation_state`` as the API names it."""
LOCAL_C2PA_STATES: list[str] = list(_PROVENANCE_STATES)
"""``local_c2pa`` column: the C2PA manifest embedded in the file, as read locally at intake
(``Trusted``, ``Valid``, ``Invalid``, ``NotPresent``, ``Unsupported``, ``Unreadable``,
``Unavailable``: without the ``provenance`` extra)."""
KINDS: list[str] = ["window", "frame", "segment"]

_UTC = "datetime64[ns, UTC]"
_STRING = "string"

RESULT_COLUMNS: dict[str, Any] = {
    "name": _STRING,
    "path": _STRING,
    "paths": object,
    "sha256": _STRING,
    "media_type": pd.CategoricalDtype(MEDIA_TYPES),
    "size": "Int64",
    "duration": "Float64",
    "status": pd.CategoricalDtype(STATUSES),
    "label": LABEL_DTYPE,
    "score": "Float64",
    "audio_score": "Float64",
    "video_score": "Float64",
    "image_score": "Float64",
    "consistency": "Float64",
    "detect_uuid": _STRING,
    "submitted_at": _UTC,
    "completed_at": _UTC,
    "error": _STRING,
    "verdict": pd.CategoricalDtype(VERDICTS),
    "note": _STRING,
    "source": pd.CategoricalDtype(SOURCES),
    "intelligence": _STRING,
    "abnormalities": _STRING,
    "transcription": _STRING,
    "language": _STRING,
    "source_tracing": _STRING,
    "watermark": pd.CategoricalDtype(WATERMARK_STATES),
    "c2pa": pd.CategoricalDtype(C2PA_STATES),
    "local_c2pa": pd.CategoricalDtype(LOCAL_C2PA_STATES),
    "reverse_hits": "Int64",
    "reverse_top": _STRING,
    "heatmap": "boolean",
}
"""``case.results()``: column -> dtype, in order.

The last eleven but ``local_c2pa`` come from the extra analyses asked for
(``intelligence``, ``audio_source_tracing``, ``detect_watermark``, C2PA,
``use_reverse_search``, ``visualize``); ``<NA>`` where an analysis was not asked for or
sent. ``local_c2pa`` is the file's own C2PA manifest read at intake, beside the API's
``c2pa``; ``<NA>`` for an item not read yet."""

SEGMENT_COLUMNS: dict[str, Any] = {
    "sha256": _STRING,
    "name": _STRING,
    "track": pd.CategoricalDtype(MEDIA_TYPES),
    "kind": pd.CategoricalDtype(KINDS),
    "index": "Int64",
    "start_s": "Float64",
    "end_s": "Float64",
    "score": "Float64",
    "label": LABEL_DTYPE,
}
"""``case.segments()``: column -> dtype, in order."""

DECISION_COLUMNS: dict[str, Any] = {
    "sha256": _STRING,
    "name": _STRING,
    "verdict": pd.CategoricalDtype(VERDICTS),
    "note": _STRING,
    "reviewer": _STRING,
    "decided_at": _UTC,
}
"""``case.decisions()``: column -> dtype, in order."""


# -- building columns ---------------------------------------------------------------------


Values = Any
"""A column's values: a list, tuple or numpy array (``None``/NaN for missing)."""


def _column(values: Values, dtype: Any) -> Any:
    """One column of ``dtype`` from plain Python values (``None`` for missing)."""
    if isinstance(dtype, pd.CategoricalDtype):  # codes by dict lookup: 2x pd.Categorical
        lookup = {category: code for code, category in enumerate(dtype.categories)}
        codes = np.fromiter((lookup.get(v, -1) for v in values), dtype=np.int8, count=len(values))
        return pd.Categorical.from_codes(codes, dtype=dtype)
    if dtype == _UTC:
        return _times(values)
    if dtype is object:
        array = np.empty(len(values), dtype=object)
        array[:] = list(values)
        return array
    if dtype == "Float64":
        floats = np.array(values, dtype=float)  # None -> nan
        return pd.arrays.FloatingArray(floats, np.isnan(floats))
    if dtype == "Int64" and isinstance(values, np.ndarray) and values.dtype.kind == "i":
        return pd.arrays.IntegerArray(values.astype("int64"), np.zeros(len(values), dtype=bool))
    if dtype == "boolean":
        return pd.array([None if v is None else bool(v) for v in values], dtype="boolean")
    if dtype == "Int64":
        mask = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
        ints = np.fromiter((0 if v is None else v for v in values), dtype="int64")
        return pd.arrays.IntegerArray(ints, mask)
    return pd.array(values, dtype=dtype)


def _times(values: Values) -> Any:
    """ISO-8601 text (as stored) into ``datetime64[ns, UTC]``."""
    if not len(values):
        return pd.DatetimeIndex([], dtype=_UTC)
    parsed = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
    return parsed.astype("datetime64[ns, UTC]").array


def _frame(columns: dict[str, Values], schema: dict[str, Any]) -> pd.DataFrame:
    data = {name: _column(columns[name], dtype) for name, dtype in schema.items()}
    frame: pd.DataFrame = pd.DataFrame(data, columns=list(schema), copy=False)
    return frame


def _empty(schema: dict[str, Any]) -> pd.DataFrame:
    return _frame({name: [] for name in schema}, schema)


def empty_results() -> pd.DataFrame:
    """A results frame with no rows (the right columns and dtypes)."""
    return _empty(RESULT_COLUMNS)


def empty_segments() -> pd.DataFrame:
    """A segments frame with no rows."""
    return _empty(SEGMENT_COLUMNS)


def empty_decisions() -> pd.DataFrame:
    """A decisions frame with no rows."""
    return _empty(DECISION_COLUMNS)


def _pick(
    rows: Sequence[Sequence[Any]], columns: Sequence[str], wanted: Iterable[str]
) -> dict[str, list[Any]]:
    """The ``wanted`` columns of ``rows`` as lists (only those: no full transpose)."""
    position = {name: i for i, name in enumerate(columns)}
    return {name: list(map(itemgetter(position[name]), rows)) for name in wanted}


# -- the frames ---------------------------------------------------------------------------


def results_frame(ledger: Ledger, *, include_skipped: bool = True) -> pd.DataFrame:
    """One row per media item (``case.results()``), then one per skipped file.

    An item's row shows its latest job (status, error, detect uuid, times), that job's
    result when it completed, and the item's latest triage verdict and note. Files that
    could not become items (unsupported, unreadable...) follow as ``skipped`` rows with
    the reason in ``error``. Missing values are ``<NA>``; a missing result is never
    shown as a label or a score.
    """
    return _results_frame(ledger, include_skipped)


def _results_frame(ledger: Ledger, include_skipped: bool) -> pd.DataFrame:
    got = ledger.results_columns()
    columns: dict[str, Values] = {name: got[name] for name in RESULT_COLUMNS if name in got}
    n = len(got["sha256"])
    del got
    columns["paths"] = [p.split("\n") if p else [] for p in columns["paths"]]
    if include_skipped:
        skipped = ledger.skipped_rows()
        s = _pick(skipped.rows, skipped.columns, ("name", "path", "sha256", "size", "reason"))
        m = len(skipped.rows)
        if m:
            blank = [None] * m
            extra: dict[str, Values] = {name: blank for name in RESULT_COLUMNS}
            extra.update(
                name=s["name"],
                path=s["path"],
                paths=[[p] for p in s["path"]],
                sha256=s["sha256"],
                size=s["size"],
                status=["skipped"] * m,
                error=s["reason"],
            )
            for name in RESULT_COLUMNS:
                columns[name] = list(columns[name]) + list(extra[name])
            n += m
    assert all(len(v) == n for v in columns.values())
    return _frame(columns, RESULT_COLUMNS)


def segments_frame(ledger: Ledger) -> pd.DataFrame:
    """One row per scored audio window, video frame and face segment (``case.segments()``).

    Only the latest job of each item counts. Audio windows carry no label from the API,
    so their ``label`` is ``<NA>`` (never guessed); frames and segments carry the
    server's conclusion.
    """
    return _segments_frame(ledger)


def _segments_frame(ledger: Ledger) -> pd.DataFrame:
    cols = ledger.segments_columns()
    shas = cols["sha256"]
    if not len(shas):
        return empty_segments()
    names = ledger.item_names()
    # name per row through the (few) distinct items, not a lookup per row
    codes, items = pd.factorize(shas)
    item_names = np.array([names.get(sha) for sha in items], dtype=object)
    columns: dict[str, Values] = {
        "sha256": shas,
        "name": item_names[codes],
        "track": cols["track"],
        "kind": cols["kind"],
        "index": cols["index"],
        "start_s": cols["start_s"],
        "end_s": cols["end_s"],
        "score": cols["score"],
        "label": cols["label"],
    }
    return _frame(columns, SEGMENT_COLUMNS)


def decisions_frame(ledger: Ledger) -> pd.DataFrame:
    """The triage log (``case.decisions()``), oldest first: every decision ever made."""
    decisions = ledger.decisions()
    if not decisions:
        return empty_decisions()
    names = ledger.item_names()
    columns: dict[str, Values] = {
        "sha256": [d.sha256 for d in decisions],
        "name": [names.get(d.sha256) for d in decisions],
        "verdict": [d.verdict for d in decisions],
        "note": [d.note for d in decisions],
        "reviewer": [d.reviewer for d in decisions],
        "decided_at": [d.decided_at.isoformat() for d in decisions],
    }
    return _frame(columns, DECISION_COLUMNS)
