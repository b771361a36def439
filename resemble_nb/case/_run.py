"""A review started from a case: the engine's :class:`~resemble_nb.engine.Run` plus its rows.

The engine sits below the frames layer and never builds a DataFrame; the convenience of
``run.results()`` (this run's rows of ``case.results()``) lives here, above both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine import Run

if TYPE_CHECKING:  # pandas (and with it pyarrow) only when rows are asked for:
    import pandas as pd  # ``resemble-nb detect`` never builds a frame

__all__ = ["CaseRun"]


class CaseRun(Run):
    """What :meth:`resemble_nb.Case.review` returns: a :class:`Run` that also has results."""

    def results(self) -> pd.DataFrame:
        """This run's rows of ``case.results()`` (items and skipped files)."""
        from ..frames import results_frame

        frame = results_frame(self.ledger)
        keys = {item.key for item in self.items()}
        mask = frame["sha256"].isin(keys).fillna(False) | frame["path"].isin(keys).fillna(False)
        chosen: pd.DataFrame = frame[mask.astype(bool)].reset_index(drop=True)
        return chosen
