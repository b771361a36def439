"""Start ``python -m resemble_nb.sandbox`` as a child process (shared by the sandbox benchmarks)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys


class SandboxProcess:
    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "resemble_nb.sandbox", "--port", "0", *args],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        assert self.proc.stdout is not None
        url_line = self.proc.stdout.readline().strip()
        key_line = self.proc.stdout.readline().strip()
        if not url_line.startswith("Resemble sandbox API: "):
            self.stop()
            raise RuntimeError(f"sandbox did not start: {url_line!r}")
        self.base_url = url_line.split(": ", 1)[1]
        self.api_key = key_line.split(": ", 1)[1]
        self.pid = self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
