"""What a flagged item looks like in the report: the image with its heatmap over it, a
video's key frames, a sound or video exhibit as a player. Bytes in, escaped HTML out:
every picture is sniffed and re-encoded (``image_uri``), every clip too (``media_uri``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from resemble_nb._core.markup import attr, image_uri
from resemble_nb._core.markup import text as _e
from resemble_nb._core.visible import escape_name

__all__ = [
    "HEATMAP_WORDS",
    "exhibit_player_html",
    "image_with_heatmap_html",
    "key_frames_html",
    "thumbnail",
]

HEATMAP_WORDS = "heatmap (where the image looks manipulated)"
"""How the report and the board name an image's heatmap (the API calls it IFL)."""

_PICTURE_PX = 480


def thumbnail(data: bytes, size: int = _PICTURE_PX) -> bytes | None:
    """The image scaled to fit ``size`` px, as PNG (JPEG for photos); ``None`` if it
    does not decode."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((size, size))
            out = io.BytesIO()
            if image.mode in ("RGBA", "LA", "P"):
                image.convert("RGBA").save(out, format="PNG")
            else:
                image.convert("RGB").save(out, format="JPEG", quality=85)
            return out.getvalue()
    except Exception:  # not an image PIL reads: no picture, the facts still stand
        return None


def image_with_heatmap_html(name: str, image: bytes | None, heatmap: bytes | None) -> str:
    """The image (scaled) with its heatmap laid over its whole box, half transparent."""
    name = escape_name(name)  # a name's hidden characters are shown, never obeyed
    picture = image_uri(thumbnail(image) or b"") if image else None
    heat = image_uri(heatmap) if heatmap else None
    if picture is None:
        return ""
    over = f'<img class="heat" src="{attr(heat)}" alt="{attr(HEATMAP_WORDS)}">' if heat else ""
    caption = (
        f"{_e(name)} with its {HEATMAP_WORDS} over it, half transparent"
        if heat
        else f"{_e(name)} (no heatmap for this image)"
    )
    return (
        f'<figure class="picture"><div class="overlay"><img src="{attr(picture)}" '
        f'alt="{attr(name)}">{over}</div><figcaption>{caption}</figcaption></figure>'
    )


def key_frames_html(name: str, frames: Sequence[Any]) -> str:
    """A row of key frames (``.time``, ``.score``, ``.jpeg``) with time and score."""
    name = escape_name(name)
    cells = []
    for frame in frames:
        uri = image_uri(frame.jpeg) if frame.jpeg else None
        if uri is None:
            continue
        score = "" if frame.score is None else f" · score {float(frame.score):.2f}"
        cells.append(
            f'<figure class="frame"><img src="{attr(uri)}" alt="frame of {attr(name)} at '
            f'{frame.time:.1f} s"><figcaption>{frame.time:.1f} s{score}</figcaption></figure>'
        )
    if not cells:
        return ""
    return (
        '<div class="key-frames"><p class="muted">Key frames at the scored moments:</p>'
        f'<div class="frames">{"".join(cells)}</div></div>'
    )


def exhibit_player_html(exhibit: dict[str, Any]) -> str:
    """The exhibit as ``<audio>``/``<video>`` playing from the report itself, or a line
    saying where its file is when it was over the embedding budget."""
    name = _e(escape_name(exhibit["name"]))
    span = ""
    if exhibit.get("end_s") is not None and exhibit.get("start_s") is not None:
        span = f" ({exhibit['start_s']:.1f}–{exhibit['end_s']:.1f} s of the original)"
    uri = exhibit.get("media")
    if not uri:
        reason = _e(exhibit.get("not_embedded") or "no playable file")
        return f'<p class="muted exhibit-file">Exhibit {name}{span}: {reason}.</p>'
    tag = "video" if exhibit.get("video") else "audio"
    return (
        f'<figure class="exhibit-player"><{tag} controls preload="metadata" '
        f'src="{attr(uri)}"></{tag}><figcaption>Exhibit {name}{span}, embedded in this '
        "report: it plays offline.</figcaption></figure>"
    )
