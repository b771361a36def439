"""A case: one folder holding a review's ledger, browser uploads and reports.

>>> import resemble_nb as rnb
>>> case = rnb.Case("cases/acme")                         # doctest: +SKIP
>>> run = case.review(["evidence/"], client=rnb.connect())  # doctest: +SKIP
>>> case.results()                                         # doctest: +SKIP
>>> case.decide("call.wav", "confirmed_fake", note="voice clone")  # doctest: +SKIP
>>> case.report()                                          # doctest: +SKIP

The folder holds ``case.db`` (the SQLite ledger), ``uploads/`` (files uploaded from
the browser) and ``reports/``. Paths inside the folder are stored relative to it, so a
copied case folder opens elsewhere with everything in it.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..ledger import (
    LEDGER_FILENAME,
    REPORTS_FOLDER,
    UPLOADS_FOLDER,
    CaseFolderError,
    CaseNameError,
    Decision,
    Ledger,
    ReadOnlyLedgerError,
    Verdict,
)
from ._asking import AskingVerbs, remember_client, sync_client_or_none
from ._custody import CustodyVerbs
from ._evidence import EvidenceVerbs

if TYPE_CHECKING:
    import pandas as pd

    from ..api import AsyncClient, Client
    from ..engine import Run
    from ..widgets import TriageBoard
    from ._review import CaseRun

__all__ = ["CASE_DB", "Case"]

CASE_DB = LEDGER_FILENAME
"""The ledger's file name inside a case folder."""

_HEX = re.compile(r"[0-9a-f]{6,64}")
_ACTIVE: dict[Path, Run] = {}
"""The latest review started per case folder in this process (one at a time)."""
_ACTIVE_LOCK = threading.Lock()


