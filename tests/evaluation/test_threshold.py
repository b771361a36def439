"""recommend_threshold: defensible thresholds, honest intervals, refusals in plain words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from resemble_nb.case import Case
from resemble_nb.evaluation import evaluate_group, min_real_for, recommend_threshold, wilson

from .conftest import add_scored


def _group(n_real: int, n_fake: int, seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    s = np.r_[rng.beta(2, 5, n_real), rng.beta(5, 2, n_fake)].round(4)
    y = np.r_[np.zeros(n_real, bool), np.ones(n_fake, bool)]
    return evaluate_group("overall", y, s, threshold=0.5, resamples=0)


def test_target_fpr_gives_the_lowest_threshold_whose_upper_bound_meets_it() -> None:
    g = _group(2000, 500)
    rec = recommend_threshold(g, target_fpr=0.01, resamples=200)
    assert rec.ok and rec.threshold is not None
    fpr = rec.false_positive_rate
    assert fpr is not None and fpr.high <= 0.01
    # one step lower (the next distinct score down) would break the bound
    lower = np.unique(g.scores[g.scores < rec.threshold]).max()
    k = int(((g.scores >= lower) & ~g.truth).sum())
    assert wilson(k, g.n_real)[1] > 0.01
    assert rec.threshold_ci is not None and rec.threshold_ci[0] <= rec.threshold_ci[1]
    assert "Recommended threshold" in repr(rec) and "how firm" in repr(rec)
    assert rec.evidence()["false_positive_rate"]["n"] == 2000


def test_too_few_real_media_is_refused_in_plain_words() -> None:
    rec = recommend_threshold(_group(41, 60), target_fpr=0.01)
    assert not rec.ok and min_real_for(0.01) == 381
    assert "at least 381" in rec.refusal and "has 41" in rec.refusal
    assert "under 8.6%" in rec.refusal
    assert repr(rec).startswith("No threshold recommended")


def test_costs_minimise_the_weighted_errors() -> None:
    g = _group(300, 300)
    cheap_misses = recommend_threshold(g, costs={"false_positive": 10, "false_negative": 1})
    cheap_alarms = recommend_threshold(g, costs={"false_positive": 1, "false_negative": 10})
    assert cheap_misses.threshold is not None and cheap_alarms.threshold is not None
    assert cheap_alarms.threshold < cheap_misses.threshold
    t = cheap_alarms.threshold
    cost = lambda x: 1 * ((g.scores >= x) & ~g.truth).sum() + 10 * ((g.scores < x) & g.truth).sum()  # noqa: E731
    assert all(cost(t) <= cost(x) for x in np.unique(g.scores))


def test_costs_need_enough_of_both() -> None:
    rec = recommend_threshold(_group(5, 50), costs={"false_positive": 1, "false_negative": 1})
    assert not rec.ok and "at least 10 known real" in rec.refusal
    with pytest.raises(ValueError, match="false_positive"):
        recommend_threshold(_group(50, 50), costs={"fp": 1})


def test_the_case_records_the_chosen_threshold_and_its_evidence(case: Case) -> None:
    rng = np.random.default_rng(3)
    fake = np.arange(500) < 100
    scores = np.where(fake, rng.beta(5, 2, 500), rng.beta(2, 5, 500)).round(4)
    shas = add_scored(case, list(scores))
    case.import_labels(pd.DataFrame({"sha256": shas, "label": np.where(fake, "fake", "real")}))
    rec = case.recommend_threshold(target_fpr=0.01, resamples=100)
    assert rec.ok
    choice = case.choose_threshold(rec, note="for the editor", chosen_by="ana")
    assert case.threshold == rec.threshold and choice.method == "target_fpr"
    assert choice.evidence["n_real"] == 400 and choice.evidence["target_fpr"] == 0.01
    refused = case.recommend_threshold(target_fpr=0.001)
    with pytest.raises(ValueError, match="nothing to choose"):
        case.choose_threshold(refused)
    assert "At 0.50, measured on this case: real media flagged" in (
        case.threshold_evidence().caption(0.5)
    )


def test_a_threshold_for_one_media_type(case: Case) -> None:
    rng = np.random.default_rng(4)
    n = 600
    fake = np.arange(n) % 2 == 0
    media = np.where(np.arange(n) % 3 == 0, "image", "audio")
    scores = np.where(fake, rng.beta(5, 2, n), rng.beta(2, 5, n)).round(4)
    shas = add_scored(case, list(scores), media_types=list(media))
    case.import_labels(pd.DataFrame({"sha256": shas, "label": np.where(fake, "fake", "real")}))
    audio = case.recommend_threshold(target_fpr=0.05, media_type="audio", resamples=50)
    assert audio.group == "audio" and audio.n_real + audio.n_fake == int((media == "audio").sum())
    with pytest.raises(KeyError, match="no group 'video'"):
        case.recommend_threshold(media_type="video")
