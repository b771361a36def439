"""The triage board's media inspector in a real JupyterLab in Chromium.

A notebook written by the test reviews the sample media on the sandbox and opens the
board; the media files live outside the lab's root, so they play through the package's
server extension (``/resemble-nb/media/...``), never through widget state.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

import resemble_nb as rnb

from .lab import one_case, open_notebook, put_notebook, query, run_all, wait_until_all_ran

REVIEW = """\
import tempfile

import resemble_nb as rnb
from resemble_nb.api import Client
from resemble_nb.sandbox import Sandbox

sandbox = Sandbox(port=0).start()
client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
case = rnb.Case(tempfile.mkdtemp(prefix="{prefix}"), name="Inspector test")
case.review(rnb.sample_media(), client=client, display=False, visualize=True).wait(120)
board = case.triage(threshold=0.0, sort="name")
board.show({first!r})
board"""


def triage_board(page: Page) -> Locator:
    return page.locator(".rnb-triage")


def inspector(page: Page) -> Locator:
    return page.locator(".rnb-insp")


def open_board(page: Page, lab_url: str, name: str, prefix: str, first: str) -> None:
    put_notebook(lab_url, name, REVIEW.format(prefix=prefix, first=first))
    open_notebook(page, lab_url, name)
    run_all(page)
    wait_until_all_ran(page, timeout_s=150)
    expect(triage_board(page)).to_have_count(1, timeout=30_000)


def media_ready(page: Page, selector: str) -> None:
    page.wait_for_function(
        f"() => {{ const m = document.querySelector('.rnb-insp {selector}');"
        " return m && m.readyState >= 1 && Number.isFinite(m.duration); }",
        timeout=30_000,
    )


def active_cell(page: Page) -> int:
    index: int = page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.activeCellIndex"
    )
    return index


def test_a_click_on_the_timeline_seeks_the_player_there(
    lab_page: Page, lab_url: str, artifacts: Path
) -> None:
    page = lab_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/resemble-nb/media/" in r.url else None)
    open_board(page, lab_url, "inspector_seek.ipynb", "rnb-seek-", "speech.wav")
    insp = inspector(page)
    expect(insp).to_have_attribute("data-kind", "audio")
    expect(insp.locator(".rnb-insp-name")).to_have_text("speech.wav")
    media_ready(page, "audio")
    speech = rnb.sample_media() / "speech.wav"
    sha = __import__("hashlib").sha256(speech.read_bytes()).hexdigest()
    assert any(url.endswith(f"/{sha}") for url in requests), requests  # by case and item

    canvas = insp.locator("canvas.rnb-insp-timeline")
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    assert box is not None
    canvas.click(position={"x": box["width"] * 0.6, "y": box["height"] * 0.6})
    page.wait_for_function(
        "() => { const m = document.querySelector('.rnb-insp audio'); return m.currentTime > 0; }"
    )
    current = page.evaluate("() => document.querySelector('.rnb-insp audio').currentTime")
    duration = page.evaluate("() => document.querySelector('.rnb-insp audio').duration")
    window_s = 2.0  # the sandbox's audio window
    assert abs(current - 0.6 * duration) <= window_s, (current, duration)
    triage_board(page).screenshot(path=str(artifacts / "inspector-audio-seek.png"))


def test_keys_move_and_decide_with_the_reviewers_name(
    lab_page: Page, lab_url: str, cases_dir: Path, artifacts: Path
) -> None:
    page = lab_page
    open_board(page, lab_url, "inspector_keys.ipynb", "rnb-keys-", "interview.mp4")
    board = triage_board(page)
    insp = inspector(page)
    expect(board).to_contain_text(re.compile(r"Item 2 of \d+"))
    cell_before = active_cell(page)

    insp.locator(".rnb-insp-name").click()  # the board has focus now
    page.keyboard.press("j")
    expect(board).to_contain_text(re.compile(r"Item 3 of \d+"))
    page.keyboard.press("k")
    page.keyboard.press("k")
    expect(board).to_contain_text(re.compile(r"Item 1 of \d+"))
    page.keyboard.press("ArrowDown")
    expect(board).to_contain_text(re.compile(r"Item 2 of \d+"))
    expect(insp.locator(".rnb-insp-name")).to_have_text("interview.mp4")
    assert active_cell(page) == cell_before, "a board key moved JupyterLab's active cell"

    page.keyboard.press("?")
    expect(insp.locator(".rnb-insp-help")).to_be_visible()
    board.screenshot(path=str(artifacts / "inspector-keys-help.png"))
    page.keyboard.press("?")

    page.keyboard.press("1")  # nobody confirmed who is reviewing yet
    expect(board).to_contain_text("Not saved: who is deciding?")
    name_box = board.locator("input[placeholder='your name']")
    name_box.fill("Ana Investigator")
    board.get_by_role("button", name="Confirm name").click()
    expect(board).to_contain_text("Decisions are recorded as Ana Investigator")

    insp.locator(".rnb-insp-name").click()
    page.keyboard.press("n")
    page.keyboard.type("lips out of sync")
    page.keyboard.press("Escape")
    page.keyboard.press("1")
    expect(board).to_contain_text("Saved: confirmed fake for interview.mp4, by Ana Investigator")
    expect(board).to_contain_text(re.compile(r"Item 3 of \d+"))
    page.keyboard.press("4")
    expect(board).to_contain_text("Saved: inconclusive")
    assert active_cell(page) == cell_before

    case = one_case(cases_dir, "rnb-keys-")
    rows = query(case, "SELECT verdict, note, reviewer FROM decisions ORDER BY id")
    assert rows[0] == ("confirmed_fake", "lips out of sync", "Ana Investigator")
    assert rows[1][0] == "inconclusive" and rows[1][2] == "Ana Investigator"
    board.screenshot(path=str(artifacts / "inspector-keys-decided.png"))


def test_video_verdicts_are_visible_next_to_the_player_at_1440x900(
    lab_page: Page, lab_url: str, artifacts: Path
) -> None:
    page = lab_page
    page.set_viewport_size({"width": 1440, "height": 900})
    open_board(page, lab_url, "inspector_video.ipynb", "rnb-video-", "interview.mp4")
    insp = inspector(page)
    expect(insp).to_have_attribute("data-kind", "video")
    media_ready(page, "video")
    frames = insp.locator(".rnb-insp-frame")
    expect(frames.first).to_be_visible()
    page.evaluate("() => document.querySelector('.rnb-triage').scrollIntoView({block: 'start'})")
    video = insp.locator("video").bounding_box()
    assert video is not None
    for words in ("Confirmed fake", "Confirmed real", "Needs escalation", "Inconclusive"):
        button = triage_board(page).get_by_role("button", name=re.compile(words))
        expect(button).to_be_in_viewport(ratio=1.0)
        box = button.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 900
    page.screenshot(path=str(artifacts / "inspector-video-1440x900.png"))

    # a key frame click seeks there; no frame sits past the end of the media
    duration = page.evaluate("() => document.querySelector('.rnb-insp video').duration")
    last = frames.last
    last.click()
    page.wait_for_function(
        "() => document.querySelector('.rnb-insp video').currentTime > 0", timeout=10_000
    )
    current = page.evaluate("() => document.querySelector('.rnb-insp video').currentTime")
    assert 0 < current <= duration

    # An image: shown from the server with a zoom; no timeline, no broken picture.
    board = triage_board(page)
    board.locator("input[placeholder^='go to']").fill("portrait")
    board.locator("input[placeholder^='go to']").press("Enter")
    expect(insp).to_have_attribute("data-kind", "image")
    image = insp.locator(".rnb-insp-imginner img").first
    page.wait_for_function(
        "() => { const i = document.querySelector('.rnb-insp-imginner img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    expect(insp.locator("canvas.rnb-insp-timeline")).to_be_hidden()
    width = image.bounding_box()
    insp.get_by_role("button", name="+").click()
    wider = image.bounding_box()
    assert width and wider and wider["width"] > width["width"] * 1.4
    heat = insp.locator("img.rnb-insp-heat")  # the heatmap the ledger kept, over the image
    expect(heat).to_have_count(1)
    opacity = insp.get_by_role("slider", name="heatmap opacity")
    opacity.fill("90")
    expect(heat).to_have_attribute("style", re.compile(r"opacity:\s*0\.9"))
    page.screenshot(path=str(artifacts / "inspector-image.png"))


@pytest.mark.slow
def test_a_video_over_200_mb_plays_and_seeks_by_url(
    lab_page: Page, lab_url: str, tmp_path: Path, artifacts: Path
) -> None:
    big = tmp_path / "bodycam.mp4"
    sample = (rnb.sample_media() / "interview.mp4").read_bytes()
    padding = 210 * 1024**2
    with big.open("wb") as fh:  # the sample, then a 'free' box the player skips (sparse)
        fh.write(sample)
        fh.write((padding + 8).to_bytes(4, "big") + b"free")
        fh.truncate(len(sample) + 8 + padding)
    assert big.stat().st_size > 200 * 1024**2

    page = lab_page
    biggest = [0]

    def watch(ws: Any) -> None:
        def frame(payload: Any) -> None:
            biggest[0] = max(biggest[0], len(payload))

        ws.on("framereceived", frame)
        ws.on("framesent", frame)

    page.on("websocket", watch)
    ranges: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda r: (
            ranges.append((r.request.headers.get("range", ""), r.status))
            if "/resemble-nb/media/" in r.url
            else None
        ),
    )
    cell = f"""\
