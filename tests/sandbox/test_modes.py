"""Behaviours the docs allow but do not promise (contract §11): list order, single-use
tokens, answers without status, Retry-After, --latency alone; each from Sandbox(...),
the admin route and the command line, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from resemble_nb.sandbox import Sandbox, SandboxConfig

from .helpers import ServerProcess, upload


def _admin(sb: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sb.url, headers={"Authorization": f"Bearer {sb.api_key}"})


def _make(api: httpx.Client, n: int) -> list[str]:
    """n detects by URL, in creation order."""
    return [
        api.post("/detect", json={"url": f"https://example.com/{i}.wav"}).json()["item"]["uuid"]
        for i in range(n)
    ]


def _listed(api: httpx.Client, page_size: int = 10) -> list[str]:
    """Every uuid of the list, page after page."""
    uuids: list[str] = []
    page = 1
    while True:
        body = api.get("/detect", params={"page": page, "page_size": page_size}).json()
        uuids += [item["uuid"] for item in body["items"]]
        if page >= body["num_pages"]:
            return uuids
        page += 1


# -- list order ---------------------------------------------------------------------------------


def test_list_is_newest_first_by_default(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    api = client_for(sandbox_factory(rate_limit=None))
    made = _make(api, 25)
    assert _listed(api) == made[::-1]


def test_list_oldest_first(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    api = client_for(sandbox_factory(rate_limit=None, list_order="oldest"))
    made = _make(api, 25)
    assert _listed(api) == made


def test_list_shuffled_is_seeded_and_stable_across_pages(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    api = client_for(sandbox_factory(rate_limit=None, list_order="shuffled", seed=3))
    made = _make(api, 30)
    listed = _listed(api)
    assert sorted(listed) == sorted(made)  # each once, none lost across pages
    assert listed not in (made, made[::-1])
    assert _listed(api, page_size=20) == listed  # the same order whatever the page size
    # A deleted detect leaves the others in place.
    assert api.delete(f"/detect/{listed[3]}").status_code == 200
    assert _listed(api) == listed[:3] + listed[4:]


def test_shuffled_order_is_a_function_of_the_seed() -> None:
    from resemble_nb.sandbox.state import Detect, Store

    def order(seed: int) -> list[str]:
        store = Store(seed=seed)
        for i in range(20):
            store.add_detect(Detect(f"u{i}", "t", 0.0, {}, "audio", None, None, None, "x"))
        page, total = store.team_page("t", 0, 20, "shuffled")
        assert total == 20
        return [d.uuid for d in page]

    assert order(3) == order(3)
    assert order(3) != order(4)
    assert sorted(order(3)) == sorted(f"u{i}" for i in range(20))


def test_list_order_switches_over_the_admin_route(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    sb = sandbox_factory(rate_limit=None)
    api = client_for(sb)
    made = _make(api, 12)
    with _admin(sb) as admin:
        got = admin.post("/_sandbox/modes", json={"list_order": "oldest"})
        assert got.status_code == 200 and got.json()["modes"]["list_order"] == "oldest"
        assert admin.get("/_sandbox/modes").json()["modes"]["list_order"] == "oldest"
        assert _listed(api) == made
        bad = admin.post("/_sandbox/modes", json={"list_order": "alphabetical", "retry_after": 1})
        assert bad.status_code == 400 and "list_order" in bad.json()["message"]
        unknown = admin.post("/_sandbox/modes", json={"colour": "red"})
        assert unknown.status_code == 400 and "colour" in unknown.json()["message"]
    assert sb.modes()["list_order"] == "oldest"  # a refused change changes nothing
    sb.set_modes(list_order="newest")
    assert _listed(api) == made[::-1]


# -- media tokens -------------------------------------------------------------------------------


def test_tokens_serve_twice_by_default(api: httpx.Client, media_dir: Path) -> None:
    token = upload(api, media_dir / "speech.wav")
    assert api.post("/detect", json={"media_token": token}).status_code == 200
    assert api.post("/detect", json={"media_token": token}).status_code == 200


def test_single_use_token_is_refused_the_second_time(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    media_dir: Path,
) -> None:
    sb = sandbox_factory(single_use_tokens=True)
    api = client_for(sb)
    token = upload(api, media_dir / "speech.wav")
    first = api.post("/detect", json={"media_token": token})
    assert first.status_code == 200
    second = api.post("/detect", json={"media_token": token})
    assert second.status_code == 400
    body = second.json()
    assert body["success"] is False and body["message"]
    # The generic Error schema (§6): the field that failed, and a machine-readable code.
    assert list(body["errors"]) == ["media_token"]
    assert body["error_code"] == "media_token_used"
    assert sb.stats()["detects_created"] == 1
    # A fresh upload gives a fresh token that works.
    assert api.post(
        "/detect", json={"media_token": upload(api, media_dir / "speech.wav")}
    ).is_success
    # /intelligence takes the token too: single purpose means one use of either.
    once = upload(api, media_dir / "speech.wav")
    assert api.post("/intelligence", json={"media_token": once}).status_code == 200
    assert (
        api.post("/detect", json={"media_token": once}).json()["error_code"] == "media_token_used"
    )


def test_a_refused_create_does_not_use_the_token(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    media_dir: Path,
) -> None:
    sb = sandbox_factory(single_use_tokens=True, wallet_cents=0)
    api = client_for(sb)
    token = upload(api, media_dir / "speech.wav")
    assert api.post("/detect", json={"media_token": token}).status_code == 402
    sb.set_wallet(None)
    assert api.post("/detect", json={"media_token": token}).status_code == 200


def test_expired_and_bad_tokens_say_so_in_fields(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    media_dir: Path,
) -> None:
    sb = sandbox_factory()
    api = client_for(sb)
    token = upload(api, media_dir / "speech.wav")
    bad = api.post("/detect", json={"media_token": "not-a-token"}).json()
    assert bad["error_code"] == "media_token_invalid" and "media_token" in bad["errors"]
    sb.advance_clock(3601)
    expired = api.post("/detect", json={"media_token": token})
    assert expired.status_code == 400
    assert expired.json()["error_code"] == "media_token_expired"
    assert "media_token" in expired.json()["errors"]


def test_single_use_tokens_switch_over_the_admin_route(
    sandbox: Sandbox, api: httpx.Client, media_dir: Path
) -> None:
    with _admin(sandbox) as admin:
        assert admin.post("/_sandbox/modes", json={"single_use_tokens": True}).is_success
    token = upload(api, media_dir / "speech.wav")
    assert api.post("/detect", json={"media_token": token}).status_code == 200
    assert api.post("/detect", json={"media_token": token}).status_code == 400


# -- answers without status ---------------------------------------------------------------------


def test_create_answers_without_status(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    media_dir: Path,
) -> None:
    api = client_for(sandbox_factory(progress="polls:1", create_status=False))
    created = api.post("/detect", json={"url": "https://example.com/a.wav"})
    assert created.status_code == 200
    item = created.json()["item"]
    assert "status" not in item and item["uuid"] and item["metrics"] == {}
    # A read still says where it stands.
    assert api.get(f"/detect/{item['uuid']}").json()["item"]["status"] == "completed"
    # Prefer: wait: no status, but the full metrics, as in the docs' audio example.
    token = upload(api, media_dir / "speech.wav")
    waited = api.post("/detect", json={"media_token": token}, headers={"Prefer": "wait"})
    done = waited.json()["item"]
    assert "status" not in done
    assert done["metrics"]["label"] in ("fake", "real") and done["metrics"]["aggregated_score"]


def test_create_status_switches_over_the_admin_route(sandbox: Sandbox, api: httpx.Client) -> None:
    body = {"url": "https://example.com/a.wav"}
    assert api.post("/detect", json=body).json()["item"]["status"] == "completed"
    sandbox.set_modes(create_status=False)
    assert "status" not in api.post("/detect", json=body).json()["item"]


# -- latency alone ------------------------------------------------------------------------------


def test_latency_alone_means_time_progress(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    assert SandboxConfig(latency=3).progress == "time"
    assert SandboxConfig().progress == "immediate"
    assert SandboxConfig(latency=3, progress="polls:1").progress == "polls:1"
    now = [1000.0]
    sb = sandbox_factory(latency=30, clock=lambda: now[0])
    api = client_for(sb)
    uuid = api.post("/detect", json={"url": "https://example.com/a.wav"}).json()["item"]["uuid"]
    assert api.get(f"/detect/{uuid}").json()["item"]["status"] == "processing"
    now[0] += 31
    assert api.get(f"/detect/{uuid}").json()["item"]["status"] == "completed"


def test_bad_modes_are_refused_by_the_config() -> None:
    with pytest.raises(ValueError, match="list_order"):
        SandboxConfig(list_order="random")
    with pytest.raises(ValueError, match="intelligence_lag"):
        SandboxConfig(intelligence_lag="later")
    with pytest.raises(ValueError, match="watermark_fail"):
        SandboxConfig(watermark_fail=2)


# -- the command line ---------------------------------------------------------------------------


def test_command_line_modes(media_dir: Path) -> None:
    server = ServerProcess(
        "--latency",
        "30",
        "--list-order",
        "oldest",
        "--single-use-tokens",
        "--no-create-status",
        "--retry-after",
        "--rate-limit",
        "1",
        "--intelligence-lag",
        "polls:2",
        "--watermark-fail",
        "--visual-artifacts",
        "url_404",
    )
    try:
        assert server.proc.stdout is not None
        line = server.proc.stdout.readline()
        assert line.startswith("Progress: time;") and "list_order=oldest" in line
        headers = {"Authorization": f"Bearer {server.api_key}"}
        with httpx.Client(base_url=server.base_url, headers=headers) as api:
            modes = httpx.get(
                server.base_url.replace("/api/v2", "/_sandbox/modes"), headers=headers
            ).json()["modes"]
            assert modes == {
                "list_order": "oldest",
                "intelligence_lag": "polls:2",
                "intelligence_fail": 0.0,
                "watermark_lag": "none",
                "watermark_fail": 1.0,
                "tracing_lag": "none",
                "tracing_fail": 0.0,
                "single_use_tokens": True,
                "create_status": False,
                "retry_after": True,
                "visual_artifacts": "url_404",
                "hostile": False,
            }
            created = api.post("/detect", json={"url": "https://example.com/a.wav"})
            assert created.status_code == 200 and "status" not in created.json()["item"]
            limited = [api.get("/detect", params={"page": 1}) for _ in range(4)]
            assert any(r.status_code == 429 and "Retry-After" in r.headers for r in limited)
    finally:
        server.stop()


# -- an account with a history ------------------------------------------------------------------


def test_seeded_history_is_older_than_everything(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    sb = sandbox_factory(rate_limit=None)
    api = client_for(sb)
    (mine,) = _make(api, 1)
    with _admin(sb) as admin:
        got = admin.post("/_sandbox/seed", json={"count": 5_000, "prefix": "old"}, timeout=120)
        assert got.status_code == 200 and got.json()["seeded"] == 5_000
        assert admin.post("/_sandbox/seed", json={"count": 0}).status_code == 400
    first = api.get("/detect", params={"page": 1, "page_size": 1000}).json()
    assert first["total_count"] == 5_001 and first["num_pages"] == 6
    assert first["items"][0]["uuid"] == mine  # newest first: the seeded ones are older
    seeded = first["items"][1]
    assert seeded["status"] == "completed" and seeded["filename"].startswith("old-")
    assert seeded["created_at"] < first["items"][0]["created_at"]
    sb.set_modes(list_order="oldest")
    last = api.get("/detect", params={"page": 6, "page_size": 1000}).json()
    assert last["items"][-1]["uuid"] == mine
    sb.set_modes(list_order="shuffled")
    assert mine in _listed(api, page_size=1000)
    assert sb.stats()["detects_created"] == 1  # history is not counted as new detects
    assert sb.seed_detects(10, prefix="more") == 10
