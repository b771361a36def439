"""The demo's report is the evidence packet (issue 20 item 3): opened offline in
Chromium, each flagged sound or video item plays its exhibit from the file itself, each
flagged image shows the picture with its heatmap over it, a flagged video its key
frames; and the report still verifies against its case."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, Route

from resemble_nb.cli._demo import CASE_FOLDER, REPORT_FILE, run_demo

_FLAGGED = """() => {
  const box = (i) => { const b = i.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; };
  return [...document.querySelectorAll('section.flagged-item')].map(s => {
    const type = [...s.querySelectorAll('dl.facts dt')].find(d => d.textContent === 'type');
    const players = [...s.querySelectorAll('audio, video')];
    const pictures = [...s.querySelectorAll('figure.picture img')];
    return {
        name: s.querySelector('h3').textContent,
        type: type ? type.nextElementSibling.textContent : '',
        players: players.map(m => ({tag: m.tagName, data: m.src.startsWith('data:'),
                                    ready: m.readyState, duration: m.duration, error: !!m.error})),
        pictures: pictures.map(i => ({loaded: i.complete && i.naturalWidth > 0,
                                      heat: i.classList.contains('heat'),
                                      box: box(i)})),
        frames: [...s.querySelectorAll('.key-frames img')].filter(i => i.naturalWidth > 0).length,
    };
  });
}"""
_ALL_MEDIA_READY = """() => [...document.querySelectorAll('section.flagged-item')]
    .flatMap(s => [...s.querySelectorAll('audio, video')])
    .every(m => m.readyState >= 1 || m.error)"""


def test_the_demo_report_plays_its_exhibits_and_shows_its_pictures_offline(
    lab_page: Page, tmp_path: Path, artifacts: Path
) -> None:
    out = tmp_path / "build"
    with contextlib.redirect_stdout(io.StringIO()):
        assert run_demo(out=str(out)) == 0
    report = out / REPORT_FILE

    page = lab_page
    requested: list[str] = []

    def refuse(route: Route) -> None:
        requested.append(route.request.url)
        route.abort()

    page.route("http*://**", refuse)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(report.as_uri())
    page.wait_for_function(_ALL_MEDIA_READY, timeout=30_000)
    flagged = page.evaluate(_FLAGGED)
    assert flagged, "nothing flagged in the demo report"
    kinds = {item["type"] for item in flagged}
    assert {"audio", "video", "image"} <= kinds, flagged
    for item in flagged:
        if item["type"] in ("audio", "video"):
            (player,) = item["players"]
            assert player["tag"] == item["type"].upper() and player["data"], item
            assert not player["error"] and player["ready"] >= 1 and player["duration"] > 0, item
        if item["type"] == "video":
            assert item["frames"] >= 1, item  # its key frames
        if item["type"] == "image":
            picture, *heat = item["pictures"]
            assert picture["loaded"] and not picture["heat"], item
            for over in heat:  # the heatmap, when the case holds one, covers the image
                assert over["heat"] and over["loaded"] and over["box"] == picture["box"], item
    assert requested == []  # nothing fetched: it all comes from the file
    page.screenshot(path=str(artifacts / "report-packet.png"), full_page=True)
    first = page.locator("section.flagged-item").filter(has=page.locator("figure.picture")).first
    first.screenshot(path=str(artifacts / "report-packet-image.png"))

    verified = subprocess.run(
        [sys.executable, "-m", "resemble_nb.cli", "verify", str(report),
         "--case", str(out / CASE_FOLDER)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert re.search(r"ok\s+signature", verified.stdout), verified.stdout
