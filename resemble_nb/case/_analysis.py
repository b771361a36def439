"""The triage board's analysis panel, bound to a case and the account that reviewed it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..report._analysis_view import item_html

if TYPE_CHECKING:
    from ..api import Client
    from ._asking import AskingVerbs

__all__ = ["CaseAnalysis"]


class CaseAnalysis:
    """An :class:`~resemble_nb.widgets._analysis_panel.AnalysisSource` over a case.

    Args:
        case: The case.
        client: The account that reviewed it; default the client this process reviewed
            the case with, else :func:`resemble_nb.connect` on first use (nothing
            connects until a question or feedback is sent).
        poll_interval: Waits between answer checks (the docs: 1 s doubling to 10 s).
        timeout: Seconds to wait for an answer before leaving it to a later look.
    """

    def __init__(
        self,
        case: AskingVerbs,
        client: Client | None = None,
        *,
        poll_interval: tuple[float, float] = (1.0, 10.0),
        timeout: float = 120.0,
    ) -> None:
        self.case = case
        self._client = client
        self._poll = poll_interval
        self._timeout = timeout

    def client(self) -> Client:
        if self._client is None:
            from ._asking import case_client

            self._client = case_client(self.case.folder, self.case.ledger, None)
        return self._client

    def analysis_html(self, sha256: str) -> str:
        return item_html(self.case.ledger, sha256, local_c2pa=True)

    def questions_asked(self, sha256: str) -> int:
        return len(self.case.ledger.questions(sha256))

    def ask_about(
        self,
        sha256: str,
        question: str,
        *,
        stop: threading.Event,
        on_change: Callable[[Any], None],
    ) -> str:
        from ._ask import ask_question

        record = ask_question(
            self.case.ledger, sha256, question, self.client(), asker=self.case.ledger.actor(None),
            timeout=self._timeout, poll_interval=self._poll, stop=stop, on_change=on_change,
        )  # fmt: skip
        return record.status

    def feedback_for(self, sha256: str, update: bool = False) -> tuple[str, str] | None:
        done = self.case.send_feedback(client=self.client(), items=[sha256], update=update)
        if done.empty:
            return None
        row = done.iloc[0]
        return str(row["outcome"]), str(row["detail"])

    def __repr__(self) -> str:
        return f"CaseAnalysis({self.case.name!r})"
