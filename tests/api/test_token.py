"""MediaToken: issue time and expiry from the JWT, and no way to print it."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from resemble_nb.api import MediaToken

T0 = datetime(2026, 1, 1, 10, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _jwt(**claims: object) -> str:
    return jwt.encode(claims, "sandbox-signing-key-0123456789abcdef", algorithm="HS256")


def test_times_come_from_the_jwt_claims() -> None:
    clock = Clock(T0)
    value = _jwt(iat=int(T0.timestamp()), exp=int((T0 + timedelta(minutes=30)).timestamp()))
    token = MediaToken(value, filename="call.wav", size=10, clock=clock)
    assert token.issued_at == T0
    assert token.expires_at == T0 + timedelta(minutes=30)
    assert token.lifetime == timedelta(minutes=30)
    clock.now = T0 + timedelta(minutes=10)
    assert token.age == timedelta(minutes=10)
    assert token.expires_in == timedelta(minutes=20)
    assert not token.expired and not token.expires_within(60)
    assert token.expires_within(25 * 60)
    clock.now = T0 + timedelta(minutes=30)
    assert token.expired


def test_without_claims_the_documented_hour_applies() -> None:
    clock = Clock(T0)
    token = MediaToken("not-a-jwt", clock=clock)
    assert token.issued_at == T0 and token.expires_at == T0 + timedelta(hours=1)
    clock.now = T0 + timedelta(minutes=59)
    assert not token.expired
    clock.now = T0 + timedelta(hours=1)
    assert token.expired
    only_exp = MediaToken(_jwt(exp=int((T0 + timedelta(hours=2)).timestamp())), clock=Clock(T0))
    assert only_exp.issued_at == T0 and only_exp.expires_at == T0 + timedelta(hours=2)


def test_a_skewed_local_clock_does_not_expire_fresh_tokens() -> None:
    server_now = int(T0.timestamp())
    value = _jwt(iat=server_now, exp=server_now + 3600)
    clock = Clock(T0 + timedelta(hours=3))  # this machine's clock is 3 h ahead
    token = MediaToken(value, clock=clock)
    assert not token.expired and token.expires_in == timedelta(hours=1)
    clock.now += timedelta(minutes=61)
    assert token.expired


def test_a_token_with_no_life_left_is_expired() -> None:
    value = _jwt(iat=10, exp=10)
    token = MediaToken(value, clock=Clock(T0))
    assert token.expired and token.reveal() == value


def test_the_value_is_never_shown_or_pickled() -> None:
    value = _jwt(iat=int(T0.timestamp()), sub="media-123")
    token = MediaToken(value, filename="call.wav")
    for text in (repr(token), str(token), f"{token}", repr([token]), repr({"t": token})):
        assert value not in text
        assert "call.wav" in text or "MediaToken" in text
    assert token.value == value == token.reveal()
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(token)
    assert MediaToken(value) == token


@pytest.mark.parametrize(
    "value",
    ["", "a.b", "a.b.c", "x.!!!.y", "a." + "W1sxXV0" + ".c", "a.bm90IGpzb24.c", "é.é.é"],
)
def test_malformed_tokens_fall_back_to_the_documented_hour(value: str) -> None:
    token = MediaToken(value, clock=Clock(T0))
    assert token.issued_at == T0 and token.lifetime == timedelta(hours=1)


def test_claims_are_read_without_pyjwt_exactly_as_pyjwt_reads_them() -> None:
    iat, exp = int(T0.timestamp()), int(T0.timestamp()) + 1234
    value = _jwt(iat=iat, exp=exp, sub="x" * 7)  # odd lengths exercise base64 padding
    assert jwt.decode(value, options={"verify_signature": False})["exp"] == exp
    token = MediaToken(value, clock=Clock(T0))
    assert token.issued_at.timestamp() == iat and token.expires_at.timestamp() == exp
