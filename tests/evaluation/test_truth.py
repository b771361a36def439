"""Ground truth: imported labels and confirmed verdicts, their sources, their conflicts."""

from __future__ import annotations

import pandas as pd

from resemble_nb.case import Case

from .conftest import add_scored


def test_verdicts_count_as_truth_with_their_source(case: Case) -> None:
    shas = add_scored(case, [0.9, 0.2, 0.5, None])
    case.decide(shas[0], "confirmed_fake", reviewer="ana")
    case.decide(shas[1], "confirmed_real", reviewer="ben")
    case.decide(shas[2], "needs_escalation", reviewer="ana")  # not a truth
    case.decide(shas[3], "confirmed_fake", reviewer="ana")  # a truth without a score
    truth = case.ground_truth().set_index("sha256")
    assert list(truth.index) == [shas[0], shas[1], shas[3]]
    assert list(truth["truth"].astype(str)) == ["fake", "real", "fake"]
    assert truth.loc[shas[1], "source"].startswith("verdict confirmed_real by ben on ")
    assert pd.isna(truth.loc[shas[3], "score"])


def test_the_latest_verdict_counts(case: Case) -> None:
    (one,) = add_scored(case, [0.6])
    case.decide(one, "confirmed_fake")
    case.decide(one, "inconclusive")
    assert case.ground_truth().empty


def test_a_label_and_a_verdict_that_disagree_leave_the_item_out(case: Case) -> None:
    a, b = add_scored(case, [0.8, 0.3])
    case.import_labels(pd.DataFrame({"sha256": [a, b], "label": ["fake", "real"]}))
    case.decide(a, "confirmed_real", reviewer="ana")
    case.decide(b, "confirmed_real", reviewer="ana")
    truth = case.ground_truth().set_index("sha256")
    assert bool(truth.loc[a, "conflict"]) and pd.isna(truth.loc[a, "truth"])
    assert not truth.loc[b, "conflict"] and truth.loc[b, "truth"] == "real"
    assert "label real from the DataFrame row 1" in truth.loc[b, "source"]
    assert "verdict confirmed_real by ana" in truth.loc[b, "source"]
