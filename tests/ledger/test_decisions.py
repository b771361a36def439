"""The triage log is append-only: by API and by the file itself."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from resemble_nb.ledger import Ledger, LedgerError, default_reviewer

from .conftest import make_item


def test_the_latest_decision_is_the_current_verdict(ticking_ledger: Ledger) -> None:
    ledger = ticking_ledger  # each change is stamped a second after the one before
    a, b = make_item(1), make_item(2)
    ledger.add_items([a, b])
    first = ledger.decide(a.sha256, "needs_escalation", "send to the fraud team", reviewer="ana")
    second = ledger.decide(a.sha256, "confirmed_fake", "voice clone confirmed", reviewer="ben")
    ledger.decide(b.sha256, "confirmed_real", reviewer="ana")
    assert second.decided_at > first.decided_at and second.decided_at.tzinfo is not None
    assert ledger.verdict_for(a.sha256) == second
    assert [d.verdict for d in ledger.decisions(a.sha256)] == ["needs_escalation", "confirmed_fake"]
    assert [d.reviewer for d in ledger.decisions()] == ["ana", "ben", "ana"]
    current = ledger.current_verdicts()
    assert {k: v.verdict for k, v in current.items()} == {
        a.sha256: "confirmed_fake",
        b.sha256: "confirmed_real",
    }
    assert ledger.verdict_for(make_item(3).sha256) is None


def test_the_reviewer_defaults_to_the_logged_in_user(ledger: Ledger) -> None:
    item = make_item(1)
    ledger.add_items([item])
    assert ledger.decide(item.sha256, "inconclusive").reviewer == default_reviewer() != ""


def test_bad_verdicts_and_unknown_items_are_refused(ledger: Ledger) -> None:
    item = make_item(1)
    ledger.add_items([item])
    with pytest.raises(ValueError, match="confirmed_fake, confirmed_real"):
        ledger.decide(item.sha256, "fake")  # type: ignore[arg-type]
    with pytest.raises(LedgerError, match="no item"):
        ledger.decide("0" * 64, "inconclusive")
    assert ledger.decisions() == []


def test_the_file_refuses_updates_and_deletes_from_any_client(ledger: Ledger, case: Path) -> None:
    item = make_item(1)
    ledger.add_items([item])
    ledger.decide(item.sha256, "confirmed_real", "original note")
    assert not hasattr(ledger, "delete_decision") and not hasattr(ledger, "update_decision")
    with sqlite3.connect(case / "ledger.sqlite") as raw:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("UPDATE decisions SET verdict = 'confirmed_fake'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("DELETE FROM decisions")
    raw.close()
    assert [(d.verdict, d.note) for d in ledger.decisions()] == [
        ("confirmed_real", "original note")
    ]
