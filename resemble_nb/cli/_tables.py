"""``resemble-nb results`` and ``resemble-nb report``: a case's table and its report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    import pandas as pd

    from resemble_nb.case import Case

__all__ = ["FORMATS", "add_tables"]

FORMATS = ("csv", "parquet", "json")


def add_tables(sub: Any) -> None:
    """Register ``results`` and ``report`` on the CLI's subparsers."""
    results = sub.add_parser(
        "results",
        help="export a case's results table",
        description="Write the case's results (one row per item) as CSV, Parquet or JSON.",
    )
    results.add_argument(
        "--case",
        required=True,
        metavar="CASE",
        help="the case folder, or postgresql://USER@HOST:PORT/DB?case=NAME",
    )
    results.add_argument(
        "--format", choices=FORMATS, default=None, help="default: from -o FILE, else csv"
    )
    results.add_argument("-o", "--output", metavar="FILE", help="output file (default: stdout)")
    results.set_defaults(handler=_run_results)

    report = sub.add_parser(
        "report",
        help="write a case's self-contained HTML report",
        description="Write one self-contained HTML file (plots embedded, no external "
        "requests) with the case summary, every item, flagged items and the chain of custody.",
    )
    report.add_argument(
        "--case",
        required=True,
        metavar="CASE",
        help="the case folder, or postgresql://USER@HOST:PORT/DB?case=NAME",
    )
    report.add_argument(
        "-o", "--output", metavar="FILE", help="default: reports/<case name>.html in the case"
    )
    report.add_argument(
        "--threshold", type=float, help="flag items scoring at least this (default 0.5)"
    )
    report.set_defaults(handler=_run_report)


def _format(fmt: str | None, output: str | None) -> str:
    """The export format: ``--format``, else the output file's suffix, else CSV."""
    suffix = Path(output).suffix.lower().lstrip(".") if output else ""
    if fmt is None:
        return suffix if suffix in FORMATS else "csv"
    if output is not None and suffix != fmt:
        raise ValueError(f"{output}: --format {fmt} needs a file name ending in .{fmt}")
    return fmt


def _export(frame: pd.DataFrame, fmt: str, output: str | None) -> None:
    """Write with :func:`resemble_nb.report.export_results`, the same file the notebook
    API writes (spreadsheet-safe CSV, ISO times in JSON); to stdout via a temp file."""
    import tempfile

    from resemble_nb.report import export_results

    if output is not None:
        export_results(frame, Path(output))
        return
    if fmt == "parquet":
        raise ValueError("Parquet is binary: give an output file with -o FILE")
    with tempfile.TemporaryDirectory(prefix="resemble-nb-") as folder:
        temp = Path(folder) / f"results.{fmt}"
        export_results(frame, temp)
        text = temp.read_text(encoding="utf-8")
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _open_case(command: str, folder: Path | str) -> Case | None:
    """The case in ``folder`` (or at a PostgreSQL case URL), or ``None`` after saying why
    there is none."""
    from resemble_nb.case import CASE_DB, Case
    from resemble_nb.ledger.postgresql import is_case_url

    if is_case_url(folder):
        return Case(folder)
    folder = Path(folder)
    if folder.is_file():
        print(f"resemble-nb {command}: {folder}: is a file; a case is a folder", file=sys.stderr)
        return None
    if not (folder / CASE_DB).exists():
        print(f"resemble-nb {command}: {folder}: no case here (no {CASE_DB})", file=sys.stderr)
        return None
    return Case(folder)


def _run_report(args: argparse.Namespace) -> int:
    case = _open_case("report", args.case)
    if case is None:
        return EXIT_USAGE
    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        print("resemble-nb report: --threshold must be between 0 and 1", file=sys.stderr)
        return EXIT_USAGE
    chosen = {} if args.threshold is None else {"threshold": args.threshold}
    if args.output is not None and Path(args.output).is_dir():
        print(
            f"resemble-nb report: {args.output}: is a folder; give a file name, e.g. "
            f"{Path(args.output) / 'report.html'}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.output is not None:
        from resemble_nb._core.output import UnsafeOutputError, check_output

        try:  # a device, FIFO, socket or symlink: refused before any work, in one line
            check_output(args.output)
        except UnsafeOutputError as exc:
            print(f"resemble-nb report: {exc}", file=sys.stderr)
            case.close()
            return EXIT_USAGE
    try:
        path = case.report(args.output, **chosen)
    except (ValueError, OSError) as exc:
        print(f"resemble-nb report: {_report_failure(exc, args.output)}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        case.close()
    print(f"wrote the report of {args.case} to {path}")
    return EXIT_OK


def _report_failure(exc: Exception, output: str | None) -> str:
    """One line for a report that could not be written; where the case's own folder
    refused it, the way out is another place (``-o``)."""
    import errno

    from ._errors import one_line

    text = one_line(exc)
    refused = (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC)
    if isinstance(exc, OSError) and exc.errno in refused and output is None:
        text += "; write the report elsewhere with -o FILE"
    return text


def _run_results(args: argparse.Namespace) -> int:
    case = _open_case("results", args.case)
    if case is None:
        return EXIT_USAGE
    try:
        _export(case.results(), _format(args.format, args.output), args.output)
    except (ValueError, ImportError, OSError) as exc:
        print(f"resemble-nb results: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.output:
        print(f"wrote the results of {args.case} to {args.output}", file=sys.stderr)
    return EXIT_OK
