"""A client that goes away mid-request is one log line, not a traceback or a 500
(issue 18 item 8)."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator

import pytest

from resemble_nb.sandbox import Sandbox


class _Watch(logging.Handler):
    """Every record, and an event set when the sandbox says a client went away."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.gone = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if "client went away" in record.getMessage():
            self.gone.set()


@pytest.fixture
def watch() -> Iterator[_Watch]:
    handler = _Watch()
    loggers = [logging.getLogger(n) for n in ("resemble_nb.sandbox", "uvicorn.error", "uvicorn")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    yield handler
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


@pytest.mark.parametrize(
    "route", ["/api/v2/detect", "/api/v2/detect/batch", "/api/v2/secure_uploads"]
)
def test_a_client_leaving_mid_upload_is_one_line_and_no_500(watch: _Watch, route: str) -> None:
    with Sandbox(port=0) as sandbox:
        host, port = sandbox.base_url.split("//")[1].split("/")[0].rsplit(":", 1)
        field = "files[]" if route.endswith("batch") else "file"
        head = (
            f'--XX\r\nContent-Disposition: form-data; name="{field}"; filename="a.wav"\r\n'
            "Content-Type: audio/wav\r\n\r\nRIFF"
        ).encode() + bytes(200_000)
        request = (
            f"POST {route} HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {sandbox.api_key}\r\n"
            "Content-Type: multipart/form-data; boundary=XX\r\n"
            "Content-Length: 50000000\r\n\r\n"  # promises 50 MB, sends 200 KB, then leaves
        ).encode()
        with socket.create_connection((host, int(port))) as conn:
            conn.sendall(request + head)
        assert watch.gone.wait(30), [r.getMessage() for r in watch.records]
        counted = sandbox.stats()["requests"]
    template = "POST " + route.removeprefix("/api/v2")
    assert counted[template] == {"499": 1}  # not a 500
    said = [r for r in watch.records if "client went away" in r.getMessage()]
    assert len(said) == 1 and said[0].getMessage().endswith(route)
    assert not [r for r in watch.records if r.exc_info or r.levelno >= logging.ERROR]
