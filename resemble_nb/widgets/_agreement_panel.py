"""The reviewers' agreement, shown to the adjudicator beside the dispute she judges.

A panel for :meth:`TriageBoard.add_panel` (``case.triage(adjudicate=True, ...)`` adds
it): a small table of the agreement per media type and overall, measured again only when
the case's chain moved (a new verdict), never on every move of the board.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import ipywidgets as W
import pandas as pd

from ._format import escape

__all__ = ["AgreementPanel"]

_SHOWN = {
    "percent_agreement": "agree",
    "cohen_kappa": "Cohen κ",
    "krippendorff_alpha": "Krippendorff α",
    "gwet_ac1": "Gwet AC1",
}


def _cell(value: Any) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else (
        f"{float(value):.2f}"
    )  # fmt: skip


class AgreementPanel(W.HTML):  # type: ignore[misc]
    """``Reviewers' agreement``: items reviewed twice and the coefficients, per group."""

    def __init__(
        self, measure: Callable[[], pd.DataFrame | None], version: Callable[[], Any]
    ) -> None:
        super().__init__(layout=W.Layout(width="100%"))
        self._measure = measure
        self._version = version
        self._seen: Any = object()
        self.show_item(None)

    def show_item(self, _item: Any) -> None:
        version = self._version()
        if version == self._seen:
            return
        self._seen = version
        try:
            table = self._measure()
        except Exception as exc:  # a view never stops the adjudication
            self.value = f"<i>Agreement not measured: {escape(exc)}</i>"
            return
        if table is None or table.empty:
            self.value = "<i>No item reviewed twice yet: agreement not measured.</i>"
            return
        head = "".join(f"<th>{escape(name)}</th>" for name in _SHOWN.values())
        rows = "".join(
            f"<tr><td>{escape(group)}</td><td>{int(row['items'])}</td>"
            + "".join(f"<td>{_cell(row[s])}</td>" for s in _SHOWN)
            + "</tr>"
            for group, row in table.iterrows()
        )
        self.value = (
            "<div class='rnb-agreement'><b>Reviewers' agreement</b>"
            "<table style='font-size:12px'><tr><th>media</th><th>items</th>"
            f"{head}</tr>{rows}</table></div>"
        )
