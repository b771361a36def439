"""The engine's own async clients, built on its event loop from what the user passed.

Users hold a sync :class:`~resemble_nb.api.Client`; the engine needs an
:class:`~resemble_nb.api.AsyncClient` on its own loop with the same key, base URL and
timeouts, sending through the rate-limited transport. Two clients share one connection
pool (and so one limiter): ``api`` retries transient failures as configured, and
``creator`` never retries by itself, because the engine decides what to do after a
create request whose outcome is unknown (reconcile first, never bill twice).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ..api import AsyncClient, Client
from ._limits import LimitedTransport, RateLimiter

__all__ = ["EngineClients", "make_clients"]


@dataclass
class EngineClients:
    api: AsyncClient
    creator: AsyncClient
    transport: LimitedTransport
    http: httpx.AsyncClient

    async def aclose(self) -> None:
        await self.http.aclose()


def _key_of(client: Client | AsyncClient) -> str:
    # The key stays inside the api layer's Secret; it is read here only to hand it to the
    # engine's own client for the same account (never stored elsewhere or shown).
    return client._api_key.reveal()


def make_clients(client: Client | AsyncClient, limiter: RateLimiter) -> EngineClients:
    """Async clients for ``client``'s account, sending through ``limiter``.

    Must be called on the engine's event loop (the connection pool belongs to it).
    """
    if not isinstance(client, (Client, AsyncClient)):
        raise TypeError(
            f"client must be a resemble_nb Client or AsyncClient, not {type(client).__name__}"
        )
    transport = LimitedTransport(limiter)
    timeout = client.timeout
    http = httpx.AsyncClient(
        transport=transport,
        timeout=timeout,
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
    )
    key = _key_of(client)
    api = AsyncClient(
        api_key=key,
        base_url=client.base_url,
        timeout=timeout,
        max_retries=client.max_retries,
        http_client=http,
    )
    creator = AsyncClient(
        api_key=key,
        base_url=client.base_url,
        timeout=timeout,
        max_retries=0,
        http_client=http,
    )
    api.is_sandbox = creator.is_sandbox = client.is_sandbox
    return EngineClients(api=api, creator=creator, transport=transport, http=http)
