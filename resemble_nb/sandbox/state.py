"""In-memory records of one sandbox: teams, uploads, detects, batches and counters."""

from __future__ import annotations

import bisect
import hashlib
import itertools
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .analyses import intelligence_block

if TYPE_CHECKING:
    from .analyses import Analysis

__all__ = ["Batch", "Detect", "Stats", "Store", "StoredFile", "Team", "Upload"]


@dataclass
class StoredFile:
    """A file the sandbox received, on disk in its storage folder."""

    path: Path | None
    filename: str
    content_type: str
    size: int
    sha256: str


@dataclass
class Team:
    """One API key is one team; its objects are invisible to other teams."""

    id: str
    key: str = field(repr=False)
    wallet_cents: float | None = None  # None: unlimited


@dataclass
class Upload:
    """A secure upload, referenced by the media token issued for it."""

    id: str
    team_id: str
    file: StoredFile
    created_at: float
    used_by: str | None = None  # the detect a single-use token served


@dataclass
class Detect:
    """A detection job. ``outcome`` is computed at creation and revealed per progress mode."""

    uuid: str
    team_id: str
    created_at: float
    options: dict[str, Any]
    media_type: str
    filename: str | None
    url: str | None
    file: StoredFile | None
    sha256: str
    duration: float | None = None
    outcome: dict[str, Any] = field(default_factory=dict)
    error_message: str | None = None
    final_status: str = "completed"  # what the job ends as: completed | failed
    finished: bool = False
    finished_at: float | None = None
    polls: int = 0
    ready_at: float = 0.0
    batch_uuid: str | None = None
    callback_url: str | None = None
    file_deleted_at: float | None = None
    redacted_name: str | None = None
    owns_file: bool = True
    base_url: str = ""
    analyses: dict[str, Analysis] = field(default_factory=dict)
    callback_sent: bool = False
    visual_artifacts: str = "inline"  # the mode when created (see .artifacts)
    hostile: bool = False  # the mode when created (see .hostile)

    @property
    def status(self) -> str:
        return self.final_status if self.finished else "processing"

    @property
    def intelligence(self) -> dict[str, Any] | None:
        """The intelligence report once it has completed (what report lists show)."""
        analysis = self.analyses.get("intelligence")
        if analysis is None or analysis.status != "completed":
            return None
        return intelligence_block(
            analysis, detect_uuid=self.uuid, sha256=self.sha256, media_type=self.media_type
        )


@dataclass
class Batch:
    uuid: str
    team_id: str
    created_at: float
    detect_uuids: list[str]
    callback_url: str | None = None
    callback_sent: bool = False
    sealed: bool = False  # every child created


class Stats:
    """Counters shown by ``GET /_sandbox/stats``; safe to read from another thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with getattr(self, "_lock", threading.Lock()):
            self.requests_total = 0
            self.requests: defaultdict[str, Counter[str]] = defaultdict(Counter)
            self.rate_limited = 0
            self.detects_created = 0
            self.detects_per_sha256: Counter[str] = Counter()
            self.batches_created = 0
            self.uploads = 0
            self.faults_injected: Counter[str] = Counter()
            self.callbacks: Counter[str] = Counter()
            self.artifacts: Counter[str] = Counter()
            self.bytes_received = 0

    def record_request(self, route: str, status: int | str) -> None:
        with self._lock:
            self.requests_total += 1
            self.requests[route][str(status)] += 1
            if status == 429:
                self.rate_limited += 1

    def count(self, name: str, amount: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + amount)

    def count_detect(self, sha256: str) -> None:
        with self._lock:
            self.detects_created += 1
            self.detects_per_sha256[sha256] += 1

    def count_in(self, name: str, key: str) -> None:
        with self._lock:
            counter: Counter[str] = getattr(self, name)
            counter[key] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests_total": self.requests_total,
                "requests": {route: dict(c) for route, c in sorted(self.requests.items())},
                "rate_limited": self.rate_limited,
                "detects_created": self.detects_created,
                "detects_per_sha256": dict(self.detects_per_sha256),
                "batches_created": self.batches_created,
                "uploads": self.uploads,
                "faults_injected": dict(self.faults_injected),
                "callbacks": dict(self.callbacks),
                "artifacts": dict(self.artifacts),
                "bytes_received": self.bytes_received,
            }


class Store:
    """Every object of the sandbox, keyed by id. Mutated only on the server's event loop."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.teams: dict[str, Team] = {}
        self.uploads: dict[str, Upload] = {}
        self.detects: dict[str, Detect] = {}
        self.batches: dict[str, Batch] = {}
        self.intelligences: dict[str, dict[str, Any]] = {}
        self.questions: dict[str, Any] = {}  # question uuid -> routes_analysis.Question
        self.feedback: dict[tuple[str, str], dict[str, Any]] = {}  # (team, detect) -> item
        self._by_team: dict[str, dict[str, Detect]] = {}  # in creation order
        self._shuffled: dict[str, list[tuple[bytes, str]]] = {}  # by a seeded hash

    def _shuffle_key(self, uuid: str) -> tuple[bytes, str]:
        return hashlib.sha256(f"{self.seed}:{uuid}".encode()).digest()[:8], uuid

    def add_detect(self, detect: Detect) -> None:
        self.detects[detect.uuid] = detect
        self._by_team.setdefault(detect.team_id, {})[detect.uuid] = detect
        bisect.insort(self._shuffled.setdefault(detect.team_id, []), self._shuffle_key(detect.uuid))

    def add_history(self, detects: list[Detect]) -> None:
        """Add many detects older than every one the teams have (first in creation order)."""
        for team_id in {d.team_id for d in detects}:
            mine = [d for d in detects if d.team_id == team_id]
            current = self._by_team.get(team_id, {})
            self._by_team[team_id] = {d.uuid: d for d in mine} | current
            keys = self._shuffled.setdefault(team_id, [])
            keys.extend(self._shuffle_key(d.uuid) for d in mine)
            keys.sort()
        self.detects.update((d.uuid, d) for d in detects)

    def remove_detect(self, detect: Detect) -> None:
        self.detects.pop(detect.uuid, None)
        if self._by_team.get(detect.team_id, {}).pop(detect.uuid, None) is not None:
            keys = self._shuffled[detect.team_id]
            del keys[bisect.bisect_left(keys, self._shuffle_key(detect.uuid))]

    def team_page(
        self, team_id: str, start: int, stop: int, order: str = "newest"
    ) -> tuple[list[Detect], int]:
        """A slice of a team's detects in ``order`` (newest, oldest, shuffled) and the count.

        ``shuffled`` is a fixed order from the seed, the same on every page.
        """
        mine = self._by_team.get(team_id, {})
        if order == "shuffled":
            keys = self._shuffled.get(team_id, [])[start:stop]
            return [mine[uuid] for _, uuid in keys], len(mine)
        values = reversed(mine.values()) if order == "newest" else iter(mine.values())
        return list(itertools.islice(values, start, stop)), len(mine)

    def clear(self) -> None:
        self.uploads.clear()
        self._by_team.clear()
        self._shuffled.clear()
        self.detects.clear()
        self.batches.clear()
        self.intelligences.clear()
        self.questions.clear()
        self.feedback.clear()
