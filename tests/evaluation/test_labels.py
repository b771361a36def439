"""case.import_labels: matching by sha256, path or name; every problem named by its row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from resemble_nb.case import Case
from resemble_nb.evaluation import EvaluationError

from .conftest import add_scored


def test_rows_match_by_sha256_path_and_name(case: Case, tmp_path: Path) -> None:
    shas = add_scored(case, [0.9, 0.2, 0.7], names=["a.wav", "b.wav", "c.wav"])
    labels = tmp_path / "labels.csv"
    labels.write_text(
        f"sha256,path,name,label\n{shas[0]},,,fake\n,/evidence/b.wav,,Real\n,,c.wav, fake \n"
    )
    result = case.import_labels(labels, imported_by="ana")
    assert (result.new, result.real, result.fake, result.problems) == (3, 1, 2, [])
    truth = case.ground_truth().set_index("sha256")
    assert truth.loc[shas[0], "truth"] == "fake" and truth.loc[shas[1], "truth"] == "real"
    assert truth.loc[shas[2], "source"] == "label fake from labels.csv line 4"
    stored = case.ledger.truth_labels()
    assert {lab.imported_by for lab in stored} == {"ana"}


def test_unmatched_ambiguous_bad_and_conflicting_rows_are_named(case: Case, tmp_path: Path) -> None:
    add_scored(case, [0.9, 0.8], names=["same.wav", "same.wav"], folder="/one")
    add_scored(case, [0.1], names=["other.wav"], folder="/two")
    frame = pd.DataFrame(
        {
            "name": ["same.wav", "ghost.wav", "other.wav", "other.wav", "", "other.wav"],
            "sha256": ["", "", "", "", "", ""],
            "label": ["fake", "real", "real", "fake", "real", "maybe"],
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    result = case.import_labels(frame)
    assert [p.row for p in result.ambiguous] == ["row 10"]
    assert [p.row for p in result.unmatched] == ["row 11"]
    assert sorted(p.row for p in result.conflicting) == ["row 12", "row 13"]
    assert [str(p) for p in result.bad] == [
        "row 14: no sha256, path or name in this row",
        "row 15 (name 'other.wav'): label 'maybe' is not real or fake",
    ]
    assert result.labelled == 0 and case.ledger.truth_labels() == []
    text = repr(result)
    assert "1 row matched no item in the case" in text and "row 11 (name 'ghost.wav')" in text
    assert "give the sha256 or the full path" in text
    assert "<br>" in result._repr_html_()


def test_a_bad_sha256_and_a_relative_path_from_the_csv_folder(case: Case, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    add_scored(case, [0.3], names=["x.wav"], folder=str(evidence))
    labels = tmp_path / "labels.csv"
    labels.write_text("sha256,path,label\nabc,,fake\n,evidence/x.wav,real\n")
    result = case.import_labels(labels)
    assert [str(p) for p in result.bad] == ["line 2 (sha256 'abc'): not a SHA-256 (64 hex digits)"]
    assert result.real == 1 and result.new == 1


def test_reimporting_reports_changes_and_keeps_history(case: Case) -> None:
    shas = add_scored(case, [0.9, 0.1])
    case.import_labels(pd.DataFrame({"sha256": shas, "label": ["fake", "real"]}))
    again = case.import_labels(pd.DataFrame({"sha256": shas, "label": ["fake", "fake"]}))
    assert again.unchanged == 1 and again.changed == [("file1.wav", "real", "fake")]
    assert "changed: file1.wav was real, now fake" in repr(again)
    assert len(case.ledger.truth_labels()) == 3  # append-only: the old label is kept
    assert case.ledger.current_truth()[shas[1]].truth == "fake"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,verdict\na.wav,fake\n", "no 'label' column"),
        ("label,comment\nfake,x\n", "no 'sha256', 'path' or 'name' column"),
    ],
)
def test_a_file_without_the_needed_columns_is_refused_in_one_line(
    case: Case, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(EvaluationError, match=message) as info:
        case.import_labels(path)
    assert str(info.value).startswith("bad.csv:") and "\n" not in str(info.value)


def test_a_missing_file_or_wrong_type_is_refused(case: Case, tmp_path: Path) -> None:
    with pytest.raises(EvaluationError, match="no such labels file"):
        case.import_labels(tmp_path / "nope.csv")
    with pytest.raises(EvaluationError, match="CSV file or a pandas DataFrame"):
        case.import_labels(42)
