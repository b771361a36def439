"""A review against a slow service, measured against its floor (issue 24 item 4).

    .venv/bin/python benchmarks/latency_floor.py [--files 1000] [--latency 3] [--repeat 3]

``--files`` distinct one-second WAVs (the throughput benchmark's) are reviewed with
``case.review(...).wait()`` against a sandbox in its own process that takes ``--latency``
seconds per detect (``--progress time``, its documented 40 requests/s). From the case's
own event chain: when the last detect was created (the last ``submitted`` job state),
when the last result was stored. The **floor** is the last create plus the latency: the
earliest moment the last result can exist. Printed per run: wall time, floor, their
ratio, the gap between the last result being ready and being collected, and the
requests the sandbox counted. Target: wall within 1.3x the floor.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from _sandbox_proc import SandboxProcess
from throughput import Admin, make_files

from resemble_nb.api import Client
from resemble_nb.case import Case


def _at(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def run_once(
    paths: list[Path], folder: Path, sandbox: SandboxProcess, latency: float
) -> dict[str, float]:
    admin = Admin(sandbox)
    admin.reset()
    shutil.rmtree(folder, ignore_errors=True)
    started = time.time()
    with Case(folder) as case:
        client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
        case.review(paths, client=client, display=False).wait()
        wall = time.time() - started
        client.close()
        moves = [(e.facts.get("to"), _at(e.at)) for e in case.ledger.events(kind="job_state")]
    last_create = max(at for to, at in moves if to == "submitted") - started
    last_stored = max(at for to, at in moves if to == "completed") - started
    floor = last_create + latency
    return {
        "wall": wall,
        "floor": floor,
        "ratio": wall / floor,
        "collected_after_ready": last_stored - floor,
        "requests": float(admin.stats()["requests_total"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="rnb-latency-"))
    try:
        paths = make_files(root / "evidence", args.files)
        with SandboxProcess(
            "--progress", "time", "--latency", str(args.latency), "--rate-limit", "40"
        ) as sandbox:
            runs = []
            for _ in range(args.repeat):
                got = run_once(paths, root / "case", sandbox, args.latency)
                runs.append(got)
                print(
                    f"  wall {got['wall']:5.2f} s, floor {got['floor']:5.2f} s "
                    f"({got['ratio']:.2f}x); last result collected "
                    f"{got['collected_after_ready']:+.2f} s after it could be ready; "
                    f"{got['requests']:.0f} requests",
                    flush=True,
                )
        ratio = statistics.median(r["ratio"] for r in runs)
        wall = statistics.median(r["wall"] for r in runs)
        print(f"{args.files} files, latency {args.latency:g} s: median wall {wall:.2f} s, "
              f"median {ratio:.2f}x the floor")  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
