"""Sniffing: content decides, with puremagic; text and unknown data are described."""

from __future__ import annotations

import io
from pathlib import Path

from resemble_nb.media import sniff_data, sniff_stream


def test_content_not_name_decides(media_dir: Path) -> None:
    assert sniff_data((media_dir / "tone.wav").read_bytes()).family.name == "wav"  # type: ignore[union-attr]
    assert sniff_data((media_dir / "still.webp").read_bytes()).family.name == "webp"  # type: ignore[union-attr]
    assert sniff_data((media_dir / "clip.avi").read_bytes()).family.name == "avi"  # type: ignore[union-attr]


def test_riff_containers_are_told_apart(media_dir: Path) -> None:
    """WAV, AVI and WebP all start with RIFF; none is taken for another."""
    for name, family in [("tone.wav", "wav"), ("clip.avi", "avi"), ("still.webp", "webp")]:
        names = [f.name for f in sniff_data((media_dir / name).read_bytes()).families]
        assert family in names
        assert not {"wav", "avi", "webp"} - {family} & set(names), (name, names)


def test_stream_sniffing_rewinds(media_dir: Path) -> None:
    data = (media_dir / "clip.mp4").read_bytes()
    stream = io.BytesIO(data)
    stream.seek(100)
    found = sniff_stream(stream)
    assert found.family is not None and found.family.name == "isobmff"
    assert stream.tell() == 0


def test_text_including_non_ascii_and_a_split_character() -> None:
    text = "Überweisung bestätigt — 3 000 € ".encode() * 200
    assert sniff_data(text).description == "plain text"
    assert sniff_data(text[:4096] + "€".encode()[:2]).description == "plain text"


def test_binary_and_empty_are_described() -> None:
    assert sniff_data(bytes(range(256))).description == "binary data of no known format"
    assert sniff_data(b"").families == ()
    assert sniff_stream(io.BytesIO(b"")).description == "empty"
