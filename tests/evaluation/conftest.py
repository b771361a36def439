"""Real case folders (SQLite ledgers) holding scored items, for the evaluation tests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from resemble_nb.case import Case
from resemble_nb.ledger import JobSpec, ResultRecord
from resemble_nb.media import MediaItem

MEDIA = {
    "audio": ("audio/wav", ".wav"),
    "video": ("video/mp4", ".mp4"),
    "image": ("image/png", ".png"),
}


def sha(n: int | str) -> str:
    return hashlib.sha256(f"item-{n}".encode()).hexdigest()


def add_scored(
    case: Case,
    scores: Sequence[float | None],
    *,
    media_types: Sequence[str] | None = None,
    names: Sequence[str] | None = None,
    folder: str = "/evidence",
) -> list[str]:
    """Items with these scores (``None``: failed, no score), completed in the ledger."""
    shas = []
    items = []
    for i, _score in enumerate(scores):
        media = (media_types or ["audio"] * len(scores))[i]
        mime, ext = MEDIA[media]
        name = names[i] if names else f"file{i}{ext}"
        digest = sha(f"{folder}/{name}/{i}")
        shas.append(digest)
        items.append(
            MediaItem(digest, 1000 + i, media, mime, ext, 2.0, (Path(folder) / name,))  # type: ignore[arg-type]
        )
    ledger = case.ledger
    ledger.add_items(items)
    for digest, score in zip(shas, scores, strict=True):
        job, _ = ledger.ensure_job(JobSpec(digest, "k", "batch", "sandbox", {}))
        ledger.mark_submitting(job.id)
        ledger.mark_submitted(job.id, detect_uuid=f"det-{digest[:8]}")
        if score is None:
            ledger.mark_failed(job.id, "could not process")
            continue
        label = "fake" if score >= 0.5 else "real"
        ledger.mark_completed(
            job.id, ResultRecord(label=label, label_raw=label, score=score, raw={"ok": True})
        )
    return shas


@pytest.fixture
def case(tmp_path: Path) -> Iterator[Case]:
    with Case(tmp_path / "case", name="eval") as opened:
        yield opened
