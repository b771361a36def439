"""What custody costs: the chain on the review path, and ``verify`` of a 10,000-item case.

    .venv/bin/python benchmarks/custody.py [--items 10000] [--files 200] [--latency 3]
        [--rounds 2]

1. **Review with and without the chain.** The throughput benchmark's run (``--files``
   small WAVs, a sandbox in its own process with ``--latency`` seconds per detect and 40
   requests/s), ``--rounds`` times each, alternating: with the custody chain as shipped,
   and with the chain's triggers dropped from the fresh case (no events written). Prints wall time
   and the reviewing process's CPU time.
2. **The ledger path alone.** ``--items`` items through add_items, create_jobs,
   mark_submitting, mark_submitted and complete_many, with and without the chain.
3. **verify.** A case of ``--items`` reviewed items whose media files (16 kB each) are on
   disk, with a decision on every tenth (each signed as it is recorded):
   ``rnb.verify(case, trust=[the signer])`` end to end (chain walk, signatures, every
   signed event's signer, every bound table row by row, re-hashing every file). Target:
   under 30 s for 10,000 items.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from _sandbox_proc import SandboxProcess
from frames import _Item  # the frames benchmark's item record
from throughput import make_files

import resemble_nb as rnb
from resemble_nb.api import Client
from resemble_nb.case import Case
from resemble_nb.ledger import JobSpec, ResultRecord


def _drop_chain(folder: Path) -> None:
    conn = sqlite3.connect(folder / "case.db")
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'events_%' "
        "AND tbl_name != 'events'"
    )]  # fmt: skip
    for name in names:
        conn.execute(f"DROP TRIGGER {name}")
    conn.commit()
    conn.close()


def review(
    paths: list[Path], folder: Path, sandbox: SandboxProcess, chain: bool
) -> tuple[float, float]:
    shutil.rmtree(folder, ignore_errors=True)
    Case(folder).close()
    if not chain:
        _drop_chain(folder)
    cpu, wall = time.process_time(), time.perf_counter()
    with Case(folder) as case:
        client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
        case.review(paths, client=client, display=False).wait()
        client.close()
        events = len(case.ledger.events())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"    {'chain   ' if chain else 'no chain'}  wall {wall:6.2f} s  cpu {cpu:6.2f} s  "
        f"events {events}"
    )
    return wall, cpu


def fill(case: Case, items: list[_Item]) -> None:
    ledger = case.ledger
    ledger.add_items(items)
    job_ids = ledger.create_jobs([JobSpec(it.sha256, "k", "batch", "sandbox") for it in items])
    ledger.mark_submitting(job_ids)
    ledger.mark_submitted(job_ids, batch_uuid="b")
    now = datetime.now(timezone.utc)
    entries = [
        (job_id, ResultRecord(label="fake", score=0.8, audio_score=0.8, detect_uuid=f"d-{job_id}",
                              completed_at=now, raw={"uuid": f"d-{job_id}"}), [])
        for job_id in job_ids
    ]  # fmt: skip
    for start in range(0, len(entries), 10_000):
        ledger.complete_many(entries[start : start + 10_000])


def make_items(folder: Path, n: int) -> list[_Item]:
    folder.mkdir(parents=True, exist_ok=True)
    items = []
    for i in range(n):
        data = os.urandom(16_384)
        path = folder / f"file{i:06d}.wav"
        path.write_bytes(data)
        items.append(_Item(hashlib.sha256(data).hexdigest(), len(data), "audio", "audio/wav",
                           ".wav", 1.0, (path,)))  # fmt: skip
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--latency", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=2, help="reviews with and without")
    args = parser.parse_args(argv)
    os.environ.setdefault("RESEMBLE_NB_KEYS", tempfile.mkdtemp(prefix="rnb-keys-"))
    root = Path(tempfile.mkdtemp(prefix="rnb-custody-"))
    try:
        print(f"1. review of {args.files} files, sandbox latency {args.latency:g} s")
        paths = make_files(root / "evidence", args.files)
        runs: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        with SandboxProcess(
            "--progress", "time", "--latency", str(args.latency), "--rate-limit", "40"
        ) as sandbox:
            for chain in (True, False) * args.rounds:
                runs[chain].append(review(paths, root / "review", sandbox, chain))
        for what, index in (("wall", 0), ("cpu", 1)):
            for how, pick in (("best", min), ("median", statistics.median)):
                with_chain = pick([r[index] for r in runs[True]])
                without = pick([r[index] for r in runs[False]])
                print(
                    f"    {how} {what}: {with_chain:.2f} s with the chain, {without:.2f} s "
                    f"without: {100 * (with_chain - without) / without:+.1f} %"
                )

        print(f"2. the ledger path alone, {args.items} items")
        items = make_items(root / "media", args.items)
        for chain in (True, False):
            folder = root / f"ledger-{chain}"
            Case(folder).close()
            if not chain:
                _drop_chain(folder)
            with Case(folder) as case:
                start = time.perf_counter()
                fill(case, items)
                took = time.perf_counter() - start
            print(f"    {'chain   ' if chain else 'no chain'}  {took:6.2f} s")

        print(f"3. verify a case of {args.items} items with its media present")
        with Case(root / "ledger-True") as case:
            for it in items[::10]:
                case.decide(it.sha256, "inconclusive", "first look", reviewer="bench")
            trusted = list(case.ledger.signers())
        start = time.perf_counter()
        result = rnb.verify(root / "ledger-True", trust=trusted)  # as with --trust FP
        took = time.perf_counter() - start
        print(
            f"    verify: {took:.2f} s, {'holds' if result.ok else 'FAILS'}, "
            f"{len(result.checks)} checks"
        )
        if not result.ok:
            print(result)
            return 1
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
