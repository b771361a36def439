"""Opening a bundle someone sent: bounded before anything is written, hashed as it streams.

A zip says how many entries it has and how big each one is before any is read; a bundle
whose entries are too many, too big together, or compressed far more than real case
files ever are (a zip bomb) is refused from those figures, with nothing written. The
entries that pass are copied out at most as big as they said they were, and hashed on
the way, so no file is read twice.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from ._result import Verification

__all__ = ["MAX_ENTRIES", "MAX_RATIO", "MAX_TOTAL", "bounded", "extract_hashed"]

MAX_ENTRIES = 100_000
"""More entries than any bundle holds (one per exhibit, plus a handful)."""
MAX_TOTAL = 32 * 1024**3
"""Uncompressed bytes of all entries together."""
MAX_ENTRY = 4 * 1024**3
"""Uncompressed bytes of one entry."""
MAX_RATIO = 200
"""How many times an entry may expand: case files (SQLite, HTML with PNGs, media clips)
deflate by well under 20; a zip bomb's zeros by about 1000."""
_RATIO_FROM = 1024**2  # a small entry may expand as it likes: it cannot fill a disk
MAX_MANIFEST = 64 * 1024**2
_CHUNK = 1024**2


def bounded(archive: zipfile.ZipFile, out: Verification) -> bool:
    """Whether the archive's entries stay within the bounds (each breach named in ``out``)."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        out.fail("bundle", f"holds {len(infos):,} entries, more than a bundle ever has")
        return False
    ok = True
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL:
        out.fail(
            "bundle",
            f"would unpack to {total:,} bytes, more than a bundle ever holds "
            f"({MAX_TOTAL:,}); nothing was unpacked",
        )
        ok = False
    for info in infos:
        name = info.filename
        if info.file_size > MAX_ENTRY or (
            name == "manifest.json" and info.file_size > MAX_MANIFEST
        ):
            out.fail("bundle", f"{name} is larger than a bundle file can be", name)
            ok = False
        elif info.file_size > _RATIO_FROM and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            out.fail(
                "bundle",
                f"{name} would expand {info.file_size / max(info.compress_size, 1):,.0f} times "
                f"(to {info.file_size:,} bytes): a zip bomb, not a case file; nothing was "
                "unpacked",
                name,
            )
            ok = False
    return ok


def extract_hashed(
    archive: zipfile.ZipFile, listed: Iterable[str], into: Path, out: Verification
) -> dict[str, str]:
    """Copy the listed entries into ``into``; return ``{name: sha256}`` of what was copied.

    An entry the manifest does not list, or whose path leaves ``into``, is named and not
    written; no entry is copied beyond the size it declared.
    """
    allowed = set(listed) | {"manifest.json"}
    root = into.resolve()
    hashes: dict[str, str] = {}
    for info in archive.infolist():
        name = info.filename
        if name.endswith("/"):
            continue
        target = (into / name).resolve()
        if not target.is_relative_to(root) or name not in allowed:
            out.fail("bundle", f"holds {name!r}, which its manifest does not list", name)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, left = hashlib.sha256(), info.file_size
        try:
            with archive.open(info) as src, open(target, "wb") as dst:
                while left > 0:
                    chunk = src.read(min(_CHUNK, left))
                    if not chunk:
                        break
                    digest.update(chunk)
                    dst.write(chunk)
                    left -= len(chunk)
        except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError) as exc:
            out.fail("bundle", f"{name} cannot be unpacked ({exc})", name)
            target.unlink(missing_ok=True)
            continue
        hashes[name] = digest.hexdigest()
    return hashes
