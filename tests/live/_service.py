"""What the live checks send, written from the API contract with plain httpx (not the
package's client: these check the service, so they share no code with what they check).

Everything is created once per session by :class:`LiveRun`, which records every answer;
the tests then check the engine's assumptions against those answers. What will be
created is printed before anything is sent, and all of it is deleted at the end.
"""

from __future__ import annotations

import io
import math
import os
import secrets
import struct
import time
import wave
import zlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

DEFAULT_BASE_URL = "https://app.resemble.ai/api/v2"
#: Observed estimate per detect (contract §6, R7): used only to print the likely cost.
CENTS_PER_DETECT = 3.5
TERMINAL = {"completed", "failed"}
BATCH_TERMINAL = {"completed", "partially_failed", "failed"}


def tiny_wav(seconds: float = 1.0, freq: float = 440.0, rate: int = 16000) -> bytes:
    """A short mono 16-bit sine, made with the standard library."""
    frames = b"".join(
        struct.pack("<h", int(9000 * math.sin(2 * math.pi * freq * i / rate)))
        for i in range(int(seconds * rate))
    )
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return buf.getvalue()


def tiny_png(size: int = 16, seed: int = 0) -> bytes:
    """A small RGB PNG, made with the standard library."""
    rows = b"".join(
        b"\x00" + bytes((x * 16 + seed) % 256 for x in range(size) for _ in range(3))
        for _ in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@dataclass
class Answer:
    """One recorded request and its answer."""

    what: str
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class LiveRun:
    """Sends the planned requests once and keeps every answer for the checks."""

    base_url: str
    api_key: str = field(repr=False)
    timeout: float = 300.0
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    answers: dict[str, Answer] = field(default_factory=dict)
    created: dict[str, str] = field(default_factory=dict)  # uuid -> file name sent
    deleted: set[str] = field(default_factory=set)
    token_served_twice: bool = False
    polls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    batch_polls: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.client = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=httpx.Timeout(60.0, read=120.0),
            trust_env=False,
        )
        name = f"rnb-live-{self.run_id}"
        self.files: dict[str, bytes] = {
            f"{name}-token.wav": tiny_wav(1.0, 440),
            f"{name}-direct.wav": tiny_wav(1.0, 523),
            f"{name}-batch-1.wav": tiny_wav(1.0, 659),
            f"{name}-batch-2.png": tiny_png(16, 7),
        }

    # -- the plan --------------------------------------------------------------------------
    def plan(self) -> list[str]:
        """Exactly what will be created (and billed), in words, before anything is sent."""
        sizes = {name: len(data) for name, data in self.files.items()}
        names = list(sizes)
        low, high = 4, 5
        return [
            f"Live contract checks against {self.base_url}",
            "They will upload these files, generated now (nothing of yours is sent):",
            *(f"  {name} ({size:,} bytes)" for name, size in sizes.items()),
            f"and create {low} detects (at most {high}), each billed as one detect:",
            f"  1 by secure upload + media_token: {names[0]}",
            "  1 more with the same token, to see whether it is refused "
            "(billed only if the service accepts it)",
            f"  1 by direct multipart upload: {names[1]}",
            f"  1 batch of 2 files: {names[2]}, {names[3]}",
            "No intelligence, watermark or other paid option is asked for.",
            f"Likely cost: about {low * CENTS_PER_DETECT:.1f}-{high * CENTS_PER_DETECT:.1f} "
            f"cents at the observed {CENTS_PER_DETECT} cents a detect (your plan may differ).",
            "Every detect made here is deleted at the end (DELETE /detect/{uuid}).",
        ]

    # -- requests --------------------------------------------------------------------------
    def record(self, what: str, response: httpx.Response) -> Answer:
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        answer = Answer(what, response.status_code, body, dict(response.headers))
        self.answers[what] = answer
        return answer

    def _remember(self, answer: Answer, filename: str) -> None:
        item = answer.body.get("item") if isinstance(answer.body, dict) else None
        if answer.status < 300 and isinstance(item, dict) and item.get("uuid"):
            self.created[str(item["uuid"])] = filename

    def send_everything(self) -> None:
        """Every write of the run, in order; reads and polls follow."""
        names = list(self.files)
        self.record("list", self.client.get("/detect", params={"page": 1, "page_size": 10}))
        self._errors()
        # 1. Secure upload, then one create with the token, then the same token again.
        token_file = names[0]
        up = self.record(
            "secure_upload",
            self.client.post(
                "/secure_uploads", files={"file": (token_file, self.files[token_file])}
            ),
        )
        token = up.body.get("token") if isinstance(up.body, dict) else None
        if token:
            first = self.record(
                "create_token", self.client.post("/detect", json={"media_token": token})
            )
            self._remember(first, token_file)
            again = self.record(
                "create_token_again", self.client.post("/detect", json={"media_token": token})
            )
            self.token_served_twice = again.status < 300
            self._remember(again, token_file)
        # 2. Direct multipart upload, made after the first: the list order shows between them.
        direct_file = names[1]
        direct = self.record(
            "create_direct",
            self.client.post("/detect", files={"file": (direct_file, self.files[direct_file])}),
        )
        self._remember(direct, direct_file)
        # 3. A batch of two files.
        batch_files = [("files[]", (n, self.files[n])) for n in names[2:]]
        batch = self.record("create_batch", self.client.post("/detect/batch", files=batch_files))
        item = batch.body.get("item") if isinstance(batch.body, dict) else None
        self.batch_uuid = str(item["uuid"]) if isinstance(item, dict) and item.get("uuid") else None
        self._follow()

    def _errors(self) -> None:
        """Answers that cost nothing: a wrong key, a missing detect, a request without media."""
        with httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": "Bearer rnb-live-check-not-a-key"},
            timeout=30,
            trust_env=False,
        ) as wrong:
            self.record("error_401", wrong.get("/detect", params={"page": 1}))
        self.record("error_404", self.client.get(f"/detect/{secrets.token_hex(16)}"))
        self.record("error_400", self.client.post("/detect", json={}))

    def _follow(self) -> None:
        """Poll every detect (and the batch) until terminal, backing off 1 s to 10 s."""
        deadline = time.monotonic() + self.timeout
        wait = 1.0
        pending = set(self.created)
        batch_done = self.batch_uuid is None
        while (pending or not batch_done) and time.monotonic() < deadline:
            if not batch_done:
                r = self.record("batch_status", self.client.get(f"/detect/batch/{self.batch_uuid}"))
                item = r.body.get("item") if isinstance(r.body, dict) else None
                if isinstance(item, dict):
                    self.batch_polls.append(item)
                    for uuid in item.get("detect_uuids") or []:
                        if uuid not in self.created:
                            self.created[str(uuid)] = ""  # named when read
                            pending.add(str(uuid))
                    batch_done = item.get("status") in BATCH_TERMINAL
                else:
                    batch_done = True
            for uuid in sorted(pending):
                r = self.record(f"get:{uuid}", self.client.get(f"/detect/{uuid}"))
                item = r.body.get("item") if isinstance(r.body, dict) else None
                if not isinstance(item, dict):
                    pending.discard(uuid)
                    continue
                self.polls.setdefault(uuid, []).append(item)
                if not self.created.get(uuid):
                    self.created[uuid] = str(item.get("filename") or "")
                if item.get("status") in TERMINAL:
                    pending.discard(uuid)
            if pending or not batch_done:
                time.sleep(wait)
                wait = min(10.0, wait * 2)

    def find_in_list(self, uuids: set[str], max_pages: int = 20) -> dict[str, tuple[int, int]]:
        """Where each uuid sits in ``GET /detect`` (page, index): first and last pages
        first, then the rest up to ``max_pages`` pages of 100."""
        found: dict[str, tuple[int, int]] = {}
        first = self.record(
            "list_100", self.client.get("/detect", params={"page": 1, "page_size": 100})
        )
        body = first.body if isinstance(first.body, dict) else {}
        num_pages = int(body.get("num_pages") or 1)
        order = [1, num_pages] + [p for p in range(2, num_pages) if p <= max_pages]
        for page in dict.fromkeys(order):
            if page == 1:
                items = body.get("items") or []
            else:
                r = self.client.get("/detect", params={"page": page, "page_size": 100})
                items = r.json().get("items") or [] if r.status_code == 200 else []
            for i, item in enumerate(items):
                if item.get("uuid") in uuids:
                    found[str(item["uuid"])] = (page, i)
            if len(found) == len(uuids):
                break
        return found

    def delete_all(self) -> dict[str, int]:
        """Delete every detect this run made; the status of each DELETE."""
        statuses = {}
        for uuid in list(self.created):
            if uuid in self.deleted:
                continue
            statuses[uuid] = self.client.delete(f"/detect/{uuid}").status_code
            if statuses[uuid] in (200, 204, 404):
                self.deleted.add(uuid)
        return statuses

    def close(self) -> None:
        self.client.close()


def from_environment() -> LiveRun | None:
    """A run for ``RESEMBLE_API_KEY`` (and ``RESEMBLE_BASE_URL``), or None without a key."""
    key = (os.environ.get("RESEMBLE_API_KEY") or "").strip()
    if not key:
        return None
    base = (os.environ.get("RESEMBLE_BASE_URL") or "").strip().rstrip("/") or DEFAULT_BASE_URL
    if urlsplit(base).path in ("", "/"):  # a bare host, e.g. a sandbox's http://127.0.0.1:PORT
        base += "/api/v2"
    timeout = float(os.environ.get("RESEMBLE_LIVE_TIMEOUT") or 300)
    return LiveRun(base, key, timeout=timeout)
