"""``case.evaluate()``: the measurements of every group, as text, HTML and DataFrames."""

from __future__ import annotations

import html
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..ledger import DEFAULT_THRESHOLD
from ._bootstrap import GRID
from ._metrics import GroupEvaluation, evaluate_group
from ._rates import Rate, percent
from .errors import EvaluationError

__all__ = ["OVERALL", "Evaluation", "evaluate"]

OVERALL = "overall"
_MEDIA_ORDER = ("audio", "video", "image")


def format_ci(value: float, ci: tuple[float, float], dash: str = "–") -> str:
    """``0.912 (0.880–0.940)``: a value and its interval; ``—`` when there is none."""
    if math.isnan(value):
        return "—"
    if math.isnan(ci[0]):
        return f"{value:.3f}"
    return f"{value:.3f} ({ci[0]:.3f}{dash}{ci[1]:.3f})"


def _short(rate: Rate) -> str:
    if not rate.n:
        return "—"
    return f"{percent(rate.value)} ({percent(rate.low)}–{percent(rate.high)}; {rate.k}/{rate.n})"


@dataclass(frozen=True)
class Evaluation:
    """How reliable the case's scores are against what is known to be real or fake.

    ``groups`` maps ``"overall"`` and each media type to a :class:`GroupEvaluation`.
    Rates are measured at ``threshold`` (flagged: score at or above it); ``at(t)``
    measures at another one. Intervals are 95 %: bootstrap percentiles for AUC,
    average precision and the curve bands; Wilson intervals for rates.
    """

    groups: dict[str, GroupEvaluation]
    threshold: float
    resamples: int
    n_conflicts: int = 0
    sources: dict[str, int] = field(default_factory=dict)
    """How many items got their truth from imported labels and from verdicts."""

    def __getitem__(self, group: str) -> GroupEvaluation:
        try:
            return self.groups[group]
        except KeyError:
            raise KeyError(
                f"no group {group!r} in this evaluation (have {', '.join(self.groups)})"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.groups)

    @property
    def overall(self) -> GroupEvaluation:
        return self.groups[OVERALL]

    def at(self, threshold: float) -> Evaluation:
        """The same evaluation with its rates measured at another threshold."""
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, not {threshold!r}")
        return Evaluation(
            {k: g.at(threshold) for k, g in self.groups.items()},
            float(threshold),
            self.resamples,
            self.n_conflicts,
            dict(self.sources),
        )

    # -- frames ----------------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """One row per group: sample sizes, AUC, average precision, rates at the threshold."""
        rows = []
        for name, g in self.groups.items():
            row: dict[str, Any] = {
                "group": name,
                "n": g.n,
                "n_real": g.n_real,
                "n_fake": g.n_fake,
                "n_unscored": g.n_unscored,
                "auc": g.auc,
                "auc_low": g.auc_ci[0],
                "auc_high": g.auc_ci[1],
                "average_precision": g.average_precision,
                "ap_low": g.average_precision_ci[0],
                "ap_high": g.average_precision_ci[1],
                "threshold": g.threshold,
                **g.counts,
            }
            for key, rate in (
                ("precision", g.precision),
                ("recall", g.recall),
                ("fpr", g.false_positive_rate),
                ("fnr", g.false_negative_rate),
            ):
                row.update({key: rate.value, f"{key}_low": rate.low, f"{key}_high": rate.high})
            rows.append(row)
        frame: pd.DataFrame = pd.DataFrame(rows)
        return frame

    def confusion(self, group: str = OVERALL) -> pd.DataFrame:
        """The confusion matrix at the threshold (rows: truth; columns: flagged or not)."""
        matrix = self[group].confusion()
        frame: pd.DataFrame = pd.DataFrame(
            matrix,
            index=pd.Index(["real", "fake"], name="truth"),
            columns=pd.Index(["not flagged", "flagged"], name=f"score ≥ {self.threshold:.2f}"),
        )
        return frame

    def roc(self) -> pd.DataFrame:
        """The ROC curves (scikit-learn's points): group, fpr, tpr, threshold."""
        parts = [
            pd.DataFrame(
                {"group": name, "fpr": g.roc_fpr, "tpr": g.roc_tpr, "threshold": g.roc_thresholds}
            )
            for name, g in self.groups.items()
            if g.both_classes
        ]
        return _concat(parts, ("group", "fpr", "tpr", "threshold"))

    def pr(self) -> pd.DataFrame:
        """The precision-recall curves (scikit-learn's points): group, recall, precision."""
        parts = [
            pd.DataFrame({"group": name, "recall": g.pr_recall, "precision": g.pr_precision})
            for name, g in self.groups.items()
            if g.both_classes
        ]
        return _concat(parts, ("group", "recall", "precision"))

    def bands(self) -> pd.DataFrame:
        """95 % bootstrap bands: TPR at each FPR and precision at each recall, per group."""
        parts = [
            pd.DataFrame(
                {
                    "group": name,
                    "x": GRID,
                    "tpr_low": g.roc_band[0],
                    "tpr_high": g.roc_band[1],
                    "precision_low": g.pr_band[0] if g.pr_band else np.nan,
                    "precision_high": g.pr_band[1] if g.pr_band else np.nan,
                }
            )
            for name, g in self.groups.items()
            if g.roc_band is not None
        ]
        columns = ("group", "x", "tpr_low", "tpr_high", "precision_low", "precision_high")
        return _concat(parts, columns)

    def calibration(self) -> pd.DataFrame:
        """Per group and score bin: mean score, share known fake, count, 95 % interval."""
        parts = [
            pd.DataFrame({"group": name, **g.calibration()}) for name, g in self.groups.items()
        ]
        return _concat(parts, ("group", "mean_score", "fraction_fake", "n", "low", "high"))

    def scores(self) -> pd.DataFrame:
        """Every measured item's score and truth, with its group (not ``overall``)."""
        parts = [
            pd.DataFrame(
                {
                    "group": name,
                    "score": g.scores,
                    "truth": np.where(g.truth, "fake", "real"),
                }
            )
            for name, g in self.groups.items()
            if name != OVERALL or len(self.groups) == 1
        ]
        return _concat(parts, ("group", "score", "truth"))

    # -- words -----------------------------------------------------------------------------
    def notes(self) -> list[str]:
        """Plain-words caveats, group by group."""
        out = []
        if self.n_conflicts:
            out.append(
                f"{self.n_conflicts} item(s) left out: an imported label and a reviewer's "
                "verdict disagree about them"
            )
        for name, g in self.groups.items():
            out.extend(f"{name}: {note}" for note in g.notes())
        return out

    def _table(self) -> list[list[str]]:
        t = f"{self.threshold:.2f}"
        rows = [
            [
                *("group", "items", "real", "fake", "AUC (95% CI)"),
                *(f"false positives at {t}", f"missed fakes at {t}", "precision"),
            ]
        ]
        for name, g in self.groups.items():
            rows.append(
                [
                    name,
                    str(g.n),
                    str(g.n_real),
                    str(g.n_fake),
                    format_ci(g.auc, g.auc_ci),
                    _short(g.false_positive_rate),
                    _short(g.false_negative_rate),
                    _short(g.precision),
                ]
            )
        return rows

    def _headline(self) -> str:
        g = self.overall
        by = ", ".join(f"{n} from {k}" for k, n in self.sources.items() if n)
        return (
            f"Evaluation at threshold {self.threshold:.2f}: {g.n} scored item"
            f"{'' if g.n == 1 else 's'} with a known truth ({g.n_real} real, {g.n_fake} fake"
            f"{'; ' + by if by else ''}); {self.resamples:,} bootstrap resamples"
        )

    def __repr__(self) -> str:
        rows = self._table()
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = [self._headline()]
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
        notes = self.notes()
        if notes:
            lines.append("Notes:")
            lines += [f"  - {n}" for n in notes]
        return "\n".join(line.rstrip() for line in lines)

    def _repr_html_(self) -> str:
        rows = self._table()
        head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows[1:]
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes())
        return (
            f"<div class='rnb-evaluation'><p><b>{html.escape(self._headline())}</b></p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            + (f"<ul>{notes}</ul>" if notes else "")
            + "<p style='font-size:90%'>Intervals are 95%: bootstrap for AUC, Wilson for "
            "rates. A rate measured on few items can be far from the rate on new media.</p>"
            "</div>"
        )


