"""A case's name changes only on purpose: a clash raises, a rename is a signed event."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import resemble_nb as rnb
from resemble_nb.case import Case
from resemble_nb.ledger import CaseNameError


def test_opening_a_named_case_under_another_name_raises_and_says_how_to_rename(
    tmp_path: Path,
) -> None:
    Case(tmp_path / "echo", name="Op. Echo").close()
    with pytest.raises(CaseNameError) as caught:
        Case(tmp_path / "echo", name="Batch triage")
    message = str(caught.value)
    assert "'Op. Echo'" in message and "'Batch triage'" in message
    assert ".rename('Batch triage')" in message
    with Case(tmp_path / "echo") as case:  # nothing was changed by the refused open
        assert case.name == "Op. Echo"
        assert case.ledger.events(kind="case_renamed") == []
    Case(tmp_path / "echo", name="Op. Echo").close()  # the same name is fine


def test_a_case_named_only_after_its_folder_can_be_named_once(tmp_path: Path) -> None:
    Case(tmp_path / "acme").close()
    with Case(tmp_path / "acme", name="Operation Acme") as case:
        assert case.name == "Operation Acme"
    with pytest.raises(CaseNameError):
        Case(tmp_path / "acme", name="Something else")


def test_a_rename_is_a_signed_chained_event_that_verifies(tmp_path: Path) -> None:
    case = Case(tmp_path / "echo", name="Op. Echo")
    renamed = case.rename("Op. Echo II", reviewer="ana")
    assert renamed is case and case.name == "Op. Echo II"
    (event,) = case.ledger.events(kind="case_renamed")
    assert event.facts == {"from": "Op. Echo", "to": "Op. Echo II", "reviewer": "ana"}
    assert any(s.seq == event.seq for s in case.ledger.signatures())
    case.close()
    result = rnb.verify(tmp_path / "echo")
    assert result.ok, str(result)
    assert Case(tmp_path / "echo", name="Op. Echo II").name == "Op. Echo II"
    conn = sqlite3.connect(tmp_path / "echo" / "case.db")  # the signature removed by hand
    conn.execute("DROP TRIGGER signatures_append_only_delete")
    conn.execute("DELETE FROM signatures WHERE seq = ?", (event.seq,))
    conn.commit()
    conn.close()
    problems = [c.detail for c in rnb.verify(tmp_path / "echo").problems]
    assert any("rename to 'Op. Echo II'" in p and "not signed" in p for p in problems)


def test_a_rename_to_nothing_is_refused(tmp_path: Path) -> None:
    with Case(tmp_path / "echo") as case, pytest.raises(ValueError, match="empty"):
        case.rename("  ")


def test_the_notebooks_name_only_a_new_case(tmp_path: Path) -> None:
    folder = tmp_path / "echo"
    assert not Case.exists(folder)
    Case(folder, name="Op. Echo").close()
    assert Case.exists(folder)
    # the notebooks' line: an existing case keeps its name
    with Case(folder, name=None if Case.exists(folder) else "Batch triage") as case:
        assert case.name == "Op. Echo"
