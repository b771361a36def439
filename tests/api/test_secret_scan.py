"""No API key or media token in any repr, str, error text, traceback or log line.

One scenario drives every method and every kind of failure through both clients
against the sandbox with DEBUG logging on, collects everything a user could see,
and scans it for the key and for every token value issued.
"""

from __future__ import annotations

import logging
import pickle
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from resemble_nb.api import AsyncClient, Client, ResembleError
from resemble_nb.sandbox import Sandbox


class Shown:
    """Everything a notebook user could get to see."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def add(self, obj: Any) -> Any:
        self.texts += [repr(obj), str(obj)]
        if hasattr(obj, "__dict__"):
            self.texts.append(repr(vars(obj)))
        return obj

    def error(self, exc: BaseException) -> None:
        self.add(exc)
        self.texts.append(repr(exc.args))
        self.texts.append("".join(traceback.format_exception(exc)))

    def expect(self, call: Callable[[], Any]) -> None:
        try:
            self.add(call())
        except (ResembleError, ValueError, TypeError) as exc:
            self.error(exc)

    async def aexpect(self, call: Callable[[], Any]) -> None:
        try:
            self.add(await call())
        except (ResembleError, ValueError, TypeError) as exc:
            self.error(exc)


def test_nothing_secret_is_ever_shown(
    sandbox: Sandbox, samples: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = sandbox.api_keys[0]
    shown = Shown()
    tokens: list[str] = []
    with Client(api_key=key, base_url=sandbox.base_url) as client:
        client._sleep = lambda s: None  # type: ignore[assignment]
        shown.add(client)
        with pytest.raises(TypeError) as pickled:
            pickle.dumps(client)
        shown.error(pickled.value)
        token = shown.add(client.secure_upload(samples / "speech.wav"))
        tokens.append(token.reveal())
        with pytest.raises(TypeError) as pickled:
            pickle.dumps(token)
        shown.error(pickled.value)
        d = shown.add(client.detect(media_token=token, intelligence=True, wait=True))
        shown.add(d.audio)
        shown.add(d.intelligence)
        shown.add(client.get_detect(d.uuid, experts=True))
        shown.add(client.list_detects())
        batch = shown.add(client.detect_batch([samples / "portrait.png"]))
        shown.add(client.wait_for(batch))
        shown.add(client.intelligence(media_token=token))
        shown.add(client.stats)
        # failures of every kind
        shown.expect(lambda: client.detect(media_token=token, url="https://x"))
        shown.expect(lambda: client.get_detect("missing"))
        shown.expect(lambda: client.detect(media_token="forged." + tokens[0]))
        sandbox.set_faults("GET /detect:503")
        shown.expect(lambda: client.list_detects())
        sandbox.set_faults("POST /detect:drop_after;times=1")
        shown.expect(lambda: client.detect(media_token=token))
        sandbox.set_faults("GET /detect:429;retry_after=120")
        shown.expect(lambda: client.list_detects())
        sandbox.set_faults(None)
        sandbox.advance_clock(7200)
        shown.expect(lambda: client.detect(media_token=token))
    with Client(api_key=key[::-1] + "_bad", base_url=sandbox.base_url) as wrong:
        shown.expect(lambda: wrong.list_detects())
    with Client(api_key=key, base_url="http://127.0.0.1:9/api/v2", max_retries=0) as down:
        shown.expect(lambda: down.list_detects())

    texts = [*shown.texts, caplog.text, *(r.getMessage() for r in caplog.records)]
    assert len(texts) > 60
    assert any("**********" in t for t in texts)  # the mask is what shows
    secrets = [key, key[::-1] + "_bad", *tokens]
    for secret in secrets:
        leaks = [t for t in texts if secret in t]
        assert not leaks, f"secret shown in: {leaks[0][:300]}"
    assert "Bearer" not in caplog.text or "Bearer **********" in caplog.text


async def test_nothing_secret_is_shown_by_the_async_client(
    sandbox: Sandbox, samples: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = sandbox.api_keys[1]
    shown = Shown()
    async with AsyncClient(api_key=key, base_url=sandbox.base_url) as client:

        async def no_wait(seconds: float) -> None:
            return None

        client._sleep = no_wait  # type: ignore[assignment]
        shown.add(client)
        token = shown.add(await client.secure_upload(samples / "street.jpg"))
        shown.add(await client.detect(media_token=token))
        await shown.aexpect(lambda: client.get_detect("missing"))
        sandbox.set_faults("POST /detect:drop;times=1")
        await shown.aexpect(lambda: client.detect(media_token=token))
    texts = [*shown.texts, caplog.text]
    for secret in (key, token.reveal()):
        assert not [t for t in texts if secret in t]


SIGNATURE = "Sig0123456789abcdefSECRET"
SIGNED = f"https://cdn.example.invalid/heat.png?X-Amz-Signature={SIGNATURE}&X-Amz-Expires=900"


def test_analysis_calls_and_presigned_artifacts_show_no_secret(
    sandbox: Sandbox, samples: Path, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """Questions, feedback, reports, tracings; heatmap and media URLs that may be
    pre-signed: none of the key, a token or a URL's signature reaches what is shown,
    the ledger's plain columns, the frames or the report."""
    from resemble_nb.api import Detection
    from resemble_nb.case import Case
    from resemble_nb.engine._harvest import result_of
    from resemble_nb.ledger import JobSpec
    from resemble_nb.media import scan

    caplog.set_level(logging.DEBUG)
    key = sandbox.api_keys[0]
    shown = Shown()
    with Client(api_key=key, base_url=sandbox.base_url) as client:
        client._sleep = lambda s: None  # type: ignore[assignment]
        d = client.wait_for(client.detect(file=samples / "speech.wav", visualize=True))
        shown.add(d.artifacts)
        question = shown.add(client.ask(d.uuid, "Was it cloned?"))
        shown.add(client.wait_for_answer(question))
        shown.add(client.send_feedback(d.uuid, "correct"))
        shown.add(client.get_feedback(d.uuid))
        shown.add(client.list_intelligences())
        shown.add(client.list_audio_source_tracings())
        shown.expect(lambda: client.ask("missing", "x"))
        shown.expect(lambda: client.send_feedback("missing", "correct"))

    signed = Detection.from_json(
        {
            "uuid": "d-signed", "status": "completed", "media_type": "image",
            "url": SIGNED, "audio_url": SIGNED,
            "image_metrics": {
                "type": "FinalResult", "label": "Fake", "score": 0.93, "image": SIGNED,
                "ifl": {"score": 0.9, "heatmap": SIGNED},
                "reverse_image_search_sources": [],
            },
        }
    )  # fmt: skip
    # repr and str only: a Detection keeps the server's raw JSON (and so its URLs) by
    # design, for code that needs them; what is shown, logged or stored never does
    for obj in (signed, signed.image, signed.artifacts, *signed.artifacts.values()):
        shown.texts += [repr(obj), str(obj)]
    case = Case(tmp_path / "acme")
    image = tmp_path / "street.jpg"
    image.write_bytes((samples / "street.jpg").read_bytes())
    item = scan([image]).items[0]
    case.ledger.add_items([item])
    (job_id,) = case.ledger.create_jobs([JobSpec(item.sha256, "k", "single", "api", {})])
    case.ledger.mark_submitting(job_id, {job_id: "street.jpg"})
    case.ledger.mark_submitted(job_id, detect_uuid="d-signed")
    record, segments = result_of(signed, {})
    shown.add(record)
    case.ledger.mark_completed(job_id, record, segments)
    case.decide("street.jpg", "needs_escalation")
    report = case.report(tmp_path / "r.html").read_text()
    texts = [
        *shown.texts, caplog.text, report,
        case.results().to_csv(), case.intelligence().to_csv(), case.questions().to_csv(),
    ]  # fmt: skip
    case.close()
    stored = b"".join(p.read_bytes() for p in (tmp_path / "acme").glob("case.db*"))
    assert SIGNATURE.encode() not in stored
    for secret in (key, SIGNATURE):
        leaks = [t for t in texts if secret in t]
        assert not leaks, f"secret shown in: {leaks[0][:300]}"
