"""Metrics of a group equal scikit-learn's on the same data; rates carry Wilson intervals."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

from resemble_nb.evaluation import Rate, evaluate_group


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    y = rng.random(600) < 0.3
    s = np.clip(rng.normal(0.35 + 0.3 * y, 0.15), 0, 1).round(3)
    return y, s


def test_point_metrics_match_scikit_learn(data: tuple[np.ndarray, np.ndarray]) -> None:
    y, s = data
    g = evaluate_group("overall", y, s, threshold=0.55, resamples=200)
    assert g.auc == pytest.approx(roc_auc_score(y, s))
    assert g.average_precision == pytest.approx(average_precision_score(y, s))
    fpr, tpr, _ = roc_curve(y, s)
    assert np.allclose(g.roc_fpr, fpr) and np.allclose(g.roc_tpr, tpr)
    flagged = s >= 0.55
    assert np.array_equal(g.confusion(), confusion_matrix(y, flagged))
    assert g.precision.value == pytest.approx(precision_score(y, flagged))
    assert g.recall.value == pytest.approx(recall_score(y, flagged))
    tn, fp, fn, tp = confusion_matrix(y, flagged).ravel()
    assert g.false_positive_rate.value == pytest.approx(fp / (fp + tn))
    assert g.false_negative_rate.value == pytest.approx(fn / (fn + tp))
    assert g.auc_ci[0] < g.auc < g.auc_ci[1]


def test_calibration_matches_scikit_learn_with_counts(data: tuple[np.ndarray, np.ndarray]) -> None:
    y, s = data
    cal = evaluate_group("overall", y, s, threshold=0.5, resamples=0).calibration()
    fraction, mean = calibration_curve(y, s, n_bins=10)
    assert np.allclose(cal["fraction_fake"], fraction) and np.allclose(cal["mean_score"], mean)
    assert cal["n"].sum() == len(y)
    assert np.all(cal["low"] <= cal["fraction_fake"])
    assert np.all(cal["fraction_fake"] <= cal["high"])


def test_at_moves_only_the_threshold(data: tuple[np.ndarray, np.ndarray]) -> None:
    y, s = data
    g = evaluate_group("overall", y, s, threshold=0.5, resamples=50)
    moved = g.at(0.8)
    assert moved.auc_ci == g.auc_ci and moved.counts != g.counts
    assert moved.counts["tp"] + moved.counts["fp"] == int((s >= 0.8).sum())


def test_one_class_only_has_no_curves_and_says_why() -> None:
    g = evaluate_group("image", [0, 0, 0], [0.1, 0.2, 0.9], threshold=0.5)
    assert np.isnan(g.auc) and g.roc_band is None
    assert g.false_positive_rate == Rate(1, 3)
    assert any("no item known to be fake" in n for n in g.notes())
    assert any("only 3 known real" in n for n in g.notes())
