"""Cases whose items are scored (real SQLite ledgers), for the evaluation and report tests."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from resemble_nb.ledger import JobSpec, ResultRecord
from resemble_nb.media import MediaItem

if TYPE_CHECKING:
    from resemble_nb.case import Case

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


def planted_case(case: Case, n: int = 120, seed: int = 0) -> list[str]:
    """``n`` scored items, half known fake (imported labels), audio and images."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    fake = np.arange(n) % 2 == 0
    scores = np.clip(rng.normal(0.35 + 0.3 * fake, 0.15), 0.0, 1.0).round(3)
    media = ["audio" if i % 3 else "image" for i in range(n)]
    shas = add_scored(case, [float(s) for s in scores], media_types=media)
    case.import_labels(pd.DataFrame({"sha256": shas, "label": np.where(fake, "fake", "real")}))
    return shas
