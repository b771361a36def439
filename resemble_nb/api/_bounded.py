"""Every answer bounded: a cap on its decoded size and a deadline for its body.

A transport layer (sync and async) under every client the project makes (see
:mod:`._transport`). It decodes ``gzip``/``deflate`` itself, a piece of at most 64 KiB
at a time, so a compression bomb costs at most the cap (:data:`MAX_RESPONSE_BYTES`)
before it is refused, not gigabytes; and it names a server that sent its headers and
then went quiet ("the service stopped answering after N s") instead of waiting on it.
The deadline for the body is the request's read timeout (the client's ``timeout``): no
byte for that long, or the whole body not in within it, ends the call.

The errors are :class:`httpx.TransportError` subclasses (and :class:`ResembleError`s:
a plain ``http_client()`` user catches them by either root), so the clients' one retry
policy decides what happens next (a stalled read of a detect is never blindly sent
again: it may have been created).
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import httpx

from .._core.errors import ResembleError

__all__ = [
    "DEFAULT_DEADLINE",
    "MAX_RESPONSE_BYTES",
    "AsyncBoundedTransport",
    "BoundedTransport",
    "ResponseRefused",
    "ServiceStalled",
]

MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""The largest answer kept, decoded (a 1,000-item list page is a few MB)."""
DEFAULT_DEADLINE = 120.0
"""Seconds for a body when the request has no read timeout of its own."""
ACCEPT_ENCODING = "gzip, deflate"
"""The encodings asked for: the ones decoded here, piece by piece."""
_PIECE = 64 * 1024
_STRIP = ("content-encoding", "content-length")


class ResponseRefused(ResembleError, httpx.TransportError):
    """An answer was refused: larger than the cap, or in an encoding not asked for."""


class ServiceStalled(ResembleError, httpx.ReadTimeout):
    """The service stopped sending (before or after its headers) past the deadline."""


class _Inflater:
    """One ``gzip`` or ``deflate`` layer, decoded at most :data:`_PIECE` bytes a step."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.gzip = gzip = encoding in ("gzip", "x-gzip")
        self._raw_fallback = not gzip  # "deflate" is zlib-wrapped, or raw in the wild
        self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 32 if gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            try:
                out = self._inflate.decompress(data, _PIECE)
            except zlib.error as exc:
                if not self._raw_fallback:
                    raise ResponseRefused(f"the answer's {self.encoding} data is corrupt") from exc
                self._raw_fallback = False
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._raw_fallback = False
            data = self._inflate.unconsumed_tail
            if out:
                yield out
            if self.gzip and self._inflate.eof and self._inflate.unused_data:  # next member
                data = self._inflate.unused_data
                self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 32)
            elif not data and len(out) < _PIECE:
                return


class _Body:
    """What an answer's body may be: its decoding, its size cap and its deadline."""

    def __init__(self, response: httpx.Response, request: httpx.Request, max_bytes: int):
        self.status = response.status_code
        self.request = request
        self.max_bytes = max_bytes
        self.size = 0
        layers = [
            e.strip().lower()
            for e in response.headers.get("content-encoding", "").split(",")
            if e.strip() and e.strip().lower() != "identity"
        ]
        unknown = [e for e in layers if e not in ("gzip", "x-gzip", "deflate")]
        if unknown:
            raise ResponseRefused(
                f"the service answered in an encoding it was not asked for ({unknown[0]})",
                request=request,
            )
        self.inflaters = [_Inflater(e) for e in reversed(layers)]
        timeout = request.extensions.get("timeout", {}).get("read")
        self.deadline = float(timeout) if timeout is not None else DEFAULT_DEADLINE
        self.started = time.monotonic()

    def remaining(self) -> float:
        return max(0.0, self.started + self.deadline - time.monotonic())

    def stalled(self) -> ServiceStalled:
        waited = time.monotonic() - self.started
        return ServiceStalled(
            f"the service stopped answering after {waited:.0f} s (it sent the headers of "
            f"HTTP {self.status} and {self.size:,} bytes of the body, then not the rest "
            f"within {self.deadline:g} s)",
            request=self.request,
        )

    def decode(self, raw: bytes) -> Iterator[bytes]:
        pieces: Iterable[bytes] = (raw,)
        for inflater in self.inflaters:
            pieces = (out for piece in pieces for out in inflater.feed(piece))
        for piece in pieces:
            self.size += len(piece)
            if self.size > self.max_bytes:
                raise ResponseRefused(
                    f"the answer was larger than {self.max_bytes // 2**20} MB once decoded "
                    "(refused: a broken or hostile server, e.g. a compression bomb)",
                    request=self.request,
                )
            yield piece


def _bounded_response(response: httpx.Response, stream: Any) -> httpx.Response:
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _STRIP]
    return httpx.Response(
        response.status_code, headers=headers, stream=stream, extensions=response.extensions
    )


def _no_answer(request: httpx.Request, exc: httpx.ReadTimeout) -> ServiceStalled:
    read = request.extensions.get("timeout", {}).get("read")
    waited = f"{read:g} s" if read is not None else "its read timeout"
    return ServiceStalled(
        f"the service stopped answering after {waited} (no answer to the request)",
        request=request,
    )


class _SyncBody(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, body: _Body) -> None:
        self._inner, self._body = inner, body

    def __iter__(self) -> Iterator[bytes]:
        chunks = iter(self._inner)
        while True:
            try:
                raw = next(chunks)
            except StopIteration:
                break
            except httpx.ReadTimeout as exc:
                raise self._body.stalled() from exc
            if not self._body.remaining():  # a trickle: bytes, but not the body in time
                raise self._body.stalled()
            yield from self._body.decode(raw)

    def close(self) -> None:
        self._inner.close()


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, body: _Body) -> None:
        self._inner, self._body = inner, body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._inner.__aiter__()
        while True:
            try:
                raw = await asyncio.wait_for(chunks.__anext__(), self._body.remaining())
            except StopAsyncIteration:
                break
            except (asyncio.TimeoutError, httpx.ReadTimeout) as exc:
                raise self._body.stalled() from exc
            for piece in self._body.decode(raw):
                yield piece

    async def aclose(self) -> None:
        await self._inner.aclose()


class BoundedTransport(httpx.BaseTransport):
    """``inner`` with every answer size-capped and deadlined (see the module)."""

    def __init__(self, inner: httpx.BaseTransport, max_bytes: int = MAX_RESPONSE_BYTES):
        self._inner, self.max_bytes = inner, max_bytes

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        try:
            response = self._inner.handle_request(request)
        except httpx.ReadTimeout as exc:
            raise _no_answer(request, exc) from exc
        try:
            body = _Body(response, request, self.max_bytes)
        except ResponseRefused:
            response.close()
            raise
        assert isinstance(response.stream, httpx.SyncByteStream)
        return _bounded_response(response, _SyncBody(response.stream, body))

    def close(self) -> None:
        self._inner.close()


class AsyncBoundedTransport(httpx.AsyncBaseTransport):
    """The same as :class:`BoundedTransport`, for ``httpx.AsyncClient``."""

    def __init__(self, inner: httpx.AsyncBaseTransport, max_bytes: int = MAX_RESPONSE_BYTES):
        self._inner, self.max_bytes = inner, max_bytes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.ReadTimeout as exc:
            raise _no_answer(request, exc) from exc
        try:
            body = _Body(response, request, self.max_bytes)
        except ResponseRefused:
            await response.aclose()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return _bounded_response(response, _AsyncBody(response.stream, body))

    async def aclose(self) -> None:
        await self._inner.aclose()
