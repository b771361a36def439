"""The one rule for anything that reaches HTML (the report, the boards, the panels).

What the service, the evidence or the network sends is text, never markup:

* text is escaped (:func:`text`), and attributes are always written in double quotes
  with the same escaping (:func:`attr`);
* a link is kept only when it is an ``http(s)`` URL with a host (:func:`link`):
  ``javascript:``, ``data:``, ``file:`` and anything odd become plain text;
* an image is never passed through as sent: its bytes are decoded, sniffed, and
  re-encoded as a ``data:`` URI whose media type comes from :data:`IMAGE_TYPES`
  (:func:`image_uri`, :func:`rebuild_data_uri`), or dropped with a reason;
* the report carries :data:`REPORT_CSP`: no script runs, images, sound and video come
  only from ``data:`` (the exhibits it embeds, :func:`media_uri`).

>>> text("<b onmouseover='x'>")
'&lt;b onmouseover=&#x27;x&#x27;&gt;'
>>> link("javascript:alert(1)") is None, link("https://example.org/a?b=1")
(True, 'https://example.org/a?b=1')
>>> rebuild_data_uri("data:image/png' onerror='alert(1)' x=';base64,PHN2Zz4=")
(None, 'not a PNG, JPEG, WebP or GIF image')
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from urllib.parse import unquote_to_bytes, urlsplit

__all__ = [
    "IMAGE_TYPES",
    "PLAYABLE_TYPES",
    "REPORT_CSP",
    "attr",
    "decode_data_uri",
    "image_uri",
    "link",
    "media_uri",
    "rebuild_data_uri",
    "sniff_image",
    "sniff_playable",
    "text",
]

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
"""The only media types an image is ever re-encoded with."""

REPORT_CSP = (
    "default-src 'none'; img-src data:; media-src data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)
"""The report's Content-Security-Policy: no script, no fetch; images and the embedded
exhibits' sound and video only from ``data:`` (``media-src data:`` is deliberate: the
report is the evidence packet, its clips play offline from the file itself)."""

PLAYABLE_TYPES = ("audio/wav", "audio/mpeg", "audio/ogg", "audio/flac", "audio/mp4",
                  "video/mp4", "video/webm")  # fmt: skip
"""The only media types sound or video is ever embedded with."""

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_UNSAFE_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f\"'<>`\\]")


def text(value: object) -> str:
    """``value`` as HTML text (``& < > " '`` escaped)."""
    return html.escape(str(value), quote=True)


def attr(value: object) -> str:
    """``value`` for a double-quoted attribute: ``f'title="{attr(x)}"'``."""
    return html.escape(str(value), quote=True)


def link(url: object) -> str | None:
    """``url`` when it is safe as a link (``http(s)``, a host, no spaces, quotes or
    controls), else ``None``: show it as text instead."""
    if not isinstance(url, str) or not url or len(url) > 8192:
        return None
    if _UNSAFE_IN_URL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def sniff_image(data: bytes) -> str | None:
    """The image type the bytes themselves show (PNG, JPEG, GIF, WebP), else ``None``.

    >>> sniff_image(b"\\x89PNG\\r\\n\\x1a\\n...."), sniff_image(b"<svg onload=alert(1)>")
    ('image/png', None)
    """
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_uri(data: bytes) -> str | None:
    """``data`` as a ``data:`` URI typed by what the bytes are; ``None`` when they are
    not a PNG, JPEG, WebP or GIF image (whatever type anyone claimed for them)."""
    mime = sniff_image(data)
    if mime is None:
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def sniff_playable(data: bytes, video: bool = False) -> str | None:
    """The sound or video type the bytes themselves show, else ``None`` (MP4 is
    ``video/mp4`` when ``video``, else ``audio/mp4``).

    >>> sniff_playable(b"RIFF\\x00\\x00\\x00\\x00WAVEfmt "), sniff_playable(b"<html>")
    ('audio/wav', None)
    """
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[4:8] == b"ftyp":
        return "video/mp4" if video else "audio/mp4"
    if data[:4] == b"\x1aE\xdf\xa3":
        return "video/webm"
    if data[:4] == b"OggS":
        return "audio/ogg"
    if data[:4] == b"fLaC":
        return "audio/flac"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    return None


def media_uri(data: bytes, video: bool = False) -> str | None:
    """Sound or video as a ``data:`` URI typed by what the bytes are (see
    :func:`sniff_playable`); ``None`` when they are neither."""
    mime = sniff_playable(data, video)
    if mime is None:
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def decode_data_uri(uri: str) -> bytes | None:
    """The bytes of a ``data:`` URI (base64 or percent-encoded); ``None`` if it is not one
    or does not decode. The media type it claims is ignored."""
    if not isinstance(uri, str) or uri[:5].lower() != "data:" or "," not in uri:
        return None
    head, _, payload = uri.partition(",")
    try:
        if head.lower().endswith(";base64"):
            return base64.b64decode(re.sub(r"\s+", "", payload), validate=True)
        return unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return None


def rebuild_data_uri(uri: str) -> tuple[str | None, str | None]:
    """``(clean uri, None)`` for a ``data:`` URI holding a real image, re-encoded from its
    sniffed bytes; ``(None, reason)`` otherwise."""
    data = decode_data_uri(uri)
    if data is None:
        return None, "not a decodable data: URI"
    rebuilt = image_uri(data)
    if rebuilt is None:
        return None, "not a PNG, JPEG, WebP or GIF image"
    return rebuilt, None
