"""At intake, each new item's own C2PA manifest is read once and recorded in the chain."""

from __future__ import annotations

import builtins
import shutil
from pathlib import Path
from typing import Any

import pytest
from _c2pa_factory import SIGNER_ORG, make_signer, png_bytes, wav_bytes

from resemble_nb.case import Case
from resemble_nb.sandbox import Sandbox

from .conftest import Review
from .helpers import SAMPLES

pytest.importorskip("c2pa")


def _evidence(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "plain.png").write_bytes(png_bytes(tint=10))
    make_signer().sign(folder / "plain.png", folder / "signed.png", "image/png", "Still")
    (folder / "plain.png").unlink()
    (folder / "voice.wav").write_bytes(wav_bytes(tone=3))
    shutil.copy(SAMPLES / "damaged.wav", folder / "damaged.wav")
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"not a picture" * 8)
    return folder


def test_intake_reads_each_new_item_once_and_chains_it(
    tmp_path: Path, case: Case, review: Review, sandbox: Sandbox
) -> None:
    evidence = _evidence(tmp_path / "evidence")
    review(sandbox, evidence)
    frame = case.results().set_index("name")
    assert frame.loc["signed.png", "local_c2pa"] == "Valid"
    assert frame.loc["voice.wav", "local_c2pa"] == "NotPresent"
    assert frame.loc["damaged.wav", "local_c2pa"] == "NotPresent"
    assert frame.loc["broken.png", "local_c2pa"] == "Unreadable"  # and the run went on
    ledger = case.ledger
    signed = ledger.provenance_for(str(frame.loc["signed.png", "sha256"]))
    assert signed is not None and signed.signer and signed.signer.startswith(SIGNER_ORG)
    assert signed.tool is not None and signed.tool.startswith("c2pa-python ")
    events = ledger.events(kind="provenance_read")
    assert len(events) == 4 and {e.subject for e in events} == set(frame["sha256"])
    broken = ledger.provenance_for(str(frame.loc["broken.png", "sha256"]))
    assert broken is not None and broken.reason and broken.reason.startswith("broken.png: ")
    # content is identity: a copy under another name, and a second review, read nothing
    shutil.copy(evidence / "signed.png", evidence / "copy-of-signed.png")
    review(sandbox, evidence)
    assert len(ledger.events(kind="provenance_read")) == 4


def test_without_the_library_intake_goes_on_and_says_why(
    tmp_path: Path, case: Case, review: Review, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_c2pa(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "c2pa" or name.startswith("c2pa."):
            raise ImportError("No module named 'c2pa'")
        return real_import(name, *args, **kwargs)

    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "voice.wav").write_bytes(wav_bytes(tone=5))
    monkeypatch.setattr(builtins, "__import__", no_c2pa)
    run = review(sandbox, evidence)
    monkeypatch.undo()
    assert run.progress.counts == {"completed": 1}  # the review itself went on
    row = case.results().iloc[0]
    assert row["local_c2pa"] == "Unavailable"
    reading = case.ledger.provenance_for(str(row["sha256"]))
    assert reading is not None and reading.reason and "resemble_nb[provenance]" in reading.reason
    # once the library is there, the item is read (a new reading; the old one stays)
    review(sandbox, evidence)
    assert case.results().iloc[0]["local_c2pa"] == "NotPresent"
    assert [e.facts["state"] for e in case.ledger.events(kind="provenance_read")] == [
        "Unavailable",
        "NotPresent",
    ]


async def test_an_item_with_no_file_present_is_unreadable_and_says_so(tmp_path: Path) -> None:
    from resemble_nb.engine._provenance import record_provenance
    from resemble_nb.ledger import Ledger
    from resemble_nb.media import MediaItem

    gone = MediaItem(
        sha256="ab" * 32, size=10, media_type="audio", mime="audio/wav", extension=".wav",
        duration=1.0, paths=(tmp_path / "moved-away.wav",),
    )  # fmt: skip
    with Ledger(tmp_path / "case.db") as ledger:
        ledger.add_items([gone])
        assert await record_provenance(ledger, [gone]) == 1
        assert await record_provenance(ledger, [gone]) == 0  # read once
        reading = ledger.provenance_for(gone.sha256)
        assert reading is not None and reading.state == "Unreadable"
        assert reading.reason == "moved-away.wav: no path to it is present here"
        assert reading.summary.startswith("Could not be read")
