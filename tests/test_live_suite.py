"""The live contract checks themselves, run against a sandbox in every list order.

``pytest -m live`` in a subprocess, pointed at a sandbox through ``RESEMBLE_BASE_URL``
with a sandbox key: the checks must pass under each order the docs allow, print their
plan first, and leave nothing behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from resemble_nb.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[1]


def _run_live(sb: Sandbox, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "RESEMBLE_API_KEY": sb.api_key,
        "RESEMBLE_BASE_URL": sb.url,  # a bare host: the checks add /api/v2
        "RESEMBLE_LIVE_TIMEOUT": "30",
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *extra, "tests/live"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("order", "single_use"), [("newest", True), ("oldest", False), ("shuffled", True)]
)
def test_live_checks_pass_against_the_sandbox(
    sandbox_factory: Callable[..., Sandbox], order: str, single_use: bool
) -> None:
    sb = sandbox_factory(list_order=order, single_use_tokens=single_use, create_status=False)
    done = _run_live(sb, "-m", "live")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    out = done.stdout
    plan = out.index("They will upload these files")
    assert plan < out.index("Live contract checks: made")
    assert "Likely cost: about" in out
    # Everything made was deleted, and nothing was made twice except the token check's.
    stats = sb.stats()
    assert stats["detects_created"] == (4 if single_use else 5)
    with httpx.Client(
        base_url=sb.base_url, headers={"Authorization": f"Bearer {sb.api_key}"}
    ) as api:
        assert api.get("/detect", params={"page": 1}).json()["total_count"] == 0
    assert ("skipped" in out.splitlines()[-1]) is not single_use  # the token-twice case
    if order == "newest":
        assert "GET /detect lists newest first here" in out


def test_live_checks_are_not_run_without_asking(sandbox: Sandbox) -> None:
    done = _run_live(sandbox)  # the default addopts deselect them
    assert done.returncode == 5, done.stdout[-2000:]  # "no tests ran"
    assert "deselected" in done.stdout
    other = _run_live(sandbox, "-m", "not slow")  # another -m does not bring them back
    assert other.returncode == 5 and "deselected" in other.stdout
    assert sandbox.stats()["requests_total"] == 0
