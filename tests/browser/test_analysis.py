"""05_ask_and_feedback.ipynb in a real JupyterLab: the analysis panel under the item.

The intelligence text and the watermark and C2PA badges are visible; a question typed
in the board gets its answer shown (while the notebook stays free); a feedback click
lands in the case's ledger.
"""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Page, expect

from .lab import one_case, open_notebook, query, run_all, wait_until_all_ran


def _wait_for_rows(case: Path, sql: str, timeout_s: float = 20) -> list[tuple[object, ...]]:
    deadline = time.monotonic() + timeout_s
    while True:
        rows = query(case, sql)
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def test_panel_shows_analyses_answers_questions_and_sends_feedback(
    lab_page: Page, lab_url: str, cases_dir: Path, artifacts: Path
) -> None:
    page = lab_page
    open_notebook(page, lab_url, "05_ask_and_feedback.ipynb")
    run_all(page)
    wait_until_all_ran(page, timeout_s=180)
    case = one_case(cases_dir, "rnb-ask-")

    panel = page.locator(".rnb-analysis-panel")
    expect(panel).to_have_count(1, timeout=30_000)
    triage = page.locator(".jp-OutputArea-output").filter(has=panel)
    expect(triage).to_contain_text("street.jpg")  # threshold 0: the highest score first
    expect(panel).to_contain_text("Intelligence:")
    expect(panel).to_contain_text("The image shows signs of synthesis")
    expect(panel.locator(".rnb-findings")).to_be_visible()  # structured fields, a table
    badges = panel.locator(".rnb-badge")
    expect(badges.filter(has_text="watermark:")).to_be_visible()
    expect(badges.filter(has_text="C2PA: not present")).to_be_visible()
    expect(panel).to_contain_text("Reverse image search")
    heatmap = panel.locator("img[alt^='heatmap (where the image looks manipulated)']").first
    expect(heatmap).to_be_visible()
    assert heatmap.evaluate("el => el.complete && el.naturalWidth > 0")
    panel.screenshot(path=str(artifacts / "analysis-panel.png"))

    # A question typed in the board: the answer appears when ready.
    panel.locator("input[placeholder='Ask Resemble about this item…']").fill(
        "Is the lighting consistent?"
    )
    panel.get_by_role("button", name="Ask").click()
    expect(panel).to_contain_text("Is the lighting consistent?", timeout=20_000)
    expect(panel).to_contain_text("Sandbox answer:", timeout=30_000)
    expect(panel).to_contain_text("Answered.")
    rows = _wait_for_rows(
        case, "SELECT query, status FROM questions WHERE query LIKE 'Is the lighting%'"
    )
    assert rows == [("Is the lighting consistent?", "completed")]
    panel.screenshot(path=str(artifacts / "analysis-panel-answer.png"))

    # A verdict, then the feedback button: one row in the ledger's feedback log.
    triage.locator("input[placeholder='your name']").fill("Ana Investigator")
    triage.get_by_role("button", name="Confirm name").click()
    triage.get_by_role("button", name="Confirmed real").click()
    expect(panel).to_contain_text("Source tracing: openai")  # moved on to voicemail.mp3
    triage.get_by_role("button", name="Previous").click()
    expect(panel).to_contain_text("Is the lighting consistent?")  # street.jpg again
    panel.get_by_role("button", name="Send verdict to Resemble").click()
    expect(panel).to_contain_text("Sent: Resemble has this verdict as feedback.", timeout=20_000)
    rows = _wait_for_rows(
        case, "SELECT verdict, type, outcome FROM feedback WHERE verdict = 'confirmed_real' "
        "AND sha256 IN (SELECT sha256 FROM item_paths WHERE name = 'street.jpg')",
    )  # fmt: skip
    assert rows == [("confirmed_real", "should_be_authentic", "sent")]
