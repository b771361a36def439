"""Outbound fetches (heatmap URLs and other artifacts): https only, public addresses only
(checked after DNS and on every redirect), bounded; each refusal has a reason
(issue 18 item 3). Nothing here reaches beyond 127.0.0.1: refused hosts are never
connected to."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from resemble_nb.engine._outbound import Outbound, Pinned, address_kind
from resemble_nb.engine._visuals import MAX_BYTES, _fetch

REAL_API = Outbound.for_api("https://app.resemble.ai/api/v2")
SANDBOX_API = Outbound.for_api("http://127.0.0.1:8765/api/v2")


def _pin(rule: Outbound, url: str) -> Pinned | str:
    return asyncio.run(rule.pin(url))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://cdn.example/h.png", "not an https URL"),
        ("file:///etc/passwd", "not an https URL"),
        ("ftp://cdn.example/h.png", "not an https URL"),
        ("javascript:alert(1)", "not an https URL"),
        ("https://127.0.0.1/h.png", "it points to a loopback address"),
        ("https://127.1.2.3:8443/h.png", "it points to a loopback address"),
        ("https://[::1]/h.png", "it points to a loopback address"),
        ("https://[::ffff:127.0.0.1]/h.png", "it points to a loopback address"),
        ("https://localhost/h.png", "its host resolves to a loopback address"),
        ("https://10.0.0.8/h.png", "it points to a private address"),
        ("https://192.168.1.1/h.png", "it points to a private address"),
        ("https://172.16.0.1/h.png", "it points to a private address"),
        ("https://[fd12::1]/h.png", "it points to a private address"),
        ("https://169.254.169.254/latest/meta-data/", "it points to a cloud metadata address"),
        ("https://[fd00:ec2::254]/", "it points to a cloud metadata address"),
        ("https://100.100.100.200/", "it points to a cloud metadata address"),
        ("https://169.254.10.10/", "it points to a link-local address"),
        ("https://0.0.0.0/", "it points to a private address"),
        ("https://user:pw@cdn.example/h.png", "a URL with credentials in it"),
        ("https:///h.png", "a URL without a host"),
    ],
)
def test_the_real_api_fetches_only_public_https(url: str, reason: str) -> None:
    assert _pin(REAL_API, url) == reason


def test_the_sandbox_may_fetch_its_own_loopback_http_and_nothing_more_internal() -> None:
    assert SANDBOX_API.allow_http and SANDBOX_API.allowed_kinds == {"loopback"}
    hop = _pin(SANDBOX_API, "http://localhost:9/_artifacts/x.png?sig=1")
    assert isinstance(hop, Pinned)
    assert hop.url.host in ("127.0.0.1", "::1") and hop.headers == {"Host": "localhost:9"}
    assert _pin(SANDBOX_API, "http://10.1.2.3/x.png") == "it points to a private address"
    assert _pin(SANDBOX_API, "http://169.254.169.254/") == "it points to a cloud metadata address"
    assert _pin(SANDBOX_API, "file:///etc/passwd") == "not an https URL"
    # an on-premises API on a private address may use that kind of address, not loopback
    onprem = Outbound.for_api("https://10.20.30.40/api/v2")
    assert not onprem.allow_http and onprem.allowed_kinds == {"private"}
    assert _pin(onprem, "https://127.0.0.1/x") == "it points to a loopback address"


def test_a_public_https_host_is_pinned_to_its_checked_address() -> None:
    hop = _pin(REAL_API, "https://93.184.215.14:8443/h.png?X-Amz-Signature=s")
    assert isinstance(hop, Pinned)
    assert str(hop.url) == "https://93.184.215.14:8443/h.png?X-Amz-Signature=s"
    assert address_kind("93.184.215.14") is None and address_kind("192.0.0.192") == "metadata"


class _Redirector(BaseHTTPRequestHandler):
    """A server on 127.0.0.1 that redirects where the path says, or sends a huge body."""

    def do_GET(self) -> None:
        if self.path.startswith("/to/"):
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/to/"))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/huge":
            self.send_response(200)
            self.end_headers()  # no Content-Length: only the bytes tell
            chunk = b"\x89PNG\r\n\x1a\n" + b"\0" * (1 << 20)
            try:
                for _ in range(MAX_BYTES // len(chunk) + 4):
                    self.wfile.write(chunk)
            except OSError:
                pass  # the client stopped reading, as it should
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def redirector() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def _get(url: str) -> tuple[bytes, str] | str:
    async def go() -> tuple[bytes, str] | str:
        async with httpx.AsyncClient(timeout=10, follow_redirects=False) as client:
            return await _fetch(client, url, SANDBOX_API)

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "it points to a cloud metadata address"),
        ("http://10.0.0.1/admin", "it points to a private address"),
        ("http://[fd00:ec2::254]/", "it points to a cloud metadata address"),
        ("file:///etc/passwd", "not an https URL"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "not an https URL"),
    ],
)
def test_every_redirect_hop_is_checked(redirector: str, where: str, reason: str) -> None:
    assert _get(f"{redirector}/to/{where}") == reason
    # two hops: the first one allowed (the same loopback server), the second refused
    assert _get(f"{redirector}/to/{redirector}/to/{where}") == reason


def test_redirect_loops_and_huge_bodies_are_refused_with_a_reason(redirector: str) -> None:
    assert _get(f"{redirector}/loop") == "more than 3 redirects"
    assert _get(f"{redirector}/huge") == "larger than 10 MB"
