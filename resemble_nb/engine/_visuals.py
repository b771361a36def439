"""Heatmaps sent as URLs, fetched once so the ledger keeps the image itself.

The docs allow a visualization to be "an https URL or an inline data: URI" (contract
§3.4, §11); a URL may be pre-signed, so it is a secret like a media token. When a
completed detect names one, the engine fetches it once, at completion, with a plain
request: no API key, no ``Authorization`` header, only where :class:`._outbound.Outbound`
allows (https, public addresses checked after DNS and on every redirect), at most
:data:`MAX_BYTES`, a short timeout, and only bytes that *are* an image (sniffed, not
taken from ``Content-Type``). The bytes go to the ledger's ``artifacts`` table as an
inline heatmap's do; a failure becomes a reason (``analyses["heatmap"]``), never a
retry, and the item completes either way. The URL is never stored, logged or shown:
reasons name the HTTP status or the error's kind, not the URL, and httpx's own request
log lines have their query strings hidden while a fetch is under way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx

from .._core.markup import sniff_image
from ..api import Detection, async_http_client
from ..ledger import ArtifactRecord
from ._outbound import MAX_REDIRECTS, Outbound

__all__ = ["MAX_BYTES", "Visuals", "fetch_visuals", "sniff_image", "url_visuals"]

MAX_BYTES = 10 * 1024 * 1024
"""A heatmap bigger than this is not kept (real ones are far smaller)."""
TIMEOUT = 10.0
"""Seconds for one fetch, whole (connect, headers and body)."""
CONCURRENCY = 4

_in_flight: set[str] = set()


class _HideQuery(logging.Filter):
    """While a heatmap is fetched, hide query strings in httpx's request log lines (the
    heatmap's URL, or where it redirects to, may be pre-signed)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _in_flight and isinstance(record.args, tuple):
            record.args = tuple(
                f"{str(a).split('?', 1)[0]}?[redacted]"
                if isinstance(a, httpx.URL) and a.query
                else a
                for a in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_HideQuery())


@dataclass
class Visuals:
    """What came of a detect's heatmap URLs: images kept and reasons for the rest."""

    artifacts: list[ArtifactRecord] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str | None:
        return "; ".join(self.reasons) or None


def url_visuals(det: Detection) -> dict[str, str]:
    """``{name: url}`` of the visualizations a completed detect sends as URLs."""
    if not det.completed:
        return {}
    return {n: a.reveal() for n, a in det.artifacts.items() if a.kind == "url"}


_REDIRECTS = (301, 302, 303, 307, 308)


async def _read(
    client: httpx.AsyncClient, url: str, rule: Outbound
) -> tuple[bytes | None, str | None]:
    """The body at ``url``, each hop checked by ``rule`` (redirects followed by hand)."""
    for _ in range(MAX_REDIRECTS + 1):
        hop = await rule.pin(url)
        if isinstance(hop, str):
            return None, hop
        _in_flight.add(str(hop.url))
        try:
            request = client.build_request(
                "GET", hop.url, headers=hop.headers, extensions=hop.extensions
            )
            resp = await client.send(request, stream=True)
            try:
                if resp.status_code in _REDIRECTS and "location" in resp.headers:
                    url = urljoin(url, resp.headers["location"])
                    continue
                return await _body(resp)
            finally:
                await resp.aclose()
        finally:
            _in_flight.discard(str(hop.url))
    return None, f"more than {MAX_REDIRECTS} redirects"


async def _body(resp: httpx.Response) -> tuple[bytes | None, str | None]:
    """At most :data:`MAX_BYTES` of the body (decoded: a compression bomb stops there)."""
    if resp.status_code != 200:
        return None, f"the image server answered HTTP {resp.status_code}"
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        return None, f"larger than {MAX_BYTES // 2**20} MB"
    body = bytearray()
    async for chunk in resp.aiter_bytes():
        body += chunk
        if len(body) > MAX_BYTES:
            return None, f"larger than {MAX_BYTES // 2**20} MB"
    return bytes(body), None


async def _fetch(client: httpx.AsyncClient, url: str, rule: Outbound) -> tuple[bytes, str] | str:
    """The image at ``url`` and its sniffed type, or why not (never naming the URL)."""
    why = rule.check_url(url)
    if why is not None:
        return why
    _in_flight.add(url)
    try:
        data, why = await asyncio.wait_for(_read(client, url, rule), TIMEOUT)
    except asyncio.TimeoutError:
        return f"no answer within {TIMEOUT:.0f} s"
    except Exception as exc:  # one failed heatmap never stops a round
        # its text may hold the URL: name its kind only
        return f"could not be fetched ({type(exc).__name__})"
    finally:
        _in_flight.discard(url)
    if data is None:
        return why or "could not be fetched"
    mime = sniff_image(data)
    if mime is None:
        return "the server sent something that is not an image"
    return data, mime


async def fetch_visuals(dets: Iterable[Detection], api_base: str) -> dict[str, Visuals]:
    """Fetch the URL heatmaps of ``dets`` once each: ``{detect uuid: Visuals}``.

    ``api_base`` is the run's API base URL: it decides what :class:`Outbound` allows
    (https and public addresses only, unless the API itself is a loopback http URL)."""
    rule = Outbound.for_api(api_base)
    wanted = {d.uuid: url_visuals(d) for d in dets}
    wanted = {uuid: urls for uuid, urls in wanted.items() if urls}
    if not wanted:
        return {}
    gate = asyncio.Semaphore(CONCURRENCY)
    results: dict[str, tuple[bytes, str] | str] = {}
    # a plain client: never the API's, so no key or Authorization header goes along
    # redirects are followed by hand (_read), each hop's address checked; the factory's
    # cap sits above MAX_BYTES so _body's own reason ("larger than 10 MB") is the one seen
    async with async_http_client(
        max_bytes=2 * MAX_BYTES, timeout=TIMEOUT, follow_redirects=False
    ) as client:

        async def one(url: str) -> None:
            async with gate:
                results[url] = await _fetch(client, url, rule)

        distinct = {u for named in wanted.values() for u in named.values()}
        await asyncio.gather(*(one(u) for u in sorted(distinct)))
    out: dict[str, Visuals] = {}
    for uuid, urls in wanted.items():
        found = out.setdefault(uuid, Visuals())
        for name, url in sorted(urls.items()):
            got = results[url]
            if isinstance(got, str):
                found.reasons.append(f"{name}: {got}")
            else:
                found.artifacts.append(ArtifactRecord(name, got[1], got[0]))
    return out
