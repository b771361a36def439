"""Each assumption the engine relies on, checked against the service's own answers.

Run with ``RESEMBLE_API_KEY=... pytest -m live`` (see the README for what it costs).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from ._service import BATCH_TERMINAL, TERMINAL, Answer, LiveRun
from .conftest import say

pytestmark = pytest.mark.live

DETECT_STATUSES = {"processing", "completed", "failed"}
BATCH_STATUSES = {"processing", *BATCH_TERMINAL}


def _is_error_envelope(answer: Answer) -> None:
    """§6: ``{"success": false, "message" | "error" | "errors": ...}``, as JSON."""
    assert isinstance(answer.body, dict), f"{answer.what}: not JSON: {answer.body!r:.200}"
    assert answer.body.get("success") is False, f"{answer.what}: {answer.body}"
    said = [answer.body.get(k) for k in ("message", "error", "errors")]
    assert any(said), f"{answer.what}: no message, error or errors in {answer.body}"


def _item(answer: Answer) -> dict[str, Any]:
    assert answer.status < 300, f"{answer.what}: HTTP {answer.status} {answer.body!r:.300}"
    assert isinstance(answer.body, dict) and answer.body.get("success") is True
    item = answer.body.get("item")
    assert isinstance(item, dict), f"{answer.what}: no item in {answer.body!r:.300}"
    return item


def _when(value: object) -> datetime:
    assert isinstance(value, str), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# -- envelopes ----------------------------------------------------------------------------------


def test_list_envelope(live: LiveRun) -> None:
    answer = live.answers["list"]
    assert answer.status == 200, answer.body
    body = answer.body
    assert body["success"] is True
    for name in ("page", "num_pages", "page_size", "total_count"):
        assert isinstance(body[name], int), (name, body.get(name))
    assert body["page"] == 1 and isinstance(body["items"], list)
    assert len(body["items"]) <= body["page_size"]


def test_secure_upload_envelope(live: LiveRun) -> None:
    answer = live.answers["secure_upload"]
    assert answer.status == 200, answer.body
    assert answer.body["success"] is True
    assert isinstance(answer.body["token"], str) and answer.body["token"]


def test_create_answers(live: LiveRun) -> None:
    """A create answers 200 with ``item.uuid``; ``status``, when there, is documented."""
    for what in ("create_token", "create_direct"):
        item = _item(live.answers[what])
        assert isinstance(item["uuid"], str) and item["uuid"]
        assert item.get("status") in (None, *DETECT_STATUSES), (what, item.get("status"))
        assert live.answers[what].status == 200


# -- status values ------------------------------------------------------------------------------


def test_every_detect_reaches_a_documented_terminal_status(live: LiveRun) -> None:
    assert live.polls, "nothing was polled"
    for uuid, seen in live.polls.items():
        statuses = [item.get("status") for item in seen]
        assert set(statuses) <= DETECT_STATUSES, (uuid, statuses)
        assert statuses[-1] in TERMINAL, f"{uuid} still {statuses[-1]} after the time allowed"


def test_completed_audio_carries_its_metrics(live: LiveRun) -> None:
    audio = [
        seen[-1]
        for seen in live.polls.values()
        if seen[-1].get("status") == "completed" and seen[-1].get("media_type") == "audio"
    ]
    assert audio, "no audio detect completed"
    for item in audio:
        metrics = item["metrics"]
        assert metrics.get("label"), item["uuid"]
        float(metrics["aggregated_score"])  # a string or a number, parseable
        assert isinstance(metrics["score"], list) and metrics["score"]


def test_failed_detects_say_why(live: LiveRun) -> None:
    for seen in live.polls.values():
        if seen[-1].get("status") == "failed":
            assert seen[-1].get("error_message"), seen[-1]["uuid"]


# -- list fields and order ----------------------------------------------------------------------


def test_list_finds_what_was_made_by_uuid_and_file_name(live: LiveRun) -> None:
    """Reconcile looks a detect up in the list by its file name: both must be there."""
    made = {u: name for u, name in live.created.items() if name}
    where = live.find_in_list(set(made))
    assert set(where) == set(made), f"not found in the list: {sorted(set(made) - set(where))}"
    first = live.answers["list_100"].body
    items = {i["uuid"]: i for i in first["items"]}
    for uuid, name in made.items():
        if uuid in items:
            assert items[uuid]["filename"] == name
            _when(items[uuid]["created_at"])
            assert items[uuid]["status"] in DETECT_STATUSES


def test_list_order_is_reported(live: LiveRun, request: pytest.FixtureRequest) -> None:
    """Any order is within the contract; say which one this service uses."""
    older = _item(live.answers["create_token"])["uuid"]
    newer = _item(live.answers["create_direct"])["uuid"]
    where = live.find_in_list({older, newer})
    assert older in where and newer in where
    order = "newest first" if where[newer] < where[older] else "oldest first (or unordered)"
    say(request.config, f"GET /detect lists {order} here")


# -- batches ------------------------------------------------------------------------------------


def test_batch_answers_202_with_detect_uuids_matching_the_files(live: LiveRun) -> None:
    answer = live.answers["create_batch"]
    item = _item(answer)
    assert answer.status == 202, answer.status
    assert item.get("status") in BATCH_STATUSES
    assert live.batch_polls, "the batch was never read"
    last = live.batch_polls[-1]
    assert last["status"] in BATCH_TERMINAL, last["status"]
    sent = sorted(n for n in live.files if "-batch-" in n)
    uuids = last["detect_uuids"]
    assert len(uuids) == len(sent) == last["total_files"]
    # Matched by the server's file name, never by position.
    names = sorted(live.polls[u][-1]["filename"] for u in uuids)
    assert names == sent
    done = sum(live.polls[u][-1]["status"] == "completed" for u in uuids)
    assert last["completed_count"] == done
    assert last["failed_count"] == len(uuids) - done


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("what", "status"), [("error_401", 401), ("error_404", 404), ("error_400", 400)]
)
def test_error_bodies_per_status(live: LiveRun, what: str, status: int) -> None:
    answer = live.answers[what]
    assert answer.status == status, (what, answer.status, answer.body)
    _is_error_envelope(answer)


def test_a_used_token_is_refused_with_fields(live: LiveRun) -> None:
    """The engine never sends a token twice; if the service refuses one, it says so in
    the status code and the error body's fields (never decided from the wording)."""
    answer = live.answers["create_token_again"]
    if live.token_served_twice:
        pytest.skip("this service accepted a media token twice (the extra detect is deleted)")
    assert 400 <= answer.status < 500, answer.status
    _is_error_envelope(answer)


# -- clean-up -----------------------------------------------------------------------------------


def test_delete_removes_what_was_made(live: LiveRun) -> None:
    statuses = live.delete_all()
    assert statuses and all(s in (200, 204) for s in statuses.values()), statuses
    gone = next(iter(statuses))
    assert live.client.get(f"/detect/{gone}").status_code == 404
