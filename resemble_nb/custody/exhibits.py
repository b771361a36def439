"""Exhibits: clips and stills cut from an item, each with its own hash and lineage.

>>> case.exhibit("call.wav", 12.0, 16.0)        # doctest: +SKIP
Exhibit('call_12.0-16.0s.wav', clip of call.wav 12.0–16.0 s, sha256 3f2a9c01…)

Audio becomes a WAV clip, video an MP4 clip (H.264, with its audio as AAC), an image or a
single moment of a video a PNG still. Decoding and encoding use PyAV (FFmpeg). The ledger
records the exhibit's SHA-256, the source's SHA-256, the offsets and the tool and version,
and the custody chain records that it was made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from resemble_nb._core.output import UnsafeOutputError, writing
from resemble_nb._core.version import __version__
from resemble_nb.ledger import ExhibitRecord, Ledger
from resemble_nb.media.probe import sha256_file

from ._errors import CustodyError

__all__ = ["Exhibit", "cut_exhibit"]

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Exhibit:
    """A file cut from an item, as recorded in the case."""

    record: ExhibitRecord
    source_name: str

    @property
    def path(self) -> Path:
        return Path(self.record.path)

    @property
    def sha256(self) -> str:
        return self.record.sha256

    def __repr__(self) -> str:
        span = (
            f" {self.record.start_s:.1f}–{self.record.end_s:.1f} s"
            if self.record.start_s is not None and self.record.end_s is not None
            else (f" at {self.record.start_s:.1f} s" if self.record.start_s is not None else "")
        )
        return (
            f"Exhibit({self.path.name!r}, {self.record.kind} of {self.source_name}{span}, "
            f"sha256 {self.sha256[:8]}…)"
        )


def _tool() -> dict[str, Any]:
    import av

    return {
        "name": "resemble_nb",
        "version": __version__,
        "library": "PyAV",
        "library_version": av.__version__,
    }


def _cut_audio(source: Path, target: Path, start: float, end: float) -> None:
    import av

    with av.open(str(source)) as inp:
        stream = next((s for s in inp.streams if s.type == "audio"), None)
        if stream is None:
            raise CustodyError(f"{source.name}: has no audio track to cut")
        rate = stream.rate or 16000
        layout = "mono" if (stream.channels or 1) == 1 else "stereo"
        resampler = av.AudioResampler(format="s16", layout=layout, rate=rate)
        with av.open(str(target), "w", format="wav") as out:
            ostream = out.add_stream("pcm_s16le", rate=rate, layout=layout)
            if start > 0:
                inp.seek(
                    int(start / stream.time_base), stream=stream, any_frame=False, backward=True
                )
            written = 0
            first = round(start * rate)
            last = round(end * rate)
            for frame in inp.decode(stream):
                if frame.pts is None or frame.time is None:
                    continue
                begin = round(frame.time * rate)
                for piece in resampler.resample(frame):
                    array = piece.to_ndarray()
                    count = array.shape[-1]
                    lo, hi = max(first - begin, 0), min(last - begin, count)
                    begin += count
                    if hi <= lo:
                        continue
                    chunk = array[..., lo:hi]
                    if chunk.ndim == 2 and chunk.shape[0] > 1:  # planar -> packed
                        chunk = chunk.T.reshape(1, -1)
                    plain = av.AudioFrame.from_ndarray(
                        chunk.reshape(1, -1), format="s16", layout=layout
                    )
                    plain.sample_rate = rate
                    plain.pts = written
                    plain.time_base = Fraction(1, rate)
                    written += hi - lo
                    for packet in ostream.encode(plain):
                        out.mux(packet)
                if begin >= last:
                    break
            for packet in ostream.encode(None):
                out.mux(packet)
    if target.stat().st_size <= 44:
        target.unlink(missing_ok=True)
        raise CustodyError(f"{source.name}: nothing to cut between {start:.2f} and {end:.2f} s")


def _cut_video(source: Path, target: Path, start: float, end: float) -> None:
    import av

    with av.open(str(source)) as inp:
        vin = next((s for s in inp.streams if s.type == "video"), None)
        if vin is None:
            raise CustodyError(f"{source.name}: has no video track to cut")
        rate = vin.average_rate or Fraction(25)
        with av.open(str(target), "w", format="mp4") as out:
            vout = out.add_stream("libx264", rate=rate)
            vout.width = (vin.codec_context.width // 2) * 2
            vout.height = (vin.codec_context.height // 2) * 2
            vout.pix_fmt = "yuv420p"
            vout.options = {"preset": "veryfast"}
            if start > 0:
                inp.seek(int(start / vin.time_base), stream=vin, backward=True)
            index = 0
            for frame in inp.decode(vin):
                if frame.time is None or frame.time < start:
                    continue
                if frame.time >= end:
                    break
                image = frame.reformat(width=vout.width, height=vout.height, format="yuv420p")
                image.pts = index
                image.time_base = Fraction(1) / Fraction(rate)
                index += 1
                for packet in vout.encode(image):
                    out.mux(packet)
            for packet in vout.encode(None):
                out.mux(packet)
    if index == 0:
        target.unlink(missing_ok=True)
        raise CustodyError(f"{source.name}: no frame between {start:.2f} and {end:.2f} s")


def _still(source: Path, target: Path, at: float, media_type: str) -> None:
    if media_type == "image":
        from PIL import Image

        with Image.open(source) as image:
            image.save(target, format="PNG")
        return
    import av

    with av.open(str(source)) as inp:
        vin = next((s for s in inp.streams if s.type == "video"), None)
        if vin is None:
            raise CustodyError(f"{source.name}: has no picture to take a still from")
        if at > 0:
            inp.seek(int(at / vin.time_base), stream=vin, backward=True)
        chosen = None
        for frame in inp.decode(vin):
            chosen = frame
            if frame.time is not None and frame.time >= at:
                break
        if chosen is None:
            raise CustodyError(f"{source.name}: no frame at {at:.2f} s")
        chosen.to_image().save(target, format="PNG")


def cut_exhibit(
    ledger: Ledger,
    *,
    sha256: str,
    source: Path,
    source_name: str,
    media_type: str,
    start: float | None,
    end: float | None,
    still: bool = False,
    folder: Path,
) -> Exhibit:
    """Cut an exhibit from ``source`` into ``folder`` and record it with its lineage."""
    if not source.is_file():
        raise CustodyError(f"{source}: the media file is not here any more; cannot cut from it")
    if sha256_file(source) != sha256:
        raise CustodyError(
            f"{source}: the file changed since it was reviewed; no exhibit is "
            "cut from content that is not the evidence"
        )
    begin = max(0.0, float(start or 0.0))
    kind = "still" if still or media_type == "image" else "clip"
    if kind == "clip" and (end is None or end <= begin):
        raise CustodyError(
            f"{source_name}: an exhibit clip needs end > start (got {start!r}..{end!r})"
        )
    folder.mkdir(parents=True, exist_ok=True)
    stem = _SAFE.sub("_", Path(source_name).stem)[:60] or "item"
    if kind == "still":
        name = f"{stem}_{begin:.1f}s.png" if media_type != "image" else f"{stem}_still.png"
    else:
        name = f"{stem}_{begin:.1f}-{float(end or 0):.1f}s" + (
            ".mp4" if media_type == "video" else ".wav"
        )
    target = folder / name
    try:
        with writing(target) as partial:
            if kind == "still":
                _still(source, partial, begin, media_type)
            elif media_type == "video":
                _cut_video(source, partial, begin, float(end or 0))
            else:
                _cut_audio(source, partial, begin, float(end or 0))
    except (CustodyError, UnsafeOutputError):
        raise
    except Exception as exc:  # a decoder's own error: one clear line naming the file
        raise CustodyError(f"{source_name}: cannot cut an exhibit ({exc})") from None
    record = ledger.add_exhibit(
        sha256=sha256_file(target),
        source_sha256=sha256,
        kind=kind,
        path=target,
        start_s=begin,
        end_s=None if kind == "still" else float(end or 0),
        size=target.stat().st_size,
        tool=_tool(),
    )
    return Exhibit(record, source_name)
