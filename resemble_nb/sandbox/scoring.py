"""Synthetic, deterministic results: a function of the content hash, the real duration
and the options, shaped like the documented ``metrics`` / ``image_metrics`` /
``video_metrics`` blocks.

About 45 % of contents lean fake, 15 % sit in the uncertain band and 40 % lean real,
so a demo folder shows a mix. The same bytes always score the same.

With a planted truth (:class:`PlantedTruth`, the sandbox's ``plant_truth`` setting),
media whose file name says ``real`` or ``fake`` (as a word: ``fake_012.wav``,
``interview-real.mp4``), or that a side file lists, are scored from two overlapping
distributions instead: ``sigmoid(z)`` with ``z ~ N(+0.9, 1)`` for fakes and
``N(-0.9, 1)`` for reals, drawn from the content hash. The true ROC AUC of those scores
is ``Phi(1.8 / sqrt(2))`` = 0.8985 (:data:`PLANTED_AUC`): an honest, imperfect detector
whose curves mean something.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import math
import random
import re
import statistics
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "PLANTED_AUC",
    "PLANTED_SEPARATION",
    "PlantedTruth",
    "analyse",
    "answer_text",
    "audio_label",
    "base_score",
    "five_step_label",
    "intelligence_text",
    "planted_score",
    "tracing_label",
]

#: Distance between the means of the fake and real score distributions (in z units).
PLANTED_SEPARATION = 1.8
#: The true ROC AUC of planted scores: Phi(separation / sqrt(2)).
PLANTED_AUC = 0.5 * (1.0 + math.erf(PLANTED_SEPARATION / 2.0))
_WORDS = re.compile(r"[a-z0-9]+")

_MAX_WINDOWS = 5000
_MAX_FRAMES = 120
_TRACING_SOURCES = ("resemble_ai", "elevenlabs", "openai", "playht", "cartesia")


def _rng(*parts: object) -> random.Random:
    seed = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def base_score(sha256: str) -> float:
    """The content's probability of being synthetic, in [0.02, 0.98].

    >>> 0.0 < base_score("ab" * 32) < 1.0
    True
    """
    rng = _rng("base", sha256)
    bucket = rng.random()
    if bucket < 0.45:
        return round(0.72 + 0.26 * rng.random(), 4)
    if bucket < 0.60:
        return round(0.32 + 0.30 * rng.random(), 4)
    return round(0.02 + 0.24 * rng.random(), 4)


def planted_score(sha256: str, truth: str) -> float:
    """A score drawn for content known to be ``"real"`` or ``"fake"`` (deterministic).

    >>> planted_score("ab" * 32, "fake") == planted_score("ab" * 32, "fake")
    True
    """
    if truth not in ("real", "fake"):
        raise ValueError(f"truth must be 'real' or 'fake', not {truth!r}")
    rng = _rng("planted", sha256)
    shift = PLANTED_SEPARATION / 2 if truth == "fake" else -PLANTED_SEPARATION / 2
    z = rng.gauss(shift, 1.0)
    return round(min(0.9999, max(0.0001, 1.0 / (1.0 + math.exp(-z)))), 4)


@dataclass
class PlantedTruth:
    """Which media have a planted truth: by a word in the file name, or listed in a side
    file (CSV with ``label`` real/fake and ``sha256`` or ``name``).

    >>> PlantedTruth(by_name=True).truth_for("ab" * 32, "fake_001.wav")
    'fake'
    """

    by_name: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    """sha256 or file name -> ``"real"``/``"fake"`` (from a side file or the admin route)."""

    @property
    def active(self) -> bool:
        return self.by_name or bool(self.labels)

    def truth_for(self, sha256: str, filename: str | None) -> str | None:
        """``"real"``, ``"fake"`` or ``None`` (score as usual)."""
        listed = self.labels.get(sha256) or (self.labels.get(filename) if filename else None)
        if listed is not None or not self.by_name or not filename:
            return listed
        words = set(_WORDS.findall(Path(filename).stem.lower()))
        if ("fake" in words) == ("real" in words):
            return None
        return "fake" if "fake" in words else "real"

    @staticmethod
    def read_labels(path: str | Path) -> dict[str, str]:
        """A side file's labels: CSV with ``label`` and ``sha256`` or ``name`` columns.

        Raises:
            ValueError: The file cannot be read, or a row is not real/fake (named by line).
        """
        out: dict[str, str] = {}
        try:
            with open(path, newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise ValueError(f"{path}: cannot read the truth file ({exc})") from None
        for line, row in enumerate(rows, start=2):
            row = {str(k).strip().lower(): str(v or "").strip() for k, v in row.items()}
            label = row.get("label", "").lower()
            key = row.get("sha256", "").lower() or row.get("name", "")
            if label not in ("real", "fake") or not key:
                raise ValueError(
                    f"{path} line {line}: needs a sha256 or name and a label real or fake"
                )
            out[key] = label
        return out


def five_step_label(score: float) -> str:
    """Resemble's guidance bands on a five-step scale (image and video casing).

    >>> [five_step_label(s) for s in (0.05, 0.2, 0.4, 0.6, 0.9)]
    ['Real', 'Likely real', 'Neutral/Uncertain', 'Likely fake', 'Fake']
    """
    if score < 0.15:
        return "Real"
    if score < 0.30:
        return "Likely real"
    if score < 0.50:
        return "Neutral/Uncertain"
    if score < 0.70:
        return "Likely fake"
    return "Fake"


def audio_label(score: float) -> str:
    """Audio labels are lower-case and binary in the documented examples."""
    return "fake" if score >= 0.5 else "real"


def _clamp(x: float) -> float:
    return min(0.999, max(0.001, x))


def _fmt(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".") if x else "0"


def _png_uri(width: int, height: int, rgba: bytes) -> str:
    """An RGBA picture as an inline PNG ``data:`` URI (the real heatmaps are raster images)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    stride = 4 * width
    rows = b"".join(b"\x00" + rgba[y * stride : (y + 1) * stride] for y in range(height))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _sparkline(scores: list[float]) -> str:
    """A small picture of window scores (dark bars), as an inline PNG ``data:`` URI."""
    shown = scores[:500]
    n = max(1, len(shown))
    width, height = 4 * n, 40
    pixels = bytearray(width * height * 4)
    for i, s in enumerate(shown):
        top = height - round(height * min(1.0, max(0.0, s)))
        for y in range(top, height):
            for x in range(4 * i, 4 * i + 3):
                at = 4 * (y * width + x)
                pixels[at : at + 4] = b"\x33\x33\x33\xff"
    return _png_uri(width, height, bytes(pixels))


