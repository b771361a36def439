"""The threshold's measured error rates, shown beside it on the triage board.

A panel for :meth:`TriageBoard.add_panel` (``case.triage()`` adds it): every time the
board redraws it reads the case's threshold (``case.threshold``, the one chosen with its
evidence; never the board's "Score ≥" filter, which only narrows the queue) and says
how many known-real media it flags and how many known fakes it misses, with 95 %
intervals, from ``case.threshold_evidence()``. The evidence is measured again only when
the case's ground truth or scores changed (a confirmed verdict counts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as W

from ._format import escape

__all__ = ["ThresholdCaption"]


class ThresholdCaption(W.HTML):  # type: ignore[misc]
    """``At 0.50, measured on this case: real media flagged 3.1% (...)``."""

    def __init__(self, case: Any, threshold: Callable[[], float]) -> None:
        super().__init__(layout=W.Layout(width="100%"))
        self._case = case
        self._threshold = threshold
        self._evidence: Any = None
        self._version: Any = None
        self.text = ""
        self.show_item(None)

    def _measure(self) -> Any:
        ledger: Any = getattr(self._case, "ledger", None)
        version = ledger.truth_version() if hasattr(ledger, "truth_version") else None
        if self._evidence is None or version is None or version != self._version:
            make = getattr(self._case, "threshold_evidence", None)
            self._evidence = make() if make is not None else None
            self._version = version
        return self._evidence

    def show_item(self, _item: Any) -> None:
        """Redraw for the board's current threshold (the item itself does not matter)."""
        evidence = self._measure()
        self.text = "" if evidence is None else str(evidence.caption(float(self._threshold())))
        self.value = (
            f"<div style='font-size:90%;color:#333'>{escape(self.text)}</div>" if self.text else ""
        )

    def __repr__(self) -> str:
        return f"ThresholdCaption({self.text or 'no evidence'})"
