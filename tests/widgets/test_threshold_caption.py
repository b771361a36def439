"""The triage board's threshold caption: measured error rates beside the threshold."""

from __future__ import annotations

from pathlib import Path

from _truth_factory import add_scored, planted_case

from resemble_nb.case import Case
from resemble_nb.widgets._threshold_caption import ThresholdCaption


def _caption(board: object) -> ThresholdCaption:
    (caption,) = [c for c in board.slot.children if isinstance(c, ThresholdCaption)]  # type: ignore[attr-defined]
    return caption


def test_the_caption_follows_the_cases_threshold_not_the_filter_and_new_verdicts(
    tmp_path: Path,
) -> None:
    with Case(tmp_path / "case") as case:
        planted_case(case, n=60)
        board = case.triage(reviewer="ana", threshold=0.5)
        caption = _caption(board)
        fpr, fnr = case.threshold_evidence().rates(0.5)
        assert caption.text.startswith("At 0.50, measured on this case: real media flagged")
        assert f"{fpr.k} of {fpr.n}" in caption.text and f"{fnr.k} of {fnr.n}" in caption.text
        assert caption.text in caption.value and repr(caption).startswith("ThresholdCaption(At")

        before = caption.text
        board._threshold.value = 0.8  # the queue's "Score ≥" filter rewrites no caption
        assert caption.text == before
        case.choose_threshold(0.8, chosen_by="ana")  # the case's threshold does
        board.next()
        fpr, _ = case.threshold_evidence().rates(0.8)
        assert caption.text.startswith("At 0.80") and f"{fpr.k} of {fpr.n}" in caption.text

        (extra,) = add_scored(case, [0.95], names=["new.wav"], folder="/more")
        board.refresh()
        board.show(extra)
        board.decide("confirmed_fake")  # a confirmed verdict is ground truth too
        assert f"of {fnr.n + 1})" in caption.text


def test_without_known_truth_it_says_so(tmp_path: Path) -> None:
    with Case(tmp_path / "case") as case:
        add_scored(case, [0.2, 0.7])
        caption = _caption(case.triage(reviewer="ana"))
        assert "No media of known truth in this case" in caption.text
