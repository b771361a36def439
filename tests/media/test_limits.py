"""The allowlist and caps match the API contract (§3.1, §4.4)."""

from __future__ import annotations

from resemble_nb.media import (
    ALLOWED_EXTENSIONS,
    BATCH_MAX_BYTES,
    BATCH_MAX_FILES,
    DIRECT_UPLOAD_MAX_BYTES,
    FAMILIES,
    format_bytes,
)
from resemble_nb.media.limits import (
    family_for_extension,
    media_type_for_extension,
    mime_for_extension,
)

CONTRACT = (
    ".wav .mp3 .m4a .ogg .aac .flac .amr .3gp .3gpp .mp4 .mov .avi .mkv .webm .jpg .jpeg .png "
    ".gif .webp"
)


def test_allowlist_is_the_documented_one() -> None:
    assert set(CONTRACT.split()) == ALLOWED_EXTENSIONS


def test_every_allowed_extension_has_one_family_a_type_and_a_mime() -> None:
    for ext in ALLOWED_EXTENSIONS:
        family = family_for_extension(ext.upper())
        assert family is not None and ext in family.extensions
        media_type = media_type_for_extension(ext)
        mime = mime_for_extension(ext)
        assert media_type in ("audio", "video", "image")
        assert mime is not None and mime.split("/")[0] == media_type
    assert sorted(e for f in FAMILIES for e in f.extensions) == sorted(ALLOWED_EXTENSIONS)
    assert family_for_extension(".txt") is None and media_type_for_extension(".txt") is None


def test_caps() -> None:
    """Decimal megabytes, as the docs write them (contract §3.1, §4.4)."""
    assert DIRECT_UPLOAD_MAX_BYTES == 150 * 1000**2
    assert (BATCH_MAX_FILES, BATCH_MAX_BYTES) == (50, 500 * 1000**2)


def test_format_bytes() -> None:
    assert format_bytes(1) == "1 byte"
    assert format_bytes(DIRECT_UPLOAD_MAX_BYTES) == "150 MB"
    assert format_bytes(DIRECT_UPLOAD_MAX_BYTES + 1) == "150 MB"
    assert format_bytes(int(2.5 * 1000**3)) == "2.5 GB"
