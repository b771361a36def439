"""The report's section "How reliable is this threshold?": numbers, intervals, sample
sizes, two figures, and what they do and do not mean, as plain values for the template.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ._metrics import MIN_PER_CLASS
from ._rates import Rate, format_threshold, percent
from ._result import Evaluation, format_ci

if TYPE_CHECKING:
    from ..ledger import ThresholdChoice

__all__ = ["reliability_section"]

_DPI = 100
_METHODS = {
    "target_fpr": "the lowest threshold whose false-positive rate is at most {target} with 95% "
    "confidence (case.recommend_threshold)",
    "costs": "the lowest total cost of errors, with costs {costs} (case.recommend_threshold)",
    "manual": "set by hand",
}


def _rate(rate: Rate, noun: str = "item") -> dict[str, Any]:
    """A rate for the template; ``enough`` is False below ``MIN_PER_CLASS`` counted items,
    and ``few`` then says so in words ("1 known-real item: too few to estimate"): the
    template never shows such a rate as a headline."""
    counted = f"{rate.n} {noun}{'' if rate.n == 1 else 's'}"
    few = f"{counted}: too few to estimate"
    if not rate.n:
        return {"value": "—", "interval": "not measurable", "count": "0 of 0", "enough": False,
                "few": few}  # fmt: skip
    return {
        "value": percent(rate.value),
        "interval": f"{percent(rate.low)} – {percent(rate.high)}",
        "count": f"{rate.k} of {rate.n}",
        "enough": rate.n >= MIN_PER_CLASS,
        "few": few,
    }


def _choice(choice: ThresholdChoice | None) -> dict[str, str] | None:
    if choice is None:
        return None
    evidence = choice.evidence
    how = _METHODS.get(choice.method, choice.method).format(
        target=percent(float(evidence.get("target_fpr", math.nan))),
        costs=evidence.get("costs", {}),
    )
    return {
        "threshold": format_threshold(choice.threshold),
        "who": choice.chosen_by,
        "when": choice.chosen_at.strftime("%Y-%m-%d %H:%M UTC"),
        "how": how,
        "note": choice.note,
    }


def reliability_section(
    evaluation: Evaluation | None,
    *,
    threshold: float,
    choice: ThresholdChoice | None = None,
    figures: bool = True,
) -> dict[str, Any]:
    """The template's values for the section; ``evaluation`` is ``None`` without evidence."""
    section: dict[str, Any] = {
        "threshold": format_threshold(threshold),
        "choice": _choice(choice),
        "measured": evaluation is not None,
        "groups": [],
        "figures": [],
        "notes": [],
    }
    if evaluation is None:
        return section
    ev = evaluation.at(threshold)
    overall = ev.overall
    section.update(
        n=overall.n,
        n_real=overall.n_real,
        n_fake=overall.n_fake,
        from_labels=ev.sources.get("labels", 0),
        from_verdicts=ev.sources.get("verdicts", 0),
        resamples=ev.resamples,
        fpr=_rate(overall.false_positive_rate, "known-real item"),
        fnr=_rate(overall.false_negative_rate, "known fake"),
        notes=ev.notes(),
    )
    for name, g in ev.groups.items():
        section["groups"].append(
            {
                "name": name,
                "n_real": g.n_real,
                "n_fake": g.n_fake,
                "fpr": _rate(g.false_positive_rate, "known-real item"),
                "fnr": _rate(g.false_negative_rate, "known fake"),
                "precision": _rate(g.precision, "flagged item"),
                "auc": format_ci(g.auc, g.auc_ci, " – "),
            }
        )
    if figures:
        from .. import plots

        drawn = [
            (
                "Scores of media of known truth",
                "Known-real (green) and known-fake (red) media by score; the dashed line is "
                "the threshold. Real media right of it are false alarms; fakes left of it are "
                "missed.",
                plots.truth_distribution(ev),
            )
        ]
        if overall.both_classes:
            drawn.append(
                (
                    "ROC curve",
                    "How many fakes are caught (up) for how many real media flagged (right), "
                    "for every possible threshold; the dots mark this threshold; the shading "
                    "is the 95% bootstrap band.",
                    plots.roc_curve(ev),
                )
            )
        section["figures"] = [
            (title, caption, plots.figure_to_data_uri(fig, dpi=_DPI))
            for title, caption, fig in drawn
        ]
    return section
