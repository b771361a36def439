"""Issue 23, the case and the setup: each answer names the thing, the reason and the way
out, with the README's exit code (a bad URL, a read-only disk, a key folder that cannot
be made, who decides)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from resemble_nb.sandbox import Sandbox

from .conftest import evidence, run_cli


@pytest.fixture(scope="module")
def done_case(tmp_path_factory: pytest.TempPathFactory, sandbox: Sandbox) -> Path:
    root = tmp_path_factory.mktemp("done")
    folder = evidence(root / "evidence")
    result = run_cli("detect", folder, "--case", root / "case", "--base-url", sandbox.base_url,
                     "--no-progress")  # fmt: skip
    assert result.code == 0, result.text
    return root / "case"


def test_1_a_base_url_that_is_not_a_url_is_a_usage_error_and_creates_nothing(
    tmp_path: Path,
) -> None:
    folder = evidence(tmp_path / "ev")
    result = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url", "not a url",
                     "--no-progress")  # fmt: skip
    assert result.code == 2, result.text
    line = result.first_error_line()
    assert "'not a url' is not an http(s) URL" in line, line
    assert "https://app.resemble.ai/api/v2" in line, line  # what one looks like
    assert not (tmp_path / "case").exists()


@pytest.fixture
def read_only_disk(tmp_path: Path, done_case: Path) -> Iterator[Path]:
    """The finished case copied onto a tmpfs that is then remounted read-only (root)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a read-only file system is a remounted tmpfs, which needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                          capture_output=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr!r}")
    try:
        shutil.copytree(done_case, mount / "case")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount / "case"
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_2_a_report_on_a_read_only_disk_names_the_report_and_says_use_o(
    tmp_path: Path, read_only_disk: Path
) -> None:
    result = run_cli("report", "--case", read_only_disk)
    assert result.code == 2, result.text
    line = result.first_error_line()
    target = read_only_disk / "reports" / "case.html"
    assert f"{target}: Read-only file system" in line, line
    assert ".tmp" not in line and "write the report elsewhere with -o FILE" in line, line
    elsewhere = run_cli("report", "--case", read_only_disk, "-o", tmp_path / "r.html")
    assert elsewhere.code == 0 and (tmp_path / "r.html").is_file(), elsewhere.text


def test_2_a_bundle_of_a_read_only_case_says_why_and_how(
    tmp_path: Path, read_only_disk: Path
) -> None:
    result = run_cli("bundle", read_only_disk, "-o", tmp_path / "b.zip")
    assert result.code == 2, result.text
    line = result.first_error_line()
    assert f"{read_only_disk}: the case is read-only" in line, line
    assert "copy the case folder somewhere writable" in line, line
    assert "ledger failed" not in result.text and not (tmp_path / "b.zip").exists()


@pytest.mark.parametrize("command", ["report", "bundle"])
def test_3_a_key_folder_that_cannot_be_made_names_it_and_the_variable(
    tmp_path: Path, done_case: Path, command: str
) -> None:
    case = tmp_path / "case"
    shutil.copytree(done_case, case)
    home = tmp_path / "home-is-a-file"
    home.write_text("not a folder")
    bundle: list[str | os.PathLike[str]] = ["bundle", case, "-o", tmp_path / "b.zip"]
    report: list[str | os.PathLike[str]] = ["report", "--case", case]
    args = report if command == "report" else bundle
    result = run_cli(*args, env={"HOME": str(home), "RESEMBLE_NB_REVIEWER": "ana"})
    assert result.code == 2, result.text
    line = result.first_error_line()
    assert result.err.strip() == line, result.err  # one line, nothing before it
    folder = home / ".config" / "resemble_nb" / "keys"
    assert f"{folder}: the folder of reviewers' signing keys (from HOME)" in line, line
    assert "set RESEMBLE_NB_KEYS to a folder you can write" in line, line
    keys = tmp_path / "keys"
    fixed = run_cli(*args, env={"HOME": str(home), "RESEMBLE_NB_KEYS": str(keys),
                                "RESEMBLE_NB_REVIEWER": "ana"})  # fmt: skip
    assert fixed.code == 0, fixed.text
    assert any(keys.iterdir())


def test_14_a_report_with_no_reviewer_named_says_so_in_one_line(
    tmp_path: Path, done_case: Path
) -> None:
    case = tmp_path / "case"
    shutil.copytree(done_case, case)
    result = run_cli("report", "--case", case, "-o", tmp_path / "r.html",
                     env={"RESEMBLE_NB_KEYS": str(tmp_path / "keys")})  # fmt: skip
    assert result.code == 0, result.text
    notes = [x for x in result.err.splitlines() if x.strip()]
    assert len(notes) == 1 and notes[0].startswith("resemble-nb report: note: no reviewer named"), (
        result.err
    )
    assert "so this is recorded and signed as the computer's user" in notes[0], notes[0]
    assert "pass reviewer='name' or set RESEMBLE_NB_REVIEWER" in notes[0], notes[0]
