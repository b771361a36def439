"""Questions, reports, feedback and source tracings: the client over real HTTP to the sandbox."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from resemble_nb.api import (
    AsyncClient,
    BadRequestError,
    Client,
    Detection,
    Feedback,
    NotFoundError,
    Question,
    SourceTrace,
    UnprocessableEntityError,
    WaitTimeoutError,
)
from resemble_nb.sandbox import Sandbox

from .conftest import SleepRecorder


def _completed(client: Client, path: Path, **options: object) -> Detection:
    job = client.detect(file=path, **options)
    return client.wait_for(job, timeout=30)


def test_ask_then_wait_for_answer_backs_off_from_1_to_10_s(
    sandbox_factory: Callable[..., Sandbox],
    make_client: Callable[..., Client],
    sleeps: SleepRecorder,
    samples: Path,
) -> None:
    client = make_client(sandbox_factory(progress="polls:4"))
    detect = _completed(client, samples / "speech.wav")
    sleeps.waits.clear()
    question = client.ask(detect.uuid, "Was the voice cloned from a public recording?")
    assert isinstance(question, Question)
    assert (question.status, question.answer, question.done) == ("pending", None, False)
    assert question.detect_uuid == detect.uuid and question.source == "sandbox"
    answered = client.wait_for_answer(question)
    assert answered.status == "completed" and answered.done
    assert answered.answer and "voice" in answered.answer
    assert answered.query == "Was the voice cloned from a public recording?"
    assert sleeps.waits == [1.0, 2.0, 4.0, 8.0, 10.0]  # 5 reads: processing x4, then done
    assert client.get_question(detect.uuid, question.uuid).answer == answered.answer


def test_wait_for_answer_gives_up_with_the_last_state(
    sandbox_factory: Callable[..., Sandbox], make_client: Callable[..., Client], samples: Path
) -> None:
    client = make_client(sandbox_factory(progress="polls:3"))
    detect = client.detect(file=samples / "speech.wav")
    for _ in range(3):
        detect = client.get_detect(detect.uuid)
    question = client.ask(detect.uuid, "Cloned?")
    clock = iter(float(t) for t in range(0, 1000, 7))
    client._monotonic = lambda: next(clock)  # type: ignore[method-assign]
    with pytest.raises(WaitTimeoutError) as caught:
        client.wait_for_answer(question, timeout=20)
    assert caught.value.last.status == "processing"
    assert "get_question" in str(caught.value)


def test_failed_answer_is_returned_with_its_reason(
    sandbox_factory: Callable[..., Sandbox], make_client: Callable[..., Client], samples: Path
) -> None:
    client = make_client(sandbox_factory(answers="fail"))
    detect = _completed(client, samples / "speech.wav")
    answered = client.wait_for_answer(client.ask(detect.uuid, "Cloned?"))
    assert answered.status == "failed" and answered.answer is None
    assert answered.error_message


def test_question_errors(
    sandbox_factory: Callable[..., Sandbox], make_client: Callable[..., Client], samples: Path
) -> None:
    client = make_client(sandbox_factory(progress="polls:5"))
    detect = client.detect(file=samples / "speech.wav")
    with pytest.raises(UnprocessableEntityError, match="must be completed"):
        client.ask(detect.uuid, "Cloned?")
    with pytest.raises(ValueError, match="empty"):
        client.ask(detect.uuid, "   ")
    with pytest.raises(NotFoundError):
        client.ask("no-such-detect", "Cloned?")
    with pytest.raises(NotFoundError, match="Question not found"):
        client.get_question(detect.uuid, "no-such-question")


def test_feedback_round_trip(client: Client, samples: Path) -> None:
    detect = _completed(client, samples / "speech.wav")
    assert client.get_feedback(detect.uuid) is None
    sent = client.send_feedback(detect.uuid, "should_be_authentic", comment="known speaker")
    assert isinstance(sent, Feedback)
    assert (sent.type, sent.comment, sent.origin) == ("should_be_authentic", "known speaker", "api")
    assert sent.verdict in ("ai_generated", "authentic") and sent.score is not None
    got = client.get_feedback(detect.uuid)
    assert got is not None and got.type == "should_be_authentic"
    client.delete_feedback(detect.uuid)
    assert client.get_feedback(detect.uuid) is None
    with pytest.raises(NotFoundError):
        client.delete_feedback(detect.uuid)


def test_feedback_is_checked_before_sending_and_refused_before_completion(
    sandbox_factory: Callable[..., Sandbox], make_client: Callable[..., Client], samples: Path
) -> None:
    sb = sandbox_factory(progress="polls:5")
    client = make_client(sb)
    detect = client.detect(file=samples / "speech.wav")
    with pytest.raises(ValueError, match="should_be_ai_generated"):
        client.send_feedback(detect.uuid, "looks_fine")
    with pytest.raises(ValueError, match="1000"):
        client.send_feedback(detect.uuid, "correct", comment="x" * 1001)
    assert "/detect/{uuid}/feedback" not in sb.stats()["requests"]
    with pytest.raises(BadRequestError):
        client.send_feedback(detect.uuid, "correct")


def test_intelligence_reports_get_and_list(client: Client, samples: Path) -> None:
    detect = _completed(client, samples / "speech.wav", intelligence=True)
    assert detect.intelligence is not None and detect.intelligence.uuid
    report = client.get_intelligence(detect.intelligence.uuid)
    assert report.detect_uuid == detect.uuid and report.description
    assert report.findings is not None and report.findings.summary
    page = client.list_intelligences()
    assert page.total_count == 1 and [r.uuid for r in page] == [report.uuid]
    assert not page.has_next
    with pytest.raises(NotFoundError):
        client.get_intelligence("nope")
    with pytest.raises(ValueError):
        client.list_intelligences(page=0)


def test_source_tracings_get_and_list(client: Client, samples: Path) -> None:
    detect = _completed(client, samples / "speech.wav", audio_source_tracing=True)
    page = client.list_audio_source_tracings()
    assert page.total_count == 1
    trace = page.items[0]
    assert isinstance(trace, SourceTrace) and trace.detect_uuid == detect.uuid
    assert trace.label
    if detect.audio_source_tracing is not None:
        assert detect.audio_source_tracing.label == trace.label
    assert client.get_audio_source_tracing(trace.uuid) == trace


async def test_async_client_has_the_same_calls(
    sandbox_factory: Callable[..., Sandbox],
    make_async_client: Callable[..., AsyncClient],
    sleeps: SleepRecorder,
    samples: Path,
) -> None:
    client = make_async_client(sandbox_factory(progress="polls:1"))
    job = await client.detect(file=samples / "speech.wav", intelligence=True)
    detect = await client.wait_for(job, timeout=30)
    sleeps.waits.clear()
    question = await client.ask(detect.uuid, "Which language is spoken?")
    answered = await client.wait_for_answer(question)
    assert answered.status == "completed" and "English" in (answered.answer or "")
    assert sleeps.waits == [1.0, 2.0]
    assert (await client.send_feedback(detect.uuid, "correct")).type == "correct"
    assert (await client.get_feedback(detect.uuid)) is not None
    await client.delete_feedback(detect.uuid)
    assert (await client.list_intelligences()).total_count == 1
    assert detect.intelligence is not None
    assert (await client.get_intelligence(detect.intelligence.uuid or "")).uuid
    assert (await client.list_audio_source_tracings()).total_count == 0


def test_every_analysis_of_a_detect_is_typed(client: Client, samples: Path) -> None:
    detect = _completed(
        client, samples / "portrait.png", visualize=True, use_reverse_search=True,
        intelligence=True,
    )  # fmt: skip
    assert detect.image is not None
    arts = detect.artifacts
    assert {"image_heatmap", "ifl_heatmap"} <= set(arts)
    heatmap = arts["ifl_heatmap"]
    assert heatmap.kind == "data" and heatmap.mime == "image/png"
    assert (heatmap.data() or b"").startswith(b"\x89PNG")
    assert "base64" not in repr(detect) and "base64" not in repr(arts)
    assert isinstance(detect.image.reverse_search_sources, list)
    assert detect.findings is not None and detect.findings.structured
    assert detect.findings.abnormalities


def test_question_text_and_answers_stay_out_of_no_log(
    client: Client, samples: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="resemble_nb.api")
    detect = _completed(client, samples / "speech.wav", visualize=True)
    assert detect.artifacts["audio_heatmap"].kind == "data"
    assert "data:image" not in caplog.text
