"""A Jupyter server extension that plays a case's media by URL, with HTTP Range.

The triage board's player asks the Jupyter server for the file instead of pushing its
bytes through widget state: a 2 GB video then costs the kernel nothing and the browser
seeks in it with Range requests. The route serves the media of a case and nothing else:

``/resemble-nb/media/<case>/<sha256>`` where ``<case>`` is the case folder's absolute
path (base64url, an opaque token to the browser) and ``<sha256>`` an item of that case.
The server reads the case's ledger (read-only) for the paths it recorded for the item,
and serves the first one that still is that item: a regular file (a symlink only if it
stays in its own folder), not hidden, not a ledger or key file, of the recorded size,
whose content is sniffed as audio, video or an image. Everything else is a 404 that
says nothing about the file system. Only logged-in users of this server reach the route
(Jupyter's own authentication and the ``contents`` resource, like ``/files/``).

Enabled by the package's ``jupyter_server_config.d/resemble_nb.json``, which every install
(editable too: hatchling's shared-data) places in ``sys.prefix/etc/jupyter``; turned off
and on again with ``jupyter server extension disable|enable <this module>``.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import stat
from pathlib import Path
from typing import Any

from ...ledger import LEDGER_FILENAME, recorded_media
from ...media.sniff import sniff_data

__all__ = ["MEDIA_ROUTE", "case_token", "media_route", "resolve_media", "servable"]

#: Where the extension answers, below the server's base URL.
MEDIA_ROUTE = "resemble-nb/media"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_KEY_LIKE = re.compile(
    r"(\.(key|pem|p12|pfx|der|crt|asc|gpg|kdbx)|\.pub\.json|\.key\.json|^id_[a-z0-9]+)$"
    r"|^case\.db|\.sqlite3?$|\.db(-wal|-shm|-journal)?$",
    re.IGNORECASE,
)
_MEDIA_FAMILIES = ("audio", "video", "image")


def case_token(case_folder: str | os.PathLike[str]) -> str:
    """The case's part of a media URL: its absolute folder, base64url without padding."""
    absolute = os.path.abspath(os.fspath(case_folder)).encode("utf-8", "surrogateescape")
    return base64.urlsafe_b64encode(absolute).decode("ascii").rstrip("=")


def media_route(case_folder: str | os.PathLike[str], sha256: str) -> str:
    """The URL (relative to the server's base URL) that plays item ``sha256`` of a case."""
    return f"{MEDIA_ROUTE}/{case_token(case_folder)}/{sha256}"


def _folder_of(token: str) -> Path | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    text = raw.decode("utf-8", "surrogateescape")
    if not text.startswith("/") or "\0" in text or os.path.normpath(text) != text:
        return None  # only an absolute, normal path (no '..', no doubled slashes)
    return Path(text)


def servable(path: Path, size: int | None = None) -> bool:
    """Whether the recorded ``path`` still holds the item (of ``size`` bytes, when given):
    see the module docstring. The kernel's own fallback (bytes through the widget) asks
    the same question."""
    if path.name.startswith(".") or _KEY_LIKE.search(path.name):
        return False
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            real = Path(os.path.realpath(path))
            if real.parent != Path(os.path.realpath(path.parent)) or real.name.startswith("."):
                return False  # a link leaving its folder (x.wav -> /etc/passwd, ~/.keys/...)
            if _KEY_LIKE.search(real.name):
                return False
            st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or (size is not None and st.st_size != size):
            return False
        with open(path, "rb") as handle:
            head = handle.read(65536)
    except OSError:
        return False
    return sniff_data(head).family is not None  # a family is audio, video or an image


def resolve_media(url_path: str) -> str | None:
    """The file to serve for ``<case token>/<sha256>`` (below the route), or ``None``."""
    parts = url_path.strip("/").split("/")
    if len(parts) != 2 or not _SHA256.fullmatch(parts[1]):
        return None
    folder = _folder_of(parts[0])
    if folder is None:
        return None
    ledger = folder / LEDGER_FILENAME
    try:
        if not stat.S_ISREG(os.lstat(ledger).st_mode):
            return None
    except OSError:
        return None
    found = recorded_media(ledger, parts[1])
    if found is None:
        return None
    size, paths = found
    for path in paths:
        if path.is_absolute() and servable(path, size):
            return str(path)
    return None


def _handler() -> type[Any]:
    from jupyter_server.base.handlers import AuthenticatedFileHandler
    from tornado import web

    class MediaHandler(AuthenticatedFileHandler):
        """``GET /resemble-nb/media/<case>/<sha256>``: the item's file, with Range."""

        def validate_absolute_path(self, root: str, absolute_path: str) -> str:
            found = resolve_media(self.path_args[0] if self.path_args else "")
            if found is None:
                raise web.HTTPError(404)  # says nothing about what is or is not there
            return found

        def get_content_type(self) -> str:
            kind = super().get_content_type()
            return kind if kind.split("/")[0] in _MEDIA_FAMILIES else "application/octet-stream"

        def write_error(self, status_code: int, **kwargs: Any) -> None:
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(f"{status_code}: not found" if status_code == 404 else str(status_code))

    return MediaHandler


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "resemble_nb.widgets.inspector._server"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    from jupyter_server.utils import url_path_join

    web_app = serverapp.web_app
    route = url_path_join(web_app.settings["base_url"], MEDIA_ROUTE, "(.*)")
    web_app.add_handlers(".*$", [(route, _handler(), {"path": "/"})])
    serverapp.log.info("resemble_nb: media served at %s", route)


# older servers look for this name
load_jupyter_server_extension = _load_jupyter_server_extension
