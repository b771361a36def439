"""What a write costs in a PostgreSQL case against a SQLite one (issue 22).

    .venv/bin/python benchmarks/postgresql_writes.py [--decisions 300] [--writers 2]

Starts a throw-away PostgreSQL server with the system's binaries (as the tests do; it
prints why and exits 0 where there are none). For each store: ``--decisions`` decisions
timed one by one in one process (median and p90 per write: the insert, its chain event,
the seal under the case's lock, the commit), then ``--writers`` processes deciding
``--decisions`` each at once (writes per second together; the chain is checked to be
one line afterwards). Decisions are unsigned here: signing costs the same on both stores.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from _postgres import find_binaries, throwaway_server  # noqa: E402

from resemble_nb.ledger import GENESIS, Ledger, event_hash  # noqa: E402
from resemble_nb.media import MediaItem  # noqa: E402

_WRITER = """
import sys, time
from resemble_nb.ledger import Ledger
target, n, sha = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with Ledger(target, folder=sys.argv[4]) as ledger:
    sys.stdout.write("ready\\n"); sys.stdout.flush(); sys.stdin.readline()
    for i in range(n):
        ledger.decide(sha, "inconclusive", str(i), reviewer="bench")
"""


def _item() -> MediaItem:
    return MediaItem(
        sha256=hashlib.sha256(b"bench").hexdigest(), size=1, media_type="audio",
        mime="audio/wav", extension=".wav", duration=1.0, paths=(Path("/bench.wav"),),
    )  # fmt: skip


def _one_process(target: str, folder: Path, n: int) -> tuple[float, float]:
    with Ledger(target, folder=folder) as ledger:
        ledger.add_items([_item()])
        times = []
        for i in range(n):
            started = time.perf_counter()
            ledger.decide(_item().sha256, "inconclusive", str(i), reviewer="bench")
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=10)[-1]


def _together(target: str, folder: Path, n: int, writers: int) -> tuple[float, bool]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, target, str(n), _item().sha256, str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(writers)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    started = time.perf_counter()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        assert proc.wait() == 0
    elapsed = time.perf_counter() - started
    with Ledger(target, folder=folder) as ledger:
        prev, ok = GENESIS, True
        for e in ledger.events():
            ok = (
                ok
                and e.prev == prev
                and e.hash
                == event_hash(e.seq, prev, e.kind, e.subject, e.at, e.payload, e.reconstructed)
            )
            prev = e.hash or ""
    return n * writers / elapsed, ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--decisions", type=int, default=300)
    parser.add_argument("--writers", type=int, default=2)
    args = parser.parse_args()
    binaries = find_binaries()
    if binaries is None:
        print("postgresql_writes: no PostgreSQL binaries (apt-get install postgresql); skipped")
        return
    with throwaway_server(binaries) as server, tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        stores = {
            "SQLite file": (str(folder / "a.db"), str(folder / "b.db")),
            "PostgreSQL case": (f"{server}?case=bench_a", f"{server}?case=bench_b"),
        }
        print(f"| store | one write, median | p90 | {args.writers} processes at once | chain |")
        print("|---|---|---|---|---|")
        for name, (single, shared) in stores.items():
            median, p90 = _one_process(single, folder, args.decisions)
            with Ledger(shared, folder=folder) as ledger:
                ledger.add_items([_item()])
            rate, ok = _together(shared, folder, args.decisions, args.writers)
            line = "one line" if ok else "BROKEN"
            print(f"| {name} | {median:.2f} ms | {p90:.2f} ms | {rate:.0f} writes/s | {line} |")


if __name__ == "__main__":
    main()
