"""TriageBoard against a case double with a frames-schema results table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from resemble_nb.widgets import TriageBoard
from resemble_nb.widgets._preview import preview
from resemble_nb.widgets._triage_queue import LABELS, build_queue

from .widget_doubles import FakeCase, make_row

SAMPLES = Path(__file__).resolve().parents[2] / "resemble_nb" / "samples"
PNG = b"\x89PNG\r\n\x1a\n"


def windows(row: dict[str, Any], scores: list[float]) -> list[dict[str, Any]]:
    return [
        {"sha256": row["sha256"], "name": row["name"], "track": "audio", "kind": "window",
         "index": i, "start_s": 2.0 * i, "end_s": 2.0 * i + 2, "score": s, "label": "fake"}
        for i, s in enumerate(scores)
    ]  # fmt: skip


@pytest.fixture
def case(tmp_path: Path) -> FakeCase:
    rows = [
        make_row("voicemail.mp3", SAMPLES / "voicemail.mp3", 0.62, "likely_fake"),
        make_row("speech.wav", SAMPLES / "speech.wav", 0.91, "fake"),
        make_row("street.jpg", SAMPLES / "street.jpg", 0.30, "likely_real", media_type="image"),
        make_row(
            "interview.mp4",
            SAMPLES / "interview.mp4",
            0.75,
            "likely_fake",
            media_type="video",
            video_score=0.8,
            audio_score=0.7,
        ),
        make_row("damaged.wav", SAMPLES / "damaged.wav", None, None),
    ]
    return FakeCase(tmp_path, rows, segment_rows=windows(rows[1], [0.8, 0.95, 0.9]))


def names(board: TriageBoard, case: FakeCase) -> list[str]:
    by_sha = {r["sha256"]: r["name"] for r in case.rows}
    return [by_sha[s] for s in board.queue]


def test_queue_is_sorted_by_score_and_cut_at_the_threshold(case: FakeCase) -> None:
    board = TriageBoard(case)
    assert names(board, case) == ["speech.wav", "interview.mp4", "voicemail.mp3"]
    assert board.current is not None and board.current["name"] == "speech.wav"
    assert "Item <b>1</b> of 3" in board._position.value


def test_threshold_slider_widens_the_queue_and_zero_shows_everything(case: FakeCase) -> None:
    board = TriageBoard(case)
    board._threshold.value = 0.25
    assert names(board, case)[-1] == "street.jpg"
    board._threshold.value = 0.0
    assert names(board, case)[-1] == "damaged.wav"  # no score: last, only at 0
    assert len(board.queue) == 5


def test_label_filter(case: FakeCase) -> None:
    board = TriageBoard(case, threshold=0.0, labels=["likely_fake"])
    assert names(board, case) == ["interview.mp4", "voicemail.mp3"]
    board._labels.value = ("fake", "likely_real")
    assert names(board, case) == ["speech.wav", "street.jpg"]
    with pytest.raises(ValueError, match=r"unknown label\(s\) \['Fake'\]"):
        TriageBoard(case, labels=["Fake"])


def test_bad_threshold_is_refused(case: FakeCase) -> None:
    with pytest.raises(ValueError, match="between 0 and 1, got 50"):
        TriageBoard(case, threshold=50)


def test_filter_change_keeps_the_current_item_when_it_is_still_there(case: FakeCase) -> None:
    board = TriageBoard(case)
    board._next.click()
    assert board.current is not None and board.current["name"] == "interview.mp4"
    board._threshold.value = 0.1
    assert board.current["name"] == "interview.mp4"


def test_audio_plays_inline_from_the_file_on_disk(case: FakeCase) -> None:
    board = TriageBoard(case)
    (player,) = board._media_box.children
    assert type(player).__name__ == "Audio"
    assert bytes(player.value) == (SAMPLES / "speech.wav").read_bytes()
    assert player.format == "wav" and player.autoplay is False
    assert "speech.wav · audio · 192 KB" in board._media_note.value


def test_video_and_image_previews(case: FakeCase) -> None:
    board = TriageBoard(case, threshold=0.0)
    board.show("interview.mp4")
    (video,) = board._media_box.children
    assert type(video).__name__ == "Video" and video.format == "mp4"
    board.show("street.jpg")
    (image,) = board._media_box.children
    assert type(image).__name__ == "Image" and image.format == "jpeg"
    assert bytes(image.value) == (SAMPLES / "street.jpg").read_bytes()
    assert video.comm is None  # the previous player was closed, its bytes let go


def test_media_over_the_cap_is_never_loaded(case: FakeCase) -> None:
    board = TriageBoard(case, preview_max_bytes=100_000)
    assert board._media_box.children == ()
    note = board._media_note.value
    assert "speech.wav is 192 KB, over the 100 KB preview limit" in note
    assert str(SAMPLES / "speech.wav") in note


def test_missing_file_says_so(tmp_path: Path) -> None:
    shown = preview([str(tmp_path / "gone.wav")], "audio")
    assert shown.widget is None
    assert (
        shown.message == f"No preview: the file is not on this machine ({tmp_path / 'gone.wav'})."
    )


def test_a_second_path_is_used_when_the_first_is_gone(tmp_path: Path) -> None:
    shown = preview([str(tmp_path / "gone.wav"), str(SAMPLES / "speech.wav")], "audio")
    assert shown.widget is not None and shown.path == SAMPLES / "speech.wav"


def test_timeline_is_a_png_and_images_have_none(case: FakeCase) -> None:
    board = TriageBoard(case, threshold=0.0)
    assert bytes(board._timeline.value).startswith(PNG)
    board.show("street.jpg")
    assert board._timeline.value == b""
    assert "Images have no timeline" in board._timeline_note.value
    board.show("voicemail.mp3")  # audio, but no scored windows recorded
    assert board._timeline.value == b""
    assert "no time-based scores" in board._timeline_note.value


def test_details_show_what_an_investigator_needs(case: FakeCase) -> None:
    board = TriageBoard(case, threshold=0.0)
    board.show("interview.mp4")
    html = board._details.value
    row = case.rows[3]
    expected = ["interview.mp4", row["sha256"][:12], "video", "likely_fake", "0.75"]
    expected += ["audio 0.70", "video 0.80", "uuid-interview.mp4", "not decided", "SANDBOX"]
    for text in expected:
        assert text in html, text


def test_a_verdict_click_is_written_at_once_and_moves_on(case: FakeCase) -> None:
    board = TriageBoard(case, reviewer="ana")
    board._note.value = "cloned voice, same cadence as sample B"

    board._buttons["confirmed_fake"].click()

    (decision,) = case.decisions_log
    assert decision["sha256"] == case.rows[1]["sha256"]
    assert decision["verdict"] == "confirmed_fake"
    assert decision["note"] == "cloned voice, same cadence as sample B"
    assert decision["reviewer"] == "ana"
    assert board.current is not None and board.current["name"] == "interview.mp4"
    assert "Saved: confirmed fake for speech.wav" in board._status.value
    assert board._note.value == ""  # the next item has no note yet
    assert "1/5 decided" in repr(board)


def test_every_verdict_button_is_there_by_its_words(case: FakeCase) -> None:
    board = TriageBoard(case, advance=False)
    texts = [b.description for b in board._buttons.values()]
    assert texts == ["Confirmed fake", "Confirmed real", "Needs escalation", "Inconclusive"]
    for verdict, button in board._buttons.items():
        button.click()
        assert case.decisions_log[-1]["verdict"] == verdict
        assert board._buttons[verdict].icon == "check"
    assert len(case.decisions_log) == 4
    assert {d["sha256"] for d in case.decisions_log} == {case.rows[1]["sha256"]}


def test_reopening_shows_the_decisions(case: FakeCase) -> None:
    first = TriageBoard(case)
    first._note.value = "spliced"
    first._buttons["needs_escalation"].click()

    again = TriageBoard(case)  # reads the verdicts back from case.results()
    assert again.current is not None
    assert again.current["verdict"] == "needs_escalation"
    assert again.current["note"] == "spliced"
    assert again._note.value == "spliced"
    assert again._buttons["needs_escalation"].icon == "check"
    assert "needs_escalation" in again._details.value


def test_unreviewed_only_drops_decided_items(case: FakeCase) -> None:
    board = TriageBoard(case, unreviewed_only=True)
    board._buttons["confirmed_real"].click()
    assert names(board, case) == ["interview.mp4", "voicemail.mp3"]
    assert board.current is not None and board.current["name"] == "interview.mp4"
    board._unreviewed.value = False
    assert names(board, case)[0] == "speech.wav"


def test_a_failed_write_is_reported_and_nothing_moves(case: FakeCase) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("database is locked")

    case.decide = broken  # type: ignore[method-assign]
    board = TriageBoard(case)
    board._buttons["confirmed_fake"].click()

    assert "Not saved: OSError: database is locked" in board._status.value
    assert "database is locked" in board._errors.outputs[0]["text"]
    assert board.current is not None and board.current["name"] == "speech.wav"
    assert board.current["verdict"] is None


def test_previous_and_next_stop_at_the_ends(case: FakeCase) -> None:
    board = TriageBoard(case)
    assert board._prev.disabled and not board._next.disabled
    board._next.click()
    board._next.click()
    assert board.current is not None and board.current["name"] == "voicemail.mp3"
    assert board._next.disabled
    board._next.click()
    assert board.current["name"] == "voicemail.mp3"
    board._prev.click()
    assert board.current["name"] == "interview.mp4"


def test_empty_queue_says_what_to_do(case: FakeCase) -> None:
    board = TriageBoard(case, threshold=0.99)
    assert board.current is None
    assert "Nothing to review" in board._position.value
    assert all(b.disabled for b in board._buttons.values())
    assert repr(board).startswith("TriageBoard: 0 in queue (score ≥ 0.99")
    with pytest.raises(LookupError, match="queue is empty"):
        board.decide("confirmed_fake")


def test_show_unknown_item_and_unknown_verdict(case: FakeCase) -> None:
    board = TriageBoard(case)
    with pytest.raises(KeyError, match=r"street\.jpg"):
        board.show("street.jpg")  # below the threshold
    with pytest.raises(ValueError, match="unknown verdict 'fake'"):
        board.decide("fake")


def test_names_are_escaped(tmp_path: Path) -> None:
    evil = make_row("<img src=x onerror=alert(1)>.wav", None, 0.9, "fake")
    board = TriageBoard(FakeCase(tmp_path, [evil]))
    assert "<img" not in board._details.value
    assert "&lt;img" in board._details.value


def test_text_repr_and_mimebundle(case: FakeCase) -> None:
    board = TriageBoard(case)
    text = repr(board)
    assert text == (
        "TriageBoard: 3 in queue (score ≥ 0.50, labels all) · 0/5 decided\n"
        "  item 1 of 3: speech.wav — fake, score 0.91, verdict —"
    )
    assert board._repr_mimebundle_()["text/plain"] == text


def test_build_queue_on_an_empty_frame() -> None:
    empty = pd.DataFrame(columns=["name", "sha256", "score", "label", "verdict"])
    assert build_queue(empty, threshold=0.5, labels=LABELS, unreviewed_only=True) == []


# -- against a real case reviewed on the sandbox ---------------------------------------


def test_a_triage_click_lands_in_the_ledger_and_survives_reopening(
    real_case: Any, client: Any
) -> None:
    from resemble_nb.case import Case

    real_case.review([SAMPLES], client=client, display=False).wait(60)
    board = TriageBoard(real_case, threshold=0.0, reviewer="ana")
    first = board.current
    assert first is not None and first["status"] == "completed"
    assert first["score"] == max(board._frame["score"].dropna())
    assert type(board._media_box.children[0]).__name__ in {"Audio", "Video", "Image"}

    board._note.value = "matches the known clone"
    board._buttons["confirmed_fake"].click()

    folder = real_case.folder
    real_case.close()
    reopened = Case(folder)
    try:
        log = reopened.decisions()
        assert list(log["verdict"].astype(str)) == ["confirmed_fake"]
        assert list(log["note"]) == ["matches the known clone"]
        assert list(log["reviewer"]) == ["ana"]
        assert list(log["sha256"]) == [first["sha256"]]

        again = TriageBoard(reopened, threshold=0.0)
        assert again.current is not None and again.current["sha256"] == first["sha256"]
        assert again.current["verdict"] == "confirmed_fake"
        assert again._note.value == "matches the known clone"
        assert again._buttons["confirmed_fake"].icon == "check"
        items = reopened.results()["sha256"].notna().sum()
        assert f"· 1/{items} decided" in repr(again)

        later = TriageBoard(reopened, threshold=0.0, unreviewed_only=True)
        assert first["sha256"] not in later.queue
    finally:
        reopened.close()


def test_skipped_files_without_a_hash_are_not_in_the_queue(real_case: Any, client: Any) -> None:
    real_case.review([SAMPLES], client=client, display=False).wait(60)
    board = TriageBoard(real_case, threshold=0.0)
    frame = real_case.results()
    queued = set(frame.loc[frame["sha256"].isin(board.queue), "name"])
    assert len(board.queue) == frame["sha256"].notna().sum()
    assert "notes.txt" not in queued and "speech.wav" in queued
