"""A local server that speaks the Resemble Detect API v2 contract, with synthetic results.

>>> from resemble_nb.sandbox import Sandbox
>>> with Sandbox(port=0) as sb:  # doctest: +SKIP
...     print(sb.base_url)
http://127.0.0.1:54321/api/v2

Written from the API contract, not from the client: it must not import anything from the
rest of ``resemble_nb``, so a bug shared by client and sandbox cannot hide. Starlette
and uvicorn are imported only when a sandbox is created, so ``resemble_nb.sandbox.cli``
stays cheap to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import SandboxConfig

if TYPE_CHECKING:
    from .app import SandboxApp, create_app
    from .server import Sandbox

__all__ = ["Sandbox", "SandboxApp", "SandboxConfig", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "Sandbox":
        from .server import Sandbox

        return Sandbox
    if name in ("create_app", "SandboxApp"):
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
