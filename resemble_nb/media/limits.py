"""What the Resemble Detect API accepts: extensions, content families and size caps.

The numbers come from the API contract (``reference/resemble-api-contract.md`` §3.1, §4.4):
direct upload accepts one file of at most 150 MB, ``/detect/batch`` at most 50 files and
500 MB in total, ``detect_watermark`` at most 200 MB. They are defined once, in
:mod:`resemble_nb.api` (decimal megabytes, as the docs write them), and re-exported here
under the names media planning uses.

Each allowed extension belongs to a *content family*: the container format its bytes must
be in. Several extensions share a family (``.mp4``, ``.m4a``, ``.mov`` and ``.3gp`` are all
ISO base media files), and a file is consistent when its content family matches the family
of its extension.

>>> family_for_extension(".M4A").name
'isobmff'
>>> media_type_for_extension(".webm")
'video'
"""

from __future__ import annotations

from dataclasses import dataclass

from ..api._formats import MEDIA_TYPES, MediaType
from ..api._limits import MAX_BATCH_BYTES as BATCH_MAX_BYTES
from ..api._limits import MAX_BATCH_FILES as BATCH_MAX_FILES
from ..api._limits import MAX_DIRECT_UPLOAD_BYTES as DIRECT_UPLOAD_MAX_BYTES
from ..api._limits import MAX_WATERMARK_BYTES as WATERMARK_MAX_BYTES
from ..api._limits import MB

__all__ = [
    "ALLOWED_EXTENSIONS",
    "BATCH_MAX_BYTES",
    "BATCH_MAX_FILES",
    "DIRECT_UPLOAD_MAX_BYTES",
    "FAMILIES",
    "MAX_FILE_BYTES",
    "MAX_FILE_ENV",
    "MB",
    "WATERMARK_MAX_BYTES",
    "ContentFamily",
    "MediaType",
    "family_for_extension",
    "format_bytes",
    "max_file_bytes",
    "media_type_for_extension",
    "mime_for_extension",
    "over_cap_reason",
]

MAX_FILE_BYTES = 5_000 * MB
"""Local safety cap for any path. ``/secure_uploads`` documents no cap; this one is ours
(a file this big is likely a mistake, and costly): ``RESEMBLE_NB_MAX_FILE_GB`` changes it."""

MAX_FILE_ENV = "RESEMBLE_NB_MAX_FILE_GB"
"""Environment variable that sets :data:`MAX_FILE_BYTES` for this process, in GB."""


def max_file_bytes() -> int:
    """The cap in force: ``RESEMBLE_NB_MAX_FILE_GB`` (a number of GB above 0), else
    :data:`MAX_FILE_BYTES`.

    Raises:
        ValueError: The variable is set but is not a number of GB above 0.
    """
    import math
    import os

    text = os.environ.get(MAX_FILE_ENV, "").strip()
    if not text:
        return MAX_FILE_BYTES
    try:
        gb = float(text)
    except ValueError:
        gb = math.nan
    if not math.isfinite(gb) or gb <= 0:
        raise ValueError(
            f"{MAX_FILE_ENV}={text!r} is not a number of GB above 0; e.g. "
            f"export {MAX_FILE_ENV}=8, or unset it for the default of "
            f"{format_bytes(MAX_FILE_BYTES)}"
        )
    return int(gb * 1000 * MB)


def over_cap_reason(size: int, cap: int) -> str:
    """Why a file over the cap is skipped, and how to send it anyway."""
    import math

    raise_to = math.ceil(size / (1000 * MB)) + 1
    return (
        f"{format_bytes(size)} is over resemble_nb's own safety cap of {format_bytes(cap)} "
        "(the API documents no size limit for secure uploads); to send it anyway, raise "
        f"the cap: export {MAX_FILE_ENV}={raise_to}"
    )


