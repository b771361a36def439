"""The command-line layer: ``resemble-nb`` and its commands, the error boundary that turns
every known error into one line and an exit code (``_errors``), ``doctor``, the demo
and the notebook runner. Commands are thin: logic that a notebook user also needs lives
in a layer below, never here.

>>> from resemble_nb.cli import main
>>> main(["--help"])  # doctest: +SKIP
"""

from ._main import main

__all__ = ["main"]
