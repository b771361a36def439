"""How far reviewers agree: each coefficient per group with its interval, and the
reviewer-by-reviewer kappa (``case.agreement()``'s table and matrix).

The plots read plain DataFrames (the table's ``<statistic>``, ``_low``, ``_high`` columns,
the symmetric matrix), so this layer does not import :mod:`resemble_nb.evaluation`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from resemble_nb.plots._evaluation import GROUP_COLORS
from resemble_nb.plots._style import _axes, _message

__all__ = ["AGREEMENT_NAMES", "agreement_intervals", "reviewer_matrix"]

#: The coefficients drawn, in order, with their names as readers know them.
AGREEMENT_NAMES: dict[str, str] = {
    "percent_agreement": "Percent agreement",
    "cohen_kappa": "Cohen's kappa",
    "fleiss_kappa": "Fleiss' kappa",
    "krippendorff_alpha": "Krippendorff's alpha",
    "gwet_ac1": "Gwet's AC1",
}


def agreement_intervals(table: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Each coefficient per group (a dot) with its 95 % bootstrap interval (a bar)."""
    fig, ax = _axes(ax, (7.0, 3.6))
    title = "Reviewers' agreement (95 % bootstrap intervals)"
    shown = [s for s in AGREEMENT_NAMES if s in table and table[s].notna().any()]
    if table.empty or not shown:
        return _message(fig, ax, title, "No item reviewed by two reviewers yet")
    groups = [str(g) for g in table.index]
    height = 0.8 / max(len(groups), 1)
    for g, group in enumerate(groups):
        row = table.iloc[g]
        ys, xs, lows, highs = [], [], [], []
        for s, stat in enumerate(shown):
            if pd.isna(row[stat]):
                continue
            y = s + (g - (len(groups) - 1) / 2) * height
            ys.append(y)
            xs.append(float(row[stat]))
            lows.append(float(row[stat]) - float(row.get(f"{stat}_low", row[stat])))
            highs.append(float(row.get(f"{stat}_high", row[stat])) - float(row[stat]))
        color = GROUP_COLORS.get(group, "#555555")
        items = int(row["items"]) if "items" in row else 0
        ax.errorbar(
            xs,
            ys,
            xerr=np.abs(np.array([lows, highs])),
            fmt="o",
            color=color,
            capsize=3,
            label=f"{group} ({items} items)",
        )
    ax.axvline(0.0, color="#999999", linestyle=":", linewidth=1.0)
    ax.set_yticks(range(len(shown)), [AGREEMENT_NAMES[s] for s in shown])
    ax.invert_yaxis()
    ax.set_xlim(min(-0.1, ax.get_xlim()[0]), 1.05)
    ax.set_xlabel("agreement (1 = perfect, 0 = chance)")
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize="small")
    return fig


def reviewer_matrix(matrix: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Cohen's kappa between each pair of reviewers (blank where they share no item)."""
    fig, ax = _axes(ax, (4.6, 4.0))
    title = "Cohen's kappa, reviewer by reviewer"
    if matrix.empty:
        return _message(fig, ax, title, "No two reviewers share an item yet")
    values = matrix.to_numpy(dtype=float)
    ax.imshow(np.nan_to_num(values, nan=0.0), cmap="Greens", vmin=-0.2, vmax=1.2)
    for r in range(values.shape[0]):
        for c in range(values.shape[1]):
            text = "—" if np.isnan(values[r, c]) else f"{values[r, c]:.2f}"
            ax.text(c, r, text, ha="center", va="center", fontsize="small")
    names = [str(n) for n in matrix.index]
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_title(title)
    return fig
