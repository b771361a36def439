"""Intake: files and folders into items, damaged items and skipped files."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from resemble_nb.engine._intake import intake
from resemble_nb.engine._state import Tracker
from resemble_nb.media import scan

from .helpers import SAMPLES, write_wav


def _run(inputs: object, **kwargs: object) -> tuple[object, Tracker]:
    tracker = Tracker()
    found = asyncio.run(intake(inputs, tracker, **kwargs))  # type: ignore[arg-type]
    return found, tracker


def test_samples_become_items_a_damaged_item_and_a_skipped_file() -> None:
    found, tracker = _run(SAMPLES)
    assert sorted(i.name for i in found.items) == [  # type: ignore[attr-defined]
        "interview.mp4", "portrait.png", "speech.wav", "street.jpg", "voicemail.mp3",
    ]  # fmt: skip
    [(damaged, why)] = found.damaged  # type: ignore[attr-defined]
    assert damaged.name == "damaged.wav" and damaged.media_type == "audio"
    assert why.startswith(str(SAMPLES / "damaged.wav")) and "damaged or truncated" in why
    [skipped] = found.skipped  # type: ignore[attr-defined]
    assert skipped.name == "notes.txt" and "plain text" in str(skipped.reason)
    # while inspecting, the board showed one row per file
    assert tracker.progress().counts == {"inspecting": 7}
    found.show(tracker)  # type: ignore[attr-defined]
    assert tracker.progress().counts == {"pending": 6, "skipped": 1}


def test_paths_and_items_of_the_same_content_merge(tmp_path: Path) -> None:
    copy = tmp_path / "copy-of-speech.wav"
    shutil.copy(SAMPLES / "speech.wav", copy)
    items = scan(SAMPLES / "speech.wav").items
    found, _ = _run([*items, copy])
    [item] = found.items  # type: ignore[attr-defined]
    assert item.paths == (SAMPLES / "speech.wav", copy)


def test_two_damaged_copies_are_one_damaged_item(tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "damaged.wav", tmp_path / "a.wav")
    shutil.copy(SAMPLES / "damaged.wav", tmp_path / "b.wav")
    found, _ = _run(tmp_path)
    [(item, _why)] = found.damaged  # type: ignore[attr-defined]
    assert [p.name for p in item.paths] == ["a.wav", "b.wav"]


def test_include_and_recursive(tmp_path: Path) -> None:
    write_wav(tmp_path / "top.wav")
    write_wav(tmp_path / "sub" / "deep.wav", freq=300)
    found, _ = _run(tmp_path, recursive=False)
    assert [i.name for i in found.items] == ["top.wav"]  # type: ignore[attr-defined]
    found, _ = _run([SAMPLES], include="*.mp3;*.jpg")
    assert sorted(i.name for i in found.items) == ["street.jpg", "voicemail.mp3"]  # type: ignore[attr-defined]


def test_other_inputs_are_refused_with_a_clear_message() -> None:
    with pytest.raises(TypeError, match="paths"):
        _run([42])
