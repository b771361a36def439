"""What the triage board remembers in the case: filters, sort, position, reviewer.

A small JSON file (``<case>/.cache/triage.json``) written atomically at every move, so a
kernel restart (or a new ``case.triage()``) opens the board where it was left. The
reviewer's confirmed name is kept per account of this machine: asked once per case.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from ..ledger import default_reviewer as os_user  # the account running the kernel

__all__ = ["REVIEWER_ENV", "STATE_FILE", "default_reviewer", "load_state", "os_user", "save_state"]

STATE_FILE = Path(".cache") / "triage.json"
#: Environment variable naming the reviewer (a default the reviewer still confirms).
REVIEWER_ENV = "RESEMBLE_NB_REVIEWER"


def default_reviewer() -> tuple[str, str]:
    """(name, where it came from): ``RESEMBLE_NB_REVIEWER``, else the OS account."""
    named = os.environ.get(REVIEWER_ENV, "").strip()
    if named:
        return named, REVIEWER_ENV
    return os_user(), "the computer's user name"


def load_state(folder: Path) -> dict[str, Any]:
    """The saved state of the case's board, or ``{}`` (a damaged file counts as none)."""
    try:
        data = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(folder: Path, state: dict[str, Any]) -> None:
    """Write the state atomically; a read-only case folder is not an error."""
    target = folder / STATE_FILE
    tmp = target.with_name(f".triage.{os.getpid()}.part")
    with contextlib.suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
        os.replace(tmp, target)
