"""Errors of the evaluation layer."""

from __future__ import annotations

__all__ = ["EvaluationError"]


class EvaluationError(ValueError):
    """Labels or an evaluation request cannot be used; the message says which and why."""
