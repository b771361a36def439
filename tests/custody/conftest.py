"""A reviewed, decided, reported case to verify and tamper with (copied per test)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from resemble_nb.api import Client
from resemble_nb.case import Case
from resemble_nb.sandbox import Sandbox

SAMPLES = Path(__file__).resolve().parents[2] / "resemble_nb" / "samples"
FAST = (0.05, 0.5)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A case whose evidence lies inside it (uploads/), so a copy carries everything."""
    folder = tmp_path_factory.mktemp("custody") / "acme"
    before = os.environ.get("RESEMBLE_NB_REVIEWER")
    os.environ["RESEMBLE_NB_REVIEWER"] = "ana"  # who cuts exhibits and writes the report
    case = Case(folder)
    for name in ("speech.wav", "portrait.png", "interview.mp4", "voicemail.mp3"):
        shutil.copy2(SAMPLES / name, case.uploads / name)
    with Sandbox(port=0) as sandbox:
        client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
        case.review(
            case.uploads,
            client=client,
            display=False,
            poll_interval=FAST,
            intelligence=True,  # analyses to hold to the chain (forgery 3)
            audio_source_tracing=True,
            detect_watermark=True,
            visualize=True,  # heatmaps, kept as artifacts
        ).wait(60)
        client.close()
    case.close()  # a copy as it stood before any verdict: what a rollback restores
    shutil.copytree(folder, folder.parent / "undecided")
    case = Case(folder)
    case.decide("speech.wav", "confirmed_fake", "cloned voice", reviewer="ana")
    case.decide("portrait.png", "confirmed_real", reviewer="ben")
    case.exhibit("speech.wav", 0.2, 1.2)
    case.report(reviewer="ana")
    case.close()
    if before is None:
        os.environ.pop("RESEMBLE_NB_REVIEWER", None)
    else:
        os.environ["RESEMBLE_NB_REVIEWER"] = before
    yield folder


@pytest.fixture
def undecided(pristine: Path) -> Path:
    """The same case copied before any verdict (same first event, shorter chain)."""
    return pristine.parent / "undecided"


@pytest.fixture(autouse=True)
def _own_witness_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test keeps the keys made so far but its own witness log: copies of one case
    written on by different tests would otherwise be forks of each other on this machine."""
    keys = Path(os.environ["RESEMBLE_NB_KEYS"])
    mine = tmp_path / "reviewer-keys"
    if keys.is_dir():
        shutil.copytree(keys, mine, symlinks=True)
    else:
        mine.mkdir()
    mine.chmod(0o700)
    monkeypatch.setenv("RESEMBLE_NB_KEYS", str(mine))


@pytest.fixture
def case_copy(pristine: Path, tmp_path: Path) -> Path:
    target = tmp_path / "acme"
    shutil.copytree(pristine, target)
    return target
