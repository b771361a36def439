"""The ``resemble-nb`` command line.

Each subcommand is a thin shell over a layer of the package; no logic lives here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _build_parser() -> argparse.ArgumentParser:
    from resemble_nb.sandbox import cli as sandbox_cli

    parser = argparse.ArgumentParser(
        prog="resemble-nb",
        description="Review media for deepfakes with Resemble AI's Detect API.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sandbox = sub.add_parser(
        "sandbox",
        help="serve the local Resemble-compatible sandbox API",
        description="Serve a local server that speaks the Resemble Detect API v2 contract.",
    )
    sandbox_cli.add_arguments(sandbox)
    sandbox.set_defaults(handler=sandbox_cli.run)

    demo = sub.add_parser("demo", help="run the demo on the sandbox and the bundled sample media")
    demo.add_argument("--out", default="build", help="folder for the demo's outputs")
    demo.set_defaults(handler=_run_demo)
    return parser


def _run_demo(args: argparse.Namespace) -> int:
    from resemble_nb._demo import run_demo

    return run_demo(out=args.out)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``resemble-nb``."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
