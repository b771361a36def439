"""The one place every HTTP client of the project is made (API clients, the engine's
rate-limited client, doctor, heatmap fetches).

Each client honours the environment as httpx itself does with ``trust_env``:
``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` (httpx's own reading
of them, so the same hosts are proxied or not), ``SSL_CERT_FILE`` and
``SSL_CERT_DIR``; and ``REQUESTS_CA_BUNDLE`` as requests does, when neither of those
is set. httpx drops the proxy settings as soon as a client is given a transport of
its own (as the engine's rate limiter is); here the proxy routes are built
explicitly, so a wrapped transport keeps them. Every route is a
:class:`._bounded.BoundedTransport`: each answer has a decoded-size cap and a
deadline.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from httpx._utils import get_environment_proxies  # httpx's reading of *_PROXY, NO_PROXY

from ._bounded import MAX_RESPONSE_BYTES, AsyncBoundedTransport, BoundedTransport

__all__ = ["async_http_client", "http_client", "ssl_context"]

_T = TypeVar("_T")


def ssl_context() -> ssl.SSLContext:
    """The certificates to trust: ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` (as httpx reads
    them), else ``REQUESTS_CA_BUNDLE``, else httpx's default (certifi)."""
    bundle = os.environ.get("REQUESTS_CA_BUNDLE")
    if bundle and not os.environ.get("SSL_CERT_FILE") and not os.environ.get("SSL_CERT_DIR"):
        if os.path.isdir(bundle):
            return ssl.create_default_context(capath=bundle)
        return ssl.create_default_context(cafile=bundle)
    return httpx.create_ssl_context(trust_env=True)


def _routes(make: Callable[[httpx.Proxy | None], _T]) -> tuple[_T, dict[str, _T | None]]:
    """The direct transport, and one per proxy route of the environment (``None``
    where ``NO_PROXY`` sends a host direct)."""
    mounts: dict[str, _T | None] = {
        pattern: None if url is None else make(httpx.Proxy(url))
        for pattern, url in get_environment_proxies().items()
    }
    return make(None), mounts


def http_client(
    *,
    max_bytes: int = MAX_RESPONSE_BYTES,
    limits: httpx.Limits | None = None,
    wrap: Callable[[httpx.BaseTransport], httpx.BaseTransport] | None = None,
    **options: Any,
) -> httpx.Client:
    """An ``httpx.Client`` for this project (see the module).

    Args:
        max_bytes: The largest answer accepted, decoded.
        limits: Connection pool limits (httpx's default if not given).
        wrap: Wraps each route's transport (e.g. a rate limiter).
        **options: For ``httpx.Client``: ``timeout``, ``follow_redirects``, ``event_hooks``...
    """
    made: httpx.Client = _build(
        httpx.Client, httpx.HTTPTransport, BoundedTransport, max_bytes, limits, wrap, options
    )
    return made


def async_http_client(
    *,
    max_bytes: int = MAX_RESPONSE_BYTES,
    limits: httpx.Limits | None = None,
    wrap: Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport] | None = None,
    **options: Any,
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for this project; the arguments are
    :func:`http_client`'s."""
    made: httpx.AsyncClient = _build(
        httpx.AsyncClient,
        httpx.AsyncHTTPTransport,
        AsyncBoundedTransport,
        max_bytes,
        limits,
        wrap,
        options,
    )
    return made


def _build(
    client: Any,
    transport: Any,
    bounded: Any,
    max_bytes: int,
    limits: httpx.Limits | None,
    wrap: Callable[[Any], Any] | None,
    options: dict[str, Any],
) -> Any:
    """The client: each route a ``transport`` inside ``bounded``, then ``wrap``."""
    verify = ssl_context()
    pool = {} if limits is None else {"limits": limits}

    def make(proxy: httpx.Proxy | None) -> Any:
        route = bounded(transport(verify=verify, proxy=proxy, **pool), max_bytes)
        return wrap(route) if wrap is not None else route

    default, mounts = _routes(make)
    return client(transport=default, mounts=mounts, **options)
