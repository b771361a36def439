"""Where the engine may fetch from: heatmaps and any other artifact the service names.

A URL in an answer is chosen by whoever wrote the answer (or rewrote it on the way), so
fetching it must not reach what only the reviewer's machine can reach. The rule:

* ``https`` only; plain ``http`` only when the API base URL is itself a loopback
  ``http`` URL (the sandbox);
* the host is resolved first and every address it resolves to is checked: loopback,
  private, link-local, cloud metadata and other non-public addresses are refused, unless
  the API base itself is an address of that kind (the sandbox on 127.0.0.1 may serve its
  own artifacts on 127.0.0.1, never on 10.x or 169.254.169.254);
* the connection then goes to the checked address (the host name is kept for TLS and the
  ``Host`` header), so a second DNS answer cannot swap it;
* redirects are followed by hand, each hop checked the same way (at most
  :data:`MAX_REDIRECTS`).

>>> rule = Outbound.for_api("https://app.resemble.ai/api/v2")
>>> rule.check_url("http://cdn.example/h.png"), rule.check_url("file:///etc/passwd")
('not an https URL', 'not an https URL')
>>> rule.check_address("169.254.169.254"), rule.check_address("10.0.0.7")
('a cloud metadata address', 'a private address')
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

__all__ = ["MAX_REDIRECTS", "Outbound", "Pinned", "address_kind"]

MAX_REDIRECTS = 3
_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)
_IP = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_kind(address: str) -> str | None:
    """What kind of non-public address ``address`` is (``"loopback"``, ``"private"``,
    ``"link-local"``, ``"metadata"``, ``"reserved"``), or ``None`` for a public one."""
    ip: _IP = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in _METADATA:
        return "metadata"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return "reserved"
    return None


_WORDS = {
    "metadata": "a cloud metadata address",
    "loopback": "a loopback address",
    "link-local": "a link-local address",
    "private": "a private address",
    "reserved": "a non-public address",
}


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


@dataclass(frozen=True)
class Pinned:
    """One checked hop: the URL to connect to (host replaced by the checked address) and
    what keeps the real name for TLS and ``Host``."""

    url: httpx.URL
    headers: dict[str, str]
    extensions: dict[str, str]


@dataclass(frozen=True)
class Outbound:
    """The rule for one run's outbound fetches, derived from its API base URL."""

    allow_http: bool = False
    allowed_kinds: frozenset[str] = frozenset()

    @classmethod
    def for_api(cls, base_url: str) -> Outbound:
        """The rule for a run whose API is at ``base_url`` (no DNS: a base named by a host
        name gets only the public rule, except ``localhost``)."""
        parts = urlsplit(base_url)
        host = (parts.hostname or "").lower()
        address = _literal(host) or ("127.0.0.1" if host == "localhost" else None)
        kind = address_kind(address) if address is not None else None
        return cls(
            allow_http=parts.scheme == "http" and kind == "loopback",
            allowed_kinds=frozenset({kind}) if kind is not None else frozenset(),
        )

    def check_url(self, url: str) -> str | None:
        """Why ``url`` may not be fetched by its form alone, or ``None``."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return "not a valid URL"
        schemes = ("https", "http") if self.allow_http else ("https",)
        if parts.scheme.lower() not in schemes:
            return "not an https URL"
        if not parts.hostname:
            return "a URL without a host"
        if parts.username is not None or parts.password is not None:
            return "a URL with credentials in it"
        return None

    def check_address(self, address: str) -> str | None:
        """Why a connection to ``address`` is refused, or ``None``."""
        kind = address_kind(address)
        if kind is None or kind in self.allowed_kinds:
            return None
        return _WORDS[kind]

    async def pin(self, url: str) -> Pinned | str:
        """Resolve and check ``url``'s host; the hop to make, or why not."""
        why = self.check_url(url)
        if why is not None:
            return why
        target = httpx.URL(url)
        host = target.host
        port = target.port or (443 if target.scheme == "https" else 80)
        literal = _literal(host)
        if literal is not None:
            addresses = [literal]
        else:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    host, port, type=socket.SOCK_STREAM
                )
            except (OSError, UnicodeError):
                return "its host name does not resolve"
            addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
            if not addresses:
                return "its host name does not resolve"
        for address in addresses:  # every answer: one bad address refuses the host
            why = self.check_address(address)
            if why is not None:
                return f"its host resolves to {why}" if literal is None else f"it points to {why}"
        headers = {"Host": target.netloc.decode("ascii")}
        extensions = {"sni_hostname": host} if target.scheme == "https" else {}
        return Pinned(target.copy_with(host=addresses[0]), headers, extensions)
