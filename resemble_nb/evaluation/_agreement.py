"""How far reviewers agree: the table reviewers' statistics are reported in.

Per group (a media type) and overall: the items rated at least twice, percent agreement,
Cohen's kappa (when exactly two reviewers rated the group), Fleiss' kappa (items with the
most common number of ratings), Krippendorff's alpha (nominal, missing ratings allowed)
and Gwet's AC1 (which, unlike kappa, does not collapse when almost every item gets one
label), each with a 95 % percentile bootstrap interval over items. Also a
reviewer-by-reviewer table and each reviewer against the adjudicated verdicts.

Point estimates are the libraries' (scikit-learn, statsmodels, krippendorff; ``pip install
'resemble_nb[evaluation]'``); the resamples use the same formulas vectorised
(:mod:`._agreement_stats`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from ._agreement_stats import STATISTICS, FloatArray, IntArray, prepare, statistics
from ._result import OVERALL
from .errors import EvaluationError

__all__ = ["RATING_COLUMNS", "Agreement", "agreement", "library_statistics"]

RATING_COLUMNS = ("item", "reviewer", "verdict")
"""The columns a ratings frame must have (``media_type`` too when grouping by it)."""
_BLOCK = 100  # resamples weighed at once


@dataclass(frozen=True)
class Agreement:
    """The agreement table, the reviewer pairs and each reviewer against the adjudicated
    verdicts.

    Attributes:
        table: One row per group and ``overall``: ``items``, ``reviewers``, then each
            statistic with ``_low`` and ``_high`` (95 % bootstrap interval); NaN where a
            statistic does not apply (Cohen's kappa with more than two reviewers).
        pairs: One row per pair of reviewers: items both rated, percent agreement,
            Cohen's kappa.
        against_adjudicated: One row per reviewer: items of hers adjudicated, percent
            agreement and Cohen's kappa with the adjudicator's verdict.
    """

    table: pd.DataFrame
    pairs: pd.DataFrame
    against_adjudicated: pd.DataFrame

    @property
    def matrix(self) -> pd.DataFrame:
        """Cohen's kappa reviewer by reviewer (symmetric; the diagonal is 1)."""
        names = sorted(set(self.pairs["reviewer_a"]) | set(self.pairs["reviewer_b"]))
        where = {name: i for i, name in enumerate(names)}
        values = np.eye(len(names))
        for a, b, kappa in self.pairs[["reviewer_a", "reviewer_b", "cohen_kappa"]].to_numpy():
            values[where[a], where[b]] = values[where[b], where[a]] = float(kappa)
        out: pd.DataFrame = pd.DataFrame(values, index=names, columns=names)
        return out

    def plot(self) -> Any:
        """Each coefficient per group with its interval (a matplotlib Figure)."""
        from ..plots import agreement_intervals

        return agreement_intervals(self.table)

    def plot_matrix(self) -> Any:
        """Cohen's kappa reviewer by reviewer (a matplotlib Figure)."""
        from ..plots import reviewer_matrix

        return reviewer_matrix(self.matrix)

    def _repr_html_(self) -> str:
        return str(self.table.to_html(float_format=lambda v: f"{v:.3f}"))


def _codes(ratings: pd.DataFrame) -> tuple[IntArray, list[str]]:
    """``items x reviewers`` codes (``-1``: not rated), and the reviewers' names."""
    wide = ratings.pivot_table(index="item", columns="reviewer", values="code", aggfunc="last")
    codes = wide.fillna(-1).to_numpy(dtype=np.int64)
    return codes, [str(c) for c in wide.columns]


def library_statistics(codes: IntArray, q: int) -> dict[str, float]:
    """The point estimates, by the libraries themselves."""
    import krippendorff
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import fleiss_kappa

    p = prepare(codes, q)
    point = {k: float(v[0]) for k, v in statistics(p, np.ones((1, len(codes)))).items()}
    if codes.shape[1] == 2:
        both = (codes >= 0).all(axis=1)
        if both.any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                point["cohen_kappa"] = float(
                    cohen_kappa_score(codes[both, 0], codes[both, 1], labels=list(range(q)))
                )
    if p.fleiss_n >= 2:
        with np.errstate(divide="ignore", invalid="ignore"):
            point["fleiss_kappa"] = float(fleiss_kappa(p.counts[p.rated == p.fleiss_n]))
    if p.pairable.any() and len(np.unique(codes[codes >= 0])) > 1:
        data = np.where(codes >= 0, codes, np.nan).T.astype(np.float64)
        point["krippendorff_alpha"] = float(
            krippendorff.alpha(
                reliability_data=data,
                level_of_measurement="nominal",
                value_domain=list(range(q)),
            )
        )
    return point


def _group_row(codes: IntArray, q: int, resamples: int, seed: int) -> dict[str, Any]:
    p = prepare(codes, q)
    row: dict[str, Any] = {
        "items": int(p.pairable.sum()),
        "reviewers": int(((codes >= 0).sum(axis=0) > 0).sum()),
    }
    point = library_statistics(codes, q)
    draws = _bootstrap(p, len(codes), resamples, seed)
    for name in STATISTICS:
        row[name] = point[name]
        finite = draws[name][np.isfinite(draws[name])]
        low, high = np.percentile(finite, [2.5, 97.5]) if finite.size else (np.nan, np.nan)
        row[f"{name}_low"], row[f"{name}_high"] = float(low), float(high)
    return row


def _bootstrap(p: Any, n: int, resamples: int, seed: int) -> dict[str, FloatArray]:
    rng = np.random.default_rng(seed)
    parts: dict[str, list[FloatArray]] = {name: [] for name in STATISTICS}
    for start in range(0, resamples, _BLOCK):
        b = min(_BLOCK, resamples - start)
        drawn = rng.integers(0, n, size=(b, n)) + (np.arange(b) * n)[:, None]
        weights = np.bincount(drawn.ravel(), minlength=b * n).reshape(b, n).astype(float)
        for name, values in statistics(p, weights).items():
            parts[name].append(values)
    return {name: np.concatenate(v) if v else np.array([]) for name, v in parts.items()}


def _pairs(codes: IntArray, names: list[str], q: int) -> pd.DataFrame:
    from sklearn.metrics import cohen_kappa_score

    rows = []
    for a, b in combinations(range(len(names)), 2):
        both = (codes[:, a] >= 0) & (codes[:, b] >= 0)
        if not both.any():
            continue
        x, y = codes[both, a], codes[both, b]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kappa = float(cohen_kappa_score(x, y, labels=list(range(q))))
        rows.append((names[a], names[b], int(both.sum()), float((x == y).mean()), kappa))
    columns = ["reviewer_a", "reviewer_b", "items", "percent_agreement", "cohen_kappa"]
    table: pd.DataFrame = pd.DataFrame(rows, columns=columns)
    return table


def _against(frame: pd.DataFrame, final: Mapping[str, str], index: dict[str, int]) -> pd.DataFrame:
    from sklearn.metrics import cohen_kappa_score

    rows = []
    known = frame[frame["item"].isin(list(final))]
    for reviewer, own in known.groupby("reviewer", sort=True):
        truth = own["item"].map(final).map(index)
        x, y = own["code"].to_numpy(), truth.to_numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kappa = float(cohen_kappa_score(x, y, labels=list(range(len(index)))))
        rows.append((str(reviewer), len(own), float((x == y).mean()), kappa))
    columns = ["reviewer", "items", "percent_agreement", "cohen_kappa"]
    table: pd.DataFrame = pd.DataFrame(rows, columns=columns)
    return table


def agreement(
    ratings: pd.DataFrame,
    *,
    categories: Sequence[str],
    by: str | None = "media_type",
    adjudicated: Mapping[str, str] | None = None,
    resamples: int = 1000,
    seed: int = 0,
) -> Agreement:
    """The agreement of the reviewers' ``ratings`` (one row per item and reviewer).

    Args:
        ratings: Columns ``item``, ``reviewer``, ``verdict`` (and ``by``, if given).
        categories: Every category of the scale (Gwet's AC1 counts unused ones too).
        by: A column to group by (``"media_type"``) or ``None`` for overall only.
        adjudicated: The adjudicator's verdict per disputed item, to hold each reviewer to.
        resamples: Bootstrap resamples (over items) for the intervals.
        seed: Seed of the resamples (the same seed gives the same intervals).

    Raises:
        EvaluationError: A column is missing or a verdict is not one of ``categories``.
    """
    needed = [*RATING_COLUMNS, *([by] if by else [])]
    missing = [c for c in needed if c not in ratings.columns]
    if missing:
        raise EvaluationError(f"the ratings have no column {', '.join(missing)}")
    index = {c: i for i, c in enumerate(categories)}
    unknown = sorted(set(ratings["verdict"]) - set(index))
    if unknown:
        raise EvaluationError(f"verdicts {unknown} are not among {list(categories)}")
    frame = ratings.assign(code=ratings["verdict"].map(index).astype(np.int64))
    q = len(categories)
    groups: list[tuple[str, pd.DataFrame]] = []
    if by:
        groups = [(str(k), g) for k, g in frame.groupby(by, sort=True)]
    groups.append((OVERALL, frame))
    rows = {}
    for name, group in groups:
        codes, _ = _codes(group)
        rows[name] = _group_row(codes, q, resamples, seed)
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = by or "group"
    codes, names = _codes(frame)
    empty = pd.DataFrame(columns=["reviewer", "items", "percent_agreement", "cohen_kappa"])
    against = _against(frame, adjudicated, index) if adjudicated else empty
    return Agreement(table, _pairs(codes, names, q), against)
