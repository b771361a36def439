"""Items (content, by SHA-256), the paths they were seen at, and files that were skipped."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ._base import LedgerBase, must_time, to_text
from ._scrub import scrub_text
from .records import Item, ItemLike, ItemPath, SkipLike, SkippedFile

_ITEM_COLUMNS = "sha256, size, media_type, mime, extension, duration, first_seen"


class ItemsMixin(LedgerBase):
    def add_items(self, items: Iterable[ItemLike]) -> int:
        """Record items in one transaction; return how many were new.

        An item already known keeps its first-seen facts; new paths are added, known paths
        get a fresh ``seen_at``. A path recorded as skipped before is no longer skipped.
        """
        stamp = to_text(self._now())
        item_rows = []
        path_rows = []
        for item in items:
            item_rows.append(
                (
                    item.sha256,
                    item.size,
                    item.media_type,
                    item.mime,
                    item.extension,
                    item.duration,
                    stamp,
                )
            )
            for path in item.paths:
                text, in_case = self._store_path(path)
                path_rows.append((item.sha256, text, in_case, os.path.basename(text), stamp, stamp))
        with self._write() as conn:
            created = conn.executemany(
                f"INSERT INTO items ({_ITEM_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(sha256) DO NOTHING",
                item_rows,
            ).rowcount
            conn.executemany(
                "UPDATE items SET duration = ? WHERE sha256 = ? AND duration IS NULL",
                [(row[5], row[0]) for row in item_rows if row[5] is not None],
            )
            conn.executemany(
                "INSERT INTO item_paths (sha256, path, in_case, name, first_seen, seen_at) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(sha256, path) DO UPDATE SET seen_at = excluded.seen_at",
                path_rows,
            )
            conn.executemany(
                "DELETE FROM skipped_files WHERE path = ?", [(row[1],) for row in path_rows]
            )
        return max(created, 0)

    def item(self, sha256: str) -> Item | None:
        """The item with this content, with its paths; ``None`` if unknown."""
        row = (
            self._conn()
            .execute(f"SELECT {_ITEM_COLUMNS} FROM items WHERE sha256 = ?", (sha256,))
            .fetchone()
        )
        return None if row is None else self._item(row)

    def items(self) -> list[Item]:
        """Every item, in the order first seen."""
        rows = self._conn().execute(f"SELECT {_ITEM_COLUMNS} FROM items ORDER BY rowid").fetchall()
        return [self._item(row) for row in rows]

    def item_for_path(self, path: str | os.PathLike[str]) -> Item | None:
        """The item last seen at ``path`` (a path can hold different content over time)."""
        text, _ = self._store_path(path)
        row = (
            self._conn()
            .execute(
                # the latest sighting; rowid breaks a tie between equal times
                "SELECT sha256 FROM item_paths WHERE path = ? "
                "ORDER BY seen_at DESC, rowid DESC LIMIT 1",
                (text,),
            )
            .fetchone()
        )
        return None if row is None else self.item(row[0])

    def items_at_paths(self, paths: Iterable[str | os.PathLike[str]]) -> dict[str, str]:
        """``{path: sha256}``: for each of ``paths`` the case knows, the item last seen
        there (as :meth:`item_for_path`, in chunked reads instead of one per path)."""
        stored: dict[str, list[str]] = {}
        for path in paths:
            stored.setdefault(self._store_path(path)[0], []).append(os.fspath(path))
        texts = list(stored)
        size = self._store.max_params
        out: dict[str, str] = {}
        for start in range(0, len(texts), size):
            chunk = texts[start : start + size]
            rows = self._conn().execute(
                "SELECT path, sha256 FROM item_paths WHERE path IN "
                f"({','.join('?' * len(chunk))}) ORDER BY seen_at, rowid",
                chunk,
            )
            for text, sha256 in rows:  # ascending: the latest sighting stays
                out.update(dict.fromkeys(stored[text], sha256))
        return out

    def item_names(self) -> dict[str, str]:
        """``{sha256: name}`` for every item: the file name it was first seen under.

        One query, for bulk joins (segment and decision frames of large cases).
        """
        rows = self._conn().execute(
            "SELECT i.sha256, p.name FROM items i JOIN item_paths p ON p.rowid = i.first_path_id "
            "ORDER BY i.rowid"
        )
        return dict(rows.fetchall())

    def items_named(self, name_or_path: str | os.PathLike[str]) -> list[str]:
        """The sha256 of every item seen under this file name or at this path (first first)."""
        text = os.fspath(name_or_path)
        stored, _ = self._store_path(text)
        rows = self._conn().execute(
            "SELECT i.sha256 FROM items i WHERE i.sha256 IN "
            "(SELECT sha256 FROM item_paths WHERE name = ? OR path = ?) ORDER BY i.rowid",
            (text, stored),
        )
        return [row[0] for row in rows]

    def _item(self, row: Sequence[Any]) -> Item:
        sha256, size, media_type, mime, extension, duration, first_seen = row
        paths = self._conn().execute(
            "SELECT path, in_case, name, first_seen, seen_at FROM item_paths "
            "WHERE sha256 = ? ORDER BY rowid",
            (sha256,),
        )
        return Item(
            sha256=str(sha256),
            size=int(size),
            media_type=str(media_type),
            mime=None if mime is None else str(mime),
            extension=str(extension),
            duration=None if duration is None else float(duration),
            first_seen=must_time(str(first_seen)),
            paths=tuple(
                ItemPath(self._load_path(p, c), n, must_time(f), must_time(s))
                for p, c, n, f, s in paths
            ),
        )

    # -- skipped files --------------------------------------------------------------------

    def record_skips(self, files: Iterable[SkipLike]) -> int:
        """Record skipped files in one transaction, one row per path (latest reason wins)."""
        stamp = to_text(self._now())
        rows = []
        for file in files:
            if not file.problem or not file.reason:
                raise ValueError(f"{file.path}: a skipped file needs a problem and a reason")
            text, in_case = self._store_path(file.path)
            rows.append(
                (
                    text,
                    in_case,
                    os.path.basename(text),
                    file.sha256,
                    file.size,
                    file.problem,
                    scrub_text(file.reason),
                    stamp,
                )
            )
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO skipped_files "
                "(path, in_case, name, sha256, size, problem, reason, seen_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
                "sha256 = excluded.sha256, size = excluded.size, problem = excluded.problem, "
                "reason = excluded.reason, seen_at = excluded.seen_at",
                rows,
            )
        return len(rows)

    def skipped_files(self) -> list[SkippedFile]:
        """Every skipped path, in the order first recorded."""
        rows = self._conn().execute(
            "SELECT path, in_case, name, sha256, size, problem, reason, seen_at "
            "FROM skipped_files ORDER BY rowid"
        )
        return [
            SkippedFile(self._load_path(p, c), n, h, s, prob, reason, must_time(seen))
            for p, c, n, h, s, prob, reason, seen in rows
        ]


def recorded_media(case_db: str | os.PathLike[str], sha256: str) -> tuple[int, list[Path]] | None:
    """``(size, paths)`` a case's ledger recorded for an item, read without opening the
    case for writing (no migration, no WAL switch); ``None`` when the file is no readable
    ledger or holds no such item. Used by the media route, in the Jupyter server."""
    uri = f"file:{quote(os.fspath(case_db))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=2.0)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT size FROM items WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            return None
        paths = conn.execute(
            "SELECT path, in_case FROM item_paths WHERE sha256 = ? "
            "ORDER BY seen_at DESC, rowid DESC",
            (sha256,),
        ).fetchall()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    folder = Path(case_db).parent
    return int(row[0]), [folder / p if c else Path(p) for p, c in paths]
