"""What the media inspector draws, computed once per item and cached in the case.

Audio (and a video's audio track) is decoded with PyAV to mono at a low rate, then
reduced to a compact overview: min/max peaks per column (int8) and a log-power
spectrogram as a small grayscale PNG (a video's key frames: :mod:`._frames`). Everything
lands in
``<case>/.cache/inspector/`` keyed by the item's sha256, so coming back to an item
reads a few kilobytes instead of decoding again.

>>> overview = audio_overview("call.wav", cache=cache_dir("cases/acme"))  # doctest: +SKIP
>>> overview.duration, overview.columns                                  # doctest: +SKIP
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..._core.errors import ResembleError

__all__ = [
    "CACHE_VERSION",
    "AudioOverview",
    "audio_overview",
    "cache_dir",
    "decode_audio",
    "decoded_rate",
    "media_duration",
    "peaks",
    "spectrogram",
]

CACHE_VERSION = 1
#: Decoding rate for the overview: enough for speech formants up to 4 kHz.
OVERVIEW_RATE = 8000
#: Columns of the waveform and spectrogram (a wide board is about 1,000 px).
COLUMNS = 1200
#: Frequency rows of the spectrogram image.
ROWS = 128
#: Dynamic range shown by the spectrogram, in dB below its loudest cell.
RANGE_DB = 80.0


class InspectorDataError(ResembleError, ValueError):
    """The file could not be decoded into an overview (the message names it)."""


@dataclass(frozen=True)
class AudioOverview:
    """A compact picture of a sound: duration, peaks and spectrogram."""

    duration: float
    peaks: bytes  #: int8 pairs (min, max) per column, scaled to the loudest sample
    spectrogram_png: bytes  #: grayscale PNG, ROWS high, low frequencies at the bottom
    rate: int  #: the decoding rate (the spectrogram spans 0..rate/2 Hz)

    @property
    def columns(self) -> int:
        return len(self.peaks) // 2


def cache_dir(case_folder: str | os.PathLike[str]) -> Path:
    """Where a case keeps the inspector's computed data."""
    return Path(case_folder) / ".cache" / "inspector"


# -- decoding -------------------------------------------------------------------------------


def _open(path: Path) -> Any:
    import av

    try:
        return av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise InspectorDataError(f"{path.name}: cannot be decoded ({exc})") from None


def media_duration(path: str | os.PathLike[str]) -> float | None:
    """The media's real duration in seconds (container, else longest stream), or None."""
    with _open(Path(path)) as container:
        if container.duration:
            return float(container.duration) / 1_000_000
        best = 0.0
        for stream in container.streams:
            if stream.duration and stream.time_base:
                best = max(best, float(stream.duration * stream.time_base))
        return best or None


def _mono(data: npt.NDArray[Any], channels: int, planar: bool) -> npt.NDArray[np.float32]:
    """Decoded samples (as PyAV lays them out) as mono float32 in -1..1."""
    if planar:
        mixed = data.mean(axis=0) if data.shape[0] > 1 else data[0]
    elif channels > 1:
        mixed = data.reshape(-1, channels).mean(axis=1)
    else:
        mixed = data.reshape(-1)
    if np.issubdtype(data.dtype, np.integer):
        info = np.iinfo(data.dtype)
        scale = float(max(-int(info.min), int(info.max)))
        offset = (int(info.max) + 1) / 2 if info.min == 0 else 0.0  # unsigned 8-bit
        scaled: npt.NDArray[np.float32] = ((mixed.astype(np.float32) - offset) / scale).astype(
            np.float32, copy=False
        )
        return scaled
    as_float: npt.NDArray[np.float32] = mixed.astype(np.float32, copy=False)
    return as_float


def _decimate(samples: npt.NDArray[np.float32], factor: int) -> npt.NDArray[np.float32]:
    """Every ``factor`` samples averaged into one (a cheap low-pass before thinning)."""
    if factor <= 1:
        return samples
    usable = len(samples) - len(samples) % factor
    out: npt.NDArray[np.float32] = samples[:usable].reshape(-1, factor).mean(axis=1)
    return out


