"""The report's "How reliable is this threshold?" section, rendered in Chromium, offline."""

from __future__ import annotations

from pathlib import Path

from _truth_factory import planted_case
from playwright.sync_api import Page, Route, expect

from resemble_nb.case import Case


def test_the_reliability_section_renders_offline(
    page: Page, tmp_path: Path, artifacts: Path
) -> None:
    with Case(tmp_path / "case", name="Reliability") as case:
        planted_case(case, n=240)
        choice = case.choose_threshold(case.recommend_threshold(target_fpr=0.05, resamples=200))
        report = case.report()
        ev = case.evaluate()

    requested: list[str] = []

    def refuse(route: Route) -> None:
        requested.append(route.request.url)
        route.abort()

    page.route("http*://**", refuse)
    page.goto(report.as_uri())
    page.get_by_role("link", name="How reliable is this threshold?").click()
    section = page.locator("section#reliability")
    expect(section).to_be_visible()
    expect(section.locator("h2")).to_have_text("How reliable is this threshold?")
    shown = f"{choice.threshold:.3f}".rstrip("0")
    expect(section.locator("#threshold-choice")).to_contain_text(f"The threshold {shown}")
    rows = section.locator("#reliability-table tbody tr")
    expect(rows).to_have_count(len(ev.groups))
    fp = ev.overall.false_positive_rate
    expect(rows.first).to_contain_text(f"{fp.k} of {fp.n}")
    images = section.locator("img")
    expect(images).to_have_count(2)
    for i in range(2):  # decoded and laid out, not a broken image
        width = images.nth(i).evaluate("img => img.complete ? img.naturalWidth : 0")
        assert width > 100
    assert requested == []
    section.screenshot(path=str(artifacts / "report-reliability.png"))
