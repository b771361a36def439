"""The review engine against the seed script's method: wall time, requests per file, 429s.

    .venv/bin/python benchmarks/throughput.py [--files 200] [--latency 3] [--no-baseline]

A sandbox runs as its own process with ``--progress time --latency 3`` (every detect
finishes 3 s after it is created) and its documented limit of 40 requests/s per key.
The same ``--files`` small, distinct WAVs are then analysed twice, with the sandbox's
store and counters reset in between:

* **engine**: ``rnb.Case(folder).review(files, client=...).wait()`` with its defaults
  (``strategy="auto"``: batches of up to 50 files; one rate limiter at 20 requests/s;
  polling that starts 1 s apart and stretches to 10 s). ``--single`` adds a run with
  ``strategy="single"`` (secure upload + detect per file) for comparison.
* **baseline**: the seed script's method (``/work/shared/seeds``): 4 threads, each
  uploads a file to ``/secure_uploads`` with ``requests``, submits ``POST /detect`` with
  the ``media_token``, and polls ``GET /detect/{uuid}`` every 5 s until it is done.

Printed for each: wall time, HTTP requests per file and by route (counted by the
sandbox), and 429s received. Targets (issue 4): the engine at least 10x faster than the
baseline, at most 1.5 requests per file, no 429 storms.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import struct
import sys
import tempfile
import time
import wave
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, os.path.dirname(__file__))
from _sandbox_proc import SandboxProcess

from resemble_nb.api import Client
from resemble_nb.case import Case

BASELINE_WORKERS = 4
BASELINE_POLL = 5


def make_files(folder: Path, count: int, seconds: float = 1.0) -> list[Path]:
    """``count`` distinct one-second WAV tones (16 kB each)."""
    folder.mkdir(parents=True, exist_ok=True)
    rate = 8000
    paths = []
    for i in range(count):
        freq = 200.0 + 5.0 * i
        frames = b"".join(
            struct.pack("<h", int(6000 * math.sin(2 * math.pi * freq * n / rate)))
            for n in range(int(seconds * rate))
        )
        path = folder / f"clip{i:04d}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(frames)
        paths.append(path)
    return paths


# -- the sandbox's own counters ---------------------------------------------------------------


class Admin:
    def __init__(self, sandbox: SandboxProcess) -> None:
        self.root = sandbox.base_url.removesuffix("/api/v2")
        self.headers = {"Authorization": f"Bearer {sandbox.api_key}"}

    def reset(self) -> None:
        response = requests.post(
            f"{self.root}/_sandbox/reset", json={"all": True}, headers=self.headers, timeout=10
        )
        response.raise_for_status()

    def stats(self) -> dict[str, Any]:
        response = requests.get(f"{self.root}/_sandbox/stats", headers=self.headers, timeout=10)
        response.raise_for_status()
        stats: dict[str, Any] = response.json()
        return stats


# -- the baseline: the seed script's method ----------------------------------------------------


class SeedScript:
    """``detect_with_secure_uploads.py`` from the seeds, pointed at the sandbox."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.base_url = base_url
        self.api_key = api_key

    def json_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}

    def auth_only_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def secure_upload(self, path: str) -> str:
        with open(path, "rb") as f:
            resp = requests.post(
                f"{self.base_url}/secure_uploads",
                headers=self.auth_only_headers(),
                files={"file": (os.path.basename(path), f)},
            )
        if not resp.ok:
            raise RuntimeError(f"POST /secure_uploads returned {resp.status_code}")
        token = resp.json().get("token")
        if not token:
            raise RuntimeError("no token in secure upload response")
        return str(token)

    def submit_detect(self, media_token: str) -> str:
        payload = {"media_token": media_token}
        resp = requests.post(f"{self.base_url}/detect", headers=self.json_headers(), json=payload)
        if not resp.ok:
            raise RuntimeError(f"POST /detect returned {resp.status_code}")
        uuid = resp.json().get("item", {}).get("uuid")
        if not uuid:
            raise RuntimeError("no uuid in detect response")
        return str(uuid)

    def poll_for_result(
        self, uuid: str, timeout: int = 600, interval: int = BASELINE_POLL
    ) -> dict[str, Any]:
        url = f"{self.base_url}/detect/{uuid}"
        deadline = time.time() + timeout
        while time.time() < deadline:
            resp = requests.get(url, headers=self.json_headers())
            if not resp.ok:
                raise RuntimeError(f"GET /detect/{uuid} returned {resp.status_code}")
            item: dict[str, Any] = resp.json().get("item", {})
            if item.get("status", "unknown") in ("completed", "failed"):
                return item
            time.sleep(interval)
        raise RuntimeError(f"polling timed out after {timeout}s")

    def process_file(self, path: str) -> dict[str, Any]:
        token = self.secure_upload(path)
        uuid = self.submit_detect(token)
        result = self.poll_for_result(uuid)
        if result.get("status") != "completed":
            raise RuntimeError(f"detect job {uuid} ended with status={result.get('status')}")
        return result

    def run(self, paths: list[Path]) -> tuple[int, list[str]]:
        succeeded, failed = 0, []
        with ThreadPoolExecutor(max_workers=BASELINE_WORKERS) as pool:
            futures = {pool.submit(self.process_file, str(p)): p for p in paths}
            for future in as_completed(futures):
                try:
                    future.result()
                    succeeded += 1
                except Exception as exc:
                    failed.append(f"{futures[future].name}: {exc}")
        return succeeded, failed


