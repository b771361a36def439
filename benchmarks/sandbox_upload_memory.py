"""Peak memory of the sandbox server while a large file streams into ``/secure_uploads``.

The file is a valid silent WAV written sparsely (no disk or time spent making it).
The server runs as its own process so its resident set size (RSS) can be watched
with psutil every 10 ms during the upload.

    .venv/bin/python benchmarks/sandbox_upload_memory.py [--mb 1024]
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, os.path.dirname(__file__))
from _sandbox_proc import SandboxProcess


def sparse_wav(path: Path, size: int, rate: int = 16000) -> None:
    header = b"RIFF" + struct.pack("<I", size - 8) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    header += b"data" + struct.pack("<I", size - 44)
    with open(path, "wb") as fh:
        fh.write(header)
        fh.truncate(size)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024, help="upload size in MiB")
    args = parser.parse_args()
    size = args.mb * 2**20
    with tempfile.TemporaryDirectory() as tmp:
        media = Path(tmp) / "long_call.wav"
        sparse_wav(media, size)
        with SandboxProcess("--rate-limit", "0", env={"TMPDIR": tmp}) as server:
            proc = psutil.Process(server.pid)
            headers = {"Authorization": f"Bearer {server.api_key}"}
            with httpx.Client(base_url=server.base_url, headers=headers, timeout=600) as client:
                client.get("/detect", params={"page": 1})
                baseline = proc.memory_info().rss
                peak = baseline
                done = threading.Event()

                def watch() -> None:
                    nonlocal peak
                    while not done.is_set():
                        peak = max(peak, proc.memory_info().rss)
                        time.sleep(0.01)

                watcher = threading.Thread(target=watch)
                watcher.start()
                start = time.perf_counter()
                with open(media, "rb") as fh:
                    r = client.post("/secure_uploads", files={"file": (media.name, fh)})
                elapsed = time.perf_counter() - start
                t0 = time.perf_counter()
                item = client.post(
                    "/detect", json={"media_token": r.json()["token"]}, headers={"Prefer": "wait"}
                ).json()["item"]
                detect_s = time.perf_counter() - t0
                done.set()
                watcher.join()
    mib = 2**20
    print(
        f"upload: {args.mb} MiB to /secure_uploads -> HTTP {r.status_code} in {elapsed:.1f} s "
        f"({args.mb / elapsed:.0f} MiB/s)"
    )
    print(
        f"server RSS: baseline {baseline / mib:.1f} MiB, peak {peak / mib:.1f} MiB, "
        f"growth {(peak - baseline) / mib:.1f} MiB"
    )
    print(
        f"detect by token (probe + scores, Prefer: wait): {detect_s * 1000:.0f} ms, "
        f"duration {item['duration']} s, {len(item['metrics']['score'])} windows"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
