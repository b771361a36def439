"""Reading the documented detect options from JSON or form text."""

from __future__ import annotations

import pytest

from resemble_nb.sandbox.errors import ApiError
from resemble_nb.sandbox.options import parse_bool, parse_options


def test_defaults() -> None:
    single = parse_options({})
    assert single["frame_length"] == 2 and single["visualize"] is False
    assert single["modality"] == "all" and single["zero_retention_mode"] is False
    assert parse_options({}, batch=True)["visualize"] is True


def test_form_text_and_aliases() -> None:
    opts = parse_options(
        {
            "frame_length": "3",
            "start_region": "1.5",
            "intelligence": "true",
            "audio_source_tracing_enabled": "1",
            "privacy_mode": "yes",
        }
    )
    assert opts["frame_length"] == 3 and opts["start_region"] == 1.5
    assert opts["intelligence"] is True
    assert opts["audio_source_tracing"] is True
    assert opts["zero_retention_mode"] is True


@pytest.mark.parametrize(
    ("raw", "status", "needle"),
    [
        ({"frame_length": True}, 400, "frame_length"),
        ({"start_region": -1}, 400, "start_region"),
        ({"max_video_secs": "nan"}, 400, "max_video_secs"),
        ({"model_types": "faces"}, 400, "model_types"),
        ({"callback_url": "not a url"}, 400, "callback_url"),
        ({"signal": True, "zero_retention_mode": True}, 400, "signal"),
        ({"signal": True}, 403, "Signal"),
    ],
)
def test_refusals(raw: dict[str, object], status: int, needle: str) -> None:
    with pytest.raises(ApiError) as info:
        parse_options(raw)
    assert info.value.status == status and needle in info.value.message


def test_watermark_is_refused_on_batches() -> None:
    assert parse_options({"detect_watermark": True})["detect_watermark"] is True
    with pytest.raises(ApiError, match="detect_watermark"):
        parse_options({"detect_watermark": True}, batch=True)


def test_parse_bool() -> None:
    assert parse_bool("x", "TRUE") is True and parse_bool("x", "off") is False
    assert parse_bool("x", 1) is True
    with pytest.raises(ApiError, match="x must be true or false"):
        parse_bool("x", 2)
