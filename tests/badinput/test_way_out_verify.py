"""Issue 23, verify and files that change: an unreadable file is not a tampered one, a
file replaced between reviews is a later item (said at review time and by verify), a
report is checked as of its head, and what is not a case, report or bundle is a usage
error."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest

import resemble_nb as rnb
from resemble_nb.sandbox import Sandbox

from .conftest import KEY, evidence, run_cli


def _detect(folder: Path, case: Path, sandbox: Sandbox, *more: str) -> str:
    result = run_cli("detect", folder, "--case", case, "--base-url", sandbox.base_url,
                     "--no-progress", *more)  # fmt: skip
    assert result.code == 0, result.text
    return result.text


def _overwrite(path: Path, seed: int) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(seed.to_bytes(2, "little") * 8000)


def test_4_an_unreadable_media_file_is_not_checked_rather_than_tampered(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    tmp_path.chmod(0o755)
    folder = evidence(tmp_path / "ev")
    _detect(folder, tmp_path / "case", sandbox)
    for path in [tmp_path / "case", *(tmp_path / "case").rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    (folder / "speech.wav").chmod(0o000)
    (folder / "portrait.png").unlink()
    result = run_cli("verify", tmp_path / "case", unprivileged=True)
    assert result.code == 0, result.text
    assert "holds" in result.out.splitlines()[0], result.text
    line = next(x for x in result.out.splitlines() if "speech.wav" in x)
    assert line.startswith("ok   media"), line
    assert (
        f"{folder / 'speech.wav'} could not be read here (Permission denied): not checked, "
        "which is not a change; make it readable to re-hash it" in line
    ), line
    assert "1 path(s) not present here (not checked)" in result.out, result.text


def test_8_a_file_replaced_between_reviews_is_named_at_review_and_by_verify(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    folder = evidence(tmp_path / "ev")
    case = tmp_path / "case"
    _detect(folder, case, sandbox)
    with rnb.Case(case) as opened:
        before = opened.item_key("speech.wav")
    _overwrite(folder / "speech.wav", 3)
    text = _detect(folder, case, sandbox)
    with rnb.Case(case) as opened:
        now = next(sha for sha in opened.results()["sha256"] if sha not in (before,)
                   and opened.ledger.item(sha).paths[0].name == "speech.wav")  # fmt: skip
        assert (
            f"{folder / 'speech.wav'}: the file changed since an earlier review: it was item "
            f"{before[:16]}… and is now item {now[:16]}…; both are kept" in text
        ), text
        with pytest.raises(ValueError) as caught:
            opened.decide(folder / "speech.wav", "confirmed_fake", reviewer="ana")
        assert before[:12] in str(caught.value) and now[:12] in str(caught.value)
        assert "give the sha256 instead" in str(caught.value)
        assert opened.decide(before, "confirmed_fake", reviewer="ana").sha256 == before
    rerun = opened_run(folder, case, sandbox)
    assert rerun.replaced_files == [] and "changed since" not in repr(rerun)  # said once
    verified = run_cli("verify", case)
    assert verified.code == 0, verified.text
    assert (
        f"the file now at {folder / 'speech.wav'} is a later item (sha256 {now[:16]}…); "
        f"item {before[:16]}… was analysed from what was there before" in verified.out
    ), verified.text


def opened_run(folder: Path, case: Path, sandbox: Sandbox) -> rnb.Run:
    with rnb.Case(case) as opened:
        client = rnb.Client(api_key=KEY, base_url=sandbox.base_url)
        run = opened.review([folder], client=client, display=False)
        run.wait()
        return run


def test_8_the_notebook_run_names_a_replaced_file(tmp_path: Path, sandbox: Sandbox) -> None:
    folder = evidence(tmp_path / "ev")
    case = tmp_path / "case"
    opened_run(folder, case, sandbox)
    _overwrite(folder / "speech.wav", 5)
    run = opened_run(folder, case, sandbox)
    [(path, before, now)] = run.replaced_files
    assert path == str(folder / "speech.wav") and before != now
    assert repr(run).endswith(
        "; 1 file changed since an earlier review (both items kept: run.replaced_files)"
    ), repr(run)


def test_10_a_report_is_verified_as_of_its_head_after_the_case_moved_on(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    folder = evidence(tmp_path / "ev")
    case = tmp_path / "case"
    _detect(folder, case, sandbox)
    report = tmp_path / "early.html"
    assert run_cli("report", "--case", case, "-o", report).code == 0
    _detect(folder, case, sandbox, "--force")  # new results for every item after the report
    result = run_cli("verify", report, "--case", case)
    assert result.code == 0, result.text
    assert "result differs" not in result.text
    assert "the case has moved on since this report (made at event " in result.out, result.text
    assert "its items are checked against the case as of event" in result.out, result.text


@pytest.mark.parametrize(
    ("make", "what"),
    [
        (lambda p: (p / "empty").mkdir() or p / "empty", "a folder with no case.db"),
        (lambda p: Path("/dev/null"), "not a regular file"),
        (lambda p: p / "typo", "no such file or folder"),
        (lambda p: shutil.copyfile(evidence(p / "e") / "speech.wav", p / "x.wav"),
         "neither a SQLite case ledger, .html nor .zip"),
    ],
    ids=["empty-folder", "dev-null", "missing", "a-media-file"],
)  # fmt: skip
def test_11_verify_of_what_is_not_a_case_report_or_bundle_is_a_usage_error(
    tmp_path: Path, make: object, what: str
) -> None:
    target = Path(make(tmp_path))  # type: ignore[operator]
    result = run_cli("verify", target)
    assert result.code == 2, result.text
    assert result.first_error_line() == (
        f"resemble-nb verify: {target}: not a case, report or bundle ({what}); give a case "
        "folder, REPORT.html or BUNDLE.zip"
    ), result.text
    assert "DOES NOT HOLD" not in result.text
