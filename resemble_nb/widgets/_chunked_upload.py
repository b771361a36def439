"""Browser uploads in pieces: files larger than one websocket message, with progress.

Jupyter caps one message at about 10 MB, so ``ipywidgets.FileUpload`` cannot carry a
bigger file. Here the browser reads each file a slice at a time (``File.slice``) and
sends one slice per custom message, waiting for the kernel's acknowledgement before the
next: the kernel appends it to a ``.part`` file in the case's uploads folder, so memory
stays at one slice, and nothing enters the widget state. A progress bar per file moves
with each acknowledgement. A complete file is handed to ``on_file(name, part)``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anywidget
import traitlets as T

from ..media.limits import format_bytes

__all__ = ["DEFAULT_CHUNK_BYTES", "ChunkedUpload"]

#: One slice per message: under 1 MB, the most any widget message carries (issue 12's
#: target), and far under Jupyter's default 10 MB message limit.
DEFAULT_CHUNK_BYTES = 1000**2

FileHandler = Callable[[str, Path], str]

_ESM = r"""
function render({ model, el }) {
  el.classList.add("rnb-chunked-upload");
  const input = document.createElement("input");
  input.type = "file";
  input.multiple = true;
  input.accept = model.get("accept");
  input.style.display = "none";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "jupyter-button rnb-chunked-button";
  button.textContent = model.get("description");
  button.title = model.get("tooltip");
  const list = document.createElement("div");
  list.className = "rnb-chunked-list";
  el.append(button, input, list);
  button.addEventListener("click", () => input.click());

  const waiting = new Map(); // id -> resolve(ack)
  model.on("msg:custom", (msg) => {
    const done = waiting.get(msg.id);
    if (done) { waiting.delete(msg.id); done(msg); }
  });
  function ask(content, buffers) {
    return new Promise((resolve) => {
      waiting.set(content.id, resolve);
      model.send(content, undefined, buffers);
    });
  }
  async function send(file) {
    const id = Math.random().toString(36).slice(2) + Date.now().toString(36);
    const row = document.createElement("div");
    const label = document.createElement("span");
    const bar = document.createElement("progress");
    bar.max = Math.max(file.size, 1);
    bar.value = 0;
    row.className = "rnb-chunked-row";
    label.textContent = ` ${file.name}: 0%`;
    row.append(bar, label);
    list.append(row);
    let reply = await ask({ event: "begin", id, name: file.name, size: file.size });
    const chunk = model.get("chunk_bytes");
    let offset = 0;
    while (reply.ok && offset < file.size) {
      const buffer = await file.slice(offset, offset + chunk).arrayBuffer();
      reply = await ask({ event: "chunk", id, offset }, [buffer]);
      offset = reply.received || offset;
      bar.value = offset;
      label.textContent = ` ${file.name}: ${Math.floor((100 * offset) / Math.max(file.size, 1))}%`;
    }
    if (reply.ok) reply = await ask({ event: "end", id });
    label.textContent = ` ${reply.message}`;
    row.dataset.state = reply.ok ? "done" : "refused";
  }
  input.addEventListener("change", async () => {
    const files = Array.from(input.files || []);
    input.value = "";
    for (const file of files) await send(file);
  });
}
export default { render };
"""


@dataclass
class _Incoming:
    name: str
    size: int
    part: Path
    received: int = 0
    handle: Any = field(default=None, repr=False)


class ChunkedUpload(anywidget.AnyWidget):
    """A button that uploads files of any size a slice at a time, with a progress bar.

    ``on_file(name, part)`` gets each complete file (a ``.part`` in ``folder``; it owns it
    from then on) and returns the line to show for it. Files over ``max_bytes`` are
    refused before a byte is sent. ``progress`` maps each file in flight to
    ``(name, received, size)``.
    """

    _esm = _ESM
    _css = ".rnb-chunked-row{display:flex;gap:6px;align-items:center;font-size:90%}"

    description = T.Unicode("Upload large media").tag(sync=True)
    tooltip = T.Unicode("").tag(sync=True)
    accept = T.Unicode("").tag(sync=True)
    chunk_bytes = T.Int(DEFAULT_CHUNK_BYTES).tag(sync=True)

    def __init__(
        self,
        folder: Path,
        on_file: FileHandler,
        *,
        max_bytes: int,
        accept: Sequence[str] = (),
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    ) -> None:
        super().__init__(
            accept=",".join(accept),
            chunk_bytes=int(chunk_bytes),
            tooltip=f"Any size up to {format_bytes(max_bytes)}, sent in pieces",
        )
        self.folder = Path(folder)
        self.max_bytes = int(max_bytes)
        self._on_file = on_file
        self._incoming: dict[str, _Incoming] = {}
        self.largest_message = 0
        self.on_msg(self._on_front_msg)

    @property
    def progress(self) -> dict[str, tuple[str, int, int]]:
        """Files in flight: id -> ``(name, received bytes, size)``."""
        return {k: (v.name, v.received, v.size) for k, v in self._incoming.items()}

    def __repr__(self) -> str:
        busy = ", ".join(
            f"{name} {100 * got // max(size, 1)}%" for name, got, size in self.progress.values()
        )
        return f"ChunkedUpload: {busy or 'idle'} (pieces of {format_bytes(self.chunk_bytes)})"

    def abort(self, key: str) -> None:
        """Forget a file in flight and delete what arrived of it."""
        incoming = self._incoming.pop(key, None)
        if incoming is None:
            return
        if incoming.handle is not None:
            incoming.handle.close()
        with contextlib.suppress(FileNotFoundError):
            incoming.part.unlink()

    def _reply(self, key: str, ok: bool, message: str = "", received: int = 0) -> None:
        self.send({"id": key, "ok": ok, "message": message, "received": received})

    def _on_front_msg(self, _w: Any, content: Mapping[str, Any], buffers: Sequence[Any]) -> None:
        key = str(content.get("id", ""))
        event = content.get("event")
        self.largest_message = max(self.largest_message, sum(len(b) for b in buffers or ()))
        try:
            if event == "begin":
                self._begin(key, str(content.get("name") or "upload"), int(content["size"]))
            elif event == "chunk":
                self._chunk(key, int(content["offset"]), buffers)
            elif event == "end":
                self._end(key)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.abort(key)
            self._reply(key, False, f"Not saved: {exc}")

    def _begin(self, key: str, name: str, size: int) -> None:
        if size > self.max_bytes:
            self._reply(
                key,
                False,
                f"Refused {name}: {format_bytes(size)} is over the "
                f"{format_bytes(self.max_bytes)} limit for browser uploads.",
            )
            return
        if size <= 0:
            self._reply(key, False, f"Refused {name}: the file is empty.")
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, part = tempfile.mkstemp(dir=self.folder, prefix=".upload-", suffix=".part")
        self._incoming[key] = _Incoming(name, size, Path(part), handle=os.fdopen(fd, "wb"))
        self._reply(key, True, received=0)

    def _chunk(self, key: str, offset: int, buffers: Sequence[Any]) -> None:
        incoming = self._incoming.get(key)
        if incoming is None:
            raise ValueError("a piece of a file that was not announced")
        if offset != incoming.received:
            raise ValueError(f"piece at byte {offset}, expected {incoming.received}")
        for buffer in buffers:
            incoming.handle.write(buffer)
            incoming.received += len(memoryview(buffer).cast("B"))
        if incoming.received > incoming.size:
            raise ValueError(f"{incoming.name}: more bytes arrived than announced")
        self._reply(key, True, received=incoming.received)

    def _end(self, key: str) -> None:
        incoming = self._incoming.get(key)
        if incoming is None:
            raise ValueError("the end of a file that was not announced")
        if incoming.received != incoming.size:
            raise ValueError(
                f"{incoming.name}: {incoming.received} of {incoming.size} bytes arrived"
            )
        incoming.handle.flush()
        os.fsync(incoming.handle.fileno())
        incoming.handle.close()
        del self._incoming[key]
        message = self._on_file(incoming.name, incoming.part)
        self._reply(key, True, message, received=incoming.size)
