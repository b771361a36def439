"""Matplotlib figures for a case's results: distribution, ranking, timeline, triage.

This layer draws what the frames hold; it must not talk HTTP or read the ledger. Every
function returns a :class:`matplotlib.figure.Figure`, draws into ``ax=`` when
given (and then returns ``ax``'s figure), never calls ``plt.show`` and never touches
pyplot's global state, so it works headless, in threads and in notebooks alike.
Empty or score-less frames give a figure that says so instead of raising.

>>> fig = score_distribution(case.results())          # doctest: +SKIP
>>> png = figure_to_png(fig)                           # doctest: +SKIP
"""

from resemble_nb.plots._agreement import AGREEMENT_NAMES, agreement_intervals, reviewer_matrix
from resemble_nb.plots._evaluation import (
    GROUP_COLORS,
    calibration_curve,
    confusion_matrix,
    pr_curve,
    roc_curve,
    truth_distribution,
)
from resemble_nb.plots._scores import ranked_scores, score_distribution, triage_progress
from resemble_nb.plots._style import (
    BANDS,
    LABEL_COLORS,
    LABELS,
    NO_LABEL_COLOR,
    VERDICT_COLORS,
    VERDICTS,
    band_color,
    figure_to_data_uri,
    figure_to_png,
)
from resemble_nb.plots._tables import DecisionsTable, decisions_table
from resemble_nb.plots._timeline import timeline

__all__ = [
    "AGREEMENT_NAMES",
    "BANDS",
    "GROUP_COLORS",
    "LABELS",
    "LABEL_COLORS",
    "NO_LABEL_COLOR",
    "VERDICTS",
    "VERDICT_COLORS",
    "DecisionsTable",
    "agreement_intervals",
    "band_color",
    "calibration_curve",
    "confusion_matrix",
    "decisions_table",
    "figure_to_data_uri",
    "figure_to_png",
    "pr_curve",
    "ranked_scores",
    "reviewer_matrix",
    "roc_curve",
    "score_distribution",
    "timeline",
    "triage_progress",
    "truth_distribution",
]
