"""Jobs keep the request ids of their create and upload, and the chain records them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from resemble_nb.ledger import MIGRATIONS, Ledger
from resemble_nb.ledger.sqlite._chain import event_triggers, seal

from .conftest import make_item, spec
from .test_events import _chain_holds

STEP = max(n for n, s in MIGRATIONS.items() if s.__name__ == "_v_request_ids")


def _states(ledger: Ledger) -> list[tuple[str, str | None, str | None]]:
    return [
        (e.facts["to"], e.facts.get("request_id"), e.facts.get("upload_request_id"))
        for e in ledger.events(kind="job_state")
    ]


def test_a_single_create_is_recorded_beside_its_upload(ledger: Ledger) -> None:
    item = make_item(1)
    ledger.add_items([item])
    job, _ = ledger.ensure_job(spec(item, strategy="single"))
    ledger.mark_uploading(job.id)
    ledger.mark_submitting(job.id, {job.id: "a.wav"}, upload_request_id="up-1")
    ledger.mark_pending(job.id, "media token refused; uploading again")
    ledger.mark_submitting(job.id, {job.id: "a.wav"}, upload_request_id="up-2")
    ledger.mark_submitted(job.id, detect_uuid="det-1", request_id="req-1")
    assert _states(ledger) == [
        ("uploading", None, None),
        ("submitting", None, "up-1"),
        ("pending", None, "up-1"),
        ("submitting", None, "up-2"),
        ("submitted", "req-1", "up-2"),
    ]
    recorded = ledger.job(job.id)
    assert (recorded.request_id, recorded.upload_request_id) == ("req-1", "up-2")
    assert _chain_holds(ledger)


def test_a_batch_create_is_recorded_on_each_job_and_each_assigned_detect(
    ledger: Ledger,
) -> None:
    items = [make_item(n) for n in (1, 2)]
    ledger.add_items(items)
    ids = [ledger.ensure_job(spec(item))[0].id for item in items]
    ledger.mark_submitting(ids)
    ledger.mark_submitted(ids, batch_uuid="bat-1", request_id="req-b")
    ledger.assign_detects({ids[0]: "det-1", ids[1]: "det-2"})
    submitted = [e.facts for e in ledger.events(kind="job_state") if e.facts["to"] == "submitted"]
    assert [(f["batch_uuid"], f["request_id"]) for f in submitted] == [("bat-1", "req-b")] * 2
    assigned = ledger.events(kind="detect_assigned")
    assert [(e.facts["detect_uuid"], e.facts["request_id"]) for e in assigned] == [
        ("det-1", "req-b"),
        ("det-2", "req-b"),
    ]
    assert _chain_holds(ledger)


def test_an_adopted_detect_has_no_request_id_and_a_new_attempt_forgets_the_old_one(
    ledger: Ledger,
) -> None:
    item = make_item(1)
    ledger.add_items([item])
    job, _ = ledger.ensure_job(spec(item))
    ledger.mark_submitting(job.id)
    ledger.mark_submitted(job.id, detect_uuid="det-1", request_id="req-1")
    ledger.mark_submitted(job.id)  # resumed: still the create's id
    assert ledger.job(job.id).request_id == "req-1"
    ledger.mark_failed(job.id, "the detect failed")
    ledger.mark_pending(job.id)
    ledger.mark_submitting(job.id)
    ledger.mark_submitted(job.id, detect_uuid="det-2")  # found after an unknown outcome
    assert ledger.job(job.id).request_id is None
    assert _states(ledger)[-1] == ("submitted", None, None)


# the jobs table's state triggers as version 6 wrote them (before the request ids)
_V6_JOB_TRIGGERS = (
    "CREATE TRIGGER events_job_state AFTER UPDATE OF state ON jobs WHEN OLD.state IS NOT "
    "NEW.state BEGIN INSERT INTO events (kind, subject, at, payload) VALUES ('job_state', "
    "NEW.sha256, NEW.updated_at, json_object('job_id', NEW.id, 'from', OLD.state, 'to', "
    "NEW.state, 'detect_uuid', NEW.detect_uuid, 'batch_uuid', NEW.batch_uuid, 'submit_name', "
    "NEW.submit_name, 'attempts', NEW.attempts, 'error', NEW.error)); END",
    "CREATE TRIGGER events_detect_assigned AFTER UPDATE OF detect_uuid, batch_uuid ON jobs "
    "WHEN (OLD.detect_uuid IS NOT NEW.detect_uuid OR OLD.batch_uuid IS NOT NEW.batch_uuid) "
    "AND OLD.state IS NEW.state BEGIN INSERT INTO events (kind, subject, at, payload) VALUES "
    "('detect_assigned', NEW.sha256, NEW.updated_at, json_object('job_id', NEW.id, "
    "'detect_uuid', NEW.detect_uuid, 'batch_uuid', NEW.batch_uuid)); END",
)


def test_a_ledger_from_the_previous_version_gains_the_columns_and_triggers(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = case / "ledger.sqlite"
    monkeypatch.setattr(
        "resemble_nb.ledger.sqlite._schema.MIGRATIONS",
        {n: s for n, s in MIGRATIONS.items() if n < STEP},
    )
    item = make_item(1)
    with Ledger(path) as ledger:  # written by a resemble_nb without request ids
        ledger.add_items([item])
        (job_id,) = ledger.create_jobs([spec(item)])
    conn = sqlite3.connect(path)  # that version's triggers, and its moves, sealed as it did
    with conn:
        for statement in _V6_JOB_TRIGGERS:
            conn.execute(f"DROP TRIGGER {statement.split()[2]}")
            conn.execute(statement)
        for state, detect in (("submitting", None), ("submitted", "det-0")):
            conn.execute(
                "UPDATE jobs SET state = ?, detect_uuid = ?, updated_at = ? WHERE id = ?",
                (state, detect, "2026-03-01T12:00:00.000000Z", job_id),
            )
        seal(conn)
    conn.close()
    monkeypatch.undo()
    with Ledger(path) as ledger:
        old = ledger.events(kind="job_state")
        assert [e.facts["to"] for e in old] == ["submitting", "submitted"]
        assert all("request_id" not in e.facts for e in old)  # older events keep their payload
        assert ledger.job(job_id).request_id is None
        assert _chain_holds(ledger)
        ledger.mark_failed(job_id, "gone")
        ledger.mark_pending(job_id)
        ledger.mark_submitting(job_id, upload_request_id="up-9")
        ledger.mark_submitted(job_id, detect_uuid="det-9", request_id="req-9")
        assert _states(ledger)[-1] == ("submitted", "req-9", "up-9")
        assert _chain_holds(ledger)
        conn = ledger._conn()
        triggers = dict(
            conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        )
    for statement in event_triggers(["jobs"]):
        name = statement.split()[2]
        assert triggers[name] == statement  # exactly today's definition


def test_a_new_ledger_has_today_s_job_triggers(ledger: Ledger) -> None:
    conn = ledger._conn()
    triggers = dict(
        conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    )
    for statement in event_triggers(["jobs"]):
        assert triggers[statement.split()[2]] == statement


def test_a_pre_chain_ledger_reconstructs_its_jobs_with_the_same_keys(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = case / "ledger.sqlite"
    chain = max(n for n, s in MIGRATIONS.items() if s.__name__ == "_v_custody")
    monkeypatch.setattr(
        "resemble_nb.ledger.sqlite._schema.MIGRATIONS",
        {n: s for n, s in MIGRATIONS.items() if n < chain},
    )
    item = make_item(1)
    with Ledger(path) as ledger:
        ledger.add_items([item])
        (job_id,) = ledger.create_jobs([spec(item)])
    monkeypatch.undo()
    with Ledger(path) as ledger:  # gains the chain, then the request ids, in one upgrade
        (state,) = ledger.events(kind="job_state")
        assert state.reconstructed and state.facts["to"] == "pending"
        assert (state.facts["request_id"], state.facts["upload_request_id"]) == (None, None)
        ledger.mark_submitting(job_id)
        ledger.mark_submitted(job_id, detect_uuid="det-1", request_id="req-1")
        assert _states(ledger)[-1] == ("submitted", "req-1", None)
        assert _chain_holds(ledger)
