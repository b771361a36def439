"""The ledger's provenance table: append-only readings, each a ``provenance_read`` event."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from resemble_nb.ledger import MIGRATIONS, Ledger
from resemble_nb.media.provenance import Provenance

from .conftest import make_item
from .test_events import _chain_holds

VALID = Provenance(
    "Valid",
    "the signer's certificate is not on a trust list here",
    "cam 1.0",
    "Still",
    "ACME (Signer)",
    None,
    "C2PA Valid, signed by ACME (Signer).",
)


def test_a_reading_is_recorded_and_chained(ledger: Ledger) -> None:
    item = make_item(1)
    ledger.add_items([item])
    assert ledger.provenance_for(item.sha256) is None
    assert ledger.add_provenance([(item.sha256, VALID, "c2pa-python 0.38.1")]) == 1
    record = ledger.provenance_for(item.sha256)
    assert record is not None
    assert (record.state, record.signer, record.title) == ("Valid", "ACME (Signer)", "Still")
    assert record.tool == "c2pa-python 0.38.1"
    event = ledger.events()[-1]
    assert (event.kind, event.subject) == ("provenance_read", item.sha256)
    assert event.facts["state"] == "Valid" and event.facts["signer"] == "ACME (Signer)"
    assert event.facts["provenance_id"] == record.id and event.at == record.read_at
    assert _chain_holds(ledger)


def test_readings_cannot_be_changed_or_removed(ledger: Ledger) -> None:
    item = make_item(1)
    ledger.add_items([item])
    ledger.add_provenance([(item.sha256, VALID, None)])
    conn = sqlite3.connect(ledger.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE provenance SET state = 'Trusted'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM provenance")
    conn.close()


def test_content_is_identity_an_item_read_before_is_not_read_again(ledger: Ledger) -> None:
    a, b, c = make_item(1), make_item(2), make_item(3)
    ledger.add_items([a, b, c])
    unavailable = Provenance("Unavailable", "c2pa-python is not installed")
    ledger.add_provenance([(a.sha256, VALID, None), (b.sha256, unavailable, None)])
    shas = [a.sha256, b.sha256, c.sha256, c.sha256]
    # without the library, only what was never read (Unavailable is recorded once)
    assert ledger.provenance_to_read(shas, available=False) == [c.sha256]
    # with it, what was Unavailable is read now; the latest reading counts
    assert ledger.provenance_to_read(shas, available=True) == [b.sha256, c.sha256]
    ledger.add_provenance([(b.sha256, VALID, None)])
    assert ledger.provenance_to_read(shas, available=True) == [c.sha256]
    record = ledger.provenance_for(b.sha256)
    assert record is not None and record.state == "Valid"


def test_an_older_case_gains_the_table_and_its_trigger(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = case / "ledger.sqlite"
    step = max(n for n, s in MIGRATIONS.items() if s.__name__ == "_v_provenance")
    older = {n: s for n, s in MIGRATIONS.items() if n < step}
    monkeypatch.setattr("resemble_nb.ledger.sqlite._schema.MIGRATIONS", older)
    item = make_item(1)
    with Ledger(path) as ledger:  # written by a resemble_nb without local provenance
        ledger.add_items([item])
    monkeypatch.undo()
    with Ledger(path) as ledger:
        assert ledger.provenance_to_read([item.sha256], available=True) == [item.sha256]
        ledger.add_provenance([(item.sha256, VALID, None)])
        assert ledger.events()[-1].kind == "provenance_read"
        assert _chain_holds(ledger)


def test_a_pre_chain_case_reconstructs_its_history_without_the_table(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = case / "ledger.sqlite"
    chain = max(n for n, s in MIGRATIONS.items() if s.__name__ == "_v_custody")
    monkeypatch.setattr(
        "resemble_nb.ledger.sqlite._schema.MIGRATIONS",
        {n: s for n, s in MIGRATIONS.items() if n < chain},
    )
    with Ledger(path) as ledger:
        ledger.add_items([make_item(1)])
    monkeypatch.undo()
    with Ledger(path) as ledger:
        kinds = [e.kind for e in ledger.events() if e.kind != "case_meta"]
        assert kinds == ["case_created", "item_added", "file_seen"]
        assert _chain_holds(ledger)
