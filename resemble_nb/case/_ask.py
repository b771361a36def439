"""Asking a question about an item (Detect Intelligence) and keeping the answer.

>>> answer = case.ask("call.wav", "Was the voice cloned from a public recording?")  # doctest: +SKIP

The question is recorded before it is sent, then its id, status and answer as they
come. Waiting follows the docs: from 1 s, doubling, at most 10 s. ``sleep`` and
``clock`` are injectable so tests never wait on the wall clock; a ``stop`` event lets a
background caller (the triage board) give up without blocking anyone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..api import ResembleError, WaitTimeoutError
from ..api._wait import answer_intervals
from ..ledger import LedgerError, QuestionRecord

if TYPE_CHECKING:
    from ..api import Client
    from ..ledger import Ledger

__all__ = ["DEFAULT_ANSWER_TIMEOUT", "ask_question", "detect_of"]

DEFAULT_ANSWER_TIMEOUT = 120.0
"""Seconds to wait for an answer (the docs say most take 5-15 s)."""


def detect_of(ledger: Ledger, sha256: str) -> str:
    """The detect uuid of the item's latest completed job.

    Raises:
        LedgerError: The item has no completed detect to ask about yet.
    """
    for job in reversed(ledger.jobs_for_item(sha256)):
        if job.state == "completed" and job.detect_uuid:
            return job.detect_uuid
    name = ledger.item_names().get(sha256, sha256[:12])
    raise LedgerError(f"{name}: no completed detect to ask about yet (review it first, then ask)")


def ask_question(
    ledger: Ledger,
    sha256: str,
    query: str,
    client: Client,
    *,
    asker: str,
    timeout: float = DEFAULT_ANSWER_TIMEOUT,
    poll_interval: tuple[float, float] = (1.0, 10.0),
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    stop: threading.Event | None = None,
    on_change: Callable[[QuestionRecord], None] | None = None,
) -> QuestionRecord:
    """Send ``query`` about the item, wait for the answer, record every step.

    Returns the stored question: ``completed`` with its answer, ``failed`` with the
    reason, or still ``pending``/``processing`` when ``timeout`` ran out (ask again later
    with :func:`refresh_question`).

    Raises:
        LedgerError: The item has no completed detect.
        ValueError: The question is empty.
        ResembleError: The question could not be sent (it is recorded as ``failed``).
    """
    if not isinstance(query, str) or not query.strip():
        raise ValueError("the question is empty: ask something about the item")
    detect_uuid = detect_of(ledger, sha256)
    record = ledger.add_question(sha256, detect_uuid, query.strip(), asker)
    notify = on_change or (lambda _r: None)
    notify(record)
    try:
        question = client.ask(detect_uuid, query.strip())
    except ResembleError as exc:
        notify(ledger.update_question(record.id, status="failed", error=str(exc)))
        raise
    record = ledger.update_question(
        record.id, status=question.status or "pending", question_uuid=question.uuid
    )
    notify(record)
    return _wait(ledger, record, client, timeout, poll_interval, sleep, clock, stop, notify)


def refresh_question(
    ledger: Ledger,
    record: QuestionRecord,
    client: Client,
    *,
    timeout: float = 0.0,
    poll_interval: tuple[float, float] = (1.0, 10.0),
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> QuestionRecord:
    """Look again at a question left unanswered (once, or until ``timeout``)."""
    if record.done or record.question_uuid is None:
        return record
    return _wait(
        ledger, record, client, timeout, poll_interval, sleep, clock, None, lambda _r: None,
        first_wait=False,
    )  # fmt: skip


def _wait(
    ledger: Ledger,
    record: QuestionRecord,
    client: Client,
    timeout: float,
    poll_interval: tuple[float, float],
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    stop: threading.Event | None,
    notify: Callable[[QuestionRecord], None],
    *,
    first_wait: bool = True,
) -> QuestionRecord:
    waits = answer_intervals(poll_interval)
    start = clock()
    assert record.question_uuid is not None
    while not record.done:
        waited = clock() - start
        if first_wait:
            if waited >= timeout or (stop is not None and stop.is_set()):
                return record
            delay = min(next(waits), timeout - waited)
            if stop is not None:
                if stop.wait(delay):
                    return record
            else:
                sleep(delay)
        first_wait = True
        try:
            question = client.get_question(record.detect_uuid, record.question_uuid)
        except WaitTimeoutError:  # pragma: no cover - get_question does not wait
            return record
        if question.status != record.status or question.answer != record.answer:
            record = ledger.update_question(
                record.id,
                status=question.status or record.status,
                answer=question.answer,
                error=question.error_message,
            )
            notify(record)
        if timeout <= 0:
            return record
    return record
