"""02_batch_triage.ipynb in a real JupyterLab: board, plots, a triage click, an upload."""

from __future__ import annotations

import hashlib
import math
import shutil
import struct
import time
import wave
from pathlib import Path

from playwright.sync_api import Page, expect

import resemble_nb as rnb

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


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _wait_for_rows(case: Path, sql: str, timeout_s: float = 15) -> list[tuple[object, ...]]:
    deadline = time.monotonic() + timeout_s
    while True:
        rows = query(case, sql)
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def _tone_wav(path: Path, hz: float = 523.0, seconds: float = 1.5, rate: int = 16_000) -> None:
    """A short WAV no sample shares (so the case has no item for it yet)."""
    frames = b"".join(
        struct.pack("<h", int(9000 * math.sin(2 * math.pi * hz * i / rate)))
        for i in range(int(seconds * rate))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)


_CELL_WITH = """(text) => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  const i = nb.widgets.findIndex((c) => c.model.sharedModel.getSource().includes(text));
  if (i < 0) throw new Error("no cell with " + text);
  return i;
}"""
_RUN_CELL = """(i) => {
  const panel = window.jupyterapp.shell.currentWidget;
  panel.content.activeCellIndex = i;
  panel.content.deselectAll();
  return window.jupyterapp.commands.execute("notebook:run-cell").then(() => true);
}"""
_OUTPUT_TEXT = """(i) => {
  const cell = window.jupyterapp.shell.currentWidget.content.widgets[i];
  return JSON.stringify(cell.model.outputs.toJSON());
}"""


def test_batch_review_plots_triage_and_upload(
    lab_page: Page, lab_url: str, cases_dir: Path, artifacts: Path, tmp_path: Path
) -> None:
    page = lab_page
    open_notebook(page, lab_url, "02_batch_triage.ipynb")
    run_all(page)

    live = board(page)
    expect(live).to_have_count(1, timeout=60_000)
    expect_full_bar(live)
    expect(live).to_contain_text("completed 5")
    expect(live).to_contain_text("failed 1")
    expect(live).to_contain_text("6/6")
    wait_until_all_ran(page)
    live.screenshot(path=str(artifacts / "board-batch.png"))
    case = one_case(cases_dir, "rnb-triage-")

    # The three matplotlib figures render as real images with a size on screen.
    figures = page.locator(".jp-OutputArea-output.jp-RenderedImage")
    expect(figures).to_have_count(3)
    assert len(images_shown(figures)) == 3

    # Triage: the first item is the highest score; its timeline is shown; a click is saved.
    triage = page.locator(".jp-OutputArea-output").filter(
        has=page.get_by_role("button", name="Confirmed fake")
    )
    expect(triage).to_contain_text("Item 1 of 3")
    expect(triage).to_contain_text("interview.mp4")
    assert images_shown(triage), "the triage timeline did not render"
    triage.screenshot(path=str(artifacts / "triage.png"))
    triage.locator("input[placeholder='your name']").fill("Ana Investigator")
    triage.get_by_role("button", name="Confirm name").click()
    triage.locator("textarea").fill("lip sync drifts at 0:02")
    triage.get_by_role("button", name="Confirmed fake").click()
    expect(triage).to_contain_text("Saved: confirmed fake for interview.mp4")
    expect(triage).to_contain_text("Item 2 of 3")
    rows = _wait_for_rows(case, "SELECT sha256, verdict, note, reviewer FROM decisions")
    interview = _sha256(rnb.sample_media() / "interview.mp4")
    assert rows == [(interview, "confirmed_fake", "lip sync drifts at 0:02", "Ana Investigator")]

    # Upload from "this computer": the file lands in the case folder, hashed.
    clip = tmp_path / "field-recording.wav"
    shutil.copyfile(rnb.sample_media() / "speech.wav", clip)
    uploader = output_with(page, "Upload media").filter(has=page.locator("button.widget-upload"))
    with page.expect_file_chooser() as chooser:
        uploader.locator("button.widget-upload").click()
    chooser.value.set_files(str(clip))
    expect(uploader).to_contain_text("Saved: field-recording.wav", timeout=20_000)
    arrived = case / "uploads" / "field-recording.wav"
    assert arrived.is_file()
    assert _sha256(arrived) == _sha256(clip)

    # A file uploaded after the review started is named as not reviewed yet, and the
    # notebook's cell for late uploads reviews it (the copy of speech.wav above is known).
    late = tmp_path / "late-call.wav"
    _tone_wav(late)
    with page.expect_file_chooser() as chooser:
        uploader.locator("button.widget-upload").click()
    chooser.value.set_files(str(late))
    expect(uploader).to_contain_text("Saved: late-call.wav", timeout=20_000)
    expect(uploader).to_contain_text("1 not reviewed yet (late-call.wav)")
    uploader.screenshot(path=str(artifacts / "upload-not-reviewed.png"))
    index = page.evaluate(_CELL_WITH, "late = uploads.not_reviewed")
    page.evaluate(_RUN_CELL, index)
    said = "Reviewing 1 file(s) uploaded after the review started: late-call.wav"
    deadline = time.monotonic() + 30
    while said not in page.evaluate(_OUTPUT_TEXT, index) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert said in page.evaluate(_OUTPUT_TEXT, index)
    sha = _sha256(late)
    done = _wait_for_rows(
        case, f"SELECT state FROM jobs WHERE sha256 = '{sha}' AND state = 'completed'", 60
    )
    assert done == [("completed",)]
