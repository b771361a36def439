"""Importing ground truth: a CSV file or a DataFrame of items known to be real or fake.

Each row names an item by ``sha256``, ``path`` or ``name`` (the first one filled in
counts) and gives ``label`` (or ``truth``): ``real`` or ``fake``. Rows that match
nothing, match several items, contradict each other or cannot be read are reported by
row, and the others are imported.

>>> result = import_labels(ledger, "labels.csv")   # doctest: +SKIP
>>> result
Labels from labels.csv: 40 rows, 38 items labelled (20 real, 18 fake) ...
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import EvaluationError

if TYPE_CHECKING:
    from ..ledger import Ledger, Truth

__all__ = ["LabelImport", "RowProblem", "import_labels"]

_ID_COLUMNS = {
    "sha256": ("sha256", "sha-256", "sha_256", "hash"),
    "path": ("path", "file_path", "filepath"),
    "name": ("name", "file", "filename", "file_name"),
}
_LABEL_COLUMNS = ("label", "truth", "ground_truth")
_TRUTH_WORDS: dict[str, Truth] = {"real": "real", "fake": "fake"}
_SHA = re.compile(r"[0-9a-f]{64}")
_SHOWN = 5


@dataclass(frozen=True)
class RowProblem:
    """A row that was not imported: where it is, what it named, and why."""

    row: str
    value: str
    reason: str

    def __str__(self) -> str:
        named = f" ({self.value})" if self.value else ""
        return f"{self.row}{named}: {self.reason}"


@dataclass
class LabelImport:
    """What :func:`import_labels` did, row by row where something went wrong."""

    source: str
    rows: int
    new: int = 0
    changed: list[tuple[str, str, str]] = field(default_factory=list)
    """``(item name, old truth, new truth)`` for items whose label was different before."""
    unchanged: int = 0
    real: int = 0
    fake: int = 0
    unmatched: list[RowProblem] = field(default_factory=list)
    ambiguous: list[RowProblem] = field(default_factory=list)
    conflicting: list[RowProblem] = field(default_factory=list)
    bad: list[RowProblem] = field(default_factory=list)

    @property
    def labelled(self) -> int:
        """Items this import gave a label (new, changed or confirmed)."""
        return self.real + self.fake

    @property
    def problems(self) -> list[RowProblem]:
        """Every row that was not imported, in the order of the kinds above."""
        return [*self.unmatched, *self.ambiguous, *self.conflicting, *self.bad]

    def lines(self) -> list[str]:
        """The report, one line each (no markup)."""
        s = "" if self.rows == 1 else "s"
        out = [
            f"Labels from {self.source}: {self.rows} row{s}, {self.labelled} item"
            f"{'' if self.labelled == 1 else 's'} labelled ({self.real} real, {self.fake} fake)",
            f"  {self.new} new, {len(self.changed)} changed, {self.unchanged} already known",
        ]
        for name, old, new in self.changed[:_SHOWN]:
            out.append(f"    changed: {name} was {old}, now {new}")
        if len(self.changed) > _SHOWN:
            out.append(f"    ... and {len(self.changed) - _SHOWN} more changed")
        for title, problems in (
            ("matched no item in the case", self.unmatched),
            ("matched more than one item (give the sha256 or the full path)", self.ambiguous),
            (
                "contradict another row about the same item (none of them imported)",
                self.conflicting,
            ),
            ("could not be read", self.bad),
        ):
            if not problems:
                continue
            n = len(problems)
            out.append(f"  {n} row{'' if n == 1 else 's'} {title}:")
            out.extend(f"    {p}" for p in problems[:_SHOWN])
            if n > _SHOWN:
                out.append(f"    ... and {n - _SHOWN} more (see .problems)")
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        body = "<br>".join(html.escape(line).replace("  ", "&nbsp;&nbsp;") for line in self.lines())
        return f"<div style='font-family:monospace;font-size:90%'>{body}</div>"


def _find(columns: list[str], wanted: tuple[str, ...]) -> str | None:
    lowered = {c.strip().lower(): c for c in columns}
    return next((lowered[w] for w in wanted if w in lowered), None)


_SEPARATORS = ",;\t|"
_SEPARATOR_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}


def _delimiter(text: str) -> tuple[str, str]:
    """The file's separator and its text without Excel's ``sep=X`` first line: that line
    when present, else what :class:`csv.Sniffer` reads from the start, else a comma."""
    first, _, rest = text.partition("\n")
    marker = first.strip().lower()
    if marker.startswith("sep=") and len(marker) == 5:
        return first.strip()[4], rest
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=_SEPARATORS).delimiter, text
    except csv.Error:
        return ",", text


def _read(source: Any) -> tuple[pd.DataFrame, str, Path | None]:
    """The table, how to name it in messages, and the folder relative paths start from."""
    if isinstance(source, pd.DataFrame):
        return source, "the DataFrame", None
    if isinstance(source, (str, os.PathLike)):
        path = Path(os.fspath(source)).expanduser()
        if not path.is_file():
            raise EvaluationError(f"{path}: no such labels file")
        try:
            text = path.read_text(encoding="utf-8-sig")
            sep, text = _delimiter(text)
            frame = pd.read_csv(
                io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                skipinitialspace=True,
            )  # fmt: skip
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            raise EvaluationError(f"{path}: cannot be read as a CSV file ({exc})") from None
        frame.attrs["separator"] = sep
        return frame, path.name, path.resolve().parent
    raise EvaluationError(
        f"labels must be a CSV file or a pandas DataFrame, not {type(source).__name__}"
    )


def _same(name: str) -> str:
    """A name as compared: NFC, so a name macOS stored decomposed matches one typed."""
    return unicodedata.normalize("NFC", name)


def _where(index: Hashable, position: int, is_file: bool) -> str:
    return f"line {position + 2}" if is_file else f"row {index!r}"


def _cell(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def import_labels(ledger: Ledger, source: Any, *, imported_by: str | None = None) -> LabelImport:
    """Import ground-truth labels into the case's ledger; report what happened by row.

    Args:
        ledger: The case's ledger.
        source: A CSV file (path) or a DataFrame with a ``label`` (or ``truth``) column
            holding ``real`` or ``fake``, and at least one of ``sha256``, ``path``,
            ``name``. Relative paths in a CSV file are read from the file's folder.
        imported_by: Who imports (default: the logged-in user).

    Raises:
        EvaluationError: The file cannot be read, or lacks the label or item columns.
    """
    frame, source_name, folder = _read(source)
    columns = [str(c) for c in frame.columns]
    label_column = _find(columns, _LABEL_COLUMNS)
    ids = {key: _find(columns, names) for key, names in _ID_COLUMNS.items()}
    if label_column is None:
        sep = frame.attrs.get("separator")
        read_as = f", reading it as separated by {_SEPARATOR_NAMES[sep]}" if sep else ""
        raise EvaluationError(
            f"{source_name}: no 'label' column (found {', '.join(columns) or 'no columns'}"
            f"{read_as}); add one with real or fake in each row"
        )
    if not any(ids.values()):
        raise EvaluationError(
            f"{source_name}: no 'sha256', 'path' or 'name' column to find the items by "
            f"(found {', '.join(columns)})"
        )
    is_file = folder is not None
    base = folder if folder is not None else Path.cwd()
    by_path: dict[str, set[str]] = defaultdict(set)
    by_name: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for sha, path, name in ledger.path_index():
        by_path[_same(os.path.normpath(path))].add(sha)  # NFD (macOS) and NFC meet
        by_name[_same(name)].add(sha)
        names.setdefault(sha, name)

    report = LabelImport(source=source_name, rows=len(frame))
    wanted: dict[str, list[tuple[str, Truth]]] = defaultdict(list)  # sha -> [(where, truth)]
    for position, (index, row) in enumerate(frame.iterrows()):
        where = _where(index, position, is_file)
        raw_label = _cell(row[label_column])
        truth = _TRUTH_WORDS.get(raw_label.lower())
        key, value = next(
            ((k, _cell(row[c])) for k, c in ids.items() if c is not None and _cell(row[c])),
            ("", ""),
        )
        if not key:
            report.bad.append(RowProblem(where, "", "no sha256, path or name in this row"))
            continue
        shown = f"{key} {value!r}"
        if truth is None:
            reason = f"label {raw_label!r} is not real or fake" if raw_label else "no label"
            report.bad.append(RowProblem(where, shown, reason))
            continue
        if key == "sha256":
            digest = value.lower()
            if not _SHA.fullmatch(digest):
                report.bad.append(RowProblem(where, shown, "not a SHA-256 (64 hex digits)"))
                continue
            found = {digest} if digest in names else set()
        elif key == "path":
            full = Path(value).expanduser()
            full = full if full.is_absolute() else base / full
            found = by_path.get(_same(os.path.normpath(full)), set())
        else:
            found = by_name.get(_same(value), set())
        if not found:
            report.unmatched.append(RowProblem(where, shown, "no such item in the case"))
        elif len(found) > 1:
            report.ambiguous.append(RowProblem(where, shown, f"{len(found)} different items"))
        else:
            wanted[next(iter(found))].append((where, truth))

    current = ledger.current_truth()
    rows: list[tuple[str, Truth, str]] = []
    for sha, claims in wanted.items():
        truths = {truth for _, truth in claims}
        if len(truths) > 1:
            for where, truth in claims:
                report.conflicting.append(
                    RowProblem(where, names.get(sha, sha[:12]), f"says {truth}")
                )
            continue
        truth = claims[0][1]
        report.real += truth == "real"
        report.fake += truth == "fake"
        before = current.get(sha)
        if before is not None and before.truth == truth:
            report.unchanged += 1
            continue
        if before is None:
            report.new += 1
        else:
            report.changed.append((names.get(sha, sha[:12]), before.truth, truth))
        rows.append((sha, truth, f"{source_name} {claims[0][0]}"))
    ledger.add_truth_labels(rows, imported_by=imported_by)
    return report
