"""``rnb.connect()``: a client for the real API, or for the embedded sandbox.

>>> import resemble_nb as rnb
>>> client = rnb.connect()                  # doctest: +SKIP
>>> client = rnb.connect(sandbox=True)      # doctest: +SKIP
>>> client = rnb.connect(sandbox="auto")    # doctest: +SKIP

* ``sandbox=False`` (default): the real API, with the key from ``api_key=`` or
  ``RESEMBLE_API_KEY`` (and ``RESEMBLE_BASE_URL`` if set). No key is a clear error.
* ``sandbox=True``: the embedded sandbox, a local server on 127.0.0.1 started once per
  process on a background thread. Its results are synthetic and marked as such.
* ``sandbox="auto"``: the real API when a key is set, else the embedded sandbox; one
  line says which (``client.service``), unless ``quiet``. The bundled notebooks use this.

The embedded sandbox's key is random and never shown.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import TYPE_CHECKING, Any, Literal

from ..api import Client

if TYPE_CHECKING:
    from ..sandbox import Sandbox

__all__ = ["connect", "embedded_sandbox"]

SANDBOX_SETTINGS: dict[str, Any] = {"progress": "time", "latency": 2.0}
"""How the embedded sandbox behaves: jobs finish two seconds after they are created, so
a live board visibly moves."""

_lock = threading.Lock()
_sandbox: Sandbox | None = None


def embedded_sandbox() -> Sandbox:
    """The process's embedded sandbox, started on first use (port chosen by the OS)."""
    global _sandbox
    with _lock:
        if _sandbox is None or not _sandbox.running:
            try:
                from ..sandbox import Sandbox
            except ImportError as exc:  # pragma: no cover - the [sandbox] extra is missing
                raise ImportError(
                    "the sandbox needs starlette, uvicorn, python-multipart and pyjwt: "
                    "pip install 'resemble_nb[sandbox]'"
                ) from exc
            sandbox = Sandbox(port=0, **SANDBOX_SETTINGS)
            sandbox.start()
            _sandbox = sandbox
            atexit.register(sandbox.stop)
        return _sandbox


def connect(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    sandbox: bool | Literal["auto"] = False,
    quiet: bool = False,
    **client_kwargs: Any,
) -> Client:
    """A :class:`~resemble_nb.api.Client` for the real API or the embedded sandbox.

    Args:
        api_key: Your key (default: ``RESEMBLE_API_KEY``). Never shown anywhere.
        base_url: The API base URL (default: ``RESEMBLE_BASE_URL``, else Resemble's).
        sandbox: ``False`` for the real API, ``True`` for the embedded sandbox,
            ``"auto"`` for the sandbox only when no key is set.
        quiet: With ``"auto"``, do not print the line that says which service is in use.
        **client_kwargs: ``timeout=``, ``max_retries=``... (see ``Client``).

    Raises:
        MissingAPIKeyError: ``sandbox=False`` and no key was given or set.
        ValueError: ``sandbox`` is not True, False or ``"auto"``, or it is combined with
            ``api_key``/``base_url``.
    """
    if sandbox not in (True, False, "auto"):
        raise ValueError(f"sandbox must be True, False or 'auto', not {sandbox!r}")
    has_key = bool((api_key or os.environ.get("RESEMBLE_API_KEY") or "").strip())
    use_sandbox = sandbox is True or (sandbox == "auto" and not has_key)
    if not use_sandbox:
        client = Client(api_key=api_key, base_url=base_url, **client_kwargs)
        if sandbox == "auto" and not quiet:
            print(f"Using {client.service}.", file=sys.stderr)
        return client
    if sandbox is True and (api_key is not None or base_url is not None):
        raise ValueError(
            "connect(sandbox=True) uses the embedded sandbox and its own key; leave out "
            "api_key and base_url (or pass sandbox=False to use them)"
        )
    server = embedded_sandbox()
    client = Client(api_key=server.api_key, base_url=server.base_url, **client_kwargs)
    client.is_sandbox = True
    if sandbox == "auto" and not quiet:
        print(f"RESEMBLE_API_KEY is not set: using {client.service}.", file=sys.stderr)
    return client
