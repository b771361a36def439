"""Bad files and folders in the evidence: each is one row with its reason; the good
files beside it complete, and the exit code is 0 (only files were bad)."""

from __future__ import annotations

import os
import shutil
import wave
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from resemble_nb.sandbox import Sandbox

from .conftest import SAMPLES, Result, assert_good_completed, evidence, run_cli


def _wav(path: Path, frames: int) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x01\x02" * frames)


def _symlink_loop(f: Path) -> str:
    (f / "self.wav").symlink_to("self.wav")
    return "self.wav"


def _non_utf8(f: Path) -> str:
    (Path(os.fsdecode(bytes(f))) / os.fsdecode(b"bad\xff\xfe.wav")).write_bytes(b"RIFF")
    return "bad\\xff\\xfe.wav"


def _hidden_file(f: Path) -> str:
    shutil.copyfile(SAMPLES / "street.jpg", f / ".hidden.jpg")
    return ".hidden.jpg"


def _hidden_folder(f: Path) -> str:
    (f / ".cache").mkdir()
    shutil.copyfile(SAMPLES / "street.jpg", f / ".cache" / "x.jpg")
    return ".cache"


def _empty(f: Path) -> str:
    (f / "empty.wav").write_bytes(b"")
    return "empty.wav"


def _zero_frames(f: Path) -> str:
    _wav(f / "silent.wav", 0)
    return "silent.wav"


def _truncated(f: Path) -> str:
    (f / "cut.wav").write_bytes((SAMPLES / "speech.wav").read_bytes()[:30])
    return "cut.wav"


def _damaged(f: Path) -> str:
    shutil.copyfile(SAMPLES / "damaged.wav", f / "damaged.wav")
    return "damaged.wav"


def _wrong_extension(f: Path) -> str:
    shutil.copyfile(SAMPLES / "notes.txt", f / "notes.mp3")
    return "notes.mp3"


def _text(f: Path) -> str:
    shutil.copyfile(SAMPLES / "notes.txt", f / "notes.txt")
    return "notes.txt"


def _random_bytes(f: Path) -> str:
    (f / "blob.bin").write_bytes(bytes(range(256)) * 8)
    return "blob.bin"


def _huge_declared(f: Path) -> str:
    data = bytearray((SAMPLES / "speech.wav").read_bytes()[:2000])
    data[4:8] = (0xFFFFFFF0).to_bytes(4, "little")  # RIFF size: 4 GB
    data[40:44] = (0xFFFFFF00).to_bytes(4, "little")  # data chunk size: 4 GB
    (f / "liar.wav").write_bytes(bytes(data))
    return "liar.wav"


def _fifo(f: Path) -> str:
    os.mkfifo(f / "pipe.wav")
    return "pipe.wav"


def _device(f: Path) -> str:
    (f / "null.wav").symlink_to("/dev/null")
    return "null.wav"


def _dangling(f: Path) -> str:
    (f / "gone.wav").symlink_to(f / "nowhere.wav")
    return "gone.wav"


def _unreadable_file(f: Path) -> str:
    shutil.copyfile(SAMPLES / "street.jpg", f / "locked.jpg")
    (f / "locked.jpg").chmod(0)
    return "locked.jpg"


def _unreadable_folder(f: Path) -> str:
    (f / "sealed").mkdir()
    shutil.copyfile(SAMPLES / "street.jpg", f / "sealed" / "x.jpg")
    (f / "sealed").chmod(0)
    return "sealed"


Build = Callable[[Path], str]