from pathlib import Path
import pandas as pd
from resemble_nb.ledger import Ledger
from resemble_nb.media import scan
from resemble_nb.widgets.inspector import MediaInspector, item_view, cache_dir
big = Path({str(big)!r})
found = scan([str(big)]).items
case_dir = big.parent / "case"
case_dir.mkdir()
Ledger(case_dir / "case.db").add_items(found)  # the route serves a case's items only
item = {{"sha256": found[0].sha256, "name": big.name, "path": str(big), "media_type": "video"}}
segments = pd.DataFrame(columns=["sha256", "track", "kind", "start_s", "end_s", "score", "label"])
inspector = MediaInspector()
inspector.show(item_view(item, segments, case_folder=case_dir, cache=big.parent / "cache"), big)
inspector"""
    put_notebook(lab_url, "inspector_big.ipynb", cell)
    open_notebook(page, lab_url, "inspector_big.ipynb")
    run_all(page)
    wait_until_all_ran(page, timeout_s=60)
    insp = inspector(page)
    expect(insp).to_have_attribute("data-kind", "video")
    media_ready(page, "video")
    canvas = insp.locator("canvas.rnb-insp-timeline")
    box = canvas.bounding_box()
    assert box is not None
    canvas.click(position={"x": box["width"] * 0.75, "y": box["height"] - 5})
    page.wait_for_function(
        "() => { const v = document.querySelector('.rnb-insp video');"
        " return v.currentTime > 2.0 && !v.seeking; }",
        timeout=15_000,
    )
    insp.screenshot(path=str(artifacts / "inspector-big-video.png"))
    assert ranges and all(status in (200, 206) for _, status in ranges), ranges
    assert any(status == 206 for _, status in ranges), ranges  # served in ranges
    assert biggest[0] < 1024**2, f"a widget message of {biggest[0]:,} bytes"
    assert "bytes-refused" not in page.content()
