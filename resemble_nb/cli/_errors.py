"""The command line's error boundary, exit codes and run outcomes.

Every known error becomes one line on stderr that names the file (or the service) and the
reason; a traceback is printed only with ``--debug`` (or ``RESEMBLE_NB_DEBUG=1``)::

    resemble-nb detect: /cases/acme/case.db: not a readable case ledger (file is not a
    database). The file was left untouched; restore it from a backup, or move it aside...

Exit codes (also in the README):

====  ======================================================================================
0     every file reached a final state; any failures are of the files themselves
1     the review did not finish (stopped early, or items left unfinished)
2     usage error, or a case that cannot be opened or written (the line says which and why)
3     another process is reviewing the case (``detect``; ``--wait-for-case`` waits)
4     nothing could be analysed because of the service or the account (key, network, 5xx...)
5     no media found: the paths (and ``--include``) matched no file
70    an unexpected error (a bug): one line, the traceback with ``--debug``
130   interrupted (Ctrl-C, or SIGTERM: the same)
====  ======================================================================================
"""

from __future__ import annotations

import os
import sqlite3
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .._core.visible import escape_name

if TYPE_CHECKING:
    from ..engine import ItemStatus, Run

__all__ = [
    "EXIT_BUG",
    "EXIT_BUSY",
    "EXIT_INTERRUPTED",
    "EXIT_NO_MEDIA",
    "EXIT_OK",
    "EXIT_SERVICE",
    "EXIT_UNFINISHED",
    "EXIT_USAGE",
    "guard",
    "known_error",
    "one_line",
    "problem_lines",
    "run_summary",
    "service_failure",
    "take_debug",
]

EXIT_OK = 0
EXIT_UNFINISHED = 1
EXIT_USAGE = 2
EXIT_BUSY = 3
"""Another process is reviewing the case (``detect``)."""
EXIT_SERVICE = 4
EXIT_NO_MEDIA = 5
EXIT_BUG = 70
EXIT_INTERRUPTED = 130

MAX_PROBLEM_LINES = 20
"""Problem lines listed one by one in a summary; the rest are counted by reason."""

DEBUG_ENV = "RESEMBLE_NB_DEBUG"


def take_debug(argv: Sequence[str]) -> tuple[list[str], bool]:
    """``argv`` without ``--debug`` (accepted anywhere before ``--``), and whether it was
    there (or ``RESEMBLE_NB_DEBUG=1`` is set)."""
    args = list(argv)
    end = args.index("--") if "--" in args else len(args)
    debug = "--debug" in args[:end]
    if debug:
        args = [a for a in args[:end] if a != "--debug"] + args[end:]
    return args, debug or os.environ.get(DEBUG_ENV, "") not in ("", "0")


def known_error(exc: BaseException) -> bool:
    """Whether ``exc`` is an error the user can act on (not a bug in resemble_nb)."""
    from ..api import ResembleError
    from ..ledger import LedgerError
    from ..report import UnsafeReportError

    return isinstance(
        exc,
        (
            ResembleError,
            LedgerError,
            UnsafeReportError,
            OSError,
            sqlite3.Error,
            ValueError,
            TypeError,
            ImportError,
            UnicodeError,
        ),
    )


def one_line(exc: BaseException) -> str:
    """The error as one line naming the file and the reason (no secrets: error texts of
    the client and the ledger never carry the key or a token)."""
    if isinstance(exc, OSError) and not _has_own_text(exc):
        where = exc.filename if exc.filename is not None else ""
        reason = exc.strerror or type(exc).__name__
        hint = _os_hint(exc)
        text = f"{escape_name(os.fsdecode(where))}: {reason}" if where else reason
        return text + (f" ({hint})" if hint else "")
    if isinstance(exc, sqlite3.Error):
        return f"the case ledger failed ({exc}); the file was left as it was"
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, UnicodeError) and not text.startswith("/"):
        text = f"{type(exc).__name__}: {text}"
    return text


def _has_own_text(exc: OSError) -> bool:
    """An OSError raised with a sentence of ours (not errno, strerror, filename)."""
    return exc.errno is None and exc.strerror is None and bool(str(exc))


def _os_hint(exc: OSError) -> str:
    import errno

    return {
        errno.ENOSPC: "the disk is full: free some space and run again",
        errno.EACCES: "you may not read or write it",
        errno.EPERM: "you may not read or write it",
        errno.EROFS: "the disk is read-only",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EISDIR: "it is a folder; give a file name",
        errno.ENAMETOOLONG: "the name is too long",
    }.get(exc.errno or 0, "")


