"""The custody chain names each create and upload by the request id the server sent.

The engine's transport is wrapped to record, for every create (``POST /detect``,
``POST /detect/batch``) and upload (``POST /secure_uploads``), the ``X-Request-Id``
header as it came over HTTP from the sandbox, with the uuid the create answered; each
job's events must carry exactly those ids, and no event a token or key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

import resemble_nb as rnb
from resemble_nb.case import Case
from resemble_nb.engine._limits import LimitedTransport
from resemble_nb.sandbox import Sandbox

from .conftest import Review
from .helpers import write_wavs


@dataclass
class Heard:
    """What the sandbox answered to creates and uploads."""

    created: dict[str, str] = field(default_factory=dict)  # detect/batch uuid -> request id
    uploads: list[str] = field(default_factory=list)  # upload request ids, in order
    creates: list[str] = field(default_factory=list)  # create request ids, in order
    tokens: list[str] = field(default_factory=list, repr=False)  # to look for, never shown


@pytest.fixture
def heard(monkeypatch: pytest.MonkeyPatch) -> Heard:
    record = Heard()
    send = LimitedTransport.handle_async_request

    async def listening(self: LimitedTransport, request: httpx.Request) -> httpx.Response:
        response = await send(self, request)
        path = request.url.path.rstrip("/")
        if request.method != "POST" or response.status_code >= 300:
            return response
        request_id = response.headers["X-Request-Id"]
        if path.endswith("/secure_uploads"):
            await response.aread()
            record.tokens.append(json.loads(response.content)["token"])
            record.uploads.append(request_id)
        elif path.endswith(("/detect", "/detect/batch")):
            await response.aread()
            record.created[json.loads(response.content)["item"]["uuid"]] = request_id
            record.creates.append(request_id)
        return response

    monkeypatch.setattr(LimitedTransport, "handle_async_request", listening)
    return record


def _no_secret_in_events(case: Case, sandbox: Sandbox, heard: Heard) -> None:
    for event in case.ledger.events():
        assert sandbox.api_key not in event.payload, event.kind
        assert not any(token in event.payload for token in heard.tokens), event.kind


def test_single_creates_and_their_uploads_are_named_in_the_chain(
    tmp_path: Path, case: Case, review: Review, sandbox: Sandbox, heard: Heard
) -> None:
    write_wavs(tmp_path / "evidence", 3)
    run = review(sandbox, tmp_path / "evidence", strategy="single")
    assert run.progress.counts == {"completed": 3}
    assert len(heard.created) == len(heard.uploads) == len(heard.tokens) == 3
    submitted = [e.facts for e in case.ledger.events(kind="job_state")
                 if e.facts["to"] == "submitted"]  # fmt: skip
    assert len(submitted) == 3
    for facts in submitted:
        assert facts["request_id"] == heard.created[facts["detect_uuid"]]
        assert facts["upload_request_id"] in heard.uploads
        assert facts["batch_uuid"] is None
    # each create is named beside its own upload, and no two jobs share either
    assert len({f["upload_request_id"] for f in submitted}) == 3
    assert {f["request_id"] for f in submitted} == set(heard.creates)
    submitting = [e.facts for e in case.ledger.events(kind="job_state")
                  if e.facts["to"] == "submitting"]  # fmt: skip
    assert sorted(f["upload_request_id"] for f in submitting) == sorted(heard.uploads)
    assert all(f["request_id"] is None for f in submitting)  # the create has not answered
    for job in case.ledger.jobs_in_state("completed"):
        assert job.detect_uuid is not None and job.request_id == heard.created[job.detect_uuid]
    _no_secret_in_events(case, sandbox, heard)
    result = rnb.verify(case.folder)
    assert result.ok, str(result)


def test_a_batch_create_is_named_on_each_of_its_jobs(
    tmp_path: Path, case: Case, review: Review, sandbox: Sandbox, heard: Heard
) -> None:
    write_wavs(tmp_path / "evidence", 4)
    run = review(sandbox, tmp_path / "evidence", strategy="batch")
    assert run.progress.counts == {"completed": 4}
    assert heard.uploads == [] and len(heard.creates) == 1
    (batch_uuid,) = heard.created
    submitted = [e.facts for e in case.ledger.events(kind="job_state")
                 if e.facts["to"] == "submitted"]  # fmt: skip
    assert len(submitted) == 4
    for facts in submitted:
        assert facts["batch_uuid"] == batch_uuid
        assert facts["request_id"] == heard.created[batch_uuid]
        assert facts["upload_request_id"] is None
    assigned = case.ledger.events(kind="detect_assigned")
    assert len(assigned) == 4
    assert {e.facts["request_id"] for e in assigned} == {heard.created[batch_uuid]}
    _no_secret_in_events(case, sandbox, heard)
    result = rnb.verify(case.folder)
    assert result.ok, str(result)
