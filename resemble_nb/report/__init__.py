"""The report layer: the one self-contained HTML file a case is shared as.

``_render`` draws it from Jinja2 templates (``templates/``; autoescaped, no scripts,
plots as PNG data URIs), ``_analysis_view`` renders one item's analyses (used by the
report and the board's panel) and ``_export`` writes the results table to CSV, Parquet
or Excel. The signed manifest and the custody appendix's facts come from
:mod:`resemble_nb.custody`. This layer must not talk HTTP or put unescaped service text
into HTML.
"""

from ._render import (
    UnsafeReportError,
    export_results,
    flag_reasons,
    render_report,
)

__all__ = [
    "UnsafeReportError",
    "export_results",
    "flag_reasons",
    "render_report",
]
