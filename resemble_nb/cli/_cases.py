"""``resemble-nb export-case`` and ``import-case``: a PostgreSQL case to and from a folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ._errors import EXIT_OK, EXIT_USAGE

__all__ = ["add_commands"]


def add_commands(sub: Any) -> None:
    """Register ``export-case`` and ``import-case`` on the CLI's subparsers."""
    export = sub.add_parser(
        "export-case",
        help="write a PostgreSQL case as an ordinary case folder (SQLite) that verifies",
        description="Copy a team's PostgreSQL case, row for row and with its chain and "
        "signatures as sealed, into a new case folder (for a bundle, a handover or an "
        "archive); `resemble-nb verify FOLDER` checks it offline.",
    )
    export.add_argument("url", metavar="URL", help="postgresql://USER@HOST:PORT/DB?case=NAME")
    export.add_argument("-o", "--output", required=True, metavar="FOLDER", help="a new folder")
    export.set_defaults(handler=_run_export)

    imp = sub.add_parser(
        "import-case",
        help="copy a case folder into a new PostgreSQL case",
        description="Copy a case folder's ledger, row for row and with its chain and "
        "signatures as sealed, into a new case on a PostgreSQL server the team shares.",
    )
    imp.add_argument("folder", metavar="FOLDER", help="the case folder")
    imp.add_argument(
        "-o", "--to", dest="url", required=True, metavar="URL",
        help="postgresql://USER@HOST:PORT/DB?case=NAME (a case that does not exist yet)",
    )  # fmt: skip
    imp.set_defaults(handler=_run_import)


def _run_export(args: argparse.Namespace) -> int:
    from resemble_nb.case import CASE_DB
    from resemble_nb.ledger.postgresql._transfer import export_case
    from resemble_nb.ledger.postgresql._url import parse_case_url

    shown = parse_case_url(args.url).display
    folder = Path(args.output)
    if folder.exists() and any(folder.iterdir()):
        print(f"resemble-nb export-case: {folder}: not empty; give a new folder", file=sys.stderr)
        return EXIT_USAGE
    events = export_case(args.url, folder / CASE_DB)
    print(f"exported {shown} to {folder} ({events} events); check it: resemble-nb verify {folder}")
    return EXIT_OK


def _run_import(args: argparse.Namespace) -> int:
    from resemble_nb.case import CASE_DB
    from resemble_nb.ledger.postgresql._transfer import import_case
    from resemble_nb.ledger.postgresql._url import parse_case_url

    shown = parse_case_url(args.url).display
    events = import_case(Path(args.folder) / CASE_DB, args.url)
    print(f"imported {args.folder} into {shown} ({events} events)")
    return EXIT_OK
