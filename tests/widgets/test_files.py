"""FilePicker and UploadPicker, driven headless the way a browser would drive them."""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from resemble_nb.widgets import FilePicker, UploadPicker
from resemble_nb.widgets._store import safe_name, save_upload
from resemble_nb.widgets.files import DEFAULT_MAX_BYTES, DEFAULT_UPLOAD_MAX_BYTES

SAMPLES = Path(__file__).resolve().parents[2] / "resemble_nb" / "samples"


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    root = tmp_path / "evidence"
    (root / "calls").mkdir(parents=True)
    (root / "Photos").mkdir()
    (root / ".cache").mkdir()
    shutil.copy(SAMPLES / "speech.wav", root / "speech.wav")
    shutil.copy(SAMPLES / "interview.mp4", root / "interview.mp4")
    shutil.copy(SAMPLES / "street.jpg", root / "street.jpg")
    shutil.copy(SAMPLES / "notes.txt", root / "notes.txt")
    shutil.copy(SAMPLES / "voicemail.mp3", root / "calls" / "voicemail.mp3")
    shutil.copy(SAMPLES / "speech.wav", root / ".hidden.wav")
    return root


def listed(picker: FilePicker) -> list[str]:
    return [value for _label, value in picker._files.options]


# -- FilePicker ------------------------------------------------------------------------


def test_lists_media_and_subfolders_but_not_text_or_hidden_files(evidence: Path) -> None:
    picker = FilePicker(evidence)

    assert listed(picker) == ["interview.mp4", "speech.wav", "street.jpg"]
    assert list(picker._folders.options) == ["calls", "Photos"]
    labels = [label for label, _ in picker._files.options]
    assert labels[1] == "speech.wav  (192 KB)"
    assert picker.selected == []
    assert str(evidence) in picker._location.value


def test_open_a_subfolder_and_go_back_up(evidence: Path) -> None:
    picker = FilePicker(evidence)

    picker._folders.value = "calls"
    picker._open.click()
    assert picker.folder == evidence / "calls"
    assert listed(picker) == ["voicemail.mp3"]

    picker._up.click()
    assert picker.folder == evidence
    assert "speech.wav" in listed(picker)


def test_multi_select_shows_count_and_total_size(evidence: Path) -> None:
    picker = FilePicker(evidence)

    picker._files.value = ("speech.wav", "street.jpg")

    assert picker.selected == [evidence / "speech.wav", evidence / "street.jpg"]
    total = (evidence / "speech.wav").stat().st_size + (evidence / "street.jpg").stat().st_size
    assert picker.total_bytes == total
    assert "2 files selected (199.9 KB)" in picker._summary.value
    assert repr(picker) == f"FilePicker: {evidence} — 2 files selected (199.9 KB)"


def test_selection_is_kept_across_folders(evidence: Path) -> None:
    picker = FilePicker(evidence)
    picker._files.value = ("speech.wav",)
    picker.browse("calls")
    picker._files.value = ("voicemail.mp3",)
    picker.up()

    assert picker._files.value == ("speech.wav",)  # shown as selected again
    assert picker.selected == [evidence / "calls" / "voicemail.mp3", evidence / "speech.wav"]

    picker._files.value = ()  # deselect here only
    assert picker.selected == [evidence / "calls" / "voicemail.mp3"]


def test_type_filter_hides_and_deselects_a_type(evidence: Path) -> None:
    picker = FilePicker(evidence)
    picker._all.click()
    assert len(picker.selected) == 3

    picker._types["video"].value = False

    assert listed(picker) == ["speech.wav", "street.jpg"]
    assert picker.selected == [evidence / "speech.wav", evidence / "street.jpg"]
    assert picker.media_types == ("audio", "image")
    assert "1 more selected of an unticked type" in picker._summary.value

    picker._types["video"].value = True  # ticked again: the selection comes back
    assert len(picker.selected) == 3
    assert picker._files.value == ("interview.mp4", "speech.wav", "street.jpg")
    assert "unticked" not in picker._summary.value


