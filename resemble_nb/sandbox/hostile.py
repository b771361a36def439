"""The ``hostile`` mode: a service (or a proxy rewriting its answers) that attacks the
reviewer's browser.

A detect created while the mode is on is rendered with markup in every free-text field
(intelligence, its structured fields, source tracing, C2PA and error messages, reverse
search titles and reasons, the file name, questions' answers), heatmaps whose media type
breaks out of an HTML attribute (``data:image/png' onerror='alert(1)' x=';base64,...``),
reverse-search links to ``javascript:`` URLs, and an intelligence description of about
a megabyte. Identifiers, states, labels, scores and times stay as documented, so a
client still parses the answer: only what it shows is hostile.
"""

from __future__ import annotations

import base64
from typing import Any

__all__ = ["BREAKING_PNG", "BREAKING_SVG", "MARKUP", "hostile_item", "hostile_text"]

MARKUP = (
    "<script>alert('script')</script><img src=x onerror=\"alert('img')\">"
    "<svg onload=alert('svg')></svg><a href=\"javascript:alert('a')\">click</a>"
    '\' onmouseover=\'alert(1)\' " onfocus="alert(2)" autofocus x="'
    "<iframe src=\"javascript:alert('iframe')\"></iframe>"
)
"""Markup that would run in a browser if it were ever treated as HTML."""

_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="
)
BREAKING_PNG = "data:image/png' onerror='alert(1)' x=';base64," + base64.b64encode(_PNG).decode()
"""A real PNG behind a media type that breaks out of a single-quoted attribute."""
BREAKING_SVG = (
    'data:image/svg+xml" onerror="alert(2)" x=";base64,'
    + base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(3)'/>").decode()
)
"""An SVG carrying script behind a media type that breaks out of a double-quoted one."""
LINKS = (
    "javascript:alert(document.domain)",
    " JaVaScRiPt:alert(4)",
    "data:text/html,<script>alert(5)</script>",
    'https://x.example/"><script>alert(6)</script>',
)
MEGABYTE_TEXT = (MARKUP + " ") * (2**20 // (len(MARKUP) + 1))
"""About a megabyte of hostile text (an intelligence description)."""

_KEPT = frozenset(
    {
        "uuid", "status", "media_type", "created_at", "updated_at", "modality", "label",
        "type", "detect_uuid", "overall_status", "verdict", "model", "url", "audio_url",
        "language",
    }
)  # fmt: skip
"""Fields a client must parse to work at all (identifiers, states, labels, times)."""
_VISUALS = ("image", "heatmap", "treeview")


def hostile_text(text: Any) -> str:
    """``text`` with the markup appended (what a hostile answer says)."""
    return f"{text if text is not None else ''}{MARKUP}"


def _walk(value: Any, key: str | None, parent: str | None) -> Any:
    if isinstance(value, dict):
        return {k: _walk(v, k, key) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, key, parent) for v in value]
    if not isinstance(value, str):
        return value
    if key in _VISUALS and value:
        return BREAKING_SVG if key == "heatmap" else BREAKING_PNG
    if key == "label" and parent == "audio_source_tracing":
        return hostile_text(value)  # a generator's name is free text
    if key in _KEPT or _is_number(value):
        return value  # scores are sent as strings (contract): they stay readable
    return hostile_text(value)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def hostile_item(item: dict[str, Any]) -> dict[str, Any]:
    """A rendered detect ``item`` as a hostile service would send it."""
    out: dict[str, Any] = _walk(item, None, None)
    intel = out.get("intelligence")
    for block in intel if isinstance(intel, list) else [intel]:
        if isinstance(block, dict) and isinstance(block.get("description"), str):
            block["description"] = MEGABYTE_TEXT
        elif isinstance(block, dict) and isinstance(block.get("description"), dict):
            fields = block["description"]
            fields[MARKUP] = MARKUP
            fields["scene_description"] = MEGABYTE_TEXT
    metrics = out.get("image_metrics")
    if isinstance(metrics, dict) and isinstance(metrics.get("reverse_image_search_sources"), list):
        metrics["reverse_image_search_sources"] = [
            {"url": url, "title": hostile_text("page"), "reason": MARKUP, "verdict": MARKUP}
            for url in LINKS
        ]
    if isinstance(out.get("error_message"), str) or out.get("status") == "failed":
        out["error_message"] = hostile_text(out.get("error_message"))
    return out
