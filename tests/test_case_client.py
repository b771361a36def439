"""Asking and feedback reuse the client the case was reviewed with (issue 19 item 6)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from resemble_nb.api import Client
from resemble_nb.case import Case
from resemble_nb.sandbox import Sandbox

SAMPLES = Path(__file__).resolve().parents[1] / "resemble_nb" / "samples"
FAST = (0.05, 0.5)


def _reviewed(folder: Path, sandbox: Sandbox) -> tuple[Case, Client]:
    case = Case(folder)
    client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
    case.review(SAMPLES / "speech.wav", client=client, display=False, poll_interval=FAST).wait(60)
    return case, client


def test_ask_feedback_and_the_board_reuse_the_reviewing_client(
    tmp_path: Path, sandbox: Sandbox, monkeypatch: object
) -> None:
    os.environ.pop("RESEMBLE_API_KEY", None)  # connect() would fail: nothing may call it
    _case, client = _reviewed(tmp_path / "acme", sandbox)
    again = Case(tmp_path / "acme")  # another Case object, same process: same client
    answer = again.ask("speech.wav", "Which language?", timeout=30, sleep=lambda _s: None)
    assert answer is not None
    again.decide("speech.wav", "confirmed_fake", reviewer="ana")
    sent = again.send_feedback()
    assert sent["outcome"].tolist() == ["sent"]
    board = again.triage()
    assert board is not None
    from resemble_nb.case._analysis import CaseAnalysis

    assert CaseAnalysis(again).client() is client
    counts = sandbox.stats()["requests"]
    assert counts["POST /detects/{uuid}/intelligence"] == {"202": 1}
    assert counts["POST /detect/{uuid}/feedback"] == {"200": 1}
    client.close()  # closed by its owner: a fresh client for the same account is used
    assert again.ask("speech.wav", "Who speaks?", timeout=30, sleep=lambda _s: None)


def test_a_new_process_without_a_key_names_the_service_the_case_was_reviewed_on(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    case, client = _reviewed(tmp_path / "acme", sandbox)
    case.close()
    client.close()
    script = textwrap.dedent(
        f"""
        import resemble_nb as rnb
        case = rnb.Case({str(tmp_path / "acme")!r})
        try:
            case.ask("speech.wav", "Which language?")
        except rnb.MissingAPIKeyError as exc:
            print("ERROR:", exc)
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "RESEMBLE_API_KEY"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert "ERROR:" in done.stdout, done.stderr
    assert "This case was reviewed on the sandbox" in done.stdout
    assert "pass client=" in done.stdout
