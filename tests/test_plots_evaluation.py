"""resemble_nb.plots for evaluations: ROC/PR with bands, confusion, calibration, truth split."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from resemble_nb import plots
from resemble_nb.evaluation import Evaluation, ThresholdEvidence, evaluate


def _evaluation(n: int = 400, seed: int = 0, threshold: float = 0.5) -> Evaluation:
    rng = np.random.default_rng(seed)
    fake = rng.random(n) < 0.4
    scores = 1 / (1 + np.exp(-(rng.normal(0, 1, n) + 1.8 * fake - 0.9)))
    frame = pd.DataFrame(
        {
            "score": scores.round(4),
            "truth": np.where(fake, "fake", "real"),
            "media_type": np.where(np.arange(n) % 4 == 0, "image", "audio"),
        }
    )
    return evaluate(frame, threshold=threshold, resamples=200)


@pytest.fixture(scope="module")
def ev() -> Evaluation:
    return _evaluation()


def _legend(fig: Figure) -> list[str]:
    legend = fig.axes[0].get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def test_roc_has_a_curve_and_a_band_per_group_and_the_threshold_point(ev: Evaluation) -> None:
    fig = plots.roc_curve(ev)
    ax = fig.axes[0]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 3  # overall, audio, image
    texts = _legend(fig)
    auc = ev.overall.auc
    assert any(t.startswith(f"overall: AUC {auc:.3f} (") for t in texts)
    assert "at threshold 0.50" in texts and "chance" in texts
    points = [line for line in ax.lines if line.get_marker() == "o" and len(line.get_xdata())]
    overall = ev.summary().set_index("group").loc["overall"]
    assert any(
        np.isclose(p.get_xdata()[0], overall["fpr"])
        and np.isclose(p.get_ydata()[0], overall["recall"])
        for p in points
    )


def test_one_group_only_and_an_unknown_group(ev: Evaluation) -> None:
    fig = plots.pr_curve(ev, groups="audio")
    assert [t for t in _legend(fig) if "average precision" in t] == [
        f"audio: average precision {ev['audio'].average_precision:.3f}"
    ]
    with pytest.raises(ValueError, match="no group 'video'"):
        plots.roc_curve(ev, groups=["video"])


def test_confusion_matrix_shows_the_counts(ev: Evaluation) -> None:
    fig = plots.confusion_matrix(ev)
    text = " ".join(t.get_text() for t in fig.axes[0].texts)
    c = ev.overall.counts
    for key, words in (("tn", "correctly not flagged"), ("fp", "false positive"),
                       ("fn", "missed fake"), ("tp", "correctly flagged")):  # fmt: skip
        assert f"{c[key]}\n" in text and words in text
    assert fig.axes[0].get_title() == "At threshold 0.50 (overall)"


def test_calibration_has_error_bars_per_bin(ev: Evaluation) -> None:
    fig = plots.calibration_curve(ev)
    cal = ev.calibration()
    overall = cal[cal["group"] == "overall"]
    assert [t for t in _legend(fig) if t.startswith("overall")] == [
        f"overall ({int(overall['n'].sum())} media, 10 bins)"
    ]
    assert len(fig.axes[0].texts) == len(overall)


def test_truth_distribution_counts_flagged_reals_and_missed_fakes(ev: Evaluation) -> None:
    fig = plots.truth_distribution(ev, threshold=0.7)
    s = ev.scores()
    reals = s[s["truth"] == "real"]["score"]
    fakes = s[s["truth"] == "fake"]["score"]
    assert sorted(_legend(fig)) == [
        f"known fake ({len(fakes)}): {int((fakes < 0.7).sum())} missed at 0.70",
        f"known real ({len(reals)}): {int((reals >= 0.7).sum())} flagged at 0.70",
        "threshold 0.70",
    ]


def test_score_distribution_can_show_the_measured_rates() -> None:
    import _frames_factory as F

    results, _, _ = F.demo_case()
    evidence = ThresholdEvidence([True, False, False, True], [0.9, 0.6, 0.1, 0.3])
    fig = plots.score_distribution(results, threshold=0.5, evidence=evidence)
    assert (
        "threshold 0.50\n(measured: real flagged 50.0% of 2; fakes missed 50.0% of 2)"
        in _legend(fig)
    )


def test_without_both_classes_the_curves_say_why() -> None:
    frame = pd.DataFrame({"score": [0.1, 0.4], "truth": ["real", "real"]})
    ev = evaluate(frame, by=None, resamples=0)
    for draw in (plots.roc_curve, plots.pr_curve):
        fig = draw(ev)
        assert "known to be fake" in fig.axes[0].texts[0].get_text()


def test_draws_into_given_axes(ev: Evaluation) -> None:
    fig = Figure()
    axes = fig.subplots(1, 5)
    for draw, ax in zip(
        (plots.roc_curve, plots.pr_curve, plots.confusion_matrix, plots.calibration_curve,
         plots.truth_distribution), axes, strict=True
    ):  # fmt: skip
        assert draw(ev, ax=ax) is fig


def test_headless_and_without_pyplot() -> None:
    code = (
        "import sys, numpy as np, pandas as pd\n"
        "from resemble_nb import plots\n"
        "from resemble_nb.evaluation import evaluate\n"
        "f = pd.DataFrame({'score': np.linspace(0, 1, 50), 'truth': ['real', 'fake'] * 25,\n"
        "                  'media_type': 'audio'})\n"
        "ev = evaluate(f, resamples=50)\n"
        "for draw in (plots.roc_curve, plots.pr_curve, plots.confusion_matrix,\n"
        "             plots.calibration_curve, plots.truth_distribution):\n"
        "    assert plots.figure_to_png(draw(ev)).startswith(b'\\x89PNG')\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
