"""case.evaluate: per media type and overall, as text, HTML and frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from resemble_nb.case import Case
from resemble_nb.evaluation import EvaluationError, evaluate

from .conftest import add_scored


def _planted(case: Case, n: int = 120, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    fake = np.arange(n) % 2 == 0
    scores = np.clip(rng.normal(0.35 + 0.3 * fake, 0.15), 0.0, 1.0).round(3)
    media = ["audio" if i % 3 else "image" for i in range(n)]
    shas = add_scored(case, list(scores), media_types=media)
    case.import_labels(pd.DataFrame({"sha256": shas, "label": np.where(fake, "fake", "real")}))
    return shas


def test_evaluate_by_media_type_with_sizes_and_frames(case: Case) -> None:
    _planted(case)
    ev = case.evaluate(threshold=0.5, resamples=200)
    assert list(ev.groups) == ["overall", "audio", "image"]
    summary = ev.summary().set_index("group")
    assert summary.loc["overall", "n"] == 120
    assert summary.loc["audio", "n"] + summary.loc["image", "n"] == 120
    assert summary.loc["overall", "n_real"] == summary.loc["overall", "n_fake"] == 60
    assert set(ev.roc()["group"]) == {"overall", "audio", "image"}
    assert len(ev.bands()) == 3 * 101
    assert ev.confusion().to_numpy().sum() == 120
    assert set(ev.scores()["truth"]) == {"real", "fake"}
    assert ev.sources == {"labels": 120, "verdicts": 0}
    text = repr(ev)
    assert text.startswith("Evaluation at threshold 0.50: 120 scored items with a known truth")
    assert "AUC (95% CI)" in text and "audio" in text
    assert "<table>" in ev._repr_html_()


def test_the_case_threshold_is_the_default(case: Case) -> None:
    _planted(case)
    case.choose_threshold(0.7, note="editor's choice")
    assert case.threshold == 0.7
    assert case.evaluate(resamples=0).threshold == 0.7


def test_nothing_to_evaluate_says_what_to_do(case: Case) -> None:
    add_scored(case, [0.4])
    with pytest.raises(EvaluationError, match="import_labels"):
        case.evaluate()


def test_evaluate_takes_any_frame_with_score_and_truth() -> None:
    frame = pd.DataFrame({"score": [0.1, 0.9, 0.4, 0.8], "truth": ["real", "fake", "real", "fake"]})
    ev = evaluate(frame, by=None, resamples=0)
    assert list(ev.groups) == ["overall"] and ev.overall.auc == 1.0
