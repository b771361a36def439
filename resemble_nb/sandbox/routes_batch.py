"""``POST /detect/batch`` (``files[]`` or one zip) and ``GET /detect/batch/{uuid}``."""

from __future__ import annotations

import uuid as uuidlib
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from .archive import extract_media
from .config import MB
from .errors import ApiError
from .options import parse_options
from .routes_detect import base_url_of, check_media_file, is_multipart, service_of, team_of
from .routes_detect import wants_wait as _wants_wait
from .state import Batch, StoredFile
from .storage import UploadLimits, read_multipart

__all__ = ["create_batch", "get_batch"]


def _is_zip(stored: StoredFile) -> bool:
    if Path(stored.filename).suffix.lower() == ".zip":
        return True
    if stored.path is None:
        return False
    with open(stored.path, "rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


async def create_batch(request: Request) -> JSONResponse:
    svc = service_of(request)
    team = team_of(request)
    cfg = svc.config
    if not is_multipart(request):
        raise ApiError(400, "Send the batch as multipart/form-data with files[] or one zip file")
    mb = cfg.max_batch_bytes // MB
    form = await read_multipart(
        request.headers["content-type"],
        request.stream(),
        svc.storage,
        UploadLimits(
            cfg.max_batch_bytes,
            cfg.max_batch_bytes,
            cfg.max_batch_files,
            file_limit_message=f"A batch holds at most {mb} MB in total",
            total_limit_message=f"A batch holds at most {mb} MB in total",
            files_limit_message=f"A batch holds at most {cfg.max_batch_files} files",
        ),
    )
    received = [f for _, f in form.files]
    files: list[StoredFile] = []
    try:
        if _wants_wait(request):
            raise ApiError(400, "Prefer: wait is not supported on /detect/batch; poll instead")
        listed = form.files_named("files[]", "files")
        single = form.files_named("file")
        if listed and single:
            raise ApiError(400, "Provide either files[] or one zip in file, not both")
        if not listed and not single:
            raise ApiError(400, "No files: send repeated files[] fields or one zip in file")
        if len(single) > 1:
            raise ApiError(400, "Send one zip archive in file, or use files[] for several files")
        raw = {k: v[0] for k, v in form.fields.items() if v}
        options = parse_options(raw, batch=True)
        if single and _is_zip(single[0]):
            archive = single[0]
            contents = await run_in_threadpool(
                extract_media,
                archive.path,  # type: ignore[arg-type]
                svc.storage,
                max_total_bytes=cfg.max_batch_bytes,
                max_files=cfg.max_batch_files,
                max_entries=cfg.max_zip_entries,
            )
            svc.storage.delete(archive.path)
            files = contents.files
            if not files:
                raise ApiError(400, "The zip archive holds no media files")
        else:
            files = listed or single
            for f in files:
                check_media_file(f, by_extension=True)
        svc.charge(team, [(f.filename, svc.cost_of(options)) for f in files])
    except BaseException:
        for f in received + files:
            svc.storage.delete(f.path)
        raise
    svc.stats.count("bytes_received", sum(f.size for f in received))
    batch = Batch(
        uuid=uuidlib.uuid4().hex,
        team_id=team.id,
        created_at=svc.now(),
        detect_uuids=[],
        callback_url=options.get("callback_url"),
    )
    svc.store.batches[batch.uuid] = batch
    svc.stats.count("batches_created")
    for f in files:
        detect = await svc.create_detect(
            team, options=options, base_url=base_url_of(request), file=f, batch_uuid=batch.uuid
        )
        batch.detect_uuids.append(detect.uuid)
    batch.sealed = True
    svc.maybe_batch_callback(batch)
    return JSONResponse({"success": True, "item": svc.render_batch(batch)}, status_code=202)


async def get_batch(request: Request) -> JSONResponse:
    svc = service_of(request)
    batch = svc.store.batches.get(request.path_params["uuid"])
    if batch is None or batch.team_id != team_of(request).id:
        raise ApiError(404, "Batch not found (or not accessible by the authenticated team)")
    return JSONResponse({"success": True, "item": svc.render_batch(batch, polled=True)})
