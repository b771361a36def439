"""Detect options (the one table): names on /detect vs /detect/batch, checks, the stable key.

(Moved here from tests/media/test_options.py with the table itself.)"""

from __future__ import annotations

import re
from typing import Any

import pytest

from resemble_nb.api import DetectOptions, UnknownOptionError
from resemble_nb.api._options import BATCH_FIELD_NAMES, KNOWN_OPTIONS, SINGLE_ONLY_OPTIONS


def canonical_options(options: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    return dict(DetectOptions.build(options, **more).analysis())


def options_key(options: dict[str, Any] | None) -> str:
    return DetectOptions.build(options).key


def batch_fields(options: dict[str, Any]) -> dict[str, Any]:
    return DetectOptions.build(options).analysis().batch_fields()


def single_fields(options: dict[str, Any]) -> dict[str, Any]:
    return DetectOptions.build(options).analysis().single_fields()


def single_only(options: dict[str, Any]) -> list[str]:
    return list(DetectOptions.build(options).single_only)


def test_batch_form_fields_are_the_documented_ones() -> None:
    """Contract §4.4: the /detect/batch form fields (besides files[]/file)."""
    assert set(BATCH_FIELD_NAMES.values()) == {
        "callback_url",
        "intelligence",
        "infer_from_intelligence",
        "search_identity",
        "visualize",
        "audio_source_tracing_enabled",
        "frame_length",
        "start_region",
        "end_region",
        "max_video_secs",
        "use_llm",
        "face_only",
        "zero_retention_mode",
    }


def test_single_only_options_are_those_missing_from_the_batch_form() -> None:
    assert {
        "detect_watermark",
        "signal",
        "use_reverse_search",
        "use_ood_detector",
        "modality",
        "max_video_fps",
        "model_types",
        "wait_for_intelligence",
    } == SINGLE_ONLY_OPTIONS
    assert SINGLE_ONLY_OPTIONS | set(BATCH_FIELD_NAMES) == KNOWN_OPTIONS


def test_source_tracing_is_renamed_for_batches_and_aliases_are_accepted() -> None:
    assert batch_fields({"audio_source_tracing": True}) == {"audio_source_tracing_enabled": True}
    assert single_fields({"audio_source_tracing_enabled": True}) == {"audio_source_tracing": True}
    assert canonical_options(privacy_mode=True) == {"zero_retention_mode": True}


def test_no_ops_are_dropped_but_meaningful_false_is_kept() -> None:
    assert (
        canonical_options(intelligence=False, modality="all", frame_length=2, start_region=None)
        == {}
    )
    assert canonical_options(visualize=False) == {"visualize": False}  # batch default is true


def test_batch_fields_refuse_single_only_options() -> None:
    with pytest.raises(ValueError, match="does not take detect_watermark"):
        batch_fields({"detect_watermark": True, "intelligence": True})
    assert single_only({"detect_watermark": True, "modality": "audio", "intelligence": True}) == [
        "detect_watermark",
        "modality",
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"inteligence": True}, "unknown detect option 'inteligence'"),
        ({"intelligence": "yes"}, "'intelligence' must be True or False"),
        ({"frame_length": 5}, "'frame_length' must be a whole number of seconds from 1 to 4"),
        ({"frame_length": 2.5}, "frame_length"),
        ({"start_region": -1}, "'start_region' must be a number of seconds"),
        ({"modality": "both"}, "'modality' must be one of 'audio', 'video', 'all'"),
        ({"callback_url": "ftp://x"}, "'callback_url' must be an http"),
    ],
)
def test_bad_options_are_refused_with_a_clear_message(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        canonical_options(options)


def test_an_unknown_option_is_one_error_type_with_a_suggestion() -> None:
    with pytest.raises(UnknownOptionError, match=r"did you mean 'intelligence'\?") as info:
        canonical_options({"inteligence": True})
    assert isinstance(info.value, ValueError)
    assert (info.value.name, info.value.suggestion) == ("inteligence", "intelligence")


def test_pipeline_is_deprecated_accepted_and_never_sent() -> None:
    """Contract §3.3: ``pipeline`` is ignored on create; older notebooks still run."""
    with pytest.warns(DeprecationWarning, match="'pipeline' is deprecated"):
        options = DetectOptions.build(pipeline="general", intelligence=True)
    assert dict(options) == {"intelligence": True}
    assert options.key == options_key({"intelligence": True})


def test_privacy_mode_is_the_older_name_of_zero_retention_mode_everywhere() -> None:
    options = DetectOptions.build(privacy_mode=True)
    assert options.single_fields() == {"zero_retention_mode": True}
    assert options.batch_fields() == {"zero_retention_mode": True}


def test_options_are_checked_once_and_carried_as_they_are() -> None:
    options = DetectOptions.build(intelligence=True).analysis()
    assert DetectOptions.build(options) is options
    assert options.analysis() is options
    with pytest.raises(TypeError):
        options["intelligence"] = False  # type: ignore[index]


def test_conflicting_spellings_are_refused() -> None:
    with pytest.raises(ValueError, match="given twice"):
        canonical_options({"audio_source_tracing": True, "audio_source_tracing_enabled": False})


def test_options_key_is_stable_across_spellings_order_and_delivery() -> None:
    base = options_key({"intelligence": True, "audio_source_tracing": True})
    assert len(base) == 16 and re.fullmatch("[0-9a-f]{16}", base)
    assert base == options_key({"audio_source_tracing_enabled": True, "intelligence": True})
    assert base == options_key(
        {"intelligence": True, "audio_source_tracing": True, "use_llm": False, "modality": "all"}
    )
    assert base == options_key(
        {"intelligence": True, "audio_source_tracing": True, "callback_url": "https://x.test/cb"}
    )
    assert base == options_key(
        {"intelligence": True, "audio_source_tracing": True, "zero_retention_mode": True}
    )
    assert options_key({"start_region": 1}) == options_key({"start_region": 1.0})


def test_options_key_differs_when_the_analysis_differs() -> None:
    keys = {
        options_key(None),
        options_key({"intelligence": True}),
        options_key({"intelligence": True, "infer_from_intelligence": True}),
        options_key({"frame_length": 3}),
        options_key({"visualize": False}),
    }
    assert len(keys) == 5
    assert options_key(None) == options_key({})
