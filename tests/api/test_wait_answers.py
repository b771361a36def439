"""Create answers without ``status`` (the docs' examples have none), over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from resemble_nb.api import Client
from resemble_nb.sandbox import Sandbox

SAMPLES = Path(__file__).resolve().parents[2] / "resemble_nb" / "samples"


def _gets(sandbox: Sandbox) -> int:
    requests = sandbox.stats()["requests"]
    return sum(sum(v.values()) for route, v in requests.items() if route.startswith("GET /detect/"))


def test_a_waited_answer_with_full_metrics_and_no_status_is_complete(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(create_status=False)
    with Client(api_key=sandbox.api_key, base_url=sandbox.base_url) as client:
        det = client.detect(file=SAMPLES / "speech.wav", wait=True)
        assert "status" not in det.raw
        assert det.status == "completed" and det.done and det.score is not None
        assert _gets(sandbox) == 0  # no GET was needed


def test_an_answer_without_status_is_in_progress(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(create_status=False, progress="polls:1")
    with Client(api_key=sandbox.api_key, base_url=sandbox.base_url) as client:
        det = client.detect(file=SAMPLES / "speech.wav")
        assert det.status is None and not det.done
        assert client.wait_for(det, poll_interval=0.05, timeout=10).completed


def test_a_waited_answer_in_doubt_is_settled_by_one_get(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(create_status=False)
    with Client(api_key=sandbox.api_key, base_url=sandbox.base_url) as client:
        det = client.detect(file=SAMPLES / "damaged.wav", wait=True)  # fails: no metrics
        assert det.status == "failed" and det.error_message
        assert _gets(sandbox) == 1
