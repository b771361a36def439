"""The custody layer's error."""

from __future__ import annotations

from resemble_nb._core.errors import ResembleError

__all__ = ["CustodyError"]


class CustodyError(ResembleError):
    """A custody record cannot be made or read (a key, a manifest, a bundle)."""
