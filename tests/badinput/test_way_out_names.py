"""Issue 23, through the notebook API: a labels file separated by ``;``, a tab or with
Excel's ``sep=`` line is read; a name macOS stored decomposed (NFD) matches one typed
composed (NFC); ``decide()`` without a reviewer says it fell back to the computer's user;
a path that held two contents names both and takes the sha256."""

from __future__ import annotations

import shutil
import unicodedata
import warnings
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

import resemble_nb as rnb
from resemble_nb.evaluation import EvaluationError
from resemble_nb.sandbox import Sandbox

from .conftest import KEY, SAMPLES

NFC = unicodedata.normalize("NFC", "café-call.wav")
NFD = unicodedata.normalize("NFD", NFC)


def _tone(path: Path, seed: int) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(seed.to_bytes(4, "little") * 4000)
    return path


@pytest.fixture
def case(tmp_path: Path, sandbox: Sandbox) -> Iterator[rnb.Case]:
    """A reviewed case: speech.wav, portrait.png and a file whose name is stored NFD."""
    folder = tmp_path / "evidence"
    folder.mkdir()
    for name in ("speech.wav", "portrait.png"):
        shutil.copyfile(SAMPLES / name, folder / name)
    _tone(folder / NFD, 7)
    assert NFD in {p.name for p in folder.iterdir()}  # the file system kept it decomposed
    client = rnb.Client(api_key=KEY, base_url=sandbox.base_url)
    with rnb.Case(tmp_path / "case") as opened:
        opened.review([folder], client=client, display=False).wait()
        assert set(opened.results()["status"]) == {"completed"}
        yield opened


@pytest.mark.parametrize(
    "text",
    [
        "name;label\nspeech.wav;real\nportrait.png;fake\n",
        "name\tlabel\nspeech.wav\treal\nportrait.png\tfake\n",
        "sep=,\nname,label\nspeech.wav,real\nportrait.png,fake\n",
        "sep=;\r\nname;label\r\nspeech.wav;real\r\nportrait.png;fake\r\n",
        "\ufeffname;label\nspeech.wav;real\nportrait.png;fake\n",  # Excel's BOM
    ],
    ids=["semicolons", "tabs", "excel-sep-comma", "excel-sep-semicolon-crlf", "bom"],
)
def test_6_a_labels_file_of_any_separator_is_read(
    case: rnb.Case, tmp_path: Path, text: str
) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text(text, encoding="utf-8")
    report = case.import_labels(labels)
    assert (report.real, report.fake, report.new) == (1, 1, 2), report
    assert not report.unmatched and not report.bad, report


def test_6_a_labels_file_without_a_label_column_says_how_it_was_read(
    case: rnb.Case, tmp_path: Path
) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("name;verdict\nspeech.wav;real\n", encoding="utf-8")
    with pytest.raises(EvaluationError) as caught:
        case.import_labels(labels)
    assert str(caught.value) == (
        "labels.csv: no 'label' column (found name, verdict, reading it as separated by "
        "semicolons); add one with real or fake in each row"
    )


def test_7_a_name_stored_nfd_matches_one_typed_nfc(case: rnb.Case, tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text(f"name,label\n{NFC},fake\n", encoding="utf-8")
    report = case.import_labels(labels)
    assert (report.fake, report.new) == (1, 1) and not report.unmatched, report
    decision = case.decide(NFC, "confirmed_fake", reviewer="ana")
    assert decision.sha256 == case.item_key(NFD)
    path_typed = str(Path(case.results().set_index("name").loc[NFD, "path"]))
    assert case.item_key(unicodedata.normalize("NFC", path_typed)) == decision.sha256


def test_14_decide_without_a_reviewer_says_who_it_recorded(
    case: rnb.Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    from resemble_nb.ledger import default_reviewer

    monkeypatch.delenv("RESEMBLE_NB_REVIEWER", raising=False)
    with pytest.warns(UserWarning) as caught:
        decision = case.decide("speech.wav", "confirmed_real")
    user = default_reviewer()
    assert str(caught[0].message) == (
        "no reviewer named (no reviewer= given, RESEMBLE_NB_REVIEWER is not set and no name "
        "was confirmed on the triage board), so this is recorded and signed as the "
        f"computer's user {user!r}; pass reviewer='name' or set RESEMBLE_NB_REVIEWER"
    )
    assert decision.reviewer == user
    monkeypatch.setenv("RESEMBLE_NB_REVIEWER", "qa")  # the same rule as reports and bundles
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # named: nothing to warn about
        assert case.decide("speech.wav", "confirmed_real").reviewer == "qa"
