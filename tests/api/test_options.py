"""Option names of /detect and /detect/batch, and how they travel as form fields."""

from __future__ import annotations

import pytest

from resemble_nb.api._options import BATCH_OPTIONS, DETECT_OPTIONS, form_fields, prepare_options


def test_every_documented_detect_option_is_accepted() -> None:
    options = dict.fromkeys(DETECT_OPTIONS, True)
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
    with pytest.raises(TypeError, match=r"no option 'inteligence'.*did you mean 'intelligence'"):
        prepare_options("detect", {"inteligence": True})


def test_single_only_options_are_refused_on_batch() -> None:
    with pytest.raises(TypeError, match=r"'detect_watermark' is only documented for the other"):
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
