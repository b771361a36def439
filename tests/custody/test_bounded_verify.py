"""A bundle is bounded before anything is written: a zip bomb is refused from its figures."""

from __future__ import annotations

import json
import os
import resource
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import resemble_nb as rnb
from resemble_nb.case import Case

WRITE_LIMIT = 10 * 1024**2


def _entry(name: str, method: int, packed: bytes, size: int, crc: int) -> tuple[bytes, bytes]:
    """A zip entry's local header + data, and its central-directory record (offset 0 here,
    patched by the caller)."""
    raw = name.encode()
    fixed = struct.pack("<HHHHHIII", 20, 0, method, 0, 0x21, crc, len(packed), size)
    local = struct.pack("<I", 0x04034B50) + fixed + struct.pack("<HH", len(raw), 0) + raw + packed
    central = (
        struct.pack("<IH", 0x02014B50, 20)
        + fixed
        + struct.pack("<HHHHHII", len(raw), 0, 0, 0, 0, 0, 0)
        + raw
    )
    return local, central


def write_bomb(path: Path, mib: int = 2048) -> None:
    """A ~2 MB zip whose case.db inflates to ``mib`` MiB of zeros, with an unsigned manifest.

    Built from one deflated MiB repeated (each piece ends on a full flush, so pieces
    chain): no gigabyte is ever held to build it. Its CRC is right, so it unpacks cleanly.
    """
    zeros = bytes(1024**2)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(zeros, crc)
    packed = piece * mib + zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    manifest = json.dumps(
        {"format": "resemble_nb-bundle/1", "files": {"case.db": "0" * 64}, "signature": "x"}
    ).encode()
    entries = [
        ("manifest.json", 0, manifest, len(manifest), zlib.crc32(manifest)),
        ("case.db", 8, packed, mib * 1024**2, crc),
    ]
    body, directory = b"", b""
    for entry in entries:
        local, central = _entry(*entry)
        directory += central[:42] + struct.pack("<I", len(body)) + central[46:]
        body += local
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 2, 2, len(directory), len(body), 0)
    path.write_bytes(body + directory + end)


def _limit_writes() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (WRITE_LIMIT, WRITE_LIMIT))


def test_a_zip_bomb_bundle_is_refused_with_less_than_10_mb_written(tmp_path: Path) -> None:
    """verify runs with the kernel refusing any file past 10 MB (RLIMIT_FSIZE): had it
    unpacked the bomb it would have been killed (SIGXFSZ), not answered."""
    bomb = tmp_path / "bomb.zip"
    write_bomb(bomb)
    assert bomb.stat().st_size < 3 * 1024**2
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "resemble_nb.cli", "verify", str(bomb)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TMPDIR": str(scratch)},
        preexec_fn=_limit_writes,
    )
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "case.db would expand" in done.stdout and "zip bomb" in done.stdout
    assert "Traceback" not in done.stderr
    assert list(scratch.iterdir()) == []


def test_the_bomb_is_named_in_the_api_too_and_a_real_bundle_is_within_bounds(
    case_copy: Path, tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.zip"
    write_bomb(bomb, mib=64)
    result = rnb.verify(bomb)
    assert [c.where for c in result.problems] == ["case.db"]
    with Case(case_copy) as case:
        bundle = case.bundle(tmp_path / "real.zip", reviewer="ana")
    assert rnb.verify(bundle).ok
