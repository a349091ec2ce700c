"""Where a webhook may be sent: public addresses only, unless the operator allows private ones.

The host is resolved and every address it resolves to is checked; the request then connects to
the checked address (the name is only sent as Host and TLS server name), so a DNS answer that
changes between the check and the connection cannot point it inside.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from livehub.errors import Invalid

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    ip: str
    path: str  # with its query

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def _refused(url_error: str) -> Invalid:
    return Invalid(url_error, fields={"url": url_error})


def is_public(address: Address) -> bool:
    """Not loopback, link-local, private, shared, multicast, reserved or unspecified (v4 and v6)."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return is_public(mapped)
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_loopback or address.is_link_local
    )


def resolve(url: str) -> Target:
    """The URL's target, with the address to connect to; raises Invalid (field `url`) for a URL
    that is not http(s), has no host, or resolves to a refused address."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise _refused(_("A webhook URL starts with https:// or http://."))
    if not parts.hostname or parts.username or parts.password:
        raise _refused(_("A webhook URL names a host and carries no user name or password."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise _refused(_("The port of this URL is not a number between 1 and 65535.")) from None
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise _refused(_("The host of this URL could not be resolved.")) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    # One refused address refuses the host: a name that also points inside is not trusted.
    if not settings.LIVEHUB_WEBHOOKS["ALLOW_PRIVATE"] and any(not is_public(address) for address in addresses):
        raise _refused(_("This URL leads to a private, loopback or reserved address; webhooks go to public addresses."))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=parts.scheme, host=parts.hostname, port=port, ip=str(addresses[0]), path=path)
