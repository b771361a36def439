"""Ground truth of a case: imported labels and reviewers' confirmed verdicts, one per item.

An item is known ``fake`` or ``real`` when an imported label says so or when its current
triage verdict is ``confirmed_fake`` / ``confirmed_real``. Where both exist and disagree,
the item is left out of every measurement (and counted as a conflict), never guessed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..ledger import Ledger

__all__ = ["TRUTH_COLUMNS", "TRUTH_DTYPE", "ground_truth_frame"]

TRUTH_DTYPE = pd.CategoricalDtype(["real", "fake"])
TRUTH_COLUMNS = ("sha256", "name", "media_type", "score", "truth", "source", "conflict")
_VERDICT_TRUTH = {"confirmed_fake": "fake", "confirmed_real": "real"}


def ground_truth_frame(ledger: Ledger, results: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per item with a known truth: its score, truth and where the truth came from.

    ``truth`` is ``<NA>`` (and ``conflict`` True) where an imported label and the
    reviewer's verdict disagree. ``score`` is ``<NA>`` for items without a result.
    ``results`` is ``case.results()`` when the caller already has it.
    """
    from ..frames import results_frame

    labels = ledger.current_truth()
    verdicts = {
        sha: d for sha, d in ledger.current_verdicts().items() if d.verdict in _VERDICT_TRUTH
    }
    shas = list(dict.fromkeys([*labels, *verdicts]))
    if results is None:
        results = results_frame(ledger, include_skipped=False)
    known = results[results["sha256"].isin(shas)].drop_duplicates("sha256")
    by_sha = known.set_index(known["sha256"].astype(str))
    truths: list[str | None] = []
    sources: list[str] = []
    conflicts: list[bool] = []
    for sha in shas:
        label = labels.get(sha)
        decision = verdicts.get(sha)
        from_label = label.truth if label is not None else None
        from_verdict = _VERDICT_TRUTH[decision.verdict] if decision is not None else None
        parts = []
        if label is not None:
            parts.append(f"label {label.truth} from {label.source}")
        if decision is not None:
            when = decision.decided_at.strftime("%Y-%m-%d")
            parts.append(f"verdict {decision.verdict} by {decision.reviewer} on {when}")
        conflict = None not in (from_label, from_verdict) and from_label != from_verdict
        truths.append(None if conflict else (from_label or from_verdict))
        sources.append("; ".join(parts))
        conflicts.append(conflict)
    present = [sha in by_sha.index for sha in shas]
    rows = [sha for sha, ok in zip(shas, present, strict=True) if ok]
    keep = np.array(present, dtype=bool)
    frame: pd.DataFrame = pd.DataFrame(
        {
            "sha256": pd.array(rows, dtype="string"),
            "name": by_sha.loc[rows, "name"].astype("string").to_numpy(),
            "media_type": by_sha.loc[rows, "media_type"].astype("string").to_numpy(),
            "score": pd.array(by_sha.loc[rows, "score"].to_numpy(), dtype="Float64"),
            "truth": pd.Categorical(np.array(truths, dtype=object)[keep], dtype=TRUTH_DTYPE),
            "source": pd.array(np.array(sources, dtype=object)[keep], dtype="string"),
            "conflict": np.array(conflicts, dtype=bool)[keep],
        },
        columns=list(TRUTH_COLUMNS),
    )
    frame["media_type"] = frame["media_type"].astype("string")
    return frame
