"""inspect(): real files in, a usable item or a clear, specific skip reason out."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
from pathlib import Path

import pytest

from resemble_nb.media import CHUNK_SIZE, MediaFile, inspect, sha256_file

from .conftest import SAMPLES, call_unprivileged, write_wav

EXPECTED = {
    "tone.wav": ("audio", "audio/wav"),
    "tone.mp3": ("audio", "audio/mpeg"),
    "bare.mp3": ("audio", "audio/mpeg"),  # no ID3 tag: frame sync only
    "tone.m4a": ("audio", "audio/mp4"),
    "tone.ogg": ("audio", "audio/ogg"),
    "tone.aac": ("audio", "audio/aac"),
    "tone.flac": ("audio", "audio/flac"),
    "tone.amr": ("audio", "audio/amr"),
    "clip.mp4": ("video", "video/mp4"),
    "clip.mov": ("video", "video/quicktime"),
    "clip.avi": ("video", "video/x-msvideo"),
    "clip.mkv": ("video", "video/x-matroska"),
    "clip.webm": ("video", "video/webm"),
    "clip.3gp": ("video", "video/3gpp"),
    "still.png": ("image", "image/png"),
    "still.jpg": ("image", "image/jpeg"),
    "still.gif": ("image", "image/gif"),
    "still.webp": ("image", "image/webp"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_allowed_format_is_recognised_from_its_content(media_dir: Path, name: str) -> None:
    path = media_dir / name
    found = inspect(path)
    assert found.ok, found.reason
    assert (found.media_type, found.mime) == EXPECTED[name]
    assert found.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert found.size == path.stat().st_size
    assert found.path == path and found.name == name and found.extension == path.suffix


@pytest.mark.parametrize(
    "name", ["tone.wav", "tone.mp3", "tone.m4a", "tone.ogg", "tone.flac", "clip.mp4"]
)
def test_duration_is_read_where_a_header_gives_it(media_dir: Path, name: str) -> None:
    duration = inspect(media_dir / name).duration
    assert duration == pytest.approx(2.0, abs=0.1)


def test_images_have_no_duration(media_dir: Path) -> None:
    assert inspect(media_dir / "still.png").duration is None


def test_extension_case_does_not_matter(media_dir: Path, tmp_path: Path) -> None:
    upper = shutil.copy(media_dir / "tone.wav", tmp_path / "CALL.WAV")
    found = inspect(upper)
    assert found.ok and found.extension == ".wav" and found.media_type == "audio"


def test_shared_container_extensions_are_consistent(media_dir: Path, tmp_path: Path) -> None:
    """An .m4a is MPEG-4 content; naming it .mp4 is not a mismatch (same container)."""
    renamed = shutil.copy(media_dir / "tone.m4a", tmp_path / "tone.mp4")
    assert inspect(renamed).ok
    webm_as_mkv = shutil.copy(media_dir / "clip.webm", tmp_path / "clip.mkv")
    assert inspect(webm_as_mkv).ok


def test_bundled_samples(tmp_path: Path) -> None:
    if not SAMPLES.is_dir():
        pytest.skip("resemble_nb/samples not present")
    usable = {p.name: inspect(p) for p in SAMPLES.iterdir()}
    for name in ("speech.wav", "voicemail.mp3", "portrait.png", "street.jpg", "interview.mp4"):
        assert usable[name].ok, usable[name].reason
    assert usable["damaged.wav"].problem == "corrupt"
    assert "WAV audio" in str(usable["damaged.wav"].reason)
    assert usable["notes.txt"].problem == "unsupported"
    assert "plain text" in str(usable["notes.txt"].reason)


# -- every bad-input reason, each naming the file ------------------------------------------


def _skipped(found: MediaFile, problem: str, *words: str) -> None:
    assert not found.ok
    assert found.problem == problem, found.reason
    assert found.reason is not None and found.reason.startswith(f"{found.path}: ")
    for word in words:
        assert word in found.reason, found.reason


def test_missing_file(tmp_path: Path) -> None:
    _skipped(inspect(tmp_path / "gone.wav"), "missing", "file not found")
    _skipped(inspect(tmp_path / "gone" / "deeper.wav"), "missing", "file not found")


def test_folder_pipe_socket_and_device_are_not_regular_files(tmp_path: Path) -> None:
    _skipped(inspect(tmp_path), "not_a_file", "it is a folder")
    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    _skipped(inspect(fifo), "not_a_file", "named pipe")  # and it did not block on open
    sock_path = tmp_path / "s.wav"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        _skipped(inspect(sock_path), "not_a_file", "a socket")
    _skipped(inspect("/dev/null"), "not_a_file", "character device")


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.touch()
    _skipped(inspect(empty), "empty", "empty (0 bytes)")


def test_plain_text_is_unsupported_and_says_what_it_looks_like(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Call with the bank on Tuesday: transfer requested.\n")
    _skipped(inspect(notes), "unsupported", "not a supported media type", "plain text")


def test_text_named_as_audio_is_unsupported(tmp_path: Path) -> None:
    fake = tmp_path / "recording.wav"
    fake.write_text("this is not audio at all, just words\n" * 3)
    _skipped(inspect(fake), "unsupported", "named .wav", "plain text")


def test_other_formats_are_named(tmp_path: Path) -> None:
    pdf = tmp_path / "statement.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    _skipped(inspect(pdf), "unsupported", "Portable Document Format")
    noise = tmp_path / "noise.bin"
    noise.write_bytes(bytes(range(256)) * 4)
    _skipped(inspect(noise), "unsupported", "no known format")


def test_media_with_an_extension_the_api_refuses_gets_a_rename_hint(
    media_dir: Path, tmp_path: Path
) -> None:
    odd = shutil.copy(media_dir / "tone.mp3", tmp_path / "voicemail.dat")
    _skipped(inspect(odd), "unsupported", ".dat is not accepted", "MP3 audio", "rename it to .mp3")
    bare = shutil.copy(media_dir / "still.png", tmp_path / "photo")
    _skipped(inspect(bare), "unsupported", "(none)", "PNG image", "rename it to .png")


def test_extension_content_mismatch(media_dir: Path, tmp_path: Path) -> None:
    png_as_wav = shutil.copy(media_dir / "still.png", tmp_path / "call.wav")
    _skipped(inspect(png_as_wav), "mismatch", "named .wav (WAV audio)", "PNG image")
    mp3_as_jpg = shutil.copy(media_dir / "tone.mp3", tmp_path / "photo.jpg")
    _skipped(inspect(mp3_as_jpg), "mismatch", "named .jpg (JPEG image)", "MP3 audio")
    wav_as_avi = shutil.copy(media_dir / "tone.wav", tmp_path / "clip.avi")  # both RIFF
    _skipped(inspect(wav_as_avi), "mismatch", "named .avi (AVI video)", "WAV audio")


def test_too_large_for_any_path(media_dir: Path) -> None:
    path = media_dir / "tone.wav"
    size = path.stat().st_size
    _skipped(inspect(path, max_bytes=size - 1), "too_large", "over resemble_nb's own safety cap")
    assert inspect(path, max_bytes=size).ok


def test_too_large_does_not_read_the_file(tmp_path: Path) -> None:
    """A 6 GB sparse file is refused from its size alone (no hashing of 6 GB)."""
    huge = tmp_path / "huge.mp4"
    with open(huge, "wb") as out:
        out.truncate(6 * 1000**3)
    found = inspect(huge)
    _skipped(found, "too_large", "6 GB", "cap of 5 GB", "RESEMBLE_NB_MAX_FILE_GB=7")
    assert found.sha256 is None


def test_truncated_wav_is_corrupt(tmp_path: Path) -> None:
    whole = write_wav(tmp_path / "whole.wav", seconds=2.0)
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole.read_bytes()[:500])
    found = inspect(cut)
    _skipped(found, "corrupt", "truncated", "2.0 s")
    assert found.sha256 == hashlib.sha256(cut.read_bytes()).hexdigest()  # hashed, then probed


def test_damaged_headers_are_corrupt(media_dir: Path, tmp_path: Path) -> None:
    png = (media_dir / "still.png").read_bytes()
    (tmp_path / "half.png").write_bytes(png[: len(png) // 2])
    _skipped(inspect(tmp_path / "half.png"), "corrupt", "cannot be read as PNG image")
    mp4 = (media_dir / "clip.mp4").read_bytes()
    (tmp_path / "cut.mp4").write_bytes(mp4[:1500])
    # cut inside mdat, before the moov at the end: a recording never finished
    _skipped(inspect(tmp_path / "cut.mp4"), "corrupt", "incomplete MP4: the recording may not")
    wav = bytearray(write_wav(tmp_path / "w.wav").read_bytes())
    wav[12:40] = bytes(28)  # wipe the fmt chunk
    (tmp_path / "nofmt.wav").write_bytes(wav)
    _skipped(inspect(tmp_path / "nofmt.wav"), "corrupt", "cannot be read as WAV audio")


def test_integrity_check_can_be_turned_off(tmp_path: Path) -> None:
    whole = write_wav(tmp_path / "whole.wav", seconds=2.0)
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole.read_bytes()[:500])
    found = inspect(cut, check_integrity=False)
    assert found.ok and found.duration is None


def test_unreadable_file(shared_tmp: Path) -> None:
    """Permission denied by the kernel (as root, the check runs in a child as nobody)."""
    locked = write_wav(shared_tmp / "locked.wav")
    locked.chmod(0o000)
    found = call_unprivileged(inspect, str(locked))
    assert isinstance(found, MediaFile)
    _skipped(found, "unreadable", "cannot be read", "Permission denied")


# -- hashing ----------------------------------------------------------------------------


def test_large_file_is_hashed_in_chunks_and_matches_hashlib(tmp_path: Path) -> None:
    """3.5 chunks of content with a WAV header: streamed path, same digest as hashlib."""
    big = write_wav(tmp_path / "big.wav", seconds=(3.5 * CHUNK_SIZE) / 16000)
    assert big.stat().st_size > 3 * CHUNK_SIZE
    expected = hashlib.sha256(big.read_bytes()).hexdigest()
    found = inspect(big)
    assert found.ok, found.reason
    assert found.sha256 == expected == sha256_file(big)
    assert found.size == big.stat().st_size


def test_same_content_same_hash_different_content_different_hash(tmp_path: Path) -> None:
    a = write_wav(tmp_path / "a.wav")
    b = shutil.copy(a, tmp_path / "b.wav")
    c = write_wav(tmp_path / "c.wav", seconds=1.5)
    assert inspect(a).sha256 == inspect(b).sha256 != inspect(c).sha256
