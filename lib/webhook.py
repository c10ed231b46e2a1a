# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook URLs and signatures, without Odoo.

* ``check_url`` refuses what a partner must not make the server call:
  other schemes, plain http unless allowed, and hosts that are or resolve to
  loopback, private, link-local (cloud metadata), multicast or reserved
  addresses unless the admin allow-list names them (SSRF).
* ``sign`` follows the Standard Webhooks specification
  (https://www.standardwebhooks.com): ``v1,`` + base64 HMAC-SHA256 of
  ``"{id}.{timestamp}.{body}"`` with the secret after ``whsec_``.
"""

import base64
import hashlib
import hmac
import ipaddress
import secrets
import socket
from urllib.parse import urlsplit

from .errors import ValidationError

URL_MAX = 2048
SECRET_PREFIX = "whsec_"


def new_secret():
    """A fresh Standard Webhooks secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret, msg_id, timestamp, body):
    """The ``webhook-signature`` header value for ``body`` (str)."""
    key = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    key_bytes = base64.b64decode(key + "==")
    to_sign = f"{msg_id}.{int(timestamp)}.{body}".encode()
    digest = hmac.new(key_bytes, to_sign, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def parse_allowed_hosts(value):
    """The admin allow-list (comma-separated names, IPs, CIDR ranges) as
    ``(names, networks)``."""
    names, networks = set(), []
    for item in (value or "").split(","):
        item = item.strip().lower()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            names.add(item.rstrip("."))
    return names, networks


def _is_public(address):
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def resolve(host, port):
    """Every address the host name ``host`` resolves to."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


def check_url(
    url, *, allow_http=False, allowed_hosts="", resolver=resolve, field="url"
):
    """The URL, stripped, if the server may POST to it; else ValidationError."""

    def refuse(message):
        raise ValidationError.from_details([{"field": field, "message": message}])

    if not isinstance(url, str) or not url.strip():
        refuse(f"{field} must be a non-empty string.")
    url = url.strip()
    if len(url) > URL_MAX or any(ord(char) < 33 or 127 <= ord(char) for char in url):
        refuse(
            f"{field} must be a URL of at most {URL_MAX} ASCII characters without spaces."
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        refuse(f"{field} is not a valid URL.")
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        refuse(f"{field} must start with https://.")
    if scheme == "http" and not allow_http:
        refuse(f"{field} must use https:// (plain http is not allowed on this server).")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        refuse(f"{field} has no host.")
    if parts.username or parts.password:
        refuse(f"{field} must not contain credentials.")
    names, networks = parse_allowed_hosts(allowed_hosts)
    if host in names:
        return url
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = resolver(host, port or (443 if scheme == "https" else 80))
        except (OSError, UnicodeError):
            refuse(f"The host of {field} ({host}) does not resolve.")
    if not addresses:
        refuse(f"The host of {field} ({host}) does not resolve.")
    for address in addresses:
        if _is_public(address):
            continue
        if any(
            address in network
            for network in networks
            if network.version == address.version
        ):
            continue
        refuse(
            f"The host of {field} ({host}) is a private, loopback or link-local address; "
            "an administrator must allow it first."
        )
    return url
