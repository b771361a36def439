"""The triage board's controls: the queue's (filters, order, moving, jumping) and the
verdict's (a button per verdict, the note, the status line).

Plain ipywidgets made here so the board module keeps to the board's behaviour. The
starting values come from the caller, else from what the case remembered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as W

from ..ledger import DEFAULT_THRESHOLD, VERDICT_WORDS, VERDICTS
from ._triage_queue import LABELS, SORTS, check_labels
from ._words import LABEL_WORDS

__all__ = ["VERDICT_BUTTONS", "Filters", "QueueControls", "VerdictControls", "starting_filters"]

_BUTTON_STYLES = {
    "confirmed_fake": "danger",
    "confirmed_real": "success",
    "needs_escalation": "warning",
    "inconclusive": "info",
}
#: Verdict -> (button text, button style), in the ledger's order (keys 1-4).
VERDICT_BUTTONS: Mapping[str, tuple[str, str]] = {
    verdict: (VERDICT_WORDS[verdict], _BUTTON_STYLES[verdict]) for verdict in VERDICTS
}


@dataclass(frozen=True)
class Filters:
    threshold: float
    labels: tuple[str, ...]
    unreviewed_only: bool
    sort: str


def starting_filters(
    saved: Mapping[str, Any],
    threshold: float | None,
    labels: Iterable[str] | None,
    unreviewed_only: bool | None,
    sort: str | None,
) -> Filters:
    """The caller's choices, else the case's remembered ones, else the defaults; checked."""
    if threshold is None:
        threshold = float(saved.get("threshold", DEFAULT_THRESHOLD))
    if not 0.0 <= float(threshold) <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    if labels is None and isinstance(saved.get("labels"), list):
        labels = [x for x in saved["labels"] if x in LABELS]
    if sort is None:
        sort = str(saved.get("sort", "score"))
        sort = sort if sort in SORTS else "score"
    elif sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}: choose from {', '.join(SORTS)}")
    if unreviewed_only is None:
        unreviewed_only = bool(saved.get("unreviewed_only", False))
    return Filters(float(threshold), check_labels(labels), unreviewed_only, sort)


def _small(text: str, icon: str, tooltip: str) -> W.Button:
    return W.Button(description=text, icon=icon, tooltip=tooltip, layout=W.Layout(width="auto"))


class QueueControls:
    """The widgets; the board observes them and lays them out."""

    def __init__(self, start: Filters) -> None:
        self.labels = W.SelectMultiple(
            options=[(LABEL_WORDS[x], x) for x in LABELS],
            value=start.labels,
            rows=5,
            description="Labels",
            layout=W.Layout(width="230px"),
        )
        self.threshold = W.FloatSlider(
            value=start.threshold,
            min=0.0,
            max=1.0,
            step=0.01,
            description="Score ≥",
            continuous_update=False,
            readout_format=".2f",
            layout=W.Layout(width="280px"),
        )
        self.unreviewed = W.Checkbox(
            value=start.unreviewed_only, description="Unreviewed only", indent=False
        )
        self.sort = W.Dropdown(
            options=[(w, k) for k, w in SORTS.items()],
            value=start.sort,
            description="Order",
            layout=W.Layout(width="280px"),
        )
        self.position = W.HTML()
        self.first = _small("First", "angle-double-left", "First item (Home)")
        self.prev = _small("Previous", "arrow-left", "Previous item (K)")
        self.next = _small("Next", "arrow-right", "Next item (J)")
        self.last = _small("Last", "angle-double-right", "Last item (End)")
        self.jump = W.Text(
            placeholder="go to: number or name ⏎",
            continuous_update=False,
            layout=W.Layout(width="190px"),
        )

    @property
    def filters(self) -> tuple[Any, ...]:
        """The widgets whose change means a new queue."""
        return (self.labels, self.threshold, self.unreviewed, self.sort)

    @property
    def moves(self) -> tuple[W.Button, ...]:
        return (self.first, self.prev, self.next, self.last)

    def nav_row(self) -> W.HBox:
        return W.HBox(
            [*self.moves, self.position, self.jump],
            layout=W.Layout(align_items="center", flex_flow="row wrap"),
        )

    def filter_row(self) -> W.HBox:
        """Order, score filter and labels in one compact row, above the queue it makes."""
        row = W.HBox(
            [W.VBox([self.sort, self.threshold, self.unreviewed]), self.labels],
            layout=W.Layout(flex_flow="row wrap", align_items="flex-start"),
        )
        row.add_class("rnb-triage-filters")
        return row


class VerdictControls:
    """A button per verdict (keys 1-4), the note box and the status line, as one column."""

    def __init__(self) -> None:
        self.buttons = {
            verdict: W.Button(
                description=f"{i}  {text}",
                button_style=style,
                tooltip=f"Record: {text} (key {i})",
                layout=W.Layout(width="auto"),
            )
            for i, (verdict, (text, style)) in enumerate(VERDICT_BUTTONS.items(), start=1)
        }
        self.note = W.Textarea(
            placeholder="Note for the decision log, saved with the verdict (key N)",
            rows=3,
            layout=W.Layout(width="100%"),
        )
        self.status = W.HTML()

    def column(self, *below: W.Widget) -> W.VBox:
        """The verdict grid, the note and the status, then ``below`` (details, panels)."""
        grid = W.GridBox(
            list(self.buttons.values()),
            layout=W.Layout(grid_template_columns="1fr 1fr", grid_gap="4px", width="100%"),
        )
        side = W.VBox(
            [grid, self.note, self.status, *below],
            layout=W.Layout(width="330px", flex="0 0 330px", min_width="330px"),
        )
        side.add_class("rnb-triage-side")
        return side
