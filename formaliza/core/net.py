"""Guard for outbound HTTP to addresses configured by tenants (webhooks, HTTP cards).

A tenant must not be able to make our servers call into our own network (SSRF): the URL's host is
resolved and refused when any address is private, loopback, link-local, multicast or reserved,
unless the host (or a CIDR containing the address) is allow-listed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings

from formaliza.core.errors import ApplicationError


class UnsafeURL(ApplicationError):
    def __init__(self, message: str, code: str = "url_not_allowed"):
        super().__init__(code=code, message=message, status=422)


def _allowed(host: str, address: ipaddress._BaseAddress, allow: Iterable[str]) -> bool:
    for item in allow:
        item = item.strip()
        if not item:
            continue
        if item.lower() == host.lower():
            return True
        try:
            if address in ipaddress.ip_network(item, strict=False):
                return True
        except ValueError:
            continue
    return False


def check_outbound_url(url: str, *, extra_allow: Iterable[str] = ()) -> None:
    """Raise UnsafeURL unless `url` is http(s) to a public address or an allow-listed one."""
    outbound_addresses(url, extra_allow=extra_allow)


def outbound_addresses(url: str, *, extra_allow: Iterable[str] = ()) -> list[str]:
    """The addresses `url`'s host resolves to, all checked as `check_outbound_url` does (raises
    UnsafeURL otherwise). Connecting to one of these (not resolving again) keeps a host that
    changes its DNS answer between the check and the call (rebinding) out of our network."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL("Use um endereço http:// ou https:// completo.", code="url_invalid")
    host = parts.hostname
    allow = [*settings.OUTBOUND_ALLOWED_PRIVATE, *extra_allow]
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise UnsafeURL(
            f"Não foi possível resolver o endereço {host}.", "url_unresolvable"
        ) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        public = address.is_global and not address.is_multicast
        if not public and not _allowed(host, address, allow):
            raise UnsafeURL(
                f"O endereço {host} aponta para uma rede interna ({address}) e não é permitido.",
            )
    return list(dict.fromkeys(info[4][0] for info in infos))
