"""The test-only crash hook, and one real kill-and-resume through the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from resemble_nb.case import Case
from resemble_nb.engine import CRASH_ENV_VAR, CRASH_POINTS
from resemble_nb.engine._crash import CrashHook
from resemble_nb.sandbox import Sandbox

from .helpers import FAST, client_for, duplicates, write_wavs


def test_no_variable_means_no_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CRASH_ENV_VAR, raising=False)
    hook = CrashHook()
    for point in CRASH_POINTS:
        hook(point)  # still alive
    assert hook.point is None


def test_the_spec_is_checked() -> None:
    assert CrashHook("mid_poll:3").nth == 3
    with pytest.raises(ValueError, match="unknown crash point 'nowhere'"):
        CrashHook("nowhere")
    with pytest.raises(ValueError, match="N must be 1 or more"):
        CrashHook("mid_poll:0")


def test_only_the_nth_arrival_kills(monkeypatch: pytest.MonkeyPatch) -> None:
    kills: list[int] = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: kills.append(sig))
    hook = CrashHook("after_submitted:2")
    hook("after_upload")
    hook("after_submitted")
    assert kills == []
    hook("after_submitted")
    assert kills == [signal.SIGKILL]


def _detect(
    case: Path, evidence: Path, sandbox: Sandbox, crash: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "RESEMBLE_API_KEY": sandbox.api_key,
        CRASH_ENV_VAR: crash,
    }
    command = [
        sys.executable, "-m", "resemble_nb.cli", "detect", str(evidence),
        "--case", str(case), "--base-url", sandbox.base_url, "--no-progress",
    ]  # fmt: skip
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("point", ["after_create_before_ledger", "mid_poll"])
def test_a_killed_review_resumes_without_a_second_detect(
    tmp_path: Path, sandbox_factory: type, point: str
) -> None:
    sandbox = sandbox_factory(progress="polls:1")
    evidence = tmp_path / "evidence"
    write_wavs(evidence, 6)
    killed = _detect(tmp_path / "case", evidence, sandbox, point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    created = sandbox.stats()["detects_created"]
    assert created == 6  # the batch reached the server before the kill
    case = Case(tmp_path / "case")
    run = case.review(evidence, client=client_for(sandbox), display=False, poll_interval=FAST)
    assert run.wait(60).progress.counts == {"completed": 6}
    assert sandbox.stats()["detects_created"] == 6 and duplicates(sandbox) == {}
