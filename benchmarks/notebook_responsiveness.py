"""Is the notebook still usable while a big review runs? And how long does the demo take?

Prints three figures (issue 5):

1. ``make demo`` wall time: ``run_demo()`` into a temporary folder (sandbox start, two
   notebooks executed headless, report, leak scan).
2. Board updates per second for a 1,000-item review: a real IPython kernel (started with
   jupyter_client, like JupyterLab does) runs ``case.review(...)`` on 1,000 small WAV
   files against a sandbox in its own process (as the real API would be), with the live
   JobBoard displayed. Counted twice: pushes made by the board, and widget ``comm_msg``
   messages that reached the frontend side (this script) over the kernel's iopub socket.
3. How long a trivial cell (``1+1``) takes while that review works: round trip from
   ``execute_request`` to ``execute_reply``, sent back to back for the whole review.
   Target: under 100 ms.

    .venv/bin/python benchmarks/notebook_responsiveness.py [--items 1000] [--latency 3] [--embedded]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import queue
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

from jupyter_client.manager import start_new_kernel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _sandbox_proc import SandboxProcess

SETUP = """
import json, time
import resemble_nb as rnb
from IPython.display import display
from resemble_nb.api import Client
from resemble_nb.widgets import JobBoard

client = Client(api_key={key!r}, base_url={url!r})
case = rnb.Case({case!r})
"""
SETUP_EMBEDDED = """
import json, time
import resemble_nb as rnb
from IPython.display import display
from resemble_nb.api import Client
from resemble_nb.sandbox import Sandbox
from resemble_nb.widgets import JobBoard

sandbox = Sandbox(port=0, progress="time", latency={latency!r}).start()
client = Client(api_key=sandbox.api_key, base_url=sandbox.base_url)
case = rnb.Case({case!r})
"""
START = """
run = case.review([{media!r}], client=client, display=False)
board = JobBoard(run)
display(board)
"""
REPORT = """
board.wait(30)
print(json.dumps({
    "wall_s": (run.finished_at - run.started_at).total_seconds(),
    "updates": board.updates_sent,
    "events": board.events_seen,
    "counts": dict(run.progress.counts),
}))
"""


def _tiny_wav(path: Path, i: int) -> None:
    """A quarter second of 8 kHz silence with one distinct sample: a distinct item."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        frames = bytearray(4000)
        frames[0:4] = i.to_bytes(4, "little")
        out.writeframes(bytes(frames))


def demo_wall_time() -> float:
    from resemble_nb.cli._demo import run_demo

    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
        start = time.perf_counter()
        code = run_demo(out=Path(tmp) / "build")
        wall = time.perf_counter() - start
    if code != 0:
        raise SystemExit("the demo failed; run `make demo` to see why")
    return wall


def _execute(kc: Any, code: str, timeout: float = 120) -> tuple[float, dict[str, Any]]:
    """Run ``code``; return (seconds to the reply, reply content)."""
    start = time.perf_counter()
    msg_id = kc.execute(code, store_history=False)
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return time.perf_counter() - start, reply["content"]


def _run_done(kc: Any) -> bool:
    msg_id = kc.execute("", store_history=False, user_expressions={"done": "run.done"})
    while True:
        reply = kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            done = reply["content"]["user_expressions"]["done"]
            return bool(done.get("data", {}).get("text/plain") == "True")


def _drain_iopub(kc: Any, tally: dict[str, int], stdout: list[str]) -> None:
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=0)
        except queue.Empty:
            return
        kind = msg["msg_type"]
        tally[kind] = tally.get(kind, 0) + 1
        if kind == "comm_msg":
            tally["comm_bytes"] = tally.get("comm_bytes", 0) + len(json.dumps(msg["content"]))
        elif kind == "stream":
            stdout.append(msg["content"]["text"])
        elif kind == "error":
            stdout.append("\n".join(msg["content"]["traceback"]))