def test_duplicates_are_explained(evidence: Path) -> None:
    shutil.copy(evidence / "speech.wav", evidence / "speech copy.wav")
    shutil.copy(evidence / "speech.wav", evidence / "call_07.wav")
    picker = FilePicker(evidence)
    picker._all.click()
    assert len(picker.selected) == 5
    assert picker.duplicates() == {
        evidence / "call_07.wav": [evidence / "speech copy.wav", evidence / "speech.wav"]
    }
    assert (
        "5 files, 3 distinct: 2 duplicates (speech copy.wav, speech.wav are copies of "
        "call_07.wav), each reviewed once"
    ) in picker._summary.value


def browser_ticks(picker: FilePicker, names: list[str]) -> None:
    """What the browser sends when a file's checkbox is clicked: the ticked values."""
    picker._files._handle_msg(
        {
            "content": {
                "data": {"method": "update", "state": {"value": names}, "buffer_paths": []}
            },
            "buffers": [],
        }
    )


def test_one_click_after_select_all_unticks_that_file_and_keeps_the_others(
    evidence: Path,
) -> None:
    for i in range(57):
        (evidence / f"call_{i:02d}.wav").write_bytes(b"RIFF" + i.to_bytes(4, "little"))
    picker = FilePicker(evidence)
    picker._all.click()
    assert len(picker.selected) == 60
    ticked = list(picker._files.value)
    assert len(ticked) == 60

    # the checklist sends every still-ticked value, not just the one clicked
    browser_ticks(picker, [n for n in ticked if n != "call_07.wav"])

    assert len(picker.selected) == 59
    assert evidence / "call_07.wav" not in picker.selected
    assert "59 files selected" in picker._summary.value
    assert "call_07.wav" not in picker._files.value and len(picker._files.value) == 59

    browser_ticks(picker, ticked)  # ticked again: 60, the size back in the total
    assert len(picker.selected) == 60
    assert "60 files selected" in picker._summary.value


def test_the_file_list_is_a_checkbox_list_not_a_multi_select(evidence: Path) -> None:
    from resemble_nb.widgets._checklist import CheckList

    picker = FilePicker(evidence)
    assert isinstance(picker._files, CheckList)
    assert 'type = "checkbox"' in picker._files._esm
    assert "overflow-y: auto" in picker._files._css  # a scrolling box, not 60 rows tall
    assert repr(picker._files) == "CheckList: 0 of 3 ticked"


def test_media_types_argument_sets_the_filter(evidence: Path) -> None:
    picker = FilePicker(evidence, media_types=["image"])
    assert listed(picker) == ["street.jpg"]
    with pytest.raises(ValueError, match=r"unknown media type.*'text'"):
        FilePicker(evidence, media_types=["text"])


def test_files_over_the_limit_are_named_in_the_summary(evidence: Path) -> None:
    picker = FilePicker(evidence, max_bytes=50_000)
    picker._all.click()

    assert picker.too_large == [evidence / "speech.wav"]
    summary = picker._summary.value
    assert "1 over the 50 KB limit" in summary and "speech.wav (192 KB)" in summary
    assert "⚠ over 50 KB" in dict((v, k) for k, v in picker._files.options)["speech.wav"]
    assert repr(picker).endswith("1 over 50 KB")
    assert picker.too_large[0] in picker.selected  # flagged, not silently dropped


def test_default_limit_is_the_direct_upload_cap(evidence: Path) -> None:
    assert FilePicker(evidence).max_bytes == DEFAULT_MAX_BYTES == 150 * 1000**2


def test_clear_button_empties_the_selection_everywhere(evidence: Path) -> None:
    picker = FilePicker(evidence)
    picker._all.click()
    picker.browse("calls")
    picker._all.click()
    picker._none.click()
    assert picker.selected == []
    assert picker._files.value == ()


