"""A Jupyter server extension that plays media files by URL, with HTTP Range.

The triage board's player asks the Jupyter server for the file instead of pushing its
bytes through widget state: a 2 GB video then costs the kernel nothing and the browser
seeks in it with Range requests. Files are served by absolute path, so media outside
the server's root (an evidence share, a case folder elsewhere) play too; only logged-in
users of this server reach the route (Jupyter's own authentication and authorization,
the ``contents`` resource, like ``/files/``), and only files with a media extension.

Enabled by the package's ``jupyter_server_config.d/resemble_nb.json`` on install, or by
hand: ``jupyter server extension enable resemble_nb.widgets.inspector._server``.
"""

from __future__ import annotations

import os
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from ...media.limits import ALLOWED_EXTENSIONS

__all__ = ["MEDIA_ROUTE", "media_route"]

#: Where the extension answers, below the server's base URL.
MEDIA_ROUTE = "resemble-nb/media"


def media_route(path: str | os.PathLike[str]) -> str:
    """The URL (relative to the server's base URL) that plays ``path``."""
    absolute = os.path.abspath(os.fspath(path)).replace(os.sep, "/")
    return f"{MEDIA_ROUTE}/{quote(absolute.lstrip('/'))}"


def _allowed(absolute: str, allow_hidden: bool) -> str | None:
    """Why ``absolute`` may not be served, or None when it may."""
    pure = PurePosixPath(absolute)
    if pure.suffix.lower() not in ALLOWED_EXTENSIONS:
        return "not a media file"
    if not allow_hidden and any(part.startswith(".") for part in pure.parts[1:]):
        return "hidden"
    if not os.path.isfile(absolute):
        return "no such file"
    return None


def _handler() -> type[Any]:
    from jupyter_server.base.handlers import AuthenticatedFileHandler
    from tornado import web

    class MediaHandler(AuthenticatedFileHandler):
        """``GET /resemble-nb/media/<absolute path>``: the file, with Range and 304s."""

        def validate_absolute_path(self, root: str, absolute_path: str) -> str:
            allow_hidden = bool(getattr(self.contents_manager, "allow_hidden", False))
            reason = _allowed(absolute_path, allow_hidden)
            if reason is not None:
                raise web.HTTPError(404 if reason == "no such file" else 403, reason)
            return absolute_path

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