# -- measuring ----------------------------------------------------------------------------------


def _measure(name: str, admin: Admin, files: int, work: Any) -> dict[str, Any]:
    admin.reset()
    start = time.perf_counter()
    outcome = work()
    wall = time.perf_counter() - start
    stats = admin.stats()
    requests_total = stats["requests_total"]
    print(f"\n{name}")
    print(f"  wall time        {wall:8.1f} s")
    print(f"  outcome          {outcome}")
    print(f"  HTTP requests    {requests_total} ({requests_total / files:.2f} per file)")
    print(f"  429s received    {stats['rate_limited']}")
    print(f"  detects created  {stats['detects_created']} (batches {stats['batches_created']})")
    for route, by_status in stats["requests"].items():
        counts = ", ".join(f"{status}: {n}" for status, n in sorted(by_status.items()))
        print(f"    {route:28} {counts}")
    return {"wall": wall, "requests": requests_total, "rate_limited": stats["rate_limited"]}


def _engine(sandbox: SandboxProcess, paths: list[Path], folder: Path, strategy: str) -> Any:
    def work() -> str:
        case_dir = folder / f"case-{strategy}"
        shutil.rmtree(case_dir, ignore_errors=True)
        with Case(case_dir) as case:
            client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
            run = case.review(paths, client=client, strategy=strategy, display=False).wait()
            engine = run.stats()
            return (
                f"{run.progress.describe()}; engine saw {engine.get('rate_limited', 0)} 429s, "
                f"waited on its limiter {engine.get('limiter_waits', 0)} times"
            )

    return work


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--latency", type=float, default=3.0)
    parser.add_argument("--no-baseline", action="store_true", help="skip the slow baseline")
    parser.add_argument("--single", action="store_true", help="also run strategy='single'")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="rnb-throughput-"))
    try:
        paths = make_files(folder / "evidence", args.files)
        print(
            f"{args.files} files, sandbox in its own process: progress=time, "
            f"latency={args.latency:g} s, 40 requests/s per key"
        )
        with SandboxProcess(
            "--progress", "time", "--latency", str(args.latency), "--rate-limit", "40"
        ) as sandbox:
            admin = Admin(sandbox)
            engine = _measure(
                "engine: case.review(...).wait(), strategy='auto'",
                admin,
                args.files,
                _engine(sandbox, paths, folder, "auto"),
            )
            if args.single:
                _measure(
                    "engine: strategy='single' (secure upload + detect per file)",
                    admin,
                    args.files,
                    _engine(sandbox, paths, folder, "single"),
                )
            if args.no_baseline:
                return 0
            seed = SeedScript(sandbox.base_url, sandbox.api_key)

            def baseline_work() -> str:
                succeeded, failed = seed.run(paths)
                return f"{succeeded} succeeded, {len(failed)} failed {failed[:3]}"

            baseline = _measure(
                f"baseline: the seed script's method ({BASELINE_WORKERS} threads, "
                f"poll every {BASELINE_POLL} s)",
                admin,
                args.files,
                baseline_work,
            )
        ratio = baseline["wall"] / engine["wall"]
        print(
            f"\nengine {engine['wall']:.1f} s vs baseline {baseline['wall']:.1f} s: "
            f"{ratio:.1f}x faster (target >= 10x); "
            f"{engine['requests'] / args.files:.2f} vs {baseline['requests'] / args.files:.2f} "
            f"requests per file (target <= 1.5); 429s {engine['rate_limited']} vs "
            f"{baseline['rate_limited']}"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
