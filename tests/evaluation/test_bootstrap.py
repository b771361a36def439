"""The vectorised bootstrap: each resample's statistics are scikit-learn's, and its
interval covers the true AUC of a known pair of distributions as often as it should."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from resemble_nb.evaluation import bootstrap
from resemble_nb.evaluation._bootstrap import ap_from_counts, auc_from_counts
from resemble_nb.sandbox.scoring import PLANTED_AUC, planted_score


def _sample(n: int, seed: int, decimals: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.4
    s = 1 / (1 + np.exp(-(rng.normal(0, 1, n) + 1.8 * y - 0.9)))
    return y, (np.round(s, decimals) if decimals is not None else s)


@pytest.mark.parametrize("decimals", [None, 2])
def test_count_formulas_equal_scikit_learn_with_weights(decimals: int | None) -> None:
    y, s = _sample(400, 1, decimals)
    weights = np.random.default_rng(2).poisson(1.0, len(y))
    distinct, group = np.unique(-s, return_inverse=True)  # highest score first
    pos = np.bincount(group, weights=weights * y, minlength=len(distinct))
    neg = np.bincount(group, weights=weights * ~y, minlength=len(distinct))
    assert auc_from_counts(pos, neg) == pytest.approx(roc_auc_score(y, s, sample_weight=weights))
    assert ap_from_counts(pos, neg) == pytest.approx(
        average_precision_score(y, s, sample_weight=weights)
    )


@pytest.mark.parametrize("decimals", [None, 1])
def test_every_resample_matches_scikit_learn_on_the_same_draws(decimals: int | None) -> None:
    y, s = _sample(300, 3, decimals)
    result = bootstrap(y, s, resamples=5, seed=11)
    rng = np.random.default_rng(11)  # the documented draw order: fakes, then reals
    fakes, reals = np.flatnonzero(y[np.argsort(-s, kind="stable")]), None
    order = np.argsort(-s, kind="stable")
    ranked_y, ranked_s = y[order], s[order]
    fakes, reals = np.flatnonzero(ranked_y), np.flatnonzero(~ranked_y)
    for r in range(5):
        picks = np.r_[
            fakes[rng.integers(0, len(fakes), size=len(fakes))],
            reals[rng.integers(0, len(reals), size=len(reals))],
        ]
        ys, ss = ranked_y[picks], ranked_s[picks]
        assert result.auc[r] == pytest.approx(roc_auc_score(ys, ss))
        assert result.ap[r] == pytest.approx(average_precision_score(ys, ss))


def test_the_same_seed_gives_the_same_interval_and_bands_are_ordered() -> None:
    y, s = _sample(500, 4)
    one, two = bootstrap(y, s, resamples=200, seed=5), bootstrap(y, s, resamples=200, seed=5)
    assert np.array_equal(one.auc, two.auc)
    assert np.all(one.roc_low <= one.roc_high) and np.all(one.pr_low <= one.pr_high)
    assert one.roc_low[0] >= 0.0 and one.roc_high[-1] == pytest.approx(1.0)


def test_both_classes_are_needed() -> None:
    with pytest.raises(ValueError, match="both known-fake and known-real"):
        bootstrap([1, 1, 1], [0.2, 0.5, 0.9])


@pytest.mark.slow
def test_the_interval_covers_the_true_auc_of_the_planted_truth_in_90_percent_of_runs() -> None:
    """Scores drawn by the sandbox's planted truth, whose true AUC is known analytically."""
    covered = 0
    for seed in range(100):
        y = np.arange(200) < 80  # 80 known fake, 120 known real
        s = np.array(
            [
                planted_score(hashlib.sha256(f"{seed}:{i}".encode()).hexdigest(), truth)
                for i, truth in enumerate(np.where(y, "fake", "real"))
            ]
        )
        low, high = np.percentile(bootstrap(y, s, resamples=1000, seed=seed).auc, [2.5, 97.5])
        covered += low <= PLANTED_AUC <= high
    assert covered >= 90, f"covered the true AUC {PLANTED_AUC:.4f} in {covered} of 100 runs"
