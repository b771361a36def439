"""What a verification found: one line per check, shown as a table."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

__all__ = ["Check", "Verification"]


@dataclass(frozen=True)
class Check:
    """One thing checked.

    Attributes:
        area: What was looked at (``"chain"``, ``"media"``, ``"results"``, ``"report"``...).
        ok: Whether it holds.
        detail: One plain line: what holds, or exactly what does not.
        where: The event, file or field concerned (``"event 41"``, a path), if any.
    """

    area: str
    ok: bool
    detail: str
    where: str = ""


@dataclass
class Verification:
    """The outcome of ``verify``: every check, and whether all of them hold.

    >>> result = rnb.verify("cases/acme")   # doctest: +SKIP
    >>> result.ok, len(result.problems)     # doctest: +SKIP
    (True, 0)
    """

    target: str
    checks: list[Check] = field(default_factory=list)
    signers: list[tuple[str, str]] = field(default_factory=list)  # (reviewer, fingerprint)

    def add(self, area: str, ok: bool, detail: str, where: str = "") -> None:
        self.checks.append(Check(area, ok, detail, where))

    def fail(self, area: str, detail: str, where: str = "") -> None:
        self.add(area, False, detail, where)

    @property
    def ok(self) -> bool:
        """True only when every check holds."""
        return all(check.ok for check in self.checks)

    @property
    def problems(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]

    def lines(self) -> list[str]:
        """The checks as text lines, problems first (what the CLI prints)."""
        ordered = sorted(self.checks, key=lambda c: c.ok)
        out = []
        for check in ordered:
            mark = "ok  " if check.ok else "FAIL"
            where = f" [{check.where}]" if check.where else ""
            out.append(f"{mark} {check.area:<10} {check.detail}{where}")
        return out

    def __str__(self) -> str:
        head = "holds" if self.ok else f"DOES NOT HOLD ({len(self.problems)} problem(s))"
        signers = "".join(f"\n  signer {who}: {fp}" for who, fp in self.signers)
        return f"verify {self.target}: {head}{signers}\n" + "\n".join(self.lines())

    def __repr__(self) -> str:
        state = "ok" if self.ok else f"{len(self.problems)} problem(s)"
        return f"<Verification {self.target!r}: {state}, {len(self.checks)} checks>"

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
                "✔" if c.ok else "<b style='color:#b00020'>✘</b>",
                html.escape(c.area),
                html.escape(c.detail),
                html.escape(c.where),
            )
            for c in sorted(self.checks, key=lambda c: c.ok)
        )
        head = "holds" if self.ok else f"does NOT hold: {len(self.problems)} problem(s)"
        signers = "".join(
            f"<li>{html.escape(who)}: <code>{html.escape(fp)}</code></li>"
            for who, fp in self.signers
        )
        return (
            f"<div><b>verify {html.escape(self.target)}</b>: {html.escape(head)}"
            + (f"<ul>{signers}</ul>" if signers else "")
            + "<table><thead><tr><th></th><th>area</th><th>finding</th><th>where</th></tr>"
            f"</thead><tbody>{rows}</tbody></table></div>"
        )
