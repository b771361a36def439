"""Detect options: their names on ``/detect`` and ``/detect/batch``, checks, and a stable key.

Options are written with the names ``POST /detect`` uses (contract §3.3). The batch form
spells one of them differently (``audio_source_tracing`` is ``audio_source_tracing_enabled``
there) and lacks others: those are *single-only*, and an item that needs one goes through
``/secure_uploads`` + ``/detect``.

>>> canonical_options({"intelligence": True, "audio_source_tracing_enabled": True})
{'audio_source_tracing': True, 'intelligence': True}
>>> batch_fields({"audio_source_tracing": True})
{'audio_source_tracing_enabled': True}
>>> single_only({"detect_watermark": True, "intelligence": True})
['detect_watermark']
>>> options_key({"intelligence": True}) == options_key({"intelligence": True, "signal": False})
True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = [
    "BATCH_FIELD_NAMES",
    "BATCH_ONLY_OPTIONS",
    "KNOWN_OPTIONS",
    "OPTION_ALIASES",
    "SINGLE_ONLY_OPTIONS",
    "TRANSPORT_OPTIONS",
    "DetectOptions",
    "batch_fields",
    "canonical_options",
    "options_key",
    "single_fields",
    "single_only",
]

DetectOptions = Mapping[str, Any]

_BOOL_FALSE_DEFAULT = [
    "face_only",
    "intelligence",
    "infer_from_intelligence",
    "audio_source_tracing",
    "use_reverse_search",
    "use_ood_detector",
    "zero_retention_mode",
    "detect_watermark",
    "signal",
    "search_identity",
    "use_llm",
]
_BOOL_NO_DEFAULT = ["visualize", "wait_for_intelligence"]  # False differs from "not sent"
_NUMBERS = ["start_region", "end_region", "max_video_secs", "max_video_fps"]
_CHOICES: dict[str, tuple[str, ...]] = {
    "modality": ("audio", "video", "all"),
    "model_types": ("image", "talking_head"),
}
_DEFAULTS: dict[str, object] = {"modality": "all", "frame_length": 2}

KNOWN_OPTIONS: frozenset[str] = frozenset(
    [*_BOOL_FALSE_DEFAULT, *_BOOL_NO_DEFAULT, *_NUMBERS, *_CHOICES, "frame_length", "callback_url"]
)
"""Every option accepted, by its ``/detect`` name."""

OPTION_ALIASES: Mapping[str, str] = MappingProxyType(
    {"audio_source_tracing_enabled": "audio_source_tracing", "privacy_mode": "zero_retention_mode"}
)
"""Other spellings accepted on input (batch form name, older docs) -> ``/detect`` name."""

BATCH_FIELD_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "callback_url": "callback_url",
        "intelligence": "intelligence",
        "infer_from_intelligence": "infer_from_intelligence",
        "search_identity": "search_identity",
        "visualize": "visualize",
        "audio_source_tracing": "audio_source_tracing_enabled",
        "frame_length": "frame_length",
        "start_region": "start_region",
        "end_region": "end_region",
        "max_video_secs": "max_video_secs",
        "use_llm": "use_llm",
        "face_only": "face_only",
        "zero_retention_mode": "zero_retention_mode",
    }
)
"""``/detect`` option name -> ``/detect/batch`` form field name (contract §4.4)."""

SINGLE_ONLY_OPTIONS: frozenset[str] = KNOWN_OPTIONS - BATCH_FIELD_NAMES.keys()
"""Options the batch form does not take: an item using one must go single."""

BATCH_ONLY_OPTIONS: frozenset[str] = frozenset({"search_identity", "use_llm"})
"""Documented only for the batch form; sent as-is on ``/detect`` (undocumented there)."""

TRANSPORT_OPTIONS: frozenset[str] = frozenset(
    {"callback_url", "wait_for_intelligence", "zero_retention_mode"}
)
"""How results are delivered or media kept, not what is analysed: left out of
:func:`options_key`, so toggling them never re-analyses (and re-bills) a done item."""


def canonical_options(options: DetectOptions | None = None, **more: Any) -> dict[str, Any]:
    """Check options and write them one way: ``/detect`` names, sorted, no no-ops.

    Aliases are renamed, ``None`` values dropped, and so are values equal to the documented
    default (``False`` for most flags, ``modality="all"``, ``frame_length=2``).

    Raises:
        ValueError: an unknown name or a value of the wrong type or range, naming both.
    """
    merged: dict[str, Any] = {**(options or {}), **more}
    given: dict[str, Any] = {}
    for raw_name, value in merged.items():
        name = OPTION_ALIASES.get(raw_name, raw_name)
        if name not in KNOWN_OPTIONS:
            known = ", ".join(sorted(KNOWN_OPTIONS))
            raise ValueError(f"unknown detect option {raw_name!r}; known options: {known}")
        if value is None:
            continue
        _check_value(name, value)
        if name in _NUMBERS:
            value = float(value)  # 1 and 1.0 are the same analysis
        if name in given and given[name] != value:
            raise ValueError(f"detect option {name!r} given twice with different values")
        given[name] = value
    result = {
        name: value
        for name, value in given.items()
        if not (name in _BOOL_FALSE_DEFAULT and value is False)
        and not (name in _DEFAULTS and value == _DEFAULTS[name])
    }
    return dict(sorted(result.items()))


def _check_value(name: str, value: Any) -> None:
    def bad(expected: str) -> ValueError:
        return ValueError(f"detect option {name!r} must be {expected}, not {value!r}")

    if name in _BOOL_FALSE_DEFAULT or name in _BOOL_NO_DEFAULT:
        if not isinstance(value, bool):
            raise bad("True or False")
    elif name == "frame_length":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            raise bad("a whole number of seconds from 1 to 4")
    elif name in _NUMBERS:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise bad("a number of seconds (0 or more)")
    elif name in _CHOICES:
        if value not in _CHOICES[name]:
            raise bad("one of " + ", ".join(repr(c) for c in _CHOICES[name]))
    elif name == "callback_url" and (
        not isinstance(value, str) or not value.startswith(("https://", "http://"))
    ):
        raise bad("an http(s) URL")


def single_only(options: DetectOptions | None) -> list[str]:
    """The options in use that ``/detect/batch`` cannot take, sorted."""
    return [name for name in canonical_options(options) if name in SINGLE_ONLY_OPTIONS]


def single_fields(options: DetectOptions | None) -> dict[str, Any]:
    """Fields for a ``POST /detect`` body (JSON, with ``media_token`` added by the caller)."""
    return canonical_options(options)


def batch_fields(options: DetectOptions | None) -> dict[str, Any]:
    """Fields for a ``POST /detect/batch`` form, under their batch names.

    Raises:
        ValueError: a single-only option is set (route such items single instead).
    """
    canonical = canonical_options(options)
    blocked = [name for name in canonical if name in SINGLE_ONLY_OPTIONS]
    if blocked:
        raise ValueError(
            "/detect/batch does not take " + ", ".join(blocked) + "; send these items single"
        )
    return {BATCH_FIELD_NAMES[name]: value for name, value in canonical.items()}


def options_key(options: DetectOptions | None) -> str:
    """A short stable key for *what is analysed*: equal options give equal keys.

    Delivery options (:data:`TRANSPORT_OPTIONS`) and no-ops do not change the key, so the
    same item with the same analysis is recognised as done across runs and spellings.
    """
    canonical = canonical_options(options)
    relevant = {k: v for k, v in canonical.items() if k not in TRANSPORT_OPTIONS}
    text = json.dumps(relevant, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
