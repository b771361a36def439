"""``resemble-nb detect`` of many tiny files, end to end: wall time, requests, peak memory.

    .venv/bin/python benchmarks/detect.py [--files 500 1000 5000 20000] [--repeat 3]
        [--latency 0] [--rate-limit 40]

For each count, that many distinct 4 kB WAV files are written to a temporary folder, a
sandbox runs in its own process (``--latency`` seconds per detect, its documented 40
requests/s limit unless ``--rate-limit`` says otherwise), and the installed command runs
in a fresh process into a fresh case: ``resemble-nb detect FOLDER --case CASE --base-url
URL --no-progress``. Printed per run: wall time, the sandbox's request count, and the
command's peak resident memory (``wait4``'s ``ru_maxrss``); then the median of the runs
and the cost per file. Target: 5,000 files under 10 s and under 100 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from _sandbox_proc import SandboxProcess
from throughput import Admin


def make_files(folder: Path, count: int, size: int = 4096) -> None:
    """``count`` distinct WAV files of ``size`` bytes (8 kHz mono, 16-bit)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = (size - 44) // 8 * 8
    for i in range(count):
        header = b"RIFF" + struct.pack("<I", 36 + data) + b"WAVE"
        fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
        samples = struct.pack("<Q", i) * (data // 8)
        body = b"data" + struct.pack("<I", data) + samples
        (folder / f"f{i:05d}.wav").write_bytes(header + fmt + body)


def run_once(folder: Path, case: Path, sandbox: SandboxProcess) -> tuple[float, int, float]:
    """(wall s, requests, peak RSS MiB) of one ``detect`` in a fresh process."""
    admin = Admin(sandbox)
    admin.reset()
    shutil.rmtree(case, ignore_errors=True)
    command = Path(sys.executable).parent / "resemble-nb"
    env = {**os.environ, "RESEMBLE_API_KEY": sandbox.api_key}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(command), "detect", str(folder), "--case", str(case), "--base-url",
         sandbox.base_url, "--no-progress"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        assert proc.stderr is not None
        raise RuntimeError(f"detect failed: {proc.stderr.read().decode()[-2000:]}")
    requests = int(admin.stats()["requests_total"])
    return wall, requests, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, nargs="+", default=[500, 1000, 5000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--rate-limit", type=float, default=40.0)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="rnb-detect-"))
    extra = ["--latency", str(args.latency)] if args.latency else []
    try:
        with SandboxProcess(*extra, "--rate-limit", str(args.rate_limit)) as sandbox:
            for count in args.files:
                folder = root / f"files-{count}"
                make_files(folder, count)
                runs = []
                for _ in range(args.repeat):
                    wall, requests, rss = run_once(folder, root / "case", sandbox)
                    runs.append((wall, requests, rss))
                    print(f"  {count:>6,} files: {wall:6.2f} s, {requests} requests, "
                          f"peak RSS {rss:5.0f} MiB", flush=True)  # fmt: skip
                wall = statistics.median(r[0] for r in runs)
                rss = statistics.median(r[2] for r in runs)
                print(f"{count:>6,} files: median {wall:.2f} s ({1000 * wall / count:.2f} ms "
                      f"per file), peak RSS {rss:.0f} MiB", flush=True)  # fmt: skip
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
