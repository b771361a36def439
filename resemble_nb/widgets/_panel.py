"""The base of every resemble_nb widget: a VBox whose plain-text form is its repr."""

from __future__ import annotations

from typing import Any

import ipywidgets as W

__all__ = ["Panel"]


class Panel(W.VBox):  # type: ignore[misc]
    """A VBox that shows its full ``repr`` as ``text/plain`` beside the widget view.

    ipywidgets cuts that text at 110 characters; a saved notebook opened without a
    kernel shows only this text, so it is kept whole.
    """

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        bundle: dict[str, Any] | None = super()._repr_mimebundle_(**kwargs)
        if bundle is not None:
            bundle["text/plain"] = repr(self)
        return bundle
