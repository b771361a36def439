"""What the routes share: config, clock, records, storage, faults, and the job life cycle.

A detect's outcome is computed when it is created (probe + synthetic scores) and
revealed according to the progress mode: at once, ``latency`` seconds later, or
after N reads. Its analyses (intelligence, watermark) start when it completes and
finish per their lag (:mod:`.modes`). Finishing a detect applies zero retention; its
callback fires once the detect and the analyses the callback waits for are done.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import secrets
import uuid as uuidlib
from collections.abc import Coroutine, Mapping
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool

from .analyses import plan_analyses
from .artifacts import with_artifact_urls
from .clock import Clock
from .config import SandboxConfig, parse_progress
from .errors import ApiError
from .faults import Faults, parse_spec
from .hostile import hostile_item
from .modes import Modes
from .probe import ALLOWED_EXTENSIONS, ProbeError, probe_file
from .ratelimit import RateLimiter
from .render import batch_item, detect_item
from .scoring import PlantedTruth, analyse
from .state import Batch, Detect, Stats, Store, StoredFile, Team
from .storage import Storage, safe_filename

__all__ = ["Service", "is_loopback_url"]

_URL_EXTS = ALLOWED_EXTENSIONS | {".wmv"}


def is_loopback_url(url: str) -> bool:
    """True for http(s) URLs on 127.0.0.0/8, ::1 or ``localhost``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _team_wallet(config: SandboxConfig, key: str) -> float | None:
    wallet = config.wallet_cents
    if wallet is None:
        return None
    if isinstance(wallet, Mapping):
        value = wallet.get(key)
        return None if value is None else float(value)
    return float(wallet)


