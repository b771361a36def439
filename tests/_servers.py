"""Small real servers on 127.0.0.1 for transport tests (and benchmarks/transport_limits.py).

* :class:`HostileServer` answers every request the same bad way: a compression bomb,
  headers then silence, a trickle, an encoding nobody asked for.
* :class:`ForwardingProxy` is a plain HTTP forward proxy (absolute-form requests, as
  ``HTTP_PROXY`` makes clients send) that counts what it forwarded, and can answer a
  chosen request badly instead (``fault(method, path) -> mode or None``).

Both are threaded ``http.server`` servers; a stalled answer waits on an event that
``close()`` sets, so no test ever sleeps or leaves a thread behind.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import http.client
import ipaddress
import ssl
import threading
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

MB = 1024 * 1024
_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}


@functools.lru_cache(maxsize=4)
def gzip_bomb(inflated: int = 4096 * MB, member: int = 16 * MB) -> bytes:
    """Concatenated gzip members of zeros: ``inflated`` bytes once decoded (4 GiB from
    about 4 MB by default, the issue's case). Made from one compressed member."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    one = packer.compress(bytes(member)) + packer.flush()
    return one * (inflated // member)


@functools.lru_cache(maxsize=4)
def gzip_single(inflated: int = 256 * MB) -> bytes:
    """One gzip member of ``inflated`` zeros (the plain bomb)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(MB)
    return b"".join(packer.compress(chunk) for _ in range(inflated // MB)) + packer.flush()


def answer_badly(handler: BaseHTTPRequestHandler, mode: str, release: threading.Event) -> None:
    """Answer the request in ``handler`` the bad way ``mode`` names."""
    if mode == "ok":
        handler.send_response(200)
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        handler.wfile.write(b"{}")
        return
    if mode == "stall-before-headers":
        release.wait(120)
        return
    body: bytes = b'{"success": true, "items": []}'
    headers = {"Content-Type": "application/json"}
    if mode in ("bomb", "bomb-single"):
        body = gzip_bomb() if mode == "bomb" else gzip_single()
        headers["Content-Encoding"] = "gzip"
    elif mode == "br":
        headers["Content-Encoding"] = "br"
    handler.send_response(200)
    for name, value in headers.items():
        handler.send_header(name, value)
    declared = len(body) + 1000 if "stall" in mode else 1000 if mode == "drip" else len(body)
    handler.send_header("Content-Length", str(declared))
    handler.send_header("Connection", "close")
    handler.end_headers()
    if mode == "stall-after-headers":
        handler.wfile.write(body[:10])
        handler.wfile.flush()
        release.wait(120)
        return
    if mode == "drip":  # a byte every 0.2 s: 1,000 bytes take 200 s
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for byte in body.ljust(1000):
                if release.wait(0.2):
                    return
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
        return
    # the client may refuse the answer part-way: what the tests want
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        handler.wfile.write(body)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (its own issuer) and its key, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "resemble_nb test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class _Server:
    def __init__(
        self, handler: type[BaseHTTPRequestHandler], tls: tuple[Path, Path] | None = None
    ) -> None:
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.httpd.daemon_threads = True
        self.httpd.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(10)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _HostileHandler(BaseHTTPRequestHandler):
    def _any(self) -> None:
        owner: HostileServer = self.server.owner  # type: ignore[attr-defined]
        with owner.lock:
            owner.requests += 1
        answer_badly(self, owner.mode, owner.release)

    do_GET = do_POST = do_DELETE = _any

    def log_message(self, format: str, *args: Any) -> None:
        pass


class HostileServer(_Server):
    """Every request gets the answer ``mode`` names (see :func:`answer_badly`)."""

    def __init__(self, mode: str, tls: tuple[Path, Path] | None = None) -> None:
        self.mode = mode
        self.requests = 0
        super().__init__(_HostileHandler, tls)


class _ProxyHandler(BaseHTTPRequestHandler):
    def _forward(self) -> None:
        owner: ForwardingProxy = self.server.owner  # type: ignore[attr-defined]
        target = urlsplit(self.path)
        if not target.scheme or not target.hostname:  # not a proxy request
            self.send_error(400, "absolute-form request expected")
            return
        body = self._body()
        path = target.path + (f"?{target.query}" if target.query else "")
        mode = owner.fault(self.command, target.path) if owner.fault else None
        with owner.lock:
            owner.forwarded.append(f"{self.command} {target.path}")
        if mode is not None:
            with owner.lock:
                owner.faults += 1
            if mode.startswith("forward-then-"):  # the service gets it; its answer stalls
                self._relay(target, path, body)
                mode = mode.removeprefix("forward-then-")
            answer_badly(self, mode, owner.release)
            return
        status, reason, headers, content = self._relay(target, path, body)
        self.send_response(status, reason)
        for name, value in headers:
            if name.lower() not in _HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(content)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline().strip():
                pass
            return b"".join(parts)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _relay(
        self, target: Any, path: str, body: bytes
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            headers["Content-Length"] = str(len(body))
            upstream.request(self.command, path, body=body, headers=headers)
            answer = upstream.getresponse()
            return answer.status, answer.reason, answer.getheaders(), answer.read()
        finally:
            upstream.close()

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _forward

    def log_message(self, format: str, *args: Any) -> None:
        pass


class ForwardingProxy(_Server):
    """An HTTP forward proxy; ``forwarded`` lists ``"METHOD /path"`` of every request."""

    def __init__(self, fault: Callable[[str, str], str | None] | None = None) -> None:
        self.fault = fault
        self.forwarded: list[str] = []
        self.faults = 0
        super().__init__(_ProxyHandler)
