"""The pickers in a real JupyterLab: select all survives a type untick and retick and a
click on one file; a file bigger than one message uploads in pieces."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page, expect

import resemble_nb as rnb

from .lab import open_notebook, output_with, put_notebook, run_all, wait_until_all_ran


def test_select_all_is_kept_across_a_type_untick_and_retick(
    lab_page: Page, lab_url: str, tmp_path: Path, artifacts: Path
) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for name in ("speech.wav", "voicemail.mp3", "interview.mp4", "street.jpg", "portrait.png"):
        shutil.copy(rnb.sample_media() / name, evidence / name)
    shutil.copy(rnb.sample_media() / "speech.wav", evidence / "call_07.wav")
    page = lab_page
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    put_notebook(
        lab_url,
        "pick_files.ipynb",
        f"import resemble_nb as rnb\npicker = rnb.FilePicker({str(evidence)!r})\npicker",
    )
    open_notebook(page, lab_url, "pick_files.ipynb")
    run_all(page)
    wait_until_all_ran(page)
    picker = output_with(page, "Select all")
    picker.get_by_role("button", name="Select all").click()
    expect(picker).to_contain_text("6 files selected")
    expect(picker).to_contain_text("6 files, 5 distinct: 1 duplicate")
    expect(picker).to_contain_text("call_07.wav")

    audio = picker.get_by_role("checkbox", name="audio", exact=True)
    audio.uncheck()
    expect(picker).to_contain_text("3 files selected")
    expect(picker).to_contain_text("3 more selected of an unticked type")
    audio.check()
    expect(picker).to_contain_text("6 files selected")
    selected = picker.locator(".rnb-checklist-row input:checked")
    expect(selected).to_have_count(6)
    picker.screenshot(path=str(artifacts / "file-picker.png"))

    boxes = [
        picker.get_by_role("checkbox", name=t, exact=True).bounding_box()
        for t in ("audio", "image")
    ]
    assert boxes[0] and boxes[1] and boxes[1]["x"] - boxes[0]["x"] < 250  # side by side
    assert not [p for p in problems if "selected" in p or "Cannot" in p], problems


def _tone(path: Path, hertz: int) -> None:
    """A distinct 0.2 s WAV file (each its own bytes: no duplicates among them)."""
    import wave

    import numpy as np

    rate = 8000
    t = np.arange(rate // 5) / rate
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((6000 * np.sin(2 * np.pi * hertz * t)).astype("<i2").tobytes())


def test_one_click_after_select_all_unticks_one_file_of_sixty(
    lab_page: Page, lab_url: str, tmp_path: Path, artifacts: Path
) -> None:
    evidence = tmp_path / "sixty"
    evidence.mkdir()
    for i in range(60):
        _tone(evidence / f"call_{i:02d}.wav", 200 + 10 * i)
    page = lab_page
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    put_notebook(
        lab_url,
        "pick_sixty.ipynb",
        f"import resemble_nb as rnb\npicker = rnb.FilePicker({str(evidence)!r})\npicker",
    )
    open_notebook(page, lab_url, "pick_sixty.ipynb")
    run_all(page)
    wait_until_all_ran(page)
    picker = output_with(page, "Select all")
    picker.get_by_role("button", name="Select all").click()
    expect(picker).to_contain_text("60 files selected")
    expect(picker.locator(".rnb-checklist-row input:checked")).to_have_count(60)
    expect(picker).to_contain_text("60 of 60 listed here ticked")

    one = picker.get_by_role("checkbox", name="call_07.wav", exact=False)
    one.click()  # a plain click: unticks this file alone

    expect(picker).to_contain_text("59 files selected")
    expect(picker.locator(".rnb-checklist-row input:checked")).to_have_count(59)
    expect(one).not_to_be_checked()
    expect(picker).to_contain_text("59 of 60 listed here ticked")

    listing = picker.locator(".rnb-checklist-list")
    box = listing.bounding_box()
    assert box is not None and box["height"] < 400, box  # scrolls, not 60 rows tall
    assert listing.evaluate("(el) => el.scrollHeight > el.clientHeight")
    whole = picker.bounding_box()
    assert whole is not None and whole["height"] < 800, whole
    picker.screenshot(path=str(artifacts / "file-picker-sixty.png"))

    one.click()  # and ticked again
    expect(picker).to_contain_text("60 files selected")

    picker.get_by_text("call_10.wav").click()  # the file's name works like its box
    picker.get_by_text("call_14.wav").click(modifiers=["Shift"])  # a range: 10 to 14
    expect(picker).to_contain_text("55 files selected")
    for i in range(10, 15):
        expect(picker.get_by_role("checkbox", name=f"call_{i}.wav")).not_to_be_checked()
    expect(picker.get_by_role("checkbox", name="call_15.wav")).to_be_checked()
    assert not problems, problems


def test_a_file_bigger_than_one_message_uploads_in_pieces_with_progress(
    lab_page: Page, lab_url: str, tmp_path: Path, artifacts: Path
) -> None:
    """12.5 MB (over Jupyter's 10 MB message limit) arrives whole through the chunked button."""
    import hashlib
    import wave

    import numpy as np

    big = tmp_path / "long-call.wav"
    rate = 48_000
    t = np.arange(130 * rate) / rate
    with wave.open(str(big), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((8000 * np.sin(2 * np.pi * 440 * t)).astype("<i2").tobytes())
    assert big.stat().st_size > 10 * 1024 * 1024
    case = tmp_path / "case"
    page = lab_page
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    put_notebook(
        lab_url,
        "upload_large.ipynb",
        f"import resemble_nb as rnb\nuploads = rnb.UploadPicker({str(case)!r})\nuploads",
    )
    open_notebook(page, lab_url, "upload_large.ipynb")
    run_all(page)
    wait_until_all_ran(page)
    picker = output_with(page, "Upload large media")
    with page.expect_file_chooser() as chooser:
        picker.get_by_role("button", name="Upload large media").click()
    chooser.value.set_files(str(big))
    expect(picker).to_contain_text("Saved: long-call.wav (12.5 MB, audio)", timeout=60_000)
    bar = picker.locator("progress")
    expect(bar).to_have_count(1)
    assert bar.evaluate("(b) => b.value === b.max && b.max > 10 * 1024 * 1024")
    picker.screenshot(path=str(artifacts / "upload-large.png"))
    saved = case / "uploads" / "long-call.wav"
    digest = hashlib.sha256(big.read_bytes()).hexdigest()
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == digest
    assert not problems, problems
