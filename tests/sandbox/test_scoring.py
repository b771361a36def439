"""Synthetic scores: deterministic per content, banded labels, a mix of verdicts."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from resemble_nb.sandbox import Sandbox
from resemble_nb.sandbox.scoring import analyse, audio_label, base_score, five_step_label

from .helpers import detect_file, image_bytes, upload, wav_bytes

_RESULT_KEYS = ("metrics", "image_metrics", "video_metrics", "media_type", "duration")


def _result(item: dict[str, object]) -> dict[str, object]:
    return {k: item[k] for k in _RESULT_KEYS}


def test_equal_content_scores_equal_whatever_the_path(
    api: httpx.Client, media_dir: Path, tmp_path: Path
) -> None:
    for name in ("speech.wav", "clip.mp4", "pic.png"):
        copy = tmp_path / f"renamed_{name}"
        copy.write_bytes((media_dir / name).read_bytes())
        direct = detect_file(api, media_dir / name)
        renamed = detect_file(api, copy)
        by_token = api.post("/detect", json={"media_token": upload(api, copy)}).json()["item"]
        assert _result(direct) == _result(renamed) == _result(by_token), name


def test_equal_content_scores_equal_across_sandboxes(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    media_dir: Path,
) -> None:
    one, two = sandbox_factory(seed=1), sandbox_factory(seed=2)
    a = detect_file(client_for(one), media_dir / "clip.mp4")
    b = detect_file(client_for(two), media_dir / "clip.mp4")
    assert _result(a) == _result(b)


def test_different_content_or_options_score_differently(api: httpx.Client, media_dir: Path) -> None:
    a = detect_file(api, media_dir / "speech.wav")
    b = detect_file(api, media_dir / "speech.wav", frame_length=1)
    assert len(a["metrics"]["score"]) == 3 and len(b["metrics"]["score"]) == 5  # type: ignore[index]
    c = api.post("/detect", files={"file": ("x.wav", wav_bytes(5.0, 441))}).json()["item"]
    assert c["metrics"]["score"] != a["metrics"]["score"]  # type: ignore[index]


def test_labels_follow_the_score_bands() -> None:
    assert [
        five_step_label(s) for s in (0.0, 0.149, 0.15, 0.29, 0.3, 0.49, 0.5, 0.69, 0.7, 1.0)
    ] == [
        "Real",
        "Real",
        "Likely real",
        "Likely real",
        "Neutral/Uncertain",
        "Neutral/Uncertain",
        "Likely fake",
        "Likely fake",
        "Fake",
        "Fake",
    ]
    assert (audio_label(0.49), audio_label(0.5)) == ("real", "fake")


def test_item_labels_match_their_scores(api: httpx.Client) -> None:
    for i in range(12):
        item = api.post("/detect", files={"file": (f"{i}.png", image_bytes("PNG", 100 + i))})
        im = item.json()["item"]["image_metrics"]
        assert im["label"] == five_step_label(im["score"])
        audio = api.post("/detect", files={"file": (f"{i}.wav", wav_bytes(1.0, 500 + i))})
        m = audio.json()["item"]["metrics"]
        assert m["label"] == audio_label(float(m["aggregated_score"]))


def test_contents_get_a_mix_of_verdicts() -> None:
    scores = [base_score(hashlib.sha256(str(i).encode()).hexdigest()) for i in range(400)]
    labels = {five_step_label(s) for s in scores}
    assert {"Fake", "Real"} <= labels
    fake_share = sum(s >= 0.5 for s in scores) / len(scores)
    assert 0.35 < fake_share < 0.65


def test_source_tracing_only_for_fake_audio() -> None:
    for i in range(40):
        sha = hashlib.sha256(f"t{i}".encode()).hexdigest()
        out = analyse(sha, "audio", 4.0, True, {"audio_source_tracing": True})
        if out["metrics"]["label"] == "fake":
            assert out["audio_source_tracing"]["label"]
        else:
            assert out["audio_source_tracing"] is None


@pytest.mark.parametrize(("duration", "frame", "windows"), [(0.4, 2, 1), (4.0, 2, 2), (4.1, 4, 2)])
def test_window_count(duration: float, frame: int, windows: int) -> None:
    out = analyse("ab" * 32, "audio", duration, True, {"frame_length": frame})
    assert len(out["metrics"]["score"]) == windows


def test_an_image_heatmap_is_a_picture_of_where_not_a_sparkline() -> None:
    import base64

    from resemble_nb.sandbox.scoring import _heatmap

    png = base64.b64decode(_heatmap("ab" * 32, 0.9).split(",", 1)[1])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")  # a raster image, as the real ones
    assert png[16:24] == (12).to_bytes(4, "big") * 2  # 12 x 12
    strong = _heatmap("ab" * 32, 0.9)
    assert strong == _heatmap("ab" * 32, 0.9) != _heatmap("cd" * 32, 0.9)  # deterministic
