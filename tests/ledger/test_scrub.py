"""Secrets never reach the ledger: token keys dropped, JWT-like text redacted."""

from __future__ import annotations

import pytest

from resemble_nb.ledger import scrub, scrub_text
from resemble_nb.ledger._scrub import dump_raw

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1cGxvYWQiLCJleHAiOjE3MDAwMDB9.Zm9vYmFyYmF6cXV4"


def test_secret_keys_are_dropped_at_any_depth_in_any_case() -> None:
    raw = {
        "item": {
            "uuid": "u",
            "Media_Token": JWT,
            "nested": [{"token": "t", "keep": 1}, {"Authorization": "Bearer x"}],
        },
        "api_key": "sk_live_x",
    }
    assert scrub(raw) == {"item": {"uuid": "u", "nested": [{"keep": 1}, {}]}}


def test_token_like_text_is_redacted_but_ordinary_text_is_kept() -> None:
    assert scrub_text(f"expired token {JWT} at 10:00") == "expired token [redacted] at 10:00"
    assert scrub_text("Authorization: Bearer sk_live_0123456789abcdefXYZ") == (
        "Authorization: Bearer [redacted]"
    )
    ordinary = "Detect not found (uuid 5c17d732-0d10-4ee3-8c1d-41ad9b9142a1)"
    assert scrub_text(ordinary) == ordinary
    data_uri = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
    assert scrub_text(data_uri) == data_uri


def test_dump_raw_accepts_text_or_mappings_and_refuses_what_it_cannot_clean() -> None:
    assert dump_raw('{"a": 1, "media_token": "x"}') == '{"a":1}'
    assert dump_raw(None) == "{}"
    assert dump_raw({"label": "Neutral/Uncertain", "é": "ü"}) == (
        '{"label":"Neutral/Uncertain","é":"ü"}'
    )
    with pytest.raises(ValueError, match="not JSON"):
        dump_raw("{nope")
    with pytest.raises(ValueError, match="token-like"):
        dump_raw({JWT: True})
