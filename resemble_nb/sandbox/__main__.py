"""``python -m resemble_nb.sandbox``: the same as ``resemble-nb sandbox``."""

from __future__ import annotations

import argparse
import sys

from .cli import add_arguments, run


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m resemble_nb.sandbox",
        description="Serve a local server that speaks the Resemble Detect API v2 contract.",
    )
    add_arguments(parser)
    try:
        return run(parser.parse_args())
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
