"""``resemble-nb doctor`` and ``rnb.doctor()`` over real HTTP: the sandbox, a closed port,
a wrong key, a server whose clock is an hour off."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest

import resemble_nb as rnb
from resemble_nb.cli import main
from resemble_nb.sandbox import Sandbox


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESEMBLE_")}
    return {**env, **values}


def test_command_against_the_sandbox_prints_its_table_and_exits_0(sandbox: Sandbox) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "resemble_nb.cli", "doctor"],
        env=_env(RESEMBLE_API_KEY=sandbox.api_key, RESEMBLE_BASE_URL=sandbox.base_url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for check in ("API key", "Service", "TLS", "Clock", "Rate-limit headers", "Sandbox"):
        assert check in out
    assert "yes (X-Resemble-Sandbox: 1)" in out and "ready" in out.splitlines()[-1]
    assert sandbox.api_key not in out + done.stderr
    # It sent only reads.
    assert set(sandbox.stats()["requests"]) == {"GET /detect"}


def test_closed_port_says_why_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESEMBLE_API_KEY", "some_key")
    url = f"http://127.0.0.1:{_closed_port()}/api/v2"
    code = main(["doctor", "--base-url", url, "--timeout", "5"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "connection refused" in err


def test_wrong_key_says_why_in_one_line(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESEMBLE_API_KEY", "not_the_key")
    code = main(["doctor", "--base-url", sandbox.base_url])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "API key" in err and "refused" in err and "401" in err
    assert "not_the_key" not in err


def test_no_key_says_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox
) -> None:
    monkeypatch.delenv("RESEMBLE_API_KEY", raising=False)
    assert main(["doctor", "--base-url", sandbox.base_url]) == 1
    assert "RESEMBLE_API_KEY" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("order", "said"), [("newest", "newest first"), ("oldest", "oldest first")]
)
def test_notebook_table_reports_the_list_order(
    sandbox_factory: Callable[..., Sandbox], order: str, said: str
) -> None:
    sb = sandbox_factory(list_order=order)
    with httpx.Client(
        base_url=sb.base_url, headers={"Authorization": f"Bearer {sb.api_key}"}
    ) as api:
        for i in range(3):
            api.post("/detect", json={"url": f"https://example.com/{i}.wav"})
    report = rnb.doctor(api_key=sb.api_key, base_url=sb.base_url)
    assert report.ok
    rows = {f.check: f for f in report.findings}
    assert rows["List order"].found.startswith(said)
    assert rows["List page"].found.startswith("3 detects")
    assert rows["Sandbox"].found.startswith("yes")
    assert all(f.engine for f in report.findings if f.check != "Service" and f.check != "TLS")
    html = report._repr_html_()
    assert html.count("<tr>") == len(report.findings) + 1 and said in html
    assert "List order" in repr(report) and sb.api_key not in repr(report) + html


@pytest.fixture
def skewed_server() -> Iterator[str]:
    """A stand-in that answers GET /detect with a Date an hour behind."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(
                {
                    "success": True,
                    "page": 1,
                    "num_pages": 0,
                    "page_size": 100,
                    "total_count": 0,
                    "items": [],
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Retry-After", "3")
            self.end_headers()
            self.wfile.write(body)

        def date_time_string(self, timestamp: float | None = None) -> str:
            import time

            return formatdate(time.time() - 3600, usegmt=True)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/v2"
    server.shutdown()
    server.server_close()


def test_clock_an_hour_off_is_a_problem(
    skewed_server: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = rnb.doctor(api_key="k", base_url=skewed_server)
    rows = {f.check: f for f in report.findings}
    assert rows["Clock"].level == "problem" and "behind" in rows["Clock"].found
    assert rows["Rate-limit headers"].found == "Retry-After"
    assert rows["Sandbox"].found.startswith("no")
    assert rows["List order"].found.startswith("unknown")
    monkeypatch.setenv("RESEMBLE_API_KEY", "k")
    assert main(["doctor", "--base-url", skewed_server]) == 1
    out = capsys.readouterr().out
    assert "Clock" in out and out.splitlines()[-1].startswith("resemble-nb doctor: Clock")
