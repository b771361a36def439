"""scan() and group_items(): the same content under two paths is one item."""

from __future__ import annotations

import shutil
from pathlib import Path

from resemble_nb.media import MediaFile, MediaItem, group_items, inspect, scan

from .conftest import write_wav


def test_same_content_under_two_paths_is_one_item_with_both(tmp_path: Path) -> None:
    original = write_wav(tmp_path / "call.wav")
    (tmp_path / "copy").mkdir()
    copy = shutil.copy(original, tmp_path / "copy" / "call (1).wav")
    other = write_wav(tmp_path / "other.wav", seconds=0.5)
    found = scan(tmp_path)
    assert len(found.files) == 3 and not found.skipped
    by_hash = {item.sha256: item for item in found.items}
    assert len(by_hash) == 2
    twin = by_hash[inspect(original).sha256 or ""]
    assert twin.paths == (original, Path(copy))  # walk order: "call.wav" < "copy/"
    assert twin.name == "call.wav"
    assert by_hash[inspect(other).sha256 or ""].paths == (other,)


def test_items_keep_first_found_order_and_total_bytes_counts_each_once(tmp_path: Path) -> None:
    a = write_wav(tmp_path / "a.wav")
    shutil.copy(a, tmp_path / "b.wav")
    c = write_wav(tmp_path / "c.wav", seconds=2)
    found = scan(tmp_path)
    assert [i.name for i in found.items] == ["a.wav", "c.wav"]
    assert found.total_bytes == a.stat().st_size + c.stat().st_size


def test_skipped_files_are_kept_apart_with_their_reasons(tmp_path: Path) -> None:
    write_wav(tmp_path / "ok.wav")
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "empty.mp3").touch()
    found = scan([tmp_path, tmp_path / "missing.wav"])
    assert [i.name for i in found.items] == ["ok.wav"]
    problems = {f.name: f.problem for f in found.skipped}
    assert problems == {"notes.txt": "unsupported", "empty.mp3": "empty", "missing.wav": "missing"}
    assert all(f.reason and f.name in f.reason for f in found.skipped)


def test_same_path_inspected_twice_is_listed_once_in_the_item() -> None:
    file = MediaFile(
        path=Path("/x/a.wav"),
        size=3,
        sha256="0" * 64,
        media_type="audio",
        mime="audio/wav",
        extension=".wav",
    )
    items, skipped = group_items([file, file])
    assert items == [MediaItem.from_file(file)] and not skipped


def test_progress_is_called_once_per_file_in_order(tmp_path: Path) -> None:
    for i in range(5):
        write_wav(tmp_path / f"{i}.wav", seconds=0.1 + i / 10)
    seen: list[str] = []
    found = scan(tmp_path, progress=lambda f: seen.append(f.name))
    assert seen == [f.name for f in found.files] == [f"{i}.wav" for i in range(5)]


def test_threads_give_the_same_result(tmp_path: Path) -> None:
    for i in range(12):
        write_wav(tmp_path / f"{i:02d}.wav", seconds=0.05 * (i % 4 + 1))
    (tmp_path / "junk.txt").write_text("junk")
    assert scan(tmp_path, workers=4) == scan(tmp_path)


def test_include_filter_applies(tmp_path: Path) -> None:
    write_wav(tmp_path / "a.wav")
    (tmp_path / "notes.txt").write_text("hello")
    found = scan(tmp_path, include="*.wav")
    assert [i.name for i in found.items] == ["a.wav"] and not found.skipped
