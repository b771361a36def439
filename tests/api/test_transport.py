"""The one transport factory: every answer size-capped and deadlined, and the
environment's proxies and CA bundles honoured as httpx does (issue 18 items 4, 5).

Real servers on 127.0.0.1 (tests/_servers.py) play the hostile service and the proxy.
"""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from _servers import ForwardingProxy, HostileServer, self_signed

from resemble_nb.api import (
    MAX_RESPONSE_BYTES,
    APIConnectionError,
    APITimeoutError,
    AsyncClient,
    Client,
    OutcomeUnknownError,
    http_client,
)

if TYPE_CHECKING:
    from resemble_nb.sandbox import Sandbox

_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "REQUEST_METHOD")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy or CA setting of the machine leaks in (lower- and upper-case)."""
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def hostile() -> Iterator[Callable[[str], HostileServer]]:
    made: list[HostileServer] = []

    def make(mode: str) -> HostileServer:
        made.append(HostileServer(mode))
        return made[-1]

    yield make
    for server in made:
        server.close()


def _client(server: HostileServer, **kwargs: object) -> Client:
    return Client(api_key="k", base_url=f"{server.url}/api/v2", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["bomb", "bomb-single"])
def test_a_compression_bomb_is_refused_with_a_reason_in_bounded_memory(
    hostile: Callable[[str], HostileServer], clean_env: pytest.MonkeyPatch, mode: str
) -> None:
    server = hostile(mode)
    with _client(server, max_retries=1) as client:
        client._sleep = lambda _s: None  # type: ignore[assignment]
        tracemalloc.start()
        try:
            with pytest.raises(APIConnectionError, match="larger than 64 MB once decoded"):
                client.list_detects()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 2 * MAX_RESPONSE_BYTES  # the cap and a piece, never the 4 GiB
    assert server.requests == 2  # a read is safe to send again; each answer is refused


def test_a_detect_whose_answer_is_a_bomb_is_an_unknown_outcome(
    hostile: Callable[[str], HostileServer], clean_env: pytest.MonkeyPatch
) -> None:
    """The service got the request and answered: the detect may exist; look it up."""
    server = hostile("bomb")
    with _client(server) as client, pytest.raises(OutcomeUnknownError, match="64 MB"):
        client.detect(url="https://example.com/a.wav")
    assert server.requests == 1


def test_an_encoding_that_was_not_asked_for_is_refused(
    hostile: Callable[[str], HostileServer], clean_env: pytest.MonkeyPatch
) -> None:
    with _client(hostile("br")) as client, pytest.raises(APIConnectionError, match=r"\(br\)"):
        client.list_detects()


@pytest.mark.parametrize(
    ("mode", "said"),
    [
        ("stall-after-headers", r"stopped answering after 1 s \(it sent the headers of HTTP 200"),
        ("stall-before-headers", r"stopped answering after 1 s \(no answer to the request\)"),
        ("drip", r"stopped answering after 1 s .*then not the rest within 1 s"),
    ],
)
def test_a_service_that_stops_answering_is_named(
    hostile: Callable[[str], HostileServer], clean_env: pytest.MonkeyPatch, mode: str, said: str
) -> None:
    server = hostile(mode)
    with _client(server, timeout=1.0, max_retries=0) as client:
        with pytest.raises(APITimeoutError, match=said):
            client.list_detects()
        with pytest.raises(OutcomeUnknownError, match="stopped answering"):
            client.detect(url="https://example.com/a.wav")  # never sent twice


@pytest.mark.parametrize("mode", ["stall-after-headers", "drip", "bomb"])
async def test_the_async_client_has_the_same_bounds(
    hostile: Callable[[str], HostileServer], clean_env: pytest.MonkeyPatch, mode: str
) -> None:
    server = hostile(mode)
    client = AsyncClient(api_key="k", base_url=f"{server.url}/api/v2", timeout=1.0)
    client._sleep = lambda _s: asyncio.sleep(0)  # type: ignore[method-assign,assignment]
    async with client:
        with pytest.raises(APIConnectionError, match=r"stopped answering|64 MB") as info:
            await client.get_detect("d1")
    assert info.value.retries_taken == 2  # a read is safe to retry; each try is bounded


def test_every_request_goes_through_HTTP_PROXY(
    sandbox: Sandbox, clean_env: pytest.MonkeyPatch
) -> None:
    """httpx proxies loopback too unless NO_PROXY names it: so does every client here."""
    with ForwardingProxy() as proxy:
        clean_env.setenv("HTTP_PROXY", proxy.url)
        with Client(api_key=sandbox.api_key, base_url=sandbox.base_url) as client:
            client.list_detects()
        with http_client() as plain:
            plain.get(f"{sandbox.base_url}/detect")
        assert len(proxy.forwarded) == 2
        assert all(line.startswith("GET /") and "/detect" in line for line in proxy.forwarded)


async def test_the_async_client_goes_through_HTTP_PROXY_too(
    sandbox: Sandbox, clean_env: pytest.MonkeyPatch
) -> None:
    with ForwardingProxy() as proxy:
        clean_env.setenv("HTTP_PROXY", proxy.url)
        async with AsyncClient(api_key=sandbox.api_key, base_url=sandbox.base_url) as client:
            await client.list_detects()
        assert len(proxy.forwarded) == 1


def test_NO_PROXY_sends_a_host_direct(sandbox: Sandbox, clean_env: pytest.MonkeyPatch) -> None:
    with ForwardingProxy() as proxy:
        clean_env.setenv("HTTP_PROXY", proxy.url)
        clean_env.setenv("NO_PROXY", "example.org,127.0.0.1")
        with Client(api_key=sandbox.api_key, base_url=sandbox.base_url) as client:
            client.list_detects()
        assert proxy.forwarded == []


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[HostileServer, Path]]:
    cert, key = self_signed(tmp_path)
    server = HostileServer("ok", tls=(cert, key))
    yield server, cert
    server.close()


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"])
def test_a_ca_bundle_from_the_environment_is_trusted(
    tls_server: tuple[HostileServer, Path], clean_env: pytest.MonkeyPatch, variable: str
) -> None:
    server, cert = tls_server
    with http_client() as plain, pytest.raises(httpx.ConnectError, match="CERTIFICATE"):
        plain.get(server.url)  # not trusted by default
    clean_env.setenv(variable, str(cert))
    with http_client() as plain:
        assert plain.get(server.url).status_code == 200
