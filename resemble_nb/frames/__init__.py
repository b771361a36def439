"""The frames layer: ledger rows into pandas DataFrames with a fixed schema.

``_results`` builds the results, segments and decisions frames; ``_analysis`` the
intelligence, questions and feedback frames. They are the contract between the ledger
and everything that reads results (plots, the report, widgets, the investigator's own
pandas). This layer reads the ledger; it must not talk HTTP or render anything.

>>> from resemble_nb.frames import empty_results, LABELS
>>> list(empty_results().columns[:4])
['name', 'path', 'paths', 'sha256']
"""

# The layer's public names are the ones _results lists (one list, not two).
from ._results import *  # noqa: F403
from ._results import __all__ as __all__
