"""The ``resemble-nb`` command line.

Each subcommand is a thin shell over a layer of the package; no logic lives here::

    resemble-nb detect evidence/ --case cases/acme --intelligence
    resemble-nb results --case cases/acme --format csv -o acme.csv
    resemble-nb sandbox --port 8000
    resemble-nb demo
    resemble-nb doctor
    resemble-nb export-case postgresql://ana@db:5432/desk?case=acme -o acme/
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._detect import add_detect
from ._errors import guard, take_debug
from ._tables import add_tables

__all__ = ["main"]


def _build_parser() -> argparse.ArgumentParser:
    from resemble_nb.sandbox import cli as sandbox_cli

    parser = argparse.ArgumentParser(
        prog="resemble-nb",
        description="Review media for deepfakes with Resemble AI's Detect API.",
        epilog="Exit codes: 0 done (failures only of bad files), 1 unfinished, 2 usage or "
        "case error, 3 case busy, 4 nothing analysed because of the service or account, "
        "5 no media found, 70 a bug, 130 interrupted (Ctrl-C or SIGTERM). --debug (anywhere) "
        "shows tracebacks.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    add_detect(sub)
    add_tables(sub)

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

    from resemble_nb.cli._cases import add_commands as add_case_commands
    from resemble_nb.cli._custody import add_commands

    add_commands(sub)
    add_case_commands(sub)
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


def _matplotlib_config() -> None:
    """Where the home folder cannot hold matplotlib's settings (HOME unset or read-only),
    give it a temporary one, so its two-line warning does not come before our one line."""
    import os
    import tempfile
    from pathlib import Path

    if os.environ.get("MPLCONFIGDIR"):
        return
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join("~", ".config")
    folder = Path(base).expanduser() / "matplotlib"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        usable = os.access(folder, os.W_OK)
    except OSError:
        usable = False
    if not usable:
        os.environ["MPLCONFIGDIR"] = tempfile.mkdtemp(prefix="resemble-nb-matplotlib-")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``resemble-nb``."""
    _matplotlib_config()
    parser = _build_parser()
    arguments, debug = take_debug(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(arguments)
    return guard(args.command, lambda: int(args.handler(args) or 0), debug=debug)
