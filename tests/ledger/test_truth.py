"""Ground-truth labels and chosen thresholds: append-only, and old ledgers gain them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from resemble_nb.ledger import MIGRATIONS, Ledger, LedgerError

from .conftest import make_item


def test_labels_are_appended_and_the_latest_counts(ledger: Ledger) -> None:
    item = make_item(1)
    ledger.add_items([item])
    ledger.add_truth_labels([(item.sha256, "real", "a.csv line 2")], imported_by="ana")
    ledger.add_truth_labels([(item.sha256, "fake", "b.csv line 2")], imported_by="ben")
    assert [lab.truth for lab in ledger.truth_labels()] == ["real", "fake"]
    assert ledger.current_truth()[item.sha256].source == "b.csv line 2"
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        ledger._conn().execute("DELETE FROM truth_labels")


def test_labels_for_unknown_items_or_other_truths_store_nothing(ledger: Ledger) -> None:
    item = make_item(2)
    ledger.add_items([item])
    with pytest.raises(LedgerError, match="labels not stored"):
        ledger.add_truth_labels([(item.sha256, "real", "x"), ("f" * 64, "fake", "y")])
    with pytest.raises(ValueError, match="'real' or 'fake'"):
        ledger.add_truth_labels([(item.sha256, "maybe", "x")])  # type: ignore[list-item]
    assert ledger.truth_labels() == []


def test_threshold_choices_keep_their_evidence(ledger: Ledger) -> None:
    first = ledger.choose_threshold(0.6, "manual", {"n_real": 3}, "first", chosen_by="ana")
    ledger.choose_threshold(0.8, "target_fpr", {"target_fpr": 0.01}, chosen_by="ben")
    assert first.evidence == {"n_real": 3} and first.chosen_by == "ana"
    assert [c.threshold for c in ledger.threshold_choices()] == [0.6, 0.8]
    with pytest.raises(ValueError, match="between 0 and 1"):
        ledger.choose_threshold(1.5, "manual")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        ledger._conn().execute("UPDATE thresholds SET threshold = 0.1")


def test_a_version_1_ledger_gains_the_tables_when_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "case.db"
    monkeypatch.setattr("resemble_nb.ledger.sqlite._schema.MIGRATIONS", {1: MIGRATIONS[1]})
    with Ledger(path) as opened:  # written by a resemble_nb that knew only version 1
        opened.add_items([make_item(3)])
    monkeypatch.undo()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1
    with Ledger(path) as reopened:
        assert reopened.schema_version == max(MIGRATIONS)
        assert reopened.truth_labels() == [] and reopened.threshold_choices() == []
        assert len(reopened.items()) == 1
