"""Fill a team's account with old, finished detects (``POST /_sandbox/seed``).

For measuring what a client pays to find its own detects among many (10,000 or 100,000):
the seeded detects are completed audio detects by URL, created before anything else
in the account (one second apart, ending a day before now), with synthetic results.
They are not counted in ``detects_created``: they stand for an account's history.
"""

from __future__ import annotations

import hashlib
import uuid as uuidlib

from .scoring import analyse
from .state import Detect, Store

__all__ = ["MAX_SEED", "history", "seed_detects"]

MAX_SEED = 1_000_000
_DAY = 86_400.0


def seed_detects(store: Store, team_id: str, count: int, now: float, prefix: str = "seed") -> int:
    """Add ``count`` finished detects to the team, older than every detect it has."""
    store.add_history(history(store, team_id, count, now, prefix))
    return count


def history(store: Store, team_id: str, count: int, now: float, prefix: str) -> list[Detect]:
    """The detects :func:`seed_detects` adds (slow for big counts: run it off the loop)."""
    if not 0 < count <= MAX_SEED:
        raise ValueError(f"count must be from 1 to {MAX_SEED:,}, got {count}")
    oldest = min(
        (d.created_at for d in list(store.detects.values()) if d.team_id == team_id),
        default=now,
    )
    start = min(oldest, now) - _DAY - count
    made = []
    for i in range(count):
        name = f"{prefix}-{i:07d}.wav"
        sha = hashlib.sha256(f"seed:{team_id}:{name}".encode()).hexdigest()
        created = start + i
        detect = Detect(
            uuid=str(uuidlib.uuid4()),
            team_id=team_id,
            created_at=created,
            options={"frame_length": 2, "modality": "all"},
            media_type="audio",
            filename=name,
            url=f"https://example.invalid/{name}",
            file=None,
            sha256=sha,
            duration=4.0,
            outcome=analyse(sha, "audio", 4.0, True, {"frame_length": 2}),
            finished=True,
            finished_at=created + 5,
        )
        made.append(detect)
    return made
