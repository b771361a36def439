"""A case's evidence for its threshold: ground truth, evaluation, a threshold to defend.

``Case`` inherits these verbs (see :mod:`resemble_nb.evaluation`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..ledger import DEFAULT_THRESHOLD
from ._base import CaseBase

if TYPE_CHECKING:
    import pandas as pd

    from ..evaluation import Evaluation, LabelImport, ThresholdEvidence, ThresholdRecommendation
    from ..ledger import ThresholdChoice

__all__ = ["EvidenceVerbs"]


class EvidenceVerbs(CaseBase):
    """``import_labels()``, ``ground_truth()``, ``evaluate()``, ``recommend_threshold()``,
    ``choose_threshold()``, ``threshold``, ``threshold_evidence()``."""

    def import_labels(self, labels: Any, *, imported_by: str | None = None) -> LabelImport:
        """Import media known to be real or fake (a CSV file or a DataFrame).

        Rows name items by ``sha256``, ``path`` or ``name`` and give ``label`` real or
        fake; the result says which rows matched nothing, matched twice or were bad.
        """
        from ..evaluation import import_labels

        return import_labels(self.ledger, labels, imported_by=imported_by)

    def ground_truth(self) -> pd.DataFrame:
        """Items of known truth (labels and confirmed verdicts) with their scores."""
        from ..evaluation import ground_truth_frame

        return ground_truth_frame(self.ledger)

    def evaluate(
        self,
        by: str | None = "media_type",
        *,
        threshold: float | None = None,
        resamples: int = 1000,
        seed: int = 0,
    ) -> Evaluation:
        """How reliable the scores are on this case's media of known truth.

        ROC and precision-recall curves with 95 % bootstrap bands, AUC, the confusion
        matrix and rates at ``threshold`` (default: :attr:`threshold`), calibration and
        sample sizes, overall and per ``by`` group.
        """
        from ..evaluation import evaluate

        chosen = self.threshold if threshold is None else threshold
        return evaluate(
            self.ground_truth(), by=by, threshold=chosen, resamples=resamples, seed=seed
        )

    def recommend_threshold(
        self,
        target_fpr: float | None = 0.01,
        *,
        costs: dict[str, float] | None = None,
        media_type: str | None = None,
        resamples: int = 1000,
        seed: int = 0,
    ) -> ThresholdRecommendation:
        """A threshold for ``target_fpr`` (or the lowest error ``costs``), with its interval.

        Refuses, in plain words, when the case holds too few media of known truth.
        ``costs`` is ``{"false_positive": 1, "false_negative": 5}``.
        """
        from ..evaluation import OVERALL, evaluate, recommend_threshold

        group = OVERALL if media_type is None else media_type
        by = None if media_type is None else "media_type"
        measured = evaluate(self.ground_truth(), by=by, threshold=self.threshold, resamples=0)
        return recommend_threshold(
            measured[group], target_fpr=target_fpr, costs=costs, resamples=resamples, seed=seed
        )

    def choose_threshold(
        self,
        threshold: float | ThresholdRecommendation,
        note: str = "",
        *,
        chosen_by: str | None = None,
    ) -> ThresholdChoice:
        """Record the case's threshold, with the evidence it rests on (append-only)."""
        from ..evaluation import ThresholdRecommendation

        if isinstance(threshold, ThresholdRecommendation):
            if threshold.threshold is None:
                raise ValueError(f"nothing to choose: {threshold.refusal}")
            return self.ledger.choose_threshold(
                threshold.threshold, threshold.method, threshold.evidence(), note,
                chosen_by=chosen_by,
            )  # fmt: skip
        value = float(threshold)
        rates = self.threshold_evidence()
        fpr, fnr = rates.rates(value)
        evidence = {
            "n_real": rates.n_real,
            "n_fake": rates.n_fake,
            "false_positive_rate": {"k": fpr.k, "n": fpr.n},
            "false_negative_rate": {"k": fnr.k, "n": fnr.n},
        }
        return self.ledger.choose_threshold(value, "manual", evidence, note, chosen_by=chosen_by)

    @property
    def threshold(self) -> float:
        """The case's threshold: the latest chosen one, else ``DEFAULT_THRESHOLD`` (0.5)."""
        choices = self.ledger.threshold_choices()
        return choices[-1].threshold if choices else DEFAULT_THRESHOLD

    def threshold_evidence(self) -> ThresholdEvidence:
        """Measured error rates at any threshold (``.caption(t)`` for a threshold control)."""
        from ..evaluation import ThresholdEvidence

        truth = self.ground_truth()
        known = truth[truth["truth"].notna() & truth["score"].notna()]
        return ThresholdEvidence(
            (known["truth"].astype("string") == "fake").to_numpy(dtype=bool),
            known["score"].astype("Float64").to_numpy(dtype=float),
        )

    def _reliability(self, threshold: float) -> dict[str, Any] | None:
        """The report's "How reliable is this threshold?" (None without scikit-learn)."""
        from ..evaluation import EvaluationError, evaluate, reliability_section

        choices = [c for c in self.ledger.threshold_choices() if c.threshold == threshold]
        try:
            measured = evaluate(self.ground_truth(), threshold=threshold)
        except ImportError:  # the evaluation extra is not installed: no section
            return None
        except EvaluationError:  # nothing of known truth: the section says so
            measured = None
        return reliability_section(
            measured, threshold=threshold, choice=choices[-1] if choices else None
        )
