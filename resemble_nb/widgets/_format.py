"""Small text helpers shared by the widgets: escaping, durations, a text progress bar.

Sizes are written by :func:`resemble_nb.media.format_bytes`, the one byte formatter.
"""

from __future__ import annotations

import math

from .._core import markup

__all__ = ["escape", "human_duration", "text_bar"]

_EIGHTHS = " ▏▎▍▌▋▊▉█"


def escape(value: object) -> str:
    """HTML-escape anything for an ``HTML`` widget (file names are user input): the one
    rule of :func:`resemble_nb._core.markup.text`."""
    return markup.text(value)


def human_duration(seconds: float | None) -> str:
    """``human_duration(125) == "2 min 05 s"``; ``None`` reads as an em dash."""
    if seconds is None or math.isnan(seconds):
        return "—"
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def text_bar(fraction: float, width: int = 10) -> str:
    """A tqdm-style bar: ``text_bar(0.45) == "▕████▌     ▏"``."""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = int(fraction * width * 8 + 1e-9)  # floor: 99.9 % never looks full
    full, rest = divmod(eighths, 8)
    body = "█" * full
    if full < width:
        body += _EIGHTHS[rest] if rest else " "
        body += " " * (width - full - 1)
    return f"▕{body}▏"