class Case(AskingVerbs, EvidenceVerbs, CustodyVerbs):
    """A case folder and its ledger: what was reviewed, the results, the decisions.

    Args:
        folder: The case folder (created if missing, with ``uploads/`` and ``reports/``).
        name: A display name for reports (default: the folder's name); remembered in the
            ledger. An existing case keeps its name: opening it with another ``name=``
            raises (rename it on purpose with :meth:`rename`, a signed event).

    Raises:
        resemble_nb.ledger.CaseNameError: The case exists under another name.
        resemble_nb.ledger.LedgerError: The folder holds a file that is not a case
            ledger, or one written by a newer resemble_nb.
    """

    def __init__(self, folder: str | os.PathLike[str], *, name: str | None = None) -> None:
        path = Path(os.fspath(folder)).expanduser()
        self.folder: Path = make_case_folder(path)
        self.ledger = Ledger(self.folder / CASE_DB)
        stored = self.ledger.get_meta("name")
        if self.ledger.read_only:
            if name is not None and stored is not None and name != stored:
                raise _name_clash(self.folder, stored, name)
            return  # an archived or shared case: read and export only
        if stored is None:  # a new case: named now, by choice or after its folder
            self.ledger.set_meta("name", self.folder.name if name is None else name)
            if name is not None:
                self.ledger.set_meta("name_chosen", "1")
        elif name is not None and name != stored:
            if self.ledger.get_meta("name_chosen") is None and stored == self.folder.name:
                self.ledger.set_meta("name", name)  # it only had its folder's name: named now
                self.ledger.set_meta("name_chosen", "1")
            else:
                raise _name_clash(self.folder, stored, name)

    # -- facts ------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The case's display name."""
        return self.ledger.get_meta("name") or self.folder.name

    @property
    def uploads(self) -> Path:
        """Where browser uploads go (``UploadPicker``)."""
        return self.folder / UPLOADS_FOLDER

    @property
    def reports(self) -> Path:
        return self.folder / REPORTS_FOLDER

    def rename(self, name: str, *, reviewer: str | None = None) -> Case:
        """Give the case a new display name, on purpose: a chained event signed by
        ``reviewer`` (default: ``RESEMBLE_NB_REVIEWER``, else the logged-in user).

        Returns the case, so calls chain: ``rnb.Case(folder).rename("Op. Echo II")``.

        Raises:
            ValueError: ``name`` is empty.
            ReadOnlyLedgerError: the case cannot be written.
        """
        from ..custody import reviewer_key, sign_event
        from ..ledger import default_reviewer

        new = str(name).strip()
        if not new:
            raise ValueError("a case's name cannot be empty")
        if self.ledger.read_only:
            raise ReadOnlyLedgerError(f"{self.ledger.path}: the case is read-only; not renamed")
        old = self.name
        if new == old:
            return self
        who = reviewer or default_reviewer()
        event = self.ledger.record_event("case_renamed", {"from": old, "to": new, "reviewer": who})
        self.ledger.set_meta("name", new)
        self.ledger.set_meta("name_chosen", "1")
        sign_event(self.ledger, event, reviewer_key(who))
        return self

    def __repr__(self) -> str:
        counts = self.ledger.state_counts()
        total = sum(counts.values())
        shown = ", ".join(f"{state} {n}" for state, n in sorted(counts.items()) if n)
        inside = f"{total} item{'' if total == 1 else 's'}" + (f": {shown}" if shown else "")
        return f"Case({self.name!r}, {inside}) at {self.folder}"

    def close(self) -> None:
        """Close the ledger's connections (reopen with ``Case(folder)``)."""
        self.ledger.close()

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- frames -----------------------------------------------------------------------------
    def results(self) -> pd.DataFrame:
        """One row per media item, then one per skipped file (see :mod:`resemble_nb.frames`)."""
        from ..frames import results_frame

        return results_frame(self.ledger)

    def segments(self) -> pd.DataFrame:
        """One row per scored audio window, video frame and face segment."""
        from ..frames import segments_frame

        return segments_frame(self.ledger)

    def decisions(self) -> pd.DataFrame:
        """Every triage decision, oldest first (the chain of custody)."""
        from ..frames import decisions_frame

        return decisions_frame(self.ledger)

    # -- deciding ---------------------------------------------------------------------------
    def item_key(self, item: str | os.PathLike[str]) -> str:
        """The sha256 of an item named by its sha256 (or a unique prefix), name or path.

        Raises:
            KeyError: Nothing in the case matches.
            ValueError: The name matches several items (give the sha256 or the path).
        """
        text = os.fspath(item)
        if isinstance(text, str) and _HEX.fullmatch(text.lower()):
            if len(text) == 64 and self.ledger.item(text.lower()) is not None:
                return text.lower()
            matches = [sha for sha in self.ledger.item_names() if sha.startswith(text.lower())]
            if len(matches) == 1:
                return matches[0]
        named = self.ledger.items_named(str(text))
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise ValueError(
                f"{text!r} names {len(named)} different items in this case; give the sha256 "
                "or the full path instead"
            )
        found = self.ledger.item_for_path(text)
        if found is not None:
            return found.sha256
        raise KeyError(f"no item {text!r} in case {self.name!r} (give a sha256, name or path)")

    def decide(
        self,
        item: str | os.PathLike[str],
        verdict: Verdict | str,
        note: str = "",
        reviewer: str | None = None,
    ) -> Decision:
        """Record a triage decision about an item, at once (append-only).

        Args:
            item: The item's sha256 (or a unique prefix), file name, or path.
            verdict: ``confirmed_fake``, ``confirmed_real``, ``needs_escalation`` or
                ``inconclusive``.
            note: Free text kept with the decision.
            reviewer: Who decided (default: the logged-in user).

        Returns:
            The stored :class:`~resemble_nb.ledger.Decision`.
        """
        from ..custody import reviewer_key, sign_event

        decision = self.ledger.decide(
            self.item_key(item),
            verdict,  # type: ignore[arg-type]
            note,
            reviewer=reviewer,
        )
        event = self.ledger.decision_event(decision.id)
        if event is not None:  # signed by the reviewer who made it (key made on first use)
            sign_event(self.ledger, event, reviewer_key(decision.reviewer))
        return decision

    # -- reviewing --------------------------------------------------------------------------
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
            **detect_options: Detect options by their API names, e.g.
                ``intelligence=True``, ``frame_length=2``, ``audio_source_tracing=True``.

        Raises:
            ValueError: An unknown option, a bad value, or a strategy that cannot work.
            RuntimeError: Another review of this case is still running in this process.
            resemble_nb.ledger.CaseBusyError: Another process is reviewing this case.
        """
        from ..engine import DEFAULT_MAX_UPLOADS, DEFAULT_RATE
        from ._review import CaseRun

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

    # -- views ------------------------------------------------------------------------------
    def triage(self, client: Client | None = None, **filters: Any) -> TriageBoard:
        """The triage board: look, listen, decide (``threshold=``, ``labels=``...).

        ``client``: the account that reviewed the items, for the analysis panel's
        questions and feedback (default: the client this process reviewed the case with,
        else ``connect()`` when first needed).
        """
        from ..widgets import TriageBoard
        from ..widgets._analysis_panel import AnalysisPanel
        from ..widgets._threshold_caption import ThresholdCaption
        from ._analysis import CaseAnalysis

        board = TriageBoard(self, **filters)
        board.add_panel(ThresholdCaption(self, lambda: board.threshold))
        board.add_panel(AnalysisPanel(CaseAnalysis(self, sync_client_or_none(client))))
        return board

    def report(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        reviewer: str | None = None,
        exhibits: bool = True,
        **options: Any,
    ) -> Path:
        """Write the self-contained HTML report, signed; return its path.

        The report carries a custody appendix and a signed manifest (the chain head, every
        item's hash, result and verdict), so ``resemble-nb verify REPORT.html`` can check it
        offline; the case records that it was written.

        Args:
            path: Where to write it (default ``reports/<case name>.html`` in the folder).
            reviewer: Who signs it (default: ``RESEMBLE_NB_REVIEWER``, else the logged-in
                user).
            exhibits: Cut an exhibit around each flagged sound or video item's most
                suspicious moment (once; later reports reuse it) and show it.
            **options: Passed to :func:`resemble_nb.report.render_report`.
        """
        from ..report import render_report
        from ..report._analysis_view import for_report
        from ._custody import report_custody

        target = Path(path) if path is not None else self.reports / f"{_slug(self.name)}.html"
        options.setdefault("threshold", self.threshold)
        if "reliability" not in options:
            options["reliability"] = self._reliability(float(options["threshold"]))
        analysis, methods = for_report(self.ledger)
        options.setdefault("analysis", analysis)
        options.setdefault("analysis_methods", methods)
        results, segments = self.results(), self.segments()
        if self.ledger.read_only:  # nothing can be signed or recorded: say so in the report
            meta = dict(options.pop("case_meta", None) or {})
            meta["custody"] = "not signed or recorded: the case was read-only"
            return Path(
                render_report(
                    results,
                    segments,
                    self.decisions(),
                    path=target,
                    case_name=self.name,
                    case_meta=meta,
                    **options,
                )
            )
        custody = report_custody(
            self,
            results,
            segments,
            threshold=float(options["threshold"]),
            reviewer=reviewer,
            exhibits=exhibits,
        )
        result = Path(
            render_report(
                results,
                segments,
                self.decisions(),
                path=target,
                case_name=self.name,
                custody=custody.context,
                seal=custody.seal,
                **options,
            )
        )
        custody.record(result)
        return result


def _name_clash(folder: Path, stored: str, asked: str) -> CaseNameError:
    return CaseNameError(
        f"{folder}: this case is named {stored!r}, not {asked!r}; open it without name= "
        f"(rnb.Case({str(folder)!r})), or rename it on purpose with "
        f"rnb.Case({str(folder)!r}).rename({asked!r}) (a signed event in its chain)"
    )


def _who() -> str:
    """What is reviewing, in words another user recognises (for the case's lease)."""
    argv = sys.argv or [""]
    program = Path(argv[0]).name
    if program in ("resemble-nb", "cli.py", "__main__.py") and argv[1:2]:
        return f"resemble-nb {argv[1]}"
    if "ipykernel" in sys.modules:
        return "a Jupyter kernel"
    return f"python {program}" if program else "python"


def make_case_folder(path: Path) -> Path:
    """The case folder, made with ``uploads/`` and ``reports/`` where it can be written;
    an existing read-only case is left as it is (it opens read-only).

    Raises:
        CaseFolderError: ``path`` (or a parent) is a file, or the folder cannot be made.
    """
    for parent in [path, *path.parents]:
        if parent.exists() and not parent.is_dir():
            raise CaseFolderError(
                f"{path}: cannot be a case folder: {parent} is a file, not a folder"
            )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CaseFolderError(
            f"{path}: cannot create the case folder ({exc.strerror or exc}); choose a "
            "folder you may write to"
        ) from None
    folder = path.resolve()
    if os.access(folder, os.W_OK):
        for sub in (UPLOADS_FOLDER, REPORTS_FOLDER):
            try:
                (folder / sub).mkdir(exist_ok=True)
            except OSError as exc:
                raise CaseFolderError(
                    f"{folder / sub}: cannot create it ({exc.strerror or exc})"
                ) from None
    elif not (folder / CASE_DB).is_file():
        raise CaseFolderError(
            f"{folder}: cannot start a case here: the folder is read-only; choose a "
            "folder you may write to"
        )
    return folder


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return slug or "report"


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