def _heatmap(sha256: str, score: float) -> str:
    """A 12 x 12 manipulation heatmap as an inline PNG ``data:`` URI: one soft red blob
    whose strength follows the score, placed by the content hash (the real
    ``ifl.heatmap`` is an image of the same kind: where the model saw manipulation)."""
    rng = _rng("heatmap", sha256)
    cx, cy = rng.uniform(3.0, 9.0), rng.uniform(3.0, 9.0)
    pixels = bytearray()
    for y in range(12):
        for x in range(12):
            d2 = (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2
            alpha = min(1.0, score * math.exp(-d2 / 8.0) + 0.06 * rng.random())
            pixels += bytes((0xE5, 0x39, 0x35, round(255 * alpha)))
    return _png_uri(12, 12, bytes(pixels))


def _windows(duration: float, options: dict[str, Any]) -> tuple[float, float, int]:
    start = float(options.get("start_region") or 0.0)
    end = options.get("end_region")
    stop = min(float(end), duration) if end is not None else duration
    start = min(start, stop)
    frame = int(options.get("frame_length") or 2)
    n = max(1, math.ceil(round(stop - start, 6) / frame))
    return start, stop, min(n, _MAX_WINDOWS)


def _audio_metrics(
    sha256: str, duration: float, options: dict[str, Any], base: float
) -> dict[str, Any]:
    start, stop, n = _windows(duration, options)
    rng = _rng("audio", sha256, options.get("frame_length") or 2, start, stop)
    scores = [_clamp(base + rng.gauss(0.0, 0.07)) for _ in range(n)]
    agg = statistics.fmean(scores)
    spread = statistics.pstdev(scores) if n > 1 else 0.0
    return {
        "image": _sparkline(scores) if options.get("visualize") else "",
        "label": audio_label(agg),
        "score": [_fmt(s) for s in scores],
        "consistency": _fmt(_clamp(1.0 - 3.0 * spread)),
        "aggregated_score": _fmt(agg),
    }


def _node(kind: str, score: float, rng: random.Random, **extra: Any) -> dict[str, Any]:
    certainty = round(min(0.999, 0.5 + abs(score - 0.5) + rng.uniform(0.0, 0.05)), 3)
    node: dict[str, Any] = {
        "type": kind,
        "conclusion": five_step_label(score),
        "score": round(score, 4),
        "certainty": certainty,
        "certainty (%)": f"{certainty * 100:.1f}",
    }
    node.update(extra)
    return node


def _video_metrics(
    sha256: str, duration: float, options: dict[str, Any], base: float
) -> dict[str, Any]:
    limit = options.get("max_video_secs")
    capped = min(duration, float(limit)) if limit else duration
    start, stop, n = _windows(capped, options)
    frame = int(options.get("frame_length") or 2)
    rng = _rng("video", sha256, frame, start, stop, bool(options.get("face_only")))
    frames = []
    for i in range(min(n, _MAX_FRAMES)):
        ts = round(start + i * frame + rng.uniform(0.0, min(frame, stop - start) / 2), 2)
        score = _clamp(base + rng.gauss(0.0, 0.06))
        segments = [
            _node("Segment", _clamp(score + rng.gauss(0.0, 0.04)), rng)
            for _ in range(1 + (rng.random() < 0.3))
        ]
        frames.append(_node("ImageResult", score, rng, timestamp=ts, children=segments))
    overall = statistics.fmean(f["score"] for f in frames)
    root = _node("VideoResult", overall, rng, children=frames)
    return {
        "label": five_step_label(overall),
        "score": round(overall, 4),
        "certainty": root["certainty"],
        "treeview": _sparkline([f["score"] for f in frames]) if options.get("visualize") else "",
        "children": [root],
    }


def _image_metrics(sha256: str, options: dict[str, Any], score: float) -> dict[str, Any]:
    rng = _rng("image", sha256)
    ifl = _clamp(score + rng.gauss(0.0, 0.05))
    visual = _heatmap(sha256, ifl) if options.get("visualize") else ""
    metrics: dict[str, Any] = {
        "type": "FinalResult",
        "label": five_step_label(score),
        "score": round(score, 4),
        "image": visual,
        "ifl": {"score": round(ifl, 4), "heatmap": visual},
        "children": [],
    }
    if options.get("use_reverse_search"):
        sources = []
        if score >= 0.7 and rng.random() < 0.5:
            sources.append(
                {
                    "url": f"https://stock.example.invalid/ai/{sha256[:12]}",
                    "title": "stock.example.invalid",
                    "reason": "This exact image is hosted on a stock site labelled AI-generated.",
                    "verdict": "known_fake",
                    "similarity": 1,
                }
            )
        metrics["reverse_image_search_sources"] = sources
    return metrics


def analyse(
    sha256: str,
    media_type: str,
    duration: float | None,
    has_audio: bool,
    options: dict[str, Any],
    truth: str | None = None,
) -> dict[str, Any]:
    """The result fields of a completed detect (``truth``: a planted ``"real"``/``"fake"``).

    >>> r = analyse("ab" * 32, "audio", 5.0, True, {"frame_length": 2})
    >>> len(r["metrics"]["score"])
    3
    """
    out: dict[str, Any] = {
        "metrics": {},
        "image_metrics": None,
        "video_metrics": None,
        "audio_source_tracing": None,
    }
    modality = options.get("modality") or "all"
    base = planted_score(sha256, truth) if truth else base_score(sha256)
    if media_type == "image":
        out["image_metrics"] = _image_metrics(sha256, options, base)
        return out
    dur = float(duration or 0.0)
    if media_type == "video" and modality != "audio":
        out["video_metrics"] = _video_metrics(sha256, dur, options, base)
    if has_audio and not (media_type == "video" and modality == "video"):
        out["metrics"] = _audio_metrics(sha256, dur, options, base)
        if options.get("audio_source_tracing") and out["metrics"]["label"] == "fake":
            source = tracing_label(sha256, "fake")
            out["audio_source_tracing"] = {"label": source, "error_message": None}
    return out


def tracing_label(sha256: str, audio: str) -> str:
    """Which generator made fake audio (one per content), or ``"real"``.

    >>> tracing_label("ab" * 32, "real")
    'real'
    """
    if audio.lower() != "fake":
        return "real"
    return _rng("tracing", sha256).choice(_TRACING_SOURCES)


def _headline(outcome: dict[str, Any]) -> tuple[str | None, float | None]:
    for block, key in (("video_metrics", "score"), ("image_metrics", "score")):
        found = outcome.get(block) or {}
        if found.get(key) is not None:
            return str(found.get("label")), float(found[key])
    metrics = outcome.get("metrics") or {}
    if metrics.get("aggregated_score") not in (None, ""):
        return str(metrics.get("label")), float(metrics["aggregated_score"])
    return None, None


_TOPICS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("clone", "cloned", "voice", "speaker", "generator", "tts"),
        "The voice {shows} the marks of a speech generator; the prosody is {prosody}.",
    ),
    (
        ("language", "accent", "dialect", "translate"),
        "The speech is in English (en-US), in a conversational style.",
    ),
    (
        ("edit", "edited", "splice", "cut", "manipulat", "alter"),
        "The analysed windows are {consistency}; {edits}.",
    ),
    (
        ("face", "person", "subject", "image", "picture", "photo", "video"),
        "The visual analysis {shows} signs of synthesis in the subject's region.",
    ),
)


