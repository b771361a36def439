"""The report's section "How reliable is this threshold?", written by case.report()."""

from __future__ import annotations

import re

import pytest
from _truth_factory import add_scored, planted_case

from resemble_nb.case import Case


def _section(html: str) -> str:
    found = re.search(r'<section id="reliability".*?</section>', html, re.S)
    assert found is not None, "no reliability section"
    return found.group(0)


def test_the_section_gives_numbers_intervals_sizes_and_limits(case: Case) -> None:
    planted_case(case)
    ev = case.evaluate(threshold=0.5, resamples=1000)
    html = case.report().read_text(encoding="utf-8")
    section = _section(html)
    assert "How reliable is this threshold?" in section
    assert '<a href="#reliability">' in html
    g = ev.overall
    assert f"<b>{g.n_real}</b> known real and <b>{g.n_fake}</b> known fake" in section
    fp = g.false_positive_rate
    assert f"false positives: {fp.k} of {fp.n}" in section
    assert f"{g.auc:.3f} ({g.auc_ci[0]:.3f} – {g.auc_ci[1]:.3f})" in section
    for name in ("overall", "audio", "image"):
        assert f"<td>{name}</td>" in section
    assert "What these numbers mean." in section and "What they do not mean." in section
    assert section.count("<img ") == 2


def test_the_chosen_threshold_and_its_evidence_are_named(case: Case) -> None:
    planted_case(case, n=200)
    case.choose_threshold(0.55, note="agreed with legal", chosen_by="ana")
    section = _section(case.report().read_text(encoding="utf-8"))
    assert "The threshold 0.55 was chosen by ana on " in section
    assert "set by hand" in section and "agreed with legal" in section
    assert "At the threshold 0.55:" in section


def test_without_known_truth_the_section_says_nothing_is_measured(case: Case) -> None:
    add_scored(case, [0.2, 0.8])
    section = _section(case.report().read_text(encoding="utf-8"))
    assert "No media of known truth in this case" in section
    assert "<img " not in section


def test_rates_from_too_few_known_items_are_never_a_headline(case: Case) -> None:
    """One confirmed-real item flagged: '1 known-real item: too few to estimate', with its
    count and interval, never '100.0 %' in headline type (issue 20 item 3)."""
    import pandas as pd

    shas = add_scored(case, [0.9, 0.2, 0.7, 0.95])
    case.import_labels(
        pd.DataFrame({"sha256": shas[:2], "label": ["real", "fake"]}), imported_by="ana"
    )
    section = _section(case.report().read_text(encoding="utf-8"))
    assert "1 known-real item: too few to estimate" in section
    assert "1 known fake: too few to estimate" in section
    assert "counted 1 of 1" in section and "95% interval" in section
    assert not re.search(r"<b>\s*100\.0\s*%\s*</b>", section)  # no headline figure
    assert "too few to estimate: 1 of 1" in section  # the per-media table says it too


def test_the_report_is_signed_by_the_reviewer_confirmed_on_the_board(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Confirmed once on the board, the name signs the report, not the computer's user
    (issue 20 item 3: the report said 'root')."""
    monkeypatch.delenv("RESEMBLE_NB_REVIEWER", raising=False)
    add_scored(case, [0.9, 0.2])
    board = case.triage(threshold=0.0)
    board.confirm_reviewer("Ana Investigator")
    html = case.report().read_text(encoding="utf-8")
    assert "this report is signed by <b>Ana Investigator</b>" in html
