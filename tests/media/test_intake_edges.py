"""Intake at the edges (issue 18 item 7): a folder nested 1,500 deep, WAVs written by a
streaming encoder, an MP4 whose recording was never finished."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from resemble_nb.cli import main
from resemble_nb.media import find_media, inspect, scan
from resemble_nb.media.sniff import INCOMPLETE_MP4

from .conftest import SAMPLES


def _deep(root: Path, depth: int) -> Path:
    """``root/d/d/.../d`` ``depth`` levels down (made with relative steps: the path is
    long, each call is short)."""
    here = os.getcwd()
    try:
        os.chdir(root)
        for _ in range(depth):
            os.mkdir("d")
            os.chdir("d")
    finally:
        os.chdir(here)
    return root.joinpath(*["d"] * depth)


def _undeep(root: Path, depth: int) -> None:
    """Remove what :func:`_deep` made, bottom up, without recursion (pytest's own clean-up
    recurses and would fail on it)."""
    here = os.getcwd()
    try:
        os.chdir(root)
        for _ in range(depth):
            os.chdir("d")
        for _ in range(depth):
            for name in os.listdir("."):
                os.unlink(name)
            os.chdir("..")
            os.rmdir("d")
    finally:
        os.chdir(here)


def test_a_folder_nested_1500_deep_is_walked_without_a_recursion_limit(tmp_path: Path) -> None:
    assert sys.getrecursionlimit() < 1500  # the old recursive walk died here
    bottom = _deep(tmp_path, 1500)
    shutil.copyfile(SAMPLES / "speech.wav", bottom / "call.wav")
    shutil.copyfile(SAMPLES / "speech.wav", tmp_path / "top.wav")
    try:
        found = find_media([tmp_path])
        names = [c.path.name for c in found if c.ok]
        assert names == ["call.wav", "top.wav"]  # depth first, sorted ("d" < "top.wav")
        scanned = scan([tmp_path])
        assert len(scanned.items) == 1 and len(scanned.items[0].paths) == 2  # same content
    finally:
        _undeep(tmp_path, 1500)


def test_a_deep_folder_reviews_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from resemble_nb.sandbox import Sandbox

    (tmp_path / "evidence").mkdir()
    bottom = _deep(tmp_path / "evidence", 1500)
    shutil.copyfile(SAMPLES / "speech.wav", bottom / "call.wav")
    try:
        with Sandbox(port=0) as sandbox:
            monkeypatch.setenv("RESEMBLE_API_KEY", sandbox.api_key)
            code = main(["detect", str(tmp_path / "evidence"), "--case", str(tmp_path / "case"),
                         "--no-progress", "--base-url", sandbox.base_url])  # fmt: skip
    finally:
        _undeep(tmp_path / "evidence", 1500)
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "1/1 done (completed 1)" in out.out and "Traceback" not in out.err


def _streaming(source: Path, target: Path, placeholder: int) -> Path:
    """``source`` as a streaming encoder writes it: RIFF and data sizes are placeholders."""
    data = bytearray(source.read_bytes())
    data[4:8] = placeholder.to_bytes(4, "little")
    at = data.index(b"data", 12)
    data[at + 4 : at + 8] = placeholder.to_bytes(4, "little")
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize("placeholder", [0xFFFFFFFF, 0])
def test_a_streaming_wav_is_accepted_with_its_real_duration(
    tmp_path: Path, placeholder: int
) -> None:
    normal = inspect(SAMPLES / "speech.wav")
    assert normal.ok and normal.duration is not None
    wav = _streaming(SAMPLES / "speech.wav", tmp_path / "piped.wav", placeholder)
    got = inspect(wav)
    assert got.ok, got.reason
    assert got.duration == pytest.approx(normal.duration, abs=0.01)


def test_a_wav_that_is_really_cut_short_is_still_called_truncated(tmp_path: Path) -> None:
    whole = (SAMPLES / "speech.wav").read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole[: len(whole) // 3])
    got = inspect(cut)
    assert not got.ok and "truncated" in (got.reason or "")


def _without_moov(source: Path, target: Path) -> Path:
    data = source.read_bytes()
    out, at = bytearray(), 0
    while at + 8 <= len(data):
        size, kind = int.from_bytes(data[at : at + 4], "big"), data[at + 4 : at + 8]
        if kind != b"moov":
            out += data[at : at + size]
        at += size
    target.write_bytes(bytes(out))
    return target


def test_an_mp4_without_moov_is_named_an_unfinished_recording(tmp_path: Path) -> None:
    clip = _without_moov(SAMPLES / "interview.mp4", tmp_path / "bodycam.mp4")
    assert b"moov" not in clip.read_bytes()[:64] and b"mdat" in clip.read_bytes()
    got = inspect(clip)
    assert not got.ok
    assert INCOMPLETE_MP4 in (got.reason or "")
    assert "incomplete MP4: the recording may not have been finished" in (got.reason or "")
    assert str(clip) in (got.reason or "") or clip.name in (got.reason or "")
