"""Who is deciding: a name proposed once per case, confirmed by the reviewer.

The proposal comes from ``RESEMBLE_NB_REVIEWER`` or the computer's user name; nothing is
recorded under it until the reviewer confirms it (or types another and confirms).
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as W

from ._format import escape
from ._triage_state import default_reviewer

__all__ = ["ReviewerBar"]


class ReviewerBar(W.HBox):  # type: ignore[misc]
    """A name box, a Confirm button (until confirmed) and a line saying what happens."""

    def __init__(self, confirmed: str | None, on_confirm: Callable[[str], None]) -> None:
        proposed, source = default_reviewer()
        self.name: str | None = confirmed
        self._source = source
        self._on_confirm = on_confirm
        self.box = W.Text(
            value=confirmed or proposed,
            description="Reviewer",
            placeholder="your name",
            layout=W.Layout(width="230px"),
        )
        self.button = W.Button(description="Confirm name", button_style="primary")
        self.button.layout = W.Layout(width="auto", min_width="165px")
        self.note = W.HTML()
        self.button.on_click(lambda _: self.confirm(self.box.value))
        super().__init__([self.box, self.button, self.note], layout=W.Layout(align_items="center"))
        self._render()

    def confirm(self, name: str) -> bool:
        """Take ``name`` as the reviewer's; False (and a line) when it is empty."""
        name = name.strip()
        if not name:
            self.note.value = "<span style='color:#b91c1c'>Type your name first.</span>"
            return False
        self.name = name
        self.box.value = name
        self._render()
        self._on_confirm(name)
        return True

    def _render(self) -> None:
        if self.name is None:
            self.button.layout.display = None
            self.note.value = (
                "<span style='color:#92400e'>&nbsp;Who is reviewing? Proposed from "
                f"{escape(self._source)}: change it if needed and press Confirm name "
                "(asked once for this case).</span>"
            )
        else:
            self.button.layout.display = "none"
            self.note.value = f"&nbsp;Decisions are recorded as <b>{escape(self.name)}</b>."
