"""Typed views of intelligence, watermark, C2PA and visualization artifacts (no HTTP)."""

from __future__ import annotations

import pickle

import pytest

from resemble_nb.api import Artifact, C2PAManifest, Detection, Findings, Watermark

SIGNED = "https://cdn.example.invalid/heat.png?X-Amz-Signature=deadbeefcafe&X-Amz-Credential=k"


def test_structured_audio_findings_every_field() -> None:
    f = Findings.from_description(
        {
            "speaker_info": "Adult male speaker", "language": "en", "dialect": "en-US",
            "emotion": "confident", "speaking_style": "conversational",
            "context": "Product marketing pitch", "message": "Introducing a feature",
            "abnormalities": ["flat prosody", "no breaths"],
            "transcription": "Welcome back", "translation": None,
            "misinformation": "No misinformation detected",
            "fraud": {"type": "vishing", "confidence": 80, "reasoning": "urgent money"},
            "liveness": {"assessment": "not_real_person", "confidence": 70, "indicators": []},
            "digitally_altered": {"detected": True, "confidence": 65, "alterations": ["x"]},
        }
    )  # fmt: skip
    assert f is not None and f.structured
    assert (f.language, f.dialect, f.transcription) == ("en", "en-US", "Welcome back")
    assert f.abnormalities == "flat prosody; no breaths"
    assert (f.fraud_type, f.fraud_confidence) == ("vishing", 80.0)
    assert (f.liveness, f.digitally_altered) == ("not_real_person", True)
    assert f.summary == "Introducing a feature"
    assert "translation" not in f.fields and f.fields["language"] == "en"


def test_image_findings_and_text_findings() -> None:
    f = Findings.from_description(
        {"scene_description": "A street", "authenticity_analysis": "Looks generated"}
    )
    assert f is not None and f.summary == "Looks generated" and f.scene_description == "A street"
    text = Findings.from_description("Adult speaker, calm tone")
    assert text is not None and not text.structured and text.summary == "Adult speaker, calm tone"
    assert Findings.from_description(None) is None and Findings.from_description("  ") is None


def test_watermark_spec_b_audio_and_image_shapes() -> None:
    audio = Watermark.from_json(
        {
            "status": "completed",
            "metrics": {
                "overall_status": "not_detected", "detected_model_versions": [],
                "coverage_complete": True, "has_watermark": {"0": False, "1": False},
                "confidence": 0.1, "model_results": [],
            },
        }
    )  # fmt: skip
    assert audio is not None and audio.detected is False and audio.coverage_complete is True
    assert audio.channels == {"0": False, "1": False}
    assert audio.verdict_text == "no watermark found"
    image = Watermark.from_json(
        {
            "status": "completed",
            "metrics": {
                "overall_status": "detected", "detected_model_versions": ["v2"],
                "has_watermark": True, "detection_score": 0.97, "model_results": [{}],
                "verdict": "watermarked",
            },
        }
    )  # fmt: skip
    assert image is not None and image.detected is True and image.detection_score == 0.97
    assert image.detected_model_versions == ["v2"] and image.verdict == "watermarked"
    pending = Watermark.from_json({"status": "processing", "metrics": None})
    assert pending is not None and pending.detected is None
    assert pending.verdict_text == "watermark check processing"
    failed = Watermark.from_json({"status": "failed", "error_message": "timeout"})
    assert failed is not None and failed.verdict_text == "watermark check failed: timeout"
    assert Watermark.from_json(None) is None


def test_c2pa_states_have_a_meaning() -> None:
    for state in ("Valid", "NotPresent", "Unavailable"):
        c = C2PAManifest.from_json({"validation_state": state, "manifests": {}})
        assert c is not None and c.validation_state == state and "C2PA" in c.meaning
    assert C2PAManifest.from_json("nope") is None


def test_artifact_urls_are_secret() -> None:
    a = Artifact.from_value(SIGNED, "ifl_heatmap")
    assert a is not None and a.kind == "url" and a.reveal() == SIGNED
    for shown in (repr(a), str(a), f"{a}"):
        assert "X-Amz" not in shown and "cdn.example" not in shown
    with pytest.raises(TypeError):
        pickle.dumps(a)
    assert Artifact.from_value("", "x") is None and Artifact.from_value("not a url", "x") is None


def test_detection_exposes_each_analysis_typed_and_keeps_raw() -> None:
    raw = {
        "uuid": "d1", "status": "completed", "media_type": "image",
        "image_metrics": {
            "type": "FinalResult", "label": "Fake", "score": 1, "image": SIGNED,
            "ifl": {"score": 1, "heatmap": "data:image/png;base64,iVBORw0KGgo="},
            "reverse_image_search_sources": [
                {"url": "https://stock.example/x", "title": "stock", "reason": "hosted",
                 "verdict": "known_fake", "similarity": 1}
            ],
        },
        "watermark": {"status": "completed", "metrics": {"has_watermark": False}},
        "c2pa_manifest": {"validation_state": "NotPresent"},
        "intelligence": {"uuid": "i1", "status": "completed", "description": "Generated"},
    }  # fmt: skip
    d = Detection.from_json(raw)
    assert d.raw == raw
    assert d.watermark_analysis is not None and d.watermark_analysis.detected is False
    assert d.c2pa is not None and d.c2pa.validation_state == "NotPresent"
    assert d.findings is not None and d.findings.summary == "Generated"
    assert set(d.artifacts) == {"image_heatmap", "ifl_heatmap"}
    assert d.artifacts["image_heatmap"].kind == "url"
    assert (d.artifacts["ifl_heatmap"].data() or b"").startswith(b"\x89PNG")
    assert d.image is not None and d.image.reverse_search_sources[0].verdict == "known_fake"
    assert "X-Amz" not in repr(d)
