"""Requests per second the sandbox sustains on this machine (rate limit disabled).

The sandbox runs as its own process (``python -m resemble_nb.sandbox``). Each scenario
is driven twice for ``--seconds``, by ``--concurrency`` keep-alive connections:

* ``httpx``: an ``httpx.AsyncClient``, as the project's client would; on 2 cores
  this measures mostly the client (httpx spends ~3 ms of CPU per request).
* ``raw``: a minimal asyncio HTTP/1.1 client (pre-built request bytes), so the
  server is the bottleneck; the server's CPU time per request is shown too.

    .venv/bin/python benchmarks/sandbox_throughput.py [--seconds 5] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import statistics
import sys
import time
import wave
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import psutil

sys.path.insert(0, os.path.dirname(__file__))
from _sandbox_proc import SandboxProcess


def _wav(seconds: float, rate: int = 16000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(int(seconds * rate) * 2))
    return buf.getvalue()


@dataclass
class Scenario:
    name: str
    method: str
    path: str
    body: bytes = b""
    content_type: str = ""


def _multipart(field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "benchmarkboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: audio/wav\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def _request_bytes(s: Scenario, host: str, key: str) -> bytes:
    lines = [f"{s.method} {s.path} HTTP/1.1", f"Host: {host}", f"Authorization: Bearer {key}"]
    if s.body:
        lines += [f"Content-Type: {s.content_type}", f"Content-Length: {len(s.body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + s.body


async def _raw_worker(
    host: str, port: int, request: bytes, deadline: float, lat: list[float], errors: list[int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            lat.append(time.perf_counter() - t0)
            if status >= 400:
                errors.append(status)
    finally:
        writer.close()


async def _httpx_worker(
    client: httpx.AsyncClient, s: Scenario, deadline: float, lat: list[float], errors: list[int]
) -> None:
    headers = {"Content-Type": s.content_type} if s.body else {}
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        r = await client.request(s.method, s.path, content=s.body or None, headers=headers)
        lat.append(time.perf_counter() - t0)
        if r.status_code >= 400:
            errors.append(r.status_code)


def _line(
    label: str, s: Scenario, lat: list[float], errors: list[int], elapsed: float, cpu: float | None
) -> str:
    lat.sort()
    p50 = 1000 * statistics.median(lat)
    p99 = 1000 * lat[int(0.99 * (len(lat) - 1))]
    text = (
        f"{label:<6} {s.name:<30} {len(lat) / elapsed:7.0f} req/s  "
        f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
    )
    if cpu is not None:
        text += f"  server CPU {1000 * cpu / len(lat):.2f} ms/req"
    return text + (f"  ({len(errors)} errors)" if errors else "")


async def _run(base_url: str, key: str, pid: int, seconds: float, concurrency: int) -> None:
    parts = urlsplit(base_url)
    host, port, prefix = parts.hostname or "127.0.0.1", parts.port or 80, parts.path
    server = psutil.Process(pid)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {key}"}, limits=limits, timeout=60
    ) as client:
        up = await client.post("/secure_uploads", files={"file": ("a.wav", _wav(3.0))})
        token = up.json()["token"]
        created = await client.post("/detect", json={"media_token": token})
        uuid = created.json()["item"]["uuid"]
        for _ in range(200):  # something to list
            await client.post("/detect", json={"url": "https://example.com/x.wav"})
        upload_body, upload_type = _multipart("file", "s.wav", _wav(1.0))
        scenarios = [
            Scenario("GET /detect/{uuid}", "GET", f"{prefix}/detect/{uuid}"),
            Scenario(
                "POST /detect (media_token)",
                "POST",
                f"{prefix}/detect",
                json.dumps({"media_token": token}).encode(),
                "application/json",
            ),
            Scenario("GET /detect?page_size=100", "GET", f"{prefix}/detect?page=1&page_size=100"),
            Scenario(
                "POST /secure_uploads (32 kB)",
                "POST",
                f"{prefix}/secure_uploads",
                upload_body,
                upload_type,
            ),
        ]
        for s in scenarios:
            for label in ("raw", "httpx"):
                lat: list[float] = []
                errors: list[int] = []
                cpu0 = sum(server.cpu_times()[:2])
                start = time.perf_counter()
                deadline = start + seconds
                if label == "raw":
                    request = _request_bytes(s, f"{host}:{port}", key)
                    jobs = [
                        _raw_worker(host, port, request, deadline, lat, errors)
                        for _ in range(concurrency)
                    ]
                else:
                    rel = Scenario(s.name, s.method, s.path[len(prefix) :], s.body, s.content_type)
                    jobs = [
                        _httpx_worker(client, rel, deadline, lat, errors)
                        for _ in range(concurrency)
                    ]
                await asyncio.gather(*jobs)
                elapsed = time.perf_counter() - start
                cpu = sum(server.cpu_times()[:2]) - cpu0
                print(_line(label, s, lat, errors, elapsed, cpu), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, connections: {args.concurrency}, {args.seconds:.0f} s each")
    with SandboxProcess("--rate-limit", "0") as server:
        asyncio.run(
            _run(server.base_url, server.api_key, server.pid, args.seconds, args.concurrency)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
