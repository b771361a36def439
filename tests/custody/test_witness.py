"""Rollback and truncation: caught wherever a later head was seen (issue 17 item 6).

A chain proves its history, not that it is the newest. The reviewer's machine keeps a
witness log of signed checkpoints; reports and bundles carry theirs; ``verify`` names a
case behind, or diverging from, any of them.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import resemble_nb as rnb
from resemble_nb.case import Case
from resemble_nb.custody import witness_log


def _problems(target: Path, **kwargs: object) -> list[str]:
    result = rnb.verify(target, **kwargs)  # type: ignore[arg-type]
    return [f"{c.area}: {c.detail}" for c in result.problems]


def _roll_back(case: Path, to: Path) -> None:
    """What someone with the folder does: put the older copy in its place."""
    shutil.rmtree(case)
    shutil.copytree(to, case)


def _report(folder: Path) -> Path:
    return next((folder / "reports").glob("*.html"))


def _elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Another machine: no keys, no witness log."""
    other = tmp_path / "other-machine-keys"
    other.mkdir(mode=0o700)
    monkeypatch.setenv("RESEMBLE_NB_KEYS", str(other))


def test_the_reviewer_s_machine_witnesses_each_signed_write(case_copy: Path) -> None:
    before = witness_log().read_text(encoding="utf-8").splitlines()
    with Case(case_copy) as case:
        case.decide("voicemail.mp3", "inconclusive", reviewer="ana")
        head = case.ledger.chain_head()
    lines = witness_log().read_text(encoding="utf-8").splitlines()
    assert len(lines) > len(before)
    last = json.loads(lines[-1])
    assert (last["seq"], last["head"]) == (head.seq, head.hash)
    assert last["signer"]["reviewer"] == "ana"
    assert oct(witness_log().stat().st_mode & 0o777) == "0o600"
    result = rnb.verify(case_copy)
    assert result.ok, str(result)
    assert any(c.area == "witness" and c.ok for c in result.checks)


def test_forgery_6_a_case_rolled_back_to_before_any_verdict_is_named_on_the_reviewer_s_machine(
    case_copy: Path, undecided: Path
) -> None:
    _roll_back(case_copy, undecided)
    problems = _problems(case_copy)
    assert problems, "a rolled-back case verified"
    assert any(
        p.startswith("witness: ROLLED BACK OR TRUNCATED: the case ends at event") for p in problems
    ), problems


def test_forgery_6_is_named_elsewhere_through_a_report_s_or_a_bundle_s_checkpoint(
    case_copy: Path, undecided: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "report.html"
    shutil.copy2(_report(case_copy), report)
    with Case(case_copy) as case:
        bundle = case.bundle(tmp_path / "handover.zip", reviewer="ana")
    _roll_back(case_copy, undecided)
    _elsewhere(monkeypatch, tmp_path)
    assert rnb.verify(case_copy).ok  # alone, on a machine that saw nothing, it looks whole
    for seen in (report, bundle):
        problems = _problems(case_copy, witness=[seen])
        assert any("ROLLED BACK OR TRUNCATED" in p and seen.name in p for p in problems), problems
    problems = _problems(report, case=case_copy)
    assert any("ROLLED BACK OR TRUNCATED" in p for p in problems), problems
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "resemble_nb.cli",
            "verify",
            str(case_copy),
            "--witness",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL witness" in done.stdout and "ROLLED BACK OR TRUNCATED" in done.stdout


def test_a_truncated_chain_verifies_alone_but_not_against_what_was_witnessed(
    case_copy: Path,
) -> None:
    conn = sqlite3.connect(case_copy / "case.db")
    cut = conn.execute("SELECT MAX(seq) FROM events WHERE kind = 'report_written'").fetchone()[0]
    for (trigger,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' "
        "AND tbl_name IN ('events', 'signatures', 'signers')"
    ).fetchall():
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DELETE FROM signatures WHERE seq >= ?", (cut,))
    conn.execute("DELETE FROM events WHERE seq >= ?", (cut,))
    conn.commit()
    conn.close()
    problems = _problems(case_copy)
    assert [p for p in problems if not p.startswith("witness")] == []  # the chain alone holds
    assert any(
        p.startswith(f"witness: ROLLED BACK OR TRUNCATED: the case ends at event {cut - 1}")
        for p in problems
    ), problems


def test_a_rolled_back_case_written_past_the_old_head_diverges(
    case_copy: Path, undecided: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reviewer_log = witness_log()
    _roll_back(case_copy, undecided)
    attacker = tmp_path / "attacker-keys"
    shutil.copytree(reviewer_log.parent, attacker)  # even with the reviewer's own keys
    (attacker / reviewer_log.name).unlink()
    monkeypatch.setenv("RESEMBLE_NB_KEYS", str(attacker))
    seen = max(json.loads(line)["seq"] for line in reviewer_log.read_text().splitlines())
    with Case(case_copy) as case:
        while case.ledger.chain_head().seq <= seen:
            case.decide("speech.wav", "confirmed_real", "rewritten", reviewer="ana")
    problems = _problems(case_copy, witness=[reviewer_log])
    assert any(p.startswith("witness: DIVERGES: at event") for p in problems), problems


def test_a_checkpoint_replayed_on_another_case_is_named_and_vouches_for_nothing(
    case_copy: Path, tmp_path: Path
) -> None:
    other = Case(tmp_path / "other")
    other.close()
    problems = _problems(tmp_path / "other", witness=[_report(case_copy)])
    assert any("holds a checkpoint of another case" in p for p in problems), problems


def test_a_checkpoint_that_is_not_signed_by_its_key_is_named(
    case_copy: Path, tmp_path: Path
) -> None:
    lines = witness_log().read_text(encoding="utf-8").splitlines()
    forged = json.loads(lines[-1])
    forged["seq"] += 1000  # claims the case went further than it did
    (tmp_path / "forged.jsonl").write_text(json.dumps(forged) + "\n", encoding="utf-8")
    problems = _problems(case_copy, witness=[tmp_path / "forged.jsonl"])
    assert problems == ["witness: a checkpoint in forged.jsonl is not signed by the key it names"]
    assert _problems(case_copy, witness=[tmp_path / "nothing.jsonl"]) == [
        f"witness: {tmp_path / 'nothing.jsonl'}: cannot be read as a witness "
        f"([Errno 2] No such file or directory: '{tmp_path / 'nothing.jsonl'}')"
    ]


def test_closing_a_case_witnesses_what_was_written_after_the_last_signature(
    case_copy: Path,
) -> None:
    with Case(case_copy) as case:
        case.decide("voicemail.mp3", "inconclusive", reviewer="ana")
        signed = case.ledger.chain_head().seq
        case.ledger.set_meta("court", "district 4")  # an unsigned write after it
        head = case.ledger.chain_head()
        assert head.seq > signed
    last = json.loads(witness_log().read_text(encoding="utf-8").splitlines()[-1])
    assert (last["seq"], last["head"]) == (head.seq, head.hash)
    assert rnb.verify(case_copy).ok
