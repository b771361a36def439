"""Files to upload: checked before sending, named in every complaint."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from resemble_nb.api import BatchLimitError, FileRejectedError
from resemble_nb.api._uploads import (
    MAX_BATCH_FILES,
    Upload,
    check_batch,
    check_direct,
    content_type,
)


def test_path_upload_knows_name_and_size(tmp_path: Path) -> None:
    f = tmp_path / "call.wav"
    f.write_bytes(b"RIFF" + b"\0" * 100)
    upload = Upload.make("file", f)
    assert (upload.filename, upload.size) == ("call.wav", 104)
    assert Upload.make("file", str(f), filename="other.wav").filename == "other.wav"


def test_file_object_upload(tmp_path: Path) -> None:
    f = tmp_path / "clip.mp3"
    f.write_bytes(b"ID3" + b"\0" * 50)
    with f.open("rb") as handle:
        upload = Upload.make("file", handle)
        assert (upload.filename, upload.size) == ("clip.mp3", 53)
    memory = Upload.make("file", io.BytesIO(b"abc"), filename="x.png")
    assert (memory.filename, memory.size) == ("x.png", 3)
    assert Upload.make("file", io.BytesIO(b"abc")).filename == "upload"


def test_bad_inputs_name_the_file_and_the_reason(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"missing\.wav"):
        Upload.make("file", tmp_path / "missing.wav")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(FileRejectedError, match=r"empty.wav: the file is empty") as info:
        Upload.make("file", empty)
    assert info.value.path == str(empty)
    with pytest.raises(FileRejectedError, match="not a regular file"):
        Upload.make("file", tmp_path)
    with pytest.raises(FileRejectedError, match="binary mode"):
        Upload.make("file", io.StringIO("text"))  # type: ignore[arg-type]


def test_direct_upload_cap_points_to_secure_upload() -> None:
    big = Upload("file", "big.mp4", "big.mp4", 150_000_001)
    with pytest.raises(
        FileRejectedError, match=r"big.mp4: 150.0 MB is over the 150 MB.*secure_upload"
    ):
        check_direct(big)
    check_direct(Upload("file", "ok.mp4", "ok.mp4", 150_000_000))


def test_batch_limits_name_the_limit(tmp_path: Path) -> None:
    small = [Upload("files[]", f"{i}.wav", f"{i}.wav", 10) for i in range(MAX_BATCH_FILES)]
    check_batch(small)
    with pytest.raises(BatchLimitError, match="51 files; a batch takes at most 50 files"):
        check_batch([*small, small[0]])
    heavy = [
        Upload("files[]", "a.mp4", "a.mp4", 300_000_000),
        Upload("files[]", "b.mp4", "b.mp4", 200_000_001),
    ]
    with pytest.raises(BatchLimitError, match="at most 500 MB"):
        check_batch(heavy)
    with pytest.raises(BatchLimitError, match="at least one file"):
        check_batch([])


def test_zip_batches_count_media_entries(tmp_path: Path) -> None:
    archive = tmp_path / "case.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for i in range(51):
            z.writestr(f"clips/{i}.wav", b"x")
        z.writestr("README.txt", b"skipped by the server")
    with pytest.raises(BatchLimitError, match=r"case\.zip: 51 media files"):
        check_batch([], Upload.make("file", archive))
    fine = tmp_path / "fine.zip"
    with zipfile.ZipFile(fine, "w") as z:
        for i in range(50):
            z.writestr(f"{i}.jpg", b"x")
        z.writestr("notes.txt", b"x")
    check_batch([], Upload.make("file", fine))
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    with pytest.raises(FileRejectedError, match=r"broken\.zip: not a readable zip"):
        check_batch([], Upload.make("file", broken))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.wav", "audio/wav"),
        ("A.MP3", "audio/mpeg"),
        ("b.m4a", "audio/mp4"),
        ("c.mov", "video/quicktime"),
        ("d.jpeg", "image/jpeg"),
        ("e.webp", "image/webp"),
        ("f.zip", "application/zip"),
        ("g.unknownext", "application/octet-stream"),
    ],
)
def test_content_types(name: str, expected: str) -> None:
    assert content_type(name) == expected


def test_batch_files_can_be_sent_under_another_name(tmp_path: Path) -> None:
    """``(filename, file)`` pairs replace renaming file objects (engine upload names)."""
    from resemble_nb.api._calls import detect_batch_call

    clip = tmp_path / "call.wav"
    clip.write_bytes(b"RIFF0000WAVE")
    call = detect_batch_call([("a1b2-call.wav", clip), clip], None, None, None, {})
    assert [(u.filename, u.source) for u in call.uploads] == [
        ("a1b2-call.wav", clip),
        ("call.wav", clip),
    ]
