"""Documented request options of ``POST /detect`` and ``POST /detect/batch``.

Options travel under their documented names. The two endpoints spell one of them
differently (``audio_source_tracing`` on ``/detect``, ``audio_source_tracing_enabled``
on ``/detect/batch``); either spelling is accepted and sent the way the endpoint
expects. A name neither endpoint documents is refused before sending (it is most
likely a typo); ``extra_fields={...}`` sends anything as is.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

__all__ = ["BATCH_OPTIONS", "DETECT_OPTIONS", "form_fields", "prepare_options"]

DETECT_OPTIONS = frozenset(
    {
        "callback_url",
        "wait_for_intelligence",
        "visualize",
        "frame_length",
        "start_region",
        "end_region",
        "max_video_secs",
        "max_video_fps",
        "model_types",
        "modality",
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
        "pipeline",
    }
)
"""Options of single ``POST /detect`` (contract §3.3)."""

BATCH_OPTIONS = frozenset(
    {
        "callback_url",
        "intelligence",
        "infer_from_intelligence",
        "search_identity",
        "visualize",
        "audio_source_tracing_enabled",
        "frame_length",
        "start_region",
        "end_region",
        "max_video_secs",
        "use_llm",
        "face_only",
        "zero_retention_mode",
    }
)
"""Form fields of ``POST /detect/batch`` (contract §4.4)."""

_RENAMES = {
    "detect": {"audio_source_tracing_enabled": "audio_source_tracing"},
    "batch": {"audio_source_tracing": "audio_source_tracing_enabled"},
}
_ALLOWED = {"detect": DETECT_OPTIONS, "batch": BATCH_OPTIONS}
_ENDPOINT = {"detect": "POST /detect", "batch": "POST /detect/batch"}


def prepare_options(
    endpoint: str, options: Mapping[str, Any], extra_fields: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Check option names for ``endpoint`` (``"detect"`` or ``"batch"``) and drop ``None``s.

    Raises:
        TypeError: An option the endpoint does not document (with a suggestion).
    """
    allowed = _ALLOWED[endpoint]
    renames = _RENAMES[endpoint]
    prepared: dict[str, Any] = {}
    for name, value in options.items():
        name = renames.get(name, name)
        if name not in allowed:
            hint = ""
            if name in DETECT_OPTIONS | BATCH_OPTIONS:
                hint = f" ({name!r} is only documented for the other endpoint)"
            else:
                close = difflib.get_close_matches(name, sorted(allowed), n=1)
                if close:
                    hint = f" (did you mean {close[0]!r}?)"
            raise TypeError(
                f"{_ENDPOINT[endpoint]} has no option {name!r}{hint}; "
                f"pass extra_fields={{{name!r}: ...}} to send it anyway"
            )
        if value is not None:
            prepared[name] = value
    for name, value in (extra_fields or {}).items():
        if value is not None:
            prepared[name] = value
    return prepared


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def form_fields(options: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """Options as multipart form fields: booleans as ``true``/``false``, lists repeated."""
    fields: dict[str, str | list[str]] = {}
    for name, value in options.items():
        if isinstance(value, (list, tuple)):
            fields[name] = [_form_value(v) for v in value]
        else:
            fields[name] = _form_value(value)
    return fields
