"""A planted truth: media named (or listed as) real or fake get scores from two overlapping
distributions whose true AUC is known, through the setting, the CLI and the admin route."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from resemble_nb.sandbox import Sandbox
from resemble_nb.sandbox.scoring import (
    PLANTED_AUC,
    PlantedTruth,
    analyse,
    base_score,
    planted_score,
)

from .helpers import ServerProcess, detect_file, image_bytes, wav_bytes


def _sha(i: int) -> str:
    return hashlib.sha256(f"planted-{i}".encode()).hexdigest()


def test_planted_scores_have_the_promised_auc_and_overlap() -> None:
    shas = [_sha(i) for i in range(40_000)]
    fake = np.arange(len(shas)) % 2 == 0
    scores = np.array(
        [planted_score(s, "fake" if f else "real") for s, f in zip(shas, fake, strict=True)]
    )
    assert pytest.approx(0.8985, abs=1e-4) == PLANTED_AUC
    assert roc_auc_score(fake, scores) == pytest.approx(PLANTED_AUC, abs=0.006)
    assert (scores[~fake] >= 0.5).mean() > 0.1 and (scores[fake] < 0.5).mean() > 0.1  # imperfect


@pytest.mark.parametrize(
    ("name", "truth"),
    [
        ("fake_001.wav", "fake"),
        ("interview-real.mp4", "real"),
        ("Real 3.png", "real"),
        ("fakeish.wav", None),  # a word, not a prefix
        ("real_or_fake.wav", None),
        ("speech.wav", None),
    ],
)
def test_names_mark_the_truth_as_a_word(name: str, truth: str | None) -> None:
    assert PlantedTruth(by_name=True).truth_for(_sha(1), name) == truth
    assert PlantedTruth().truth_for(_sha(1), name) is None  # off unless asked


def test_a_side_file_lists_media_by_sha256_or_name(tmp_path: Path) -> None:
    side = tmp_path / "truth.csv"
    side.write_text(f"sha256,name,label\n{_sha(1).upper()},,fake\n,call.wav,real\n")
    truth = PlantedTruth(labels=PlantedTruth.read_labels(side))
    assert truth.truth_for(_sha(1), "x.wav") == "fake"
    assert truth.truth_for(_sha(2), "call.wav") == "real"
    assert truth.truth_for(_sha(3), "fake_1.wav") is None  # names count only with by_name
    side.write_text("name,label\ncall.wav,maybe\n")
    with pytest.raises(ValueError, match=r"truth.csv line 2: needs a sha256 or name"):
        PlantedTruth.read_labels(side)


def test_analyse_uses_the_planted_score_for_every_media_type() -> None:
    sha = _sha(7)
    image = analyse(sha, "image", None, False, {}, "fake")["image_metrics"]
    assert image["score"] == planted_score(sha, "fake")
    audio = analyse(sha, "audio", 10.0, True, {}, "real")["metrics"]
    assert float(audio["aggregated_score"]) == pytest.approx(planted_score(sha, "real"), abs=0.05)
    plain = analyse(sha, "image", None, False, {})["image_metrics"]
    assert plain["score"] == base_score(sha)


def test_over_http_with_the_setting(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[[Sandbox], httpx.Client],
    tmp_path: Path,
) -> None:
    png = tmp_path / "fake_01.png"
    png.write_bytes(image_bytes(seed=3))
    plain = tmp_path / "other.png"
    plain.write_bytes(image_bytes(seed=3))
    sha = hashlib.sha256(png.read_bytes()).hexdigest()
    api = client_for(sandbox_factory(plant_truth=True))
    assert detect_file(api, png)["image_metrics"]["score"] == planted_score(sha, "fake")  # type: ignore[index]
    assert detect_file(api, plain)["image_metrics"]["score"] == base_score(sha)  # type: ignore[index]


def test_the_admin_route_plants_and_lists(
    sandbox: Sandbox, api: httpx.Client, tmp_path: Path
) -> None:
    wav = tmp_path / "call.wav"
    wav.write_bytes(wav_bytes(4.0, freq=300.0))
    sha = hashlib.sha256(wav.read_bytes()).hexdigest()
    with httpx.Client(base_url=sandbox.url, headers=dict(api.headers)) as admin:
        assert admin.get("/_sandbox/truth").json() == {
            "success": True, "by_name": False, "labels": 0
        }  # fmt: skip
        bad = admin.post("/_sandbox/truth", json={"labels": {"call.wav": "maybe"}})
        assert bad.status_code == 400 and "real" in bad.json()["message"]
        set_ = admin.post("/_sandbox/truth", json={"labels": {"call.wav": "real"}}).json()
        assert set_ == {"success": True, "by_name": False, "labels": 1}
    score = float(detect_file(api, wav)["metrics"]["aggregated_score"])  # type: ignore[index]
    assert score == pytest.approx(planted_score(sha, "real"), abs=0.05)


def test_the_cli_flags(tmp_path: Path) -> None:
    side = tmp_path / "truth.csv"
    side.write_text("name,label\nx.png,fake\n")
    server = ServerProcess("--plant-truth", "--truth-file", str(side))
    try:
        root = server.base_url.removesuffix("/api/v2")
        headers = {"Authorization": f"Bearer {server.api_key}"}
        state = httpx.get(f"{root}/_sandbox/truth", headers=headers).json()
        assert state == {"success": True, "by_name": True, "labels": 1}
    finally:
        server.stop()
    side.write_text("name,label\nx.png,perhaps\n")
    done = subprocess.run(
        [sys.executable, "-m", "resemble_nb.sandbox", "--truth-file", str(side)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "truth.csv line 2" in done.stderr
