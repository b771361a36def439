"""Error classes: one per status, the server's message, and nothing secret."""

from __future__ import annotations

import pytest

from resemble_nb.api import errors as e


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, e.BadRequestError),
        (401, e.AuthenticationError),
        (402, e.PaymentRequiredError),
        (403, e.PermissionDeniedError),
        (404, e.NotFoundError),
        (422, e.UnprocessableEntityError),
        (429, e.RateLimitError),
        (500, e.InternalServerError),
        (502, e.InternalServerError),
        (503, e.InternalServerError),
        (409, e.APIStatusError),
    ],
)
def test_each_status_has_its_class(status: int, cls: type[e.APIStatusError]) -> None:
    err = e.error_for_status(status, "why", method="GET", path="/detect/x", request_id="req-1")
    assert type(err) is cls
    assert isinstance(err, e.ResembleError)
    assert err.status_code == status and err.message == "why"
    assert str(err) == f"GET /detect/x failed with HTTP {status}: why (request id req-1)"


def test_message_prefers_message_then_error_then_errors() -> None:
    assert e.message_from_body({"message": "m", "error": "x"}, "fb") == "m"
    assert e.message_from_body({"message": "", "error": "Gemini API request failed"}, "fb") == (
        "Gemini API request failed"
    )
    assert (
        e.message_from_body({"success": False, "errors": {"file": ["is empty", "bad"]}}, "fb")
        == "file: is empty, bad"
    )
    assert e.message_from_body({"errors": ["a", "b"]}, "fb") == "a; b"
    assert e.message_from_body({"success": False}, "Bad Gateway") == "Bad Gateway"
    assert e.message_from_body("<html> 502  Bad gateway </html>", "fb") == (
        "<html> 502 Bad gateway </html>"
    )
    assert len(e.message_from_body("x" * 1000, "fb")) == 200


def test_payment_required_carries_code_and_details() -> None:
    body = {
        "success": False,
        "error_code": "insufficient_balance",
        "error": "Insufficient balance",
        "message": "Your balance does not cover this detect",
        "details": {"estimated_cost_cents": 3.5, "detect_cost_cents": 3.5},
    }
    err = e.error_for_status(402, "m", method="POST", path="/detect", body=body)
    assert isinstance(err, e.PaymentRequiredError)
    assert err.error_code == "insufficient_balance"
    assert err.details == {"estimated_cost_cents": 3.5, "detect_cost_cents": 3.5}
    bare = e.error_for_status(402, "m", method="POST", path="/detect", body="oops")
    assert isinstance(bare, e.PaymentRequiredError)
    assert bare.error_code is None and bare.details == {}


def test_rate_limit_carries_retry_after() -> None:
    err = e.error_for_status(429, "slow down", method="GET", path="/detect", retry_after=2.0)
    assert isinstance(err, e.RateLimitError) and err.retry_after == 2.0


def test_connection_errors_and_outcome_unknown() -> None:
    err = e.OutcomeUnknownError("lost", method="POST", path="/detect", retries_taken=0)
    assert isinstance(err, e.APIConnectionError) and err.method == "POST"
    assert isinstance(e.APITimeoutError("t", method="GET", path="/x"), TimeoutError)


def test_missing_key_says_how_to_set_one() -> None:
    text = str(e.MissingAPIKeyError())
    assert "RESEMBLE_API_KEY" in text and "api_key=" in text


def test_value_errors_are_value_errors() -> None:
    assert issubclass(e.BatchLimitError, ValueError)
    assert issubclass(e.FileRejectedError, ValueError)
    assert e.FileRejectedError("x", path="a.wav").path == "a.wav"


def test_errors_can_be_raised_by_hand_with_their_own_status() -> None:
    """Fakes in other layers' tests raise these without a response at hand."""
    err = e.RateLimitError("slow down", retry_after=2.0)
    assert err.status_code == 429 and err.retry_after == 2.0
    assert str(err) == "HTTP 429: slow down"
    assert e.NotFoundError("gone").status_code == 404
    assert e.InternalServerError("x", status_code=503).status_code == 503
    assert e.OutcomeUnknownError("lost").method == ""
