"""Re-execute the bundled notebooks and write them back with clean, small outputs.

    .venv/bin/python scripts/refresh_notebooks.py               # all of notebooks/*.ipynb
    .venv/bin/python scripts/refresh_notebooks.py 01_quickstart  # one
    .venv/bin/python scripts/refresh_notebooks.py --keep-images  # keep plot PNGs

The notebooks always run against the embedded sandbox (RESEMBLE_API_KEY and
RESEMBLE_BASE_URL are removed from the kernel's environment), because nbval compares
the deterministic cells with these stored outputs. Widget state is never stored; plot
PNGs are dropped unless asked (nbval never compares them), so the files stay small.
Before writing, every notebook is scanned for anything shaped like a key or a media
token; a hit stops the script.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import nbformat

from resemble_nb._nbexec import JWT_PATTERN, execute_notebook, kernel_env, notebooks_folder

#: The embedded sandbox's random keys, and Resemble-looking bearer keys.
KEY_PATTERN = re.compile(r"sandbox_[0-9a-f]{32}|Bearer\s+[A-Za-z0-9_-]{16,}")
DROPPED_IMAGES = ("image/png", "image/jpeg", "image/svg+xml")


def strip_images(nb: Any) -> int:
    """Remove image data from outputs (the text/plain form stays); return how many."""
    removed = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for mime in DROPPED_IMAGES:
                if mime in data:
                    del data[mime]
                    removed += 1
    return removed


def refresh(path: Path, *, keep_images: bool) -> None:
    nb = execute_notebook(path, cwd=path.parent, env=kernel_env())
    removed = 0 if keep_images else strip_images(nb)
    text = nbformat.writes(nb)
    if KEY_PATTERN.search(text) or JWT_PATTERN.search(text.encode()):
        raise SystemExit(f"{path.name}: an output looks like a key or a media token; not written")
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    note = f", {removed} image(s) dropped" if removed else ""
    print(f"{path.name}: {len(text.encode()) / 1024:.0f} kB{note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebook names (default: all)")
    parser.add_argument("--keep-images", action="store_true", help="keep plot PNGs")
    args = parser.parse_args(argv)
    folder = notebooks_folder()
    paths = sorted(folder.glob("*.ipynb"))
    if args.names:
        wanted = {n.removesuffix(".ipynb") for n in args.names}
        paths = [p for p in paths if p.stem in wanted]
        missing = wanted - {p.stem for p in paths}
        if missing:
            print(f"no such notebook in {folder}: {', '.join(sorted(missing))}", file=sys.stderr)
            return 2
    for path in paths:
        refresh(path, keep_images=args.keep_images)
    return 0


if __name__ == "__main__":
    sys.exit(main())
