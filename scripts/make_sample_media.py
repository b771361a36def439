"""Generate the bundled sample media in ``resemble_nb/samples/``.

The results are committed, so the demo needs no generation step. Run again with
``make media`` (needs the dev extras: numpy, matplotlib, imageio-ffmpeg).

Every file is small, real and decodable, except the two that are bad on purpose:
``damaged.wav`` (a WAV header over garbage) and ``notes.txt`` (not media).
"""

from __future__ import annotations

import io
import subprocess
import tempfile
import wave
from pathlib import Path

import imageio_ffmpeg
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

OUT = Path(__file__).resolve().parent.parent / "resemble_nb" / "samples"
RATE = 16_000


def _tone(seconds: float, seed: int) -> np.ndarray:
    """A voice-like signal: a gliding fundamental with harmonics and syllable bursts."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    f0 = 120 + 30 * np.sin(2 * np.pi * 0.7 * t) + rng.normal(0, 2, t.size).cumsum() / 400
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    voice = sum(np.sin(k * phase) / k for k in range(1, 6))
    syllables = 0.5 + 0.5 * np.sign(np.sin(2 * np.pi * 3.1 * t + rng.uniform(0, 6)))
    noise = rng.normal(0, 0.02, t.size)
    signal = 0.3 * voice * syllables + noise
    return (signal / np.max(np.abs(signal)) * 0.8 * 32767).astype(np.int16)


def _write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(samples.tobytes())


def _ffmpeg(*args: str) -> None:
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    subprocess.run([exe, "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def _figure_png(seed: int, kind: str) -> bytes:
    rng = np.random.default_rng(seed)
    fig, ax = plt.subplots(figsize=(3.2, 3.2), dpi=80)
    if kind == "portrait":
        yy, xx = np.mgrid[-1:1:200j, -1:1:200j]
        face = np.exp(-((xx / 0.55) ** 2 + ((yy + 0.05) / 0.7) ** 2) * 3)
        eyes = np.exp(-(((xx - 0.22) / 0.08) ** 2 + ((yy - 0.15) / 0.05) ** 2)) + np.exp(
            -(((xx + 0.22) / 0.08) ** 2 + ((yy - 0.15) / 0.05) ** 2)
        )
        ax.imshow(face - 0.6 * eyes + rng.normal(0, 0.03, face.shape), cmap="copper")
    else:
        heights = rng.uniform(0.2, 0.9, 12)
        ax.bar(range(12), heights, width=0.9, color=plt.cm.viridis(heights))
        ax.set_facecolor("#bcd4e6")
    ax.set_axis_off()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)

        _write_wav(OUT / "speech.wav", _tone(6.0, seed=1))

        _write_wav(tmpdir / "voicemail.wav", _tone(9.0, seed=2))
        _ffmpeg(
            "-i",
            str(tmpdir / "voicemail.wav"),
            "-codec:a",
            "libmp3lame",
            "-b:a",
            "32k",
            str(OUT / "voicemail.mp3"),
        )

        (OUT / "portrait.png").write_bytes(_figure_png(3, "portrait"))
        (tmpdir / "street.png").write_bytes(_figure_png(4, "street"))
        _ffmpeg("-i", str(tmpdir / "street.png"), "-q:v", "5", str(OUT / "street.jpg"))

        _write_wav(tmpdir / "interview.wav", _tone(4.0, seed=5))
        _ffmpeg(
            "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=12:duration=4",
            "-i", str(tmpdir / "interview.wav"),
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "32", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "32k", "-shortest", "-movflags", "+faststart",
            str(OUT / "interview.mp4"),
        )  # fmt: skip

    # A WAV whose header promises audio that is not there: corrupt on purpose.
    header = (OUT / "speech.wav").read_bytes()[:12]
    (OUT / "damaged.wav").write_bytes(header + b"fmt \x02\x00\x00\x00" + bytes(range(256)) * 8)

    (OUT / "notes.txt").write_text(
        "Case notes: the bundled sample media for resemble_nb demos.\n"
        "This file is not media and should be skipped with a clear reason.\n"
    )
    total = sum(p.stat().st_size for p in OUT.iterdir() if p.is_file())
    for path in sorted(OUT.iterdir()):
        print(f"{path.name:16} {path.stat().st_size:>8} bytes")
    print(f"{'total':16} {total:>8} bytes")


if __name__ == "__main__":
    main()
