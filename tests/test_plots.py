"""resemble_nb.plots: what an investigator sees in each figure."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from typing import Any

import _frames_factory as F
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from resemble_nb import plots

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def only_axes(fig: Figure) -> Axes:
    (ax,) = fig.axes
    return ax


def threshold_lines(ax: Axes) -> list[Any]:
    return [line for line in ax.lines if line.get_linestyle() == "--"]


def legend_texts(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None, "figure has no legend"
    return [t.get_text() for t in legend.get_texts()]


def all_text(fig: Figure) -> str:
    ax = only_axes(fig)
    return " ".join([ax.get_title(), *(t.get_text() for t in ax.texts)])


def scatter_by_label(ax: Axes) -> dict[str, int]:
    return {
        str(c.get_label()): len(c.get_offsets())
        for c in ax.collections
        if isinstance(c, PathCollection) and not str(c.get_label()).startswith("_")
    }


@pytest.fixture
def case() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return F.demo_case()


def many_results(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    exts = ("wav", "mp4", "png")
    rows = [
        F.result_row(f"item_{i:04d}.{exts[i % 3]}", round(float(rng.uniform()), 4))
        for i in range(n)
    ]
    return F.results(rows)


# --------------------------------------------------------------------------- score_distribution


def hex_rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def band_at(ax: Axes, x: float) -> tuple[float, float, float]:
    """The colour of the background band (an axvspan) that covers score ``x``."""
    hits = [
        p.get_facecolor()[:3]
        for p in ax.patches
        if p.get_x() <= x < p.get_x() + p.get_width()  # type: ignore[attr-defined]
    ]
    assert len(hits) == 1, f"{len(hits)} bands cover {x}"
    return hits[0]


def test_distribution_marks_threshold_and_colours_points_by_band(case: Any) -> None:
    results = case[0]
    fig = plots.score_distribution(results, threshold=0.7)
    ax = only_axes(fig)
    (line,) = threshold_lines(ax)
    assert list(line.get_xdata()) == [0.7, 0.7]
    # one point per scored item, grouped by the guidance band of its score (0.12 | 0.35 |
    # 0.55, 0.66 | 0.91); the unscored item is not drawn
    assert scatter_by_label(ax) == {
        "authentic, 0.0–0.3 (1)": 1,
        "inconclusive, 0.3–0.5 (1)": 1,
        "likely synthetic, 0.5–0.7 (2)": 2,
        "high-confidence synthetic, 0.7–1.0 (1)": 1,
    }
    assert legend_texts(ax)[-1] == "threshold 0.70"
    assert "score" in ax.get_xlabel() and "synthetic" in ax.get_xlabel()
    assert ax.get_ylabel() == "media type"
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert [t.split("\n")[0] for t in ticks] == ["audio", "video", "image"]
    assert "3 items, 1 flagged" in ticks[0]
    assert "1 item without a score" in ax.get_title()


@pytest.mark.parametrize("media", ["call.wav", "clip.mp4", "photo.png"])
def test_distribution_point_colour_is_the_band_it_sits_in(media: str) -> None:
    """An audio score of 0.37 the API labelled "real" is inconclusive, and drawn so."""
    scores = [0.05, 0.29, 0.3, 0.37, 0.49, 0.5, 0.69, 0.7, 1.0]
    stem, ext = media.split(".")
    rows = [
        F.result_row(f"{stem}{i}.{ext}", s, label="real" if s < 0.5 else "fake")
        for i, s in enumerate(scores)
    ]
    ax = only_axes(plots.score_distribution(F.results(rows)))
    points = [
        (float(x), tuple(colour[:3]))
        for c in ax.collections
        if isinstance(c, PathCollection)
        for (x, _), colour in zip(
            c.get_offsets(),
            np.broadcast_to(c.get_facecolors(), (len(c.get_offsets()), 4)),
            strict=True,
        )
    ]
    assert sorted(x for x, _ in points) == scores
    for x, colour in points:
        assert colour == pytest.approx(band_at(ax, min(x, 0.999))), x
    at_037 = next(colour for x, colour in points if x == 0.37)
    assert at_037 == pytest.approx(hex_rgb(plots.LABEL_COLORS["uncertain"]))
    assert at_037 != pytest.approx(hex_rgb(plots.LABEL_COLORS["real"]))


def test_bands_are_one_table_for_plots_report_and_board() -> None:
    from resemble_nb.api import SCORE_BANDS, score_band

    assert [(lo, hi, reading) for lo, hi, reading, _ in plots.BANDS] == [
        (b.low, b.high, b.reading) for b in SCORE_BANDS
    ]
    assert [b.reading for b in SCORE_BANDS] == [
        "authentic",
        "inconclusive",
        "likely synthetic",
        "high-confidence synthetic",
    ]
    assert score_band(0.37).reading == "inconclusive"  # type: ignore[union-attr]
    assert score_band(1.0) == SCORE_BANDS[-1] and score_band(None) is None
    assert plots.band_color(0.37) == plots.LABEL_COLORS["uncertain"]


def test_distribution_points_sit_at_their_scores(case: Any) -> None:
    results = case[0]
    ax = only_axes(plots.score_distribution(results))
    xs = sorted(
        float(x)
        for c in ax.collections
        if isinstance(c, PathCollection)
        for x, _ in c.get_offsets()
    )
    assert xs == sorted(results["score"].dropna().astype(float))


def test_distribution_only_rows_for_media_types_present() -> None:
    results = F.results([F.result_row("a.wav", 0.2), F.result_row("b.wav", 0.8)])
    ax = only_axes(plots.score_distribution(results))
    assert [t.get_text().split("\n")[0] for t in ax.get_yticklabels()] == ["audio"]


def test_distribution_draws_into_given_axes(case: Any) -> None:
    fig = Figure()
    ax = fig.add_subplot(1, 2, 2)
    assert plots.score_distribution(case[0], ax=ax) is ax.figure
    assert scatter_by_label(ax)  # drew into that axes
    assert not scatter_by_label(fig.axes[0]) if len(fig.axes) > 1 else True


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (F.results(), "No results yet"),
        (F.results([F.result_row("a.wav"), F.result_row("b.mp4")]), "No scores yet (2 items"),
    ],
)
def test_distribution_empty_or_unscored_says_so(frame: pd.DataFrame, message: str) -> None:
    fig = plots.score_distribution(frame)
    assert message in all_text(fig)
    assert fig.axes[0].get_legend() is None


def test_missing_column_names_it() -> None:
    with pytest.raises(ValueError, match="'score'"):
        plots.score_distribution(F.results().drop(columns=["score"]))


# --------------------------------------------------------------------------- ranked_scores


def test_ranked_few_items_are_named_bars_highest_first(case: Any) -> None:
    results = case[0]
    ax = only_axes(plots.ranked_scores(results, threshold=0.6))
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == ["call.wav", "clip.mp4", "street.jpg", "memo.mp3", "photo.png"]
    bars = {str(c.get_label()): c for c in ax.containers if isinstance(c, BarContainer)}
    assert set(bars) == {
        "authentic",
        "inconclusive",
        "likely synthetic",
        "high-confidence synthetic",
    }
    assert [p.get_width() for p in bars["high-confidence synthetic"].patches] == [0.91]
    widths = sorted(p.get_width() for c in bars.values() for p in c.patches)
    assert widths == sorted(results["score"].dropna().astype(float))
    # each bar is drawn at its rank, in the colour of the band its score sits in
    (fake_bar,) = bars["high-confidence synthetic"].patches
    assert fake_bar.get_y() + fake_bar.get_height() / 2 == 0
    assert fake_bar.get_facecolor()[:3] == pytest.approx(hex_rgb(plots.LABEL_COLORS["fake"]))
    (memo,) = bars["inconclusive"].patches  # memo.mp3 at 0.35
    assert memo.get_facecolor()[:3] == pytest.approx(hex_rgb(plots.band_color(0.35)))
    (line,) = threshold_lines(ax)
    assert list(line.get_xdata()) == [0.6, 0.6]
    assert "threshold 0.60" in legend_texts(ax)
    assert "2 of 5 at or above the threshold" in ax.get_title()
    assert "1 without a score" in ax.get_title()


def test_ranked_many_items_name_the_highest_forty() -> None:
    results = many_results(200)
    ax = only_axes(plots.ranked_scores(results))
    names = [t.get_text() for t in ax.get_yticklabels()]
    top = results.sort_values(["score", "name"], ascending=[False, True]).head(40)
    assert names == list(top["name"])
    widths = [p.get_width() for c in ax.containers for p in c.patches]
    assert sorted(widths, reverse=True) == list(top["score"])
    assert "highest 40 shown" in ax.get_title()
    assert "of 200 at or above" in ax.get_title()
    assert "threshold 0.50" in legend_texts(ax)
    ax = only_axes(plots.ranked_scores(results, top=5))
    assert len(ax.get_yticklabels()) == 5 and "highest 5 shown" in ax.get_title()
    with pytest.raises(ValueError, match="top"):
        plots.ranked_scores(results, top=0)


def test_ranked_long_names_end_in_an_ellipsis() -> None:
    long = "interview_with_the_regional_director_full_recording_final_v2.wav"
    ax = only_axes(plots.ranked_scores(F.results([F.result_row(long, 0.8)])))
    (name,) = [t.get_text() for t in ax.get_yticklabels()]
    assert name.endswith("…") and len(name) <= 38 and long.startswith(name[:-1])


def test_ranked_duplicate_names_get_a_short_hash() -> None:
    rows = [F.result_row("call.wav", 0.9), F.result_row("call.wav", 0.4, sha256="ab" * 32)]
    ax = only_axes(plots.ranked_scores(F.results(rows)))
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names[1] == "call.wav [abababab]"
    assert names[0].startswith("call.wav [") and names[0] != names[1]


def test_ranked_one_item_and_empty() -> None:
    ax = only_axes(plots.ranked_scores(F.results([F.result_row("only.wav", 0.3)])))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["only.wav"]
    assert "No results yet" in all_text(plots.ranked_scores(F.results()))


def test_ranked_draws_into_given_axes(case: Any) -> None:
    fig = Figure()
    ax = fig.add_subplot()
    assert plots.ranked_scores(case[0], ax=ax) is ax.figure


# --------------------------------------------------------------------------- timeline


def test_timeline_audio_windows_are_steps_over_their_seconds(case: Any) -> None:
    segments = case[1]
    ax = only_axes(plots.timeline(segments, "call.wav", threshold=0.75))
    (steps,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    spans = [(seg[0][0], seg[1][0], seg[0][1]) for seg in steps.get_segments()]
    assert spans == [(0.0, 2.0, 0.8), (2.0, 4.0, 0.95), (4.0, 6.0, 0.9), (6.0, 8.0, 0.7)]
    (line,) = threshold_lines(ax)
    assert list(line.get_ydata()) == [0.75, 0.75]
    texts = legend_texts(ax)
    assert "audio windows (4)" in texts and "threshold 0.75" in texts
    assert not any(t.startswith("video frames") for t in texts)
    assert ax.get_xlabel() == "time (s)"
    assert "score" in ax.get_ylabel()
    assert "call.wav" in ax.get_title()


def test_timeline_video_frames_and_face_segments(case: Any) -> None:
    segments = case[1].sample(frac=1.0, random_state=7)  # the frame order is not guaranteed
    sha = F.sha_of("clip.mp4")
    ax = only_axes(plots.timeline(segments, sha))
    (frame_line,) = [line for line in ax.lines if line.get_linestyle() == "-"]
    assert list(frame_line.get_xdata()) == [0.0, 0.5, 1.0, 1.5]
    assert list(frame_line.get_ydata()) == [0.4, 0.7, 0.8, 0.6]
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sorted(len(c.get_offsets()) for c in scatters) == [4, 8]  # frames, face segments
    texts = legend_texts(ax)
    assert {"audio windows (2)", "video frames (4)", "face segments (8)"} <= set(texts)


def test_timeline_by_name_equals_by_sha(case: Any) -> None:
    segments = case[1]
    by_name = only_axes(plots.timeline(segments, "clip.mp4"))
    by_sha = only_axes(plots.timeline(segments, F.sha_of("clip.mp4")))
    assert legend_texts(by_name) == legend_texts(by_sha)


def test_timeline_item_without_segments_says_so(case: Any) -> None:
    fig = plots.timeline(case[1], "photo.png")
    assert "No time-based scores" in all_text(fig)
    assert "No time-based scores" in all_text(plots.timeline(F.segments(), "x.wav"))


def test_timeline_ambiguous_name_asks_for_the_sha() -> None:
    rows = F.audio_windows("dup.wav", [0.1]) + [
        r | {"sha256": "cd" * 32} for r in F.audio_windows("dup.wav", [0.9])
    ]
    with pytest.raises(ValueError, match="pass the sha256"):
        plots.timeline(F.segments(rows), "dup.wav")
    ax = only_axes(plots.timeline(F.segments(rows), "cd" * 32))
    assert "audio windows (1)" in legend_texts(ax)


def test_timeline_draws_into_given_axes(case: Any) -> None:
    fig = Figure()
    ax = fig.add_subplot()
    assert plots.timeline(case[1], "call.wav", ax=ax) is ax.figure


# --------------------------------------------------------------------------- triage_progress


def test_triage_progress_counts_verdicts(case: Any) -> None:
    results = case[0]
    ax = only_axes(plots.triage_progress(results))
    assert ax.get_title() == "Triage progress: 2 of 6 reviewed (33%)"
    bars = {str(c.get_label()): [p.get_width() for p in c.patches] for c in ax.containers}
    # rows: all items, then the flagged ones (call.wav, clip.mp4, street.jpg)
    assert bars["confirmed fake"] == [1, 1]
    assert bars["confirmed real"] == [1, 0]
    assert bars["unreviewed"] == [4, 2]
    assert bars["needs escalation"] == [0, 0]
    assert ax.get_yticklabels()[0].get_text() == "all items"
    assert ax.get_xlabel() == "items"
    assert legend_texts(ax)[-1] == "unreviewed"


def test_triage_progress_without_flagged_items_has_one_row() -> None:
    results = F.results([F.result_row("a.wav", 0.1, verdict="inconclusive")])
    ax = only_axes(plots.triage_progress(results))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["all items"]
    assert "1 of 1 reviewed (100%)" in ax.get_title()
    assert "No results yet" in all_text(plots.triage_progress(F.results()))


def test_triage_progress_draws_into_given_axes(case: Any) -> None:
    fig = Figure()
    ax = fig.add_subplot()
    assert plots.triage_progress(case[0], ax=ax) is ax.figure


# --------------------------------------------------------------------------- export, scale


def test_png_and_data_uri(case: Any) -> None:
    fig = plots.ranked_scores(case[0])
    png = plots.figure_to_png(fig)
    assert png.startswith(PNG_MAGIC)
    uri = plots.figure_to_data_uri(fig)
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).startswith(PNG_MAGIC)


def test_figures_show_as_png_in_jupyter(case: Any) -> None:
    fig = plots.score_distribution(case[0])
    assert fig._repr_png_().startswith(PNG_MAGIC)  # type: ignore[attr-defined]


def test_thousand_items_render(case: Any) -> None:
    results = many_results(1000, seed=3)
    for fig in (
        plots.score_distribution(results),
        plots.ranked_scores(results),
        plots.triage_progress(results),
    ):
        assert plots.figure_to_png(fig).startswith(PNG_MAGIC)
    ax = only_axes(plots.score_distribution(results))
    assert sum(scatter_by_label(ax).values()) == 1000
    assert len(only_axes(plots.ranked_scores(results)).get_yticklabels()) == 40


def test_headless_and_without_pyplot(tmp_path: Any) -> None:
    """No display, no backend chosen: figures still render and pyplot stays unloaded."""
    code = (
        f"import sys; sys.path.insert(0, {os.path.dirname(__file__)!r})\n"
        "import _frames_factory as F\n"
        "from resemble_nb import plots\n"
        "res, seg, dec = F.demo_case()\n"
        "png = plots.figure_to_png(plots.timeline(seg, 'clip.mp4'))\n"
        "assert png.startswith(b'\\x89PNG')\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_timeline_unlabelled_audio_windows_are_not_called_no_label() -> None:
    """The API scores windows but labels only whole items: no made-up "no label" entry."""
    rows = [r | {"label": None} for r in F.audio_windows("v.wav", [0.2, 0.9])]
    ax = only_axes(plots.timeline(F.segments(rows), "v.wav"))
    assert legend_texts(ax) == ["audio windows (2)", "threshold 0.50"]


# --------------------------------------------------------------------------- decisions_table


def test_decisions_table_reads_in_plain_words_with_whole_notes(case: Any) -> None:
    decisions = case[2].copy()
    note = "Voice matches the 2019 interview; the breathing at 0:42 is too regular. " * 3
    decisions.loc[0, "note"] = note
    decisions.loc[1, "name"] = "<b>call</b>.wav"
    table = plots.decisions_table(decisions)
    html = table._repr_html_()
    assert "Needs escalation" in html and "Confirmed fake" in html
    assert "needs_escalation" not in html
    assert note.strip() in html  # the note whole, not cut
    assert "td.note{min-width:20rem;white-space:pre-wrap" in html
    assert "<b>call</b>" not in html and "&lt;b&gt;call&lt;/b&gt;.wav" in html
    assert "2025-03-01 11:00:00" in html
    text = str(table)
    assert "Needs escalation  by ana" in text
    assert all(len(line) <= 64 for line in text.splitlines() if line.startswith("    "))
    assert "".join(line.strip() + " " for line in text.splitlines()[1:4]).startswith(note[:60])
    assert repr(table).startswith(f"<DecisionsTable: {len(decisions)} decisions>")
    empty = plots.decisions_table(decisions.iloc[0:0])
    assert "No decisions yet" in empty._repr_html_() and str(empty) == "No decisions yet."
    with pytest.raises(ValueError, match="'note'"):
        plots.decisions_table(decisions.drop(columns=["note"]))


def test_band_names_never_overprint_at_any_threshold(case: Any) -> None:
    """No text drawn in the plot overlaps another (notebook 04 at 0.79 overprinted the
    band names over the axes); the bands are named in the legend instead."""
    for threshold in (0.5, 0.79, 0.95):
        fig = plots.score_distribution(case[0], threshold=threshold)
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        ax = only_axes(fig)
        boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
        for i, a in enumerate(boxes):
            assert not any(a.overlaps(b) for b in boxes[i + 1 :]), threshold
        assert any("synthetic" in text for text in legend_texts(ax))
