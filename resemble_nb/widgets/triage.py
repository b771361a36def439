"""The triage board (``case.triage()``): look, listen, decide, note; saved as you click.

Items come highest score first, filtered by label, a score threshold and "unreviewed
only". For the current item the board shows the media inline (capped in size), its
timeline plot, and its details. Each verdict button writes to the case's decision log
at once (``case.decide``); the board reads verdicts back from ``case.results()``, so a
reopened case shows every decision.

>>> board = case.triage(threshold=0.6, labels=["likely_fake", "fake"])  # doctest: +SKIP
>>> board.decide("confirmed_fake", note="cloned voice")                   # doctest: +SKIP
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

import ipywidgets as W
import pandas as pd

from ..ledger import VERDICT_WORDS, VERDICTS
from ._format import escape
from ._panel import Panel
from ._preview import DEFAULT_PREVIEW_MAX_BYTES, preview
from ._protocols import CaseLike
from ._triage_queue import LABELS, build_queue, check_labels, positions, row_dict
from ._triage_render import details_html, timeline_png

__all__ = ["VERDICT_BUTTONS", "TriageBoard"]

_BUTTON_STYLES = {
    "confirmed_fake": "danger",
    "confirmed_real": "success",
    "needs_escalation": "warning",
    "inconclusive": "info",
}
#: Verdict -> (button text, button style), in the ledger's order.
VERDICT_BUTTONS: Mapping[str, tuple[str, str]] = {
    verdict: (VERDICT_WORDS[verdict], _BUTTON_STYLES[verdict]) for verdict in VERDICTS
}
_TIMELINE_CACHE = 32


class TriageBoard(Panel):
    """Review a case's items one at a time and record a verdict for each.

    ``threshold``: only items scoring at least this much (0 shows everything, including
    items without a score). ``labels``: which labels to show (default all).
    ``unreviewed_only``: hide items that already have a verdict. ``reviewer`` is written
    with each decision. With ``advance`` (default) a verdict moves on to the next item.
    """

    def __init__(
        self,
        case: CaseLike,
        *,
        threshold: float = 0.5,
        labels: Iterable[str] | None = None,
        unreviewed_only: bool = False,
        reviewer: str | None = None,
        advance: bool = True,
        preview_max_bytes: int = DEFAULT_PREVIEW_MAX_BYTES,
    ) -> None:
        if not 0.0 <= float(threshold) <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
        self.case = case
        self.reviewer = reviewer
        self.advance = advance
        self.preview_max_bytes = preview_max_bytes
        self._frame: pd.DataFrame = case.results()
        self._rows = positions(self._frame)
        self._segments: pd.DataFrame | None = None
        self._timed: set[str] = set()
        self._timelines: OrderedDict[tuple[str, float], bytes | str] = OrderedDict()
        self._queue: list[str] = []
        self._pos = 0
        self._media: Any | None = None
        self._status_text = ""

        self._labels = W.SelectMultiple(
            options=list(LABELS), value=check_labels(labels), rows=5, description="Labels"
        )
        self._threshold = W.FloatSlider(
            value=float(threshold),
            min=0.0,
            max=1.0,
            step=0.01,
            description="Threshold",
            continuous_update=False,
            readout_format=".2f",
        )
        self._unreviewed = W.Checkbox(value=unreviewed_only, description="Unreviewed only")
        self._position = W.HTML()
        self._prev = W.Button(description="Previous", icon="arrow-left")
        self._next = W.Button(description="Next", icon="arrow-right")
        self._media_note = W.HTML()
        self._media_box = W.Box()
        self._timeline = W.Image(format="png")
        self._timeline.layout = W.Layout(max_width="720px")
        self._timeline_note = W.HTML()
        self._details = W.HTML()
        self._buttons = {
            verdict: W.Button(description=text, button_style=style, tooltip=f"Record: {text}")
            for verdict, (text, style) in VERDICT_BUTTONS.items()
        }
        self._note = W.Textarea(
            placeholder="Note for the decision log (saved with the verdict you click)",
            description="Note",
        )
        self._note.layout = W.Layout(width="60%")
        self._status = W.HTML()
        self._errors = W.Output()

        self._labels.observe(self._on_filter, names="value")
        self._threshold.observe(self._on_filter, names="value")
        self._unreviewed.observe(self._on_filter, names="value")
        self._prev.on_click(lambda _: self.previous())
        self._next.on_click(lambda _: self.next())
        for verdict, button in self._buttons.items():
            button.on_click(lambda _, v=verdict: self._on_verdict(v))

        super().__init__(
            children=[
                W.HBox([self._labels, W.VBox([self._threshold, self._unreviewed])]),
                W.HBox([self._prev, self._next, self._position]),
                self._media_note,
                self._media_box,
                W.HBox([self._details, W.VBox([self._timeline_note, self._timeline])]),
                self._note,
                W.HBox(list(self._buttons.values())),
                self._status,
                self._errors,
            ]
        )
        self._rebuild(keep=None)

    # -- public API --------------------------------------------------------------------
    @property
    def threshold(self) -> float:
        return float(self._threshold.value)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self._labels.value)

    @property
    def unreviewed_only(self) -> bool:
        return bool(self._unreviewed.value)

    @property
    def queue(self) -> list[str]:
        """The sha256 of every item in the queue, in order."""
        return list(self._queue)

    @property
    def current(self) -> dict[str, Any] | None:
        """The current item's row from ``case.results()`` (plain values), or None."""
        if not self._queue:
            return None
        return row_dict(self._frame, self._rows[self._queue[self._pos]])

    def next(self) -> None:
        """Show the next item (stays on the last one)."""
        if self._queue:
            self._pos = min(self._pos + 1, len(self._queue) - 1)
        self._render()

    def previous(self) -> None:
        """Show the previous item (stays on the first one)."""
        self._pos = max(self._pos - 1, 0)
        self._render()

    def show(self, item: str) -> None:
        """Jump to an item of the queue, by sha256 or file name."""
        wanted = {item} if item in self._rows else set()
        if not wanted:
            named = self._frame["name"].astype("string") == item
            wanted = set(self._frame.loc[named.fillna(False).to_numpy(), "sha256"].astype(str))
        for i, sha in enumerate(self._queue):
            if sha in wanted:
                self._pos = i
                self._render()
                return
        raise KeyError(f"{item!r} is not in the triage queue (check the filters)")

    def decide(self, verdict: str, note: str | None = None) -> None:
        """Record ``verdict`` for the current item now; ``note`` defaults to the note box."""
        if verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {verdict!r}: choose from {', '.join(VERDICTS)}")
        item = self.current
        if item is None:
            raise LookupError("no item to decide: the triage queue is empty")
        text = self._note.value if note is None else note
        self.case.decide(str(item["sha256"]), verdict, note=text, reviewer=self.reviewer)
        self._remember(str(item["sha256"]), verdict, text)
        name = item.get("name") or str(item["sha256"])[:12]
        self._status_text = f"Saved: {VERDICT_BUTTONS[verdict][0].lower()} for {name}"
        self._rebuild(keep=str(item["sha256"]), step=1 if self.advance else 0)

    def refresh(self) -> None:
        """Re-read the case's results (new items, decisions made elsewhere)."""
        keep = self._queue[self._pos] if self._queue else None
        self._frame = self.case.results()
        self._rows = positions(self._frame)
        self._segments = None
        self._timelines.clear()
        self._rebuild(keep=keep)

    def __repr__(self) -> str:
        n, total = len(self._queue), len(self._rows)  # items, not never-hashed skips
        decided = int(self._frame["verdict"].notna().sum()) if "verdict" in self._frame else 0
        labels = "all" if set(self.labels) == set(LABELS) else ",".join(self.labels) or "none"
        head = (
            f"TriageBoard: {n} in queue (score ≥ {self.threshold:.2f}, labels {labels}"
            f"{', unreviewed only' if self.unreviewed_only else ''}) · {decided}/{total} decided"
        )
        item = self.current
        if item is None:
            return head
        score = "—" if item.get("score") is None else f"{item['score']:.2f}"
        verdict = item.get("verdict") or "—"
        return (
            f"{head}\n  item {self._pos + 1} of {n}: {item.get('name')} — "
            f"{item.get('label') or 'no label'}, score {score}, verdict {verdict}"
        )

    # -- internals ---------------------------------------------------------------------
    def _remember(self, sha256: str, verdict: str, note: str) -> None:
        """Mirror a decision into the local copy of the results (no re-read per click)."""
        row = self._rows[sha256]
        if "verdict" not in self._frame:
            self._frame["verdict"] = pd.Series([None] * len(self._frame), dtype="object")
        column = self._frame["verdict"]
        if isinstance(column.dtype, pd.CategoricalDtype) and verdict not in column.cat.categories:
            self._frame["verdict"] = column.cat.add_categories([verdict])
        self._frame.loc[self._frame.index[row], "verdict"] = verdict
        if "note" not in self._frame:
            self._frame["note"] = pd.Series([None] * len(self._frame), dtype="string")
        self._frame.loc[self._frame.index[row], "note"] = note

    def _rebuild(self, keep: str | None, step: int = 0) -> None:
        old = self._queue
        self._queue = build_queue(
            self._frame,
            threshold=self.threshold,
            labels=self.labels,
            unreviewed_only=self.unreviewed_only,
        )
        if keep is not None and keep in self._queue:
            self._pos = self._queue.index(keep) + step
        elif keep is not None and keep in old:
            self._pos = old.index(keep)  # it left the queue: whatever came after it
        else:
            self._pos = 0
        self._pos = max(0, min(self._pos, len(self._queue) - 1))
        self._render()

    def _on_filter(self, _change: Mapping[str, Any]) -> None:
        keep = self._queue[self._pos] if self._queue else None
        self._status_text = ""
        self._rebuild(keep=keep)

    def _on_verdict(self, verdict: str) -> None:
        try:
            self.decide(verdict)
        except Exception as exc:
            self._status.value = (
                f"<span style='color:#b91c1c'>Not saved: {escape(type(exc).__name__)}: "
                f"{escape(exc)}</span>"
            )
            self._errors.append_stderr(f"Triage: could not record {verdict}: {exc}\n")

    def _render(self) -> None:
        item = self.current
        n = len(self._queue)
        for button in (*self._buttons.values(), self._prev, self._next):
            button.disabled = item is None
        if item is None:
            self._position.value = "<b>Nothing to review</b> with these filters."
            self._details.value = (
                "<i>Lower the threshold, choose more labels or untick 'Unreviewed only'.</i>"
            )
            self._show_media(None, "")
            self._timeline.value = b""
            self._timeline_note.value = ""
            self._note.value = ""
            self._status.value = escape(self._status_text)
            return
        self._prev.disabled = self._pos == 0
        self._next.disabled = self._pos >= n - 1
        self._position.value = f"&nbsp;Item <b>{self._pos + 1}</b> of {n}"
        sha = str(item["sha256"])
        paths = [item.get("path"), *(item.get("paths") or [])]
        shown = preview(paths, item.get("media_type"), max_bytes=self.preview_max_bytes)
        self._show_media(shown.widget, shown.message)
        self._details.value = details_html(item)
        self._render_timeline(sha, item.get("media_type"))
        self._note.value = item.get("note") or ""
        for verdict, button in self._buttons.items():
            button.icon = "check" if item.get("verdict") == verdict else ""
        self._status.value = escape(self._status_text)

    def _show_media(self, widget: Any | None, message: str) -> None:
        old, self._media = self._media, widget
        self._media_box.children = [widget] if widget is not None else []
        self._media_note.value = f"<i>{escape(message)}</i>" if message else ""
        if old is not None:
            old.close()  # frees the bytes here and the model in the browser

    def _render_timeline(self, sha: str, media_type: str | None) -> None:
        if media_type == "image":
            self._timeline.value = b""
            self._timeline_note.value = "<i>Images have no timeline.</i>"
            return
        key = (sha, round(self.threshold, 4))
        if key not in self._timelines:
            if self._segments is None:
                self._segments = self.case.segments()
                self._timed = set(self._segments["sha256"].dropna().astype(str))
            if sha in self._timed:
                self._timelines[key] = timeline_png(self._segments, sha, self.threshold)
            else:
                self._timelines[key] = "No timeline: no time-based scores for this item."
            while len(self._timelines) > _TIMELINE_CACHE:
                self._timelines.popitem(last=False)
        found = self._timelines[key]
        if isinstance(found, bytes):
            self._timeline.value = found
            self._timeline_note.value = ""
        else:
            self._timeline.value = b""
            self._timeline_note.value = f"<i>{escape(found)}</i>"
