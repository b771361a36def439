"""Agreement figures: equal to scikit-learn, statsmodels and krippendorff on the same data
(and on bootstrap resamples), and Gwet's AC1 equal to a hand-worked example."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa

from resemble_nb.evaluation import OVERALL, agreement
from resemble_nb.evaluation._agreement_stats import prepare, statistics

CATS = ["confirmed_fake", "confirmed_real", "needs_escalation", "inconclusive"]


def _codes(n: int, raters: int, seed: int, missing: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.choice(4, size=n, p=[0.5, 0.3, 0.15, 0.05])
    codes = np.where(
        rng.random((n, raters)) < 0.75, truth[:, None], rng.integers(0, 4, (n, raters))
    )
    codes[rng.random((n, raters)) < missing] = -1
    return codes


def _frame(codes: np.ndarray, media: list[str] | None = None) -> pd.DataFrame:
    rows = []
    for i, row in enumerate(codes):
        for r, c in enumerate(row):
            if c >= 0:
                kind = media[i] if media else "audio"
                rows.append((f"item{i}", f"rev{r}", CATS[c], kind))
    return pd.DataFrame(rows, columns=["item", "reviewer", "verdict", "media_type"])


def _ours(codes: np.ndarray, weights: np.ndarray | None = None) -> dict[str, float]:
    w = np.ones((1, len(codes))) if weights is None else weights[None, :].astype(float)
    return {k: float(v[0]) for k, v in statistics(prepare(codes, 4), w).items()}


def _alpha(codes: np.ndarray) -> float:
    data = np.where(codes >= 0, codes, np.nan).T.astype(float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal",
                                    value_domain=[0, 1, 2, 3]))  # fmt: skip


def test_two_reviewers_match_scikit_learn_statsmodels_and_krippendorff() -> None:
    codes = _codes(200, 2, seed=1)
    ours = _ours(codes)
    assert ours["cohen_kappa"] == pytest.approx(cohen_kappa_score(codes[:, 0], codes[:, 1]))
    counts = prepare(codes, 4).counts
    assert ours["fleiss_kappa"] == pytest.approx(fleiss_kappa(counts))
    assert ours["krippendorff_alpha"] == pytest.approx(_alpha(codes))
    assert ours["percent_agreement"] == pytest.approx(float((codes[:, 0] == codes[:, 1]).mean()))


def test_five_reviewers_with_missing_ratings_match_krippendorff_and_statsmodels() -> None:
    codes = _codes(300, 5, seed=2, missing=0.3)
    ours = _ours(codes)
    assert ours["krippendorff_alpha"] == pytest.approx(_alpha(codes))
    p = prepare(codes, 4)
    assert ours["fleiss_kappa"] == pytest.approx(fleiss_kappa(p.counts[p.rated == p.fleiss_n]))
    assert np.isnan(ours["cohen_kappa"])  # more than two reviewers: no single pair


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_each_resample_equals_the_libraries_on_the_resampled_items(seed: int) -> None:
    codes = _codes(150, 2, seed=seed, missing=0.1)
    drawn = np.random.default_rng(seed).integers(0, len(codes), len(codes))
    ours = _ours(codes, np.bincount(drawn, minlength=len(codes)))
    again = codes[drawn]
    both = (again >= 0).all(axis=1)
    assert ours["cohen_kappa"] == pytest.approx(cohen_kappa_score(again[both, 0], again[both, 1]))
    assert ours["krippendorff_alpha"] == pytest.approx(_alpha(again))
    p = prepare(again, 4)
    assert ours["fleiss_kappa"] == pytest.approx(fleiss_kappa(p.counts[p.rated == 2]))


def test_gwet_ac1_equals_the_hand_worked_kappa_paradox() -> None:
    """Two raters, 125 items: 118 both 'fake', 5 only A 'fake', 2 only B 'fake', 0 both
    'real'. pa = 118/125 = 0.944; pi_fake = (123 + 120) / 250 = 0.972;
    pe = 2 * 0.972 * 0.028 = 0.054432; AC1 = (0.944 - 0.054432) / (1 - 0.054432) = 0.94078.
    Kappa on the same table is -0.0234 (the paradox AC1 answers)."""
    pairs = [(0, 0)] * 118 + [(0, 1)] * 5 + [(1, 0)] * 2
    codes = np.array(pairs)
    ours = {k: float(v[0]) for k, v in statistics(prepare(codes, 2), np.ones((1, 125))).items()}
    assert ours["gwet_ac1"] == pytest.approx(0.889568 / 0.945568)
    assert ours["gwet_ac1"] == pytest.approx(0.94078, abs=5e-5)
    assert ours["cohen_kappa"] == pytest.approx(-0.0234, abs=5e-4)


def test_table_per_media_type_and_overall_with_intervals_around_the_estimate() -> None:
    codes = _codes(240, 2, seed=6)
    media = ["audio" if i % 3 else "image" for i in range(240)]
    result = agreement(_frame(codes, media), categories=CATS, resamples=400, seed=1)
    table = result.table
    assert list(table.index) == ["audio", "image", OVERALL]
    assert table.loc["audio", "items"] + table.loc["image", "items"] == table.loc[OVERALL, "items"]
    audio = codes[[i for i in range(240) if i % 3]]
    assert table.loc["audio", "cohen_kappa"] == pytest.approx(
        cohen_kappa_score(audio[:, 0], audio[:, 1])
    )
    for name in ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha",
                 "gwet_ac1"):  # fmt: skip
        row = table.loc[OVERALL]
        assert row[f"{name}_low"] < row[name] < row[f"{name}_high"], name
    again = agreement(_frame(codes, media), categories=CATS, resamples=400, seed=1)
    pd.testing.assert_frame_equal(table, again.table)  # the seed fixes the intervals


def test_pairs_matrix_and_each_reviewer_against_the_adjudicated_verdicts() -> None:
    codes = _codes(120, 3, seed=7)
    frame = _frame(codes)
    final = {f"item{i}": CATS[codes[i, 0]] for i in range(120)}  # rev0 agrees by construction
    result = agreement(frame, categories=CATS, by=None, adjudicated=final, resamples=50)
    ab = result.pairs.set_index(["reviewer_a", "reviewer_b"]).loc[("rev1", "rev2")]
    assert ab["cohen_kappa"] == pytest.approx(cohen_kappa_score(codes[:, 1], codes[:, 2]))
    assert result.matrix.loc["rev2", "rev1"] == pytest.approx(ab["cohen_kappa"])
    own = result.against_adjudicated.set_index("reviewer")
    assert own.loc["rev0", "percent_agreement"] == 1.0
    assert own.loc["rev1", "cohen_kappa"] == pytest.approx(
        cohen_kappa_score(codes[:, 1], codes[:, 0])
    )
