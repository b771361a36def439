"""The documented detect options: read from JSON or form fields, checked, normalised."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .errors import ApiError

__all__ = ["parse_bool", "parse_options"]

_BOOL_FIELDS = (
    "visualize",
    "intelligence",
    "infer_from_intelligence",
    "wait_for_intelligence",
    "audio_source_tracing",
    "audio_source_tracing_enabled",
    "use_reverse_search",
    "use_ood_detector",
    "zero_retention_mode",
    "privacy_mode",
    "detect_watermark",
    "signal",
    "search_identity",
    "use_llm",
    "face_only",
)
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


def parse_bool(name: str, value: Any) -> bool:
    """``true``/``false`` as JSON or form text.

    >>> parse_bool("visualize", "true"), parse_bool("visualize", False)
    (True, False)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ApiError(400, f"{name} must be true or false, got {value!r}")


def _number(name: str, value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ApiError(400, f"{name} must be a number of seconds, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"{name} must be a number of seconds, got {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise ApiError(400, f"{name} must be a number >= 0, got {value!r}")
    return number


def _frame_length(value: Any) -> int:
    if value is None or value == "":
        return 2
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not number.is_integer() or not 1 <= number <= 4:
        raise ApiError(400, f"frame_length must be an integer from 1 to 4, got {value!r}")
    return int(number)


def _callback(value: Any) -> str | None:
    if value is None or value == "":
        return None
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApiError(400, f"callback_url must be an http(s) URL, got {value!r}")
    return str(value)


def parse_options(raw: Mapping[str, Any], *, batch: bool = False) -> dict[str, Any]:
    """Normalised options of a detect (or of every detect of a batch); 400 on bad values."""
    opts: dict[str, Any] = {}
    for name in _BOOL_FIELDS:
        if name in raw and raw[name] is not None:
            opts[name] = parse_bool(name, raw[name])
    tracing = opts.pop("audio_source_tracing", False) or opts.pop(
        "audio_source_tracing_enabled", False
    )
    opts.pop("audio_source_tracing_enabled", None)
    zero = opts.pop("zero_retention_mode", False) or opts.pop("privacy_mode", False)
    opts.pop("privacy_mode", None)
    out: dict[str, Any] = {
        "frame_length": _frame_length(raw.get("frame_length")),
        "start_region": _number("start_region", raw.get("start_region")),
        "end_region": _number("end_region", raw.get("end_region")),
        "max_video_secs": _number("max_video_secs", raw.get("max_video_secs")),
        "max_video_fps": _number("max_video_fps", raw.get("max_video_fps")),
        "visualize": opts.get("visualize", batch),
        "intelligence": opts.get("intelligence", False),
        "infer_from_intelligence": opts.get("infer_from_intelligence", False),
        "wait_for_intelligence": opts.get("wait_for_intelligence"),
        "audio_source_tracing": bool(tracing),
        "use_reverse_search": opts.get("use_reverse_search", False),
        "use_ood_detector": opts.get("use_ood_detector", False),
        "zero_retention_mode": bool(zero),
        "detect_watermark": opts.get("detect_watermark", False),
        "signal": opts.get("signal", False),
        "search_identity": opts.get("search_identity", False),
        "use_llm": opts.get("use_llm", False),
        "face_only": opts.get("face_only", False),
        "callback_url": _callback(raw.get("callback_url")),
        "pipeline": raw.get("pipeline") or None,
    }
    start, end = out["start_region"], out["end_region"]
    if start is not None and end is not None and end <= start:
        raise ApiError(400, f"end_region ({end}) must be greater than start_region ({start})")
    modality = raw.get("modality") or "all"
    if modality not in ("audio", "video", "all"):
        raise ApiError(400, f"modality must be 'audio', 'video' or 'all', got {modality!r}")
    out["modality"] = modality
    model_types = raw.get("model_types") or None
    if model_types not in (None, "image", "talking_head"):
        raise ApiError(400, f"model_types must be 'image' or 'talking_head', got {model_types!r}")
    out["model_types"] = model_types
    if batch and out["detect_watermark"]:
        raise ApiError(400, "detect_watermark is not supported on /detect/batch")
    if out["signal"] and out["zero_retention_mode"]:
        raise ApiError(400, "signal cannot be combined with zero_retention_mode")
    if out["signal"]:
        raise ApiError(403, "Signal is not enabled for this API key")
    return out
