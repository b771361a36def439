"""``/_sandbox/...``: stats, faults, clock, wallet, modes, reset and stored media (key
required)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from .errors import ApiError
from .faults import FaultSpecError, parse_spec
from .routes_detect import json_body, service_of, team_of

__all__ = [
    "advance_clock",
    "clear_faults",
    "get_clock",
    "get_faults",
    "get_media",
    "get_modes",
    "get_truth",
    "reset",
    "seed",
    "set_faults",
    "set_modes",
    "set_truth",
    "set_wallet",
    "stats",
]


async def stats(request: Request) -> JSONResponse:
    return JSONResponse(service_of(request).stats.snapshot())


async def reset(request: Request) -> JSONResponse:
    """Reset counters; with ``{"all": true}`` also forget every object and fault rule."""
    svc = service_of(request)
    body = await json_body(request)
    svc.stats.reset()
    svc.limiter.reset()
    if body.get("all"):
        svc.store.clear()
        svc.faults.set([])
    return JSONResponse({"success": True})


def faults_from_body(body: Any) -> tuple[Any, int | None]:
    if isinstance(body, dict):
        spec = body.get("spec", body.get("rules"))
        seed = body.get("seed")
        if seed is not None and not isinstance(seed, int):
            raise ApiError(400, f"seed must be an integer, got {seed!r}")
        return spec, seed
    return body, None


async def set_faults(request: Request) -> JSONResponse:
    """Replace the fault rules: ``{"spec": "POST /detect:500@0.1", "seed": 1}`` or rules."""
    svc = service_of(request)
    try:
        body = await request.json()
    except ValueError:
        raise ApiError(400, 'Body must be JSON: {"spec": "..."} or {"rules": [...]}') from None
    spec, seed = faults_from_body(body)
    try:
        rules = parse_spec(spec)
    except (FaultSpecError, TypeError, ValueError) as exc:
        raise ApiError(400, f"Bad fault spec: {exc}") from None
    svc.faults.set(rules, seed)
    return JSONResponse({"success": True, "seed": svc.faults.seed, "rules": svc.faults.describe()})


async def get_faults(request: Request) -> JSONResponse:
    svc = service_of(request)
    return JSONResponse({"success": True, "seed": svc.faults.seed, "rules": svc.faults.describe()})


async def clear_faults(request: Request) -> JSONResponse:
    service_of(request).faults.set([])
    return JSONResponse({"success": True, "rules": []})


async def get_clock(request: Request) -> JSONResponse:
    return JSONResponse({"success": True, "now": service_of(request).now()})


async def advance_clock(request: Request) -> JSONResponse:
    """Move the sandbox clock forward: ``{"advance": 3601}`` (seconds)."""
    svc = service_of(request)
    body = await json_body(request)
    seconds = body.get("advance", body.get("seconds"))
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise ApiError(400, 'Send {"advance": SECONDS} with a number >= 0')
    svc.clock.advance(float(seconds))
    return JSONResponse({"success": True, "now": svc.now()})


async def set_wallet(request: Request) -> JSONResponse:
    """Set the calling team's wallet: ``{"cents": 10}``; ``{"cents": null}`` is unlimited."""
    body = await json_body(request)
    cents = body.get("cents")
    if cents is not None and (isinstance(cents, bool) or not isinstance(cents, (int, float))):
        raise ApiError(400, 'Send {"cents": NUMBER} or {"cents": null} for unlimited')
    team = team_of(request)
    team.wallet_cents = None if cents is None else float(cents)
    return JSONResponse({"success": True, "wallet_cents": team.wallet_cents})


async def get_media(request: Request) -> Response:
    """The stored bytes of one of the team's detects (what ``url`` points to)."""
    svc = service_of(request)
    detect = svc.store.detects.get(request.path_params["uuid"])
    if detect is None or detect.team_id != team_of(request).id:
        raise ApiError(404, "Detect not found")
    path = detect.file.path if detect.file is not None else None
    if path is None or not path.exists() or detect.options.get("zero_retention_mode"):
        raise ApiError(404, "Media not stored")
    return FileResponse(path, filename=detect.filename or "media")


async def get_modes(request: Request) -> JSONResponse:
    """The behaviours the docs leave open (list order, analysis lag, tokens...)."""
    return JSONResponse({"success": True, "modes": service_of(request).modes.as_dict()})


async def set_modes(request: Request) -> JSONResponse:
    """Change some modes: ``{"list_order": "oldest", "intelligence_lag": "polls:2"}``.

    All or nothing: one bad value (400) changes none. They apply to later detects.
    """
    svc = service_of(request)
    body = await json_body(request)
    try:
        svc.modes.update(body)
    except (TypeError, ValueError) as exc:
        raise ApiError(400, f"Bad mode: {exc}") from None
    return JSONResponse({"success": True, "modes": svc.modes.as_dict()})


def _truth_state(request: Request) -> dict[str, Any]:
    truth = service_of(request).truth
    return {"success": True, "by_name": truth.by_name, "labels": len(truth.labels)}


async def get_truth(request: Request) -> JSONResponse:
    """Whether a truth is planted: by file name, and how many listed labels."""
    return JSONResponse(_truth_state(request))


async def set_truth(request: Request) -> JSONResponse:
    """Plant a truth: ``{"by_name": true}`` and/or ``{"labels": {"<sha256 or name>": "fake"}}``.

    ``labels`` replaces the listed labels (``{}`` clears them); media analysed afterwards
    are scored from the planted distributions.
    """
    body = await json_body(request)
    truth = service_of(request).truth
    by_name = body.get("by_name", truth.by_name)
    labels = body.get("labels", truth.labels)
    if not isinstance(by_name, bool):
        raise ApiError(400, 'by_name must be true or false: {"by_name": true}')
    if not isinstance(labels, dict) or any(
        not isinstance(k, str) or v not in ("real", "fake") for k, v in labels.items()
    ):
        raise ApiError(400, 'labels must map a sha256 or file name to "real" or "fake"')
    truth.by_name = by_name
    truth.labels = {k.lower() if len(k) == 64 else k: v for k, v in labels.items()}
    return JSONResponse(_truth_state(request))


async def seed(request: Request) -> JSONResponse:
    """Give the calling team an account history: ``{"count": 10000, "prefix": "seed"}``
    adds that many finished detects, older than all it has (see :mod:`.seeding`)."""
    from starlette.concurrency import run_in_threadpool

    from .seeding import history

    svc = service_of(request)
    body = await json_body(request)
    count, prefix = body.get("count"), body.get("prefix", "seed")
    if isinstance(count, bool) or not isinstance(count, int) or not isinstance(prefix, str):
        raise ApiError(400, 'Send {"count": N} (and optionally "prefix": "name")')
    try:
        made = await run_in_threadpool(
            history, svc.store, team_of(request).id, count, svc.now(), prefix
        )
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None
    svc.store.add_history(made)
    return JSONResponse({"success": True, "seeded": len(made)})
