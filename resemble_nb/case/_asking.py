"""A case's analyses beyond the score: its frames, questions about an item, feedback.

``Case`` inherits these verbs; they work over the ledger and a sync ``Client``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..api import MissingAPIKeyError
from ._base import CaseBase

if TYPE_CHECKING:
    import pandas as pd

    from ..api import AsyncClient, Client
    from ..ledger import Ledger

__all__ = [
    "AskingVerbs",
    "CaseServiceKeyError",
    "case_client",
    "remember_client",
    "sync_client",
    "sync_client_or_none",
]


class AskingVerbs(CaseBase):
    """``intelligence()``, ``questions()``, ``feedback()``, ``ask()``, ``send_feedback()``."""

    def intelligence(self) -> pd.DataFrame:
        """One row per item with an intelligence report: summary and every structured field."""
        from ..frames._analysis import intelligence_frame

        return intelligence_frame(self.ledger)

    def questions(self) -> pd.DataFrame:
        """One row per question asked about an item (:meth:`ask`) and its answer."""
        from ..frames._analysis import questions_frame

        return questions_frame(self.ledger)

    def feedback(self) -> pd.DataFrame:
        """What :meth:`send_feedback` sent to Resemble, for which verdict, and when."""
        from ..frames._analysis import feedback_frame

        return feedback_frame(self.ledger)

    # -- asking and feedback ----------------------------------------------------------------
    def _client_for(self, client: Client | None) -> Client:
        if client is not None:
            return sync_client(client)
        return case_client(self.folder, self.ledger, None)

    def ask(
        self,
        item: str | os.PathLike[str],
        question: str,
        *,
        client: Client | None = None,
        timeout: float | None = None,
        asker: str | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> str | None:
        """Ask a question in plain words about a reviewed item; return the answer.

        Waits politely (1 s, doubling to 10 s) up to ``timeout`` seconds (default 120).
        The question, its status, answer and times go to the ledger (``case.questions()``).

        Args:
            item: The item's sha256 (or a unique prefix), file name, or path.
            question: E.g. ``"Was the voice cloned from a public recording?"``.
            client: The account that reviewed it (default: the client this process reviewed
                the case with, else :func:`resemble_nb.connect`).
            timeout: Seconds to wait for the answer.
            asker: Who asked (default: the logged-in user).
            sleep, clock: Stand-ins for ``time.sleep`` and ``time.monotonic`` (tests).

        Returns:
            The answer, or ``None`` if it failed (the reason is in ``case.questions()``)
            or is not ready within ``timeout`` (ask :meth:`questions` again later).
        """
        from ._ask import DEFAULT_ANSWER_TIMEOUT, ask_question

        record = ask_question(
            self.ledger,
            self.item_key(item),
            question,
            self._client_for(client),
            asker=self.ledger.actor(asker),  # the case's one reviewer rule
            timeout=DEFAULT_ANSWER_TIMEOUT if timeout is None else timeout,
            sleep=sleep or time.sleep,
            clock=clock or time.monotonic,
        )
        return record.answer if record.status == "completed" else None

    def send_feedback(
        self,
        *,
        client: Client | None = None,
        items: Any = None,
        update: bool = False,
        comment: str | None = None,
        dry_run: bool = False,
    ) -> pd.DataFrame:
        """Send reviewer verdicts back to Resemble as detect feedback (opt-in).

        Each verdict that maps onto a feedback type is sent once (confirmed fake on a
        real label -> ``should_be_ai_generated``, agreement -> ``correct``...); what was
        sent and when goes to the ledger (``case.feedback()``). A verdict changed after
        its feedback was sent is reported as ``changed`` and sent only with
        ``update=True``. Notes are never sent.

        Args:
            client: The account that reviewed the items (default: the client this process
                reviewed the case with, else ``connect()``).
            items: Only these items (names, paths or sha256s); default every decided one.
            update: Send verdicts that changed since their feedback was sent.
            comment: A comment sent with every feedback (at most 1,000 characters).
            dry_run: Only say what would be sent.

        Returns:
            One row per decided item: name, verdict, label, type, outcome, detail.
        """
        import pandas as pd

        from ._feedback import send_feedback

        wanted = None
        if items is not None:
            listed = [items] if isinstance(items, (str, os.PathLike)) else list(items)
            wanted = {self.item_key(i) for i in listed}
        outcomes = send_feedback(
            self.ledger,
            self._client_for(client),
            items=wanted,
            update=update,
            comment=comment,
            dry_run=dry_run,
        )
        columns = ["name", "sha256", "verdict", "label", "type", "outcome", "detail"]
        frame: pd.DataFrame = pd.DataFrame(
            [[getattr(o, c) for c in columns] for o in outcomes], columns=columns, dtype="string"
        )
        return frame


_REVIEWED_WITH: dict[Path, Client | AsyncClient] = {}
"""The client each case folder was last reviewed with in this process."""
_SERVICES = {"sandbox": "the sandbox", "api": "Resemble's API"}


def remember_client(folder: Path, client: Client | AsyncClient) -> None:
    """Remember the client a case was reviewed with (asking and feedback reuse it)."""
    _REVIEWED_WITH[folder] = client


def case_client(folder: Path, ledger: Ledger, client: Client | AsyncClient | None) -> Client:
    """The sync client to ask or send feedback with, for the case in ``folder``.

    ``client`` if given; else the one this process reviewed the case with; else
    :func:`~resemble_nb.connect`, whose failure names the service the case was reviewed on.
    """
    from ..api import AsyncClient, Client

    if client is None:
        client = _REVIEWED_WITH.get(folder)
        if client is not None and (isinstance(client, AsyncClient) or _closed(client)):
            client = Client.from_client(client)  # same account, its own connections
            _REVIEWED_WITH[folder] = client
    if client is not None:
        return Client.from_client(client) if isinstance(client, AsyncClient) else client
    from ._connect import connect

    try:
        return connect()
    except MissingAPIKeyError as exc:
        service = _SERVICES.get(ledger.reviewed_on() or "")
        if service is None:
            raise
        hint = (
            "pass client=rnb.connect(sandbox=True) (or the client of the sandbox it was "
            "reviewed on)"
            if service == "the sandbox"
            else "set RESEMBLE_API_KEY or pass client=rnb.connect(api_key=...)"
        )
        raise CaseServiceKeyError(f"{exc} This case was reviewed on {service}: {hint}.") from None


class CaseServiceKeyError(MissingAPIKeyError):
    """No key to reach the service a case was reviewed on; the message names it."""

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)


def _closed(client: Client) -> bool:
    http = getattr(client, "_http", None)
    return bool(getattr(http, "is_closed", False))


def sync_client_or_none(client: Client | None) -> Client | None:
    return None if client is None else sync_client(client)


def sync_client(client: Client | None) -> Client:
    from ..api import AsyncClient

    if client is None:
        from ._connect import connect

        return connect()
    if isinstance(client, AsyncClient):
        raise TypeError("case.ask() and case.send_feedback() take a Client, not an AsyncClient")
    return client
