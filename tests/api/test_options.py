"""Option names of /detect and /detect/batch, and how they travel as form fields."""

from __future__ import annotations

from typing import Any

import pytest

from resemble_nb.api import DetectOptions, UnknownOptionError
from resemble_nb.api._options import BATCH_FIELD_NAMES, KNOWN_OPTIONS, form_fields

DETECT_OPTIONS = KNOWN_OPTIONS
BATCH_OPTIONS = frozenset(BATCH_FIELD_NAMES.values())
_SAMPLE = {
    "callback_url": "https://x.test/cb",
    "frame_length": 3,
    "start_region": 1.5,
    "end_region": 9,
    "max_video_secs": 60,
    "max_video_fps": 5,
    "model_types": "talking_head",
    "modality": "audio",
}


def prepare_options(
    endpoint: str, options: dict[str, Any], extra_fields: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What a client sends: the options as given, under the endpoint's names."""
    built = DetectOptions.build(options, extra_fields=extra_fields)
    return built.single_fields() if endpoint == "detect" else built.batch_fields()


def test_every_documented_detect_option_is_accepted() -> None:
    options = {name: _SAMPLE.get(name, True) for name in DETECT_OPTIONS}
    assert prepare_options("detect", options) == options


def test_source_tracing_spelling_follows_the_endpoint() -> None:
    assert prepare_options("detect", {"audio_source_tracing_enabled": True}) == {
        "audio_source_tracing": True
    }
    assert prepare_options("batch", {"audio_source_tracing": True}) == {
        "audio_source_tracing_enabled": True
    }
    assert "audio_source_tracing_enabled" in BATCH_OPTIONS
    assert "audio_source_tracing" in DETECT_OPTIONS


def test_typos_are_refused_with_a_suggestion() -> None:
    with pytest.raises(UnknownOptionError, match=r"'inteligence'.*did you mean 'intelligence'"):
        prepare_options("detect", {"inteligence": True})


def test_single_only_options_are_refused_on_batch() -> None:
    with pytest.raises(ValueError, match=r"detect_watermark \(only documented for POST /detect\)"):
        prepare_options("batch", {"detect_watermark": True})


def test_none_is_dropped_and_extra_fields_pass_through() -> None:
    assert prepare_options("detect", {"visualize": None, "frame_length": 2}, {"new_flag": 1}) == {
        "frame_length": 2,
        "new_flag": 1,
    }


def test_form_fields_spell_booleans_like_the_docs() -> None:
    assert form_fields({"intelligence": True, "visualize": False, "frame_length": 2}) == {
        "intelligence": "true",
        "visualize": "false",
        "frame_length": "2",
    }
    assert form_fields({"x": [1, True]}) == {"x": ["1", "true"]}