def _one_line_warnings(command: str) -> Callable[..., None]:
    """``warnings.showwarning`` for the command line: ``resemble-nb CMD: note: ...``, one
    line, without Python's file name and source line."""

    def show(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
        text = " ".join(str(message).split())
        print(f"resemble-nb {command}: note: {text}", file=sys.stderr)

    return show


def guard(command: str, handler: Callable[[], int], *, debug: bool) -> int:
    """Run a subcommand; turn any error into one line and an exit code (and a warning into
    one ``note:`` line)."""
    import warnings

    try:
        with warnings.catch_warnings():
            if not debug:
                warnings.showwarning = _one_line_warnings(command)
            return handler()
    except KeyboardInterrupt:
        print(f"\nresemble-nb {command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        known = known_error(exc)
        if debug:
            traceback.print_exc(file=sys.stderr)
        if known:
            print(f"resemble-nb {command}: {one_line(exc)}", file=sys.stderr)
            return EXIT_USAGE
        print(
            f"resemble-nb {command}: unexpected error ({type(exc).__name__}: "
            f"{' '.join(str(exc).split())}); this is a bug in resemble_nb: run again with "
            "--debug for the traceback and report it",
            file=sys.stderr,
        )
        return EXIT_BUG


# -- run outcomes -----------------------------------------------------------------------------

_LOCAL_FAILURES = (
    "(not sent for analysis)",
    "the file disappeared",
    "cannot be read",
)
_FILE_REFUSALS = ("HTTP 400", "HTTP 413", "HTTP 415", "HTTP 422")


def _file_problem(item: ItemStatus) -> bool:
    """Whether an item ended badly because of the file itself, not the service."""
    if item.state == "skipped":
        return True
    error = item.error or ""
    return any(mark in error for mark in (*_LOCAL_FAILURES, *_FILE_REFUSALS))


def service_failure(run: Run) -> str | None:
    """Why nothing could be analysed, when the service or account is to blame, else None.

    That is: no item completed, and items that reached the service (or tried to) failed
    or were left unfinished for reasons that are not their own (a refused key, a network
    or server failure, rate limits, an answer that is not the API's).
    """
    items = run.items()
    if any(item.state == "completed" for item in items):
        return None
    blamed = [
        item for item in items if item.state in ("failed", "cancelled") and not _file_problem(item)
    ]
    if not blamed or run.cancelled:
        return None
    first = blamed[0].error or "no reason recorded"
    name = blamed[0].name
    if first.startswith(f"{name}: "):
        first = first[len(name) + 2 :]
    return (
        f"nothing could be analysed: the service or the account failed for all "
        f"{len(blamed)} file{'' if len(blamed) == 1 else 's'} it was asked about "
        f"({escape_name(first)})"
    )


def problem_lines(items: Iterable[ItemStatus], limit: int = MAX_PROBLEM_LINES) -> list[str]:
    """One line per failed, skipped or cancelled item, up to ``limit``; the rest counted
    by state and reason (a cancelled run of 5,000 files prints a few lines, not 5,000)."""
    from ..ledger import PROBLEM_STATES

    problems = sorted(
        (i for i in items if i.state in PROBLEM_STATES),
        key=lambda i: (i.state, i.name),
    )
    lines = [
        f"  {i.state:9} {escape_name(i.name)}: {escape_name(i.error or 'no reason recorded')}"
        for i in problems[:limit]
    ]
    rest = problems[limit:]
    if rest:
        groups = Counter((i.state, _reason_kind(i)) for i in rest)
        lines.append(f"  ... and {len(rest):,} more:")
        for (state, kind), n in groups.most_common(5):
            lines.append(f"  {state:9} {n:,} file{'' if n == 1 else 's'}: {escape_name(kind)}")
        if len(groups) > 5:
            others = sum(n for _, n in groups.most_common()[5:])
            lines.append(f"  {'':9} {others:,} more with other reasons")
        lines.append("  (every row, with its reason: resemble-nb results --case ...)")
    return lines


def _reason_kind(item: ItemStatus) -> str:
    """The reason without the file's own name, so like reasons group together."""
    error = item.error or "no reason recorded"
    for prefix in (f"{item.name}: ", f"{item.key}: "):
        if error.startswith(prefix):
            return error[len(prefix) :]
    if ": " in error and error.split(": ", 1)[0].endswith(item.name):
        return error.split(": ", 1)[1]
    return error


def run_summary(run: Run, case_folder: Any) -> list[str]:
    """The lines after a review: counts, the problems, where the results are."""
    progress = run.progress
    lines = [f"{progress.describe()} in {run.elapsed:.1f} s"]
    counts = ", ".join(f"{state}: {n}" for state, n in sorted(progress.counts.items()) if n)
    if counts:
        lines.append(f"  {counts}")
    lines.extend(problem_lines(run.items()))
    replaced = run.replaced_files
    for path, before, now in replaced[:MAX_PROBLEM_LINES]:
        lines.append(
            f"{escape_name(path)}: the file changed since an earlier review: it was item "
            f"{before[:16]}… and is now item {now[:16]}…; both are kept (name either by "
            "its sha256 in decide(); verify says which item the file now is)"
        )
    if len(replaced) > MAX_PROBLEM_LINES:
        lines.append(f"... and {len(replaced) - MAX_PROBLEM_LINES:,} more files changed so")
    changed = int(run.stats().get("changed_files", 0))
    if changed:
        lines.append(
            f"{changed} file{'' if changed == 1 else 's'} changed after inspection: what was "
            "sent is recorded as new items (see above)."
        )
    completed = progress.counts.get("completed", 0)
    if run.source == "sandbox" and completed:
        lines.append("Results came from the local sandbox: the scores are synthetic.")
    lines.append(f"Results: resemble-nb results --case {escape_name(str(case_folder))}")
    return lines
