"""Errors of the evaluation layer."""

from __future__ import annotations

from .._core.errors import ResembleError

__all__ = ["EvaluationError"]


class EvaluationError(ResembleError, ValueError):
    """Labels or an evaluation request cannot be used; the message says which and why."""
