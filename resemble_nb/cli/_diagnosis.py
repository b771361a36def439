"""The doctor's findings: one :class:`Finding` per check, gathered in a :class:`Diagnosis`
that shows as a plain-text table in a terminal and an HTML table in a notebook."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Diagnosis", "Finding", "Level"]

Level = Literal["ok", "note", "warning", "problem"]


@dataclass(frozen=True)
class Finding:
    """One row of the diagnosis: what was checked, what was seen, what the engine does."""

    check: str
    level: Level
    found: str
    engine: str


@dataclass
class Diagnosis:
    """Every finding of one doctor run; a table in a notebook and in a terminal."""

    base_url: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is a problem (warnings and notes are fine)."""
        return not self.problems

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "problem"]

    def add(self, check: str, level: Level, found: str, engine: str = "") -> None:
        self.findings.append(Finding(check, level, found, engine))

    def summary(self) -> str:
        """One line: all clear, or the first problem."""
        if self.ok:
            return f"resemble-nb doctor: ready ({self.base_url})"
        first = self.problems[0]
        return f"resemble-nb doctor: {first.check}: {first.found}"

    def table(self) -> str:
        """A plain-text table, wrapped to the terminal's width."""
        width = max(60, min(160, _terminal_width()))
        check_w = max(len(f.check) for f in self.findings) if self.findings else 5
        lines = [f"resemble-nb doctor: {self.base_url}", ""]
        text_w = max(30, width - check_w - 12)
        for f in self.findings:
            mark = {"ok": "ok", "note": "--", "warning": "!!", "problem": "XX"}[f.level]
            head = f"  {mark:2}  {f.check:<{check_w}}  "
            lines += _wrap(head, f.found, text_w)
            if f.engine:
                lines += _wrap(" " * len(head), "engine: " + f.engine, text_w)
        lines += ["", self.summary()]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return self.table()

    def _repr_html_(self) -> str:
        colours = {"ok": "#1a7f37", "note": "#57606a", "warning": "#9a6700", "problem": "#cf222e"}
        rows = "".join(
            "<tr>"
            f'<td style="color:{colours[f.level]};font-weight:600">{f.level}</td>'
            f"<td>{html.escape(f.check)}</td><td>{html.escape(f.found)}</td>"
            f"<td>{html.escape(f.engine)}</td></tr>"
            for f in self.findings
        )
        return (
            f"<div><strong>resemble-nb doctor</strong>: {html.escape(self.base_url)}"
            '<table style="text-align:left"><thead><tr><th></th><th>check</th>'
            f"<th>found</th><th>what the engine does</th></tr></thead><tbody>{rows}</tbody>"
            f"</table><p>{html.escape(self.summary())}</p></div>"
        )


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((100, 20)).columns


def _wrap(head: str, text: str, width: int) -> list[str]:
    import textwrap

    parts = textwrap.wrap(text, width) or [""]
    return [head + parts[0]] + [" " * len(head) + p for p in parts[1:]]
