"""A readable decisions table: plain words, whole notes, in notebooks and as text."""

from __future__ import annotations

import textwrap
from html import escape
from typing import Any

import pandas as pd

from resemble_nb.ledger import VERDICT_WORDS
from resemble_nb.plots._style import VERDICT_COLORS, _require, _short

_WORDS: dict[str, str] = {str(k): v for k, v in VERDICT_WORDS.items()}
_COLUMNS = ("when", "item", "verdict", "reviewer", "note")
_NOTE_WIDTH = 60
_CSS = (
    "<style>"
    ".rnb-decisions{border-collapse:collapse;font-size:13px;width:100%;max-width:72rem}"
    ".rnb-decisions th,.rnb-decisions td{border-bottom:1px solid #ddd;padding:4px 8px;"
    "text-align:left;vertical-align:top}"
    ".rnb-decisions td.when,.rnb-decisions td.verdict{white-space:nowrap}"
    ".rnb-decisions td.item{max-width:18rem;overflow-wrap:anywhere}"
    ".rnb-decisions td.note{min-width:20rem;white-space:pre-wrap;overflow-wrap:anywhere}"
    "</style>"
)


class DecisionsTable:
    """``case.decisions()`` for a person to read: one row per decision, oldest first.

    Verdicts in plain words, times to the second, item names (long ones shortened with
    an ellipsis) and notes whole, wrapped in a wide column. Shows as HTML in Jupyter and
    as wrapped text in ``print`` or a terminal. ``frame`` keeps the rows as given.
    """

    def __init__(self, decisions: pd.DataFrame) -> None:
        _require(decisions, ("name", "verdict", "note", "reviewer", "decided_at"), "decisions")
        self.frame = decisions

    def rows(self) -> list[dict[str, str]]:
        """Each decision as the strings shown: when, item, verdict, reviewer, note."""
        out = []
        for row in self.frame.to_dict("records"):
            verdict = _text(row.get("verdict"))
            when = _text(row.get("decided_at")).replace("T", " ")[:19]
            out.append(
                {
                    "when": when,
                    "item": _short(_text(row.get("name")) or "(unnamed)"),
                    "verdict": _WORDS.get(verdict, verdict),
                    "reviewer": _text(row.get("reviewer")),
                    "note": _text(row.get("note")),
                    "_verdict": verdict,
                }
            )
        return out

    def _repr_html_(self) -> str:
        rows = self.rows()
        if not rows:
            return "<p><i>No decisions yet.</i></p>"
        head = "".join(f"<th>{c}</th>" for c in _COLUMNS)
        body = []
        for r in rows:
            swatch = VERDICT_COLORS.get(r["_verdict"], "#ffffff")
            cells = "".join(
                f"<td class='{c}'>"
                + (
                    f"<span style='border-left:4px solid {swatch};padding-left:4px'>"
                    f"{escape(r[c])}</span>"
                    if c == "verdict"
                    else escape(r[c])
                )
                + "</td>"
                for c in _COLUMNS
            )
            body.append(f"<tr>{cells}</tr>")
        return (
            f"{_CSS}<table class='rnb-decisions'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )

    def __str__(self) -> str:
        rows = self.rows()
        if not rows:
            return "No decisions yet."
        lines = []
        for r in rows:
            lines.append(f"{r['when']}  {r['item']}  {r['verdict']}  by {r['reviewer']}")
            for part in textwrap.wrap(r["note"], _NOTE_WIDTH) if r["note"] else ():
                lines.append(f"    {part}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        n = len(self.frame)
        return f"<DecisionsTable: {n} decision{'' if n == 1 else 's'}>\n{self}"


def decisions_table(decisions: pd.DataFrame) -> DecisionsTable:
    """``case.decisions()`` as a readable table (notes whole, verdicts in plain words).

    >>> decisions_table(case.decisions())  # doctest: +SKIP
    """
    return DecisionsTable(decisions)


def _text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)
