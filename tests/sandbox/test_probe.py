"""Reading media type and duration; unreadable media is reported, not guessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from resemble_nb.sandbox.probe import ProbeError, looks_non_media, probe_file, sniff

from .helpers import SAMPLES, ffmpeg, image_bytes


@pytest.mark.parametrize(
    ("name", "kind", "media_type", "duration"),
    [
        ("speech.wav", "wav", "audio", 5.0),
        ("tone.wav", "wav", "audio", 3.3),
        ("voice.mp3", "mp3", "audio", 4.0),
        ("voice.m4a", "mp4", "audio", 3.0),
        ("clip.mp4", "mp4", "video", 6.0),
        ("mute.mp4", "mp4", "video", 4.0),
        ("pic.png", "png", "image", None),
        ("pic.jpg", "jpeg", "image", None),
    ],
)
def test_probe_generated_media(
    media_dir: Path, name: str, kind: str, media_type: str, duration: float | None
) -> None:
    probe = probe_file(media_dir / name, name)
    assert (probe.kind, probe.media_type) == (kind, media_type)
    if duration is None:
        assert probe.duration is None
    else:
        assert probe.duration == pytest.approx(duration, abs=0.2)
    assert probe.has_video == (name in ("clip.mp4", "mute.mp4"))
    assert probe.has_audio == (media_type == "audio" or name == "clip.mp4")


@pytest.mark.parametrize(("fmt", "ext"), [("GIF", "gif"), ("WEBP", "webp")])
def test_other_images(tmp_path: Path, fmt: str, ext: str) -> None:
    path = tmp_path / f"x.{ext}"
    path.write_bytes(image_bytes(fmt))
    assert probe_file(path, path.name).media_type == "image"


@pytest.mark.parametrize(
    ("args", "ext", "media_type"),
    [
        (["-c:a", "flac"], "flac", "audio"),
        (["-c:a", "libvorbis"], "ogg", "audio"),
        (["-c:a", "aac", "-f", "adts"], "aac", "audio"),
    ],
)
def test_other_audio(tmp_path: Path, args: list[str], ext: str, media_type: str) -> None:
    path = tmp_path / f"x.{ext}"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=300:duration=2", *args, str(path))
    probe = probe_file(path, path.name)
    assert probe.media_type == media_type
    assert probe.duration == pytest.approx(2.0, abs=0.2)


def test_video_containers(tmp_path: Path) -> None:
    for ext, codec in (("avi", "mpeg4"), ("mkv", "mpeg4"), ("webm", "libvpx")):
        path = tmp_path / f"x.{ext}"
        ffmpeg(
            "-f", "lavfi", "-i", "testsrc=size=32x32:rate=5:duration=3",
            "-c:v", codec, str(path),
        )  # fmt: skip
        probe = probe_file(path, path.name)
        assert probe.media_type == "video", ext
        assert probe.duration == pytest.approx(3.0, abs=0.3), ext


@pytest.mark.parametrize(
    ("name", "cut", "needle"),
    [
        ("clip.mp4", 0.5, "truncated"),
        ("pic.png", 0.5, "png"),
        ("pic.jpg", 0.5, "jpeg"),
        ("speech.wav", 0.5, "truncated"),
    ],
)
def test_truncated_media_is_corrupt(
    media_dir: Path, tmp_path: Path, name: str, cut: float, needle: str
) -> None:
    data = (media_dir / name).read_bytes()
    broken = tmp_path / name
    broken.write_bytes(data[: int(len(data) * cut)])
    with pytest.raises(ProbeError, match=needle):
        probe_file(broken, name)


def test_damaged_and_non_media(media_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match="data chunk"):
        probe_file(media_dir / "damaged.wav", "damaged.wav")
    with pytest.raises(ProbeError, match="not an audio, image or video file"):
        probe_file(media_dir / "notes.txt", "notes.txt")
    noise = tmp_path / "noise.wav"
    noise.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ProbeError, match="could not recognise"):
        probe_file(noise, "noise.wav")


def test_sniff_and_non_media() -> None:
    assert sniff(b"ID3\x04") == "mp3"
    assert sniff(b"\x00\x00\x00\x18ftypmp42") == "mp4"
    assert sniff(b"\x1a\x45\xdf\xa3") == "mkv"
    assert sniff(b"OggS") == "ogg" and sniff(b"fLaC") == "flac" and sniff(b"#!AMR\n") == "amr"
    assert looks_non_media(b"hello, plain text")
    assert looks_non_media(b"%PDF-1.7 ...")
    assert looks_non_media(b"PK\x03\x04...")
    assert looks_non_media(b"")
    assert not looks_non_media(b"\x00\x01\x02binary")
    assert not looks_non_media(b"RIFF\x00\x00\x00\x00WAVE")


@pytest.mark.skipif(not (SAMPLES / "speech.wav").exists(), reason="sample media not generated")
def test_bundled_samples() -> None:
    expected = {
        "speech.wav": "audio",
        "voicemail.mp3": "audio",
        "portrait.png": "image",
        "street.jpg": "image",
        "interview.mp4": "video",
    }
    for name, media_type in expected.items():
        if (SAMPLES / name).exists():
            assert probe_file(SAMPLES / name, name).media_type == media_type
    if (SAMPLES / "damaged.wav").exists():
        with pytest.raises(ProbeError):
            probe_file(SAMPLES / "damaged.wav", "damaged.wav")
