"""The ``resemble-nb`` command line.

Each subcommand is a thin shell over a layer of the package; no logic lives here::

    resemble-nb detect evidence/ --case cases/acme --intelligence
    resemble-nb results --case cases/acme --format csv -o acme.csv
    resemble-nb sandbox --port 8000
    resemble-nb demo
    resemble-nb doctor
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from resemble_nb.case import Case
    from resemble_nb.engine import Run

__all__ = ["main"]

from ._errors import (
    EXIT_BUSY,
    EXIT_INTERRUPTED,
    EXIT_NO_MEDIA,
    EXIT_OK,
    EXIT_SERVICE,
    EXIT_UNFINISHED,
    EXIT_USAGE,
    guard,
    run_summary,
    service_failure,
    take_debug,
)

FORMATS = ("csv", "parquet", "json")


def _build_parser() -> argparse.ArgumentParser:
    from resemble_nb.sandbox import cli as sandbox_cli

    parser = argparse.ArgumentParser(
        prog="resemble-nb",
        description="Review media for deepfakes with Resemble AI's Detect API.",
        epilog="Exit codes: 0 done (failures only of bad files), 1 unfinished, 2 usage or "
        "case error, 3 case busy, 4 nothing analysed because of the service or account, "
        "5 no media found, 70 a bug, 130 interrupted. --debug (anywhere) shows tracebacks.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    detect = sub.add_parser(
        "detect",
        help="analyse files and folders into a case (resumable; nothing is sent twice)",
        description=(
            "Analyse media files and folders into a case folder. Runs until every file "
            "is completed, failed, skipped or cancelled; run it again to resume. The API "
            "key is read from RESEMBLE_API_KEY."
        ),
    )
    detect.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to analyse")
    detect.add_argument("--case", required=True, metavar="DIR", help="the case folder")
    detect.add_argument("--strategy", choices=("auto", "batch", "single"), default="auto")
    detect.add_argument(
        "--intelligence", action="store_true", help="also ask for an intelligence report"
    )
    detect.add_argument("--base-url", metavar="URL", help="API base URL (default: Resemble's)")
    detect.add_argument(
        "--sandbox", action="store_true", help="use an embedded local sandbox (synthetic scores)"
    )
    detect.add_argument("--force", action="store_true", help="analyse done items again")
    detect.add_argument("--include", metavar="GLOB", help="only files matching, e.g. '*.wav'")
    detect.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a detect option, e.g. --option frame_length=4 (repeatable)",
    )
    detect.add_argument("--rate-limit", type=_rate, default=None, metavar="N", help="requests/s")
    detect.add_argument("--no-progress", action="store_true", help="no progress bar")
    detect.add_argument(
        "--wait-for-case",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="if another process is reviewing this case, wait this long for it (default: "
        "give up at once, saying who holds it)",
    )
    detect.set_defaults(handler=_run_detect)

    results = sub.add_parser(
        "results",
        help="export a case's results table",
        description="Write the case's results (one row per item) as CSV, Parquet or JSON.",
    )
    results.add_argument("--case", required=True, metavar="DIR", help="the case folder")
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
    report.add_argument("--case", required=True, metavar="DIR", help="the case folder")
    report.add_argument(
        "-o", "--output", metavar="FILE", help="default: reports/<case name>.html in the case"
    )
    report.add_argument(
        "--threshold", type=float, help="flag items scoring at least this (default 0.5)"
    )
    report.set_defaults(handler=_run_report)

    sandbox = sub.add_parser(
        "sandbox",
        help="serve the local Resemble-compatible sandbox API",
        description="Serve a local server that speaks the Resemble Detect API v2 contract.",
    )
    sandbox_cli.add_arguments(sandbox)
    sandbox.set_defaults(handler=sandbox_cli.run)

    doctor = sub.add_parser(
        "doctor",
        help="check the key, the service, the clock and the list (reads only)",
        description="Check the API key, the service (TLS, base URL), the clock, the list's "
        "page shape and order, rate-limit headers and whether this is the sandbox; sends "
        "only reads. Exits 1 on a problem.",
    )
    _doctor_arguments(doctor)
    doctor.set_defaults(handler=_run_doctor)

    demo = sub.add_parser("demo", help="run the demo on the sandbox and the bundled sample media")
    demo.add_argument("--out", default="build", help="folder for the demo's outputs")
    demo.set_defaults(handler=_run_demo)

    from resemble_nb.cli._custody import add_commands

    add_commands(sub)
    return parser


def _doctor_arguments(parser: argparse.ArgumentParser) -> None:
    from resemble_nb.cli._doctor import add_arguments

    add_arguments(parser)


def _run_doctor(args: argparse.Namespace) -> int:
    from resemble_nb.cli._doctor import run

    return run(args)


def _run_demo(args: argparse.Namespace) -> int:
    from resemble_nb.cli._demo import run_demo

    return run_demo(out=args.out)


# -- detect ---------------------------------------------------------------------------------


def _rate(text: str) -> float:
    """``--rate-limit``: a finite number of requests per second above 0."""
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a number of requests per second above 0, e.g. 5"
        )
    return value


def _option_value(text: str) -> Any:
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for entry in args.option:
        name, eq, value = entry.partition("=")
        if not eq or not name.strip():
            raise ValueError(f"--option {entry!r}: write it as NAME=VALUE")
        options[name.strip()] = _option_value(value)
    if args.intelligence:
        options["intelligence"] = True
    return options


def _client(args: argparse.Namespace) -> Any:
    from resemble_nb.case._connect import connect

    if args.sandbox:
        if args.base_url:
            raise ValueError("--sandbox starts its own local server: leave out --base-url")
        return connect(sandbox=True)
    if not (os.environ.get("RESEMBLE_API_KEY") or "").strip():
        raise ValueError(
            "RESEMBLE_API_KEY is not set. Export your API key, or pass --sandbox to try "
            "the local sandbox (synthetic scores)."
        )
    return connect(base_url=args.base_url)


def _follow(run: Run, show_bar: bool) -> None:
    """Wait for the run, with a progress bar fed by its events."""
    wake = threading.Event()
    unsubscribe = run.subscribe(lambda event: wake.set())
    bar: Any = None
    if show_bar:
        from tqdm import tqdm

        bar = tqdm(total=0, unit="item", desc="review", dynamic_ncols=True, file=sys.stderr)
    try:
        while not run.done:
            wake.wait(0.5)
            wake.clear()
            if bar is not None:
                progress = run.progress
                bar.total = progress.total
                bar.n = progress.finished
                bar.set_postfix_str(_counts_text(progress.counts), refresh=False)
                bar.refresh()
        run.wait()
        if bar is not None:
            progress = run.progress
            bar.total = progress.total
            bar.n = progress.finished
            bar.set_postfix_str(_counts_text(progress.counts), refresh=False)
            bar.refresh()
    finally:
        unsubscribe()
        if bar is not None:
            bar.close()


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{state} {n}" for state, n in counts.items() if n)


def _summary(run: Run, case_folder: Path) -> str:
    return "\n".join(run_summary(run, case_folder))


def _check_options(options: dict[str, Any], strategy: str) -> None:
    """Refuse bad options before anything is created (a usage error leaves no case)."""
    from resemble_nb.api import DetectOptions
    from resemble_nb.media import check_strategy

    check_strategy(strategy, DetectOptions.build(options).analysis())


def _run_detect(args: argparse.Namespace) -> int:
    from resemble_nb.case import Case
    from resemble_nb.ledger import CaseBusyError

    try:
        options = _options(args)
        _check_options(options, args.strategy)
        client = _client(args)
        case = Case(args.case)
        run = case.review(
            args.paths,
            client=client,
            strategy=args.strategy,
            force=args.force,
            display=False,
            include=args.include,
            rate_limit=args.rate_limit,
            wait_for_case=args.wait_for_case,
            **options,
        )
    except (ValueError, TypeError) as exc:
        print(f"resemble-nb detect: {' '.join(str(exc).split())}", file=sys.stderr)
        return EXIT_USAGE
    except CaseBusyError as exc:
        print(f"resemble-nb detect: {exc}", file=sys.stderr)
        return EXIT_BUSY
    try:
        _follow(run, show_bar=not args.no_progress)
    except KeyboardInterrupt:
        print("\nCancelling: items not finished end as cancelled...", file=sys.stderr)
        run.cancel()
        run.wait()
        print(_summary(run, case.folder), file=sys.stderr)
        return EXIT_INTERRUPTED
    items = run.items()
    if run.error is None and all(item.state == "skipped" for item in items):
        what = f" matching --include {args.include!r}" if args.include else ""
        found = f" ({len(items)} skipped: see below)" if items else ""
        print(
            f"resemble-nb detect: no media found: no media file{what} in "
            + ", ".join(map(str, args.paths))
            + found,
            file=sys.stderr,
        )
        if items:
            print(_summary(run, case.folder))
        return EXIT_NO_MEDIA
    failure = service_failure(run) if run.error is None else None
    if failure is not None:
        print(f"resemble-nb detect: {failure}", file=sys.stderr)
    print(_summary(run, case.folder))
    if failure is not None:
        return EXIT_SERVICE
    if run.error is not None:
        print(f"resemble-nb detect: the review stopped early: {run.error}", file=sys.stderr)
        return EXIT_UNFINISHED
    unfinished = run.progress.in_flight
    if unfinished:
        print(f"resemble-nb detect: {unfinished} items did not finish", file=sys.stderr)
        return EXIT_UNFINISHED
    return EXIT_OK


# -- results --------------------------------------------------------------------------------


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


def _open_case(command: str, folder: Path) -> Case | None:
    """The case in ``folder``, or ``None`` after saying why there is none."""
    from resemble_nb.case import CASE_DB, Case

    if folder.is_file():
        print(f"resemble-nb {command}: {folder}: is a file; a case is a folder", file=sys.stderr)
        return None
    if not (folder / CASE_DB).exists():
        print(f"resemble-nb {command}: {folder}: no case here (no {CASE_DB})", file=sys.stderr)
        return None
    return Case(folder)


def _run_report(args: argparse.Namespace) -> int:
    case = _open_case("report", Path(args.case))
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
    try:
        path = case.report(args.output, **chosen)
    except (ValueError, OSError) as exc:
        print(f"resemble-nb report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        case.close()
    print(f"wrote the report of {args.case} to {path}")
    return EXIT_OK


def _run_results(args: argparse.Namespace) -> int:
    case = _open_case("results", Path(args.case))
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``resemble-nb``."""
    parser = _build_parser()
    arguments, debug = take_debug(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(arguments)
    return guard(args.command, lambda: int(args.handler(args) or 0), debug=debug)