def test_bad_folder_is_refused_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nowhere: no such folder"):
        FilePicker(tmp_path / "nowhere")
    (tmp_path / "clip.wav").write_bytes(b"x")
    with pytest.raises(NotADirectoryError, match=r"clip\.wav: not a folder"):
        FilePicker(tmp_path / "clip.wav")


def test_unreadable_folder_keeps_the_current_one_and_says_why(
    evidence: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    picker = FilePicker(evidence)
    real_scandir = os.scandir
    locked = evidence / "Photos"

    def scandir(path: Any) -> Any:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    picker.browse("Photos")

    assert picker.folder == evidence
    assert f"Cannot open {locked}: Permission denied" in picker._summary.value
    assert "speech.wav" in listed(picker)


def test_folder_names_are_escaped_in_html(tmp_path: Path) -> None:
    odd = tmp_path / "<img src=x onerror=alert(1)>"
    odd.mkdir()
    picker = FilePicker(odd)
    assert "<img" not in picker._location.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in picker._location.value


def test_a_huge_folder_lists_a_bounded_number_of_files(tmp_path: Path) -> None:
    for i in range(2100):
        (tmp_path / f"clip{i:04d}.wav").write_bytes(b"")
    picker = FilePicker(tmp_path)
    assert len(picker._files.options) == 2000
    assert "Showing the first 2,000 of 2,100 files" in picker._summary.value


# -- UploadPicker ----------------------------------------------------------------------


def browser_file(name: str, data: bytes | None, size: int | None = None) -> dict[str, Any]:
    """What ipywidgets' front end sends for one chosen file."""
    return {
        "name": name,
        "type": "application/octet-stream",
        "size": len(data or b"") if size is None else size,
        "last_modified": int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp() * 1000),
        "content": memoryview(data) if data is not None else None,
    }


def upload(picker: UploadPicker, *files: dict[str, Any]) -> None:
    picker._upload.set_state({"value": list(files)})


@pytest.fixture
def case(tmp_path: Path) -> SimpleNamespace:
    return SimpleNamespace(folder=tmp_path / "case")


def test_upload_saves_into_the_case_and_clears_the_widget(case: SimpleNamespace) -> None:
    picker = UploadPicker(case)
    data = (SAMPLES / "speech.wav").read_bytes()

    upload(picker, browser_file("speech.wav", data))

    saved = case.folder / "uploads" / "speech.wav"
    assert picker.paths == [saved]
    assert saved.read_bytes() == data
    assert picker._upload.value == ()  # no bytes left in the widget state
    assert picker._upload.get_state()["value"] == []
    digest = hashlib.sha256(data).hexdigest()
    assert picker.messages == [
        f"Saved: speech.wav (192 KB, audio) as speech.wav, sha256 {digest[:12]}…"
    ]
    assert "speech.wav" in picker._status.value
    assert "1 file saved</b> into the case" in picker._status.value
    assert [p.name for p in saved.parent.iterdir()] == ["speech.wav"]  # no temp files left


def test_several_files_at_once_and_a_folder_path_instead_of_a_case(tmp_path: Path) -> None:
    picker = UploadPicker(tmp_path)
    upload(
        picker,
        browser_file("street.jpg", (SAMPLES / "street.jpg").read_bytes()),
        browser_file("voicemail.mp3", (SAMPLES / "voicemail.mp3").read_bytes()),
    )
    assert [p.name for p in picker.paths] == ["street.jpg", "voicemail.mp3"]
    assert all(p.parent == tmp_path / "uploads" for p in picker.paths)
    assert repr(picker) == f"UploadPicker: 2 files saved into {tmp_path / 'uploads'}"


def test_too_large_is_refused_on_its_declared_size_before_reading(case: SimpleNamespace) -> None:
    picker = UploadPicker(case, max_bytes=1000**2)

    # content=None: touching it would raise, so a clean refusal shows it was never read
    upload(picker, browser_file("huge.mp4", None, size=3 * 1000**2))

    assert picker.paths == []
    assert picker.messages == [
        "Refused huge.mp4: 3 MB is over the 1 MB limit for browser uploads. "
        "Copy it to the server and pick it with FilePicker."
    ]
    assert not (case.folder / "uploads").exists()
    assert picker._upload.value == ()


