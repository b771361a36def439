"""Agreement coefficients over weighted items, vectorised over bootstrap resamples.

Ratings are an ``items x reviewers`` array of category codes (``-1``: not rated). A
resample is a row of weights (how often it drew each item), so every coefficient is a
weighted sum over items: ``W @ per_item``. With all weights 1 these are the usual
figures; the point estimates shown are the libraries' own (scikit-learn's
``cohen_kappa_score``, statsmodels' ``fleiss_kappa``, ``krippendorff.alpha``) and tests
check that these formulas equal them on the data and on resamples.

Gwet's AC1 (Gwet 2008, multiple raters with missing ratings): ``pa`` is the mean, over
items rated at least twice, of the share of agreeing pairs; ``pe = sum_k pi_k (1 - pi_k) /
(q - 1)`` with ``pi_k`` the mean over rated items of the share of ratings in category k,
and ``q`` the categories of the scale (every verdict, used or not).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["STATISTICS", "Prepared", "prepare", "statistics"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

STATISTICS: tuple[str, ...] = (
    "percent_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
)
"""The coefficients of the agreement table, in its column order."""


@dataclass(frozen=True)
class Prepared:
    """Per-item terms of every coefficient (computed once, weighted per resample)."""

    q: int
    counts: FloatArray  # items x q: ratings per category
    rated: FloatArray  # ratings per item
    pair_share: FloatArray  # share of agreeing pairs (0 when rated < 2)
    pairable: FloatArray  # 1 when rated >= 2
    fleiss_n: int  # the number of ratings Fleiss' kappa uses (the most common, >= 2)
    pair_cells: FloatArray | None  # items x q*q: the two reviewers' cell (only 2 reviewers)


def prepare(codes: IntArray, q: int) -> Prepared:
    """The per-item terms of ``codes`` (items x reviewers, ``-1`` missing)."""
    n_items = codes.shape[0]
    counts = np.zeros((n_items, q))
    for column in codes.T:
        hit = column >= 0
        counts[np.flatnonzero(hit), column[hit]] += 1.0
    rated = counts.sum(axis=1)
    pairable = (rated >= 2).astype(np.float64)
    pairs = np.maximum(rated * (rated - 1), 1.0)
    share = (counts * (counts - 1)).sum(axis=1) / pairs * pairable
    sizes = rated[rated >= 2].astype(np.int64)
    fleiss_n = int(np.bincount(sizes).argmax()) if sizes.size else 0
    cells = None
    if codes.shape[1] == 2:
        both = (codes >= 0).all(axis=1)
        cells = np.zeros((n_items, q * q))
        cells[np.flatnonzero(both), codes[both, 0] * q + codes[both, 1]] = 1.0
    return Prepared(q, counts, rated, share, pairable, fleiss_n, cells)


def _ratio(top: FloatArray, bottom: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.where(bottom != 0, top / np.where(bottom != 0, bottom, 1), np.nan)
    return out


def statistics(p: Prepared, weights: FloatArray) -> dict[str, FloatArray]:
    """Every coefficient for each row of ``weights`` (resamples x items)."""
    w = np.atleast_2d(weights)
    n_pairable = w @ p.pairable
    pa = _ratio(w @ p.pair_share, n_pairable)
    out = {"percent_agreement": pa, "gwet_ac1": _ac1(p, w, pa), "krippendorff_alpha": _alpha(p, w)}
    out["fleiss_kappa"] = _fleiss(p, w)
    out["cohen_kappa"] = _cohen(p, w)
    return out


def _ac1(p: Prepared, w: FloatArray, pa: FloatArray) -> FloatArray:
    any_rated = (p.rated >= 1).astype(np.float64)
    shares = p.counts / np.maximum(p.rated, 1.0)[:, None]
    pi = _ratio(w @ shares, (w @ any_rated)[:, None])
    pe = (pi * (1 - pi)).sum(axis=1) / max(p.q - 1, 1)
    return _ratio(pa - pe, 1 - pe)


def _fleiss(p: Prepared, w: FloatArray) -> FloatArray:
    n = p.fleiss_n
    if n < 2:
        return np.full(w.shape[0], np.nan)
    used = (p.rated == n).astype(np.float64)
    m = w @ used
    per_item = ((p.counts**2).sum(axis=1) - n) / (n * (n - 1)) * used
    p_bar = _ratio(w @ per_item, m)
    p_k = _ratio(w @ (p.counts * used[:, None]), (m * n)[:, None])
    p_e = (p_k**2).sum(axis=1)
    return _ratio(p_bar - p_e, 1 - p_e)


def _alpha(p: Prepared, w: FloatArray) -> FloatArray:
    """Krippendorff's alpha, nominal, from the coincidence matrix of pairable items."""
    denominator = np.maximum(p.rated - 1, 1.0)
    same = (p.counts * (p.counts - 1)).sum(axis=1) / denominator * p.pairable
    n = w @ (p.rated * p.pairable)
    n_c = w @ (p.counts * p.pairable[:, None])
    disagree = n - w @ same
    expected = n**2 - (n_c**2).sum(axis=1)
    return 1 - _ratio((n - 1) * disagree, expected)


def _cohen(p: Prepared, w: FloatArray) -> FloatArray:
    if p.pair_cells is None:
        return np.full(w.shape[0], np.nan)
    table = (w @ p.pair_cells).reshape(-1, p.q, p.q)
    total = table.sum(axis=(1, 2))
    observed = _ratio(np.trace(table, axis1=1, axis2=2), total)
    rows, columns = table.sum(axis=2), table.sum(axis=1)
    expected = _ratio((rows * columns).sum(axis=1), total**2)
    return _ratio(observed - expected, 1 - expected)
