"""resemble_nb.case: the case folder, its frames, decisions and a review of the samples."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from resemble_nb import frames
from resemble_nb.api import Client
from resemble_nb.case import CASE_DB, Case
from resemble_nb.ledger import LedgerError
from resemble_nb.sandbox import Sandbox

SAMPLES = Path(__file__).resolve().parents[1] / "resemble_nb" / "samples"
FAST = (0.05, 0.5)


def write_wav(path: Path, seconds: float = 1.0, freq: float = 440.0, rate: int = 8000) -> Path:
    """A small tone as a real WAV file."""
    import math
    import struct
    import wave

    frames_ = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * i / rate)))
        for i in range(int(seconds * rate))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames_)
    return path


def client_for(sandbox: Sandbox) -> Client:
    return Client(api_key=sandbox.api_key, base_url=sandbox.base_url)


@pytest.fixture
def reviewed(tmp_path: Path, sandbox: Sandbox) -> Case:
    case = Case(tmp_path / "acme")
    case.review(SAMPLES, client=client_for(sandbox), display=False, poll_interval=FAST).wait(60)
    return case


def test_a_case_is_a_folder_with_a_ledger_uploads_and_reports(tmp_path: Path) -> None:
    case = Case(tmp_path / "cases" / "acme")
    assert case.folder == (tmp_path / "cases" / "acme").resolve()
    assert (case.folder / CASE_DB).is_file()
    assert (case.folder / "uploads").is_dir() and (case.folder / "reports").is_dir()
    assert case.name == "acme"
    assert repr(case).startswith("Case('acme', 0 items)")


def test_name_is_remembered(tmp_path: Path) -> None:
    Case(tmp_path / "x", name="Operation Acme").close()
    assert Case(tmp_path / "x").name == "Operation Acme"


def test_a_file_is_not_a_case(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(NotADirectoryError, match=r"notes\.txt"):
        Case(path)
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / CASE_DB).write_text("not sqlite at all, just text" * 100)
    with pytest.raises(LedgerError, match=CASE_DB):
        Case(folder)


def test_review_of_the_samples_ends_every_item_in_one_terminal_state(
    reviewed: Case, sandbox: Sandbox
) -> None:
    df = reviewed.results()
    assert sorted(df["name"]) == sorted(p.name for p in SAMPLES.iterdir())
    by_name = df.set_index("name")
    media = ["speech.wav", "voicemail.mp3", "portrait.png", "street.jpg", "interview.mp4"]
    assert (by_name.loc[media, "status"] == "completed").all()
    assert by_name.loc[media, "label"].notna().all()
    assert by_name.loc[media, "score"].between(0, 1).all()
    assert (by_name.loc[media, "source"] == "sandbox").all()
    assert by_name.loc["interview.mp4", "video_score"] is not pd.NA
    assert by_name.loc["portrait.png", "image_score"] is not pd.NA
    assert by_name.loc["damaged.wav", "status"] == "failed"
    assert "damaged.wav" in by_name.loc["damaged.wav", "error"]
    assert by_name.loc["notes.txt", "status"] == "skipped"
    assert "notes.txt" in by_name.loc["notes.txt", "error"]
    # the damaged file was never sent; each good file was analysed exactly once
    per_hash = sandbox.stats()["detects_per_sha256"]
    assert sorted(per_hash.values()) == [1] * 5
    assert set(per_hash) == set(by_name.loc[media, "sha256"])


def test_segments_of_the_samples(reviewed: Case) -> None:
    seg = reviewed.segments()
    names = set(seg["name"])
    assert {"speech.wav", "voicemail.mp3", "interview.mp4"} <= names
    speech = seg[seg["name"] == "speech.wav"]
    assert set(speech["track"]) == {"audio"} and set(speech["kind"]) == {"window"}
    assert speech["end_s"].max() <= 6.0 + 1e-9  # speech.wav lasts 6 s
    video = seg[(seg["name"] == "interview.mp4") & (seg["track"] == "video")]
    assert set(video["kind"]) >= {"frame"}
    assert video["label"].notna().all()


def test_decide_by_name_sha_prefix_or_path(reviewed: Case) -> None:
    df = reviewed.results().set_index("name")
    speech_sha = df.loc["speech.wav", "sha256"]
    reviewed.decide("speech.wav", "needs_escalation", note="odd pauses", reviewer="ana")
    reviewed.decide(speech_sha[:10], "confirmed_fake", note="cloned", reviewer="ben")
    reviewed.decide(SAMPLES / "street.jpg", "confirmed_real", reviewer="ana")
    reviewed.decide(df.loc["portrait.png", "sha256"], "inconclusive")
    log = reviewed.decisions()
    assert log["verdict"].tolist() == [
        "needs_escalation", "confirmed_fake", "confirmed_real", "inconclusive",
    ]  # fmt: skip
    assert log["name"].tolist() == ["speech.wav", "speech.wav", "street.jpg", "portrait.png"]
    latest = reviewed.results().set_index("name")
    assert latest.loc["speech.wav", "verdict"] == "confirmed_fake"
    assert latest.loc["speech.wav", "note"] == "cloned"
    assert pd.isna(latest.loc["voicemail.mp3", "verdict"])


def test_decide_refuses_unknown_items_and_verdicts(reviewed: Case) -> None:
    with pytest.raises(KeyError, match=r"nothing\.wav"):
        reviewed.decide("nothing.wav", "confirmed_fake")
    with pytest.raises(ValueError, match="verdict"):
        reviewed.decide("speech.wav", "probably_fake")


def test_decide_refuses_an_ambiguous_name(tmp_path: Path, sandbox: Sandbox) -> None:
    evidence = tmp_path / "evidence"
    (evidence / "a").mkdir(parents=True)
    (evidence / "b").mkdir()
    shutil.copy(SAMPLES / "speech.wav", evidence / "a" / "call.wav")
    write_wav(evidence / "b" / "call.wav", seconds=2.0, freq=330.0)
    case = Case(tmp_path / "case")
    case.review(evidence, client=client_for(sandbox), display=False, poll_interval=FAST).wait(60)
    with pytest.raises(ValueError, match="2 different items"):
        case.decide("call.wav", "inconclusive")
    case.decide(evidence / "b" / "call.wav", "inconclusive")
    assert len(case.decisions()) == 1


def test_a_copied_case_opens_elsewhere_with_everything(reviewed: Case, tmp_path: Path) -> None:
    reviewed.decide("speech.wav", "confirmed_fake", note="cloned")
    before = reviewed.results()
    reviewed.close()
    copy = tmp_path / "elsewhere" / "acme-copy"
    shutil.copytree(reviewed.folder, copy)
    moved = Case(copy)
    after = moved.results()
    pd.testing.assert_frame_equal(before, after)
    assert len(moved.segments()) == len(Case(reviewed.folder).segments())
    assert moved.decisions()["note"].tolist() == ["cloned"]


def test_frames_keep_their_dtypes_after_a_review(reviewed: Case) -> None:
    df = reviewed.results()
    for column, dtype in frames.RESULT_COLUMNS.items():
        if dtype is not object:
            assert df[column].dtype == pd.api.types.pandas_dtype(dtype), column


def test_triage_returns_the_board(reviewed: Case) -> None:
    from resemble_nb.widgets import TriageBoard

    board = reviewed.triage(threshold=0.0)
    assert isinstance(board, TriageBoard)
    board.close()


def test_report_writes_a_file(reviewed: Case, tmp_path: Path) -> None:
    pytest.importorskip("resemble_nb.report")
    path = reviewed.report(tmp_path / "acme.html")
    assert path.is_file() and path.stat().st_size > 0


def test_one_review_at_a_time_per_case(tmp_path: Path, sandbox_factory: type) -> None:
    sandbox = sandbox_factory(progress="time", latency=30.0)
    case = Case(tmp_path / "case")
    run = case.review(SAMPLES / "speech.wav", client=client_for(sandbox), display=False)
    with pytest.raises(RuntimeError, match="already running"):
        Case(tmp_path / "case").review(SAMPLES, client=client_for(sandbox), display=False)
    run.cancel()
    run.wait(10)
    again = case.review(SAMPLES / "street.jpg", client=client_for(sandbox), display=False)
    again.cancel()
    again.wait(10)
