"""Verifying the files: media re-hashed, exhibits as cut."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from resemble_nb.ledger import Event
from resemble_nb.media.probe import sha256_file

from ._read import latest
from ._result import Verification

__all__ = ["check_exhibits", "check_media"]


def check_media(conn: sqlite3.Connection, folder: Path, out: Verification) -> None:
    """Re-hash every media file still present; it must be the content first seen.

    Not a failure (said, not checked): a path with no file, a file this user may not read
    (unreadable is not changed), and a path whose file is now a later item of the case
    (the file there was replaced between reviews, and the case recorded the new one).
    """
    rows = list(conn.execute("SELECT rowid, sha256, path, in_case FROM item_paths ORDER BY rowid"))
    later: dict[tuple[str, int], set[str]] = {}
    for row in rows:
        later.setdefault((row["path"], row["in_case"]), set()).add(row["sha256"])
    checked = missing = 0
    bad = 0
    notes: list[str] = []
    for row in rows:
        path = folder / row["path"] if row["in_case"] else Path(row["path"])
        if not path.is_file():
            missing += 1
            continue
        try:
            digest = sha256_file(path)
        except OSError as exc:
            notes.append(
                f"{path} could not be read here ({exc.strerror or exc}): not checked, which "
                "is not a change; make it readable to re-hash it"
            )
            continue
        if digest == row["sha256"]:
            checked += 1
        elif digest in later[(row["path"], row["in_case"])]:
            notes.append(
                f"the file now at {path} is a later item (sha256 {digest[:16]}…); item "
                f"{row['sha256'][:16]}… was analysed from what was there before"
            )
        else:
            out.fail(
                "media",
                f"{path.name} changed since it was reviewed: its SHA-256 is now "
                f"{digest[:16]}…, recorded {row['sha256'][:16]}…",
                str(path),
            )
            bad += 1
    for note in notes:
        out.add("media", True, note)
    if not bad:
        note = f"; {missing} path(s) not present here (not checked)" if missing else ""
        out.add("media", True, f"{checked} media file(s) re-hashed, each as recorded{note}")


def check_exhibits(
    conn: sqlite3.Connection, folder: Path, out: Verification, events: list[Event]
) -> None:
    recorded = latest(events, "exhibit_made", "exhibit_id")
    bad = 0
    rows = list(conn.execute("SELECT id, sha256, path FROM exhibits ORDER BY id"))
    # the lineage (source, offsets, tool) is checked with the other tables; here the files
    for row in rows:
        where = f"exhibit {row['id']}"
        if row["id"] not in recorded:  # named by the exhibits table's check
            bad += 1
            continue
        _event, facts = recorded[row["id"]]
        if facts.get("sha256") != row["sha256"]:
            out.fail("exhibits", f"exhibit {row['id']}'s recorded hash was changed", where)
            bad += 1
        path = Path(row["path"]) if os.path.isabs(row["path"]) else folder / row["path"]
        if path.is_file() and sha256_file(path) != row["sha256"]:
            out.fail("exhibits", f"{path.name} was replaced or changed after it was cut", str(path))
            bad += 1
    if rows and not bad:
        out.add("exhibit files", True, f"{len(rows)} exhibit file(s) as cut")
