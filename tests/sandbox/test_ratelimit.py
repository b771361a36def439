"""The per-key rate limit: 429 with the documented body; Retry-After only when asked."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from resemble_nb.sandbox import Sandbox
from resemble_nb.sandbox.ratelimit import RateLimiter


def _burst(client: httpx.Client, n: int) -> list[httpx.Response]:
    return [client.get("/detect", params={"page": 1}) for _ in range(n)]


def test_burst_over_the_limit_gets_429(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    now = [1_800_000_000.0]  # the sandbox clock stands still unless advanced
    sb = sandbox_factory(rate_limit=5, retry_after=True, clock=lambda: now[0])
    api = client_for(sb)
    answers = _burst(api, 12)
    limited = [r for r in answers if r.status_code == 429]
    assert 5 <= len(answers) - len(limited) <= 7  # the bucket holds one second's worth
    assert limited
    assert limited[0].json() == {"success": False, "message": "Rate limit exceeded"}
    assert int(limited[0].headers["Retry-After"]) >= 1
    assert sb.stats()["rate_limited"] == len(limited)
    assert sb.stats()["requests"]["GET /detect"]["429"] == len(limited)
    # Honouring Retry-After works.
    sb.advance_clock(int(limited[0].headers["Retry-After"]))
    assert api.get("/detect", params={"page": 1}).status_code == 200


def test_limit_is_per_key(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    sb = sandbox_factory(rate_limit=3)
    a, b = client_for(sb), client_for(sb, sb.api_keys[1])
    assert any(r.status_code == 429 for r in _burst(a, 8))
    assert b.get("/detect", params={"page": 1}).status_code == 200


def test_no_retry_after_by_default(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    # None is documented (contract §11), so the default 429 carries none.
    sb = sandbox_factory(rate_limit=2)
    limited = [r for r in _burst(client_for(sb), 6) if r.status_code == 429]
    assert limited and all("Retry-After" not in r.headers for r in limited)
    # Switched on over the admin route, the next 429 carries one.
    admin = client_for(sb)
    admin.base_url = httpx.URL(sb.url)
    assert admin.post("/_sandbox/modes", json={"retry_after": True}).status_code == 200
    again = [r for r in _burst(client_for(sb), 6) if r.status_code == 429]
    assert again and int(again[0].headers["Retry-After"]) >= 1


def test_disabled_limit(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    sb = sandbox_factory(rate_limit=None)
    assert all(r.status_code == 200 for r in _burst(client_for(sb), 60))
    assert sb.stats()["rate_limited"] == 0


def test_bucket_refills() -> None:
    now = [100.0]
    rl = RateLimiter(10.0, clock=lambda: now[0])
    assert all(rl.acquire("k")[0] for _ in range(10))
    allowed, wait = rl.acquire("k")
    assert not allowed and 0 < wait <= 0.1
    now[0] += 0.12
    assert rl.acquire("k")[0]
    assert RateLimiter.retry_after_header(0.01) == "1"
    assert RateLimiter.retry_after_header(2.2) == "3"