def _concat(parts: list[pd.DataFrame], columns: tuple[str, ...]) -> pd.DataFrame:
    if not parts:
        empty = {c: pd.Series(dtype=object if c == "group" else float) for c in columns}
        blank: pd.DataFrame = pd.DataFrame(empty)
        return blank
    frame: pd.DataFrame = pd.concat(parts, ignore_index=True)[list(columns)]
    return frame


def evaluate(
    truth: pd.DataFrame,
    *,
    by: str | None = "media_type",
    threshold: float = DEFAULT_THRESHOLD,
    resamples: int = 1000,
    seed: int = 0,
) -> Evaluation:
    """Measure the scores against the known truth, overall and per ``by`` group.

    Args:
        truth: ``case.ground_truth()``, or any frame with ``score`` and ``truth``
            (``real``/``fake``) columns (and the ``by`` column).
        by: Column to split by (``None``: overall only).
        threshold: Where rates are measured (flagged: score at or above it).
        resamples: Bootstrap resamples for the intervals (0: none).
        seed: Seed of the bootstrap (the same seed gives the same intervals).

    Raises:
        EvaluationError: A column is missing, or nothing has both a score and a truth.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, not {threshold!r}")
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise ImportError(
            "evaluating needs scikit-learn: pip install 'resemble_nb[evaluation]'"
        ) from None
    needed = ["score", "truth"] + ([by] if by else [])
    missing = [c for c in needed if c not in truth.columns]
    if missing:
        raise EvaluationError(
            f"the truth frame has no column(s) {', '.join(map(repr, missing))}; "
            "pass case.ground_truth()"
        )
    conflicts = int(truth["conflict"].sum()) if "conflict" in truth.columns else 0
    known = truth[truth["truth"].notna()]
    scored = known[known["score"].notna()]
    if scored.empty:
        raise EvaluationError(
            "nothing to evaluate: no item has both a score and a known truth "
            f"({len(known)} item(s) with a truth, none scored). Import labels with "
            "case.import_labels(...) or confirm verdicts in the triage board first."
        )
    y = (scored["truth"].astype("string") == "fake").to_numpy(dtype=bool)
    s = scored["score"].astype("Float64").to_numpy(dtype=float)
    unscored = known["score"].isna()
    groups = {
        OVERALL: evaluate_group(
            OVERALL,
            y,
            s,
            threshold=threshold,
            resamples=resamples,
            seed=seed,
            n_unscored=int(unscored.sum()),
        )
    }
    if by:
        values = scored[by].astype("string").fillna("(none)").to_numpy(dtype=object)
        all_values = known[by].astype("string").fillna("(none)")
        present = list(dict.fromkeys(values))
        order = [m for m in _MEDIA_ORDER if m in present] + sorted(
            v for v in present if v not in _MEDIA_ORDER
        )
        for i, value in enumerate(order, start=1):
            mask = values == value
            groups[str(value)] = evaluate_group(
                str(value),
                y[mask],
                s[mask],
                threshold=threshold,
                resamples=resamples,
                seed=seed + i,
                n_unscored=int((unscored & (all_values == value)).sum()),
            )
    sources: dict[str, int] = {}
    if "source" in scored.columns:
        text = scored["source"].astype("string").fillna("")
        sources = {
            "labels": int(text.str.contains("label ", regex=False).sum()),
            "verdicts": int(text.str.contains("verdict ", regex=False).sum()),
        }
    return Evaluation(groups, float(threshold), resamples, conflicts, sources)
