"""``resemble-nb verify`` and ``resemble-nb bundle``: the custody commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ._errors import EXIT_OK, EXIT_USAGE

__all__ = ["add_commands"]

EXIT_FAILED = 1
"""Verify found something that does not hold."""


def add_commands(sub: Any) -> None:
    """Register ``verify`` and ``bundle`` on the CLI's subparsers."""
    verify = sub.add_parser(
        "verify",
        help="check a case, a report or a handover bundle (offline)",
        description="Walk the custody chain, check every signature, every stored result and "
        "decision against it and re-hash the media still present (a case folder); check a "
        "report against the signed manifest inside it (REPORT.html, with --case also against "
        "the case); or check a handover bundle (.zip). Exit 0 only when everything holds.",
    )
    verify.add_argument("target", metavar="CASE|REPORT.html|BUNDLE.zip")
    verify.add_argument("--case", metavar="DIR", help="for a report: the case it came from")
    verify.add_argument(
        "--trust",
        action="append",
        metavar="FINGERPRINT",
        help="a signer's fingerprint (or its start) you trust; repeat for several",
    )
    verify.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="FILE",
        help="checkpoints seen elsewhere (a witness log, a report or a bundle): a case behind "
        "or diverging from one was rolled back, truncated or rewritten; repeat for several "
        "(this machine's own witness log is always read)",
    )
    verify.set_defaults(handler=_run_verify)

    bundle = sub.add_parser(
        "bundle",
        help="write a case's handover bundle (report, ledger, exhibits, public keys)",
        description="Write one zip a recipient can verify offline with `resemble-nb verify`: "
        "the signed report, a snapshot of the ledger, the exhibits, the signers' public keys "
        "and a signed manifest. It never holds an API key, a media token or a private key.",
    )
    bundle.add_argument("case", metavar="CASE", help="the case folder")
    bundle.add_argument("-o", "--output", required=True, metavar="FILE.zip")
    bundle.add_argument(
        "--reviewer",
        help="who signs it (default: RESEMBLE_NB_REVIEWER, else the name confirmed on the "
        "triage board, else your user name, with a warning)",
    )
    bundle.set_defaults(handler=_run_bundle)


def _run_verify(args: argparse.Namespace) -> int:
    from resemble_nb.custody import verify

    result = verify(args.target, case=args.case, trust=args.trust, witness=args.witness)
    print(result)
    return EXIT_OK if result.ok else EXIT_FAILED


def _run_bundle(args: argparse.Namespace) -> int:
    from resemble_nb._core.errors import ResembleError
    from resemble_nb.case import CASE_DB, Case

    folder = Path(args.case)
    if not (folder / CASE_DB).is_file():
        print(f"resemble-nb bundle: {folder}: no case here (no {CASE_DB})", file=sys.stderr)
        return EXIT_USAGE
    try:
        with Case(folder) as case:
            path = case.bundle(args.output, reviewer=args.reviewer)
    except (ResembleError, OSError) as exc:
        from ._errors import one_line

        print(f"resemble-nb bundle: {one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote the handover bundle of {folder} to {path}")
    return EXIT_OK