def review_in_kernel(items: int, latency: float, embedded: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        media = Path(tmp) / "media"
        media.mkdir()
        for i in range(items):
            _tiny_wav(media / f"clip{i:04d}.wav", i)
        with contextlib.ExitStack() as stack:
            if embedded:
                setup = SETUP_EMBEDDED.format(latency=latency, case=f"{tmp}/case")
            else:
                sandbox = stack.enter_context(
                    SandboxProcess("--progress", "time", "--latency", str(latency))
                )
                setup = SETUP.format(key=sandbox.api_key, url=sandbox.base_url, case=f"{tmp}/case")
            km, kc = start_new_kernel(kernel_name="python3", extra_arguments=["--log-level=ERROR"])
            try:
                tally: dict[str, int] = {}
                out: list[str] = []
                _, reply = _execute(kc, setup)
                assert reply["status"] == "ok", reply
                _, reply = _execute(kc, START.format(media=str(media)))
                assert reply["status"] == "ok", reply
                _drain_iopub(kc, {}, out)  # the display itself is not an update
                started = time.perf_counter()
                trivial: list[float] = []
                slow_at: list[float] = []
                last_check = 0.0
                while True:
                    took, reply = _execute(kc, "1+1")
                    assert reply["status"] == "ok", reply
                    trivial.append(took)
                    if took >= 0.1:
                        slow_at.append(time.perf_counter() - started - took)
                    _drain_iopub(kc, tally, out)
                    if time.perf_counter() - last_check > 0.5:
                        last_check = time.perf_counter()
                        if _run_done(kc):
                            break
                    if time.perf_counter() - started > 600:
                        raise SystemExit("the review did not finish within 10 minutes")
                watched = time.perf_counter() - started
                out.clear()
                _, reply = _execute(kc, REPORT)
                time.sleep(0.3)
                _drain_iopub(kc, tally, out)
                report = json.loads("".join(out).strip().splitlines()[-1])
            finally:
                kc.stop_channels()
                km.shutdown_kernel(now=True)
    trivial_ms = sorted(t * 1e3 for t in trivial)
    return {
        **report,
        "watched_s": watched,
        "comm_msgs": tally.get("comm_msg", 0),
        "comm_kb": tally.get("comm_bytes", 0) / 1024,
        "trivial_n": len(trivial_ms),
        "trivial_median_ms": statistics.median(trivial_ms),
        "trivial_p95_ms": trivial_ms[int(0.95 * (len(trivial_ms) - 1))],
        "trivial_max_ms": trivial_ms[-1],
        "trivial_over_100ms": sum(t >= 100 for t in trivial_ms),
        "slow_at": slow_at,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=3.0, help="sandbox seconds per job")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo timing")
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="also run with the sandbox inside the kernel (what connect(sandbox=True) does)",
    )
    args = parser.parse_args()

    if not args.no_demo:
        print(f"make demo (run_demo) wall time: {demo_wall_time():.1f} s")
    _print_review(args, review_in_kernel(args.items, args.latency), "its own process")
    if args.embedded:
        _print_review(args, review_in_kernel(args.items, args.latency, embedded=True), "the kernel")


def _when(moments: list[float]) -> str:
    if not moments:
        return ""
    return " — sent at " + ", ".join(f"{t:.1f} s" for t in moments) + " into the review"


def _print_review(args: argparse.Namespace, r: dict[str, Any], where: str) -> None:
    wall = r["wall_s"]
    print(
        f"{args.items:,}-item review in a kernel (sandbox in {where}, jobs take "
        f"{args.latency:g} s): {wall:.1f} s, states {r['counts']}"
    )
    print(
        f"  board: {r['updates']} pushes ({r['updates'] / wall:.1f}/s) for {r['events']:,} "
        f"run events; frontend received {r['comm_msgs']} comm messages "
        f"({r['comm_msgs'] / r['watched_s']:.1f}/s, {r['comm_kb'] / r['watched_s']:.1f} KB/s)"
    )
    print(
        f"  trivial cell (1+1) during the review: {r['trivial_n']} runs, median "
        f"{r['trivial_median_ms']:.1f} ms, p95 {r['trivial_p95_ms']:.1f} ms, max "
        f"{r['trivial_max_ms']:.1f} ms, {r['trivial_over_100ms']} at 100 ms or more "
        f"(target < 100 ms){_when(r['slow_at'])}"
    )


if __name__ == "__main__":
    main()
