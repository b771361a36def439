"""The ASGI application: routes under ``/api/v2`` and admin routes under ``/_sandbox``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import routes_admin as admin
from . import routes_analysis as analysis
from .artifacts import get_artifact
from .config import SandboxConfig
from .errors import ApiError, error_response
from .middleware import SandboxMiddleware
from .routes_batch import create_batch, get_batch
from .routes_detect import (
    create_detect,
    create_intelligence,
    delete_detect,
    get_detect,
    list_detects,
    secure_upload,
)
from .service import Service

__all__ = ["SandboxApp", "create_app"]

V2 = "/api/v2"


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.extra, exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = "Not found" if exc.status_code == 404 else str(exc.detail)
    return error_response(exc.status_code, message, headers=exc.headers)


CLIENT_GONE = 499
"""The status recorded for a request whose client went away before it was answered
(nginx's "client closed request"): never a 500, nobody is there to read it."""
_log = logging.getLogger("resemble_nb.sandbox")


async def _client_gone(request: Request, exc: Exception) -> Response:
    """A client that disconnects mid-request (mid-upload, say) is one log line."""
    _log.info("client went away mid-request: %s %s", request.method, request.url.path)
    return Response(status_code=CLIENT_GONE)


async def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(500, f"Internal sandbox error: {type(exc).__name__}")


async def _root(request: Request) -> JSONResponse:
    return JSONResponse(
        {
            "success": True,
            "name": "resemble-nb sandbox",
            "base_url": str(request.base_url) + "api/v2",
        }
    )


ROUTES = [
    Route("/", _root),
    Route(f"{V2}/secure_uploads", secure_upload, methods=["POST"]),
    Route(f"{V2}/detect/batch", create_batch, methods=["POST"]),
    Route(f"{V2}/detect/batch/{{uuid}}", get_batch, methods=["GET"]),
    Route(f"{V2}/detect", create_detect, methods=["POST"]),
    Route(f"{V2}/detect", list_detects, methods=["GET"]),
    Route(f"{V2}/detect/{{uuid}}", get_detect, methods=["GET"]),
    Route(f"{V2}/detect/{{uuid}}", delete_detect, methods=["DELETE"]),
    Route(f"{V2}/intelligence", create_intelligence, methods=["POST"]),
    Route(f"{V2}/intelligences", analysis.list_intelligences, methods=["GET"]),
    Route(f"{V2}/intelligences/{{uuid}}", analysis.get_intelligence, methods=["GET"]),
    Route(f"{V2}/detects/{{uuid}}/intelligence", analysis.ask_question, methods=["POST"]),
    Route(
        f"{V2}/detects/{{uuid}}/intelligence/{{question_uuid}}",
        analysis.get_question,
        methods=["GET"],
    ),
    Route(f"{V2}/detect/{{uuid}}/feedback", analysis.get_feedback, methods=["GET"]),
    Route(f"{V2}/detect/{{uuid}}/feedback", analysis.send_feedback, methods=["POST"]),
    Route(f"{V2}/detect/{{uuid}}/feedback", analysis.delete_feedback, methods=["DELETE"]),
    Route(f"{V2}/audio_source_tracings", analysis.list_tracings, methods=["GET"]),
    Route(f"{V2}/audio_source_tracings/{{uuid}}", analysis.get_tracing, methods=["GET"]),
    Route("/_sandbox/stats", admin.stats, methods=["GET"]),
    Route("/_sandbox/reset", admin.reset, methods=["POST"]),
    Route("/_sandbox/faults", admin.get_faults, methods=["GET"]),
    Route("/_sandbox/faults", admin.set_faults, methods=["POST"]),
    Route("/_sandbox/faults", admin.clear_faults, methods=["DELETE"]),
    Route("/_sandbox/clock", admin.get_clock, methods=["GET"]),
    Route("/_sandbox/clock", admin.advance_clock, methods=["POST"]),
    Route("/_sandbox/wallet", admin.set_wallet, methods=["POST"]),
    Route("/_sandbox/modes", admin.get_modes, methods=["GET"]),
    Route("/_sandbox/modes", admin.set_modes, methods=["POST"]),
    Route("/_sandbox/seed", admin.seed, methods=["POST"]),
    Route("/_sandbox/truth", admin.get_truth, methods=["GET"]),
    Route("/_sandbox/truth", admin.set_truth, methods=["POST"]),
    Route("/_sandbox/media/{uuid}/{name}", admin.get_media, methods=["GET"]),
    Route("/_artifacts/{uuid}/{name}", get_artifact, methods=["GET"]),
]


class SandboxApp:
    """The ASGI app; ``.service`` holds the state (stats, faults, clock, records)."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.service = Service(config)

        @contextlib.asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            yield
            await self.service.aclose()

        self.starlette = Starlette(
            routes=ROUTES,
            exception_handlers={
                ApiError: _api_error,
                HTTPException: _http_error,
                ClientDisconnect: _client_gone,
                Exception: _server_error,
            },
            lifespan=lifespan,
        )
        self.starlette.state.service = self.service
        self._asgi = SandboxMiddleware(self.starlette, self.starlette.router, self.service)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._asgi(scope, receive, send)

    def close(self) -> None:
        """Remove the storage folder (also done at lifespan shutdown)."""
        self.service.close()


def create_app(config: SandboxConfig | None = None, **kwargs: Any) -> SandboxApp:
    """The sandbox as an ASGI app, for ``httpx.ASGITransport`` or any ASGI server.

    >>> app = create_app(api_keys=("k",))
    >>> app.config.api_keys
    ('k',)
    >>> app.close()
    """
    if config is None:
        config = SandboxConfig(**kwargs)
    elif kwargs:
        raise TypeError("pass either config or keyword settings, not both")
    return SandboxApp(config)
