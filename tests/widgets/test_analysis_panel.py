"""The triage board's analysis panel, headless, against a real sandbox and case."""

from __future__ import annotations

from pathlib import Path

import pytest

from resemble_nb.api import Client
from resemble_nb.case import Case
from resemble_nb.case._analysis import CaseAnalysis
from resemble_nb.sandbox import Sandbox
from resemble_nb.widgets._analysis_panel import AnalysisPanel

SAMPLES = Path(__file__).resolve().parents[2] / "resemble_nb" / "samples"


@pytest.fixture
def setup(tmp_path: Path, sandbox: Sandbox) -> tuple[Case, Client, Sandbox]:
    case = Case(tmp_path / "acme")
    client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
    run = case.review(
        [SAMPLES / "speech.wav", SAMPLES / "portrait.png"], client=client, display=False,
        poll_interval=(0.05, 0.5), intelligence=True, visualize=True, use_reverse_search=True,
        audio_source_tracing=True,
    )  # fmt: skip
    run.wait(60)
    return case, client, sandbox


def test_panel_shows_the_analyses_and_embeds_the_heatmap(
    setup: tuple[Case, Client, Sandbox],
) -> None:
    case, client, _sb = setup
    panel = AnalysisPanel(CaseAnalysis(case, client))
    assert repr(panel) == "AnalysisPanel: no item"
    panel.show(case.item_key("portrait.png"))
    html = panel.html.value
    assert "Intelligence:" in html and "rnb-findings" in html  # structured: a table
    assert "Reverse image search" in html
    assert '<img src="data:image/png;base64,' in html
    assert "/_sandbox/media/" not in html  # no media or artifact URL, only the image
    panel.show(None)
    assert panel.html.value == "" and panel.ask_button.disabled


def test_a_question_typed_in_the_panel_gets_its_answer_without_blocking(
    setup: tuple[Case, Client, Sandbox],
) -> None:
    case, client, _sb = setup
    panel = AnalysisPanel(CaseAnalysis(case, client, poll_interval=(0.01, 0.05)))
    sha = case.item_key("speech.wav")
    panel.show(sha)
    panel.question.value = "Was the voice cloned from a public recording?"
    panel.ask_button.click()  # returns at once: the answer comes on a thread
    assert panel.question.value == ""
    panel.wait(30)
    assert "Was the voice cloned" in panel.html.value
    assert "Sandbox answer:" in panel.html.value
    assert panel.status.value == "Answered."
    stored = case.ledger.questions(sha)
    assert [q.status for q in stored] == ["completed"]
    assert "1 question(s) asked" in repr(panel)


def test_feedback_button_sends_the_verdict_once(setup: tuple[Case, Client, Sandbox]) -> None:
    case, client, sb = setup
    panel = AnalysisPanel(CaseAnalysis(case, client))
    sha = case.item_key("speech.wav")
    panel.show(sha)
    panel.feedback_button.click()
    assert "Decide a verdict first" in panel.feedback_status.value
    case.decide("speech.wav", "confirmed_fake", reviewer="ana")
    panel.feedback_button.click()
    assert panel.feedback_status.value == "Sent: Resemble has this verdict as feedback."
    panel.feedback_button.click()
    said = panel.feedback_status.value
    assert said.startswith("Already sent (") and said.endswith("): nothing new to send.")
    assert "_" not in said and "sent (sent)" not in said  # plain words, no identifiers
    assert panel.resend_button.layout.display == "none"
    assert [e.verdict for e in case.ledger.feedback_log(sha)] == ["confirmed_fake"]
    assert sb.stats()["requests"]["POST /detect/{uuid}/feedback"] == {"200": 1}

    case.decide("speech.wav", "confirmed_real", reviewer="ana")  # changed her mind
    panel.feedback_button.click()
    assert panel.feedback_status.value == "Changed since sent: send the new verdict?"
    assert panel.resend_button.layout.display is None  # the button to do it
    assert "update=True" not in panel.feedback_status.value
    panel.resend_button.click()
    assert panel.feedback_status.value.startswith("Sent: the new verdict replaced")
    assert panel.resend_button.layout.display == "none"
    assert [e.verdict for e in case.ledger.feedback_log(sha)][-1] == "confirmed_real"


def test_the_triage_board_embeds_the_panel(setup: tuple[Case, Client, Sandbox]) -> None:
    case, client, _sb = setup
    board = case.triage(client=client, threshold=0.0)
    panels = [p for p in board.slot.children if isinstance(p, AnalysisPanel)]
    assert len(panels) == 1
    panel = panels[0]
    assert board.current is not None and panel.sha256 == board.current["sha256"]
    assert "Intelligence:" in panel.html.value
    board.next()
    assert board.current is not None and panel.sha256 == board.current["sha256"]
