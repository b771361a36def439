"""Signed reports and handover bundles, verified offline, on another machine's terms."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import resemble_nb as rnb
from resemble_nb.case import Case
from resemble_nb.custody import CustodyError, key_folder

JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")


def _report(folder: Path) -> Path:
    return next((folder / "reports").glob("*.html"))


def test_a_report_verifies_alone_and_against_its_case(case_copy: Path) -> None:
    report = _report(case_copy)
    alone = rnb.verify(report)
    assert alone.ok, str(alone)
    with_case = rnb.verify(report, case=case_copy)
    assert with_case.ok, str(with_case)
    assert any("recorded writing this report" in c.detail for c in with_case.checks)
    html = report.read_text(encoding="utf-8")
    assert "Custody record: how to check this report" in html
    assert "resemble-nb verify" in html and "<script" not in html


def test_an_edited_report_is_found(case_copy: Path) -> None:
    report = _report(case_copy)
    html = report.read_text(encoding="utf-8")
    report.write_text(html.replace("confirmed", "c0nfirmed", 1), encoding="utf-8")
    result = rnb.verify(report)
    assert [c.detail for c in result.problems] == [
        "the report's content was edited after it was written (its hash no longer matches "
        "the manifest)"
    ]


def test_a_report_from_another_case_does_not_match_it(case_copy: Path, tmp_path: Path) -> None:
    other = Case(tmp_path / "other")
    other.close()
    result = rnb.verify(_report(case_copy), case=tmp_path / "other")
    assert not result.ok
    assert any("is not in this case's chain" in c.detail for c in result.problems)


def test_a_bundle_verifies_on_a_fresh_machine(case_copy: Path, tmp_path: Path) -> None:
    """Another folder, no case, no keys: only the zip and resemble_nb."""
    with Case(case_copy) as case:
        bundle = case.bundle(tmp_path / "handover.zip", reviewer="ana")
    elsewhere = tmp_path / "recipient"
    elsewhere.mkdir()
    moved = Path(shutil.move(str(bundle), elsewhere / "handover.zip"))
    shutil.rmtree(case_copy)
    env = {**os.environ, "RESEMBLE_NB_KEYS": str(tmp_path / "recipient-has-no-keys")}
    done = subprocess.run(
        [sys.executable, "-m", "resemble_nb.cli", "verify", str(moved)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "holds" in done.stdout.splitlines()[0]
    assert "Traceback" not in done.stderr
    names = set(zipfile.ZipFile(moved).namelist())
    assert {"case.db", "report.html", "manifest.json"} <= names
    assert any(n.startswith("exhibits/") for n in names)
    assert any(n.startswith("keys/") for n in names)


def test_a_tampered_bundle_names_the_file(case_copy: Path, tmp_path: Path) -> None:
    with Case(case_copy) as case:
        bundle = case.bundle(tmp_path / "b.zip", reviewer="ana")
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("exhibits/"):
                data = data[:-10] + b"\0" * 10
            dst.writestr(info, data)
    result = rnb.verify(tampered)
    details = [c.detail for c in result.problems]
    assert any("was changed after the bundle was made" in d for d in details), details
    assert any("replaced or changed after it was cut" in d for d in details), details


def test_the_bundle_and_the_key_folder_s_public_parts_hold_no_secret(
    case_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api_key = "sk_live_do_not_leak_0123456789"
    monkeypatch.setenv("RESEMBLE_API_KEY", api_key)
    with Case(case_copy) as case:
        bundle = case.bundle(tmp_path / "b.zip", reviewer="ana")
    with zipfile.ZipFile(bundle) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            assert api_key.encode() not in data, name
            assert b"PRIVATE KEY" not in data, name
            assert not JWT.search(data), name
    keys = key_folder()
    assert oct(keys.stat().st_mode & 0o777) == "0o700"
    for key in keys.iterdir():
        assert oct(key.stat().st_mode & 0o777) == "0o600", key


def test_a_bundle_that_would_carry_a_secret_is_refused(
    case_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Case(case_copy) as case:
        (case.folder / "exhibits" / "leak.txt").write_text("x")
        first = next(iter(case.ledger.exhibits()))
        monkeypatch.setenv("RESEMBLE_API_KEY", Path(first.path).read_bytes()[40:80].hex())
        Path(first.path).write_bytes(Path(first.path).read_bytes() + b"PRIVATE KEY-----")
        Path(first.path).write_bytes(
            b"-----BEGIN PRIVATE KEY-----\n" + Path(first.path).read_bytes()
        )
        with pytest.raises(CustodyError, match="would carry a secret"):
            case.bundle(tmp_path / "leaky.zip", reviewer="ana")
    assert not (tmp_path / "leaky.zip").exists()


def test_cli_verify_exits_non_zero_and_names_the_problem(case_copy: Path) -> None:
    media = case_copy / "uploads" / "speech.wav"
    media.write_bytes(media.read_bytes()[:-1] + b"\x01")
    done = subprocess.run(
        [sys.executable, "-m", "resemble_nb.cli", "verify", str(case_copy)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "DOES NOT HOLD" in done.stdout
    assert "FAIL media      speech.wav changed since it was reviewed" in done.stdout


def test_the_report_cuts_one_exhibit_per_flagged_item_once(case_copy: Path) -> None:
    with Case(case_copy) as case:
        flagged = case.results().query("score >= @case.threshold and media_type != 'image'")
        clips = {e.source_sha256 for e in case.ledger.exhibits() if e.kind == "clip"}
        assert set(flagged["sha256"]) <= clips  # made by the report in the fixture
        before = len(case.ledger.exhibits())
        report = case.report(case_copy / "again.html", reviewer="ana")
        assert len(case.ledger.exhibits()) == before  # reused, not cut again
    html = report.read_text(encoding="utf-8")
    assert 'alt="spectrogram of voicemail_' in html
    assert "resemble_nb 0.1.0, PyAV" in html
    assert rnb.verify(case_copy).ok
