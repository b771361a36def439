"""The case's review verb: start the engine on files, one review per case at a time.

``Case`` inherits :class:`ReviewVerbs`; the run itself is the engine's (``_run.CaseRun``).
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..ledger import ReadOnlyLedgerError
from ._asking import remember_client
from ._base import CaseBase

if TYPE_CHECKING:
    from ..api import AsyncClient, Client
    from ..engine import Run
    from ._run import CaseRun

__all__ = ["ReviewVerbs"]

_ACTIVE: dict[Path, Run] = {}
"""The latest review started per case folder in this process (one at a time)."""
_ACTIVE_LOCK = threading.Lock()


class ReviewVerbs(CaseBase):
    """``review()``: the verb ``Case`` inherits to analyse media in the background."""

    def review(
        self,
        paths_or_items: Any,
        client: Client | AsyncClient | None = None,
        *,
        strategy: str = "auto",
        force: bool = False,
        display: bool = True,
        include: Any = None,
        recursive: bool = True,
        rate_limit: float | None = None,
        max_uploads: int | None = None,
        poll_interval: tuple[float, float] = (1.0, 10.0),
        wait_for_case: float | None = 0.0,
        analysis_patience: float = 600.0,
        **detect_options: Any,
    ) -> CaseRun:
        """Analyse media in the background; returns a started :class:`~resemble_nb.engine.Run`.

        Returns at once: the work runs on its own thread, and a live board is shown when
        called from a notebook (``display=False`` to skip it). ``run.wait()`` blocks.

        Args:
            paths_or_items: Files and folders (walked recursively), or media items.
            client: A :class:`~resemble_nb.api.Client` (default: :func:`resemble_nb.connect`).
            strategy: ``"auto"`` (batches for small files, secure upload for large files
                or single-only options), ``"batch"`` or ``"single"``.
            force: Analyse again items that already have a result for these options.
                Without it, an item is sent only when its completed results do not
                answer the request (see ``case.plan``): options that add an analysis
                (intelligence, watermark, source tracing, reverse search, visualize) are
                satisfied by a richer result, and an intelligence report missing from one
                is added to its detect (``POST /intelligence``), not made by a new detect.
            display: Show the live job board when running in a notebook.
            include: Only files whose name matches this glob (``"*.wav;*.mp3"``) or predicate.
            recursive: Walk sub-folders.
            rate_limit: Requests per second for the whole run (default 20).
            max_uploads: Uploads in flight at once (default 4).
            poll_interval: ``(first, longest)`` seconds between polling rounds.
            wait_for_case: When another process (a second kernel, ``resemble-nb detect``)
                is reviewing this case, wait this many seconds for it to finish
                (``None``: as long as it takes) before giving up with
                :class:`~resemble_nb.ledger.CaseBusyError`, which names the holder.
            analysis_patience: Seconds an analysis asked for (intelligence, watermark,
                source tracing of fake audio) may lag its completed detect; then the item
                is stored with it ``timed_out`` ("not returned by the service within N
                minutes"), and a later review or ``case.refresh_analyses()`` fetches it.
            **detect_options: Detect options by their API names, e.g.
                ``intelligence=True``, ``frame_length=2``, ``audio_source_tracing=True``.

        Raises:
            ValueError: An unknown option, a bad value, or a strategy that cannot work.
            RuntimeError: Another review of this case is still running in this process.
            resemble_nb.ledger.CaseBusyError: Another process is reviewing this case.
        """
        from ..engine import DEFAULT_MAX_UPLOADS, DEFAULT_RATE
        from ._run import CaseRun

        with _ACTIVE_LOCK:
            active = _ACTIVE.get(self.folder)
        if active is not None and not active.done:
            raise RuntimeError(
                f"a review of case {self.name!r} is already running ({active!r}); wait for "
                "it with run.wait() or stop it with run.cancel() before starting another"
            )
        from ..engine._intake import check_inputs

        if self.ledger.read_only:
            raise ReadOnlyLedgerError(
                f"{self.ledger.path}: the case is read-only, so it cannot be reviewed "
                "again; it can still be read and exported. Copy the case folder somewhere "
                "writable to work on it"
            )

        check_inputs(paths_or_items)  # TypeError now, not in the background thread
        if client is None:
            from ._connect import connect

            client = connect()
        remember_client(self.folder, client)
        lease = self.ledger.acquire_lease(what=_who(), wait=wait_for_case, case_name=self.name)
        try:
            run = CaseRun(
                self.ledger,
                paths_or_items,
                client,
                strategy=strategy,
                force=force,
                include=include,
                recursive=recursive,
                rate_limit=DEFAULT_RATE if rate_limit is None else rate_limit,
                max_uploads=DEFAULT_MAX_UPLOADS if max_uploads is None else max_uploads,
                poll_interval=poll_interval,
                analysis_patience=analysis_patience,
                lease=lease,
                **detect_options,
            )
        except BaseException:
            lease.release()
            raise
        with _ACTIVE_LOCK:
            _ACTIVE[self.folder] = run
        run.start()
        if display:
            _show_board(run)
        return run


def _who() -> str:
    """What is reviewing, in words another user recognises (for the case's lease)."""
    argv = sys.argv or [""]
    program = Path(argv[0]).name
    if program in ("resemble-nb", "cli.py", "__main__.py") and argv[1:2]:
        return f"resemble-nb {argv[1]}"
    if "ipykernel" in sys.modules:
        return "a Jupyter kernel"
    return f"python {program}" if program else "python"


def _show_board(run: Run) -> None:
    """Display the live job board when a notebook kernel is running this code."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except Exception:
        return
    if shell is None or not hasattr(shell, "kernel"):
        return
    try:
        from IPython.display import display

        from ..widgets import JobBoard

        display(JobBoard(run))  # type: ignore[no-untyped-call]
    except Exception:  # a view must never stop a review
        return
