"""Segments stored column-wise: one row per (job, track, kind) holding packed arrays.

A 100,000-item case can hold millions of scored windows and frames. One SQLite row per
segment costs a Python object per value to read back (seconds per million). Here each
block of segments is one row whose columns are little-endian arrays (``int32`` indexes,
``float64`` times and scores with NaN for "none", ``uint8`` label codes), so a whole case
reads back as a handful of ``numpy.frombuffer`` calls.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ..api import LABELS
from .records import SegmentRecord

SEGMENT_LABELS: tuple[str, ...] = LABELS
"""Labels a segment may carry (the five-step scale, as stored); code 0 means none."""
_CODES = {label: code for code, label in enumerate(SEGMENT_LABELS, start=1)}
_NO_INDEX = -1

_FLOAT_FIELDS = ("start_s", "end_s", "score", "certainty")
BLOCK_COLUMNS = "track, kind, n, idx, sub_idx, start_s, end_s, score, certainty, labels"


def _bytes(kind: str, values: Sequence[float] | Sequence[int]) -> bytes:
    packed = array(kind, values)
    if sys.byteorder == "big":  # pragma: no cover - stored little-endian everywhere
        packed.byteswap()
    return packed.tobytes()


_SPELLINGS = {"neutral": "uncertain", "neutral/uncertain": "uncertain"}


def _label_code(label: Any) -> int:
    """The stored code of a label; 0 (none) for anything off the scale.

    Labels should arrive normalised (``Label`` members or their values); an unexpected
    spelling is never guessed into a verdict, and the raw JSON keeps the original.
    """
    if label is None:
        return 0
    text = str(getattr(label, "value", label)).strip().lower().replace(" ", "_")
    return _CODES.get(_SPELLINGS.get(text, text), 0)


def encode_blocks(
    segments: Iterable[SegmentRecord],
) -> list[tuple[Any, ...]]:
    """Group segments by (track, kind) in order of first appearance and pack each group."""
    groups: dict[tuple[str, str], list[SegmentRecord]] = {}
    for segment in segments:
        groups.setdefault((segment.track, segment.kind), []).append(segment)
    blocks = []
    for (track, kind), group in groups.items():
        nan = float("nan")
        floats = {
            name: [nan if getattr(s, name) is None else float(getattr(s, name)) for s in group]
            for name in _FLOAT_FIELDS
        }
        sub = [_NO_INDEX if s.sub_index is None else int(s.sub_index) for s in group]
        blocks.append(
            (
                track,
                kind,
                len(group),
                _bytes("i", [int(s.index) for s in group]),
                None if all(v == _NO_INDEX for v in sub) else _bytes("i", sub),
                *(
                    None if all(v != v for v in floats[name]) else _bytes("d", floats[name])
                    for name in _FLOAT_FIELDS
                ),
                bytes(_label_code(s.label) for s in group),
            )
        )
    return blocks


def decode_block(row: Sequence[Any]) -> list[SegmentRecord]:
    """The segments of one stored block (columns in :data:`BLOCK_COLUMNS` order)."""
    track, kind, n, idx, sub_idx, start_s, end_s, score, certainty, labels = row
    index = np.frombuffer(idx, dtype="<i4")
    sub = np.frombuffer(sub_idx, dtype="<i4") if sub_idx is not None else None
    floats = [
        np.frombuffer(blob, dtype="<f8") if blob is not None else None
        for blob in (start_s, end_s, score, certainty)
    ]

    def value(column: npt.NDArray[np.float64] | None, i: int) -> float | None:
        if column is None:
            return None
        v = float(column[i])
        return None if v != v else v

    return [
        SegmentRecord(
            track=track,
            kind=kind,
            index=int(index[i]),
            start_s=value(floats[0], i),
            end_s=value(floats[1], i),
            score=value(floats[2], i),
            label=SEGMENT_LABELS[labels[i] - 1] if labels[i] else None,
            sub_index=None if sub is None or sub[i] == _NO_INDEX else int(sub[i]),
            certainty=value(floats[3], i),
        )
        for i in range(n)
    ]


def decode_columns(rows: Sequence[Sequence[Any]]) -> dict[str, npt.NDArray[Any]]:
    """Concatenate many blocks into columns (rows: ``sha256, job_id`` + BLOCK_COLUMNS).

    Returns numpy arrays: ``sha256``, ``track``, ``kind``, ``label`` as object arrays
    (``label`` ``None`` where absent), ``job_id``/``index`` as ``int64``, ``sub_index``
    as ``float64`` (NaN where absent), and float columns with NaN for "none".
    """
    counts = np.fromiter((row[4] for row in rows), dtype=np.int64, count=len(rows))
    total = int(counts.sum())

    def repeat(position: int) -> npt.NDArray[Any]:
        values = np.empty(len(rows), dtype=object)
        values[:] = [row[position] for row in rows]
        return np.repeat(values, counts)

    def joined(position: int, dtype: str, fill: float) -> npt.NDArray[Any]:
        fillers: dict[int, bytes] = {}

        def filler(count: int) -> bytes:  # a stored NULL: the block had no such values
            if count not in fillers:
                fillers[count] = np.full(count, fill, dtype=dtype).tobytes()
            return fillers[count]

        data = b"".join(
            row[position] if row[position] is not None else filler(int(count))
            for row, count in zip(rows, counts, strict=True)
        )
        return np.frombuffer(data, dtype=dtype)

    sub = joined(6, "<i4", _NO_INDEX).astype(np.float64)
    sub[sub == _NO_INDEX] = np.nan
    label_table = np.array([None, *SEGMENT_LABELS], dtype=object)
    codes = np.frombuffer(b"".join(row[11] for row in rows), dtype=np.uint8)
    return {
        "sha256": repeat(0),
        "job_id": np.repeat(np.fromiter((row[1] for row in rows), np.int64, len(rows)), counts),
        "track": repeat(2),
        "kind": repeat(3),
        "index": joined(5, "<i4", 0).astype(np.int64),
        "sub_index": sub,
        "start_s": joined(7, "<f8", np.nan),
        "end_s": joined(8, "<f8", np.nan),
        "score": joined(9, "<f8", np.nan),
        "label": label_table[codes] if total else np.empty(0, dtype=object),
        "certainty": joined(10, "<f8", np.nan),
    }
