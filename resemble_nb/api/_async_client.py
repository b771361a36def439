"""The asynchronous client: every endpoint of :mod:`._endpoints` and :mod:`._asking`,
awaited."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import TypeVar

import httpx

from . import _asking, _endpoints, _transport
from ._base import BaseClient
from ._calls import Call

__all__ = ["AsyncClient"]

_A = TypeVar("_A", bound="AsyncClient")


class AsyncClient(BaseClient[httpx.AsyncClient]):
    """An asyncio client for Resemble AI's deepfake detection API (v2).

    The same methods as :class:`Client`, as coroutines (``iter_detects`` is an async
    iterator). Close it with ``await client.aclose()`` or ``async with``.

    Example::

        from resemble_nb.api import AsyncClient

        async with AsyncClient() as client:           # key from RESEMBLE_API_KEY
            token = await client.secure_upload("evidence/call.wav")
            job = await client.detect(media_token=token, intelligence=True)
            job = await client.wait_for(job, timeout=300)
            print(job.label, job.score)               # Label.LIKELY_FAKE 0.71

    Args:
        api_key, base_url, timeout, max_retries: As for :class:`Client`.
        http_client: An ``httpx.AsyncClient`` to send with (the client does not close one
            it was given).

    Raises, attributes, retries and errors: as for :class:`Client`.
    """

    _sleep = staticmethod(asyncio.sleep)

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

    def _new_http(self, timeout: httpx.Timeout) -> httpx.AsyncClient:
        return _transport.async_http_client(timeout=timeout)

    async def _request(self, call: Call) -> httpx.Response:
        with call.request_kwargs() as kwargs:
            return await self._http.request(
                call.method, self._url(call.path), headers=self._headers(call), **kwargs
            )

    async def _pause(self, seconds: float) -> None:
        await self._sleep(seconds)

    secure_upload = _endpoints.secure_upload
    detect = _endpoints.detect
    get_detect = _endpoints.get_detect
    list_detects = _endpoints.list_detects
    iter_detects = _endpoints.iter_detects
    delete_detect = _endpoints.delete_detect
    detect_batch = _endpoints.detect_batch
    get_batch = _endpoints.get_batch
    wait_for = _endpoints.wait_for
    intelligence = _asking.intelligence
    get_intelligence = _asking.get_intelligence
    list_intelligences = _asking.list_intelligences
    ask = _asking.ask
    get_question = _asking.get_question
    wait_for_answer = _asking.wait_for_answer
    get_feedback = _asking.get_feedback
    send_feedback = _asking.send_feedback
    delete_feedback = _asking.delete_feedback
    get_audio_source_tracing = _asking.get_audio_source_tracing
    list_audio_source_tracings = _asking.list_audio_source_tracings
