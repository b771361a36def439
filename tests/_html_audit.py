"""Parse HTML and list what a browser would run: script elements, ``on*`` attributes,
``javascript:`` URLs, and ``data:`` sources that are not a plain image type (or, on an
``<audio>``/``<video>`` only, a plain sound or video type: the report's exhibits)."""

from __future__ import annotations

from html.parser import HTMLParser

from resemble_nb._core.markup import PLAYABLE_TYPES

_IMAGES = ("data:image/png;", "data:image/jpeg;", "data:image/gif;", "data:image/webp;")
_PLAYABLE = tuple(f"data:{t};" for t in PLAYABLE_TYPES)
_URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data")


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "base", "form"):
            self.found.append(f"<{tag}> element")
        for name, raw in attrs:
            value = "".join((raw or "").split()).lower()  # browsers drop spaces/tabs in URLs
            if name.lower().startswith("on"):
                self.found.append(f"<{tag}> {name}=")
            if name in _URL_ATTRS and value.startswith(("javascript:", "vbscript:")):
                self.found.append(f"<{tag}> {name}=javascript:")
            if name in _URL_ATTRS and value.startswith("data:") and not value.startswith(_IMAGES):
                if tag in ("audio", "video") and name == "src" and value.startswith(_PLAYABLE):
                    continue  # an embedded exhibit (the CSP's media-src data:)
                self.found.append(f"<{tag}> {name}={value[:40]}")

    handle_startendtag = handle_starttag


def audit(html: str) -> list[str]:
    """Every live-code hazard in ``html`` (empty when there is none)."""
    parser = _Audit()
    parser.feed(html)
    parser.close()
    return parser.found
