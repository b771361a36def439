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
from ._overlay import OVERLAID, overlay

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
    "intelligence_error": _STRING,
    "abnormalities": _STRING,
    "transcription": _STRING,
    "language": _STRING,
    "source_tracing": _STRING,
    "source_tracing_error": _STRING,
    "watermark": pd.CategoricalDtype(WATERMARK_STATES),
    "watermark_error": _STRING,
    "c2pa": pd.CategoricalDtype(C2PA_STATES),
    "local_c2pa": pd.CategoricalDtype(LOCAL_C2PA_STATES),
    "reverse_hits": "Int64",
    "reverse_top": _STRING,
    "heatmap": "boolean",
    "heatmap_error": _STRING,
    "analyses_from": _STRING,
}
"""``case.results()``: column -> dtype, in order.

The columns from ``intelligence`` on (but ``local_c2pa``) come from the extra analyses
asked for (``intelligence``, ``audio_source_tracing``, ``detect_watermark``, C2PA,
``use_reverse_search``, ``visualize``); ``<NA>`` where an analysis was not asked for or
sent. Each ``*_error`` column beside one holds why it failed, or that the service did not
return it in time (a later review or ``case.refresh_analyses()`` fetches it). An analysis
the item's latest result lacks is shown from an earlier completed result that holds it,
and ``analyses_from`` names that detect. ``local_c2pa`` is the file's own C2PA manifest
read at intake, beside the API's ``c2pa``; ``<NA>`` for an item not read yet."""

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
    """One column of ``dtype`` from plain Python values (``None`` for missing).

    Every branch hands the whole column to numpy or Arrow at once (no Python loop per
    value); categorical columns may arrive as codes already (``_Codes``).
    """
    if isinstance(values, _Codes):
        return pd.Categorical.from_codes(np.asarray(values.codes, dtype=np.int8), dtype=dtype)
    if isinstance(dtype, pd.CategoricalDtype):  # codes by dict lookup: 2x pd.Categorical
        lookup = {category: code for code, category in enumerate(dtype.categories)}
        codes = np.fromiter((lookup.get(v, -1) for v in values), dtype=np.int8, count=len(values))
        return pd.Categorical.from_codes(codes, dtype=dtype)
    if dtype == _UTC:
        return _times(values)
    if dtype is object:
        array = np.empty(len(values), dtype=object)
        array[:] = values if isinstance(values, list) else list(values)
        return array
    if dtype == _STRING:
        return _strings(values)
    if isinstance(values, np.ndarray) and values.dtype.kind == "i" and dtype == "Int64":
        return pd.arrays.IntegerArray(values.astype("int64"), np.zeros(len(values), dtype=bool))
    floats = np.array(values, dtype=float)  # None -> nan, in C
    missing = np.isnan(floats)
    if dtype == "Float64":
        return pd.arrays.FloatingArray(floats, missing)
    if dtype == "Int64":  # sizes and counts: exact in a float64 below 2**53
        return pd.arrays.IntegerArray(np.where(missing, 0, floats).astype("int64"), missing)
    if dtype == "boolean":
        return pd.arrays.BooleanArray(np.where(missing, 0, floats).astype(bool), missing)
    return pd.array(values, dtype=dtype)


class _Codes:
    """A categorical column given as codes (positions in its dtype's categories; -1: none)."""

    def __init__(self, codes: Any) -> None:
        self.codes = codes

    def __len__(self) -> int:
        return len(self.codes)


_ARROW_STRINGS = pd.StringDtype().storage == "pyarrow"


def _strings(values: Values) -> Any:
    """A ``string`` column: straight into one Arrow array where pandas keeps them there."""
    if _ARROW_STRINGS and isinstance(values, list):
        import pyarrow as pa

        return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()))
    return pd.array(values, dtype=_STRING)


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
    result when it completed, every analysis any of its completed results holds (with
    ``analyses_from`` naming an earlier detect it came from, and each failure's reason in
    the ``*_error`` column beside it), and the item's latest triage verdict and note.
    Files that could not become items (unsupported, unreadable...) follow as ``skipped`` rows with
    the reason in ``error``. Missing values are ``<NA>``; a missing result is never
    shown as a label or a score.
    """
    return _results_frame(ledger, include_skipped)


_CODED = {name: list(d.categories) for name, d in RESULT_COLUMNS.items()
          if isinstance(d, pd.CategoricalDtype)}  # fmt: skip
_FETCHED = [name for name in RESULT_COLUMNS if name != "paths" and name not in OVERLAID] + [
    "several_paths",
    "analyses_json",
]


def _results_frame(ledger: Ledger, include_skipped: bool) -> pd.DataFrame:
    columns: dict[str, Values] = ledger.results_columns(only=_FETCHED, codes=_CODED)
    several = columns.pop("several_paths")
    # a list per row (the column's contract); split only where an item has several paths.
    # The collector is left alone (issue 9: pausing it pauses it for the engine's thread
    # too): these lists set off its collections, about 0.1-0.3 s CPU at 100,000 items
    columns["paths"] = [
        [] if not p else [p] if many is None else many.split("\n")
        for p, many in zip(columns["path"], several, strict=True)
    ]
    del several
    n = len(columns["sha256"])
    overlay(columns, n, ledger, _CODED)
    if include_skipped:
        skipped = ledger.skipped_rows()
        s = _pick(skipped.rows, skipped.columns, ("name", "path", "sha256", "size", "reason"))
        m = len(skipped.rows)
        if m:
            blank = [None] * m
            extra: dict[str, Values] = {name: blank for name in RESULT_COLUMNS}
            extra.update({name: [-1] * m for name in _CODED})
            extra.update(
                name=s["name"],
                path=s["path"],
                paths=[[p] for p in s["path"]],
                sha256=s["sha256"],
                size=s["size"],
                status=[_CODED["status"].index("skipped")] * m,
                error=s["reason"],
            )
            for name in RESULT_COLUMNS:
                columns[name] = columns[name] + list(extra[name])
            n += m
    for name in _CODED:
        columns[name] = _Codes(columns[name])
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
    got = ledger.segments_blocks()
    counts = got["counts"]
    if not int(counts.sum()):
        return empty_segments()
    block = np.repeat(np.arange(len(counts)), counts)  # each segment's block
    columns: dict[str, Values] = {
        "sha256": _per_block(got["sha256"], block),
        "name": _per_block(got["name"], block),
        "track": _Codes(np.repeat(got["track"], counts)),
        "kind": _Codes(np.repeat(got["kind"], counts)),
        "index": got["index"],
        "start_s": got["start_s"],
        "end_s": got["end_s"],
        "score": got["score"],
        "label": _Codes(got["label"]),
    }
    return _frame(columns, SEGMENT_COLUMNS)


def _per_block(values: list[str | None], block: Any) -> Any:
    """A ``string`` column of one value per block, repeated for each of its segments."""
    if not _ARROW_STRINGS:
        return _strings(list(np.array(values, dtype=object)[block]))
    import pyarrow as pa

    return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()).take(block))


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
