"""A case folder or ledger that cannot be used, and usage errors: one line naming the
file and the reason, exit 2, no traceback, nothing half-made and nothing changed."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import resemble_nb as rnb
from resemble_nb.sandbox import Sandbox

from .conftest import evidence, run_cli


@pytest.fixture(scope="module")
def done_case(tmp_path_factory: pytest.TempPathFactory, sandbox: Sandbox) -> Path:
    """A finished case of the two good files (copied by the tests that change it)."""
    root = tmp_path_factory.mktemp("done")
    folder = evidence(root / "evidence")
    result = run_cli("detect", folder, "--case", root / "case", "--base-url", sandbox.base_url,
                     "--no-progress")  # fmt: skip
    assert result.code == 0, result.text
    return root / "case"


def _copy(done_case: Path, tmp_path: Path) -> Path:
    case = tmp_path / "case"
    shutil.copytree(done_case, case)
    return case


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _random(db: Path) -> None:
    db.write_bytes(os.urandom(8192))


def _truncated(db: Path) -> None:
    db.write_bytes(db.read_bytes()[:1500])


def _garbage_pages(db: Path) -> None:
    data = bytearray(db.read_bytes())
    for start in range(4096, len(data), 4096):  # every page after the first
        data[start : start + 4096] = b"\xa5" * min(4096, len(data) - start)
    db.write_bytes(bytes(data))


def _newer(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 999")
    conn.close()  # the last connection: the WAL is folded into the file


def _someone_elses(db: Path) -> None:
    db.unlink()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()


BROKEN: list[tuple[str, Callable[[Path], None], str]] = [
    ("random bytes", _random, "left untouched"),
    ("truncated", _truncated, "left untouched"),
    ("garbage pages", _garbage_pages, "left untouched"),
    ("newer version", _newer, "newer resemble_nb"),
    ("another program's database", _someone_elses, "not a resemble_nb case ledger"),
]


@pytest.mark.parametrize(("kind", "damage", "reason"), BROKEN, ids=[c[0] for c in BROKEN])
@pytest.mark.parametrize(
    "command", ["detect", "results", pytest.param("report", marks=pytest.mark.slow)]
)
def test_a_ledger_that_cannot_be_read_is_named_and_left_untouched(
    tmp_path: Path,
    done_case: Path,
    sandbox: Sandbox,
    kind: str,
    damage: Callable[[Path], None],
    reason: str,
    command: str,
) -> None:
    case = _copy(done_case, tmp_path)
    db = case / "case.db"
    damage(db)
    before = _digest(db)
    extra = (
        [str(tmp_path), "--base-url", sandbox.base_url, "--no-progress"]
        if command == "detect"
        else []
    )
    args = [command, *extra[:1], "--case", str(case), *extra[1:]]
    result = run_cli(*args)
    assert result.code == 2, result.text
    line = result.first_error_line()
    assert str(db) in line and reason in line, result.text
    assert _digest(db) == before


def test_a_ledger_that_is_a_folder(tmp_path: Path, sandbox: Sandbox) -> None:
    case = tmp_path / "case"
    (case / "case.db").mkdir(parents=True)
    result = run_cli("detect", evidence(tmp_path / "ev"), "--case", case, "--base-url",
                     sandbox.base_url, "--no-progress")  # fmt: skip
    assert result.code == 2 and "is a folder" in result.first_error_line(), result.text
    assert str(case / "case.db") in result.first_error_line()


def test_a_case_folder_that_is_a_file(tmp_path: Path, sandbox: Sandbox) -> None:
    case = tmp_path / "notes.txt"
    case.write_text("x")
    for args in (
        ["detect", str(evidence(tmp_path / "ev")), "--case", str(case), "--base-url",
         sandbox.base_url, "--no-progress"],
        ["results", "--case", str(case)],
        ["report", "--case", str(case)],
    ):  # fmt: skip
        result = run_cli(*args)
        assert result.code == 2 and "is a file" in result.first_error_line(), result.text
        assert str(case) in result.first_error_line()


def test_a_case_whose_parent_cannot_be_written(tmp_path: Path, sandbox: Sandbox) -> None:
    tmp_path.chmod(0o755)
    parent = tmp_path / "locked"
    parent.mkdir(mode=0o555)
    folder = evidence(tmp_path / "ev")
    result = run_cli("detect", folder, "--case", parent / "case", "--base-url",
                     sandbox.base_url, "--no-progress", unprivileged=True)  # fmt: skip
    assert result.code == 2, result.text
    line = result.first_error_line()
    assert str(parent / "case") in line and "Permission denied" in line, result.text


def test_a_read_only_case_can_be_read_and_exported(
    tmp_path: Path, done_case: Path, sandbox: Sandbox
) -> None:
    tmp_path.chmod(0o755)
    case = _copy(done_case, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    for path in [case, *case.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    before = _digest(case / "case.db")
    csv = run_cli("results", "--case", case, "-o", out / "r.csv", unprivileged=True)
    assert csv.code == 0 and (out / "r.csv").read_text().count("\n") == 3, csv.text
    html = run_cli("report", "--case", case, "-o", out / "r.html", unprivileged=True)
    assert html.code == 0 and (out / "r.html").stat().st_size > 1000, html.text
    again = run_cli("detect", tmp_path / "nothing", "--case", case, "--base-url",
                    sandbox.base_url, "--no-progress", unprivileged=True)  # fmt: skip
    assert again.code == 2 and "read-only" in again.first_error_line(), again.text
    assert _digest(case / "case.db") == before


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs filled to the last byte (root only)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a full disk is simulated with a tmpfs mount, which needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                          capture_output=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr!r}")
    try:
        (mount / "case").mkdir()
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"\0" * 512):
                pass
        except OSError:  # ENOSPC: the disk is full
            pass
        finally:
            os.close(fd)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_at_start_says_so(tmp_path: Path, sandbox: Sandbox, full_disk: Path) -> None:
    folder = evidence(tmp_path / "ev")
    result = run_cli("detect", folder, "--case", full_disk / "case", "--base-url",
                     sandbox.base_url, "--no-progress")  # fmt: skip
    assert result.code == 2, result.text
    line = result.first_error_line()
    assert "full" in line and str(full_disk / "case") in line, result.text
    assert "cannot rollback" not in result.text


def test_results_of_an_empty_case_is_a_header(tmp_path: Path) -> None:
    rnb.Case(tmp_path / "case").close()
    result = run_cli("results", "--case", tmp_path / "case")
    assert result.code == 0 and result.out.startswith("name,path,paths,"), result.text


def test_results_where_there_is_no_case(tmp_path: Path) -> None:
    result = run_cli("results", "--case", tmp_path)
    assert result.code == 2 and "no case here" in result.first_error_line()


def test_report_into_a_folder_names_the_folder(tmp_path: Path, done_case: Path) -> None:
    result = run_cli("report", "--case", done_case, "-o", tmp_path)
    line = result.first_error_line()
    assert result.code == 2 and f"{tmp_path}: is a folder" in line, result.text
    assert ".tmp" not in line


USAGE: list[tuple[str, list[str], str]] = [
    ("option out of range", ["--option", "frame_length=9"], "frame_length"),
    ("option without a value", ["--option", "frame_length"], "NAME=VALUE"),
    ("unknown option", ["--option", "colour=red"], "colour"),
    ("rate limit nan", ["--rate-limit", "nan"], "--rate-limit"),
    ("rate limit inf", ["--rate-limit", "inf"], "--rate-limit"),
    ("rate limit zero", ["--rate-limit", "0"], "--rate-limit"),
    ("rate limit negative", ["--rate-limit", "-3"], "--rate-limit"),
    ("rate limit not a number", ["--rate-limit", "fast"], "--rate-limit"),
    ("sandbox and base url", ["--sandbox"], "--base-url"),
]


@pytest.mark.parametrize(("kind", "extra", "reason"), USAGE, ids=[c[0] for c in USAGE])
def test_a_usage_error_creates_no_case_folder(
    tmp_path: Path, sandbox: Sandbox, kind: str, extra: list[str], reason: str
) -> None:
    case = tmp_path / "case"
    result = run_cli("detect", evidence(tmp_path / "ev"), "--case", case, "--base-url",
                     sandbox.base_url, "--no-progress", *extra)  # fmt: skip
    assert result.code == 2, result.text
    assert reason in result.err and len(result.err.strip().splitlines()) <= 8, result.text
    assert not case.exists()


@pytest.mark.parametrize(
    ("kind", "args", "reason"),
    [
        ("parquet to stdout", ["--format", "parquet"], "Parquet is binary"),
        ("unknown suffix", ["-o", "x.txt"], "unknown suffix"),
        ("format and suffix disagree", ["--format", "json", "-o", "x.csv"], ".json"),
    ],
    ids=["parquet to stdout", "unknown suffix", "format and suffix disagree"],
)
def test_results_usage_errors(
    tmp_path: Path, done_case: Path, kind: str, args: list[str], reason: str
) -> None:
    result = run_cli("results", "--case", done_case, *args)
    assert result.code == 2 and reason in result.first_error_line(), result.text


def test_report_threshold_out_of_range(done_case: Path) -> None:
    result = run_cli("report", "--case", done_case, "--threshold", "2")
    assert result.code == 2 and "threshold" in result.first_error_line()


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    case = tmp_path / "case"
    (case / "case.db").parent.mkdir()
    (case / "case.db").write_bytes(b"junk" * 1000)
    import subprocess as sp
    import sys

    done = sp.run([sys.executable, "-m", "resemble_nb.cli", "--debug", "results", "--case",
                   str(case)], capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2 and "Traceback" in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("resemble-nb results: ")
