"""Issue 23, running things: SIGTERM during ``detect`` is Ctrl-C (a counted summary, exit
130, resumable), and ``make lab`` as root starts JupyterLab instead of asking for
``--allow-root``."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from resemble_nb.sandbox import Sandbox

from .conftest import distinct_calls, interrupt_detect, run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_9_sigterm_during_detect_cancels_and_counts_like_ctrl_c(
    tmp_path: Path, api: Sandbox
) -> None:
    folder = distinct_calls(tmp_path / "evidence", 4)
    result = interrupt_detect(api, folder, tmp_path / "case", signal.SIGTERM)
    err = result.err
    assert result.code == 130, result.text
    assert "Stopped by SIGTERM: cancelling, items not finished end as cancelled" in err, err
    assert "run the same command again to resume" in err, err
    assert "cancelled: 4" in err, err  # the counted summary, as after Ctrl-C
    api.set_faults(None)
    again = run_cli("detect", folder, "--case", tmp_path / "case", "--base-url", api.base_url,
                    "--no-progress")  # fmt: skip
    assert again.code == 0 and "completed: 4" in again.out, again.text


@pytest.mark.slow
def test_15_make_lab_as_this_user_starts_jupyterlab(tmp_path: Path) -> None:
    """``make lab`` (as root in a container, too) reaches "JupyterLab is running"."""
    venv = Path(sys.executable).parent.parent
    if shutil.which("make") is None or not (venv / "bin" / "jupyter").exists():
        pytest.skip("needs make and jupyter in this environment")
    child = subprocess.Popen(
        ["make", "-s", "-o", f"{venv}/.demo-installed", f"VENV={venv}", "lab",
         "LAB_ARGS=--no-browser --ServerApp.port=0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")},
    )  # fmt: skip
    seen: list[str] = []
    try:
        assert child.stdout is not None
        for line in child.stdout:  # an observable event: the server says where it listens
            seen.append(line)
            if "http://127.0.0.1:" in line or "allow-root" in line.lower():
                break
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=60)
    text = "".join(seen)
    assert "Running as root is not recommended" not in text, text
    assert "http://127.0.0.1:" in text, text
