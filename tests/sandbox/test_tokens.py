"""Media tokens: signed, team-bound, expiring one hour after issue."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import jwt
import pytest

from resemble_nb.sandbox import Sandbox
from resemble_nb.sandbox.tokens import TokenError, issue_token, read_token

from .helpers import upload


def test_token_expires_after_an_hour_on_the_admin_clock(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    media_dir: Path,
) -> None:
    # the base clock stands still, so only the admin route moves time (no real-time creep)
    sandbox = sandbox_factory(clock=lambda: 1_700_000_000.0)
    api = client_for(sandbox)
    token = upload(api, media_dir / "speech.wav")
    admin = {"Authorization": f"Bearer {sandbox.api_key}"}
    r = httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance": 3599}, headers=admin)
    assert r.status_code == 200
    assert api.post("/detect", json={"media_token": token}).status_code == 200
    httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance": 2}, headers=admin)
    expired = api.post("/detect", json={"media_token": token})
    assert expired.status_code == 400
    assert "expired" in expired.json()["message"]
    assert "upload the file again" in expired.json()["message"]
    # A fresh upload works again.
    assert api.post(
        "/detect", json={"media_token": upload(api, media_dir / "speech.wav")}
    ).is_success


def test_injected_clock_expires_tokens(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    media_dir: Path,
) -> None:
    now = [1_700_000_000.0]
    sb = sandbox_factory(clock=lambda: now[0])
    api = client_for(sb)
    token = upload(api, media_dir / "speech.wav")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["iat"] == int(now[0])
    now[0] += 3600
    r = api.post("/detect", json={"media_token": token})
    assert r.status_code == 400 and "expired" in r.json()["message"]


def test_tampered_token_is_refused(api: httpx.Client, media_dir: Path) -> None:
    token = upload(api, media_dir / "speech.wav")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["exp"] += 10**6  # try to extend its life
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    r = api.post("/detect", json={"media_token": f"{header}.{forged}.{signature}"})
    assert r.status_code == 400
    assert "signature" in r.json()["message"]


def test_token_of_another_sandbox_is_refused(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    media_dir: Path,
) -> None:
    one, two = sandbox_factory(), sandbox_factory()
    token = upload(client_for(one), media_dir / "speech.wav")
    r = client_for(two).post("/detect", json={"media_token": token})
    assert r.status_code == 400


def test_token_of_another_team_is_404(
    api: httpx.Client, api_b: httpx.Client, media_dir: Path
) -> None:
    token = upload(api, media_dir / "speech.wav")
    r = api_b.post("/intelligence", json={"media_token": token})
    assert r.status_code == 404


def test_a_token_can_be_used_for_several_detects(
    sandbox: Sandbox, api: httpx.Client, media_dir: Path
) -> None:
    token = upload(api, media_dir / "speech.wav")
    a = api.post("/detect", json={"media_token": token}).json()["item"]
    b = api.post("/detect", json={"media_token": token, "frame_length": 1}).json()["item"]
    assert a["uuid"] != b["uuid"]
    assert sum(sandbox.stats()["detects_per_sha256"].values()) == 2


def test_read_token_unit() -> None:
    secret = b"s" * 32
    token = issue_token(secret, upload_id="u1", team_id="team_1", now=1000.0, ttl=3600)
    claims = read_token(secret, token, now=4599.0)
    assert (claims.upload_id, claims.team_id, claims.expires_at) == ("u1", "team_1", 4600.0)
    with pytest.raises(TokenError, match="expired"):
        read_token(secret, token, now=4600.0)
    with pytest.raises(TokenError, match="signature"):
        read_token(b"t" * 32, token, now=1000.0)
    with pytest.raises(TokenError, match="non-empty"):
        read_token(secret, 42, now=1000.0)
    wrong_audience = jwt.encode({"sub": "u", "team": "t", "exp": 9e9}, secret, algorithm="HS256")
    with pytest.raises(TokenError, match="not a token issued"):
        read_token(secret, wrong_audience, now=1000.0)