# kind, builder, state shown, reason in the line, needs a user without root's override
SKIPPED_OR_FAILED: list[tuple[str, Build, str, str, bool]] = [
    ("symlink loop", _symlink_loop, "skipped", "symbolic links", False),
    ("name not UTF-8", _non_utf8, "skipped", "not valid UTF-8", False),
    ("hidden file", _hidden_file, "skipped", "hidden file", False),
    ("hidden folder", _hidden_folder, "skipped", "hidden folder", False),
    ("empty file", _empty, "skipped", "empty", False),
    ("zero-length media", _zero_frames, "", "", False),
    ("truncated media", _truncated, "", "", False),
    ("damaged media", _damaged, "failed", "damaged or truncated", False),
    ("wrong extension", _wrong_extension, "skipped", "plain text", False),
    ("text file", _text, "skipped", "not a supported media type", False),
    ("random bytes", _random_bytes, "skipped", "not a supported media type", False),
    ("huge declared size", _huge_declared, "", "", False),
    ("FIFO", _fifo, "skipped", "not a regular file", False),
    ("device file", _device, "skipped", "not a regular file", False),
    ("dangling symlink", _dangling, "skipped", "not found", False),
    ("permission denied file", _unreadable_file, "skipped", "Permission denied", True),
    ("permission denied folder", _unreadable_folder, "skipped", "Permission denied", True),
]


@pytest.mark.parametrize(
    ("kind", "build", "state", "reason", "unprivileged"),
    SKIPPED_OR_FAILED,
    ids=[case[0] for case in SKIPPED_OR_FAILED],
)
def test_a_bad_file_is_one_row_and_the_others_complete(
    tmp_path: Path,
    api: Sandbox,
    kind: str,
    build: Build,
    state: str,
    reason: str,
    unprivileged: bool,
) -> None:
    folder = evidence(tmp_path / "evidence")
    if unprivileged:
        tmp_path.chmod(0o755)
        folder.chmod(0o755)
    name = build(folder)
    case = tmp_path / "case"
    result = run_cli(
        "detect", folder, "--case", case, "--base-url", api.base_url, "--no-progress",
        unprivileged=unprivileged,
    )  # fmt: skip
    assert result.code == 0, result.text
    assert_good_completed(result)
    [line] = [x for x in result.out.splitlines() if name in x and x.startswith("  ")]
    if state:  # the one line names the file and says why
        assert line.split()[0] == state and reason in line, line
    else:  # whatever it is, it ended with a reason on one line
        assert line.split()[0] in ("failed", "skipped"), line
    if unprivileged:
        (folder / name).chmod(0o755)


def _renamed(name: str) -> Build:
    def build(f: Path) -> str:
        shutil.copyfile(SAMPLES / "street.jpg", f / name)
        return name

    return build


ODD_BUT_GOOD: list[tuple[str, str, str]] = [
    ("very long name", "x" * 240 + ".jpg", "x" * 240),
    ("spaces and quotes", 'it\'s "a" clip (1).jpg', 'it\'s "a" clip (1).jpg'),
    ("emoji", "\U0001f3a4 interview \u00e9t\u00e9.jpg", "\U0001f3a4 interview"),
    ("newline in name", "two\nlines.jpg", "two\\nlines.jpg"),
    ("right-to-left override", "invoice\u202egpj.exe.jpg", "invoice\\u202egpj.exe.jpg"),
    ("zero-width space", "call\u200b.jpg", "call\\u200b.jpg"),
    ("upper-case extension", "STREET.JPG", "STREET.JPG"),
    ("leading dash", "-rf.jpg", "-rf.jpg"),
    ("formula-like name", "=cmd.jpg", "'=cmd.jpg"),
]


_ESSENTIAL = ("newline in name", "right-to-left override")


