"""Reading what a file is: its kind from the first bytes, its media type and duration.

Audio (and the audio of MP4/M4A) is read with mutagen, images with Pillow, and
the containers mutagen does not read (MP4 track list, AVI, Matroska/WebM) with
small header parsers. A file that claims to be media but cannot be read is
"corrupt": the job fails with an ``error_message``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

__all__ = [
    "ALLOWED_EXTENSIONS",
    "Probe",
    "ProbeError",
    "is_allowed_extension",
    "looks_non_media",
    "probe_file",
    "sniff",
]

AUDIO_EXTS = {".wav", ".mp3", ".m4a", ".ogg", ".aac", ".flac", ".amr"}
VIDEO_EXTS = {".3gp", ".3gpp", ".mp4", ".mov", ".avi", ".mkv", ".webm"}
IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
ALLOWED_EXTENSIONS = frozenset(AUDIO_EXTS | VIDEO_EXTS | IMAGE_EXTS)


class ProbeError(Exception):
    """The file looks like media but cannot be read."""


@dataclass(frozen=True)
class Probe:
    kind: str
    media_type: str  # audio | video | image
    duration: float | None
    has_audio: bool
    has_video: bool


def is_allowed_extension(filename: str) -> bool:
    return Path(filename).suffix.lower() in ALLOWED_EXTENSIONS


def sniff(head: bytes) -> str | None:
    """The container kind from a file's first bytes, or ``None`` if unknown.

    >>> sniff(b"RIFF\\x00\\x00\\x00\\x00WAVEfmt ")
    'wav'
    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n") , sniff(b"hello") is None
    ('png', True)
    """
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:5] == b"#!AMR":
        return "amr"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "mkv"
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "mp4"
    if head[:3] == b"ID3":
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xF6) == 0xF0:
        return "aac"  # ADTS
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0:
        return "mp3"  # MPEG audio frame sync
    return None


_NON_MEDIA_MAGIC = (
    b"PK\x03\x04",
    b"%PDF",
    b"\x7fELF",
    b"MZ",
    b"{\\rtf",
    b"\xd0\xcf\x11\xe0",
    b"<?xml",
    b"<!DOCTYPE",
    b"<html",
)


def looks_non_media(head: bytes) -> bool:
    """True when the first bytes are clearly not media: text, a document, an archive."""
    if not head:
        return True
    if sniff(head) is not None:
        return False
    if any(head.startswith(m) for m in _NON_MEDIA_MAGIC):
        return True
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # may be cut mid-character at the end
        if exc.start < len(head) - 4:
            return False
    return True


def probe_file(path: Path, filename: str) -> Probe:
    """Read media type and duration; raise :class:`ProbeError` for unreadable media."""
    with open(path, "rb") as fh:
        head = fh.read(64)
    kind = sniff(head)
    ext = Path(filename).suffix.lower()
    if kind is None:
        if looks_non_media(head):
            raise ProbeError("not an audio, image or video file")
        raise ProbeError(f"could not recognise the {ext or 'file'} container (corrupt media?)")
    try:
        if kind in ("png", "jpeg", "gif", "webp"):
            _check_image(path)
            return Probe(kind, "image", None, False, False)
        if kind == "mp4":
            return _probe_isobmff(path, ext)
        if kind == "mkv":
            return _probe_matroska(path)
        if kind == "avi":
            return _probe_avi(path)
        if kind == "amr":
            size = path.stat().st_size
            return Probe(kind, "audio", round(max(0, size - 6) / 1600.0, 3), True, False)
        return Probe(kind, "audio", _audio_duration(path, kind), True, False)
    except ProbeError:
        raise
    except Exception as exc:
        raise ProbeError(f"could not decode {kind} media: {exc}") from None


def _check_image(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        im.load()
        if im.width < 1 or im.height < 1:
            raise ProbeError("image has no pixels")


def _audio_duration(path: Path, kind: str) -> float:
    import mutagen

    if kind == "wav":
        _check_wav_size(path)
    mf = mutagen.File(str(path))
    if mf is None or mf.info is None:
        raise ProbeError(f"could not read the {kind} stream")
    length = float(getattr(mf.info, "length", 0.0) or 0.0)
    if length <= 0:
        raise ProbeError(f"{kind} stream has no audio")
    return round(length, 3)


def _check_wav_size(path: Path) -> None:
    """A WAV whose ``data`` chunk claims more bytes than the file holds is truncated."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        fh.seek(12)
        while True:
            header = fh.read(8)
            if len(header) < 8:
                raise ProbeError("WAV file has no data chunk")
            cid, clen = struct.unpack("<4sI", header)
            if cid == b"data":
                if fh.tell() + clen > size + 1 and clen != 0xFFFFFFFF:
                    raise ProbeError("WAV data chunk is truncated")
                return
            fh.seek(clen + (clen & 1), 1)


