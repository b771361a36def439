"""A PostgreSQL case exports to a case folder that verifies, and a folder imports back."""

from __future__ import annotations

from pathlib import Path

import pytest

from resemble_nb.cli._main import main
from resemble_nb.custody import verify
from resemble_nb.custody._sign import case_signer
from resemble_nb.ledger import Ledger, ResultRecord

from ..conftest import make_item, spec
from .test_both_stores import chain_holds


def _decided_case(url: str, folder: Path, keys: Path) -> list[str]:
    """A case with a result and two signed decisions; the items' hashes."""
    items = [make_item(n) for n in range(3)]
    with Ledger(url, folder=folder) as ledger:
        ledger.event_signer = case_signer(lambda: "ana", folder=keys)
        ledger.add_items(items)
        job, _ = ledger.ensure_job(spec(items[0]))
        ledger.mark_submitting(job.id)
        ledger.mark_submitted(job.id, detect_uuid="det-1")
        ledger.mark_completed(job.id, ResultRecord(label="fake", score=0.93, raw={"u": 1}))
        ledger.decide(items[0].sha256, "confirmed_fake", "clone", reviewer="ana")
        ledger.decide(items[1].sha256, "confirmed_real", reviewer="ben")
    return [item.sha256 for item in items]


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "keys"
    monkeypatch.setenv("RESEMBLE_NB_KEYS", str(folder))
    return folder


def test_export_writes_a_case_folder_that_verifies_and_imports_back(
    pg_case: str, tmp_path: Path, keys: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _decided_case(pg_case, tmp_path, keys)
    with Ledger(pg_case, folder=tmp_path) as ledger:
        head, n = ledger.chain_head(), len(ledger.events())
    out = tmp_path / "exported"
    assert main(["export-case", pg_case, "-o", str(out)]) == 0
    assert f"({n} events)" in capsys.readouterr().out
    checked = verify(out)
    assert checked.ok, str(checked)
    assert main(["verify", pg_case]) == 0  # the case on the server, checked on a copy
    shown = capsys.readouterr().out
    assert pg_case.split("//", 1)[1] in shown and "DOES NOT HOLD" not in shown
    with Ledger(out / "case.db") as copy:  # an ordinary SQLite case, same chain
        assert copy.chain_head() == head and chain_holds(copy)
        assert [d.reviewer for d in copy.decisions()] == ["ana", "ben"]
    back = pg_case + "_back"
    assert main(["import-case", str(out), "--to", back]) == 0
    with Ledger(back, folder=tmp_path) as imported:
        assert imported.chain_head() == head
        imported.event_signer = case_signer(lambda: "ana", folder=keys)
        imported.decide(imported.decisions()[0].sha256, "inconclusive", reviewer="ana")
        assert imported.decisions()[-1].id == 3 and chain_holds(imported)
    again = tmp_path / "again"
    assert main(["export-case", back, "-o", str(again)]) == 0
    assert verify(again).ok


def test_export_and_import_refuse_to_overwrite(
    pg_case: str, tmp_path: Path, keys: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _decided_case(pg_case, tmp_path, keys)
    out = tmp_path / "exported"
    assert main(["export-case", pg_case, "-o", str(out)]) == 0
    assert main(["export-case", pg_case, "-o", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert main(["import-case", str(out), "--to", pg_case]) == 2  # the case exists
    assert "already exists" in capsys.readouterr().err
