"""``/_sandbox``: stats, reset, clock, wallet."""

from __future__ import annotations

from pathlib import Path

import httpx

from resemble_nb.sandbox import Sandbox

from .helpers import upload


def _admin(sb: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sb.url, headers={"Authorization": f"Bearer {sb.api_key}"})


def test_stats_count_routes_statuses_and_content(
    sandbox: Sandbox, api: httpx.Client, media_dir: Path
) -> None:
    token = upload(api, media_dir / "speech.wav")
    uuid = api.post("/detect", json={"media_token": token}).json()["item"]["uuid"]
    api.post("/detect", files={"file": ("copy.wav", (media_dir / "speech.wav").read_bytes())})
    api.get(f"/detect/{uuid}")
    api.get("/detect/missing")
    api.post("/detect/batch", files=[("files[]", ("t.wav", (media_dir / "tone.wav").read_bytes()))])
    with _admin(sandbox) as admin:
        stats = admin.get("/_sandbox/stats").json()
    assert stats == sandbox.stats()
    assert stats["requests_total"] == 6  # admin calls are not counted
    assert stats["requests"] == {
        "POST /secure_uploads": {"200": 1},
        "POST /detect": {"200": 2},
        "GET /detect/{uuid}": {"200": 1, "404": 1},
        "POST /detect/batch": {"202": 1},
    }
    assert stats["detects_created"] == 3 and stats["batches_created"] == 1
    assert stats["uploads"] == 1 and stats["rate_limited"] == 0
    # Same bytes under two names are one content: two detects for that SHA-256.
    assert sorted(stats["detects_per_sha256"].values()) == [1, 2]


def test_reset(sandbox: Sandbox, api: httpx.Client, media_dir: Path) -> None:
    api.post("/detect", json={"url": "https://example.com/a.wav"})
    sandbox.set_faults("GET /detect:500")
    with _admin(sandbox) as admin:
        assert admin.post("/_sandbox/reset").json() == {"success": True}
        assert sandbox.stats()["requests_total"] == 0
        # A plain reset keeps objects and fault rules.
        assert api.get("/detect", params={"page": 1}).status_code == 500
        assert len(sandbox.app.service.store.detects) == 1
        admin.post("/_sandbox/reset", json={"all": True})
    assert api.get("/detect", params={"page": 1}).json()["total_count"] == 0
    sandbox.reset_stats()
    assert sandbox.stats()["requests_total"] == 0


def test_clock_route(sandbox: Sandbox) -> None:
    with _admin(sandbox) as admin:
        before = admin.get("/_sandbox/clock").json()["now"]
        after = admin.post("/_sandbox/clock", json={"advance": 100}).json()["now"]
        assert after - before >= 100
        assert admin.post("/_sandbox/clock", json={"advance": -1}).status_code == 400
        assert admin.post("/_sandbox/clock", json={"advance": "x"}).status_code == 400
        assert admin.post("/_sandbox/clock", content=b"{nope").status_code == 400


def test_wallet_route_errors(sandbox: Sandbox) -> None:
    with _admin(sandbox) as admin:
        assert admin.post("/_sandbox/wallet", json={"cents": "lots"}).status_code == 400
        assert admin.post("/_sandbox/wallet", json={"cents": None}).json()["wallet_cents"] is None


def test_media_route_is_team_scoped(
    sandbox: Sandbox, api: httpx.Client, api_b: httpx.Client, media_dir: Path
) -> None:
    item = api.post(
        "/detect", files={"file": ("s.wav", (media_dir / "speech.wav").read_bytes())}
    ).json()["item"]
    assert api.get(item["url"]).status_code == 200
    assert api_b.get(item["url"]).status_code == 404


def test_stats_already_count_a_request_when_its_answer_arrives(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    # A test that reads the stats right after a response must see that response.
    for n in range(1, 41):
        api.get("/detect/missing")
        assert sandbox.stats()["requests"]["GET /detect/{uuid}"]["404"] == n
