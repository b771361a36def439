"""The same bad inputs through the Python API: errors in the caller's thread before
anything starts, one row per bad file, and the others complete."""

from __future__ import annotations

import math
import threading
from pathlib import Path

import pytest

import resemble_nb as rnb
from resemble_nb.cli._errors import problem_lines
from resemble_nb.engine import ItemStatus
from resemble_nb.ledger import CaseFolderError, NotALedgerError
from resemble_nb.sandbox import Sandbox

from .conftest import KEY, evidence


@pytest.mark.parametrize("bad", [42, None, 3.5, b"bytes", [object()]])
def test_review_checks_its_inputs_before_starting(
    tmp_path: Path, sandbox: Sandbox, bad: object
) -> None:
    client = rnb.Client(api_key=KEY, base_url=sandbox.base_url)
    with rnb.Case(tmp_path / "case") as case:
        threads = threading.active_count()
        with pytest.raises(TypeError, match="review\\(\\) takes paths"):
            case.review(bad, client=client, display=False)
        assert threading.active_count() == threads


@pytest.mark.parametrize("rate", [math.nan, math.inf, 0, -1])
def test_review_refuses_a_rate_that_is_not_a_positive_number(
    tmp_path: Path, sandbox: Sandbox, rate: float
) -> None:
    client = rnb.Client(api_key=KEY, base_url=sandbox.base_url)
    with rnb.Case(tmp_path / "case") as case, pytest.raises(ValueError, match="rate_limit"):
        case.review([tmp_path], client=client, display=False, rate_limit=rate)


def test_a_case_folder_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(CaseFolderError, match=r"notes\.txt.*is a file"):
        rnb.Case(tmp_path / "notes.txt" / "case")


def test_a_damaged_ledger_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "case.db").write_bytes(b"\x00junk" * 500)
    with pytest.raises(NotALedgerError, match=r"case\.db.*left untouched"):
        rnb.Case(tmp_path / "case")


def test_a_symlink_loop_and_a_bad_name_do_not_stop_the_review(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    folder = evidence(tmp_path / "evidence")
    (folder / "self.wav").symlink_to("self.wav")
    (Path(str(folder)) / "bad\udcff.wav").write_bytes(b"RIFF")
    client = rnb.Client(api_key=KEY, base_url=sandbox.base_url)
    with rnb.Case(tmp_path / "case") as case:
        run = case.review([folder], client=client, display=False).wait(120)
        assert run.error is None
        states = {item.name: (item.state, item.error or "") for item in run.items()}
        assert states["speech.wav"][0] == "completed" and states["portrait.png"][0] == "completed"
        assert states["self.wav"][0] == "skipped" and "symbolic links" in states["self.wav"][1]
        assert states["bad\\xff.wav"][0] == "skipped"
        frame = case.results()
        assert len(frame) == 4


def test_a_key_that_cannot_be_sent_is_refused_by_the_client() -> None:
    with pytest.raises(rnb.api.InvalidAPIKeyError, match="character 5 of 8") as info:
        rnb.Client(api_key="abcd\u00e9fgh")
    assert "abcd" not in str(info.value)


def test_an_interrupted_run_of_thousands_summarises_instead_of_listing() -> None:
    items = [
        ItemStatus(key=f"k{i}", name=f"f{i}.wav", media_type="audio", state="cancelled",
                   error=f"f{i}.wav: cancelled before it finished")
        for i in range(5000)
    ]  # fmt: skip
    lines = problem_lines(items)
    assert len(lines) < 30
    assert any("4,980 files: cancelled before it finished" in line for line in lines), lines
