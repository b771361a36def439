"""The triage board's analysis panel: what Resemble found about the item in view.

Intelligence (with its structured fields as a short table), source tracing, watermark
and C2PA badges, reverse-search links, the heatmap as an image, and the questions asked
with their answers. A question box asks Resemble about the item: the question is sent
and answered on a background thread that only sets widget traits, so the notebook never
waits. A feedback button sends the item's verdict back to Resemble (opt-in, once).

>>> panel = AnalysisPanel(case, client=client)   # doctest: +SKIP
>>> panel.show(sha256)                            # the board calls this per item
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from .._analysis_view import item_html
from ._format import escape
from ._panel import Panel

if TYPE_CHECKING:
    from ..api import Client
    from ..case import Case

__all__ = ["AnalysisPanel"]


class AnalysisPanel(Panel):
    """Analyses, questions and feedback for one item of a case (embedded by the board).

    Args:
        case: The case (a :class:`~resemble_nb.case.Case`).
        client: The account that reviewed the items; default ``resemble_nb.connect()``
            on first use.
        poll_interval: Waits between answer checks (the docs: from 1 s doubling to 10 s).
    """

    def __init__(
        self,
        case: Case,
        *,
        client: Client | None = None,
        poll_interval: tuple[float, float] = (1.0, 10.0),
        timeout: float = 120.0,
    ) -> None:
        self.case = case
        self._client = client
        self._poll = poll_interval
        self._timeout = timeout
        self.sha256: str | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.html = W.HTML()
        self.question = W.Text(placeholder="Ask Resemble about this item…")
        self.question.layout = W.Layout(width="60%")
        self.ask_button = W.Button(description="Ask", icon="question")
        self.feedback_button = W.Button(
            description="Send verdict to Resemble",
            tooltip="Send this item's verdict as detect feedback (once)",
        )
        self.status = W.HTML()
        self.ask_button.on_click(lambda _: self.ask())
        self.feedback_button.on_click(lambda _: self.send_feedback())
        super().__init__(
            children=[
                self.html,
                W.HBox([self.question, self.ask_button]),
                self.feedback_button,
                self.status,
            ]
        )
        self.add_class("rnb-analysis-panel")

    # -- showing -----------------------------------------------------------------------
    def show(self, sha256: str | None) -> None:
        """Show the analyses of an item (``None``: nothing)."""
        self.sha256 = sha256
        for control in (self.question, self.ask_button, self.feedback_button):
            control.disabled = sha256 is None
        self.status.value = ""
        self._refresh()

    def _refresh(self) -> None:
        sha = self.sha256
        if sha is None:
            self.html.value = ""
            return
        body = item_html(self.case.ledger, sha)
        self.html.value = body or "<i>No intelligence, tracing, watermark or C2PA result.</i>"

    # -- asking --------------------------------------------------------------------------
    def ask(self, question: str | None = None) -> threading.Thread | None:
        """Ask about the item in view on a background thread; returns the thread."""
        text = (self.question.value if question is None else question).strip()
        sha = self.sha256
        if sha is None or not text:
            self.status.value = "<i>Type a question first.</i>"
            return None
        self.question.value = ""
        self.status.value = f"Asking: {escape(text)}"
        thread = threading.Thread(
            target=self._ask_in_background, args=(sha, text), name="rnb-ask", daemon=True
        )
        with self._lock:
            self._thread = thread
        thread.start()
        return thread

    def _ask_in_background(self, sha: str, text: str) -> None:
        from .._ask import ask_question
        from ..ledger import default_reviewer

        def changed(_record: Any) -> None:
            if self.sha256 == sha:
                self._refresh()

        try:
            record = ask_question(
                self.case.ledger, sha, text, self._client_or_connect(),
                asker=default_reviewer(), timeout=self._timeout, poll_interval=self._poll,
                stop=self._stop, on_change=changed,
            )  # fmt: skip
            said = {"completed": "Answered.", "failed": "The answer failed."}
            message = said.get(record.status, "Still waiting: the answer is saved when ready.")
        except Exception as exc:  # shown, never raised into the kernel
            message = f"Not asked: {type(exc).__name__}: {exc}"
        if self.sha256 == sha:
            self.status.value = escape(message)
            self._refresh()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the last question's answer arrived (for scripts and tests)."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def close(self) -> None:
        self._stop.set()
        super().close()

    # -- feedback ------------------------------------------------------------------------
    def send_feedback(self) -> None:
        """Send the item's current verdict to Resemble as feedback (once)."""
        sha = self.sha256
        if sha is None:
            return
        try:
            done = self.case.send_feedback(client=self._client_or_connect(), items=[sha])
        except Exception as exc:
            self.status.value = escape(f"Feedback not sent: {type(exc).__name__}: {exc}")
            return
        if done.empty:
            self.status.value = "<i>Decide a verdict first: there is nothing to send.</i>"
            return
        row = done.iloc[0]
        self.status.value = escape(f"Feedback: {row['outcome']} ({row['detail']})")

    def _client_or_connect(self) -> Client:
        if self._client is None:
            from .._connect import connect

            self._client = connect()
        return self._client

    def __repr__(self) -> str:
        if self.sha256 is None:
            return "AnalysisPanel: no item"
        asked = len(self.case.ledger.questions(self.sha256))
        return f"AnalysisPanel: item {self.sha256[:12]} · {asked} question(s) asked"
