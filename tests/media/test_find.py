"""find_media(): files and folders in, sorted candidates out; missing paths reported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from resemble_nb.media import find_media

from .conftest import call_unprivileged


def _tree(root: Path) -> Path:
    for rel in [
        "b.wav",
        "a.mp3",
        "notes.txt",
        ".DS_Store",
        "sub/c.png",
        "sub/deeper/d.wav",
        ".hidden/e.wav",
        "Sub2/F.WAV",
    ]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    return root


def _names(found: list, root: Path) -> list[str]:
    return [str(c.path.relative_to(root)) for c in found if c.ok]


def test_folder_is_walked_sorted_recursively_reporting_hidden(tmp_path: Path) -> None:
    root = _tree(tmp_path / "case")
    found = find_media(root)
    assert all(c.path.is_absolute() for c in found)
    assert _names(found, root) == [
        "Sub2/F.WAV",
        "a.mp3",
        "b.wav",
        "notes.txt",
        "sub/c.png",
        "sub/deeper/d.wav",
    ]
    hidden = {str(c.path.relative_to(root)): c for c in found if not c.ok}
    assert sorted(hidden) == [".DS_Store", ".hidden"]  # the hidden folder once, not walked
    assert hidden[".DS_Store"].code == "hidden" and "hidden file" in str(
        hidden[".DS_Store"].problem
    )
    assert hidden[".hidden"].code == "hidden_folder"


def test_a_symlink_loop_is_one_candidate_and_the_walk_goes_on(tmp_path: Path) -> None:
    root = _tree(tmp_path / "case")
    (root / "self.wav").symlink_to("self.wav")
    found = find_media(root)
    [loop] = [c for c in found if c.path.name == "self.wav"]
    assert loop.code == "unreadable" and "symbolic links" in str(loop.problem)
    assert "b.wav" in _names(found, root)


def test_a_name_that_is_not_utf8_is_reported_escaped(tmp_path: Path) -> None:
    root = _tree(tmp_path / "case")
    (Path(os.fsdecode(bytes(root))) / os.fsdecode(b"bad\xff\xfe.wav")).write_bytes(b"x")
    found = find_media(root)
    [bad] = [c for c in found if c.code == "bad_name"]
    assert bad.path.name == "bad\\xff\\xfe.wav" and "not valid UTF-8" in str(bad.problem)
    str(bad.path).encode("utf-8")  # storable and printable
    assert "b.wav" in _names(found, root)


def test_the_case_own_files_are_left_out_once(tmp_path: Path) -> None:
    root = _tree(tmp_path / "evidence")
    case = root / "sub" / "case"
    case.mkdir()
    for name in ("case.db", "case.db-wal", "case.db-shm", "reports/r.html", "uploads/u.wav"):
        (case / name).parent.mkdir(exist_ok=True)
        (case / name).write_bytes(b"x")
    own = [case / "case.db", case / "case.db-wal", case / "case.db-shm", case / "reports"]
    found = find_media(root, leave_out=own)
    names = _names(found, root)
    assert "sub/case/uploads/u.wav" in names
    assert not any("case.db" in n or "reports" in n for n in names)
    [note] = [c for c in found if c.code == "case_folder"]
    assert note.path == case and "own folder" in str(note.problem)


def test_not_recursive_lists_only_the_top_folder(tmp_path: Path) -> None:
    root = _tree(tmp_path / "case")
    assert _names(find_media(root, recursive=False), root) == ["a.mp3", "b.wav", "notes.txt"]


def test_glob_filter_is_case_insensitive_and_takes_alternatives(tmp_path: Path) -> None:
    root = _tree(tmp_path / "case")
    assert _names(find_media(root, include="*.wav"), root) == [
        "Sub2/F.WAV",
        "b.wav",
        "sub/deeper/d.wav",
    ]
    assert _names(find_media(root, include="*.mp3; *.png"), root) == ["a.mp3", "sub/c.png"]


def test_predicate_filter(tmp_path: Path) -> None:
    root = _tree(tmp_path / "case")
    found = find_media(root, include=lambda p: "sub" in p.parts)
    assert _names(found, root) == ["sub/c.png", "sub/deeper/d.wav"]


def test_files_and_folders_mixed_in_the_order_given_each_path_once(tmp_path: Path) -> None:
    root = _tree(tmp_path / "case")
    found = find_media([root / "b.wav", root / "sub", str(root / "sub" / "c.png"), root / "b.wav"])
    assert _names(found, root) == ["b.wav", "sub/c.png", "sub/deeper/d.wav"]


def test_explicit_hidden_file_is_kept(tmp_path: Path) -> None:
    root = _tree(tmp_path / "case")
    assert _names(find_media(root / ".hidden" / "e.wav"), root) == [".hidden/e.wav"]


def test_relative_paths_become_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(tmp_path / "case")
    monkeypatch.chdir(root)
    [found] = find_media("sub/../a.mp3")
    assert found.path == root / "a.mp3"


def test_missing_paths_are_reported_not_raised(tmp_path: Path) -> None:
    root = _tree(tmp_path / "case")
    found = find_media([root / "nope.wav", root / "a.mp3", tmp_path / "no-folder"])
    assert [c.ok for c in found] == [False, True, False]
    assert found[0].problem == f"{root / 'nope.wav'}: file not found"
    assert str(tmp_path / "no-folder") in str(found[2].problem)


def test_unreadable_folder_is_reported_and_the_walk_goes_on(shared_tmp: Path) -> None:
    root = _tree(shared_tmp / "case")
    for path in root.rglob("*"):
        path.chmod(0o755)
    (root / "sub").chmod(0)
    found = call_unprivileged(find_media, root)
    bad = [c for c in found if c.code == "unreadable"]
    assert [c.path for c in bad] == [root / "sub"] and "cannot be read" in str(bad[0].problem)
    assert "b.wav" in _names(found, root)


def test_symlinked_folders_are_followed_like_files_and_a_loop_is_one_row(tmp_path: Path) -> None:
    root = _tree(tmp_path / "case")
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "link.wav").symlink_to(root / "b.wav")
    outside = _tree(tmp_path / "outside")
    (root / "more").symlink_to(outside / "sub", target_is_directory=True)
    found = find_media(root)
    names = _names(found, root)
    assert "link.wav" in names and not any(n.startswith("loop/") for n in names)
    assert "more/c.png" in names and "more/deeper/d.wav" in names  # followed
    loops = [c for c in found if c.code == "linked_folder"]
    assert [c.path for c in loops] == [root / "loop"], found
    assert f"the same folder as {root}" in str(loops[0].problem)
