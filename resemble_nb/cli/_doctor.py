"""``resemble-nb doctor`` and ``rnb.doctor()``: is this setup ready to review media?

Reads only (one ``GET /detect``), then says what it found and what the engine will do
about each finding: the API key, whether the service answers (TLS, base URL), the
clock against the server's ``Date``, the list's page shape and order, rate-limit
headers, and whether this is the sandbox.

>>> report = rnb.doctor()          # doctest: +SKIP
>>> report.ok                      # doctest: +SKIP
True
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from ._diagnosis import Diagnosis, Finding, Level

__all__ = ["Diagnosis", "Finding", "add_arguments", "doctor", "run"]

_RATE_HEADER = re.compile(r"^(retry-after|x-ratelimit-.+|x-rate-limit-.+|ratelimit(-.+)?)$", re.I)
_PAGE_FIELDS = ("page", "num_pages", "page_size", "total_count", "items")
SKEW_WARNING = 60.0
SKEW_PROBLEM = 300.0


@dataclass
class _Seen:
    """What the event hooks saw of the last exchange."""

    sent_at: float = 0.0
    received_at: float = 0.0
    response: httpx.Response | None = None


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def doctor(
    api_key: str | None = None,
    base_url: str | None = None,
    *,
    timeout: float = 15.0,
) -> Diagnosis:
    """Check the setup with one read (``GET /detect``); see :class:`Diagnosis`.

    Args:
        api_key: The key (default: ``RESEMBLE_API_KEY``). Never shown.
        base_url: The API base URL (default: ``RESEMBLE_BASE_URL``, else Resemble's).
        timeout: Seconds to wait for the service.
    """
    from resemble_nb.api import DEFAULT_BASE_URL, http_client

    key = (api_key if api_key is not None else os.environ.get("RESEMBLE_API_KEY") or "").strip()
    url = (base_url or os.environ.get("RESEMBLE_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    report = Diagnosis(url)
    if not _check_base_url(report, url):
        return report
    seen = _Seen()

    def on_request(request: httpx.Request) -> None:
        seen.sent_at = time.time()

    def on_response(response: httpx.Response) -> None:
        seen.received_at = time.time()
        seen.response = response

    http = http_client(
        timeout=timeout, event_hooks={"request": [on_request], "response": [on_response]}
    )
    try:
        if key:
            page = _read_page(report, http, key, url)
        else:
            report.add(
                "API key",
                "problem",
                "not set: set RESEMBLE_API_KEY (or pass api_key=)",
                "nothing can be sent without one",
            )
            page = None
            _reach_without_key(report, http, url)
        if seen.response is not None:
            _check_transport(report, seen.response, url)
            _check_clock(report, seen)
            _check_rate_headers(report, seen.response)
            _check_sandbox(report, seen.response)
        if page is not None:
            _check_page(report, page)
    finally:
        http.close()
    return report


def _check_base_url(report: Diagnosis, url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        report.add("Base URL", "problem", f"{url!r} is not an http(s) URL", "")
        return False
    if not parts.path.rstrip("/").endswith("/api/v2"):
        report.add(
            "Base URL",
            "warning",
            f"{url} does not end in /api/v2 (Resemble's is https://app.resemble.ai/api/v2)",
            "every request goes to this URL plus the endpoint path",
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        report.add(
            "TLS",
            "problem",
            f"plain HTTP to {parts.hostname}: the key would travel unencrypted",
            "use https",
        )
    return True


def _read_page(report: Diagnosis, http: httpx.Client, key: str, url: str) -> Any:
    from resemble_nb.api import APIConnectionError, APIStatusError, Client

    client = Client(api_key=key, base_url=url, max_retries=0, http_client=http)
    try:
        page = client.list_detects(1, 100)
    except APIStatusError as exc:
        if exc.status_code in (401, 403):
            report.add(
                "API key",
                "problem",
                f"refused by the service (HTTP {exc.status_code}: {exc.message})",
                "nothing can be sent with this key",
            )
        elif exc.status_code == 404:
            report.add(
                "Base URL",
                "problem",
                f"GET {url}/detect answered 404: is this the API's base URL (…/api/v2)?",
                "",
            )
        else:
            report.add(
                "Service", "problem", f"GET /detect answered HTTP {exc.status_code}: {exc.message}"
            )
        return None
    except APIConnectionError as exc:
        report.add("Service", "problem", _connection_reason(exc, url), "nothing can be sent")
        return None
    report.add("API key", "ok", "set and accepted", "sent on every request; never shown or stored")
    return page


def _reach_without_key(report: Diagnosis, http: httpx.Client, url: str) -> None:
    try:
        http.get(f"{url}/detect", params={"page": 1})
    except httpx.HTTPError as exc:
        report.add("Service", "problem", _connection_reason(exc, url), "nothing can be sent")


def _connection_reason(exc: BaseException, url: str) -> str:
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, httpx.HTTPError):
        cause = cause.__cause__ or cause.__context__
    text = str(cause or exc) or type(cause or exc).__name__
    host = urlsplit(url).netloc
    if "CERTIFICATE" in text.upper() or "SSL" in text.upper():
        return f"TLS with {host} failed: {text}"
    if isinstance(cause, httpx.TimeoutException):
        return f"{host} did not answer in time"
    if "refused" in text.lower():
        return f"cannot connect to {host}: connection refused (is the service or sandbox running?)"
    return f"cannot reach {host}: {text}"


def _check_transport(report: Diagnosis, response: httpx.Response, url: str) -> None:
    elapsed = response.elapsed.total_seconds() * 1000 if response.is_closed else 0.0
    report.add("Service", "ok", f"answered HTTP {response.status_code} in {elapsed:.0f} ms", "")
    if urlsplit(url).scheme != "https":
        if not any(f.check == "TLS" for f in report.findings):
            report.add("TLS", "note", "plain HTTP on this computer (loopback)", "")
        return
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    version = ssl_object.version() if ssl_object is not None else "TLS"
    report.add("TLS", "ok", f"{version}, certificate verified", "")


def _check_clock(report: Diagnosis, seen: _Seen) -> None:
    assert seen.response is not None
    date = seen.response.headers.get("date")
    try:
        server: datetime | None = parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError):
        server = None
    engine = (
        "media tokens live 1 hour and the engine uploads again before sending one older "
        "than 55 minutes, judged by this computer's clock"
    )
    if server is None:
        report.add("Clock", "note", "the answer carried no readable Date header", engine)
        return
    local = (seen.sent_at + seen.received_at) / 2
    skew = server.timestamp() - local
    ahead = "ahead of" if skew > 0 else "behind"
    found = f"the server's clock is {abs(skew):.0f} s {ahead} this computer's"
    if abs(skew) <= 2:
        found = "within 2 s of the server's Date (its resolution is 1 s)"
    level: Level = "ok"
    if abs(skew) > SKEW_PROBLEM:
        level = "problem"
        found += ": set this computer's clock (tokens may be sent expired)"
    elif abs(skew) > SKEW_WARNING:
        level = "warning"
    report.add("Clock", level, found, engine)


def _check_rate_headers(report: Diagnosis, response: httpx.Response) -> None:
    from resemble_nb.engine import DEFAULT_RATE

    names = sorted({k.title() for k in response.headers if _RATE_HEADER.match(k)})
    found = ", ".join(names) if names else "none on this answer (none are documented)"
    engine = (
        f"keeps under {DEFAULT_RATE:g} requests/s (the documented limit is 40/s); on a 429 "
        "it backs off exponentially, waiting Retry-After when one is sent"
    )
    report.add("Rate-limit headers", "note", found, engine)


def _check_sandbox(report: Diagnosis, response: httpx.Response) -> None:
    if response.headers.get("x-resemble-sandbox") == "1":
        report.add(
            "Sandbox",
            "note",
            "yes (X-Resemble-Sandbox: 1): scores are synthetic, nothing is billed",
            "every row, board and report made from it says 'sandbox'",
        )
    else:
        report.add("Sandbox", "note", "no: the real service; detects are billed", "")


def _check_page(report: Diagnosis, page: Any) -> None:
    raw = page.raw
    missing = [name for name in _PAGE_FIELDS if name not in raw]
    if missing:
        report.add(
            "List page",
            "problem",
            f"GET /detect lacks {', '.join(missing)}",
            "reading results from list pages and finding earlier detects need them",
        )
        return
    report.add(
        "List page",
        "ok",
        f"{page.total_count} detects, {page.num_pages} page(s) of {page.page_size} "
        f"({len(raw['items'])} on page 1)",
        "harvests results from list pages and looks up earlier detects there",
    )
    stamps = [item.created_at for item in page.items if item.created_at is not None]
    if len(stamps) < 2:
        order = "unknown (fewer than 2 detects with a date)"
    elif all(a >= b for a, b in itertools.pairwise(stamps)):
        order = "newest first"
    elif all(a <= b for a, b in itertools.pairwise(stamps)):
        order = "oldest first"
    else:
        order = "no order by date"
    report.add(
        "List order",
        "note",
        f"{order} on page 1 (the docs promise no order)",
        "does not rely on it: a detect is looked up by reading pages until found, "
        "whatever the order",
    )


# -- the command line -------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``resemble-nb doctor``."""
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="API base URL (default: RESEMBLE_BASE_URL, else Resemble's)",
    )
    parser.add_argument("--timeout", type=float, default=15.0, metavar="S", help="seconds to wait")


def run(args: argparse.Namespace) -> int:
    """Print the table (or, when nothing could be checked, one line); 1 on a problem."""
    report = doctor(base_url=args.base_url, timeout=args.timeout)
    fatal = {"API key", "Service", "Base URL"}
    if any(f.check in fatal for f in report.problems):
        print(report.summary(), file=sys.stderr)
        return 1
    print(report.table())
    return 0 if report.ok else 1
