"""The triage board's analysis panel: what Resemble found about the item in view.

Intelligence (with its structured fields as a short table), source tracing, watermark
and C2PA badges, reverse-search links, the heatmap as an image, and the questions asked
with their answers. A question box asks Resemble about the item: the question is sent
and answered on a background thread that only sets widget traits, so the notebook never
waits. A feedback button sends the item's verdict back to Resemble (opt-in, once).

The panel is a view: what it shows and does comes from an :class:`AnalysisSource`
(``case.triage()`` passes one bound to the case and its client).

>>> board = case.triage(client=client)   # doctest: +SKIP  (the board embeds the panel)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import ipywidgets as W

from ._format import escape
from ._panel import Panel

__all__ = ["AnalysisPanel", "AnalysisSource"]


class AnalysisSource(Protocol):
    """What the panel needs: the item's analyses as HTML, asking, and feedback."""

    def analysis_html(self, sha256: str) -> str: ...
    def questions_asked(self, sha256: str) -> int: ...
    def ask_about(
        self,
        sha256: str,
        question: str,
        *,
        stop: threading.Event,
        on_change: Callable[[Any], None],
    ) -> str:
        """Blocking: send, wait, record; return the final status."""
        ...

    def feedback_for(self, sha256: str, update: bool = False) -> tuple[str, str] | None:
        """Send the item's verdict as feedback: ``(outcome, detail)``, None if undecided
        (``update``: also a verdict that changed since its feedback was sent)."""
        ...


_FEEDBACK_WORDS = {
    "sent": "Sent: Resemble has this verdict as feedback.",
    "updated": "Sent: the new verdict replaced the feedback sent before.",
    "already_sent": "Already sent ({detail}): nothing new to send.",
    "changed": "Changed since sent: send the new verdict?",
    "not_mapped": "Nothing sent: this verdict is not something Resemble takes as feedback.",
    "no_result": "Nothing sent: there is no finished result to give feedback on.",
    "failed": "Not sent: {detail}",
}


def feedback_words(outcome: str, detail: str) -> str:
    """What a person reads for a feedback outcome (never its identifier)."""
    if outcome == "already_sent":  # "should_be_ai_generated sent 2026-..." -> plain words
        detail = detail.replace("_", " ")
    return _FEEDBACK_WORDS.get(outcome, "{detail}").format(detail=detail)


class AnalysisPanel(Panel):
    """Analyses, questions and feedback for the item in view (embedded by the board)."""

    def __init__(self, source: AnalysisSource) -> None:
        self.source = source
        self.sha256: str | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.html = W.HTML()
        self.question = W.Text(placeholder="Ask Resemble about this item…")
        self.question.layout = W.Layout(width="100%")
        self.ask_button = W.Button(description="Ask", icon="question")
        self.feedback_button = W.Button(
            description="Send verdict to Resemble",
            tooltip="Send this item's verdict as detect feedback (once)",
        )
        self.status = W.HTML()  # the question's
        #: What happened to the verdict sent as feedback (its own line: an answer
        #: arriving later never overwrites it).
        self.feedback_status = W.HTML()
        self.resend_button = W.Button(
            description="Send the new verdict",
            tooltip="Replace the feedback sent earlier with this item's current verdict",
            layout=W.Layout(display="none"),
        )
        self.ask_button.on_click(lambda _: self.ask())
        self.feedback_button.on_click(lambda _: self.send_feedback())
        self.resend_button.on_click(lambda _: self.send_feedback(update=True))
        super().__init__(
            children=[
                self.html,
                self.question,
                W.HBox([self.ask_button, self.feedback_button]),
                self.status,
                W.HBox([self.feedback_status, self.resend_button]),
            ]
        )
        self.add_class("rnb-analysis-panel")

    # -- showing -----------------------------------------------------------------------
    def show_item(self, item: Mapping[str, Any] | None) -> None:
        """The board calls this with the current item's row (or None)."""
        sha = item.get("sha256") if item is not None else None
        self.show(str(sha) if sha else None)

    def show(self, sha256: str | None) -> None:
        """Show the analyses of an item (``None``: nothing)."""
        self.sha256 = sha256
        for control in (self.question, self.ask_button, self.feedback_button):
            control.disabled = sha256 is None
        self.status.value = ""
        self._feedback_said("")
        self._refresh()

    def _refresh(self) -> None:
        sha = self.sha256
        if sha is None:
            self.html.value = ""
            return
        body = self.source.analysis_html(sha)
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
        def changed(_record: Any) -> None:
            if self.sha256 == sha:
                self._refresh()

        try:
            status = self.source.ask_about(sha, text, stop=self._stop, on_change=changed)
            said = {"completed": "Answered.", "failed": "The answer failed."}
            message = said.get(status, "Still waiting: the answer is saved when ready.")
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
    def send_feedback(self, update: bool = False) -> None:
        """Send the item's current verdict to Resemble as feedback (once; ``update``:
        replace feedback sent for an earlier verdict)."""
        sha = self.sha256
        if sha is None:
            return
        try:
            done = self.source.feedback_for(sha, update=update)
        except Exception as exc:
            self._feedback_said(f"Feedback not sent: {exc}")
            return
        if done is None:
            self._feedback_said("Decide a verdict first: there is nothing to send.")
            return
        outcome, detail = done
        self._feedback_said(feedback_words(outcome, detail), ask=outcome == "changed")

    def _feedback_said(self, text: str, *, ask: bool = False) -> None:
        self.feedback_status.value = escape(text)
        self.resend_button.layout.display = None if ask else "none"

    def __repr__(self) -> str:
        if self.sha256 is None:
            return "AnalysisPanel: no item"
        asked = self.source.questions_asked(self.sha256)
        return f"AnalysisPanel: item {self.sha256[:12]} · {asked} question(s) asked"
