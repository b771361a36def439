"""A Cancel click on the live board stops a long review while the notebook is idle."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from .conftest import CANCEL_LATENCY, CANCEL_NOTEBOOK
from .lab import (
    board,
    one_case,
    open_notebook,
    progress_bar,
    query,
    run_all,
    wait_until_all_ran,
)


def test_cancel_stops_a_long_review(
    lab_page: Page, lab_url: str, cases_dir: Path, artifacts: Path
) -> None:
    page = lab_page
    open_notebook(page, lab_url, CANCEL_NOTEBOOK)
    run_all(page)
    wait_until_all_ran(page)  # the cell has returned: the review runs in the background

    live = board(page)
    expect(live).to_have_count(1, timeout=30_000)
    expect(live).to_contain_text("submitted", timeout=30_000)  # jobs are at the sandbox
    expect(live).not_to_contain_text("completed")
    # The bar moves before any item completes: 5 jobs at the sandbox, 1 failed and 1
    # skipped file show well past the 2/7 that have ended.
    expect(progress_bar(live)).to_have_attribute(
        "style", re.compile(r"width:\s*([4-9]\d)(\.\d+)?%"), timeout=10_000
    )
    live.screenshot(path=str(artifacts / "board-processing.png"))

    clicked = time.monotonic()
    live.get_by_role("button", name="Cancel").click()
    expect(live).to_contain_text("cancelled;", timeout=15_000)  # "cancelled; finished in …"
    stopped_after = time.monotonic() - clicked
    assert stopped_after < CANCEL_LATENCY / 2
    # Not a full red bar: the 2 of 7 that ended before (failed, skipped), and what was cancelled.
    expect(progress_bar(live)).to_have_attribute("style", re.compile(r"width:\s*28\.5\d*%"))
    expect(progress_bar(live)).to_have_class(re.compile("progress-bar-danger"))
    expect(live).to_contain_text("cancelled 5")
    expect(live).to_contain_text("Cancelled: 5 of 7 not analysed; 0 completed, 1 failed")
    expect(live.get_by_role("button", name="Cancel")).to_have_count(0)  # the run is over
    live.screenshot(path=str(artifacts / "board-cancelled.png"))

    case = one_case(cases_dir, "rnb-cancel-")
    states = dict(query(case, "SELECT state, count(*) FROM jobs GROUP BY state"))
    assert states == {"cancelled": 5, "failed": 1}