def test_a_wrong_declared_size_does_not_get_past_the_limit(case: SimpleNamespace) -> None:
    picker = UploadPicker(case, max_bytes=100)
    upload(picker, browser_file("liar.wav", b"x" * 500, size=10))
    assert picker.paths == []
    assert picker.messages[0].startswith("Refused liar.wav: 500 bytes is over the 100 bytes")


def test_default_upload_limit_matches_jupyters_message_cap(case: SimpleNamespace) -> None:
    picker = UploadPicker(case)
    assert picker.max_bytes == DEFAULT_UPLOAD_MAX_BYTES == 10 * 1000**2
    assert "up to 10 MB each" in picker._help.value


def test_same_name_different_content_gets_a_new_name(case: SimpleNamespace) -> None:
    picker = UploadPicker(case)
    wav = (SAMPLES / "speech.wav").read_bytes()
    other = wav[:-2] + bytes([wav[-2] ^ 1, wav[-1]])  # another valid wav, one sample off

    upload(picker, browser_file("call.wav", wav))
    upload(picker, browser_file("call.wav", other))
    upload(picker, browser_file("call.wav", wav))  # identical bytes: reused, not copied

    folder = case.folder / "uploads"
    assert picker.paths == [folder / "call.wav", folder / "call (1).wav"]
    assert sorted(p.name for p in folder.iterdir()) == ["call (1).wav", "call.wav"]
    assert picker.messages[-1].startswith("Already there: call.wav")


def test_content_that_is_not_media_is_refused_and_removed(case: SimpleNamespace) -> None:
    picker = UploadPicker(case)
    upload(picker, browser_file("evil.wav", b"just some text pretending to be audio\n" * 10))
    assert picker.paths == []
    assert picker.messages[0].startswith("Refused evil.wav: evil.wav:")
    assert list((case.folder / "uploads").iterdir()) == []


def test_empty_file_is_refused(case: SimpleNamespace) -> None:
    picker = UploadPicker(case)
    upload(picker, browser_file("blank.wav", b""))
    assert picker.messages == ["Refused blank.wav: the file is empty."]


def test_names_from_the_browser_cannot_escape_the_uploads_folder(case: SimpleNamespace) -> None:
    picker = UploadPicker(case)
    upload(picker, browser_file("../../outside.jpg", (SAMPLES / "street.jpg").read_bytes()))
    assert picker.paths == [case.folder / "uploads" / "outside.jpg"]
    assert not (case.folder.parent / "outside.jpg").exists()


def test_a_folder_that_cannot_be_written_gives_a_message(tmp_path: Path) -> None:
    (tmp_path / "uploads").write_text("a file where the folder should be")
    picker = UploadPicker(tmp_path)
    upload(picker, browser_file("street.jpg", (SAMPLES / "street.jpg").read_bytes()))
    assert picker.paths == []
    assert picker.messages[0].startswith(f"Could not save street.jpg into {tmp_path / 'uploads'}")
    assert picker._upload.value == ()


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\clips\\call 1.wav", "call 1.wav"),
        (".bashrc", "bashrc"),
        ("..", "upload"),
        ("a\x00b<c>.wav", "a_b_c_.wav"),
        ("x" * 300 + ".wav", "x" * 196 + ".wav"),
    ],
)
def test_safe_name(sent: str, kept: str) -> None:
    assert safe_name(sent) == kept


