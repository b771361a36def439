"""What it costs to reconcile 50 items whatever the order of ``GET /detect``.

An account holds N older detects (10,000 and 100,000, seeded in bulk by the in-process
sandbox itself, ``Sandbox.seed_detects``; N real creates would take hours). 50 items
are then in the state a crash leaves them in: marked ``submitting`` in the ledger,
with their detects made on the server (real ``POST /detect`` requests) but not
recorded. For each list order the docs allow (newest first, oldest first, shuffled)
the engine's reconcile (``find_existing``) looks them up; the script prints the list
pages it read, the requests and the wall time, and checks all 50 were found. A second
pass reconciles 50 items that were never sent, which costs the most: "not there" may
only be decided once every detect made since the marks has been seen.

Run: ``PYTHONPATH=. python benchmarks/reconcile_cost.py [--sizes 10000,100000]``
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import math
import struct
import sys
import tempfile
import time
import wave
from pathlib import Path

from resemble_nb.api import Client, DetectOptions
from resemble_nb.case import Case
from resemble_nb.engine import DEFAULT_RATE, upload_name
from resemble_nb.engine._clients import make_clients
from resemble_nb.engine._context import Context, Work
from resemble_nb.engine._crash import CrashHook
from resemble_nb.engine._limits import RateLimiter, UploadGate
from resemble_nb.engine._reconcile import find_existing
from resemble_nb.engine._state import Tracker
from resemble_nb.ledger import JobSpec
from resemble_nb.media import scan
from resemble_nb.sandbox import Sandbox

ITEMS = 50
ORDERS = ("newest", "oldest", "shuffled")


def _wav(path: Path, freq: float) -> None:
    rate = 8000
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * i / rate)))
        for i in range(rate // 5)
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)


def _works(case: Case, folder: Path, key: str) -> list[Work]:
    items = scan(folder).items
    case.ledger.add_items(items)
    jobs = case.ledger.ensure_jobs(JobSpec(i.sha256, key, "single", "sandbox") for i in items)
    works = []
    for item, (job, _) in zip(items, jobs, strict=True):
        name = upload_name(item.name, item.sha256, key)
        case.ledger.mark_submitting(job.id, {job.id: name})
        works.append(Work(item, case.ledger.job(job.id), "single", name))
    return works


async def _reconcile(case: Case, client: Client, works: list[Work]) -> tuple[int, int, int, float]:
    clients = make_clients(client, RateLimiter(DEFAULT_RATE))
    ctx = Context(
        ledger=case.ledger,
        tracker=Tracker(),
        clients=clients,
        limiter=clients.transport.limiter,
        gate=UploadGate(),
        options=DetectOptions.build(),
        options_key=works[0].job.options_key,
        crash=CrashHook(""),
    )
    start = time.perf_counter()
    try:
        found = await find_existing(ctx, works)
    finally:
        await clients.aclose()
    seconds = time.perf_counter() - start
    return len(found), found.pages, clients.transport.limiter.requests, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="account sizes, comma-separated")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"reconcile {ITEMS} items; engine rate limit {DEFAULT_RATE:g} req/s; page size 1000")
    print(f"{'detects':>8} {'order':>9} {'case':>10} {'found':>6} {'pages':>6} {'requests':>8}"
          f" {'seconds':>8}")  # fmt: skip
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp, Sandbox(port=0) as sandbox:
            root = Path(tmp)
            t = time.perf_counter()
            sandbox.seed_detects(size)  # the sandbox's own bulk history (POST /_sandbox/seed)
            seeded = time.perf_counter() - t
            client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
            sent_dir, unsent_dir = root / "sent", root / "unsent"
            sent_dir.mkdir()
            unsent_dir.mkdir()
            for i in range(ITEMS):
                _wav(sent_dir / f"call{i:02d}.wav", 200.0 + 5 * i)
                _wav(unsent_dir / f"memo{i:02d}.wav", 700.0 + 5 * i)
            for order in ORDERS:
                sandbox.app.service.modes.update({"list_order": order})
                case = Case(root / f"case-{order}")
                key = hashlib.sha256(order.encode()).hexdigest()[:16]
                sent = _works(case, sent_dir, key)
                for work in sent:  # the crash: made on the server, never recorded
                    client.detect(file=work.path, filename=work.upload_name)
                unsent = _works(case, unsent_dir, key)
                for label, works, expect in (("lost", sent, ITEMS), ("never-sent", unsent, 0)):
                    found, pages, requests, seconds = asyncio.run(_reconcile(case, client, works))
                    status = "" if found == expect else f"  (expected {expect})"
                    print(
                        f"{size:>8} {order:>9} {label:>10} {found:>6} {pages:>6} {requests:>8}"
                        f" {seconds:>8.2f}{status}"
                    )
                case.close()
            client.close()
            print(f"  (seeding {size} detects into the sandbox took {seeded:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
