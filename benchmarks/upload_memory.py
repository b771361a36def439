"""Peak resident memory while uploading a large file to ``POST /secure_uploads``.

Two uploaders, each in its own fresh process, send the same file to a sandbox that
runs as a third process:

* ``Client.secure_upload(path)`` and ``AsyncClient.secure_upload(path)`` from
  ``resemble_nb.api`` (they stream the open file through httpx's multipart
  encoder, 64 KiB at a time);
* the seed script's way: ``requests.post(url, files={"file": (name, f)})``, which
  builds the whole multipart body in memory.

Usage::

    python benchmarks/upload_memory.py            # 1 GiB file
    python benchmarks/upload_memory.py --size-mb 256

Prints (in MiB) the peak RSS of each uploader (sampled every 5 ms and from ``ru_maxrss``),
the RSS just before the upload started, and the ratio of the two peaks.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

MIB = 1024 * 1024
KEY_ENV = "RESEMBLE_API_KEY"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _make_file(path: Path, size_mb: int) -> None:
    block = os.urandom(MIB)  # incompressible, and the file is not sparse
    with path.open("wb") as f:
        for _ in range(size_mb):
            f.write(block)


def _wait_until_up(base_url: str, key: str, proc: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the sandbox exited with code {proc.returncode}")
        try:
            r = httpx.get(
                f"{base_url}/detect",
                params={"page": 1},
                headers={"Authorization": f"Bearer {key}"},
                timeout=1,
            )
            if r.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the sandbox did not start within 30 s")


class _PeakSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        import psutil

        self._proc = psutil.Process()
        self.peak = self._proc.memory_info().rss
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.005):
            self.peak = max(self.peak, self._proc.memory_info().rss)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


def _child(mode: str, base_url: str, path: Path) -> dict[str, Any]:
    """Run one upload in this (fresh) process and report its memory."""
    import asyncio

    import psutil
    import requests

    from resemble_nb.api import AsyncClient, Client

    key = os.environ[KEY_ENV]
    before = psutil.Process().memory_info().rss
    sampler = _PeakSampler()
    sampler.start()
    started = time.perf_counter()
    if mode == "client":
        with Client(api_key=key, base_url=base_url, timeout=600, max_retries=0) as client:
            token = client.secure_upload(path)
        ok = bool(token.reveal())
    elif mode == "async":

        async def upload() -> bool:
            async with AsyncClient(
                api_key=key, base_url=base_url, timeout=600, max_retries=0
            ) as client:
                return bool((await client.secure_upload(path)).reveal())

        ok = asyncio.run(upload())
    else:
        with path.open("rb") as f:
            resp = requests.post(
                f"{base_url}/secure_uploads",
                headers={"Authorization": f"Bearer {key}"},
                files={"file": (path.name, f)},
                timeout=600,
            )
        ok = resp.ok and bool(resp.json().get("token"))
    seconds = time.perf_counter() - started
    peak = max(sampler.stop(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    return {"mode": mode, "ok": ok, "before": before, "peak": peak, "seconds": seconds}


def _run_child(mode: str, base_url: str, path: Path, key: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--base-url", base_url, "--file", str(path)],
        env={**os.environ, KEY_ENV: key},
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    if not result["ok"]:
        raise RuntimeError(f"{mode} upload failed")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="file size in MiB (1024)")
    parser.add_argument("--child", choices=["client", "async", "requests"], help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.base_url, args.file)))
        return 0

    key = "bench_" + os.urandom(8).hex()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}/api/v2"
    with tempfile.TemporaryDirectory(prefix="rnb-upload-bench-") as tmp:
        path = Path(tmp) / "evidence.mp4"
        print(f"writing a {args.size_mb} MiB test file ...", flush=True)
        _make_file(path, args.size_mb)
        sandbox = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "resemble_nb.sandbox",
                "--port",
                str(port),
                "--api-key",
                key,
                "--rate-limit",
                "0",
                "--log-level",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=tmp,
        )
        try:
            _wait_until_up(base_url, key, sandbox)
            results = [
                _run_child(mode, base_url, path, key) for mode in ("client", "async", "requests")
            ]
        finally:
            sandbox.terminate()
            sandbox.wait(15)

    print(f"\nupload of {args.size_mb} MiB to POST /secure_uploads (sandbox on 127.0.0.1)")
    print(f"{'uploader':<46}{'RSS before':>12}{'peak RSS':>12}{'time':>9}")
    names = {
        "client": "resemble_nb Client.secure_upload",
        "async": "resemble_nb AsyncClient.secure_upload",
        "requests": "seed script: requests.post(files=...)",
    }
    for r in results:
        print(
            f"{names[r['mode']]:<46}{r['before'] / MIB:>8.0f} MiB{r['peak'] / MIB:>8.0f} MiB"
            f"{r['seconds']:>8.1f}s"
        )
    client, async_client, baseline = results
    print(f"\npeak ratio (seed script / Client): {baseline['peak'] / client['peak']:.1f}x")
    under = max(client["peak"], async_client["peak"]) < 100 * MIB
    print(f"client peaks under 100 MiB: {'yes' if under else 'NO'}")
    return 0 if under else 1


if __name__ == "__main__":
    sys.exit(main())
