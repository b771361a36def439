"""Time and peak memory of one API call against a hostile service (issue 18 item 4).

A server on 127.0.0.1 (tests/_servers.py, in this process) answers every request
badly; each call runs in its own fresh process, which reports its wall time, its peak
resident memory (``ru_maxrss``) and its RSS just before the call:

* ``bomb``: a 4 MB gzip answer that inflates to 4 GiB (256 gzip members of 16 MiB of
  zeros, the issue's case);
* ``bomb-single``: one gzip member of 256 MiB of zeros;
* ``stall``: the headers of a 200, ten bytes of the body, then silence;
* ``drip``: one byte every 0.2 s of a 1,000-byte body (the read timeout never fires);
* ``stall-before``: no answer at all after the request.

Usage::

    PYTHONPATH=. python benchmarks/transport_limits.py              # timeout 10 s
    PYTHONPATH=. python benchmarks/transport_limits.py --timeout 60 # the client's default

Prints one row per case: the client (sync/async), retries allowed, seconds, peak and
baseline RSS (MiB), and the error's message.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

CASES = [
    ("bomb", "sync", 0),
    ("bomb", "async", 0),
    ("bomb", "sync", 2),
    ("bomb-single", "sync", 0),
    ("stall-after-headers", "sync", 0),
    ("stall-after-headers", "async", 0),
    ("drip", "sync", 0),
    ("drip", "async", 0),
    ("stall-before-headers", "sync", 0),
    ("stall-after-headers", "sync", 2),
]


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(url: str, kind: str, retries: int, timeout: float) -> None:
    """One call, in this (fresh) process; prints a JSON line."""
    import asyncio

    from resemble_nb.api import AsyncClient, Client, ResembleError

    base = f"{url}/api/v2"
    before = _rss_mib()
    started = time.perf_counter()
    message = "no error"
    try:
        if kind == "sync":
            with Client(
                api_key="bench-key-not-a-secret",
                base_url=base,
                timeout=timeout,
                max_retries=retries,
            ) as c:
                c.list_detects()
        else:

            async def call() -> None:
                async with AsyncClient(
                    api_key="bench-key-not-a-secret",
                    base_url=base,
                    timeout=timeout,
                    max_retries=retries,
                ) as c:
                    await c.list_detects()

            asyncio.run(call())
    except ResembleError as exc:
        message = str(exc)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak": _rss_mib(), "before": before, "msg": message}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=10.0, help="the client's timeout (s)")
    parser.add_argument("--only", help="run only the cases of this mode (e.g. bomb)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, kind, retries, timeout = args.child
        child(url, kind, int(retries), float(timeout))
        return

    from _servers import HostileServer, gzip_bomb, gzip_single

    print(
        f"bomb: {len(gzip_bomb()) / 2**20:.1f} MiB of gzip -> 4096 MiB decoded; "
        f"bomb-single: {len(gzip_single()) / 2**20:.2f} MiB -> 256 MiB; "
        f"client timeout {args.timeout:g} s"
    )
    print(
        f"{'case':22} {'client':6} {'retries':>7} {'seconds':>8} {'peak MiB':>9} "
        f"{'before':>7}  message"
    )
    for mode, kind, retries in CASES:
        if args.only and mode != args.only:
            continue
        with HostileServer(mode) as server:
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    server.url,
                    kind,
                    str(retries),
                    str(args.timeout),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{mode:22} {kind:6} {retries:>7} {row['seconds']:>8.2f} {row['peak']:>9.1f} "
            f"{row['before']:>7.1f}  {row['msg'][:150]}"
        )


if __name__ == "__main__":
    main()
