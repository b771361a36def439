"""Building API calls: one ``Call`` per endpoint, checked before anything is sent.

Plain functions, used alike by :class:`Client` and :class:`AsyncClient`: build the
call, send it (the only part that differs), parse the answer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from ._options import DetectOptions, form_fields
from ._uploads import FileInput, NamedFileInput, Upload, check_batch, check_direct
from .models import MediaToken

__all__ = [
    "Call",
    "delete_detect_call",
    "detect_batch_call",
    "detect_call",
    "get_batch_call",
    "get_detect_call",
    "intelligence_call",
    "list_detects_call",
    "secure_upload_call",
]


@dataclass
class Call:
    """One API call, ready to be sent (and re-sent on a retry)."""

    method: str
    path: str
    safe: bool
    """Whether repeating it after it may have reached the server cannot create a duplicate."""
    params: dict[str, Any] | None = None
    json: dict[str, Any] | None = None
    data: dict[str, str | list[str]] | None = None
    uploads: Sequence[Upload] = ()
    headers: dict[str, str] = field(default_factory=dict)
    timeout: httpx.Timeout | None = None
    secrets: tuple[str, ...] = ()
    """Values sent in this call that must never appear in error text (media tokens)."""
    maybe_applied: bool = False
    """Set when an earlier attempt may have been carried out before the retry."""

    @contextmanager
    def request_kwargs(self) -> Iterator[dict[str, Any]]:
        """Keyword arguments for ``httpx.Client.request``, with upload files open."""
        with ExitStack() as stack:
            kwargs: dict[str, Any] = {}
            if self.params:
                kwargs["params"] = self.params
            if self.json is not None:
                kwargs["json"] = self.json
            if self.uploads:
                kwargs["files"] = [(u.field, u.open(stack)) for u in self.uploads]
                kwargs["data"] = self.data or {}
            elif self.data:
                kwargs["data"] = self.data
            if self.timeout is not None:
                kwargs["timeout"] = self.timeout
            yield kwargs


def _token_value(media_token: MediaToken | str) -> str:
    if isinstance(media_token, MediaToken):
        if media_token.expired:
            raise ValueError(
                f"the media token for {media_token.filename or 'this upload'} expired "
                f"{-media_token.expires_in.total_seconds():.0f} s ago (tokens live "
                f"{media_token.lifetime.total_seconds() / 60:.0f} min); upload the file "
                "again with secure_upload()"
            )
        return media_token.reveal()
    return str(media_token)


def _exactly_one(method: str, **sources: Any) -> str:
    given = [name for name, value in sources.items() if value is not None]
    if len(given) != 1:
        names = ", ".join(f"{n}=" for n in sources)
        found = ", ".join(f"{n}=" for n in given) or "none"
        raise ValueError(f"{method}() needs exactly one of {names} (got {found})")
    return given[0]


def _path_id(uuid: str) -> str:
    uuid = str(uuid).strip()
    if not uuid or "/" in uuid or "?" in uuid or "#" in uuid:
        raise ValueError(f"not a valid id: {uuid!r}")
    return uuid


def _batch_upload(file: NamedFileInput) -> Upload:
    if isinstance(file, tuple):
        filename, source = file
        return Upload.make("files[]", source, filename)
    return Upload.make("files[]", file)


def _long_timeout(t: httpx.Timeout, read: float | None) -> httpx.Timeout:
    return httpx.Timeout(connect=t.connect, read=read, write=t.write, pool=t.pool)


def secure_upload_call(path_or_file: FileInput, filename: str | None) -> tuple[Call, Upload]:
    upload = Upload.make("file", path_or_file, filename)
    # A repeated upload creates nothing billable, only an unused token: safe to retry.
    return Call("POST", "/secure_uploads", safe=True, uploads=[upload]), upload


def detect_call(
    client_timeout: httpx.Timeout,
    *,
    media_token: MediaToken | str | None,
    url: str | None,
    file: FileInput | None,
    filename: str | None,
    wait: bool,
    wait_timeout: float | None,
    extra_fields: Mapping[str, Any] | None,
    options: Mapping[str, Any] | None,
    more: Mapping[str, Any],
) -> Call:
    source = _exactly_one("detect", media_token=media_token, url=url, file=file)
    prepared = DetectOptions.build(options, extra_fields=extra_fields, **more).single_fields()
    headers = {"Prefer": "wait"} if wait else {}
    timeout = _long_timeout(client_timeout, wait_timeout) if wait else None
    if source == "file":
        assert file is not None
        upload = Upload.make("file", file, filename)
        check_direct(upload)
        return Call(
            "POST",
            "/detect",
            safe=False,
            data=form_fields(prepared),
            uploads=[upload],
            headers=headers,
            timeout=timeout,
        )
    secrets: tuple[str, ...] = ()
    if source == "media_token":
        assert media_token is not None
        value = _token_value(media_token)
        body = {"media_token": value, **prepared}
        secrets = (value,)
    else:
        body = {"url": url, **prepared}
    return Call(
        "POST",
        "/detect",
        safe=False,
        json=body,
        headers=headers,
        timeout=timeout,
        secrets=secrets,
    )


def get_detect_call(uuid: str, experts: bool) -> Call:
    params = {"experts": "true"} if experts else None
    return Call("GET", f"/detect/{_path_id(uuid)}", safe=True, params=params)


def list_detects_call(page: int, page_size: int) -> Call:
    if page < 1:
        raise ValueError(f"page starts at 1 (got {page})")
    if not 10 <= page_size <= 1000:
        raise ValueError(f"page_size must be between 10 and 1000 (got {page_size})")
    return Call("GET", "/detect", safe=True, params={"page": page, "page_size": page_size})


def delete_detect_call(uuid: str) -> Call:
    return Call("DELETE", f"/detect/{_path_id(uuid)}", safe=True)


def detect_batch_call(
    files: Sequence[NamedFileInput] | None,
    zip: FileInput | None,
    extra_fields: Mapping[str, Any] | None,
    options: Mapping[str, Any] | None,
    more: Mapping[str, Any],
) -> Call:
    _exactly_one("detect_batch", files=files, zip=zip)
    prepared = DetectOptions.build(options, extra_fields=extra_fields, **more).batch_fields()
    if zip is not None:
        zip_upload = Upload.make("file", zip)
        check_batch([], zip_upload)
        uploads = [zip_upload]
    else:
        if isinstance(files, (str, os.PathLike)):
            raise TypeError("files= takes a list of paths or file objects, not one path")
        uploads = [_batch_upload(f) for f in files or []]
        check_batch(uploads)
    return Call("POST", "/detect/batch", safe=False, data=form_fields(prepared), uploads=uploads)


def get_batch_call(uuid: str) -> Call:
    return Call("GET", f"/detect/batch/{_path_id(uuid)}", safe=True)


def intelligence_call(
    client_timeout: httpx.Timeout,
    *,
    media_token: MediaToken | str | None,
    url: str | None,
    detect_id: str | None,
    media_type: str | None,
    json_output: bool | None,
    callback_url: str | None,
    wait_timeout: float | None,
) -> Call:
    _exactly_one("intelligence", media_token=media_token, url=url)
    body: dict[str, Any] = {}
    secrets: tuple[str, ...] = ()
    if media_token is not None:
        body["media_token"] = _token_value(media_token)
        secrets = (body["media_token"],)
    for name, value in (
        ("url", url),
        ("detect_id", detect_id),
        ("media_type", media_type),
        ("json", json_output),
        ("callback_url", callback_url),
    ):
        if value is not None:
            body[name] = value
    # Without a callback the report is produced while the request waits.
    timeout = None if callback_url else _long_timeout(client_timeout, wait_timeout)
    return Call("POST", "/intelligence", safe=False, json=body, timeout=timeout, secrets=secrets)
