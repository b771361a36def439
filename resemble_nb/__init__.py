"""resemble_nb: review media for deepfakes with Resemble AI's Detect API (v2) in Jupyter.

>>> import resemble_nb as rnb
>>> client = rnb.connect(sandbox=True)  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
