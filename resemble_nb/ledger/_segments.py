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
from typing import TYPE_CHECKING, Any

from ..api import LABELS
from .records import SegmentRecord

if TYPE_CHECKING:  # numpy only when segments are read: a review never loads it
    import numpy as np
    import numpy.typing as npt

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
    import numpy as np

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


TRACKS: tuple[str, ...] = ("audio", "video", "image")
KINDS: tuple[str, ...] = ("window", "frame", "segment")
_FLOAT_BLOBS = ("sub_idx", "start_s", "end_s", "score", "certainty")


def _code_sql(column: str, values: Sequence[str]) -> str:
    cases = " ".join(f"WHEN '{value}' THEN {code}" for code, value in enumerate(values))
    return f"CASE b.{column} {cases} ELSE -1 END"


BLOCK_ARRAYS_SQL = f"""
SELECT b.sha256, p.name, b.job_id, {_code_sql("track", TRACKS)}, {_code_sql("kind", KINDS)},
       b.n, b.idx, b.labels,
       {
    ", ".join(
        f"COALESCE(b.{c}, zeroblob(b.n * 4 * {1 if c == 'sub_idx' else 2})), b.{c} IS NULL"
        for c in _FLOAT_BLOBS
    )
}
FROM segment_blocks b
JOIN items i ON i.latest_job_id = b.job_id
LEFT JOIN item_paths p ON p.rowid = i.first_path_id
ORDER BY b.rowid
"""
"""Every block of each item's latest job, for :func:`block_arrays`: a NULL blob comes back
as zeros of the right length, with a flag saying it was NULL. SQLite walks the blocks in
stored order and finds each one's item through an automatic index (no sort of blobs)."""


def block_arrays(rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Rows of :data:`BLOCK_ARRAYS_SQL` as arrays, without a Python object per segment.

    Per block (lists/arrays of one value per stored block): ``counts``, ``sha256``,
    ``name`` (the file first seen), ``job_id``, ``track`` and ``kind`` as codes into
    :data:`TRACKS` / :data:`KINDS`. Per segment (numpy arrays): ``index`` (int64),
    ``sub_index``, ``start_s``, ``end_s``, ``score``, ``certainty`` (float64, NaN for
    none) and ``label`` (int8 codes into :data:`SEGMENT_LABELS`, -1 for none).
    """
    import numpy as np

    names = ("sha256", "name", "job_id", "track", "kind", "n", "idx", "labels")
    blobs = [f"{c}{suffix}" for c in _FLOAT_BLOBS for suffix in ("", "_null")]
    columns = dict(zip((*names, *blobs), zip(*rows, strict=True), strict=True)) if rows else {}
    empty: tuple[Any, ...] = ()
    counts = np.array(columns.get("n", empty), dtype=np.int64)
    out: dict[str, Any] = {
        "counts": counts,
        "sha256": list(columns.get("sha256", empty)),
        "name": list(columns.get("name", empty)),
        "job_id": np.array(columns.get("job_id", empty), dtype=np.int64),
        "track": np.array(columns.get("track", empty), dtype=np.int8),
        "kind": np.array(columns.get("kind", empty), dtype=np.int8),
        "index": np.frombuffer(b"".join(columns.get("idx", empty)), "<i4").astype(np.int64),
        "label": np.frombuffer(b"".join(columns.get("labels", empty)), np.uint8).astype(np.int8)
        - 1,
    }
    for name in _FLOAT_BLOBS:
        dtype = "<i4" if name == "sub_idx" else "<f8"
        values = np.frombuffer(b"".join(columns.get(name, empty)), dtype).astype(np.float64)
        missing = np.repeat(np.array(columns.get(f"{name}_null", empty), dtype=bool), counts)
        if name == "sub_idx":
            missing |= values == _NO_INDEX
        values[missing] = np.nan
        out["sub_index" if name == "sub_idx" else name] = values
    return out


def decode_columns(rows: Sequence[Sequence[Any]]) -> dict[str, npt.NDArray[Any]]:
    """Rows of :data:`BLOCK_ARRAYS_SQL` as one numpy column per segment field.

    Returns ``sha256``, ``track``, ``kind``, ``label`` as object arrays (``label``
    ``None`` where absent), ``job_id``/``index`` as ``int64``, ``sub_index`` as
    ``float64`` (NaN where absent), and float columns with NaN for "none".
    """
    import numpy as np

    got = block_arrays(rows)
    counts = got["counts"]

    def per_block(values: Any) -> npt.NDArray[Any]:
        array = np.empty(len(counts), dtype=object)
        array[:] = values
        return np.repeat(array, counts)

    label_table = np.array([*SEGMENT_LABELS, None], dtype=object)  # code -1: the last
    return {
        "sha256": per_block(got["sha256"]),
        "job_id": np.repeat(got["job_id"], counts),
        "track": per_block([TRACKS[c] for c in got["track"]]),
        "kind": per_block([KINDS[c] for c in got["kind"]]),
        "index": got["index"],
        "sub_index": got["sub_index"],
        "start_s": got["start_s"],
        "end_s": got["end_s"],
        "score": got["score"],
        "label": label_table[got["label"]],
        "certainty": got["certainty"],
    }
