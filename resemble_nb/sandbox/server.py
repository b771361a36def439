"""Serving the sandbox with uvicorn on a background thread (notebooks, tests)."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

from .app import SandboxApp, create_app
from .config import FaultsSetting, SandboxConfig
from .faults import parse_spec

__all__ = ["Sandbox", "listening_socket"]


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (0: any free port) and listening; closed again
    if it cannot bind (the OSError says why)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    # proto must be IPPROTO_TCP: asyncio only sets TCP_NODELAY on such sockets, and
    # without it every answer waits ~40 ms for a delayed ACK (Nagle).
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    return sock


class Sandbox:
    """A sandbox API on ``127.0.0.1``, served from a daemon thread.

    >>> with Sandbox(port=0, progress="polls:2") as sb:  # doctest: +SKIP
    ...     sb.base_url, sb.api_key
    ('http://127.0.0.1:54321/api/v2', 'sandbox_...')

    Keyword settings are those of :class:`SandboxConfig`; or pass ``config=``.
    """

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
        access_log: bool = False,
        **settings: Any,
    ) -> None:
        if config is not None and settings:
            raise TypeError("pass either config or keyword settings, not both")
        self.config = config if config is not None else SandboxConfig(**settings)
        self.host = host
        self.port = port
        self._log_level = log_level
        self._access_log = access_log
        self._app: SandboxApp | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self._error: BaseException | None = None

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> Sandbox:
        """Bind the port and serve in the background; returns once requests are accepted."""
        if self._thread is not None:
            return self
        import uvicorn

        self._app = create_app(self.config)
        try:
            sock = listening_socket(self.host, self.port)
        except OSError as exc:
            raise OSError(f"sandbox could not listen on {self.host}:{self.port}: {exc}") from exc
        self._sock = sock
        self.port = sock.getsockname()[1]
        uv_config = uvicorn.Config(
            self._app,
            log_level=self._log_level,
            access_log=self._access_log,
            lifespan="on",
            loop="asyncio",
            http="h11",
            ws="none",
            timeout_graceful_shutdown=2,
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(uv_config)
        self._thread = threading.Thread(target=self._run, name=f"sandbox:{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"sandbox failed to start: {self._error!r}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("sandbox did not start within 15 s")
            time.sleep(0.005)
        return self

    def _run(self) -> None:
        try:
            assert self._sock is not None
            self._server.run(sockets=[self._sock])
        except BaseException as exc:  # reported by start()
            self._error = exc

    def stop(self) -> None:
        """Stop serving and remove the storage folder. Safe to call twice."""
        thread, server = self._thread, self._server
        if thread is not None and server is not None:
            server.should_exit = True
            thread.join(timeout=3)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout=3)
        if self._sock is not None:
            self._sock.close()
        if self._app is not None:
            self._app.close()
        self._thread = None
        self._server = None
        self._sock = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Sandbox {state} {self.url} teams={len(self.api_keys)}>"

    # -- addresses and keys ----------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (the admin routes live under ``/_sandbox``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API base URL, ``http://127.0.0.1:PORT/api/v2``."""
        return f"{self.url}/api/v2"

    @property
    def api_key(self) -> str:
        return str(self.config.api_keys[0])

    @property
    def api_keys(self) -> tuple[str, ...]:
        return tuple(self.config.api_keys)

    @property
    def app(self) -> SandboxApp:
        if self._app is None:
            raise RuntimeError("the sandbox is not started")
        return self._app

    # -- admin (in-process equivalents of the /_sandbox routes) ---------------------------
    def stats(self) -> dict[str, Any]:
        """Same dict as ``GET /_sandbox/stats``."""
        return self.app.service.stats.snapshot()

    def reset_stats(self) -> None:
        self.app.service.stats.reset()
        self.app.service.limiter.reset()

    def set_faults(self, spec: FaultsSetting, seed: int | None = None) -> list[dict[str, Any]]:
        """Replace the fault rules (same grammar as ``--faults``); ``None`` clears them."""
        self.app.service.faults.set(parse_spec(spec), seed)
        return self.app.service.faults.describe()

    def modes(self) -> dict[str, Any]:
        """Same dict as ``GET /_sandbox/modes``."""
        return self.app.service.modes.as_dict()

    def set_modes(self, **modes: Any) -> dict[str, Any]:
        """Change modes while serving (``list_order="oldest"``...); see :mod:`.modes`."""
        return self.app.service.modes.update(modes).as_dict()

    def seed_detects(self, count: int, prefix: str = "seed", api_key: str | None = None) -> int:
        """Give a team (the first key's by default) ``count`` old finished detects, as
        ``POST /_sandbox/seed`` does; for measuring look-ups in a large account."""
        from .seeding import seed_detects

        key = api_key or self.api_key
        team = next((t for t in self.app.service.store.teams.values() if t.key == key), None)
        if team is None:
            raise KeyError("no team has that API key")
        return seed_detects(self.app.service.store, team.id, count, self.app.service.now(), prefix)

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox clock forward (expires media tokens, finishes timed jobs)."""
        self.app.service.clock.advance(seconds)

    def set_wallet(self, cents: float | None, api_key: str | None = None) -> None:
        """Set a team's wallet in cents (``None``: unlimited); the first key by default."""
        key = api_key or self.api_key
        for team in self.app.service.store.teams.values():
            if team.key == key:
                team.wallet_cents = cents
                return
        raise KeyError("no team has that API key")