def _iter_atoms(fh: BinaryIO, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """``(type, payload_start, payload_end)`` of the ISO-BMFF boxes in a range."""
    atoms: list[tuple[bytes, int, int]] = []
    pos = start
    while pos + 8 <= end and len(atoms) < 10_000:
        fh.seek(pos)
        hdr = fh.read(8)
        if len(hdr) < 8:
            break
        size, kind = struct.unpack(">I4s", hdr)
        header = 8
        if size == 1:
            size = struct.unpack(">Q", fh.read(8))[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise ProbeError(f"box {kind!r} runs past the end of the file (truncated?)")
        atoms.append((kind, pos + header, pos + size))
        pos += size
    return atoms


def _probe_isobmff(path: Path, ext: str) -> Probe:
    size = path.stat().st_size
    with open(path, "rb") as fh:
        top = _iter_atoms(fh, 0, size)
        moov = next((a for a in top if a[0] == b"moov"), None)
        if moov is None:
            raise ProbeError("MP4 container has no 'moov' box (truncated or corrupt)")
        handlers: list[bytes] = []
        duration = 0.0
        for kind, s, e in _iter_atoms(fh, moov[1], moov[2]):
            if kind == b"mvhd":
                fh.seek(s)
                data = fh.read(32)
                if data[0] == 1:
                    timescale, dur = struct.unpack(">IQ", data[20:32])
                else:
                    timescale, dur = struct.unpack(">II", data[12:20])
                duration = dur / timescale if timescale else 0.0
            elif kind == b"trak":
                for k2, s2, e2 in _iter_atoms(fh, s, e):
                    if k2 != b"mdia":
                        continue
                    for k3, s3, _e3 in _iter_atoms(fh, s2, e2):
                        if k3 == b"hdlr":
                            fh.seek(s3 + 8)
                            handlers.append(fh.read(4))
    has_video = b"vide" in handlers
    has_audio = b"soun" in handlers
    if not (has_video or has_audio):
        raise ProbeError("MP4 container has no audio or video track")
    if has_audio:
        try:
            from mutagen.mp4 import MP4

            info: Any = MP4(str(path)).info  # type: ignore[no-untyped-call]
            duration = float(info.length) or duration
        except Exception:
            pass
    if duration <= 0:
        raise ProbeError("MP4 container has no duration")
    media_type = "video" if has_video else "audio"
    return Probe("mp4", media_type, round(duration, 3), has_audio, has_video)


def _probe_avi(path: Path) -> Probe:
    with open(path, "rb") as fh:
        head = fh.read(64 * 1024)
    at = head.find(b"avih")
    if at < 0 or at + 8 + 20 > len(head):
        raise ProbeError("AVI file has no main header")
    us_per_frame, _, _, _, total_frames = struct.unpack("<5I", head[at + 8 : at + 28])
    duration = us_per_frame * total_frames / 1e6
    if duration <= 0:
        raise ProbeError("AVI file has no frames")
    return Probe("avi", "video", round(duration, 3), b"auds" in head, True)


def _probe_matroska(path: Path) -> Probe:
    with open(path, "rb") as fh:
        head = fh.read(1024 * 1024)
    scale = 1_000_000
    at = head.find(b"\x2a\xd7\xb1")
    if at >= 0:
        n = head[at + 3] & 0x0F if head[at + 3] & 0x80 else 0
        if 0 < n <= 8:
            scale = int.from_bytes(head[at + 4 : at + 4 + n], "big") or scale
    duration = 0.0
    at = head.find(b"\x44\x89")
    if at >= 0:
        marker = head[at + 2]
        if marker == 0x84:
            duration = struct.unpack(">f", head[at + 3 : at + 7])[0]
        elif marker == 0x88:
            duration = struct.unpack(">d", head[at + 3 : at + 11])[0]
    seconds = duration * scale / 1e9
    if seconds <= 0:
        raise ProbeError("Matroska/WebM file has no duration")
    has_video = b"\x83\x81\x01" in head
    has_audio = b"\x83\x81\x02" in head
    media_type = "video" if has_video or not has_audio else "audio"
    return Probe("mkv", media_type, round(seconds, 3), has_audio, has_video)
