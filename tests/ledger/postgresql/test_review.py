"""A review against the sandbox into a PostgreSQL case: every file detected exactly once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from engine.helpers import FAST, SAMPLES, client_for

from resemble_nb.case import Case
from resemble_nb.cli._main import main
from resemble_nb.custody import verify
from resemble_nb.sandbox import Sandbox

MEDIA = ["speech.wav", "voicemail.mp3", "portrait.png", "street.jpg", "interview.mp4"]
CREATES = ("POST /detect", "POST /detect/batch", "POST /secure_uploads")


def _creates(sandbox: Sandbox) -> dict[str, int]:
    counts = sandbox.stats()["requests"]
    return {k: sum(v.values()) for k, v in counts.items() if k in CREATES}


def test_a_review_into_a_postgresql_case_completes_once(
    pg_case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESEMBLE_NB_KEYS", str(tmp_path / "keys"))
    monkeypatch.setenv("RESEMBLE_NB_REVIEWER", "ana")
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for name in MEDIA:
        shutil.copy2(SAMPLES / name, evidence / name)
    with Sandbox(port=0) as sandbox:
        with Case(pg_case, workdir=tmp_path / "work") as case:
            run = case.review(
                evidence, client=client_for(sandbox), display=False, poll_interval=FAST
            ).wait(120)
            assert set(run.progress.counts) == {"completed"}
            sent = _creates(sandbox)
            assert sum(sent.values()) >= 1
            frame = case.results()
            assert len(frame) == len(MEDIA) and set(frame["status"]) == {"completed"}
            case.decide("speech.wav", "confirmed_fake", "cloned voice", reviewer="ana")
            name = pg_case.rsplit("case=", 1)[1]
            assert case.name == name  # named after the case, not its local folder
            report = case.report(reviewer="ana")
            assert report.name == f"{name}.html"
        with Case(pg_case, workdir=tmp_path / "work") as again:  # another session, same case
            run = again.review(
                evidence, client=client_for(sandbox), display=False, poll_interval=FAST
            ).wait(120)
            assert _creates(sandbox) == sent  # nothing sent twice
            assert again.ledger.state_counts() == {"completed": len(MEDIA)}
            assert again.decisions()["verdict"].tolist() == ["confirmed_fake"]
    out = tmp_path / "exported"
    assert main(["export-case", pg_case, "-o", str(out)]) == 0
    checked = verify(out)
    assert checked.ok, str(checked)
    against = verify(report, case=out)  # the report, made on the server, holds to the copy
    assert against.ok, str(against)