@dataclass(frozen=True)
class ContentFamily:
    """A container format, as recognised from a file's bytes.

    Attributes:
        name: Short identifier, e.g. ``"isobmff"``.
        description: How it is named in messages, e.g. ``"MPEG-4/QuickTime media"``.
        extension: The extension to suggest for such content, e.g. ``".mp4"``.
        extensions: The allowed extensions whose content is this family.
        sniffed_extensions: Extensions puremagic reports for this family's signatures.
        sniffed_mimes: MIME types puremagic reports for this family's signatures.
    """

    name: str
    description: str
    extension: str
    extensions: frozenset[str]
    sniffed_extensions: frozenset[str]
    sniffed_mimes: frozenset[str] = frozenset()


def _family(
    name: str,
    description: str,
    extensions: str,
    sniffed: str = "",
    mimes: str = "",
) -> ContentFamily:
    exts = frozenset(extensions.split())
    return ContentFamily(
        name=name,
        description=description,
        extension=extensions.split()[0],
        extensions=exts,
        sniffed_extensions=exts | frozenset(sniffed.split()),
        sniffed_mimes=frozenset(mimes.split()),
    )


FAMILIES: tuple[ContentFamily, ...] = (
    _family("wav", "WAV audio", ".wav", ".wave", "audio/wav audio/wave audio/x-wav"),
    _family("mp3", "MP3 audio", ".mp3", ".mpga .mp2", "audio/mpeg audio/mp3"),
    _family(
        "isobmff",
        "MPEG-4/QuickTime media",
        ".mp4 .m4a .mov .3gp .3gpp",
        ".m4v .m4b .m4p .f4a .f4v .f4p .qt .qtvr .3g2 .3ga .3gpp2 .mp4a",
        "video/mp4 audio/mp4 video/quicktime video/3gpp video/3gpp2 audio/x-m4a",
    ),
    _family("ogg", "Ogg media", ".ogg", ".oga .ogv .ogx .opus .spx", "application/ogg audio/ogg"),
    _family("aac", "AAC audio", ".aac", ".adts", "audio/aac audio/x-aac"),
    _family("flac", "FLAC audio", ".flac", "", "audio/flac audio/x-flac"),
    _family("amr", "AMR audio", ".amr", "", "audio/amr"),
    _family("avi", "AVI video", ".avi", "", "video/avi video/x-msvideo"),
    _family(
        "matroska",
        "Matroska/WebM video",
        ".mkv .webm",
        ".mka .mks .mk3d",
        "video/x-matroska application/x-matroska video/webm audio/webm",
    ),
    _family("jpeg", "JPEG image", ".jpg .jpeg", ".jpe .jfif .jif", "image/jpeg image/pjpeg"),
    _family("png", "PNG image", ".png", "", "image/png"),
    _family("gif", "GIF image", ".gif", "", "image/gif"),
    _family("webp", "WebP image", ".webp", "", "image/webp"),
)

# extension -> (media type, canonical MIME type): the API layer's one table
_EXTENSIONS = MEDIA_TYPES

ALLOWED_EXTENSIONS: frozenset[str] = frozenset(_EXTENSIONS)
"""The direct-upload allowlist (contract §3.1), lower case with the dot."""

_BY_EXTENSION = {ext: family for family in FAMILIES for ext in family.extensions}


def family_for_extension(extension: str) -> ContentFamily | None:
    """The content family an allowed extension promises, or ``None`` if not allowed."""
    return _BY_EXTENSION.get(extension.lower())


def media_type_for_extension(extension: str) -> MediaType | None:
    """``"audio"``, ``"video"`` or ``"image"`` for an allowed extension, else ``None``."""
    entry = _EXTENSIONS.get(extension.lower())
    return entry[0] if entry else None


def mime_for_extension(extension: str) -> str | None:
    """The MIME type to send for an allowed extension, else ``None``."""
    entry = _EXTENSIONS.get(extension.lower())
    return entry[1] if entry else None


def format_bytes(size: int) -> str:
    """A size for people, in the decimal units the API's caps are written in.

    >>> format_bytes(0), format_bytes(1500), format_bytes(150_000_000), format_bytes(3 * 10**9)
    ('0 bytes', '1.5 KB', '150 MB', '3 GB')
    """
    if size < 1000:
        return f"{size} byte" + ("" if size == 1 else "s")
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1000
        if value < 1000 or unit == "TB":
            text = f"{value:.1f}".rstrip("0").rstrip(".")
            return f"{text} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover
