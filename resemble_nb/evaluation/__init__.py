"""Ground truth, metrics and thresholds: how reliable are the scores on this case's media?

It must not talk HTTP. Ground truth comes from imported labels (:func:`import_labels`) and from
reviewers' confirmed verdicts (:func:`ground_truth_frame`); :func:`evaluate` measures ROC
and precision-recall curves, AUC, rates at a threshold and calibration with intervals,
overall and per media type; :func:`recommend_threshold` picks a threshold it can defend,
or refuses in plain words. The metrics are scikit-learn's (``pip install
'resemble_nb[evaluation]'``).

>>> case.import_labels("labels.csv")            # doctest: +SKIP
>>> ev = case.evaluate(by="media_type")         # doctest: +SKIP
>>> case.recommend_threshold(target_fpr=0.01)   # doctest: +SKIP
"""

from __future__ import annotations

from ._agreement import RATING_COLUMNS, Agreement, agreement
from ._agreement_report import agreement_section
from ._bootstrap import GRID, BootstrapResult, bootstrap
from ._labels import LabelImport, RowProblem, import_labels
from ._metrics import MIN_PER_CLASS, GroupEvaluation, evaluate_group
from ._rates import Rate, wilson
from ._report import reliability_section
from ._result import OVERALL, Evaluation, evaluate
from ._threshold import (
    ThresholdEvidence,
    ThresholdRecommendation,
    min_real_for,
    recommend_threshold,
)
from ._truth import TRUTH_COLUMNS, ground_truth_frame
from .errors import EvaluationError

__all__ = [
    "GRID",
    "MIN_PER_CLASS",
    "OVERALL",
    "RATING_COLUMNS",
    "TRUTH_COLUMNS",
    "Agreement",
    "BootstrapResult",
    "Evaluation",
    "EvaluationError",
    "GroupEvaluation",
    "LabelImport",
    "Rate",
    "RowProblem",
    "ThresholdEvidence",
    "ThresholdRecommendation",
    "agreement",
    "agreement_section",
    "bootstrap",
    "evaluate",
    "evaluate_group",
    "ground_truth_frame",
    "import_labels",
    "min_real_for",
    "recommend_threshold",
    "reliability_section",
    "wilson",
]