def answer_text(sha256: str, media_type: str, query: str, outcome: dict[str, Any]) -> str:
    """A deterministic answer to a question about a detect, built from its result.

    >>> answer_text("ab" * 32, "audio", "Was it cloned?", {})[:16]
    'Sandbox answer: '
    """
    label, score = _headline(outcome)
    fake = score is not None and score >= 0.5
    words = query.lower()
    facts = {
        "shows": "shows" if fake else "does not show",
        "prosody": "unusually even" if fake else "natural, with ordinary variation",
        "consistency": "consistent with one another" if not fake else "uneven",
        "edits": "no splice points stand out" if not fake else "two transitions look abrupt",
    }
    parts = [fmt.format(**facts) for keys, fmt in _TOPICS if any(k in words for k in keys)]
    if not parts:
        parts = [
            f"The {media_type} {facts['shows']} signs of synthesis overall."
            if score is not None
            else f"The {media_type} has no score to reason from."
        ]
    verdict = f" The detect labelled it {label} (score {score:.2f})." if score is not None else ""
    return "Sandbox answer: " + " ".join(parts) + verdict


def intelligence_text(sha256: str, media_type: str, structured: bool) -> str | dict[str, Any]:
    """A deterministic stand-in for the multimodal intelligence report."""
    score = base_score(sha256)
    verdict = "shows signs of synthesis" if score >= 0.5 else "shows no sign of synthesis"
    if media_type == "image":
        if not structured:
            return f"Sandbox image analysis: the image {verdict}."
        return {
            "scene_description": "Synthetic sandbox description of the scene.",
            "subjects": "One subject (sandbox).",
            "authenticity_analysis": f"The image {verdict} (sandbox).",
            "context_and_setting": "Unknown (sandbox).",
            "abnormalities": "Lighting inconsistencies" if score >= 0.5 else "None detected",
            "misinformation": "No misinformation detected",
        }
    if not structured:
        return f"Sandbox {media_type} analysis: adult speaker, neutral tone; the media {verdict}."
    return {
        "speaker_info": "Adult speaker (sandbox)",
        "language": "en",
        "dialect": "en-US",
        "emotion": "neutral",
        "speaking_style": "conversational",
        "context": "Sandbox recording",
        "message": "Synthetic sandbox transcript",
        "abnormalities": "Robotic prosody" if score >= 0.5 else "No anomalies detected",
        "transcription": "This is a sandbox transcription.",
        "translation": None,
        "misinformation": "No misinformation detected",
    }
