"""The triage board (``case.triage()``): look, listen, decide, note; saved as you click.

The media inspector sits in the middle (waveform, spectrogram, scored windows, key
frames, the player), the verdict buttons right next to it. Keys work while the board
has focus (``?`` lists them). Items come in the chosen order, filtered by label, a score
threshold and "unreviewed only"; changing a filter or the order goes back to the first
item. Each verdict is written to the case's decision log at once, with the reviewer's
confirmed name. Filters, order, position and the reviewer are remembered in the case.

>>> board = case.triage(threshold=0.6, reviewer="Ana")    # doctest: +SKIP
>>> board.decide("confirmed_fake", note="cloned voice")   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import ipywidgets as W
import pandas as pd

from ..ledger import VERDICTS
from ._format import escape
from ._panel import Panel
from ._protocols import CaseLike
from ._reviewer import ReviewerBar
from ._triage_controls import VERDICT_BUTTONS, QueueControls, VerdictControls, starting_filters
from ._triage_queue import (
    build_queue,
    find_in_queue,
    mirror_decision,
    positions,
    row_dict,
    verdict_at,
)
from ._triage_render import board_text, details_html
from ._triage_state import load_state, os_user, save_state
from ._triage_views import BACKGROUND_BYTES, ItemViews
from .inspector import DEFAULT_EMBED_MAX_BYTES, MediaInspector, local_file

__all__ = ["VERDICT_BUTTONS", "TriageBoard"]

ItemCallback = Callable[[dict[str, Any] | None], None]


class TriageBoard(Panel):
    """Review a case's items one at a time and record a verdict for each.

    ``threshold``: only items scoring at least this much (0 shows everything, including
    items without a score). ``labels``: which labels to show (default all).
    ``unreviewed_only``: hide items that already have a verdict. ``sort``: ``"score"``,
    ``"name"``, ``"time"`` or ``"unreviewed"``. Left as None, each comes back from the
    case as it was left. ``reviewer``: the name written with each decision; without it
    the board proposes ``RESEMBLE_NB_REVIEWER`` or the computer's user name and asks
    once per case to confirm it. With ``advance`` (default) a verdict moves on.
    """

    def __init__(
        self,
        case: CaseLike,
        *,
        threshold: float | None = None,
        labels: Iterable[str] | None = None,
        unreviewed_only: bool | None = None,
        sort: str | None = None,
        reviewer: str | None = None,
        advance: bool = True,
        embed_max_bytes: int = DEFAULT_EMBED_MAX_BYTES,
        background_bytes: int = BACKGROUND_BYTES,
    ) -> None:
        saved = load_state(case.folder)
        start = starting_filters(saved, threshold, labels, unreviewed_only, sort)
        self.case = case
        self.advance = advance
        self._saved = saved
        self._frame: pd.DataFrame = case.results()
        self._rows = positions(self._frame)
        self._queue: list[str] = []
        self._pos = 0
        self._status_text = ""
        self._panels: list[Any] = []
        self._item_callbacks: list[ItemCallback] = []
        self._views = ItemViews(
            case, self._arrived, self._not_drawn, background_bytes=background_bytes
        )

        # reviewer ----------------------------------------------------------------------
        confirmed = (saved.get("reviewers") or {}).get(os_user())
        self._reviewer_bar = ReviewerBar(reviewer or confirmed, self._on_confirmed)

        # queue controls ----------------------------------------------------------------
        controls = self._controls = QueueControls(start)
        self._labels, self._threshold = controls.labels, controls.threshold
        self._unreviewed, self._sort = controls.unreviewed, controls.sort
        self._position, self._jump = controls.position, controls.jump
        self._first, self._prev, self._next, self._last = controls.moves

        # the item ----------------------------------------------------------------------
        self.inspector = MediaInspector(
            verdicts=[(v, text) for v, (text, _) in VERDICT_BUTTONS.items()],
            embed_max_bytes=embed_max_bytes,
        )
        self.inspector.layout = W.Layout(flex="1 1 0", min_width="0")
        self._details = W.HTML()
        verdicts = VerdictControls()
        self._buttons, self._note, self._status = verdicts.buttons, verdicts.note, verdicts.status
        #: Where other views of the item go (analysis panel, threshold caption...).
        self.slot = W.VBox(layout=W.Layout(width="100%"))
        self._errors = W.Output()

        for control in controls.filters:
            control.observe(self._on_filter, names="value")
        self._first.on_click(lambda _: self.first())
        self._prev.on_click(lambda _: self.previous())
        self._next.on_click(lambda _: self.next())
        self._last.on_click(lambda _: self.last())
        self._jump.observe(self._on_jump, names="value")
        for verdict, button in self._buttons.items():
            button.on_click(lambda _, v=verdict: self._on_verdict(v))
        self.inspector.on_key(self._on_action)

        side = verdicts.column(self._details, self.slot)
        super().__init__(
            children=[
                controls.filter_row(),  # the queue's filters and order, then the queue
                controls.nav_row(),
                self._reviewer_bar,
                W.HBox(
                    [self.inspector, side],
                    layout=W.Layout(width="100%", align_items="flex-start", overflow="hidden"),
                ),
                self._errors,
            ]
        )
        self.add_class("rnb-triage")
        self._rebuild(keep=saved.get("current") if isinstance(saved.get("current"), str) else None)

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
    def sort(self) -> str:
        return str(self._sort.value)

    @property
    def reviewer(self) -> str | None:
        """The confirmed reviewer's name (None until confirmed)."""
        return self._reviewer_bar.name

    @property
    def queue(self) -> list[str]:
        """The sha256 of every item in the queue, in order."""
        return list(self._queue)

    @property
    def position(self) -> int:
        """1-based position of the current item in the queue (0 when it is empty)."""
        return self._pos + 1 if self._queue else 0

    @property
    def current(self) -> dict[str, Any] | None:
        """The current item's row from ``case.results()`` (plain values), or None."""
        if not self._queue:
            return None
        return row_dict(self._frame, self._rows[self._queue[self._pos]])

    def confirm_reviewer(self, name: str) -> None:
        """Record decisions as ``name`` from now on (remembered in the case)."""
        self._reviewer_bar.confirm(name)

    def next(self) -> None:
        """Show the next item (stays on the last one)."""
        self._go(self._pos + 1)

    def previous(self) -> None:
        """Show the previous item (stays on the first one)."""
        self._go(self._pos - 1)

    def first(self) -> None:
        self._go(0)

    def last(self) -> None:
        self._go(len(self._queue) - 1)

    def jump(self, target: str | int) -> None:
        """Go to an item by its number in the queue, its name (or part of it), or sha256."""
        text = str(target).strip()
        if text.isdigit():
            number = int(text)
            if not 1 <= number <= len(self._queue):
                self._say(f"No item {number}: the queue has {len(self._queue)}.")
                return
            self._go(number - 1)
            return
        try:
            self.show(text)
        except KeyError as exc:
            self._say(str(exc.args[0]))

    def show(self, item: str) -> None:
        """Jump to an item of the queue, by sha256, file name or part of a name."""
        names = [str(row_dict(self._frame, self._rows[s]).get("name") or "") for s in self._queue]
        found = find_in_queue(item, self._queue, names)
        if found is not None:
            self._go(found)
            return
        raise KeyError(f"{item!r} is not in the triage queue (check the filters)")

    def decide(self, verdict: str, note: str | None = None) -> None:
        """Record ``verdict`` for the current item now; ``note`` defaults to the note box."""
        if verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {verdict!r}: choose from {', '.join(VERDICTS)}")
        item = self.current
        if item is None:
            raise LookupError("no item to decide: the triage queue is empty")
        reviewer = self._reviewer_bar.name
        if reviewer is None:
            raise LookupError(
                "who is deciding? Confirm your name next to 'Reviewer' first "
                "(or open the board with reviewer='Your Name')"
            )
        text = self._note.value if note is None else note
        self.case.decide(str(item["sha256"]), verdict, note=text, reviewer=reviewer)
        mirror_decision(self._frame, self._rows[str(item["sha256"])], verdict, text)
        name = item.get("name") or str(item["sha256"])[:12]
        self._status_text = (
            f"Saved: {VERDICT_BUTTONS[verdict][0].lower()} for {name}, by {reviewer}"
        )
        self._rebuild(keep=str(item["sha256"]), step=1 if self.advance else 0)

    def refresh(self) -> None:
        """Re-read the case's results (new items, decisions made elsewhere)."""
        keep = self._queue[self._pos] if self._queue else None
        self._frame = self.case.results()
        self._rows = positions(self._frame)
        self._views.clear()
        self._rebuild(keep=keep)

    def wait_drawn(self, timeout: float | None = None) -> None:
        """Block until waveforms being computed in the background are shown."""
        self._views.wait(timeout)

    def add_panel(self, panel: Any) -> None:
        """Put another view of the current item beside the player (below the details).

        If ``panel`` has a ``show_item(item)`` method, it is called with the current
        item's row (a dict, or None) every time the board moves.
        """
        self._panels.append(panel)
        self.slot.children = (*self.slot.children, panel)
        if hasattr(panel, "show_item"):
            panel.show_item(self.current)

    def on_item(self, callback: ItemCallback) -> None:
        """Call ``callback(item_or_None)`` every time the board shows another item."""
        self._item_callbacks.append(callback)

    def __repr__(self) -> str:
        decided = int(self._frame["verdict"].notna().sum()) if "verdict" in self._frame else 0
        return board_text(
            len(self._queue),
            len(self._rows),  # items, not never-hashed skips
            decided,
            threshold=self.threshold,
            labels=self.labels,
            unreviewed_only=self.unreviewed_only,
            item=self.current,
            position=self._pos + 1,
        )

    # -- internals ---------------------------------------------------------------------
    def _go(self, pos: int) -> None:
        self._pos = max(0, min(pos, len(self._queue) - 1))
        self._render()

    def _say(self, text: str) -> None:
        self._status_text = text
        self._status.value = escape(text)

    def _rebuild(self, keep: str | None, step: int = 0, *, gone_to_top: bool = False) -> None:
        old = self._queue
        self._queue = build_queue(
            self._frame,
            threshold=self.threshold,
            labels=self.labels,
            unreviewed_only=self.unreviewed_only,
            sort=self.sort,
        )
        if keep is not None and keep in self._queue:
            self._pos = self._queue.index(keep) + step
        elif keep is not None and keep in old and not gone_to_top:
            self._pos = old.index(keep)  # it left the queue: whatever came after it
        else:
            self._pos = 0
        self._pos = max(0, min(self._pos, len(self._queue) - 1))
        self._render()

    def _on_filter(self, _change: Mapping[str, Any]) -> None:
        self._status_text = ""
        current = self._queue[self._pos] if self._queue else None
        # the current item stays current while the new filter or order keeps it
        self._rebuild(keep=current, gone_to_top=True)

    def _on_jump(self, change: Mapping[str, Any]) -> None:
        text = str(change["new"]).strip()
        if text:
            self.jump(text)
            self._jump.value = ""

    def _on_action(self, content: Mapping[str, Any]) -> None:
        action = content.get("action")
        if action == "decide":
            note = content.get("note")
            self._on_verdict(str(content.get("verdict")), note if isinstance(note, str) else None)
        elif action in ("next", "previous", "first", "last"):
            getattr(self, str(action))()

    def _on_verdict(self, verdict: str, note: str | None = None) -> None:
        try:
            self.decide(verdict, note)
        except LookupError as exc:
            self._status.value = f"<span style='color:#b91c1c'>Not saved: {escape(exc)}</span>"
        except Exception as exc:
            self._status.value = (
                f"<span style='color:#b91c1c'>Not saved: {escape(type(exc).__name__)}: "
                f"{escape(exc)}</span>"
            )
            self._errors.append_stderr(f"Triage: could not record {verdict}: {exc}\n")

    def _on_confirmed(self, _name: str) -> None:
        if "who is deciding?" in self._status.value:  # asked before the name: answered now
            self._status_text = ""
            self._status.value = ""
        self._save()

    def _save(self) -> None:
        reviewers = dict(self._saved.get("reviewers") or {})
        if self._reviewer_bar.name is not None:
            reviewers[os_user()] = self._reviewer_bar.name
        self._saved = {
            "threshold": self.threshold,
            "labels": list(self.labels),
            "unreviewed_only": self.unreviewed_only,
            "sort": self.sort,
            "current": self._queue[self._pos] if self._queue else None,
            "reviewers": reviewers,
        }
        save_state(self.case.folder, self._saved)

    def _arrived(self, sha: str, view: dict[str, Any]) -> None:
        if self._queue and self._queue[self._pos] == sha:  # the reviewer is still there
            item = self.current
            self.inspector.show(view, local_file(item) if item else None)

    def _not_drawn(self, sha: str, exc: BaseException) -> None:
        self._errors.append_stderr(f"Triage: cannot draw {sha[:12]}: {exc}\n")

    def _render(self) -> None:
        item = self.current
        n = len(self._queue)
        for button in (*self._buttons.values(), self._first, self._prev, self._next, self._last):
            button.disabled = item is None
        if item is None:
            self._position.value = "&nbsp;<b>Nothing to review</b> with these filters."
            self._details.value = (
                "<i>Lower the score, choose more labels or untick 'Unreviewed only'.</i>"
            )
            self.inspector.show({"message": "Nothing to review with these filters."})
            self._note.value = ""
        else:
            self._first.disabled = self._prev.disabled = self._pos == 0
            self._next.disabled = self._last.disabled = self._pos >= n - 1
            decided = sum(
                1 for s in self._queue if verdict_at(self._frame, self._rows[s]) is not None
            )
            self._position.value = (
                f"&nbsp;Item <b>{self._pos + 1}</b> of {n} &nbsp;·&nbsp; "
                f"<b>{decided}</b> of {n} decided&nbsp;"
            )
            try:
                view = self._views.get(item)
            except Exception as exc:  # a view never stops the review
                view = {"name": str(item.get("name")), "message": f"Cannot show: {exc}"}
            with self.inspector.hold_sync():
                self.inspector.threshold = self.threshold
                self.inspector.show(view, local_file(item))
            self._details.value = details_html(item)
            self._note.value = item.get("note") or ""
            for verdict, button in self._buttons.items():
                button.icon = "check" if item.get("verdict") == verdict else ""
        self._status.value = escape(self._status_text)
        self._save()
        for panel in self._panels:
            if hasattr(panel, "show_item"):
                self._quietly(panel.show_item, item)
        for callback in self._item_callbacks:
            self._quietly(callback, item)

    def _quietly(self, call: Callable[..., Any], *args: Any) -> None:
        try:
            call(*args)
        except Exception as exc:
            self._errors.append_stderr(f"Triage: a panel failed: {type(exc).__name__}: {exc}\n")
