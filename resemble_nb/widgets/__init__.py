"""Jupyter widgets for a review: pick media, watch a run, triage the results.

This layer owns the views: the pickers, the live job board, the triage board and its
media inspector (anywidget). They are thin: the rules live in plain classes and
functions a test drives without a browser. It must not hold business logic, assemble
HTML from service text, or serve any file that is not a case item's media.

>>> from resemble_nb.widgets import FilePicker, JobBoard, TriageBoard, UploadPicker
"""

from __future__ import annotations

from .board import JobBoard
from .files import FilePicker
from .triage import TriageBoard
from .uploads import UploadPicker

__all__ = ["FilePicker", "JobBoard", "TriageBoard", "UploadPicker"]