@pytest.mark.parametrize(
    ("kind", "name", "shown"),
    [
        pytest.param(*c, id=c[0], marks=() if c[0] in _ESSENTIAL else pytest.mark.slow)
        for c in ODD_BUT_GOOD
    ],
)
def test_odd_names_are_analysed_and_shown_escaped(
    tmp_path: Path, api: Sandbox, kind: str, name: str, shown: str
) -> None:
    folder = evidence(tmp_path / "evidence")
    _renamed(name)(folder)
    case = tmp_path / "case"
    result = run_cli("detect", folder, "--case", case, "--base-url", api.base_url, "--no-progress")
    assert result.code == 0, result.text
    assert_good_completed(result, 3)
    csv = tmp_path / "out.csv"
    assert run_cli("results", "--case", case, "-o", csv).code == 0
    text = csv.read_text(encoding="utf-8")
    for hidden in ("\u202e", "\u200b"):
        assert hidden not in text
    frame = pd.read_csv(csv, keep_default_na=False)
    assert any(shown in n for n in frame["name"]), list(frame["name"])
    assert len(frame) == 3 and all("\n" not in str(p) for p in frame["paths"])
    report = tmp_path / "r.html"
    assert run_cli("report", "--case", case, "-o", report).code == 0
    html = report.read_text(encoding="utf-8")
    assert "\u202e" not in html and "\u200b" not in html


def test_duplicate_files_are_one_item_with_both_paths(tmp_path: Path, api: Sandbox) -> None:
    folder = evidence(tmp_path / "evidence")
    shutil.copyfile(folder / "speech.wav", folder / "copy of speech.wav")
    case = tmp_path / "case"
    result = run_cli("detect", folder, "--case", case, "--base-url", api.base_url, "--no-progress")
    assert result.code == 0 and "2/2 done" in result.out, result.text
    csv = tmp_path / "out.csv"
    assert run_cli("results", "--case", case, "-o", csv).code == 0
    paths = " ".join(pd.read_csv(csv)["paths"].astype(str))
    assert "copy of speech.wav" in paths and "/speech.wav" in paths


def test_a_folder_named_like_a_file_is_walked(tmp_path: Path, api: Sandbox) -> None:
    folder = evidence(tmp_path / "evidence")
    inner = evidence(folder / "clip.wav", "street.jpg")
    result = run_cli("detect", inner, folder / "speech.wav", "--case", tmp_path / "case",
                     "--base-url", api.base_url, "--no-progress")  # fmt: skip
    assert result.code == 0 and "completed 2" in result.out, result.text


def test_a_missing_path_is_one_row(tmp_path: Path, api: Sandbox) -> None:
    folder = evidence(tmp_path / "evidence")
    result = run_cli("detect", folder, tmp_path / "nope.wav", "--case", tmp_path / "case",
                     "--base-url", api.base_url, "--no-progress")  # fmt: skip
    assert result.code == 0, result.text
    assert_good_completed(result)
    assert "nope.wav" in result.out and "not found" in result.out


def test_the_case_folder_inside_the_evidence_is_left_out_saying_so_once(
    tmp_path: Path, api: Sandbox
) -> None:
    folder = evidence(tmp_path / "evidence")
    case = folder / "case"
    for _ in range(2):
        result = run_cli("detect", folder, "--case", case, "--base-url", api.base_url,
                         "--no-progress")  # fmt: skip
        assert result.code == 0, result.text
        assert result.out.count("case's own folder") == 1
        assert "case.db" not in result.out.replace("case.db-", "")
    assert "completed 2" in result.out or "completed: 2" in result.out


@pytest.mark.parametrize(
    ("kind", "build", "extra"),
    [
        ("empty folder", lambda f: None, ()),
        ("include matches nothing", lambda f: evidence(f), ("--include", "*.flac")),
        ("only files that are not media", lambda f: _text(f), ()),
        ("only hidden files", lambda f: _hidden_file(f), ()),
    ],
    ids=["empty folder", "include matches nothing", "no media", "only hidden"],
)
def test_no_media_found_says_so_and_exits_5(
    tmp_path: Path, api: Sandbox, kind: str, build: Build, extra: tuple[str, ...]
) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir()
    build(folder)
    result = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url", api.base_url,
                     "--no-progress", *extra)  # fmt: skip
    assert result.code == 5, result.text
    line = result.first_error_line()
    assert "no media found" in line and str(folder) in line, result.text


def check_result(result: Result) -> None:  # pragma: no cover - helper for readers
    assert result.code == 0
