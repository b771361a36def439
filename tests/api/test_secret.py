"""Secret wrapper, header redaction and the log filter."""

from __future__ import annotations

import logging
import pickle

import pytest

from resemble_nb.api._secret import MASK, RedactingFilter, Secret, redact_headers, scrub

KEY = "test_key_secret_123"


def test_secret_never_shows_its_value() -> None:
    secret = Secret(KEY)
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{secret}", repr([secret])]
    assert all(KEY not in text for text in shown)
    assert secret.reveal() == KEY
    assert Secret(KEY) == secret and hash(Secret(KEY)) == hash(secret)
    assert not Secret("")


def test_secret_refuses_to_be_pickled() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(Secret(KEY))


def test_redact_headers_masks_credentials_only() -> None:
    headers = {"Authorization": f"Bearer {KEY}", "Accept": "application/json", "Cookie": "s=1"}
    assert redact_headers(headers) == {
        "Authorization": MASK,
        "Accept": "application/json",
        "Cookie": MASK,
    }


def test_scrub_replaces_secrets_in_nested_bodies() -> None:
    body = {"message": f"bad token {KEY}", "errors": {"media_token": [KEY, "other"]}, "n": 1}
    cleaned = scrub(body, [KEY, ""])
    assert KEY not in repr(cleaned)
    assert cleaned["errors"]["media_token"] == [MASK, "other"] and cleaned["n"] == 1


def test_log_filter_redacts_headers_and_bearer_tokens(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.redaction")
    log.addFilter(RedactingFilter())
    try:
        with caplog.at_level(logging.DEBUG, logger="test.redaction"):
            log.debug("headers=%s", {"authorization": f"Bearer {KEY}", "accept": "x"})
            log.debug("sent Authorization: Bearer %s", KEY)
            log.debug(f"legacy header Token token={KEY}")
    finally:
        log.filters.clear()
    assert len(caplog.records) == 3
    assert KEY not in caplog.text
    assert "'accept': 'x'" in caplog.text
