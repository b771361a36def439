"""Re-execute the bundled notebooks and write them back with clean, small outputs.

    .venv/bin/python scripts/refresh_notebooks.py               # all of notebooks/*.ipynb
    .venv/bin/python scripts/refresh_notebooks.py 01_quickstart  # one
    .venv/bin/python scripts/refresh_notebooks.py --keep-images  # keep plot PNGs

The notebooks always run against the embedded sandbox (RESEMBLE_API_KEY and
RESEMBLE_BASE_URL are removed from the kernel's environment), because nbval compares
the deterministic cells with these stored outputs. Widget state is never stored; plot
PNGs are dropped unless asked (nbval never compares them), so the files stay small.

What is stored must be right on any machine, or absent: outputs of unchecked cells that
only say which service this machine used, a widget's snapshot taken when it was first
shown (a board at "0/0"), or a figure's bare repr are dropped; paths of this machine
(the repository, the temporary folder, the home folder) are written as ``…``,
``$TMPDIR`` and ``~`` (tests/nbval_sanitize.cfg maps both spellings alike).
Before writing, every notebook is scanned for anything shaped like a key or a media
token; a hit stops the script.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat

from resemble_nb._core.secrets import JWT_BYTES as JWT_PATTERN
from resemble_nb._core.secrets import find_secrets
from resemble_nb.cli._nbexec import WIDGET_VIEW, execute_notebook, kernel_env, notebooks_folder

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


#: nbval's cell tag for "compare this cell's output" (a tag, not a comment a reader sees).
CHECKED = "nbval-check-output"


def checked(cell: Any) -> bool:
    return CHECKED in cell.get("metadata", {}).get("tags", [])


#: Outputs true only on the machine that ran the notebook (which service it used).
MACHINE_SAYS = (
    "RESEMBLE_API_KEY is not set",
    "using the local sandbox",
    "ReviewerFallbackWarning",  # names this machine's user
)
#: The text of a live widget's view, a snapshot from when it was first shown (its view
#: itself is dropped with the widget state, see resemble_nb.cli._nbexec).
LIVE_WIDGETS = ("JobBoard:",)
FIGURE_REPR = re.compile(r"^<(_NotebookFigure|Figure) size \d+x\d+ with \d+ Axes>$")


def _text(output: Any) -> str:
    text = output.get("text") if output.get("output_type") == "stream" else None
    if text is None:
        text = output.get("data", {}).get("text/plain", "")
    return "".join(text) if isinstance(text, list) else str(text)


def _stale(output: Any, *, keep_images: bool) -> bool:
    """True for an output that would be wrong, or meaningless, on another machine."""
    data = output.get("data", {})
    if WIDGET_VIEW in data:  # its text is a snapshot from when it was first shown
        return True
    text = _text(output).strip()
    if any(words in text for words in MACHINE_SAYS) or text.startswith(LIVE_WIDGETS):
        return True
    return not keep_images and not (set(data) - {"text/plain"}) and bool(FIGURE_REPR.match(text))


def machine_paths(repo: Path) -> list[tuple[str, str]]:
    """(path, how it is stored) for this machine's folders, longest first."""
    pairs = {
        str(repo.resolve()): "…",
        str(Path(tempfile.gettempdir()).resolve()): "$TMPDIR",
        tempfile.gettempdir(): "$TMPDIR",
        os.environ.get("TMPDIR", "").rstrip("/") or tempfile.gettempdir(): "$TMPDIR",
        str(Path.home()): "~",
    }
    return sorted(((p, r) for p, r in pairs.items() if len(p) > 1), key=lambda x: -len(x[0]))


def _unmachine(value: Any, paths: list[tuple[str, str]]) -> Any:
    if isinstance(value, list):
        return [_unmachine(v, paths) for v in value]
    if isinstance(value, str):
        for path, stored in paths:
            value = value.replace(path, stored)
    return value


def clean_outputs(nb: Any, paths: list[tuple[str, str]], *, keep_images: bool) -> int:
    """Drop stale outputs of unchecked cells and write this machine's paths portably;
    return how many outputs were dropped."""
    dropped = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = cell.get("outputs", [])
        if not checked(cell):
            kept = [o for o in outputs if not _stale(o, keep_images=keep_images)]
            dropped += len(outputs) - len(kept)
            outputs = kept
        for output in outputs:
            if "text" in output:
                output["text"] = _unmachine(output["text"], paths)
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/"):
                    output["data"][mime] = _unmachine(value, paths)
        cell["outputs"] = outputs
    return dropped


def refresh(path: Path, *, keep_images: bool) -> None:
    nb = execute_notebook(path, cwd=path.parent, env=kernel_env())
    removed = 0 if keep_images else strip_images(nb)
    stale = clean_outputs(nb, machine_paths(path.parents[1]), keep_images=keep_images)
    text = nbformat.writes(nb)
    if KEY_PATTERN.search(text) or JWT_PATTERN.search(text.encode()) or find_secrets(text):
        raise SystemExit(f"{path.name}: an output looks like a key or a media token; not written")
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    note = f", {removed} image(s) dropped" if removed else ""
    note += f", {stale} stale output(s) dropped" if stale else ""
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
