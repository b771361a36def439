"""The ledger behaves the same in a SQLite file and in a PostgreSQL case.

Each test runs against both stores: a real SQLite file and a real, throw-away PostgreSQL
server (see ``conftest.py``; skipped loudly where none can be started).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from resemble_nb.ledger import GENESIS, Ledger, LedgerError, ResultRecord, event_hash

from ..conftest import make_item, spec


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the case lives: a SQLite file, or a PostgreSQL case URL."""
    if request.param == "sqlite":
        return str(tmp_path / "case.db")
    return str(request.getfixturevalue("pg_case"))


@pytest.fixture
def ledger(store: str, tmp_path: Path) -> Iterator[Ledger]:
    with Ledger(store, folder=tmp_path) as opened:
        yield opened


def chain_holds(ledger: Ledger) -> bool:
    prev, seqs = GENESIS, []
    for event in ledger.events():
        if event.prev != prev or event.hash != event_hash(
            event.seq, prev, event.kind, event.subject, event.at, event.payload,
            event.reconstructed,
        ):  # fmt: skip
            return False
        prev, seqs = event.hash, [*seqs, event.seq]
    return seqs == list(range(1, len(seqs) + 1))  # numbered without a gap


def test_a_new_case_starts_its_chain(ledger: Ledger) -> None:
    first, *meta = ledger.events()
    assert first.kind == "case_created" and first.prev == GENESIS
    assert {e.facts["key"] for e in meta} == {"app", "created_at"}
    assert ledger.chain_head() == meta[-1] and chain_holds(ledger)


def test_items_and_their_paths(ledger: Ledger, tmp_path: Path) -> None:
    a, b = make_item(1), make_item(2)
    again = dataclasses.replace(a, paths=(tmp_path / "copy.wav",))  # same bytes, in the case
    assert ledger.add_items([a, b]) == 2
    assert ledger.add_items([again]) == 0
    assert [i.sha256 for i in ledger.items()] == [a.sha256, b.sha256]
    assert ledger.item_names() == {a.sha256: "file1.mp4", b.sha256: "file2.png"}
    assert ledger.items_named("copy.wav") == [a.sha256]
    rows = ledger.results_columns()
    assert list(rows["sha256"]) == [a.sha256, b.sha256]
    assert rows["paths"][0].split("\n") == [str(a.paths[0]), str(tmp_path / "copy.wav")]
    assert ledger.item(a.sha256).size == a.size  # type: ignore[union-attr]


def test_jobs_one_in_flight_and_checked_moves(ledger: Ledger) -> None:
    item = make_item(1)
    ledger.add_items([item])
    job, created = ledger.ensure_job(spec(item))
    again, created_again = ledger.ensure_job(spec(item, strategy="single"))
    assert created and not created_again and again.id == job.id
    ledger.mark_submitting(job.id)
    ledger.mark_submitted(job.id, detect_uuid="det-1")
    ledger.mark_completed(job.id, ResultRecord(label="fake", score=0.9, raw={"uuid": "det-1"}))
    assert ledger.job(job.id).state == "completed"  # type: ignore[union-attr]
    fresh, forced = ledger.ensure_job(spec(item), force=True)
    assert forced and fresh.id > job.id
    with pytest.raises(LedgerError, match="in flight"):  # never two live jobs: no double bill
        ledger.create_jobs([spec(item)])
    assert [j.id for j in ledger.jobs_for_item(item.sha256)] == [job.id, fresh.id]
    assert ledger.result_for(job.id).score == 0.9  # type: ignore[union-attr]


def test_decisions_are_append_only_in_the_database(ledger: Ledger) -> None:
    item = make_item(1)
    ledger.add_items([item])
    first = ledger.decide(item.sha256, "needs_escalation", "send on", reviewer="ana")
    second = ledger.decide(item.sha256, "confirmed_fake", "clone", reviewer="ben")
    assert ledger.verdict_for(item.sha256) == second
    assert [d.id for d in ledger.decisions()] == [first.id, second.id]
    with pytest.raises(LedgerError, match="no item"):
        ledger.decide("0" * 64, "inconclusive")
    error = ledger._store.integrity_error
    with pytest.raises(error, match="append-only"), ledger._write() as conn:
        conn.execute("UPDATE decisions SET verdict = 'confirmed_real'")
    with pytest.raises(error, match="append-only"), ledger._write() as conn:
        conn.execute("DELETE FROM events")
    assert ledger.verdict_for(item.sha256) == second


def test_each_step_of_a_review_is_chained(ledger: Ledger) -> None:
    item = make_item(1)
    ledger.add_items([item])
    job, _ = ledger.ensure_job(spec(item))
    ledger.mark_submitting(job.id)
    ledger.mark_submitted(job.id, detect_uuid="det-1")
    ledger.mark_completed(job.id, ResultRecord(label="fake", score=0.9, raw={"uuid": "det-1"}))
    decision = ledger.decide(item.sha256, "confirmed_fake", "clone", reviewer="ana")
    kinds = [e.kind for e in ledger.events() if e.kind != "case_meta"]
    assert kinds == [
        "case_created", "item_added", "file_seen", "job_created",
        "job_state", "job_state", "job_state", "result_stored", "decision",
    ]  # fmt: skip
    states = [(e.facts["from"], e.facts["to"]) for e in ledger.events(kind="job_state")]
    assert states == [("pending", "submitting"), ("submitting", "submitted"),
                      ("submitted", "completed")]  # fmt: skip
    (stored,) = ledger.events(kind="result_stored")
    raw = ledger._conn().execute("SELECT raw_json FROM results").fetchone()[0]
    assert stored.facts["raw_sha256"] == hashlib.sha256(raw.encode()).hexdigest()
    event = ledger.decision_event(decision.id)
    assert event is not None and event.facts["reviewer"] == "ana"
    assert json.loads(event.payload)["decision_id"] == decision.id
    recorded = ledger.record_event("report_written", {"name": "r.html"})
    assert ledger.chain_head() == recorded and chain_holds(ledger)


def test_a_failed_write_leaves_nothing(ledger: Ledger) -> None:
    item = make_item(1)
    ledger.add_items([item])
    before = ledger.chain_head()
    with pytest.raises(RuntimeError), ledger.transaction():
        ledger.decide(item.sha256, "inconclusive", reviewer="ana")
        raise RuntimeError("midway")
    assert ledger.decisions() == [] and ledger.chain_head() == before
    ledger.decide(item.sha256, "inconclusive", reviewer="ana")
    assert chain_holds(ledger)  # the next event takes the next number: no gap


def test_a_snapshot_reads_one_commit_and_refuses_writes(ledger: Ledger, store: str) -> None:
    item = make_item(1)
    ledger.add_items([item])
    with Ledger(store, folder=Path(ledger.folder)) as other:
        with ledger.snapshot():
            before = len(ledger.events())
            other.decide(item.sha256, "inconclusive", reviewer="ben")  # another writer commits
            assert len(ledger.events()) == before  # unseen inside the snapshot
            with pytest.raises(RuntimeError, match="snapshot"):
                ledger.decide(item.sha256, "inconclusive", reviewer="ana")
        assert len(ledger.events()) == before + 1
