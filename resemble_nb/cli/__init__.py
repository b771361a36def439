"""The command-line layer: ``resemble-nb`` and its commands, the error boundary that turns
every known error into one line and an exit code (``_errors``), ``doctor``, the demo
and the notebook runner. Commands are thin: they must not duplicate logic a
notebook user also needs; that lives in a layer below.

>>> from resemble_nb.cli import main
>>> main(["--help"])  # doctest: +SKIP
"""

from ._main import main

__all__ = ["main"]
