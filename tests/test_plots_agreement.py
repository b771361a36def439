"""The agreement plots draw the table's own figures: a dot at each coefficient, a bar
to its interval, one series per group; the matrix writes each pair's kappa."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from resemble_nb.evaluation import agreement
from resemble_nb.plots import agreement_intervals, figure_to_png, reviewer_matrix

CATS = ["confirmed_fake", "confirmed_real", "needs_escalation", "inconclusive"]


def _ratings() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for i in range(60):
        truth = CATS[int(rng.integers(0, 2))]
        for who in ("ana", "ben", "carol"):
            verdict = truth if rng.random() < 0.8 else CATS[int(rng.integers(0, 4))]
            rows.append((f"i{i}", who, verdict, "audio" if i % 2 else "image"))
    return pd.DataFrame(rows, columns=["item", "reviewer", "verdict", "media_type"])


def test_each_dot_is_the_tables_figure_and_each_bar_its_interval() -> None:
    result = agreement(_ratings(), categories=CATS, resamples=200)
    fig = result.plot()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "Gwet's AC1" in labels and "Cohen's kappa" not in labels  # three reviewers
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [f"{g} ({int(n)} items)" for g, n in result.table["items"].items()]
    overall = ax.containers[-1]  # the last group drawn: overall
    xs = overall.lines[0].get_xdata()
    shown = [s for s in ("percent_agreement", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1")]
    assert list(xs) == pytest.approx([result.table.loc["overall", s] for s in shown])
    segments = overall.lines[2][0].get_segments()
    for seg, stat in zip(segments, shown, strict=True):
        low, high = sorted(p[0] for p in seg)
        assert low == pytest.approx(result.table.loc["overall", f"{stat}_low"])
        assert high == pytest.approx(result.table.loc["overall", f"{stat}_high"])
    assert figure_to_png(fig).startswith(b"\x89PNG")


def test_the_matrix_writes_each_pairs_kappa_and_empty_inputs_say_so() -> None:
    result = agreement(_ratings(), categories=CATS, by=None, resamples=20)
    fig = result.plot_matrix()
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert f"{result.matrix.loc['ana', 'ben']:.2f}" in texts
    empty = agreement_intervals(pd.DataFrame())
    assert "No item reviewed by two reviewers" in empty.axes[0].texts[0].get_text()
    assert "No two reviewers" in reviewer_matrix(pd.DataFrame()).axes[0].texts[0].get_text()
