"""The shortcut for common containers says exactly what the general sniffer says."""

from __future__ import annotations

import io
import random

import puremagic
import pytest

import resemble_nb as rnb
from resemble_nb.media.sniff import Sniff, _classify, _common, sniff_data, sniff_stream


def _general(data: bytes) -> Sniff:
    """What puremagic alone makes of ``data`` (the path the shortcut skips)."""
    try:
        matches = puremagic.magic_string(data)
    except (puremagic.PureError, ValueError):
        matches = []
    return _classify(matches, data[:4096])


def _headers() -> list[bytes]:
    rng = random.Random(24)
    out = []
    for _ in range(300):
        tail = rng.randbytes(rng.choice([0, 4, 60, 3000]))
        size = rng.randbytes(4)
        out += [
            b"RIFF" + size + b"WAVE" + rng.choice([b"fmt ", b"LIST", b"JUNK", b"bext"]) + tail,
            b"\x89PNG\r\n\x1a\n" + tail,
            b"\xff\xd8\xff" + bytes([rng.randrange(256)]) + tail,
            b"RIFF" + size + rng.choice([b"AVI ", b"WEBP"]) + tail,
        ]
    return out


@pytest.mark.parametrize("kind", ["headers", "samples"])
def test_the_shortcut_agrees_with_the_general_sniffer(kind: str) -> None:
    if kind == "headers":
        datas = _headers()
    else:
        datas = [p.read_bytes() for p in sorted(rnb.sample_media().iterdir())]
    shortcuts = 0
    for data in datas:
        general = _general(data)
        assert sniff_data(data) == general, data[:16]
        assert sniff_stream(io.BytesIO(data)) == general, data[:16]
        shortcuts += _common(data[:12]) is not None
    assert shortcuts >= (600 if kind == "headers" else 3)  # WAV, PNG and JPEG took it