def test_save_upload_never_clobbers_a_different_file(tmp_path: Path) -> None:
    first = save_upload(tmp_path, "a.wav", b"one")
    second = save_upload(tmp_path, "a.wav", b"two")
    again = save_upload(tmp_path, "a.wav", b"two")
    assert (first.path.name, second.path.name, again.path.name) == (
        "a.wav",
        "a (1).wav",
        "a (1).wav",
    )
    assert (first.created, second.created, again.created) == (True, True, False)
    assert first.path.read_bytes() == b"one" and second.path.read_bytes() == b"two"
    assert second.sha256 == hashlib.sha256(b"two").hexdigest()


# -- against a real case and the sandbox ------------------------------------------------


def test_an_uploaded_file_lands_in_the_case_and_can_be_reviewed(
    real_case: Any, client: Any
) -> None:
    picker = UploadPicker(real_case)
    data = (SAMPLES / "voicemail.mp3").read_bytes()

    upload(picker, browser_file("from my laptop.mp3", data))

    (saved,) = picker.paths
    assert saved == real_case.uploads / "from my laptop.mp3"
    assert saved.read_bytes() == data
    run = real_case.review(picker.paths, client=client, display=False).wait(60)
    frame = run.results()
    assert list(frame["status"].astype(str)) == ["completed"]
    assert list(frame["sha256"]) == [hashlib.sha256(data).hexdigest()]


def test_file_picker_selection_feeds_a_real_review(
    evidence: Path, real_case: Any, client: Any
) -> None:
    picker = FilePicker(evidence)
    picker._files.value = ("speech.wav", "street.jpg")
    run = real_case.review(picker.selected, client=client, display=False).wait(60)
    assert sorted(run.results()["name"]) == ["speech.wav", "street.jpg"]


def test_uploads_the_case_has_not_reviewed_are_offered(tmp_path: Path) -> None:
    import pandas as pd

    reviewed = hashlib.sha256((SAMPLES / "speech.wav").read_bytes()).hexdigest()

    class Reviewed(SimpleNamespace):
        def results(self) -> pd.DataFrame:
            return pd.DataFrame({"sha256": [reviewed]})

    picker = UploadPicker(Reviewed(folder=tmp_path / "case"))
    upload(picker, browser_file("speech.wav", (SAMPLES / "speech.wav").read_bytes()))
    assert picker.not_reviewed == []
    upload(picker, browser_file("late.mp3", (SAMPLES / "voicemail.mp3").read_bytes()))
    assert [p.name for p in picker.not_reviewed] == ["late.mp3"]
    assert "1 not reviewed yet</b> (late.mp3)" in picker._status.value
    assert "case.review(picker.paths)" in picker._status.value


# -- UploadPicker: large files in pieces ------------------------------------------------


def big_wav(path: Path, seconds: float = 130.0, rate: int = 48_000) -> bytes:
    """A real WAV larger than one Jupyter message (about 12.5 MB), made at test time."""
    import wave

    import numpy as np

    t = np.arange(int(seconds * rate)) / rate
    samples = (8000 * np.sin(2 * np.pi * 440 * t)).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path.read_bytes()


class Browser:
    """Drives a ChunkedUpload the way its ES module does: begin, pieces, end, each acked."""

    def __init__(self, widget: Any) -> None:
        self.widget = widget
        self.replies: list[dict[str, Any]] = []
        widget.send = lambda content, buffers=None: self.replies.append(content)

    def say(self, content: dict[str, Any], buffers: list[bytes] | None = None) -> dict[str, Any]:
        self.widget._handle_custom_msg(content, buffers or [])
        return self.replies[-1]

    def send_file(self, key: str, name: str, data: bytes) -> list[dict[str, Any]]:
        chunk = self.widget.chunk_bytes
        reply = self.say({"event": "begin", "id": key, "name": name, "size": len(data)})
        offset = 0
        while reply["ok"] and offset < len(data):
            piece = data[offset : offset + chunk]
            reply = self.say({"event": "chunk", "id": key, "offset": offset}, [piece])
            offset = reply["received"]
        if reply["ok"]:
            self.say({"event": "end", "id": key})
        return [r for r in self.replies if r["id"] == key]


