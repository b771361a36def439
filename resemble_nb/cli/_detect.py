"""``resemble-nb detect``: analyse files and folders into a case, with a progress bar,
a counted summary and the exit codes of :mod:`resemble_nb.cli._errors`."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import (
    EXIT_BUSY,
    EXIT_INTERRUPTED,
    EXIT_NO_MEDIA,
    EXIT_OK,
    EXIT_SERVICE,
    EXIT_UNFINISHED,
    EXIT_USAGE,
    run_summary,
    service_failure,
)

if TYPE_CHECKING:
    from resemble_nb.engine import Run

__all__ = ["add_detect"]


def add_detect(sub: Any) -> None:
    """Register ``detect`` on the CLI's subparsers."""
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
    detect.add_argument(
        "--case",
        required=True,
        metavar="CASE",
        help="the case folder, or postgresql://USER@HOST:PORT/DB?case=NAME",
    )
    detect.add_argument("--strategy", choices=("auto", "batch", "single"), default="auto")
    detect.add_argument(
        "--intelligence", action="store_true", help="also ask for an intelligence report"
    )
    detect.add_argument("--base-url", metavar="URL", help="API base URL (default: Resemble's)")
    detect.add_argument(
        "--sandbox", action="store_true", help="use an embedded local sandbox (synthetic scores)"
    )
    detect.add_argument("--force", action="store_true", help="analyse done items again")
    detect.add_argument(
        "--dry-run",
        action="store_true",
        help="say what would be sent (items done, new detects, analyses added, requests by "
        "endpoint) and send nothing; needs no API key",
    )
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

    def show() -> None:
        if bar is not None:
            progress = run.progress
            bar.total = progress.total
            bar.n = progress.finished
            bar.set_postfix_str(_counts_text(progress.counts), refresh=False)
            bar.refresh()

    try:
        while not run.done:
            wake.wait(0.5)
            wake.clear()
            show()
        run.wait()
        show()
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


@contextlib.contextmanager
def _terminate_as_interrupt(stopped_by: list[str]) -> Iterator[None]:
    """SIGTERM (a service manager, ``kill``, a closed CI job) stops the review the way
    Ctrl-C does: cancelled, counted, resumable; ``stopped_by[0]`` says which it was. A
    second SIGTERM, once cancelling has begun, stops at once."""

    def on_term(signum: int, frame: object) -> None:
        stopped_by[0] = "Stopped by SIGTERM"
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _dry_run(args: argparse.Namespace, options: dict[str, Any]) -> int:
    """Print the plan of ``detect`` with these arguments; send and write nothing (a case
    folder that does not exist yet is not made)."""
    import tempfile

    from resemble_nb.case import Case
    from resemble_nb.ledger import LEDGER_FILENAME

    def plan_in(folder: str | Path) -> Any:
        with Case(folder) as case:
            return case.plan(
                args.paths, strategy=args.strategy, force=args.force, include=args.include,
                **options,
            )  # fmt: skip

    if (Path(args.case) / LEDGER_FILENAME).is_file():
        plan = plan_in(args.case)
    else:
        with tempfile.TemporaryDirectory(prefix="rnb-plan-") as scratch:
            plan = plan_in(Path(scratch) / "case")
    print(f"dry run (nothing sent): {plan}")
    for endpoint, n in sorted(plan.endpoints.items()):
        print(f"  {endpoint}: {n}")
    return EXIT_OK


def _run_detect(args: argparse.Namespace) -> int:
    from resemble_nb.case import Case
    from resemble_nb.ledger import CaseBusyError

    try:
        options = _options(args)
        _check_options(options, args.strategy)
        if args.dry_run:
            return _dry_run(args, options)
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
    stopped_by = ["Interrupted"]
    if not args.no_progress:
        plan = run.wait_for_plan()
        if plan is not None:
            print(f"plan: {plan}", file=sys.stderr)
    try:
        with _terminate_as_interrupt(stopped_by):
            _follow(run, show_bar=not args.no_progress)
    except KeyboardInterrupt:
        print(
            f"\n{stopped_by[0]}: cancelling, items not finished end as cancelled "
            "(run the same command again to resume)...",
            file=sys.stderr,
        )
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
