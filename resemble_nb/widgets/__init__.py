"""Jupyter widgets for a review: pick media, watch a run, triage the results.

>>> from resemble_nb.widgets import FilePicker, JobBoard, TriageBoard, UploadPicker
"""

from __future__ import annotations

from .board import JobBoard
from .files import FilePicker
from .triage import TriageBoard
from .uploads import UploadPicker

__all__ = ["FilePicker", "JobBoard", "TriageBoard", "UploadPicker"]
