"""The whole analysis in a case: frames, questions and feedback, over HTTP to the sandbox."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import httpx
import pandas as pd
import pytest

from resemble_nb import frames
from resemble_nb.api import Client
from resemble_nb.case import Case
from resemble_nb.case._ask import ask_question
from resemble_nb.frames._analysis import (
    FEEDBACK_COLUMNS,
    INTELLIGENCE_COLUMNS,
    QUESTION_COLUMNS,
)
from resemble_nb.ledger import LedgerError
from resemble_nb.sandbox import Sandbox

SAMPLES = Path(__file__).resolve().parents[1] / "resemble_nb" / "samples"
FAST = (0.05, 0.5)
EVERYTHING = {
    "intelligence": True,
    "audio_source_tracing": True,
    "visualize": True,
    "use_reverse_search": True,
}
MEDIA = ["speech.wav", "voicemail.mp3", "portrait.png", "street.jpg", "interview.mp4"]


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _client(sb: Sandbox) -> Client:
    return Client(api_key=sb.api_key, base_url=sb.base_url)


@pytest.fixture
def analysed(tmp_path: Path, sandbox: Sandbox) -> tuple[Case, Client, Sandbox]:
    case = Case(tmp_path / "acme")
    client = _client(sandbox)
    paths = [SAMPLES / name for name in MEDIA]
    run = case.review(paths, client=client, display=False, poll_interval=FAST, **EVERYTHING)
    run.wait(120)
    return case, client, sandbox


def _check(frame: pd.DataFrame, schema: dict[str, object]) -> None:
    assert list(frame.columns) == list(schema)
    for column, dtype in schema.items():
        assert frame[column].dtype == pd.api.types.pandas_dtype(dtype), column


def test_empty_case_keeps_every_column(tmp_path: Path) -> None:
    case = Case(tmp_path / "empty")
    _check(case.results(), frames.RESULT_COLUMNS)
    _check(case.intelligence(), INTELLIGENCE_COLUMNS)
    _check(case.questions(), QUESTION_COLUMNS)
    _check(case.feedback(), FEEDBACK_COLUMNS)


def test_every_analysis_shows_in_results_and_intelligence(
    analysed: tuple[Case, Client, Sandbox],
) -> None:
    case = analysed[0]
    df = case.results().set_index("name")
    _check(case.results(), frames.RESULT_COLUMNS)
    assert (df["status"] == "completed").all()
    assert df["intelligence"].notna().all()
    assert df["heatmap"].all()  # visualize: every item has a heatmap kept
    images = df[df["media_type"] == "image"]
    assert images["reverse_hits"].notna().all()  # asked for: a number, maybe 0
    assert df.loc["speech.wav", "reverse_hits"] is pd.NA  # not an image: not asked
    for name in ("speech.wav", "voicemail.mp3"):
        if df.loc[name, "label"] == "fake":
            traced = df.loc[name, "source_tracing"]
            assert isinstance(traced, str) and traced != "real"
        else:
            assert df.loc[name, "source_tracing"] is pd.NA
    street = df.loc["portrait.png"]
    assert isinstance(street["abnormalities"], str)  # images get a structured report
    intel = case.intelligence().set_index("name")
    _check(case.intelligence(), INTELLIGENCE_COLUMNS)
    assert set(intel.index) == set(MEDIA)
    assert intel.loc["portrait.png", "structured"]
    assert intel.loc["portrait.png", "scene_description"]
    assert not intel.loc["speech.wav", "structured"]
    assert intel.loc["speech.wav", "summary"].startswith("Sandbox audio analysis")


def test_heatmap_bytes_are_kept_and_no_url_or_data_uri_in_plain_columns(
    analysed: tuple[Case, Client, Sandbox],
) -> None:
    case = analysed[0]
    job = case.ledger.jobs_for_item(case.item_key("portrait.png"))[-1]
    arts = {a.name: a for a in case.ledger.artifacts_for(job.id)}
    assert {"image_heatmap", "ifl_heatmap"} <= set(arts)
    assert arts["ifl_heatmap"].mime == "image/png"
    assert arts["ifl_heatmap"].data.startswith(b"\x89PNG")
    conn = sqlite3.connect(case.ledger.path)
    for table in ("results", "analyses", "questions", "feedback"):
        for row in conn.execute(f"SELECT * FROM {table}"):
            for value in row:
                if isinstance(value, str):
                    assert not re.search(r"base64,[A-Za-z0-9+/=]{8}", value), table
                    assert not re.search(r"https?://[^\"]*\?(?!\[redacted\])", value), table
    conn.close()


def test_ask_waits_politely_and_records_everything(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sb = sandbox_factory(progress="polls:3")
    case = Case(tmp_path / "acme")
    client = _client(sb)
    case.review(SAMPLES / "speech.wav", client=client, display=False, poll_interval=FAST).wait(60)
    sleeps = Sleeps()
    answer = case.ask(
        "speech.wav", "Was the voice cloned from a public recording?", client=client,
        sleep=sleeps, asker="ana",
    )  # fmt: skip
    assert answer is not None and "voice" in answer
    assert sleeps.waits == [1.0, 2.0, 4.0, 8.0]  # processing x3, then the answer
    q = case.questions()
    _check(q, QUESTION_COLUMNS)
    row = q.iloc[0]
    assert (row["name"], row["status"], row["answer"], row["asker"]) == (
        "speech.wav", "completed", answer, "ana",
    )  # fmt: skip
    assert row["question"] == "Was the voice cloned from a public recording?"
    assert row["answered_at"] >= row["asked_at"]
    assert sb.stats()["requests"]["POST /detects/{uuid}/intelligence"] == {"202": 1}


def test_ask_gives_up_at_the_timeout_and_a_refresh_finishes_it(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sb = sandbox_factory(progress="polls:3")
    case = Case(tmp_path / "acme")
    client = _client(sb)
    case.review(SAMPLES / "speech.wav", client=client, display=False, poll_interval=FAST).wait(60)
    ticks = iter(float(t) for t in range(0, 10_000, 5))
    sha = case.item_key("speech.wav")
    record = ask_question(
        case.ledger, sha, "Language?", client, asker="ana", timeout=12,
        sleep=Sleeps(), clock=lambda: next(ticks),
    )  # fmt: skip
    assert record.status == "processing" and record.answer is None
    from resemble_nb.case._ask import refresh_question

    for _ in range(3):
        record = refresh_question(case.ledger, record, client)
    assert record.status == "completed" and "English" in (record.answer or "")
    assert case.questions()["status"].tolist() == ["completed"]


def test_ask_before_a_result_or_with_a_failed_answer(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    sb = sandbox_factory(answers="fail")
    case = Case(tmp_path / "acme")
    client = _client(sb)
    with pytest.raises(KeyError):
        case.ask("speech.wav", "Cloned?", client=client)
    case.review(SAMPLES / "speech.wav", client=client, display=False, poll_interval=FAST).wait(60)
    assert case.ask("speech.wav", "Cloned?", client=client, sleep=Sleeps()) is None
    row = case.questions().iloc[0]
    assert row["status"] == "failed" and row["error"]
    with pytest.raises(ValueError, match="empty"):
        case.ask("speech.wav", "  ", client=client)
    damaged = Case(tmp_path / "bad")
    damaged.review(SAMPLES / "damaged.wav", client=client, display=False, poll_interval=FAST).wait(
        60
    )
    with pytest.raises(LedgerError, match="no completed detect"):
        damaged.ask("damaged.wav", "Why?", client=client)


def _server_feedback(sb: Sandbox, detect_uuid: str) -> str | None:
    with httpx.Client(
        base_url=sb.base_url, headers={"Authorization": f"Bearer {sb.api_key}"}
    ) as api:
        item = api.get(f"/detect/{detect_uuid}/feedback").json()["item"]
    return None if item is None else str(item["type"])


def test_feedback_is_sent_once_and_changes_are_never_silent(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    case = Case(tmp_path / "acme")
    client = _client(sandbox)
    paths = [SAMPLES / "speech.wav", SAMPLES / "street.jpg", SAMPLES / "portrait.png"]
    case.review(paths, client=client, display=False, poll_interval=FAST).wait(60)
    df = case.results().set_index("name")
    uuid = {name: df.loc[name, "detect_uuid"] for name in df.index}
    case.decide("speech.wav", "confirmed_fake")
    case.decide("street.jpg", "confirmed_real")
    case.decide("portrait.png", "needs_escalation")
    assert _server_feedback(sandbox, uuid["speech.wav"]) is None  # opt-in: nothing yet

    def expected(verdict: str, label: str) -> str:
        fake = label in ("fake", "likely_fake")
        real = label in ("real", "likely_real")
        if verdict == "confirmed_fake":
            return "correct" if fake else "should_be_ai_generated"
        return "correct" if real else "should_be_authentic"

    dry = case.send_feedback(client=client, dry_run=True).set_index("name")
    assert dry.loc["speech.wav", "outcome"] == "would_send"
    assert case.feedback().empty

    first = case.send_feedback(client=client).set_index("name")
    speech_type = expected("confirmed_fake", df.loc["speech.wav", "label"])
    street_type = expected("confirmed_real", df.loc["street.jpg", "label"])
    assert first.loc["speech.wav", ["type", "outcome"]].tolist() == [speech_type, "sent"]
    assert first.loc["street.jpg", ["type", "outcome"]].tolist() == [street_type, "sent"]
    assert first.loc["portrait.png", "outcome"] == "not_mapped"
    assert _server_feedback(sandbox, uuid["speech.wav"]) == speech_type
    assert _server_feedback(sandbox, uuid["portrait.png"]) is None
    log = case.feedback()
    _check(log, FEEDBACK_COLUMNS)
    assert sorted(log["name"]) == ["speech.wav", "street.jpg"]

    again = case.send_feedback(client=client).set_index("name")
    assert set(again["outcome"]) == {"already_sent", "not_mapped"}
    posts = sandbox.stats()["requests"]["POST /detect/{uuid}/feedback"]
    assert posts == {"200": 2}  # exactly once each

    case.decide("speech.wav", "confirmed_real", note="second listen")
    changed = case.send_feedback(client=client).set_index("name")
    assert changed.loc["speech.wav", "outcome"] == "changed"
    assert "update=True" in changed.loc["speech.wav", "detail"]
    assert _server_feedback(sandbox, uuid["speech.wav"]) == speech_type  # untouched
    new_type = expected("confirmed_real", df.loc["speech.wav", "label"])
    updated = case.send_feedback(client=client, update=True).set_index("name")
    if new_type == speech_type:
        assert updated.loc["speech.wav", "outcome"] == "already_sent"
    else:
        assert updated.loc["speech.wav", "outcome"] == "updated"
        assert _server_feedback(sandbox, uuid["speech.wav"]) == new_type

    case.decide("street.jpg", "inconclusive")
    withdrawn = case.send_feedback(client=client).set_index("name")
    assert withdrawn.loc["street.jpg", "outcome"] == "changed"
    withdrawn = case.send_feedback(client=client, update=True).set_index("name")
    assert withdrawn.loc["street.jpg", "outcome"] == "updated"
    assert _server_feedback(sandbox, uuid["street.jpg"]) is None
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        case.ledger._conn().execute("DELETE FROM feedback")


def test_stored_result_keeps_no_signed_url_and_no_inline_data() -> None:
    from resemble_nb.api import Detection
    from resemble_nb.engine._harvest import result_of

    signed = "https://cdn.example.invalid/h.png?X-Amz-Signature=cafe1234&X-Amz-Expires=900"
    det = Detection.from_json(
        {
            "uuid": "d1", "status": "completed", "media_type": "image",
            "url": "https://media.example.invalid/a.jpg?sig=secret123",
            "image_metrics": {
                "type": "FinalResult", "label": "Fake", "score": 0.9, "image": signed,
                "ifl": {"score": 0.8, "heatmap": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUg=="},
            },
        }
    )  # fmt: skip
    record, _ = result_of(det, {})
    text = str(record.raw)
    assert "cafe1234" not in text and "secret123" not in text and "iVBORw0K" not in text
    assert "X-Amz" not in repr(record)
    assert record.analysis is not None and record.analysis.heatmap
    assert [a.name for a in record.analysis.artifacts] == ["ifl_heatmap"]  # the URL is not kept


def test_report_shows_the_analyses_of_flagged_items_and_says_how(
    analysed: tuple[Case, Client, Sandbox], tmp_path: Path
) -> None:
    case, client, _sb = analysed
    case.decide("portrait.png", "needs_escalation")  # flagged whatever its score
    case.ask("portrait.png", "Is the lighting consistent?", client=client, sleep=Sleeps())
    html = case.report(tmp_path / "r.html").read_text()
    section = html[html.index('id="flagged"') : html.index('id="custody"')]
    assert "What Resemble&#39;s analyses found" in section or "What Resemble's" in section
    assert "Intelligence:" in section and "Reverse image search" in section
    assert "Is the lighting consistent?" in section and "Sandbox answer:" in section
    heatmaps = re.findall(r'<img src="(data:image/png;base64,[^"]+)"', section)
    assert heatmaps and len(heatmaps) == len(set(heatmaps))  # each embedded once
    method = html[html.index('id="method"') :]
    assert "Intelligence: a multimodal model" in method
    assert "Heatmaps:" in method and "Questions:" in method
    assert "/_sandbox/media/" not in html


def test_other_options_are_a_new_analysis_only_where_they_apply(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    from resemble_nb.api import DetectOptions
    from resemble_nb.ledger import JobSpec, ResultRecord
    from resemble_nb.media import scan

    case = Case(tmp_path / "acme")
    client = _client(sandbox)
    speech, street = SAMPLES / "speech.wav", SAMPLES / "street.jpg"

    def review(*paths: Path, **options: object) -> None:
        run = case.review(list(paths), client=client, display=False, poll_interval=FAST, **options)
        run.wait(60)

    def detects() -> dict[str, int]:
        names = case.ledger.item_names()
        per_sha = sandbox.stats()["detects_per_sha256"]
        return {names[sha]: n for sha, n in per_sha.items() if sha in names}

    review(speech, street, intelligence=True)
    assert detects() == {"speech.wav": 1, "street.jpg": 1}
    review(speech, street, intelligence=True, use_reverse_search=True)  # images only
    assert detects() == {"speech.wav": 1, "street.jpg": 2}
    review(speech, street, intelligence=True, use_reverse_search=True, face_only=True)
    assert detects() == {"speech.wav": 1, "street.jpg": 2}  # face_only: videos only
    review(speech, street, intelligence=True, use_reverse_search=True, use_ood_detector=True)
    assert detects() == {"speech.wav": 2, "street.jpg": 2}  # the OOD detector: audio
    df = case.results().set_index("name")
    assert df.loc["street.jpg", "reverse_hits"] is not pd.NA

    # a case recorded before keys were per media type keeps its jobs: nothing sent again
    older = Case(tmp_path / "older")
    voice = tmp_path / "voicemail.mp3"
    voice.write_bytes((SAMPLES / "voicemail.mp3").read_bytes())
    item = scan([voice]).items[0]
    older.ledger.add_items([item])
    legacy = DetectOptions.build(intelligence=True, use_reverse_search=True).analysis().key
    (job_id,) = older.ledger.create_jobs([JobSpec(item.sha256, legacy, "single", "sandbox", {})])
    older.ledger.mark_submitting(job_id, {job_id: voice.name})
    older.ledger.mark_submitted(job_id, detect_uuid="made-before")
    older.ledger.mark_completed(job_id, ResultRecord(label="real", score=0.1, raw={}))
    before = sum(sandbox.stats()["detects_per_sha256"].values())
    run = older.review(
        [voice], client=client, display=False, poll_interval=FAST, intelligence=True,
        use_reverse_search=True,
    )  # fmt: skip
    run.wait(60)
    assert sum(sandbox.stats()["detects_per_sha256"].values()) == before
    assert older.results()["status"].tolist() == ["completed"]


def test_lagging_and_failed_analyses_reach_the_frames_and_the_panel(
    tmp_path: Path, sandbox_factory: Callable[..., Sandbox]
) -> None:
    """Intelligence that finishes after the detect is still shown; a failed intelligence or
    watermark analysis says so (NA text, ``failed`` states), never a made-up result."""
    from resemble_nb.report._analysis_view import item_html

    lagging = sandbox_factory(intelligence_lag="polls:3", watermark_lag="polls:2")
    case = Case(tmp_path / "lag")
    client = _client(lagging)
    paths = [SAMPLES / "speech.wav", SAMPLES / "street.jpg"]
    run = case.review(
        paths, client=client, display=False, poll_interval=FAST, intelligence=True,
        detect_watermark=True,
    )  # fmt: skip
    run.wait(60)
    df = case.results().set_index("name")
    assert df["intelligence"].notna().all()
    assert set(df["watermark"].astype(str)) <= {"found", "not_found"}
    assert set(case.intelligence()["status"]) == {"completed"}

    failing = sandbox_factory(intelligence_fail=1.0, watermark_fail=1.0)
    bad = Case(tmp_path / "fail")
    run = bad.review(
        paths, client=_client(failing), display=False, poll_interval=FAST, intelligence=True,
        detect_watermark=True,
    )  # fmt: skip
    run.wait(60)
    df = bad.results().set_index("name")
    assert (df["status"] == "completed").all()  # a failed analysis does not fail the item
    assert df["intelligence"].isna().all()
    assert (df["watermark"] == "failed").all()
    intel = bad.intelligence()
    assert set(intel["status"]) == {"failed"} and intel["summary"].isna().all()
    html = item_html(bad.ledger, bad.item_key("street.jpg"))
    assert "intelligence failed" in html and "watermark: failed" in html
