"""``resemble-nb detect --dry-run``: the plan a real run then follows, nothing sent."""

from __future__ import annotations

from pathlib import Path

import pytest

import resemble_nb as rnb
from resemble_nb.cli import main
from resemble_nb.sandbox import Sandbox

SAMPLES = rnb.sample_media()
CREATES = ("POST /detect", "POST /detect/batch", "POST /secure_uploads", "POST /intelligence")


def _creates(sandbox: Sandbox) -> dict[str, int]:
    counts = sandbox.stats()["requests"]
    return {k: sum(v.values()) for k, v in counts.items() if k in CREATES}


def test_a_dry_run_sends_nothing_and_counts_what_the_real_run_sends(
    tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.delenv("RESEMBLE_API_KEY", raising=False)  # a dry run needs no key
    case = tmp_path / "case"
    args = ["detect", str(SAMPLES), "--case", str(case), "--no-progress"]
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("dry run (nothing sent): 6 items: 0 done, 1 not sendable, 5 to send")
    assert "  POST /detect/batch: 1" in out
    assert not case.exists()  # a dry run makes no case
    assert sandbox.stats()["requests_total"] == 0

    monkeypatch.setenv("RESEMBLE_API_KEY", sandbox.api_key)
    real = [*args, "--base-url", sandbox.base_url]
    assert main(real) == 0
    assert _creates(sandbox) == {"POST /detect/batch": 1}
    capsys.readouterr()

    assert main([*args, "--intelligence", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "intelligence added to 5 existing detects" in out
    assert "  POST /intelligence: 5" in out and "  POST /secure_uploads: 5" in out
    before = _creates(sandbox)
    assert main([*real, "--intelligence"]) == 0
    after = _creates(sandbox)
    assert {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)} == {
        "POST /intelligence": 5,
        "POST /secure_uploads": 5,
    }
