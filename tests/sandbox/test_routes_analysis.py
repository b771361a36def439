"""Questions, intelligence reports, feedback and audio source tracings over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from resemble_nb.sandbox import Sandbox

from .helpers import detect_file

# -- questions about a detect (plural /detects path) ------------------------------------------


def test_question_is_accepted_202_pending_then_answered(api: httpx.Client, media_dir: Path) -> None:
    detect = detect_file(api, media_dir / "speech.wav")
    r = api.post(f"/detects/{detect['uuid']}/intelligence", json={"query": "Was it cloned?"})
    assert r.status_code == 202
    q = r.json()["item"]
    assert set(q) == {
        "uuid", "detect_uuid", "query", "answer", "status", "error_message",
        "created_at", "updated_at",
    }  # fmt: skip
    assert (q["status"], q["answer"], q["error_message"]) == ("pending", None, None)
    assert q["detect_uuid"] == detect["uuid"] and q["query"] == "Was it cloned?"
    got = api.get(f"/detects/{detect['uuid']}/intelligence/{q['uuid']}").json()["item"]
    assert got["status"] == "completed"
    assert "voice" in got["answer"] and got["answer"].startswith("Sandbox answer:")
    # the same content and question always get the same answer
    again = api.post(f"/detects/{detect['uuid']}/intelligence", json={"query": "Was it cloned?"})
    uuid2 = again.json()["item"]["uuid"]
    got2 = api.get(f"/detects/{detect['uuid']}/intelligence/{uuid2}").json()["item"]
    assert got2["answer"] == got["answer"] and uuid2 != q["uuid"]


def test_question_walks_pending_processing_completed_in_polls_mode(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    media_dir: Path,
) -> None:
    api = client_for(sandbox_factory(progress="polls:2"))
    detect = detect_file(api, media_dir / "speech.wav")
    for _ in range(2):
        api.get(f"/detect/{detect['uuid']}")
    q = api.post(f"/detects/{detect['uuid']}/intelligence", json={"query": "Language?"})
    path = f"/detects/{detect['uuid']}/intelligence/{q.json()['item']['uuid']}"
    seen = [api.get(path).json()["item"]["status"] for _ in range(4)]
    assert seen == ["processing", "processing", "completed", "completed"]
    assert "English" in api.get(path).json()["item"]["answer"]


def test_question_before_completion_is_422_and_bad_queries_400(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    media_dir: Path,
) -> None:
    api = client_for(sandbox_factory(progress="polls:5"))
    detect = detect_file(api, media_dir / "speech.wav")
    r = api.post(f"/detects/{detect['uuid']}/intelligence", json={"query": "Cloned?"})
    assert r.status_code == 422
    assert r.json() == {
        "success": False,
        "message": "Detection must be completed before asking questions",
    }
    r = api.post(f"/detects/{detect['uuid']}/intelligence", json={"query": "  "})
    assert (r.status_code, r.json()["message"]) == (400, "query is required")
    r = api.post("/detects/nope/intelligence", json={"query": "x"})
    assert (r.status_code, r.json()["message"]) == (404, "Detect not found")


def test_failed_detect_cannot_be_asked_about(api: httpx.Client, media_dir: Path) -> None:
    detect = detect_file(api, media_dir / "damaged.wav")
    assert api.get(f"/detect/{detect['uuid']}").json()["item"]["status"] == "failed"
    r = api.post(f"/detects/{detect['uuid']}/intelligence", json={"query": "Why?"})
    assert r.status_code == 422


def test_answers_can_be_set_to_fail(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    media_dir: Path,
) -> None:
    api = client_for(sandbox_factory(answers="fail"))
    detect = detect_file(api, media_dir / "speech.wav")
    q = api.post(f"/detects/{detect['uuid']}/intelligence", json={"query": "Cloned?"})
    got = api.get(f"/detects/{detect['uuid']}/intelligence/{q.json()['item']['uuid']}")
    body = got.json()
    assert body["success"] is True  # a failed answer is still a successful read
    assert body["item"]["status"] == "failed" and body["item"]["answer"] is None
    assert body["item"]["error_message"]


def test_questions_are_private_to_the_team_and_the_detect(
    api: httpx.Client, api_b: httpx.Client, media_dir: Path
) -> None:
    a = detect_file(api, media_dir / "speech.wav")
    other = detect_file(api, media_dir / "tone.wav")
    q = api.post(f"/detects/{a['uuid']}/intelligence", json={"query": "Cloned?"}).json()["item"]
    assert api_b.get(f"/detects/{a['uuid']}/intelligence/{q['uuid']}").status_code == 404
    r = api.get(f"/detects/{other['uuid']}/intelligence/{q['uuid']}")
    assert (r.status_code, r.json()["message"]) == (404, "Question not found")


# -- intelligence reports -------------------------------------------------------------------


def test_intelligences_list_holds_detect_and_standalone_reports(
    api: httpx.Client, api_b: httpx.Client, media_dir: Path
) -> None:
    detect = detect_file(api, media_dir / "speech.wav", intelligence=True)
    item = api.get(f"/detect/{detect['uuid']}").json()["item"]
    report_uuid = item["intelligence"]["uuid"]
    standalone = api.post("/intelligence", json={"url": "https://example.com/a.jpg"}).json()
    page = api.get("/intelligences", params={"page": 1, "page_size": 10}).json()
    assert page["total_count"] == 2 and page["num_pages"] == 1 and page["page"] == 1
    uuids = {i["uuid"] for i in page["items"]}
    assert uuids == {report_uuid, standalone["item"]["uuid"]}
    got = api.get(f"/intelligences/{report_uuid}").json()["item"]
    assert got["detect_uuid"] == detect["uuid"] and got["media_type"] == "audio"
    assert api_b.get("/intelligences", params={"page": 1}).json()["total_count"] == 0
    assert api_b.get(f"/intelligences/{report_uuid}").status_code == 404
    assert api.get("/intelligences").status_code == 400  # page is required


# -- feedback -------------------------------------------------------------------------------


def test_feedback_round_trip(api: httpx.Client, media_dir: Path) -> None:
    detect = detect_file(api, media_dir / "speech.wav")
    path = f"/detect/{detect['uuid']}/feedback"
    assert api.get(path).json() == {"success": True, "item": None}
    r = api.post(path, json={"type": "should_be_authentic", "comment": "known speaker"})
    assert r.status_code == 200
    item = r.json()["item"]
    assert item["type"] == "should_be_authentic" and item["comment"] == "known speaker"
    assert item["source"] == "api" and item["detect_uuid"] == detect["uuid"]
    assert item["verdict"] in ("ai_generated", "authentic") and 0 <= item["score"] <= 1
    assert api.get(path).json()["item"]["type"] == "should_be_authentic"
    # one feedback per user: a second one replaces the first
    api.post(path, json={"type": "correct"})
    assert api.get(path).json()["item"]["type"] == "correct"
    assert api.delete(path).json()["success"] is True
    assert api.get(path).json()["item"] is None
    assert api.delete(path).status_code == 404


def test_feedback_is_refused_before_completion_and_for_bad_types(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    media_dir: Path,
) -> None:
    api = client_for(sandbox_factory(progress="polls:5"))
    detect = detect_file(api, media_dir / "speech.wav")
    path = f"/detect/{detect['uuid']}/feedback"
    assert api.post(path, json={"type": "correct"}).status_code == 400
    r = api.post(path, json={"type": "looks_fine"})
    assert r.status_code == 400 and "should_be_ai_generated" in r.json()["message"]
    r = api.post(path, json={"type": "correct", "comment": "x" * 1001})
    assert r.status_code == 400


# -- audio source tracings ------------------------------------------------------------------


def test_source_tracings_list_and_get(
    api: httpx.Client, api_b: httpx.Client, media_dir: Path
) -> None:
    traced = detect_file(api, media_dir / "speech.wav", audio_source_tracing=True)
    detect_file(api, media_dir / "tone.wav")  # not asked: no record
    item = api.get(f"/detect/{traced['uuid']}").json()["item"]
    page = api.get("/audio_source_tracings", params={"page": 1}).json()
    assert page["total_count"] == 1
    record = page["items"][0]
    assert set(record) == {"uuid", "results", "created_at", "detect_uuid"}
    assert record["detect_uuid"] == traced["uuid"]
    label = record["results"]["label"]
    if item["metrics"]["label"] == "fake":  # inside the detect only when fake
        assert item["audio_source_tracing"]["label"] == label != "real"
    else:
        assert item["audio_source_tracing"] is None and label == "real"
    got = api.get(f"/audio_source_tracings/{record['uuid']}").json()["item"]
    assert got == record
    assert api_b.get(f"/audio_source_tracings/{record['uuid']}").status_code == 404
