"""The triage board's queue controls: filters, order, moving, jumping.

Plain ipywidgets made here so the board module keeps to the board's behaviour. The
starting values come from the caller, else from what the case remembered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as W

from ..ledger import DEFAULT_THRESHOLD
from ._triage_queue import LABELS, SORTS, check_labels
from ._words import LABEL_WORDS

__all__ = ["Filters", "QueueControls", "starting_filters"]


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
        return W.HBox(
            [self.labels, W.VBox([self.threshold, self.sort, self.unreviewed])],
            layout=W.Layout(flex_flow="row wrap"),
        )
