"""01_quickstart.ipynb in a real JupyterLab: Run All, and what the investigator sees."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from .lab import (
    board,
    expect_full_bar,
    images_shown,
    one_case,
    open_notebook,
    output_with,
    query,
    run_all,
    wait_until_all_ran,
)


def test_quickstart_board_table_and_timeline(
    lab_page: Page, lab_url: str, cases_dir: Path, artifacts: Path
) -> None:
    page = lab_page
    open_notebook(page, lab_url, "01_quickstart.ipynb")
    run_all(page)

    live = board(page)
    expect(live).to_have_count(1, timeout=60_000)  # a real widget view, not the text repr
    expect(live).to_contain_text("SANDBOX")
    expect_full_bar(live)
    for count in ("completed 5", "failed 1"):
        expect(live).to_contain_text(count)
    expect(live).to_contain_text("6/6")  # the six media files the picker selected
    expect(page.locator(".rnb-checklist-row input:checked")).to_have_count(6)  # the picker
    expect(live.get_by_role("button", name="Cancel")).to_be_hidden()  # gone: the run is over
    live.screenshot(path=str(artifacts / "board-quickstart.png"))

    wait_until_all_ran(page)
    notice = page.locator(".jp-OutputArea-output pre").first
    expect(notice).to_have_text(re.compile(r"^RESEMBLE_API_KEY is not set: using the local"))
    table = output_with(page, "voicemail.mp3").filter(has=page.locator("table")).last
    expect(table).to_contain_text("likely_real")
    timeline = output_with(page, "interview.mp4: fake")
    assert images_shown(timeline), "the timeline plot did not render"

    case = one_case(cases_dir, "rnb-quickstart-")
    states = dict(query(case, "SELECT state, count(*) FROM jobs GROUP BY state"))
    assert states == {"completed": 5, "failed": 1}
    assert query(case, "SELECT count(*) FROM skipped_files") == [(0,)]  # notes.txt not listed
