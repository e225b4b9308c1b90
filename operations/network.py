"""The public URL printed in QR codes: derived from the address and port actually served."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from operations.text import say_both

# Connecting a UDP socket only asks the kernel for a route: no packet leaves the machine. Private
# targets, so the answer is the address on the office network even on a machine with no internet.
_ROUTE_PROBES = ("10.255.255.255", "172.31.255.255", "192.168.255.255")
LOOPBACK_FALLBACK = "127.0.0.1"


def lan_address() -> str | None:
    """This machine's IPv4 address on the office network, found without reaching the internet."""
    for target in _ROUTE_PROBES:
        with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect((target, 9))
            address = str(s.getsockname()[0])
            if not _is_loopback_host(address) and address != "0.0.0.0":
                return address
    # No route to any private range: an address bound to the host name, if one is not loopback.
    with contextlib.suppress(OSError):
        for *_, sockaddr in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            address = str(sockaddr[0])
            if not _is_loopback_host(address):
                return address
    return None


def _is_loopback_host(host: str) -> bool:
    host = host.strip("[]")
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    return host.strip("[]") in ("0.0.0.0", "::", "")


def listens_beyond_loopback(host: str) -> bool:
    return not _is_loopback_host(host)


def url_is_loopback(url: str) -> bool:
    return _is_loopback_host(urlsplit(url).hostname or "")


@dataclass
class PublicUrl:
    url: str
    derived: bool
    warnings: list[str] = field(default_factory=list)


def _with_port(host: str, port: int) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def resolve_public_url(
    configured: str, host: str, port: int, *, find_lan: Callable[[], str | None] = lan_address
) -> PublicUrl:
    """The configured URL, or one derived from the served address; with what to warn about.

    On a wildcard address (0.0.0.0, ::) the URL names this machine's LAN address, the one a
    citizen's phone on the office network can reach."""
    if configured:
        result = PublicUrl(configured.rstrip("/"), derived=False)
    elif is_wildcard(host):
        found = find_lan()
        result = PublicUrl(_with_port(found or LOOPBACK_FALLBACK, port), derived=True)
        if found is None:
            result.warnings.append(say_both("no_lan"))
    else:
        result = PublicUrl(_with_port(host, port), derived=True)
    if url_is_loopback(result.url) and listens_beyond_loopback(host):
        result.warnings.append(say_both("qr_loopback", url=result.url, host=host, port=port))
    return result
