"""The frames layer: ledger rows into pandas DataFrames with a fixed schema.

``_results`` builds the results, segments and decisions frames; ``_analysis`` the
intelligence, questions and feedback frames. They are the contract between the ledger
and everything that reads results (plots, the report, widgets, the investigator's own
pandas). This layer reads the ledger; it must not talk HTTP or render anything.

>>> from resemble_nb.frames import empty_results, LABELS
>>> list(empty_results().columns[:4])
['name', 'path', 'paths', 'sha256']
"""

from ._results import (
    C2PA_STATES,
    DECISION_COLUMNS,
    DEFAULT_THRESHOLD,
    KINDS,
    LABEL_DTYPE,
    LABELS,
    LOCAL_C2PA_STATES,
    MEDIA_TYPES,
    RESULT_COLUMNS,
    SEGMENT_COLUMNS,
    SOURCES,
    STATUSES,
    VERDICTS,
    WATERMARK_STATES,
    decisions_frame,
    empty_decisions,
    empty_results,
    empty_segments,
    results_frame,
    segments_frame,
)

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
