"""A hostile service in a real browser (issue 18, done-when 1): the sandbox's ``hostile``
mode puts markup in every text field, heatmaps whose media type breaks out of an
attribute, javascript: links and a megabyte of text. The triage board (every item, with
its analysis panel) and the report open in Chromium with no dialog, no console error,
and no live script, handler or javascript: URL in what they show."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import ConsoleMessage, Dialog, Locator, Page, Route, expect

from .lab import one_case, open_notebook, put_notebook, run_all, wait_until_all_ran

REVIEW = """\
import tempfile

import resemble_nb as rnb
from resemble_nb.api import Client
from resemble_nb.sandbox import Sandbox

sandbox = Sandbox(port=0, hostile=True).start()
client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
case = rnb.Case(tempfile.mkdtemp(prefix="rnb-hostile-"), name="Hostile test")
case.review(
    rnb.sample_media(), client=client, display=False, intelligence=True, visualize=True,
    use_reverse_search=True, audio_source_tracing=True,
).wait(180)
case.ask("portrait.png", "Is the lighting consistent?", client=client)
for name in case.results()["name"]:
    if name != "notes.txt":
        case.decide(name, "needs_escalation")
print("Report written:", case.report())
board = case.triage(client=client, threshold=0.0, sort="name")
board"""

NAMES = [
    "damaged.wav",
    "interview.mp4",
    "portrait.png",
    "speech.wav",
    "street.jpg",
    "voicemail.mp3",
]
#: Everything a browser would run, found in the DOM under ``root``.
LIVE = """(root) => {
  const found = [];
  for (const el of root.querySelectorAll('*')) {
    if (el.tagName === 'SCRIPT' || el.tagName === 'IFRAME') found.push(el.tagName);
    for (const a of el.attributes) {
      const v = a.value.replace(/\\s+/g, '').toLowerCase();
      if (a.name.startsWith('on')) found.push(el.tagName + ' ' + a.name);
      if (['href', 'src', 'action', 'formaction'].includes(a.name) && v.startsWith('javascript:'))
        found.push(el.tagName + ' ' + a.name + '=javascript:');
      // images rebuilt from sniffed bytes; the item's own audio/video sent by the kernel
      const image = /^data:(image\\/(png|jpeg|gif|webp)|(audio|video)\\/[\\w.+-]+);base64,/;
      if (a.name === 'src' && v.startsWith('data:') && !image.test(v))
        found.push(el.tagName + ' src=' + v.slice(0, 40));
    }
  }
  return found;
}"""


def _watch(page: Page) -> tuple[list[str], list[str]]:
    dialogs: list[str] = []
    errors: list[str] = []

    def dialog(d: Dialog) -> None:
        if d.type == "beforeunload":  # the lab's own "leave with unsaved changes?"
            d.accept()
            return
        dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("dialog", dialog)
    page.on("console", console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return dialogs, errors


def _live(scope: Locator) -> list[str]:
    found: list[str] = scope.evaluate(LIVE)
    return found


def test_a_hostile_service_runs_nothing_on_the_board_or_in_the_report(
    lab_page: Page, lab_url: str, cases_dir: Path, artifacts: Path
) -> None:
    page = lab_page
    dialogs, errors = _watch(page)
    put_notebook(lab_url, "hostile.ipynb", REVIEW)
    open_notebook(page, lab_url, "hostile.ipynb")
    run_all(page)
    wait_until_all_ran(page, timeout_s=240)
    triage = page.locator(".rnb-triage")
    expect(triage).to_have_count(1, timeout=60_000)
    panel = page.locator(".rnb-analysis-panel")
    expect(panel).to_have_count(1)
    case = one_case(cases_dir, "rnb-hostile-")
    name = triage.locator(".rnb-insp-name")
    analysed = 0
    for i, expected in enumerate(NAMES):  # every item on the board, by name
        if i:
            triage.get_by_role("button", name="Next").click()
        expect(name).to_have_text(expected)
        expect(triage).to_contain_text(f"Item {i + 1} of {len(NAMES)}")
        if expected != "damaged.wav":  # never analysed: no panel text
            expect(panel).to_contain_text("Intelligence:", timeout=20_000)
            expect(panel).to_contain_text("<script>alert('script')</script>")  # as text
            analysed += 1
        assert _live(triage) == [], expected
        if expected == "portrait.png":
            expect(panel).to_contain_text("Reverse image search")
            expect(panel.locator("a")).to_have_count(0)  # no javascript:, data: or broken link
            heat = panel.locator("img[alt*='heatmap']")
            expect(heat.first).to_be_visible()
            assert heat.first.evaluate("el => el.complete && el.naturalWidth > 0")
            heat.first.scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts / "hostile-board.png"))
    assert analysed == 5
    assert dialogs == [], dialogs
    assert errors == [], errors

    reports = sorted((case / "reports").glob("*.html"))
    assert len(reports) == 1
    refused: list[str] = []

    def refuse(route: Route) -> None:
        refused.append(route.request.url)
        route.abort()

    page.route("http*://**", refuse)
    page.goto(reports[0].as_uri())
    body = page.locator("body")
    expect(body).to_contain_text("<script>alert('script')</script>")
    expect(body).to_contain_text("portrait.png")
    assert _live(page.locator("html")) == []
    assert page.locator("a[href^='http']").count() == 0 or all(
        h.startswith(("https://", "http://"))
        for h in page.locator("a[href^='http']").evaluate_all("els => els.map(e => e.href)")
    )
    page.screenshot(path=str(artifacts / "hostile-report.png"))  # the top of it
    assert dialogs == [], dialogs
    assert errors == [], errors
    assert refused == []