def test_a_file_bigger_than_one_message_arrives_in_pieces(
    case: SimpleNamespace, tmp_path: Path
) -> None:
    data = big_wav(tmp_path / "long-call.wav")
    assert len(data) > DEFAULT_UPLOAD_MAX_BYTES  # FileUpload would have refused it
    picker = UploadPicker(case)
    browser = Browser(picker._large)

    replies = browser.send_file("f1", "long-call.wav", data)

    saved = case.folder / "uploads" / "long-call.wav"
    assert picker.paths == [saved]
    assert saved.read_bytes() == data
    digest = hashlib.sha256(data).hexdigest()
    assert replies[-1] == {
        "id": "f1",
        "ok": True,
        "message": f"Saved: long-call.wav (12.5 MB, audio) as long-call.wav, sha256 {digest[:12]}…",
        "received": len(data),
    }
    # the progress moved piece by piece, and no piece came near the message limit
    received = [r["received"] for r in replies[1:-1]]
    assert received == sorted(received) and len(received) == -(-len(data) // 1000**2)
    assert picker._large.largest_message <= 1000**2 < DEFAULT_UPLOAD_MAX_BYTES
    assert picker._large.progress == {}
    assert [p.name for p in saved.parent.iterdir()] == ["long-call.wav"]  # no .part left
    assert "1 file saved</b>" in picker._status.value
    assert "Upload large media" in repr(picker._large.description)
    assert "bytes" not in picker._large.get_state() and "value" not in picker._large.get_state()


def test_pieces_report_progress_while_in_flight(case: SimpleNamespace) -> None:
    picker = UploadPicker(case)
    large = picker._large
    large.chunk_bytes = 1000
    browser = Browser(large)
    browser.say({"event": "begin", "id": "a", "name": "x.wav", "size": 2500})
    browser.say({"event": "chunk", "id": "a", "offset": 0}, [b"\0" * 1000])
    assert large.progress == {"a": ("x.wav", 1000, 2500)}
    assert repr(large) == "ChunkedUpload: x.wav 40% (pieces of 1 KB)"


def test_a_piece_out_of_order_or_a_short_file_leaves_nothing(case: SimpleNamespace) -> None:
    picker = UploadPicker(case)
    browser = Browser(picker._large)
    browser.say({"event": "begin", "id": "a", "name": "x.wav", "size": 2000})
    reply = browser.say({"event": "chunk", "id": "a", "offset": 500}, [b"\0" * 10])
    assert reply["ok"] is False and "piece at byte 500, expected 0" in reply["message"]
    browser.say({"event": "begin", "id": "b", "name": "y.wav", "size": 2000})
    browser.say({"event": "chunk", "id": "b", "offset": 0}, [b"\0" * 1000])
    reply = browser.say({"event": "end", "id": "b"})
    assert reply["ok"] is False and "1000 of 2000 bytes arrived" in reply["message"]
    assert picker.paths == [] and picker._large.progress == {}
    assert list((case.folder / "uploads").iterdir()) == []


def test_large_uploads_refuse_oversized_empty_and_non_media(case: SimpleNamespace) -> None:
    picker = UploadPicker(case, large_max_bytes=5000)
    browser = Browser(picker._large)
    reply = browser.say({"event": "begin", "id": "a", "name": "huge.mp4", "size": 6000})
    assert reply["ok"] is False and reply["message"].startswith("Refused huge.mp4: 6 KB is over")
    reply = browser.say({"event": "begin", "id": "b", "name": "e.wav", "size": 0})
    assert reply == {
        "id": "b",
        "ok": False,
        "message": "Refused e.wav: the file is empty.",
        "received": 0,
    }
    replies = browser.send_file("c", "fake.wav", b"not a wav at all" * 10)
    assert replies[-1]["ok"] is True and replies[-1]["message"].startswith("Refused fake.wav:")
    assert picker.paths == []
    assert not (case.folder / "uploads").exists() or list((case.folder / "uploads").iterdir()) == []
