"""A migrated ledger's rebuilt history is closed once, by a signed checkpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

import resemble_nb as rnb
from resemble_nb.case import Case
from resemble_nb.ledger import MIGRATIONS, Ledger

from .test_keys import make_item


def _older_case(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder.mkdir()
    chain_step = max(n for n, step in MIGRATIONS.items() if step.__name__ == "_v_custody")
    older = {n: step for n, step in MIGRATIONS.items() if n < chain_step}
    monkeypatch.setattr("resemble_nb.ledger.sqlite._schema.MIGRATIONS", older)
    with Ledger(folder / "case.db") as ledger:  # written by a resemble_nb without the chain
        ledger.add_items([make_item(1)])
        ledger.decide(make_item(1).sha256, "inconclusive", "before the chain", reviewer="ana")
    monkeypatch.undo()


def test_a_migrated_case_closes_its_rebuilt_history_with_one_signed_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _older_case(tmp_path / "old", monkeypatch)
    monkeypatch.setenv("RESEMBLE_NB_REVIEWER", "ana")
    with Case(tmp_path / "old") as case:
        (closing,) = case.ledger.events(kind="checkpoint")
        rebuilt = case.ledger.events(reconstructed=True)
        assert closing.facts == {"reason": "history_closed", "seq": rebuilt[-1].seq,
                                 "head": rebuilt[-1].hash, "reviewer": "ana"}  # fmt: skip
        assert any(s.seq == closing.seq for s in case.ledger.signatures())
        case.decide(make_item(1).sha256, "confirmed_real", reviewer="ana")
        fp = next(iter(case.ledger.signers()))
    with Case(tmp_path / "old") as case:  # opened again: closed already, not again
        assert len(case.ledger.events(kind="checkpoint")) == 1
    result = rnb.verify(tmp_path / "old", trust=[fp])
    assert result.ok, str(result)
    assert any(c.area == "history" and c.ok and "rebuilt from an older ledger" in c.detail
               for c in result.checks)  # fmt: skip


def test_a_migrated_ledger_nobody_closed_does_not_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _older_case(tmp_path / "old", monkeypatch)
    Ledger(tmp_path / "old" / "case.db").close()  # migrated without a case (and a key)
    problems = [c.detail for c in rnb.verify(tmp_path / "old").problems]
    assert any("rebuilt from an older ledger, but no signed checkpoint closes them" in p
               for p in problems), problems  # fmt: skip


def test_an_older_cases_unsigned_labels_are_vouched_for_once_and_later_ones_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "labelled"
    folder.mkdir()
    step = max(n for n, s in MIGRATIONS.items() if s.__name__ == "_v_signing_required")
    monkeypatch.setattr(
        "resemble_nb.ledger.sqlite._schema.MIGRATIONS",
        {n: s for n, s in MIGRATIONS.items() if n < step},
    )
    with Ledger(folder / "case.db") as ledger:  # an older release: labels were not signed
        ledger.add_items([make_item(1), make_item(2)])
        ledger.add_truth_labels([(make_item(1).sha256, "fake", "lab.csv")], imported_by="ana")
    monkeypatch.undo()
    monkeypatch.setenv("RESEMBLE_NB_REVIEWER", "ana")
    with Case(folder) as case:  # upgraded: the first open vouches for them, signed
        (closing,) = case.ledger.events(kind="checkpoint")
        (label,) = case.ledger.events(kind="truth_label")
        assert closing.facts["seq"] >= label.seq
        fp = next(iter(case.ledger.signers()))
    result = rnb.verify(folder, trust=[fp])
    assert result.ok, str(result)
    assert any("1 older unsigned one(s) vouched for" in c.detail for c in result.checks)
    with Ledger(folder / "case.db") as ledger:  # a label slipped in later, unsigned
        ledger.add_truth_labels([(make_item(2).sha256, "real", "late.csv")], imported_by="ana")
    problems = [c.detail for c in rnb.verify(folder, trust=[fp]).problems]
    assert any("truth label" in p and "is not signed by a key you trust" in p
               for p in problems), problems  # fmt: skip
