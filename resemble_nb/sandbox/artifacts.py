"""Visualizations sent as URLs (contract §3.4, §11): ``image_metrics.image`` and
``image_metrics.ifl.heatmap`` "may be an https URL or an inline data: URI".

With the ``visual_artifacts`` mode other than ``inline``, a completed image detect that
asked for ``visualize`` names its heatmap by a signature-like URL on this sandbox
(``/_artifacts/{uuid}/{name}.png?X-Amz-Expires=900&X-Amz-Signature=...``), served
without an API key, as pre-signed URLs are:

``url``       a real PNG;
``url_404``   404 (the object expired or was never there);
``url_html``  an HTML page sent as ``image/png`` (what a login page behind a CDN looks like);
``url_huge``  a body of 12 MB;
``url_redirect`` a redirect to a cloud metadata address (``169.254.169.254``);
``url_private``  a URL on a private address (``10.255.255.1``), named directly.

Every fetch is counted in the stats (``artifacts``), and so is one that carried an
``Authorization`` header (``with_authorization``): a client must not send its key there.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import zlib
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .modes import VISUAL_ARTIFACTS
from .state import Detect

__all__ = ["VISUAL_ARTIFACTS", "get_artifact", "png", "with_artifact_urls"]

HUGE_BYTES = 12 * 1024 * 1024


def png(shade: float, size: int = 16) -> bytes:
    """A small grey PNG whose shade follows a score (0 black to 1 white).

    >>> png(0.5)[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    level = max(0, min(255, round(255 * shade)))
    rows = b"".join(b"\x00" + bytes([level]) * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _signature(seed: int, uuid: str, name: str) -> str:
    key = f"sandbox-artifacts:{seed}".encode()
    return hmac.new(key, f"{uuid}/{name}".encode(), hashlib.sha256).hexdigest()


def _url(detect: Detect, name: str, seed: int) -> str:
    sig = _signature(seed, detect.uuid, name)
    base = "http://10.255.255.1" if detect.visual_artifacts == "url_private" else detect.base_url
    return f"{base}/_artifacts/{detect.uuid}/{name}.png?X-Amz-Expires=900&X-Amz-Signature={sig}"


def with_artifact_urls(item: dict[str, Any], detect: Detect, mode: str, seed: int) -> None:
    """Replace the inline image heatmaps of a rendered ``item`` by URLs (``mode`` not inline)."""
    metrics = item.get("image_metrics")
    if mode == "inline" or not isinstance(metrics, dict):
        return
    if isinstance(metrics.get("image"), str) and metrics["image"]:
        metrics["image"] = _url(detect, "image", seed)
    ifl = metrics.get("ifl")
    if isinstance(ifl, dict) and isinstance(ifl.get("heatmap"), str) and ifl["heatmap"]:
        metrics["ifl"] = {**ifl, "heatmap": _url(detect, "ifl", seed)}


async def get_artifact(request: Request) -> Response:
    """``GET /_artifacts/{uuid}/{name}.png?...``: a heatmap, as the detect's mode says."""
    svc: Any = request.app.state.service
    svc.stats.count_in("artifacts", "requests")
    if request.headers.get("authorization"):
        svc.stats.count_in("artifacts", "with_authorization")
    uuid, file = request.path_params["uuid"], request.path_params["name"]
    name = file.removesuffix(".png")
    detect = svc.store.detects.get(uuid)
    given = request.query_params.get("X-Amz-Signature", "")
    if detect is None or not hmac.compare_digest(given, _signature(svc.config.seed, uuid, name)):
        return Response("<Error><Code>AccessDenied</Code></Error>", 403, media_type="text/xml")
    mode = detect.visual_artifacts
    if mode == "url_404":
        return Response("<Error><Code>NoSuchKey</Code></Error>", 404, media_type="text/xml")
    if mode == "url_html":
        page = b"<!doctype html><html><body>Please sign in</body></html>"
        return Response(page, 200, media_type="image/png")
    if mode == "url_redirect":
        where = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
        return Response(b"", 302, headers={"location": where})
    if mode == "url_huge":
        return Response(png(0.5) + b"\x00" * HUGE_BYTES, 200, media_type="image/png")
    svc.stats.count_in("artifacts", "served")
    score = (detect.outcome.get("image_metrics") or {}).get("score") or 0.5
    return Response(
        png(float(score) if name == "image" else 1.0 - float(score)), 200, media_type="image/png"
    )
