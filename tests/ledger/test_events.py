"""The event chain: every change that matters becomes a sealed, hash-linked event."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from resemble_nb.ledger import GENESIS, MIGRATIONS, Ledger, ResultRecord, event_hash

from .conftest import make_item, spec


def _kinds(ledger: Ledger) -> list[str]:
    """The chain's kinds, without the case's metadata (its name, when it was made)."""
    return [event.kind for event in ledger.events() if event.kind != "case_meta"]


def _chain_holds(ledger: Ledger) -> bool:
    prev = GENESIS
    for event in ledger.events():
        if event.prev != prev or event.hash != event_hash(
            event.seq, prev, event.kind, event.subject, event.at, event.payload,
            event.reconstructed,
        ):  # fmt: skip
            return False
        prev = event.hash
    return True


def test_a_new_case_starts_its_chain(ledger: Ledger) -> None:
    first, *meta = ledger.events()
    assert first.kind == "case_created" and first.prev == GENESIS and not first.reconstructed
    assert {e.kind for e in meta} == {"case_meta"}  # its metadata is chained too
    assert {e.facts["key"] for e in meta} == {"app", "created_at"}
    assert ledger.chain_head() == meta[-1]


def test_each_step_of_a_review_is_an_event_in_order(ledger: Ledger) -> None:
    item = make_item(1)
    ledger.add_items([item])
    job, _ = ledger.ensure_job(spec(item))
    ledger.mark_submitting(job.id)
    ledger.mark_submitted(job.id, detect_uuid="det-1")
    ledger.mark_completed(job.id, ResultRecord(label="fake", score=0.9, raw={"uuid": "det-1"}))
    decision = ledger.decide(item.sha256, "confirmed_fake", "clone", reviewer="ana")
    assert _kinds(ledger) == [
        "case_created", "item_added", "file_seen", "job_created",
        "job_state", "job_state", "job_state", "result_stored", "decision",
    ]  # fmt: skip
    assert _chain_holds(ledger)
    states = [(e.facts["from"], e.facts["to"]) for e in ledger.events(kind="job_state")]
    assert states == [("pending", "submitting"), ("submitting", "submitted"),
                      ("submitted", "completed")]  # fmt: skip
    (stored,) = ledger.events(kind="result_stored")
    raw = ledger._conn().execute("SELECT raw_json FROM results").fetchone()[0]
    assert stored.facts["raw_sha256"] == hashlib.sha256(raw.encode()).hexdigest()
    assert stored.facts["score"] == 0.9 and stored.subject == item.sha256
    event = ledger.decision_event(decision.id)
    assert event is not None and event.facts["reviewer"] == "ana"
    assert event.facts["note"] == "clone" and event.subject == item.sha256


def test_explicit_events_join_the_chain(ledger: Ledger) -> None:
    event = ledger.record_event("report_written", {"name": "r.html", "sha256": "ab" * 32})
    assert event.hash is not None and ledger.chain_head() == event
    assert event.facts == {"name": "r.html", "sha256": "ab" * 32}
    assert _chain_holds(ledger)


def test_a_sealed_event_cannot_be_changed_or_removed(ledger: Ledger) -> None:
    conn = ledger._conn()
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE events SET kind = 'x' WHERE seq = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM events")


def test_an_older_ledger_gains_the_chain_with_its_history_reconstructed(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = case / "ledger.sqlite"
    chain_step = max(n for n, step in MIGRATIONS.items() if step.__name__ == "_v_custody")
    older = {n: step for n, step in MIGRATIONS.items() if n < chain_step}
    monkeypatch.setattr("resemble_nb.ledger.sqlite._schema.MIGRATIONS", older)
    with Ledger(path) as ledger:  # written by a resemble_nb without the chain
        item = make_item(1)
        ledger.add_items([item])
        ledger.decide(item.sha256, "inconclusive", "before the chain")
    monkeypatch.undo()
    with Ledger(path) as ledger:
        events = ledger.events(reconstructed=True)
        assert [e.kind for e in events] == ["case_created", "item_added", "file_seen",
                                            "decision"]  # fmt: skip
        assert ledger.events()[: len(events)] == events  # the rebuilt history comes first
        assert {e.kind for e in ledger.events(reconstructed=False)} == {"case_meta"}
        assert events[-1].facts["note"] == "before the chain"
        assert _chain_holds(ledger)
        ledger.decide(item.sha256, "confirmed_real")  # new events follow, not reconstructed
        assert not ledger.events()[-1].reconstructed and _chain_holds(ledger)


def test_a_decision_finds_its_event_through_an_index_also_in_an_older_file(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A click's lookup never scans the chain (issue 24): migration 8 adds the index to a
    file written before it, and the decision's event is found through it."""
    path = case / "ledger.sqlite"
    step = max(n for n, s in MIGRATIONS.items() if s.__name__ == "_v_decision_index")
    monkeypatch.setattr(
        "resemble_nb.ledger.sqlite._schema.MIGRATIONS",
        {n: s for n, s in MIGRATIONS.items() if n < step},
    )
    with Ledger(path) as ledger:  # written by a resemble_nb without the index
        item = make_item(1)
        ledger.add_items([item])
        before = ledger.decide(item.sha256, "inconclusive", "before the index")
    monkeypatch.undo()
    with Ledger(path) as ledger:
        after = ledger.decide(item.sha256, "confirmed_fake", "after")
        for decision in (before, after):
            event = ledger.decision_event(decision.id)
            assert event is not None and event.facts["note"] == decision.note
        assert ledger.decision_event(after.id + 99) is None
        plan = " ".join(
            str(row[-1])
            for row in ledger._conn().execute(
                "EXPLAIN QUERY PLAN SELECT seq FROM events WHERE kind = 'decision' "
                "AND json_extract(payload, '$.decision_id') = 1 ORDER BY seq LIMIT 1"
            )
        )
        assert "USING INDEX events_decision" in plan, plan
