"""The media inspector: an anywidget whose view is a plain ES module shipped here.

One widget for the whole triage session: moving to another item sets its traits
(small: peaks, a grayscale spectrogram PNG, windows, thumbnails), never the media's
bytes. The browser plays the file from the Jupyter server by URL (see ``_server.py``);
only where no server answers (a VS Code kernel, an exported page) does it ask for the
bytes, which then come as custom messages of 512 KB each, up to ``embed_max_bytes``,
and never enter the widget state saved with the notebook.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets as T

from ...ledger import DEFAULT_THRESHOLD
from ...media.limits import format_bytes
from ...plots import BANDS
from ._item import DEFAULT_EMBED_MAX_BYTES, EMPTY_VIEW, read_chunks
from ._server import servable

__all__ = ["MediaInspector", "bundle_view"]

_STATIC = Path(__file__).parent / "static"
_PARTS = ("util.js", "keys.js", "timeline.js", "image.js", "inspector.js")
"""The view's ES modules, each after the ones it imports."""
_LOCAL_IMPORT = re.compile(r'^import \{[^}]*\} from "\./[\w.-]+";\n', re.MULTILINE)


def bundle_view() -> str:
    """The view as the ONE ES module anywidget loads (it resolves no relative import):
    the parts in order, their imports of each other dropped. Each part stays a valid
    module on its own (editors, node), and the joined text is what the browser runs."""
    texts = [(_STATIC / part).read_text(encoding="utf-8") for part in _PARTS]
    return "\n".join(_LOCAL_IMPORT.sub("", text) for text in texts)


KeyHandler = Callable[[Mapping[str, Any]], None]


class MediaInspector(anywidget.AnyWidget):
    """Waveform, spectrogram, scored windows, key frames and the player for one item.

    ``show(view)`` takes the dict from :func:`item_view`. Keys pressed while the board
    that holds it has focus come back through ``on_key(handler)`` as
    ``{"action": "next" | "previous" | "first" | "last" | "decide", ...}``.
    """

    _esm = bundle_view()
    _css = _STATIC / "inspector.css"

    item = T.Unicode("").tag(sync=True)
    kind = T.Unicode("none").tag(sync=True)
    name = T.Unicode("").tag(sync=True)
    src = T.Unicode("").tag(sync=True)
    mime = T.Unicode("").tag(sync=True)
    size = T.Int(0).tag(sync=True)
    message = T.Unicode("").tag(sync=True)
    duration = T.Float(0.0).tag(sync=True)
    peaks = T.Bytes(b"").tag(sync=True)
    spectrogram = T.Bytes(b"").tag(sync=True)
    spectrogram_hz = T.Int(0).tag(sync=True)
    windows = T.List(T.Dict()).tag(sync=True)
    frames = T.List(T.Dict()).tag(sync=True)
    heatmap = T.Unicode("").tag(sync=True)
    threshold = T.Float(DEFAULT_THRESHOLD).tag(sync=True)
    verdicts = T.List(T.List(T.Unicode())).tag(sync=True)
    #: Resemble's score bands as ``[high, colour, reading]`` (the plots' and report's table).
    bands = T.List(
        default_value=[[hi, colour, reading] for _lo, hi, reading, colour in BANDS],
        read_only=True,
    ).tag(sync=True)
    embed_max_bytes = T.Int(DEFAULT_EMBED_MAX_BYTES).tag(sync=True)

    def __init__(
        self,
        *,
        verdicts: Sequence[tuple[str, str]] = (),
        embed_max_bytes: int = DEFAULT_EMBED_MAX_BYTES,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            verdicts=[list(v) for v in verdicts], embed_max_bytes=embed_max_bytes, **kwargs
        )
        self._path: Path | None = None
        self._key_handlers: list[KeyHandler] = []
        self.bytes_sent = 0
        self.on_msg(self._on_front_msg)

    def show(self, view: Mapping[str, Any], path: Path | None = None) -> None:
        """Show one item (``view`` from :func:`item_view`; ``path`` for the fallback)."""
        self._path = path
        with self.hold_sync():
            for key, default in EMPTY_VIEW.items():
                value = view.get(key, default)
                if getattr(self, key) != value:
                    setattr(self, key, value)

    def on_key(self, handler: KeyHandler) -> None:
        """Call ``handler`` with every board action the browser sends."""
        self._key_handlers.append(handler)

    def __repr__(self) -> str:
        if self.kind == "none":
            return f"MediaInspector: {self.message or 'nothing shown'}"
        shown = self.name or self.item[:12] or "an item"
        return f"MediaInspector: {shown} ({self.kind}, {self.duration:.1f} s)"

    # -- browser messages ----------------------------------------------------------------
    def _on_front_msg(self, _widget: Any, content: Mapping[str, Any], _buffers: Any) -> None:
        event = content.get("event")
        if event == "action":
            for handler in list(self._key_handlers):
                handler(content)
        elif event == "need-bytes":
            self._send_bytes(str(content.get("item", "")))

    def _send_bytes(self, item: str) -> None:
        """Stream the current file to a browser that has no server to play it from."""
        path = self._path
        if path is None or item != self.item or not servable(path):
            self.send({"event": "bytes-refused", "item": item, "reason": "file not available"})
            return
        size = path.stat().st_size
        if size > self.embed_max_bytes:
            self.send(
                {
                    "event": "bytes-refused",
                    "item": item,
                    "reason": (
                        f"{path.name} is {format_bytes(size)}; without a Jupyter server only "
                        f"files up to {format_bytes(self.embed_max_bytes)} play here. To play "
                        "it, open this notebook in JupyterLab (make lab) with resemble_nb "
                        "installed there: the install turns on its media route"
                    ),
                }
            )
            return
        chunks = read_chunks(path)
        for i, chunk in enumerate(chunks):
            self.bytes_sent += len(chunk)
            self.send(
                {"event": "bytes", "item": item, "seq": i, "last": i == len(chunks) - 1},
                buffers=[chunk],
            )
