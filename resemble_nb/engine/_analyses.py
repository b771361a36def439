"""Analyses that can finish after their detect: an item is done when each it asked for is.

spec-B (contract §11): intelligence "can still be processing after Detect reaches
completed", and the same holds for watermark analysis; a failed one does not fail the
detect. Source tracing is waited for only where the docs say it comes: fake audio. So a
detect is *settled* when its status is terminal and, if it completed, every analysis its
options asked for is ``completed`` or ``failed`` too. A failed analysis keeps its reason
(stored with the result), and the item still completes. One the service does not return
within the run's patience is stored ``timed_out`` with that said; a later review or
``case.refresh_analyses()`` reads its detect again (no new detect).

>>> from resemble_nb.api import Detection
>>> det = Detection.from_json({"uuid": "d1", "status": "completed",
...     "intelligence": {"status": "processing", "description": None}})
>>> settled(det, {"intelligence": True}), settled(det, {})
(False, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..api import Detection

__all__ = [
    "ANALYSES",
    "analyses_of",
    "describe_analyses",
    "expected",
    "settled",
    "timed_out",
]

ANALYSES: dict[str, str] = {
    "intelligence": "intelligence",
    "watermark": "detect_watermark",
    "source_tracing": "audio_source_tracing",
}
"""Analysis name -> the option that asks for it (analyses that can come after the detect)."""

_FIELDS = {"source_tracing": "audio_source_tracing"}
"""The item's field for an analysis, where the names differ."""

_TERMINAL = frozenset({"completed", "failed"})


def _block(det: Detection, name: str) -> Any:
    value = det.raw.get(_FIELDS.get(name, name))
    if isinstance(value, list):  # experts=true: an array of completed results
        return value[-1] if value else None
    return value


def _state(block: Any) -> tuple[str, str | None]:
    """``(status, reason)`` of one analysis block as the item carries it."""
    if not isinstance(block, Mapping):
        return "pending", None
    status = block.get("status")
    reason = block.get("error_message")
    reason = reason.strip() if isinstance(reason, str) and reason.strip() else None
    if isinstance(status, str) and status.strip():
        status = status.strip().lower()
        if status == "failed":
            return "failed", reason or "no reason given"
        return status, None
    # no status (as in the docs' examples): a result or an error settles it
    if reason is not None:
        return "failed", reason
    result = block.get("description", block.get("metrics", block.get("label")))
    if result not in (None, "", {}, []):
        return "completed", None
    return "pending", None


def analyses_of(det: Detection, options: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each analysis ``options`` asked for: ``{name: {"status": ..., "reason": ...}}``."""
    out: dict[str, dict[str, Any]] = {}
    for name, option in ANALYSES.items():
        if not options.get(option) or not expected(det, name):
            continue
        status, reason = _state(_block(det, name))
        out[name] = {"status": status} if reason is None else {"status": status, "reason": reason}
    return out


def expected(det: Detection, name: str) -> bool:
    """Whether the docs say ``det`` carries analysis ``name`` once asked for: source
    tracing is "only returned when the audio label is fake" (contract §3.5)."""
    if name != "source_tracing":
        return True
    if isinstance(det.raw.get("audio_source_tracing"), Mapping):
        return True  # it came anyway: keep it
    audio = det.audio
    return audio is not None and (audio.label_raw or "").strip().lower() == "fake"


def settled(det: Detection, options: Mapping[str, Any]) -> bool:
    """Whether nothing more will change: a failed detect, or a completed one whose
    requested analyses are all ``completed`` or ``failed``."""
    if not det.done:
        return False
    if not det.completed:
        return True
    return all(a["status"] in _TERMINAL for a in analyses_of(det, options).values())


def describe_analyses(analyses: Mapping[str, Mapping[str, Any]]) -> str | None:
    """One line about the analyses that failed, or ``None`` when none did."""
    failed = [f"{name} failed: {a.get('reason')}" for name, a in analyses.items()
              if a.get("status") == "failed"]  # fmt: skip
    return "; ".join(failed) if failed else None


def timed_out(analyses: dict[str, dict[str, Any]], patience: float) -> dict[str, dict[str, Any]]:
    """``analyses`` with each one not finished marked ``timed_out``, with that said.

    >>> timed_out({"source_tracing": {"status": "pending"}}, 600)["source_tracing"]["reason"]
    'not returned by the service within 10 minutes; review again or call case.refresh_analyses() to fetch it'
    """  # noqa: E501
    for outcome in analyses.values():
        if outcome["status"] not in _TERMINAL:
            outcome["status"] = "timed_out"
            outcome["reason"] = (
                f"not returned by the service within {_span(patience)}; review again or "
                "call case.refresh_analyses() to fetch it"
            )
    return analyses


def _span(seconds: float) -> str:
    """``600`` -> ``"10 minutes"``, ``90`` -> ``"1.5 minutes"``, ``0.5`` -> ``"0.5 seconds"``."""
    if seconds < 60:
        return f"{seconds:g} second" + ("" if seconds == 1 else "s")
    minutes = seconds / 60
    return f"{minutes:.3g} minute" + ("" if minutes == 1 else "s")
