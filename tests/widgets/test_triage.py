"""TriageBoard against a case double with a frames-schema results table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from resemble_nb.widgets import TriageBoard
from resemble_nb.widgets._triage_queue import LABELS, build_queue
from resemble_nb.widgets._triage_state import REVIEWER_ENV
from resemble_nb.widgets.inspector import media_route

from .widget_doubles import FakeCase, make_row, record_items

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


def test_a_filter_or_order_change_keeps_the_current_item_while_it_is_in_the_queue(
    case: FakeCase,
) -> None:
    board = TriageBoard(case)
    board._last.click()
    assert board.current is not None and board.current["name"] == "voicemail.mp3"
    board._threshold.value = 0.1  # a wider queue still holds it: it stays current
    assert board.current["name"] == "voicemail.mp3" and board.position == 3
    board._sort.value = "name"  # a new order: the same item, at its new place
    assert names(board, case) == ["interview.mp4", "speech.wav", "street.jpg", "voicemail.mp3"]
    assert board.current["name"] == "voicemail.mp3" and board.position == 4
    assert "Item <b>4</b> of 4" in board._position.value and board._next.disabled
    board._labels.value = ("fake",)  # a filter that drops it: back to the top of the queue
    assert board.position == 1 and board.current["name"] == "speech.wav"
    assert "Item <b>1</b> of 1" in board._position.value


def test_orders_first_last_and_jump(case: FakeCase) -> None:
    board = TriageBoard(case, threshold=0.0, sort="unreviewed", reviewer="ana")
    board.decide("confirmed_real")  # speech.wav, the top score, now decided
    assert names(board, case)[-1] == "speech.wav"
    board._sort.value = "time"
    assert len(board.queue) == 5
    board._last.click()
    assert board.position == 5 and board._next.disabled and board._last.disabled
    board._first.click()
    assert board.position == 1 and board._prev.disabled
    board._jump.value = "3"
    assert board.position == 3 and board._jump.value == ""
    board._jump.value = "VOICE"
    assert board.current is not None and board.current["name"] == "voicemail.mp3"
    board._jump.value = "nothing-like-this"
    assert "&#x27;nothing-like-this&#x27; is not in the triage queue" in board._status.value
    board._jump.value = "9"
    assert "No item 9: the queue has 5." in board._status.value
    with pytest.raises(ValueError, match="unknown sort 'size'"):
        TriageBoard(case, sort="size")


def test_the_board_opens_where_it_was_left(case: FakeCase) -> None:
    first = TriageBoard(case, reviewer="ana")
    first._sort.value = "name"
    first._threshold.value = 0.2
    first.jump("street")
    again = TriageBoard(case)  # a new kernel: filters, order, item and reviewer come back
    assert (again.sort, again.threshold, again.reviewer) == ("name", 0.2, "ana")
    assert again.current is not None and again.current["name"] == "street.jpg"
    assert "recorded as <b>ana</b>" in again._reviewer_bar.note.value


def test_audio_is_inspected_and_played_by_url_not_bytes(case: FakeCase) -> None:
    record_items(case)
    board = TriageBoard(case)
    insp = board.inspector
    assert insp.kind == "audio" and insp.name == "speech.wav"
    assert insp.src == media_route(case.folder, board.current["sha256"])  # case + item, no path
    assert insp.duration == pytest.approx(6.0, abs=0.05)
    assert len(insp.peaks) == 2 * 1200 and insp.spectrogram.startswith(PNG)
    assert [w["score"] for w in insp.windows] == [0.8, 0.95, 0.9]
    assert "speech.wav · audio · 192 KB" in insp.message
    assert (SAMPLES / "speech.wav").read_bytes()[:4096] not in bytes(insp.peaks)


def test_video_and_image_are_inspected(case: FakeCase) -> None:
    record_items(case)
    board = TriageBoard(case, threshold=0.0)
    board.show("interview.mp4")
    assert board.inspector.kind == "video" and board.inspector.duration == pytest.approx(4.0)
    board.show("street.jpg")
    assert board.inspector.kind == "image"
    assert board.inspector.src == media_route(case.folder, case.rows[2]["sha256"])
    assert board.inspector.peaks == b"" and board.inspector.windows == []
    assert board.inspector.heatmap == ""
    heat = case.folder / "heatmaps" / f"{case.rows[2]['sha256']}.png"
    heat.parent.mkdir()
    heat.write_bytes((SAMPLES / "portrait.png").read_bytes())
    board.refresh()
    assert board.inspector.heatmap.startswith("data:image/png;base64,")


def test_missing_file_says_so(tmp_path: Path) -> None:
    gone = make_row("gone.wav", tmp_path / "gone.wav", 0.9, "fake")
    board = TriageBoard(FakeCase(tmp_path, [gone]))
    assert board.inspector.kind == "none"
    assert board.inspector.message == "The file is not on this machine (gone.wav)."


def test_a_second_path_is_used_when_the_first_is_gone(tmp_path: Path) -> None:
    row = make_row("speech.wav", tmp_path / "gone.wav", 0.9, "fake")
    row["paths"] = [str(tmp_path / "gone.wav"), str(SAMPLES / "speech.wav")]
    board = TriageBoard(FakeCase(tmp_path, [row]))
    assert board.inspector.kind == "audio"  # drawn from the second path
    assert board.inspector.duration == pytest.approx(6.0, abs=0.05)
    assert board.inspector._path == SAMPLES / "speech.wav"  # and played from it


def test_the_inspector_computes_once_and_reads_its_cache_after(case: FakeCase) -> None:
    board = TriageBoard(case, threshold=0.0)
    cached = sorted(p.name for p in (case.folder / ".cache" / "inspector").iterdir())
    assert any(name.endswith(".audio") for name in cached)
    again = TriageBoard(case, threshold=0.0)
    assert again.inspector.spectrogram == board.inspector.spectrogram


def test_details_show_what_an_investigator_needs(case: FakeCase) -> None:
    board = TriageBoard(case, threshold=0.0)
    board.show("interview.mp4")
    html = board._details.value
    row = case.rows[3]
    expected = ["interview.mp4", row["sha256"][:12], "video", "Likely fake", "likely_fake", "0.75"]
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
    assert "Saved: confirmed fake for speech.wav, by ana" in board._status.value
    assert board._note.value == ""  # the next item has no note yet
    assert "1/5 decided" in repr(board)


def test_every_verdict_button_is_there_by_its_words(case: FakeCase) -> None:
    board = TriageBoard(case, advance=False, reviewer="ana")
    texts = [b.description for b in board._buttons.values()]
    assert texts == [
        "1  Confirmed fake",
        "2  Confirmed real",
        "3  Needs escalation",
        "4  Inconclusive",
    ]
    for verdict, button in board._buttons.items():
        button.click()
        assert case.decisions_log[-1]["verdict"] == verdict
        assert board._buttons[verdict].icon == "check"
    assert len(case.decisions_log) == 4
    assert {d["sha256"] for d in case.decisions_log} == {case.rows[1]["sha256"]}


def test_reopening_shows_the_decisions(case: FakeCase) -> None:
    first = TriageBoard(case, reviewer="ana")
    first._note.value = "spliced"
    first._buttons["needs_escalation"].click()

    again = TriageBoard(case)  # reads the verdicts back from case.results()
    again.first()
    assert again.current is not None
    assert again.current["verdict"] == "needs_escalation"
    assert again.current["note"] == "spliced"
    assert again._note.value == "spliced"
    assert again._buttons["needs_escalation"].icon == "check"
    assert "Needs escalation" in again._details.value


def test_unreviewed_only_drops_decided_items(case: FakeCase) -> None:
    board = TriageBoard(case, unreviewed_only=True, reviewer="ana")
    board._buttons["confirmed_real"].click()
    assert names(board, case) == ["interview.mp4", "voicemail.mp3"]
    assert board.current is not None and board.current["name"] == "interview.mp4"
    board._unreviewed.value = False
    assert names(board, case)[0] == "speech.wav"


def test_a_failed_write_is_reported_and_nothing_moves(case: FakeCase) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("database is locked")

    case.decide = broken  # type: ignore[method-assign]
    board = TriageBoard(case, reviewer="ana")
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


def test_the_reviewer_confirms_a_proposed_name_once_per_case(
    case: FakeCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(REVIEWER_ENV, "Ana Investigator")
    board = TriageBoard(case)
    assert board.reviewer is None and board._reviewer_bar.box.value == "Ana Investigator"
    assert "RESEMBLE_NB_REVIEWER" in board._reviewer_bar.note.value
    board._buttons["confirmed_fake"].click()
    assert "Not saved: who is deciding?" in board._status.value
    assert case.decisions_log == []
    board._reviewer_bar.box.value = "  "
    board._reviewer_bar.button.click()
    assert "Type your name first" in board._reviewer_bar.note.value
    assert "Not saved: who is deciding?" in board._status.value  # not answered yet
    board._reviewer_bar.box.value = "Ana I."
    board._reviewer_bar.button.click()
    assert "who is deciding" not in board._status.value  # answered: the question goes
    board._buttons["confirmed_fake"].click()
    assert case.decisions_log[-1]["reviewer"] == "Ana I."
    assert TriageBoard(case).reviewer == "Ana I."  # asked once


def test_keys_from_the_browser_move_and_decide(case: FakeCase) -> None:
    board = TriageBoard(case, reviewer="ana")
    send = board.inspector._on_front_msg
    send(board.inspector, {"event": "action", "action": "next"}, [])
    assert board.position == 2
    send(board.inspector, {"event": "action", "action": "last"}, [])
    assert board.position == 3
    send(board.inspector, {"event": "action", "action": "first"}, [])
    send(board.inspector, {"event": "action", "action": "decide", "verdict": "inconclusive",
                           "note": "typed, not yet synced"}, [])  # fmt: skip
    assert case.decisions_log[-1]["verdict"] == "inconclusive"
    assert case.decisions_log[-1]["note"] == "typed, not yet synced"
    assert board.position == 2


def test_panels_in_the_slot_follow_the_item(case: FakeCase) -> None:
    import ipywidgets as W

    seen: list[Any] = []

    class Panel(W.HTML):  # type: ignore[misc]
        def show_item(self, item: dict[str, Any] | None) -> None:
            seen.append(item and item["name"])

    board = TriageBoard(case)
    panel = Panel()
    board.add_panel(panel)
    calls: list[Any] = []
    board.on_item(lambda item: calls.append(item and item["name"]))
    board.next()
    assert panel in board.slot.children
    assert seen == ["speech.wav", "interview.mp4"] and calls == ["interview.mp4"]


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
    assert board.inspector.kind in {"audio", "video", "image"}

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
        again.first()
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


def test_a_big_file_shows_at_once_and_its_waveform_follows(case: FakeCase) -> None:
    record_items(case)
    board = TriageBoard(case, background_bytes=0)  # every file counts as big here
    insp = board.inspector
    assert insp.kind == "audio" and insp.src == media_route(case.folder, board.current["sha256"])
    assert [w["score"] for w in insp.windows] == [0.8, 0.95, 0.9]  # scores at once
    board.wait_drawn(30)
    assert insp.spectrogram.startswith(PNG) and len(insp.peaks) == 2400
    assert "drawing the waveform" not in insp.message
    board.next()  # interview.mp4: drawn in the background too, then cached
    board.wait_drawn(30)
    board.previous()
    assert insp.spectrogram.startswith(PNG)  # from memory now, not recomputed


def test_an_image_shows_the_heatmap_the_ledger_kept(real_case: Any, client: Any) -> None:
    real_case.review([SAMPLES], client=client, display=False, visualize=True).wait(60)
    board = TriageBoard(real_case, threshold=0.0, reviewer="ana")
    board.show("street.jpg")
    assert board.inspector.kind == "image"
    assert board.inspector.heatmap.startswith("data:image/")
