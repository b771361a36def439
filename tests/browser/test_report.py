"""03_report.ipynb in a real JupyterLab, then the report it wrote, opened offline."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, Route, expect

from .lab import (
    board,
    expect_full_bar,
    images_shown,
    one_case,
    open_notebook,
    output_with,
    run_all,
    wait_until_all_ran,
)


def test_report_notebook_writes_a_report_that_opens_offline(
    lab_page: Page, lab_url: str, cases_dir: Path, artifacts: Path
) -> None:
    page = lab_page
    open_notebook(page, lab_url, "03_report.ipynb")
    run_all(page)
    live = board(page)
    expect(live).to_have_count(1, timeout=60_000)
    expect_full_bar(live)
    wait_until_all_ran(page)
    expect(output_with(page, "Report written:")).to_have_count(1)
    flagged = output_with(page, "street.jpg").filter(has=page.locator("table")).last
    expect(flagged).to_contain_text("interview.mp4")
    assert images_shown(page.locator(".jp-OutputArea-output.jp-RenderedImage"))

    case = one_case(cases_dir, "rnb-report-")
    reports = sorted((case / "reports").glob("*.html"))
    assert len(reports) == 1

    # Open the file itself with every network request refused: it must not need any.
    requested: list[str] = []

    def refuse(route: Route) -> None:
        requested.append(route.request.url)
        route.abort()

    page.route("http*://**", refuse)
    page.goto(reports[0].as_uri())
    body = page.locator("body")
    expect(body).to_contain_text("interview.mp4")
    expect(body).to_contain_text("sandbox", ignore_case=True)
    shown = images_shown(body)
    assert len(shown) >= 2, f"report images shown: {shown}"
    assert requested == []
    page.screenshot(path=str(artifacts / "report.png"), full_page=True)
