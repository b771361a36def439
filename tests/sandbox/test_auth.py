"""Bearer keys, the legacy ``Token token=KEY`` header, and 401s."""

from __future__ import annotations

import httpx
import pytest

from resemble_nb.sandbox import Sandbox
from resemble_nb.sandbox.auth import key_from_header


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Bearer abc", "abc"),
        ("bearer   abc ", "abc"),
        ("Token token=abc", "abc"),
        ('Token token="abc"', "abc"),
        ("Token abc", "abc"),
        ("Basic abc", None),
        ("Bearer", None),
        ("", None),
        (None, None),
    ],
)
def test_key_from_header(header: str | None, key: str | None) -> None:
    assert key_from_header(header) == key


def test_every_header_form_reaches_the_api(sandbox: Sandbox) -> None:
    key = sandbox.api_keys[0]
    for header in (f"Bearer {key}", f"Token token={key}", f'Token token="{key}"'):
        r = httpx.get(
            f"{sandbox.base_url}/detect", params={"page": 1}, headers={"Authorization": header}
        )
        assert r.status_code == 200, header


def test_missing_and_wrong_keys_are_401(sandbox: Sandbox) -> None:
    url = f"{sandbox.base_url}/detect"
    missing = httpx.get(url, params={"page": 1})
    assert missing.status_code == 401
    assert missing.json()["success"] is False
    assert "Authorization: Bearer" in missing.json()["message"]
    wrong = httpx.get(url, params={"page": 1}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["message"] == "Invalid API key"
    prefix = httpx.get(
        url, params={"page": 1}, headers={"Authorization": f"Bearer {sandbox.api_key[:-1]}"}
    )
    assert prefix.status_code == 401
    # The key never comes back in an answer.
    assert sandbox.api_key not in wrong.text


def test_401_on_a_big_upload_still_reaches_the_client(sandbox: Sandbox) -> None:
    r = httpx.post(
        f"{sandbox.base_url}/secure_uploads",
        files={"file": ("big.wav", b"\x00" * (8 << 20))},
        headers={"Authorization": "Bearer wrong"},
    )
    assert r.status_code == 401


def test_admin_routes_need_a_key(sandbox: Sandbox) -> None:
    for method, path in [
        ("GET", "/_sandbox/stats"),
        ("POST", "/_sandbox/faults"),
        ("POST", "/_sandbox/reset"),
        ("POST", "/_sandbox/clock"),
    ]:
        assert httpx.request(method, sandbox.url + path).status_code == 401, path
