"""The media inspector's data side: decoding, peaks, spectrogram, key frames, caching, URLs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from resemble_nb.ledger import Ledger
from resemble_nb.media import scan
from resemble_nb.widgets.inspector import MediaInspector, item_view, media_route
from resemble_nb.widgets.inspector import _data as data
from resemble_nb.widgets.inspector import _frames as video_frames
from resemble_nb.widgets.inspector._server import MEDIA_ROUTE, case_token

SAMPLES = Path(__file__).resolve().parents[2] / "resemble_nb" / "samples"
PNG = b"\x89PNG\r\n\x1a\n"
SEGMENTS = ["sha256", "name", "track", "kind", "index", "start_s", "end_s", "score", "label"]


def test_peaks_are_min_max_pairs_scaled_to_the_loudest_sample() -> None:
    samples = np.array([0.0, 0.5, -0.25, 0.1, -1.0, 0.2], dtype=np.float32)
    pairs = np.frombuffer(data.peaks(samples, columns=3), dtype=np.int8)
    assert pairs.tolist() == [0, 64, -32, 13, -127, 25]
    assert data.peaks(np.zeros(0, dtype=np.float32)) == b""
    assert len(data.peaks(np.ones(5, dtype=np.float32), columns=1200)) == 10  # never more


def test_the_spectrogram_puts_a_tone_in_its_frequency_row() -> None:
    rate = data.OVERVIEW_RATE
    t = np.arange(rate * 30) / rate
    tone = np.sin(2 * np.pi * 1000.0 * t).astype(np.float32)
    image = data.spectrogram(tone)
    assert image.shape == (data.ROWS, data.COLUMNS) and image.dtype == np.uint8
    bin_hz = (rate / 2) / data.ROWS
    row_from_bottom = data.ROWS - 1 - int(np.argmax(image.mean(axis=1)))
    assert abs(row_from_bottom * bin_hz - 1000.0) <= bin_hz
    short = data.spectrogram(tone[:3000])  # under a second: overlapping FFTs
    assert short.shape[0] == data.ROWS and short.shape[1] > 100


def test_audio_is_decoded_from_wav_mp3_and_a_videos_track() -> None:
    assert len(data.decode_audio(SAMPLES / "speech.wav")) == pytest.approx(6.0 * 8000, rel=0.01)
    assert len(data.decode_audio(SAMPLES / "voicemail.mp3")) == pytest.approx(9.0 * 8000, rel=0.02)
    assert len(data.decode_audio(SAMPLES / "interview.mp4")) > 3.9 * 8000
    assert len(data.decode_audio(SAMPLES / "street.jpg")) == 0  # no audio track


def test_a_damaged_file_says_which_and_why(tmp_path: Path) -> None:
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunk" * 10)
    with pytest.raises(data.InspectorDataError, match=r"^broken\.wav: cannot be decoded"):
        data.audio_overview(bad)


def test_an_overview_is_computed_once_then_read_from_the_case(tmp_path: Path) -> None:
    clip = tmp_path / "clip.wav"
    shutil.copyfile(SAMPLES / "speech.wav", clip)
    cache = data.cache_dir(tmp_path / "case")
    first = data.audio_overview(clip, cache=cache, key="a" * 64)
    assert first is not None and first.spectrogram_png.startswith(PNG)
    assert first.duration == pytest.approx(6.0, abs=0.01) and first.columns == data.COLUMNS
    clip.unlink()  # the cache alone answers now
    again = data.audio_overview(clip, cache=cache, key="a" * 64)
    assert again == first
    (cache / f"{'a' * 64}.v{data.CACHE_VERSION}.audio").write_bytes(b"\x00\x00\x00\x05{bad")
    shutil.copyfile(SAMPLES / "speech.wav", clip)
    assert data.audio_overview(clip, cache=cache, key="a" * 64) == first  # damaged: recomputed


def test_key_frames_are_clamped_to_the_real_duration_and_cached(tmp_path: Path) -> None:
    video = tmp_path / "interview.mp4"
    shutil.copyfile(SAMPLES / "interview.mp4", video)
    cache = tmp_path / "cache"
    scored = [(0.0, 0.1, "real"), (2.0, 0.8, "fake"), (4.76, 0.9, "fake")]
    duration, frames = video_frames.key_frames(video, scored, cache=cache, key="v" * 64)
    assert duration == pytest.approx(4.0)
    assert [f.scored_at for f in frames] == [0.0, 2.0, 4.76]
    assert frames[-1].time < duration  # 4.76 s is shown on the last frame, not past the end
    assert all(f.jpeg.startswith(b"\xff\xd8") for f in frames)
    assert frames[1].as_dict()["src"].startswith("data:image/jpeg;base64,")
    video.unlink()
    assert video_frames.key_frames(video, scored, cache=cache, key="v" * 64) == (duration, frames)


def test_many_scored_frames_are_thinned_evenly() -> None:
    scored = [(i / 10, 0.5, None) for i in range(400)]
    _, frames = video_frames.key_frames(SAMPLES / "interview.mp4", scored)
    assert len(frames) == video_frames.MAX_FRAMES
    assert frames[0].scored_at == 0.0 and frames[-1].scored_at == pytest.approx(39.9)


def test_item_view_plays_by_url_and_stays_small(tmp_path: Path) -> None:
    sha = "c" * 64
    item = {"sha256": sha, "name": "speech.wav", "path": str(SAMPLES / "speech.wav"),
            "media_type": "audio"}  # fmt: skip
    rows = [[sha, "speech.wav", "audio", "window", i, 2.0 * i, 2.0 * i + 2, 0.3 * i, "fake"]
            for i in range(3)]  # fmt: skip
    segments = pd.DataFrame(rows, columns=SEGMENTS)
    view = item_view(item, segments, case_folder=tmp_path, cache=tmp_path / "c")
    assert view["src"] == ""  # not an item of this case: the route would refuse it
    assert [w["start"] for w in view["windows"]] == [0.0, 2.0, 4.0]
    size = len(view["peaks"]) + len(view["spectrogram"]) + len(str(view["windows"]))
    assert size < 200_000
    assert (SAMPLES / "speech.wav").read_bytes()[1000:1100] not in view["spectrogram"]
    found = scan([str(SAMPLES / "speech.wav")]).items
    ledger = Ledger(tmp_path / "case.db")
    ledger.add_items(found)
    ledger.close()
    real = found[0].sha256
    view = item_view({**item, "sha256": real}, segments, case_folder=tmp_path, cache=tmp_path)
    assert view["src"] == media_route(tmp_path, real)  # the case and the item, never a path


def test_media_route_names_the_case_and_the_item_not_a_path() -> None:
    sha = "ab" * 32
    route = media_route("/evidence/case 07 (copy)", sha)
    token = case_token("/evidence/case 07 (copy)")
    assert route == f"{MEDIA_ROUTE}/{token}/{sha}"
    assert "/" not in token and "evidence" not in route  # opaque: no path in the URL


def test_without_a_server_the_bytes_come_in_small_messages_up_to_a_cap(tmp_path: Path) -> None:
    sent: list[tuple[dict[str, Any], list[bytes]]] = []
    insp = MediaInspector(embed_max_bytes=100_000)
    insp.send = lambda content, buffers=None: sent.append((content, buffers or []))
    path = SAMPLES / "voicemail.mp3"
    insp.show({"item": "x", "kind": "audio", "src": ""}, path)
    insp._on_front_msg(insp, {"event": "need-bytes", "item": "x"}, [])
    assert b"".join(b for _, bufs in sent for b in bufs) == path.read_bytes()
    assert sent[-1][0]["last"] is True and all(len(b) <= 512 * 1024 for _, bs in sent for b in bs)
    assert "peaks" not in insp.get_state() or insp.get_state()["peaks"] == b""

    sent.clear()
    big = SAMPLES / "speech.wav"  # 192 KB, over the 100,000-byte cap
    insp.show({"item": "y", "kind": "audio"}, big)
    insp._on_front_msg(insp, {"event": "need-bytes", "item": "y"}, [])
    ((refusal, buffers),) = sent
    assert refusal["event"] == "bytes-refused" and buffers == []
    assert refusal["reason"].startswith(
        "speech.wav is 192 KB; without a Jupyter server only files up to 100 KB play here. "
    )
    assert "make lab" in refusal["reason"]  # says how to play it

    sent.clear()  # an image comes through the kernel too when there is no server
    image = SAMPLES / "portrait.png"
    insp.show({"item": "z", "kind": "image", "src": ""}, image)
    insp._on_front_msg(insp, {"event": "need-bytes", "item": "z"}, [])
    assert b"".join(b for _, bufs in sent for b in bufs) == image.read_bytes()
    assert repr(insp) == "MediaInspector: z (image, 0.0 s)"


def test_the_board_colours_scores_with_the_plots_bands(tmp_path: Path) -> None:
    """The inspector's windows and frames take their colour from plots.BANDS (one table)."""
    from resemble_nb import plots

    insp = MediaInspector()
    assert insp.bands == [[hi, colour, reading] for _lo, hi, reading, colour in plots.BANDS]
    with pytest.raises(Exception, match="read-only"):
        insp.bands = []
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the ES module's colouring is checked in Chromium")
    js = tmp_path / "inspector.mjs"  # the one module the browser is given
    js.write_text(str(MediaInspector._esm), encoding="utf-8")
    scores = [0.05, 0.37, 0.5, 0.69, 0.7, 1.0, None]
    code = (
        f"import {{ scoreColor }} from {js.as_uri()!r};"
        f"const bands = {insp.bands!r};"
        f"console.log(JSON.stringify({scores!r}.map((s) => scoreColor(s, bands))));"
    ).replace("None", "null")
    out = subprocess.run(
        [node, "--input-type=module", "-e", code], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    expected = [plots.band_color(s) for s in scores]
    assert json.loads(out.stdout) == expected
    assert expected[1] == plots.LABEL_COLORS["uncertain"]


def test_the_view_is_one_module_made_of_its_parts(tmp_path: Path) -> None:
    """anywidget loads the view as ONE ES module (no relative imports resolve there): the
    parts are joined, their imports of each other dropped, and the result still runs."""
    from resemble_nb.widgets.inspector._widget import _PARTS, _STATIC, bundle_view

    view = bundle_view()
    assert MediaInspector._esm == view
    assert 'from "./' not in view
    for part in _PARTS:  # every part is in it, and each part is a module of its own
        body = (_STATIC / part).read_text(encoding="utf-8")
        assert body.splitlines()[0] in view
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the joined module is exercised in Chromium")
    bundle = tmp_path / "inspector.mjs"
    bundle.write_text(view, encoding="utf-8")
    code = (
        f"const m = await import({bundle.as_uri()!r});"
        "console.log(typeof m.default.render, typeof m.scoreColor);"
    )
    out = subprocess.run(
        [node, "--input-type=module", "-e", code], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["function", "function"]