class Service:
    """One sandbox's state and behaviour, independent of HTTP routing."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.mode, self.polls_needed = parse_progress(config.progress or "immediate")
        self.modes = Modes.from_config(config)
        self.clock = Clock(config.clock)
        self.store = Store(seed=config.seed)
        self.stats = Stats()
        self.storage = Storage(config.storage_dir)
        self.faults = Faults(config.seed, parse_spec(config.faults))
        self.limiter = RateLimiter(config.rate_limit, clock=self.clock.now)
        self.truth = PlantedTruth(
            config.plant_truth,
            PlantedTruth.read_labels(config.truth_file) if config.truth_file else {},
        )
        self._tasks: set[asyncio.Task[None]] = set()
        for i, key in enumerate(config.api_keys):
            team = Team(id=f"team_{i + 1}", key=key, wallet_cents=_team_wallet(config, key))
            self.store.teams[team.id] = team

    # -- housekeeping --------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self.close()

    def close(self) -> None:
        self.storage.cleanup()

    def now(self) -> float:
        return self.clock.now()

    # -- wallet ----------------------------------------------------------------------------
    def cost_of(self, options: Mapping[str, Any]) -> dict[str, float]:
        cost = {"detect_cost_cents": self.config.detect_cost_cents}
        if options.get("intelligence"):
            cost["intelligence_cost_cents"] = self.config.intelligence_cost_cents
        if options.get("detect_watermark"):
            cost["watermark_cost_cents"] = 1.0
        return cost

    def charge(self, team: Team, items: list[tuple[str | None, dict[str, float]]]) -> None:
        """Take the cost of every item, or nothing (402) if the wallet cannot cover all."""
        total = round(sum(sum(c.values()) for _, c in items), 4)
        if team.wallet_cents is not None and total > team.wallet_cents + 1e-9:
            details: dict[str, Any] = {"estimated_cost_cents": total}
            if len(items) == 1:
                details.update(items[0][1])
            else:
                details["detect_cost_cents"] = round(
                    sum(c["detect_cost_cents"] for _, c in items), 4
                )
                details["files"] = [
                    {"filename": name, "estimated_cost_cents": round(sum(c.values()), 4)}
                    for name, c in items
                ]
            details["balance_cents"] = round(team.wallet_cents, 4)
            raise ApiError(
                402,
                f"Insufficient balance: this request costs an estimated {total} cents "
                f"and the wallet holds {round(team.wallet_cents, 4)} cents",
                extra={
                    "error_code": "insufficient_balance",
                    "error": "Insufficient balance",
                    "details": details,
                },
            )
        if team.wallet_cents is not None:
            team.wallet_cents = round(team.wallet_cents - total, 4)

    # -- detects ---------------------------------------------------------------------------
    async def create_detect(
        self,
        team: Team,
        *,
        options: dict[str, Any],
        base_url: str,
        file: StoredFile | None = None,
        owns_file: bool = True,
        url: str | None = None,
        batch_uuid: str | None = None,
    ) -> Detect:
        """Analyse the media now; the result is revealed later per progress mode.

        A ``url`` on a loopback address is downloaded and read like an upload; other
        URLs cannot be fetched offline, so their result is synthesised from the URL.
        """
        fetch_error = None
        if file is None and url is not None and is_loopback_url(url):
            fetched = await self._fetch(url)
            if isinstance(fetched, str):
                fetch_error = fetched
            else:
                file, owns_file = fetched, True
        now = self.now()
        if file is not None:
            sha256, filename = file.sha256, file.filename
        else:
            assert url is not None
            sha256 = hashlib.sha256(url.encode()).hexdigest()
            filename = PurePosixPath(urlsplit(url).path).name or "media"
        detect = Detect(
            uuid=str(uuidlib.uuid4()),
            team_id=team.id,
            created_at=now,
            options=options,
            media_type="audio",
            filename=filename,
            url=url,
            file=file,
            sha256=sha256,
            ready_at=now + self.config.latency,
            batch_uuid=batch_uuid,
            callback_url=options.get("callback_url") if batch_uuid is None else None,
            owns_file=owns_file,
            base_url=base_url,
        )
        if options.get("zero_retention_mode"):
            ext = Path(filename).suffix.lower()
            detect.redacted_name = f"redacted_{secrets.token_hex(12)}{ext}"
        detect.analyses = plan_analyses(options, sha256, self.modes, self.config.seed)
        detect.visual_artifacts = self.modes.visual_artifacts
        detect.hostile = self.modes.hostile
        if fetch_error is not None:
            self._fail(detect, fetch_error)
        elif file is not None and file.path is not None and file.path.exists():
            await run_in_threadpool(self._analyse_file, detect, file.path, filename)
        elif file is not None:
            self._fail(detect, "media is no longer stored (deleted after zero retention)")
        else:
            self._analyse_url(detect, url or "")
        self.store.add_detect(detect)
        self.stats.count_detect(detect.sha256)
        if self.mode == "immediate":
            self.finish(detect)
        elif self.mode == "time" and (detect.callback_url or batch_uuid):
            self.spawn(self._finish_later(detect))
        return detect

    async def _fetch(self, url: str) -> StoredFile | str:
        """Download a loopback URL into storage; a message saying why on failure."""
        import httpx

        name = safe_filename(PurePosixPath(urlsplit(url).path).name, "media")
        path = self.storage.new_path(name)
        hasher = hashlib.sha256()
        size = 0
        try:
            async with (
                httpx.AsyncClient(timeout=30, trust_env=False) as client,
                client.stream("GET", url) as resp,
            ):
                if resp.status_code != 200:
                    return f"Could not download {url}: HTTP {resp.status_code}"
                with open(path, "wb") as fh:
                    async for chunk in resp.aiter_bytes(256 * 1024):
                        size += len(chunk)
                        hasher.update(chunk)
                        fh.write(chunk)
                ctype = resp.headers.get("content-type", "")
        except httpx.HTTPError as exc:
            self.storage.delete(path)
            return f"Could not download {url}: {type(exc).__name__}"
        if size == 0:
            self.storage.delete(path)
            return f"Could not download {url}: empty response"
        return StoredFile(path, name, ctype, size, hasher.hexdigest())

    def _fail(self, detect: Detect, message: str) -> None:
        detect.final_status = "failed"
        detect.error_message = message

    def _analyse_file(self, detect: Detect, path: Path, filename: str) -> None:
        try:
            probe = probe_file(path, filename)
        except ProbeError as exc:
            ext = Path(filename).suffix.lower()
            if ext in (".jpg", ".jpeg", ".png", ".gif", ".webp"):
                detect.media_type = "image"
            elif ext in (".mp4", ".mov", ".avi", ".mkv", ".webm", ".3gp", ".3gpp"):
                detect.media_type = "video"
            self._fail(detect, f"Could not process {filename}: {exc}")
            return
        detect.media_type = probe.media_type
        detect.duration = probe.duration
        detect.outcome = analyse(
            detect.sha256, probe.media_type, probe.duration, probe.has_audio, detect.options,
            self.truth.truth_for(detect.sha256, filename),
        )  # fmt: skip

    def _analyse_url(self, detect: Detect, url: str) -> None:
        """Public URLs cannot be fetched offline: synthesise from the URL itself."""
        ext = PurePosixPath(urlsplit(url).path).suffix.lower()
        if ext not in _URL_EXTS:
            self._fail(detect, f"Could not determine the media type of {url!r}")
            return
        if ext in (".jpg", ".jpeg", ".png", ".gif", ".webp"):
            media_type, duration = "image", None
        else:
            seconds = 4 + int(detect.sha256[:4], 16) % 57
            duration = float(seconds)
            media_type = "audio" if ext in (".wav", ".mp3", ".m4a", ".ogg", ".flac") else "video"
        detect.media_type = media_type
        detect.duration = duration
        truth = self.truth.truth_for(detect.sha256, detect.filename)
        detect.outcome = analyse(detect.sha256, media_type, duration, True, detect.options, truth)

    async def _finish_later(self, detect: Detect) -> None:
        await asyncio.sleep(max(0.0, detect.ready_at - self.now()))
        self.advance(detect, polled=False, force=True)

    def advance(self, detect: Detect, *, polled: bool, force: bool = False) -> None:
        """Move a detect on: count a read, finish it (or its analyses) when due."""
        if detect.finished:
            now = self.now()
            if any([a.advance(now, polled=polled) for a in detect.analyses.values()]):
                self._maybe_callback(detect)
            return
        if polled:
            detect.polls += 1
        ready = force or self.mode == "immediate"
        if self.mode == "time" and self.now() >= detect.ready_at:
            ready = True
        if self.mode == "polls" and detect.polls >= self.polls_needed:
            ready = True
        if ready:
            self.finish(detect)

    def finish(self, detect: Detect) -> None:
        if detect.finished:
            return
        detect.finished = True
        now = detect.finished_at = self.now()
        for analysis in detect.analyses.values():
            if detect.final_status == "completed":
                analysis.start(now)
            else:
                analysis.cancel(now, "The detect failed, so there was nothing to analyse")
        if detect.options.get("zero_retention_mode"):
            if detect.file is not None:
                self.storage.delete(detect.file.path)
            detect.file_deleted_at = detect.finished_at
        self._maybe_callback(detect)
        if detect.callback_url and any(a.ready_at for a in detect.analyses.values()):
            self.spawn(self._finish_analyses_later(detect))
        if detect.batch_uuid:
            batch = self.store.batches.get(detect.batch_uuid)
            if batch is not None:
                self.maybe_batch_callback(batch)

    async def _finish_analyses_later(self, detect: Detect) -> None:
        """Time-lagged analyses of a detect with a callback: nobody may read it meanwhile."""
        for analysis in sorted(detect.analyses.values(), key=lambda a: a.ready_at or 0.0):
            if analysis.ready_at is not None:
                await asyncio.sleep(max(0.0, analysis.ready_at - self.now()))
                analysis.finish(self.now())
                self._maybe_callback(detect)

    def _maybe_callback(self, detect: Detect) -> None:
        """Fire the detect's callback once it and the analyses it waits for are done.

        spec-B: the callback waits for a watermark analysis; for intelligence unless
        ``wait_for_intelligence`` is false.
        """
        if not detect.callback_url or detect.callback_sent or not detect.finished:
            return
        waits = dict(detect.analyses)
        if detect.options.get("wait_for_intelligence") is False:
            waits.pop("intelligence", None)
        if all(a.terminal for a in waits.values()):
            detect.callback_sent = True
            payload = {"success": True, "item": self.render(detect)}
            self.spawn(self.send_callback(detect.callback_url, payload))

    async def wait_finished(self, detect: Detect) -> None:
        """For ``Prefer: wait``: block until the job is done (polls mode finishes at once).

        spec-B: with ``detect_watermark`` the answer also waits for the watermark.
        """
        if self.mode == "time":
            await asyncio.sleep(max(0.0, min(self.config.latency, detect.ready_at - self.now())))
        self.advance(detect, polled=False, force=True)
        watermark = detect.analyses.get("watermark")
        if watermark is not None and not watermark.terminal:
            if watermark.ready_at is not None:
                await asyncio.sleep(max(0.0, watermark.ready_at - self.now()))
            watermark.finish(self.now())

    def delete_detect(self, detect: Detect) -> None:
        self.store.remove_detect(detect)
        if detect.owns_file and detect.file is not None:
            self.storage.delete(detect.file.path)

    def render(self, detect: Detect, *, experts: bool = False) -> dict[str, Any]:
        item = detect_item(detect, experts=experts)
        with_artifact_urls(item, detect, detect.visual_artifacts, self.config.seed)
        return hostile_item(item) if detect.hostile else item

    # -- batches ---------------------------------------------------------------------------
    def batch_children(self, batch: Batch, *, polled: bool) -> list[Detect]:
        children = [self.store.detects[u] for u in batch.detect_uuids if u in self.store.detects]
        for child in children:
            self.advance(child, polled=polled)
        return children

    def render_batch(self, batch: Batch, *, polled: bool = False) -> dict[str, Any]:
        children = self.batch_children(batch, polled=polled)
        return batch_item(batch, children, order=self.config.batch_order)

    def maybe_batch_callback(self, batch: Batch) -> None:
        if not batch.callback_url or batch.callback_sent or not batch.sealed:
            return
        children = [self.store.detects[u] for u in batch.detect_uuids if u in self.store.detects]
        if all(c.finished for c in children):
            batch.callback_sent = True
            item = batch_item(batch, children, order=self.config.batch_order)
            payload = {"success": True, "item": item}
            self.spawn(self.send_callback(batch.callback_url, payload))

    # -- callbacks -------------------------------------------------------------------------
    async def send_callback(self, url: str, payload: dict[str, Any]) -> None:
        if not is_loopback_url(url):
            self.stats.count_in("callbacks", "skipped_not_loopback")
            return
        import httpx

        try:
            async with httpx.AsyncClient(
                timeout=self.config.callback_timeout, trust_env=False
            ) as client:
                resp = await client.post(url, json=payload, headers={"X-Resemble-Sandbox": "1"})
            self.stats.count_in("callbacks", "sent" if resp.status_code < 400 else "rejected")
        except Exception:
            self.stats.count_in("callbacks", "failed")
