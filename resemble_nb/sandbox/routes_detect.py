"""``/secure_uploads``, ``/detect`` (create, get, list, delete) and ``POST /intelligence``."""

from __future__ import annotations

import hashlib
import json
import math
import uuid as uuidlib
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse

from .clock import isoformat
from .config import MB
from .errors import ApiError
from .options import parse_bool, parse_options
from .probe import ALLOWED_EXTENSIONS, looks_non_media
from .scoring import intelligence_text
from .service import Service
from .state import Detect, StoredFile, Team, Upload
from .storage import UploadLimits, read_multipart
from .tokens import TokenError, issue_token, read_token

__all__ = [
    "create_detect",
    "create_intelligence",
    "delete_detect",
    "get_detect",
    "list_detects",
    "secure_upload",
]

_MAX_JSON = 1024 * 1024
_ALLOWED_LIST = " ".join(sorted(ALLOWED_EXTENSIONS))


def service_of(request: Request) -> Service:
    svc: Service = request.app.state.service
    return svc


def team_of(request: Request) -> Team:
    team: Team = request.scope["sandbox.team"]
    return team


def base_url_of(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def wants_wait(request: Request) -> bool:
    prefer = request.headers.get("prefer", "")
    return any(p.strip().split("=")[0].lower() == "wait" for p in prefer.split(","))


async def json_body(request: Request) -> dict[str, Any]:
    """A JSON object body (an urlencoded form is read too, as ``curl -d`` sends)."""
    chunks = bytearray()
    async for chunk in request.stream():
        chunks.extend(chunk)
        if len(chunks) > _MAX_JSON:
            raise ApiError(400, "JSON body is too large")
    ctype = request.headers.get("content-type", "").lower()
    if ctype.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(chunks.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        body = json.loads(chunks or b"{}")
    except ValueError as exc:
        raise ApiError(400, f"Request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object")
    return body


def is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/form-data")


def file_head(stored: StoredFile, n: int = 4096) -> bytes:
    if stored.path is None:
        return b""
    with open(stored.path, "rb") as fh:
        return fh.read(n)


def check_media_file(stored: StoredFile, *, by_extension: bool) -> None:
    """The direct-upload allowlist: extension, declared content type and content."""
    name = stored.filename
    if stored.size == 0:
        raise ApiError(400, f"The uploaded file {name!r} is empty")
    ext = Path(name).suffix.lower()
    if by_extension and ext not in ALLOWED_EXTENSIONS:
        raise ApiError(
            400, f"Unsupported file type {ext or '(none)'!r} for {name!r}; allowed: {_ALLOWED_LIST}"
        )
    ctype = stored.content_type.split(";")[0].strip()
    if (
        ctype
        and ctype != "application/octet-stream"
        and ctype.split("/")[0]
        not in (
            "audio",
            "video",
            "image",
        )
    ):
        raise ApiError(400, f"Unsupported content type {ctype!r} for {name!r}")
    if looks_non_media(file_head(stored)):
        raise ApiError(400, f"{name!r} is not an audio, image or video file")


# -- /secure_uploads ------------------------------------------------------------------------
async def secure_upload(request: Request) -> JSONResponse:
    svc = service_of(request)
    if not is_multipart(request):
        raise ApiError(400, "Send the media as multipart/form-data in a field named 'file'")
    huge = 1 << 62
    form = await read_multipart(
        request.headers["content-type"],
        request.stream(),
        svc.storage,
        UploadLimits(huge, huge, 1, files_limit_message="Send exactly one file per upload"),
    )
    files = form.files_named("file")
    try:
        if not files:
            raise ApiError(400, "Missing file: send the media in a multipart field named 'file'")
        stored = files[0]
        check_media_file(stored, by_extension=False)
    except ApiError:
        for _, f in form.files:
            svc.storage.delete(f.path)
        raise
    team = team_of(request)
    upload = Upload(uuidlib.uuid4().hex, team.id, stored, svc.now())
    svc.store.uploads[upload.id] = upload
    svc.stats.count("uploads")
    svc.stats.count("bytes_received", stored.size)
    token = issue_token(
        svc.config.token_secret,
        upload_id=upload.id,
        team_id=team.id,
        now=svc.now(),
        ttl=svc.config.token_ttl,
    )
    return JSONResponse({"success": True, "token": token})


# -- /detect ----------------------------------------------------------------------------------
def _token_error(status: int, message: str, code: str, reason: str) -> ApiError:
    """The generic ``Error`` schema (§6): ``errors`` names the field, ``error_code`` says why."""
    extra = {"error": message, "errors": {"media_token": [reason]}, "error_code": code}
    return ApiError(status, message, extra=extra)


def _upload_for_token(svc: Service, team: Team, token: object) -> Upload:
    """The upload a token names; 400 if it cannot serve (bad, expired, already used)."""
    try:
        claims = read_token(svc.config.token_secret, token, now=svc.now())
    except TokenError as exc:
        raise _token_error(exc.status, exc.message, exc.code, exc.reason) from None
    upload = svc.store.uploads.get(claims.upload_id)
    if claims.team_id != team.id or upload is None or upload.team_id != team.id:
        raise ApiError(404, "Media not found for this media_token")
    if svc.modes.single_use_tokens and upload.used_by is not None:
        raise _token_error(
            400,
            "This media_token has already been used; upload the file again for a new token",
            "media_token_used",
            "has already been used",
        )
    return upload


def _use_token(svc: Service, upload: Upload, by: str) -> None:
    if svc.modes.single_use_tokens:
        upload.used_by = by


async def create_detect(request: Request) -> JSONResponse:
    svc = service_of(request)
    team = team_of(request)
    stored: StoredFile | None = None
    upload: Upload | None = None
    if is_multipart(request):
        mb = svc.config.max_direct_bytes // MB
        form = await read_multipart(
            request.headers["content-type"],
            request.stream(),
            svc.storage,
            UploadLimits(
                svc.config.max_direct_bytes,
                svc.config.max_direct_bytes,
                1,
                file_limit_message=(
                    f"File exceeds the {mb} MB direct-upload limit; upload larger files "
                    "with the Secure Uploads API (POST /secure_uploads) and pass media_token"
                ),
                total_limit_message=f"Request exceeds the {mb} MB direct-upload limit",
                files_limit_message="Send one file per detect (field 'file')",
            ),
        )
        raw: dict[str, Any] = {k: v[0] for k, v in form.fields.items() if v}
        files = form.files_named("file")
        stored = files[0] if files else None
        stray = [f for _, f in form.files if f is not stored]
        for f in stray:
            svc.storage.delete(f.path)
    else:
        raw = await json_body(request)
    try:
        sources = [n for n in ("url", "media_token") if raw.get(n)] + (["file"] if stored else [])
        if len(sources) != 1:
            got = ", ".join(sources) if sources else "none"
            raise ApiError(
                400, f"Exactly one of file, url or media_token must be provided (got {got})"
            )
        options = parse_options(raw)
        owns = True
        url = None
        if stored is not None:
            check_media_file(stored, by_extension=True)
            svc.stats.count("bytes_received", stored.size)
        elif raw.get("media_token"):
            upload = _upload_for_token(svc, team, raw["media_token"])
            stored = upload.file
            owns = False
        else:
            url = str(raw["url"])
            if not url.startswith(("http://", "https://")):
                raise ApiError(400, f"url must be an http(s) URL, got {url!r}")
        svc.charge(team, [(stored.filename if stored else url, svc.cost_of(options))])
    except ApiError:
        if stored is not None and is_multipart(request):
            svc.storage.delete(stored.path)
        raise
    if upload is not None:
        _use_token(svc, upload, "detect")
    detect = await svc.create_detect(
        team, options=options, base_url=base_url_of(request), file=stored, owns_file=owns, url=url
    )
    if upload is not None:
        _use_token(svc, upload, detect.uuid)
    if wants_wait(request):
        await svc.wait_finished(detect)
    item = svc.render(detect)
    if not svc.modes.create_status:  # as the docs' create examples
        del item["status"]
    return JSONResponse({"success": True, "item": item})


def _find_detect(svc: Service, team: Team, uuid: str) -> Detect:
    detect = svc.store.detects.get(uuid)
    if detect is None or detect.team_id != team.id:
        raise ApiError(404, "Detect not found", extra={"item": None})
    return detect


async def get_detect(request: Request) -> JSONResponse:
    svc = service_of(request)
    detect = _find_detect(svc, team_of(request), request.path_params["uuid"])
    experts = parse_bool("experts", request.query_params.get("experts", "false"))
    svc.advance(detect, polled=True)
    return JSONResponse({"success": True, "item": svc.render(detect, experts=experts)})


def int_param(request: Request, name: str, default: int | None) -> int:
    value = request.query_params.get(name)
    if value is None or value == "":
        if default is None:
            raise ApiError(400, f"{name} is required (1-based page number)")
        return default
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer, got {value!r}") from None


async def list_detects(request: Request) -> JSONResponse:
    svc = service_of(request)
    page = int_param(request, "page", None)
    page_size = int_param(request, "page_size", 10)
    if page < 1:
        raise ApiError(400, f"page must be >= 1, got {page}")
    if not 10 <= page_size <= 1000:
        raise ApiError(400, f"page_size must be between 10 and 1000, got {page_size}")
    chunk, total = svc.store.team_page(
        team_of(request).id, (page - 1) * page_size, page * page_size, svc.modes.list_order
    )
    for d in chunk:
        svc.advance(d, polled=True)
    return JSONResponse(
        {
            "success": True,
            "page": page,
            "num_pages": math.ceil(total / page_size),
            "page_size": page_size,
            "total_count": total,
            "items": [svc.render(d) for d in chunk],
        }
    )


async def delete_detect(request: Request) -> JSONResponse:
    svc = service_of(request)
    detect = _find_detect(svc, team_of(request), request.path_params["uuid"])
    svc.delete_detect(detect)
    return JSONResponse({"success": True, "message": "Detect deleted"})


# -- /intelligence ----------------------------------------------------------------------------
async def create_intelligence(request: Request) -> JSONResponse:
    svc = service_of(request)
    team = team_of(request)
    raw = await json_body(request)
    sources = [n for n in ("url", "media_token") if raw.get(n)]
    if len(sources) != 1:
        raise ApiError(400, "Exactly one of url or media_token must be provided")
    sha = None
    media_type = raw.get("media_type")
    if media_type not in (None, "audio", "image", "video"):
        raise ApiError(400, f"media_type must be audio, image or video, got {media_type!r}")
    if raw.get("media_token"):
        upload = _upload_for_token(svc, team, raw["media_token"])
        _use_token(svc, upload, "intelligence")
        sha = upload.file.sha256
        ext = Path(upload.file.filename).suffix.lower()
    else:
        sha = hashlib.sha256(str(raw["url"]).encode()).hexdigest()
        ext = Path(str(raw["url"]).split("?")[0]).suffix.lower()
    if media_type is None:
        media_type = (
            "image"
            if ext in (".jpg", ".jpeg", ".png", ".gif", ".webp")
            else "video"
            if ext in (".mp4", ".mov", ".avi", ".mkv", ".webm")
            else "audio"
        )
    detect_id = raw.get("detect_id")
    if detect_id is not None:
        _find_detect(svc, team, str(detect_id))
    structured = parse_bool("json", raw.get("json", media_type == "image"))
    callback = raw.get("callback_url")
    now = isoformat(svc.now())
    item: dict[str, Any] = {
        "uuid": uuidlib.uuid4().hex,
        "media_type": media_type,
        "status": "completed",
        "description": intelligence_text(sha, media_type, structured),
        "created_at": now,
        "detect_uuid": detect_id,
        "team_id": team.id,
    }
    svc.store.intelligences[item["uuid"]] = item
    public = {k: v for k, v in item.items() if k != "team_id"}
    if callback:
        svc.spawn(svc.send_callback(str(callback), {"success": True, "item": public}))
        pending = {"uuid": item["uuid"], "media_type": media_type, "created_at": now}
        return JSONResponse({"success": True, "item": pending}, status_code=202)
    return JSONResponse({"success": True, "item": public})
