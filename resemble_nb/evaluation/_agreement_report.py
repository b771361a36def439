"""The report's section "How far do the reviewers agree?": the agreement table with its
intervals, each reviewer against the adjudicated verdicts, the figure, and what it means, as
plain values for the template."""

from __future__ import annotations

import math
from typing import Any

from ..plots import AGREEMENT_NAMES
from ._agreement import Agreement
from ._agreement_stats import STATISTICS

__all__ = ["agreement_section"]


def _figure(value: Any, low: Any, high: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        return f"{value:.2f}"
    return f"{value:.2f} ({low:.2f} – {high:.2f})"


def agreement_section(
    result: Agreement, *, team: dict[str, Any], resamples: int, figure: bool = True
) -> dict[str, Any]:
    """The section's values: ``team`` gives the counts by status and the reviewers."""
    shown = [s for s in STATISTICS if result.table[s].notna().any()]
    groups = []
    for name, row in result.table.iterrows():
        cells = [_figure(row[s], row[f"{s}_low"], row[f"{s}_high"]) for s in shown]
        groups.append({"name": str(name), "items": int(row["items"]), "cells": cells})
    against = []
    for r in result.against_adjudicated.to_dict("records"):
        kappa = float(r["cohen_kappa"])
        against.append(
            {
                "reviewer": str(r["reviewer"]),
                "items": int(r["items"]),
                "percent": f"{100 * float(r['percent_agreement']):.0f}%",
                "kappa": "—" if math.isnan(kappa) else f"{kappa:.2f}",
            }
        )
    uri = None
    if figure and groups:
        from ..plots import figure_to_data_uri

        uri = figure_to_data_uri(result.plot())
    return {
        "columns": [AGREEMENT_NAMES[s] for s in shown],
        "groups": groups,
        "against": against,
        "figure": uri,
        "resamples": resamples,
        **team,
    }
