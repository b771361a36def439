"""The outer ASGI layer: request ids, stats, auth, fault injection and rate limiting.

Order for ``/api/v2`` requests: auth (401), faults (header, then rules), rate limit
(429), then the route. ``/_sandbox`` admin routes need a key but are never faulted,
limited or counted. A "drop" closes the TCP connection without an answer; over
uvicorn that is the transport's ``abort()``, in-process it raises
:class:`ConnectionDropped`.
"""

from __future__ import annotations

import asyncio
import json
import math
import secrets
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import resolve_team
from .faults import FaultAction, FaultSpecError
from .service import Service

__all__ = ["ConnectionDropped", "SandboxMiddleware"]

API_PREFIX = "/api/v2"
ADMIN_PREFIX = "/_sandbox"
_DRAIN_LIMIT = 2 * 1024**3


class ConnectionDropped(Exception):
    """Raised in-process where no TCP connection can be dropped."""


async def _drain(receive: Receive) -> None:
    """Read the rest of the request body so an early answer reaches the client."""
    seen = 0
    while seen < _DRAIN_LIMIT:
        message = await receive()
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _reply(
    send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    raw = json.dumps(body).encode()
    hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    hdrs += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": hdrs})
    await send({"type": "http.response.body", "body": raw})


async def _drop(send: Send) -> None:
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        raise ConnectionDropped("sandbox fault: connection dropped")
    transport.abort()
    for _ in range(3):  # let the server see the connection is gone
        await asyncio.sleep(0)


class SandboxMiddleware:
    def __init__(self, app: ASGIApp, router: Router, service: Service) -> None:
        self.app = app
        self.router = router
        self.service = service

    def _template(self, scope: Scope) -> str:
        for route in self.router.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                path = str(getattr(route, "path", scope["path"]))
                return path[len(API_PREFIX) :] if path.startswith(API_PREFIX) else path
        return "(unmatched)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(12)
        status: list[int | str] = ["dropped"]
        recorded = [False]
        path: str = scope["path"]
        is_api = path == API_PREFIX or path.startswith(API_PREFIX + "/")
        is_admin = path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")
        template = f"{scope['method']} {self._template(scope)}" if is_api else ""

        def record() -> None:
            if is_api and not recorded[0]:
                recorded[0] = True
                self.service.stats.record_request(template, status[0])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-Id"] = request_id
                headers["X-Resemble-Sandbox"] = "1"
                # Count the request before its answer leaves, so a client that reads
                # the stats right after a response always sees it.
                record()
            await send(message)

        if not (is_api or is_admin):
            await self.app(scope, receive, send_with_headers)
            return
        try:
            await self._handle(scope, receive, send, send_with_headers, is_api, status)
        finally:
            record()

    async def _handle(
        self,
        scope: Scope,
        receive: Receive,
        raw_send: Send,
        send: Send,
        is_api: bool,
        status: list[int | str],
    ) -> None:
        svc = self.service
        headers = dict(scope["headers"])
        team = resolve_team(
            headers.get(b"authorization", b"").decode("latin-1"), svc.store.teams.values()
        )
        if team is None:
            await _drain(receive)
            missing = not headers.get(b"authorization")
            message = (
                "Missing API key: send 'Authorization: Bearer YOUR_API_KEY'"
                if missing
                else "Invalid API key"
            )
            await _reply(send, 401, {"success": False, "message": message})
            return
        scope = dict(scope)
        scope["sandbox.team"] = team
        if not is_api:
            await self.app(scope, receive, send)
            return
        action = await self._fault_for(scope, headers, receive, send)
        if action == "answered":
            return
        if isinstance(action, FaultAction):
            if action.delay:
                await asyncio.sleep(action.delay)
            if action.drop:
                svc.stats.count_in("faults_injected", "drop")
                await _drop(raw_send)
                return
            if action.status is not None:
                svc.stats.count_in("faults_injected", f"status={action.status}")
                await _drain(receive)
                extra: dict[str, str] = {}
                if action.retry_after is not None:
                    # Whole seconds, rounded up: "0" would invite an instant retry.
                    extra["Retry-After"] = str(max(0, math.ceil(action.retry_after)))
                elif action.status == 429 and svc.modes.retry_after:
                    extra["Retry-After"] = "1"
                message = (
                    "Rate limit exceeded"
                    if action.status == 429
                    else f"Sandbox fault: injected HTTP {action.status}"
                )
                await _reply(send, action.status, {"success": False, "message": message}, extra)
                return
            if action.delay and not action.drop_after:
                svc.stats.count_in("faults_injected", "delay")
        allowed, wait = svc.limiter.acquire(team.key)
        if not allowed:
            await _drain(receive)
            extra = {"Retry-After": svc.limiter.retry_after_header(wait)}
            await _reply(
                send,
                429,
                {"success": False, "message": "Rate limit exceeded"},
                extra if svc.modes.retry_after else None,
            )
            return
        if isinstance(action, FaultAction) and action.drop_after:
            svc.stats.count_in("faults_injected", "drop_after")

            async def swallow(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status[0] = f"{message['status']} (dropped after)"

            await self.app(scope, receive, swallow)
            await _drop(raw_send)
            return
        await self.app(scope, receive, send)

    async def _fault_for(
        self, scope: Scope, headers: dict[bytes, bytes], receive: Receive, send: Send
    ) -> FaultAction | str | None:
        header = headers.get(b"x-sandbox-fault")
        faults = self.service.faults
        if header is not None:
            try:
                return faults.from_header(header.decode("latin-1"))
            except FaultSpecError as exc:
                await _drain(receive)
                await _reply(
                    send, 400, {"success": False, "message": f"Bad X-Sandbox-Fault: {exc}"}
                )
                return "answered"
        if not faults.rules:
            return None
        path = scope["path"][len(API_PREFIX) :] or "/"
        return faults.pick(scope["method"], path, self._template(scope))
