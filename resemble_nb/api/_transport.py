"""Connections and the retrying send loop of the two clients.

:class:`SyncTransport` and :class:`AsyncTransport` own the httpx client, closing,
context management and ``_send`` (one request, retried as :mod:`._retry` allows). The
public :class:`~resemble_nb.api.Client` and :class:`~resemble_nb.api.AsyncClient` add
one method per endpoint on top.
"""

from __future__ import annotations

import asyncio
import time
from types import TracebackType
from typing import TypeVar

import httpx

from ._base import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, BaseClient, TimeoutTypes
from ._calls import Call

__all__ = ["AsyncTransport", "SyncTransport"]

_S = TypeVar("_S", bound="SyncTransport")
_A = TypeVar("_A", bound="AsyncTransport")


class SyncTransport(BaseClient):
    """The synchronous half: an ``httpx.Client`` and a blocking send loop."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
    ) -> None:
        super().__init__(api_key, base_url, timeout, max_retries)
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client(timeout=self.timeout)
        self._sleep = time.sleep

    def close(self) -> None:
        """Close the connections (unless ``http_client`` was given). Idempotent."""
        if self._owns_http:
            self._http.close()

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _send(self, call: Call) -> httpx.Response:
        retries = 0
        while True:
            headers = self._headers(call)
            self._log_request(call, headers, retries)
            self.stats.requests += 1
            self.stats.last_retries = retries
            try:
                with call.request_kwargs() as kwargs:
                    response = self._http.request(
                        call.method, self._url(call.path), headers=headers, **kwargs
                    )
            except httpx.TransportError as exc:
                delay = self._on_exception(call, exc, retries)
            else:
                maybe_delay = self._on_response(call, response, retries)
                if maybe_delay is None:
                    return response
                delay = maybe_delay
            self._sleep(delay)
            retries += 1
            self.stats.retries += 1


class AsyncTransport(BaseClient):
    """The asyncio half: an ``httpx.AsyncClient`` and an awaited send loop."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(api_key, base_url, timeout, max_retries)
        self._owns_http = http_client is None
        self._http = (
            http_client if http_client is not None else httpx.AsyncClient(timeout=self.timeout)
        )
        self._sleep = asyncio.sleep

    @classmethod
    def from_client(
        cls: type[_A],
        client: BaseClient,
        *,
        max_retries: int | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> _A:
        """An async client for the same account as ``client`` (sync or async).

        Same key, base URL and timeout; the key passes from one :class:`Secret` to the
        other and is never exposed on the way.

        >>> sync = Client(api_key="...")  # doctest: +SKIP
        >>> async with AsyncClient.from_client(sync) as client:  # doctest: +SKIP
        ...     page = await client.list_detects()

        Args:
            client: The client whose account to use.
            max_retries: Defaults to ``client.max_retries``.
            http_client: As for the constructor.
        """
        made = cls(
            api_key=client._api_key.reveal(),
            base_url=client.base_url,
            timeout=client.timeout,
            max_retries=client.max_retries if max_retries is None else max_retries,
            http_client=http_client,
        )
        made.is_sandbox = client.is_sandbox
        return made

    async def aclose(self) -> None:
        """Close the connections (unless ``http_client`` was given). Idempotent."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self: _A) -> _A:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _send(self, call: Call) -> httpx.Response:
        retries = 0
        while True:
            headers = self._headers(call)
            self._log_request(call, headers, retries)
            self.stats.requests += 1
            self.stats.last_retries = retries
            try:
                with call.request_kwargs() as kwargs:
                    response = await self._http.request(
                        call.method, self._url(call.path), headers=headers, **kwargs
                    )
            except httpx.TransportError as exc:
                delay = self._on_exception(call, exc, retries)
            else:
                maybe_delay = self._on_response(call, response, retries)
                if maybe_delay is None:
                    return response
                delay = maybe_delay
            await self._sleep(delay)
            retries += 1
            self.stats.retries += 1