def decode_audio(
    path: str | os.PathLike[str], rate: int = OVERVIEW_RATE
) -> npt.NDArray[np.float32]:
    """The first audio track as mono float32 at about ``rate`` Hz (empty when there is none).

    Frames are mixed to mono and thinned by an integer factor in numpy, in batches, so an
    hour of 48 kHz stereo never sits in memory at full rate (a resampler called per frame
    was three times slower). The returned rate is ``source rate // factor``; see
    :func:`decoded_rate`.
    """
    import av

    path = Path(path)
    with _open(path) as container:
        if not container.streams.audio:
            return np.zeros(0, dtype=np.float32)
        stream = container.streams.audio[0]
        stream.thread_type = "AUTO"
        factor = max(1, int(stream.rate or rate) // rate)
        out: list[npt.NDArray[np.float32]] = []
        raw: list[npt.NDArray[Any]] = []
        carry = np.zeros(0, dtype=np.float32)
        layout: tuple[int, bool] | None = None

        def flush() -> None:
            nonlocal carry
            if not raw or layout is None:
                return
            mono = np.concatenate([carry, _mono(np.concatenate(raw, axis=1), *layout)])
            raw.clear()
            keep = len(mono) - len(mono) % factor
            out.append(_decimate(mono[:keep], factor))
            carry = mono[keep:]

        try:
            for frame in container.decode(stream):
                shape = (max(1, len(frame.layout.channels)), bool(frame.format.is_planar))
                if shape != layout or len(raw) >= 512:
                    flush()
                    layout = shape
                raw.append(frame.to_ndarray())
        except av.FFmpegError as exc:
            if not out and not raw:
                raise InspectorDataError(f"{path.name}: cannot be decoded ({exc})") from None
        flush()
        if len(carry):
            out.append(_decimate(carry, len(carry)))
    if not out:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(out).astype(np.float32, copy=False)


def decoded_rate(path: str | os.PathLike[str], rate: int = OVERVIEW_RATE) -> int:
    """The rate :func:`decode_audio` returns for ``path`` (0 without an audio track)."""
    with _open(Path(path)) as container:
        if not container.streams.audio:
            return 0
        source = int(container.streams.audio[0].rate or rate)
        return source // max(1, source // rate)


# -- reductions -----------------------------------------------------------------------------


def peaks(samples: npt.NDArray[np.float32], columns: int = COLUMNS) -> bytes:
    """(min, max) per column as int8 pairs, scaled so the loudest sample is ±127."""
    n = len(samples)
    if n == 0:
        return b""
    columns = max(1, min(columns, n))
    edges = np.linspace(0, n, columns + 1).astype(np.int64)[:-1]
    lows = np.minimum.reduceat(samples, edges)
    highs = np.maximum.reduceat(samples, edges)
    scale = float(max(np.abs(lows).max(), np.abs(highs).max())) or 1.0
    pairs = np.empty(2 * columns, dtype=np.int8)
    pairs[0::2] = np.clip(np.round(lows / scale * 127), -127, 127)
    pairs[1::2] = np.clip(np.round(highs / scale * 127), -127, 127)
    return pairs.tobytes()


def spectrogram(
    samples: npt.NDArray[np.float32], columns: int = COLUMNS, rows: int = ROWS
) -> npt.NDArray[np.uint8]:
    """Log power, ``rows`` x (at most) ``columns`` uint8, low frequencies in the last row.

    Short FFTs (``2 * rows`` samples, Hann window) tile the whole signal without gaps;
    the power of all the FFTs falling in one column is averaged, so nothing between
    columns is skipped however long the file.
    """
    size = 2 * rows
    n = len(samples)
    if n < size:
        samples = np.pad(samples, (0, size - n))
        n = size
    frames = n // size
    hop = size
    if frames < columns:  # short audio: overlap the FFTs to fill more columns
        hop = max(8, (n - size) // max(1, columns - 1))
        frames = 1 + (n - size) // hop
    window = np.hanning(size).astype(np.float32)
    cols = min(columns, frames)
    bins = np.linspace(0, frames, cols + 1).astype(np.int64)
    power = np.zeros((cols, rows), dtype=np.float64)
    step = 8192
    for start in range(0, frames, step):
        stop = min(frames, start + step)
        if hop == size:
            block = samples[start * size : stop * size].reshape(-1, size)
        else:
            idx = (np.arange(start, stop) * hop)[:, None] + np.arange(size)[None, :]
            block = samples[idx]
        spec = np.abs(np.fft.rfft(block * window, axis=1)[:, :rows]) ** 2
        first = int(np.searchsorted(bins, start, side="right")) - 1
        last = int(np.searchsorted(bins, stop - 1, side="right")) - 1
        edges = np.clip(bins[first : last + 1], start, stop) - start
        power[first : last + 1] += np.add.reduceat(spec, edges, axis=0)
    counts = np.diff(bins).astype(np.float64)
    power /= np.maximum(counts, 1.0)[:, None]
    db = 10.0 * np.log10(power + 1e-12)
    top = float(db.max())
    scaled = np.clip((db - (top - RANGE_DB)) / RANGE_DB, 0.0, 1.0)
    image: npt.NDArray[np.uint8] = np.round(scaled.T[::-1] * 255).astype(np.uint8)
    return image


def _png(gray: npt.NDArray[np.uint8]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(gray, mode="L").save(out, format="PNG", optimize=False)
    return out.getvalue()


# -- cached overviews -----------------------------------------------------------------------


def _cache_file(cache: Path | None, key: str, suffix: str) -> Path | None:
    return None if cache is None else cache / f"{key}.v{CACHE_VERSION}.{suffix}"


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _pack(overview: AudioOverview) -> bytes:
    head = json.dumps(
        {"duration": overview.duration, "rate": overview.rate, "peaks": len(overview.peaks)}
    ).encode()
    return len(head).to_bytes(4, "big") + head + overview.peaks + overview.spectrogram_png


def _unpack(data: bytes) -> AudioOverview:
    size = int.from_bytes(data[:4], "big")
    head = json.loads(data[4 : 4 + size])
    body = data[4 + size :]
    n = int(head["peaks"])
    return AudioOverview(float(head["duration"]), body[:n], body[n:], int(head["rate"]))


def audio_overview(
    path: str | os.PathLike[str], *, cache: Path | None = None, key: str | None = None
) -> AudioOverview | None:
    """The overview of ``path``'s audio, from ``cache`` when computed before.

    ``key`` names the cache entry (the item's sha256; default the file name and size).
    None when the file has no audio track.
    """
    path = Path(path)
    if key is None:
        key = f"{path.name}-{path.stat().st_size}"
    stored = _cache_file(cache, key, "audio")
    if stored is not None and stored.is_file():
        data = stored.read_bytes()
        if not data:
            return None
        try:
            return _unpack(data)
        except (ValueError, KeyError):
            pass  # a damaged entry: compute again
    samples = decode_audio(path)
    if len(samples) == 0:
        if stored is not None:
            _atomic_write(stored, b"")
        return None
    rate = decoded_rate(path)
    overview = AudioOverview(
        duration=len(samples) / rate,
        peaks=peaks(samples),
        spectrogram_png=_png(spectrogram(samples)),
        rate=rate,
    )
    if stored is not None:
        _atomic_write(stored, _pack(overview))
    return overview
