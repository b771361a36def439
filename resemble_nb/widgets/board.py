"""The live job board that ``case.review(...)`` shows while a review runs.

The engine calls the board from its own thread for every change. The board only marks
itself dirty there; one daemon thread pushes at most a few updates a second by setting
widget traits (never ``print``, never ``with output:``), then a final one when the run
finishes, and stops. So a 1,000-item review costs the browser a handful of small
messages a second, and the notebook stays free.

>>> run = case.review(paths, client=client)   # doctest: +SKIP  (shows a JobBoard)
>>> JobBoard(run)                              # doctest: +SKIP  (another view of it)
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from typing import Any

import ipywidgets as W

from ._board_render import (
    FINISHED_ORDERS,
    counts_html,
    eta_text,
    fraction_of,
    pages_of,
    problems_html,
    stage_fraction,
    summary_text,
    table_html,
)
from ._format import escape, human_duration
from ._panel import Panel
from ._protocols import ItemStatusLike, ProgressLike, RunEventLike, RunLike

__all__ = ["JobBoard"]

_SANDBOX_BANNER = (
    "<div style='background:#fef3c7;color:#92400e;padding:2px 6px;border-radius:3px'>"
    "<b>SANDBOX</b>: scores are synthetic, from the local sandbox, not from Resemble AI."
    "</div>"
)


def _from_sandbox(run: Any) -> bool:
    """Whether a run talks to the local sandbox (``run.source`` or ``run.sandbox``)."""
    try:
        return getattr(run, "source", None) == "sandbox" or getattr(run, "sandbox", None) is True
    except Exception:  # a view never fails because of a property
        return False


class JobBoard(Panel):
    """Live progress of a :class:`~resemble_nb.engine.Run`, with a Cancel button.

    Shows an overall progress bar, counts by state, a bounded table (failures, then items
    in flight, then the most recent ``max_rows`` finished; the rest summarised), failures
    and skips with their reasons. ``interval`` is the shortest time between two pushes
    (0.25 s: at most 4 a second); ``heartbeat`` refreshes elapsed times when nothing
    happens. ``updates_sent`` counts the pushes that changed what the browser shows.
    """

    def __init__(
        self,
        run: RunLike,
        *,
        title: str = "Review",
        max_rows: int = 25,
        interval: float = 0.25,
        heartbeat: float = 1.0,
    ) -> None:
        self.run = run
        self.title = title
        self.max_rows = max_rows
        self.updates_sent = 0
        self._interval = interval
        self._heartbeat = heartbeat
        self._events = itertools.count()
        self._event_count = 0
        self._started = time.monotonic()
        self._ended: float | None = None
        self._finished = False
        self._cancelling = False
        self._closed = False
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._errors_seen: set[str] = set()
        self._push_lock = threading.Lock()

        self._banner = W.HTML(_SANDBOX_BANNER if _from_sandbox(run) else "")
        self._header = W.HTML()
        self._bar = W.FloatProgress(value=0.0, min=0.0, max=1.0, bar_style="info")
        self._bar.layout = W.Layout(width="50%")
        self._fraction = W.HTML()
        self._cancel = W.Button(
            description="Cancel",
            icon="stop",
            button_style="warning",
            tooltip="Stop the review: items not finished yet end as cancelled",
        )
        self._counts = W.HTML()
        self._table = W.HTML()
        self._order = W.Dropdown(
            options=[(w, k) for k, w in FINISHED_ORDERS.items()],
            value="recent",
            description="Finished",
            layout=W.Layout(width="260px"),
        )
        self._page = 0
        self._page_back = W.Button(icon="chevron-left", tooltip="Previous page")
        self._page_on = W.Button(icon="chevron-right", tooltip="Next page")
        self._page_text = W.HTML()
        for button in (self._page_back, self._page_on):
            button.layout = W.Layout(width="36px")
        self._order.observe(self._on_order, names="value")
        self._page_back.on_click(lambda _: self._turn(-1))
        self._page_on.on_click(lambda _: self._turn(1))
        self._problems = W.HTML()
        self._errors = W.Output()
        self._cancel.on_click(self._on_cancel)
        super().__init__(
            children=[
                self._banner,
                self._header,
                W.HBox([self._bar, self._fraction, self._cancel]),
                self._counts,
                W.HBox(
                    [self._order, self._page_back, self._page_text, self._page_on],
                    layout=W.Layout(align_items="center"),
                ),
                self._table,
                self._problems,
                self._errors,
            ]
        )

        self.add_class("rnb-jobboard")
        self._unsubscribe = run.subscribe(self._on_event)
        self._push()
        if run.done:
            self._finish()
            self._thread: threading.Thread | None = None
        else:
            self._thread = threading.Thread(
                target=self._loop, name="resemble_nb-jobboard", daemon=True
            )
            self._thread.start()

    # -- public API --------------------------------------------------------------------
    @property
    def events_seen(self) -> int:
        """How many run events the board has received."""
        return self._event_count

    def wait(self, timeout: float | None = None) -> JobBoard:
        """Block until the board has shown the run's final state; ``TimeoutError`` if not."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                raise TimeoutError(f"the job board is still running after {timeout} s")
        return self

    def close(self) -> None:
        """Stop updating, unsubscribe from the run and close the widgets."""
        self._closed = True
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(2.0)
        self._unsubscribe_quietly()
        for child in self._descendants():
            child.close()
        super().close()

    def __repr__(self) -> str:
        try:
            return f"JobBoard: {summary_text(self.run.progress)}"
        except Exception as exc:  # a repr must never raise
            return f"JobBoard: (progress unavailable: {type(exc).__name__})"

    # -- engine thread -----------------------------------------------------------------
    def _on_event(self, event: RunEventLike) -> None:
        """Called by the engine for every change: cheap, and never raises into it."""
        try:
            self._event_count = next(self._events) + 1
            if event.kind == "finished":
                self._finished = True
            self._wake.set()
        except Exception:  # pragma: no cover - nothing above should fail
            pass

    # -- board thread ------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._heartbeat)
            self._wake.clear()
            if self._stop.is_set():
                return
            if self._finished or self._run_done():
                self._finish()
                return
            self._push()
            self._stop.wait(self._interval)  # the throttle: nothing faster than this

    def _run_done(self) -> bool:
        try:
            return bool(self.run.done)
        except Exception as exc:
            self._report(exc)
            return False

    def _finish(self) -> None:
        self._ended = time.monotonic()
        self._unsubscribe_quietly()
        self._push()  # the final state, with "finished in" and the closing bar style
        self._cancel.disabled = True
        self._cancel.layout.display = "none"  # nothing left to cancel

    def _push(self) -> None:
        """Render the run's current state and set the traits that changed."""
        if self._closed:
            return
        try:
            progress = self.run.progress
            items = self.run.items()
        except Exception as exc:
            self._report(exc)
            return
        with self._push_lock:
            changed = self._apply(progress, items)
            if changed:
                self.updates_sent += 1

    def _apply(self, progress: ProgressLike, items: Sequence[ItemStatusLike]) -> bool:
        done = self._ended is not None
        counts = progress.counts
        fraction = fraction_of(progress) if done else stage_fraction(progress)
        if not done:
            style = "info"
        elif counts.get("cancelled"):
            style = "danger"
        elif counts.get("failed"):
            style = "warning"
        else:
            style = "success"
        if done and counts.get("cancelled"):
            ended = progress.finished - counts["cancelled"]
            fraction = ended / progress.total if progress.total else 1.0
            text = (
                f"&nbsp;<b>Cancelled</b>: {counts['cancelled']:,} of {progress.total:,} not "
                f"analysed; {counts.get('completed', 0):,} completed"
                + (f", {counts['failed']:,} failed" if counts.get("failed") else "")
                + "&nbsp;"
            )
        else:
            text = (
                f"&nbsp;<b>{int(fraction * 100 + 1e-9)}%</b> "
                f"{progress.finished:,}/{progress.total:,}"
                + ("" if done else " finished")
                + "&nbsp;"
            )
        if not self._banner.value and _from_sandbox(self.run):  # known once a reply came
            self._banner.value = _SANDBOX_BANNER
        finished = sum(1 for i in items if i.state in ("completed", "skipped", "cancelled"))
        pages = pages_of(finished, self.max_rows)
        self._page = min(self._page, pages - 1)
        wanted: list[tuple[Any, dict[str, Any]]] = [
            (self._header, {"value": self._header_html(progress)}),
            (self._bar, {"value": fraction, "bar_style": style}),
            (self._fraction, {"value": text}),
            (self._counts, {"value": counts_html(progress)}),
            (
                self._table,
                {
                    "value": table_html(
                        items, self.max_rows, order=str(self._order.value), page=self._page
                    )
                },
            ),
            (self._page_text, {"value": f"page {self._page + 1} of {pages}"}),
            (self._page_back, {"disabled": self._page == 0}),
            (self._page_on, {"disabled": self._page >= pages - 1}),
            (self._problems, {"value": problems_html(items)}),
        ]
        changed = False
        for widget, traits in wanted:
            diff = {k: v for k, v in traits.items() if getattr(widget, k) != v}
            if diff:
                changed = True
                with widget.hold_sync():
                    for key, value in diff.items():
                        setattr(widget, key, value)
        return changed

    def _header_html(self, progress: ProgressLike) -> str:
        n = progress.total
        what = f"<b>{escape(self.title)}</b> of {n:,} item{'' if n == 1 else 's'}"
        if self._ended is not None:
            when = f"finished in {human_duration(self._ended - self._started)}"
            if self._cancelling:
                when = f"cancelled; {when}"
        else:
            elapsed = time.monotonic() - self._started
            when = f"running for {human_duration(elapsed)}"
            left = eta_text(elapsed, stage_fraction(progress))
            if left and not self._cancelling:
                when += f" · {left}"
            if self._cancelling:
                when += " · cancelling: items not finished yet will end as cancelled"
        planned = self._plan_line()  # what the run sends, said before it sent anything
        if planned:
            what = f"{what} · {escape(planned)}"
        return f"{what} · {when}"

    def _plan_line(self) -> str:
        """The run's plan in one line (what it sends), once it has planned."""
        try:
            plan = getattr(self.run, "plan", None)
        except Exception:
            return ""
        return "" if plan is None else str(plan)

    def _on_order(self, _change: Any) -> None:
        self._page = 0
        self._push()

    def _turn(self, step: int) -> None:
        self._page = max(0, self._page + step)
        self._push()

    def _on_cancel(self, _button: Any) -> None:
        self._cancel.disabled = True
        self._cancelling = True
        try:
            self.run.cancel()
        except Exception as exc:
            self._report(exc)
        self._wake.set()

    def _report(self, exc: BaseException) -> None:
        """Show an error once, in the Output widget, without ``with output:``."""
        text = f"{type(exc).__name__}: {exc}"
        if text in self._errors_seen or len(self._errors_seen) >= 20:
            return
        self._errors_seen.add(text)
        self._errors.append_stderr(f"Job board: {text}\n")

    def _unsubscribe_quietly(self) -> None:
        unsubscribe, self._unsubscribe = self._unsubscribe, _noop
        try:
            unsubscribe()
        except Exception as exc:
            self._report(exc)

    def _descendants(self) -> list[Any]:
        out: list[Any] = []
        stack = list(self.children)
        while stack:
            widget = stack.pop()
            out.append(widget)
            stack.extend(getattr(widget, "children", ()))
        return out


def _noop() -> None:
    return None
