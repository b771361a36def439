"""The engine's own async clients, built on its event loop from what the user passed.

Users hold a sync :class:`~resemble_nb.api.Client`; the engine needs an
:class:`~resemble_nb.api.AsyncClient` on its own loop with the same key, base URL and
timeouts, sending through the rate-limited transport (wrapped around each route of the
one transport factory, so proxies and CA bundles of the environment are honoured and
every answer is size-capped and deadlined). Two clients share one connection
pool (and so one limiter): ``api`` retries as the user's client is configured (the one
layer of retries), and ``creator``, for single detects by media token, never repeats a
request: a token serves once, so the engine sends a new request with a fresh token.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ..api import AsyncClient, Client, async_http_client
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


def make_clients(client: Client | AsyncClient, limiter: RateLimiter) -> EngineClients:
    """Async clients for ``client``'s account, sending through ``limiter``.

    Must be called on the engine's event loop (the connection pool belongs to it).
    """
    if not isinstance(client, (Client, AsyncClient)):
        raise TypeError(
            f"client must be a resemble_nb Client or AsyncClient, not {type(client).__name__}"
        )
    made: list[LimitedTransport] = []

    def limited(inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        # one per route (direct, and each proxy of the environment), one shared tally
        made.append(LimitedTransport(limiter, inner))
        made[-1].responses = made[0].responses
        return made[-1]

    http = async_http_client(
        wrap=limited,
        timeout=client.timeout,
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
    )
    transport = made[0]
    api = AsyncClient.from_client(client, http_client=http)
    creator = AsyncClient.from_client(client, max_retries=0, http_client=http)
    return EngineClients(api=api, creator=creator, transport=transport, http=http)
