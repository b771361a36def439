"""The one secret-pattern module: what it must find, and what evidence it must not."""

from __future__ import annotations

import secrets as stdlib_secrets

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from resemble_nb._core.secrets import find_secrets, known_count, looks_like_token, redact, remember
from resemble_nb.api import Client
from resemble_nb.api._findings import Artifact
from resemble_nb.api._token import MediaToken

JWT_NAME = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJldmlkZW5jZSJ9.wav"


def _token() -> str:
    """A fresh JWT-shaped value no other test knows."""
    body, signature = stdlib_secrets.token_urlsafe(24), stdlib_secrets.token_urlsafe(16)
    return f"eyJhbGciOiJIUzI1NiJ9.eyJ{body}.{signature}"


def test_a_remembered_value_is_found_wherever_it_sits_and_never_shown() -> None:
    key = "sk_live_" + stdlib_secrets.token_hex(16)
    remember(key, "the API key")
    assert find_secrets(f"<td>{key}</td>".encode()) == ["the API key"]
    assert find_secrets(f"note: {key}") == ["the API key"]
    assert find_secrets(b"nothing here") == []
    assert key not in " ".join(find_secrets(key))


def test_a_known_media_token_is_found_even_glued_to_other_text() -> None:
    token = _token()
    remember(token, "a media token")
    assert find_secrets(f"url?token={token}&x=1") == ["a media token"]
    assert find_secrets(f"{token}.more.parts") == ["a media token"]


def test_what_the_api_layer_holds_is_known_as_soon_as_it_is_made() -> None:
    key = "key_" + stdlib_secrets.token_hex(12)
    Client(api_key=key, base_url="http://127.0.0.1:9").close()
    token = _token()
    MediaToken(token, filename="call.wav")
    query = "X-Amz-Signature=" + stdlib_secrets.token_hex(20)
    Artifact.from_value(f"https://cdn.example/h.png?{query}", "heatmap")
    assert find_secrets(key.encode()) == ["the API key"]
    assert find_secrets(token.encode()) == ["a media token"]
    assert find_secrets(f"<img src='https://cdn.example/h.png?{query}'>") == ["a pre-signed URL"]


def test_the_environment_s_api_key_and_extra_values_are_looked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = "env_key_" + stdlib_secrets.token_hex(8)
    monkeypatch.setenv("RESEMBLE_API_KEY", key)
    assert find_secrets(f"x {key} y") == ["the API key"]
    assert find_secrets(b"abc 0123456789", extra=["0123456789"]) == ["a secret given to the scan"]


@pytest.mark.parametrize(
    "fmt",
    [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.OpenSSH],
)
def test_a_private_key_block_is_found_whoever_made_it(fmt: serialization.PrivateFormat) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, fmt, serialization.NoEncryption()
    )
    assert find_secrets(b"exhibit bytes " + pem) == ["a private-key block"]


def test_a_reviewers_key_body_is_known_without_its_pem_lines(tmp_path: object) -> None:
    from resemble_nb.custody._keys import ReviewerKey

    private = Ed25519PrivateKey.generate()
    ReviewerKey("ana", private)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    body = pem.splitlines()[1]
    assert find_secrets(f"pasted: {body}") == ["a reviewer's private key"]


@pytest.mark.parametrize(
    "evidence",
    [
        JWT_NAME,  # a file named like a JWT
        "the caller said eyJhbGciOiJub25lIn0.eyJ1c2VyIjoiYm9iIn0. twice",  # a transcription
        _token(),  # a token nobody in this process holds
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----",
        "short",  # never remembered: too short to tell from text
    ],
)
def test_evidence_that_only_looks_like_a_secret_is_not_one(evidence: str) -> None:
    remember("short", "a secret")
    assert find_secrets(evidence) == []
    assert find_secrets(evidence.encode()) == []


def test_service_text_is_redacted_by_shape_and_by_what_is_known() -> None:
    key = "plain_" + stdlib_secrets.token_hex(10)
    remember(key, "the API key")
    text = f"upload failed for {key} with token {_token()}; Bearer sk_0123456789abcdefXYZ"
    out = redact(text)
    assert out == "upload failed for [redacted] with token [redacted]; Bearer [redacted]"
    assert looks_like_token(JWT_NAME) and not looks_like_token("speech.wav")
    ordinary = "the token expired at 10:00 (see eyJ docs)"
    assert redact(ordinary) == ordinary


def test_many_urls_cannot_make_every_scan_slow() -> None:
    """Plain values are looked for one by one: the oldest beyond 1024 are forgotten."""
    for i in range(1500):
        remember(f"X-Amz-Signature={i:06d}abcdef", "a pre-signed URL")
    assert find_secrets("X-Amz-Signature=001499abcdef") == ["a pre-signed URL"]
    assert find_secrets("X-Amz-Signature=000100abcdef") == []
    from resemble_nb._core import secrets as module

    assert len(module._known) == 1024 and known_count() >= 1024
