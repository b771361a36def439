"""Issue 23, files met by a review: a symbolic link to a folder is followed (a loop is one
row), an MP4 without its index says the recording may not be finished, and a file over
the size cap says the cap is resemble_nb's and how to raise it."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest

from resemble_nb.media import inspect
from resemble_nb.sandbox import Sandbox

from .conftest import SAMPLES, assert_good_completed, evidence, run_cli


def test_5_a_symlinked_folder_is_followed_and_a_loop_is_one_row(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    folder = evidence(tmp_path / "ev")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copyfile(SAMPLES / "speech.wav", outside / "linked.wav")
    (outside / "linked.wav").write_bytes((outside / "linked.wav").read_bytes() + b"\0\0")
    (folder / "calls").symlink_to(outside, target_is_directory=True)
    (folder / "again").symlink_to(folder, target_is_directory=True)  # a loop
    result = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url",
                     sandbox.base_url, "--no-progress")  # fmt: skip
    assert result.code == 0, result.text
    assert_good_completed(result, 3)  # the two beside it and the one behind the link
    assert (
        f"skipped   again: {folder / 'again'}: the same folder as {folder} (a symbolic link "
        "leads here), already walked: left out so no file is listed twice" in result.out
    ), result.text
    again = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url",
                    sandbox.base_url, "--no-progress")  # fmt: skip
    assert again.code == 0 and "completed: 3" in again.out, again.text  # the same every time


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def test_12_an_mp4_without_its_index_may_be_an_unfinished_recording(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    folder = evidence(tmp_path / "ev")
    cut = folder / "bodycam.mp4"
    cut.write_bytes(_box(b"ftyp", b"isom\0\0\2\0isomiso2mp41") + _box(b"mdat", b"\x17" * 9000))
    result = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url",
                     sandbox.base_url, "--no-progress")  # fmt: skip
    assert result.code == 0, result.text  # a file's own failure
    assert_good_completed(result)
    line = next(x for x in result.out.splitlines() if "bodycam.mp4" in x)
    assert line.startswith("  failed    bodycam.mp4: "), line
    assert (
        f"{cut}: incomplete MP4: the recording may not have been finished (it has no moov "
        "box); export or save it again from the device or app that recorded it" in line
    ), line
    assert "not a MP4 file" not in result.text


def test_13_a_file_over_the_cap_says_the_cap_is_ours_and_how_to_raise_it(
    tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = evidence(tmp_path / "ev")
    huge = folder / "night.mp4"
    with open(huge, "wb") as out:  # sparse: 6 GB of nothing on disk
        out.truncate(6 * 1000**3)
    result = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url",
                     sandbox.base_url, "--no-progress")  # fmt: skip
    assert result.code == 0, result.text
    assert_good_completed(result)
    assert (
        f"skipped   night.mp4: {huge}: 6 GB is over resemble_nb's own safety cap of 5 GB (the "
        "API documents no size limit for secure uploads); to send it anyway, raise the "
        "cap: export RESEMBLE_NB_MAX_FILE_GB=7" in result.out
    ), result.text
    monkeypatch.setenv("RESEMBLE_NB_MAX_FILE_GB", "7")
    assert inspect(huge).problem != "too_large"  # raised: read like any file (and sniffed)
    bad = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url",
                  sandbox.base_url, "--no-progress",
                  env={"RESEMBLE_NB_MAX_FILE_GB": "lots"})  # fmt: skip
    assert bad.code == 2, bad.text
    assert bad.first_error_line() == (
        "resemble-nb detect: RESEMBLE_NB_MAX_FILE_GB='lots' is not a number of GB above 0; "
        "e.g. export RESEMBLE_NB_MAX_FILE_GB=8, or unset it for the default of 5 GB"
    ), bad.text
