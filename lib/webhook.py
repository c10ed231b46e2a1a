# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook URLs, signatures and delivery, without Odoo.

* ``check_url`` refuses what a partner must not make the server call:
  other schemes, plain http unless allowed, and hosts that are or resolve to
  loopback, private, link-local (cloud metadata), multicast or reserved
  addresses unless the admin allow-list names them (SSRF).
  ``check_target`` does the same check and returns a ``Target`` holding the
  addresses it checked.
* ``post`` sends one request to a ``Target`` and is the only way the addon
  talks to a receiver:

  - it connects to the addresses that were checked, never to a second DNS
    answer (DNS rebinding), refuses a socket whose peer address is not one
    of them, and speaks TLS with the URL's host name as server name (SNI)
    and for the certificate check; the ``Host`` header is the URL's;
  - one total deadline (``DEADLINE_SECONDS``) bounds the whole exchange:
    every socket operation (connect, TLS handshake, send, each read of the
    status line, headers and body) gets only the time left, so a receiver
    that trickles its answer byte by byte is cut off at the deadline;
  - at most ``MAX_RESPONSE_BYTES`` of the answer (status line, headers and
    body as they come off the wire) are read, then the connection is closed;
  - failures come back as a ``Result`` with a short ``error``, never as an
    exception.

  ``send`` is ``check_target`` (its DNS lookup inside the same deadline)
  followed by ``post``.
* ``sign`` is the Standard Webhooks signature
  (https://www.standardwebhooks.com) of the ``standardwebhooks`` package:
  ``v1,`` + base64 HMAC-SHA256 of ``"{id}.{timestamp}.{body}"`` with the
  secret after ``whsec_``.

The requests go out through the standard library (``socket``, ``ssl``,
``http.client``'s response parser), not ``requests``: its timeout bounds each
read, not the exchange, and its DNS lookup happens again after the check.
"""

import base64
import datetime
import functools
import http.client
import io
import ipaddress
import secrets
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

from standardwebhooks.webhooks import Webhook

from .errors import ValidationError, WebhookUrlRejected

URL_MAX = 2048
SECRET_PREFIX = "whsec_"
# seconds for one webhook request, everything included: DNS lookup,
# connect, TLS handshake, sending, the answer's status, headers and body
DEADLINE_SECONDS = 10
# bytes of the answer read at most (status line, headers, body), then the
# connection is closed
MAX_RESPONSE_BYTES = 64 * 1024
# characters of the answer's body kept for the delivery log
EXCERPT_CHARS = 500
_CHUNK = 8192


def new_secret():
    """A fresh Standard Webhooks secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret, msg_id, timestamp, body):
    """The ``webhook-signature`` header value (``v1,<base64>``) for ``body``
    (str) sent at the POSIX ``timestamp``, signed by the ``standardwebhooks``
    package with ``secret`` (``whsec_`` + base64)."""
    when = datetime.datetime.fromtimestamp(int(timestamp), tz=datetime.UTC)
    return Webhook(secret).sign(msg_id, when, body)


# ----------------------------------------------------------------------
# The URL check (SSRF)
# ----------------------------------------------------------------------


class Target(NamedTuple):
    """A checked URL: where to connect (``addresses``) and what to say."""

    url: str
    scheme: str
    host: str  # lower case, without brackets or trailing dot
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple  # the checked addresses (ipaddress objects)

    @property
    def host_header(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


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


def _unmapped(address):
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


# IPv6 ranges that carry an IPv4 address inside (6to4 and Teredo): the
# relay may deliver to that IPv4 address, which may well be private
_TUNNELLED_IPV4 = (
    ipaddress.ip_network("2002::/16"),  # 6to4
    ipaddress.ip_network("2001::/32"),  # Teredo
)


def public_peer(peer):
    """Whether ``peer`` (``Result.peer``, the address a request reached) is
    public: what the receiver answered there may be shown to the partner
    (an address the seller allowed may be one of the seller's own)."""
    address = _ip_or_none(peer or "")
    return address is not None and _is_public(address)


def _is_public(address):
    address = _unmapped(address)
    if address.version == 6 and any(address in net for net in _TUNNELLED_IPV4):
        return False
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def resolve(host, port, timeout=None):
    """Every address the host name ``host`` resolves to. With ``timeout``,
    give up after that many seconds (``TimeoutError``): the lookup runs in a
    daemon thread, whose late answer is dropped."""
    if timeout is None:
        return _getaddrinfo(host, port)
    box = {}

    def lookup():
        try:
            box["addresses"] = _getaddrinfo(host, port)
        except Exception as exc:  # noqa: BLE001  (handed to the caller)
            box["error"] = exc

    thread = threading.Thread(target=lookup, name="webhook-dns", daemon=True)
    thread.start()
    thread.join(max(timeout, 0))
    if thread.is_alive():
        raise TimeoutError(f"no DNS answer within {timeout:.3g} s")
    if "error" in box:
        raise box["error"]
    return box["addresses"]


def _getaddrinfo(host, port):
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


def check_url(
    url, *, allow_http=False, allowed_hosts="", resolver=resolve, field="url"
):
    """The URL, stripped, if the server may POST to it; else ValidationError.

    A host named in the allow-list is accepted without a DNS lookup (it may
    not resolve yet); ``check_target`` resolves it when sending."""
    return check_target(
        url,
        allow_http=allow_http,
        allowed_hosts=allowed_hosts,
        resolver=resolver,
        field=field,
        resolve_allowed_names=False,
    ).url


def check_target(
    url,
    *,
    allow_http=False,
    allowed_hosts="",
    resolver=resolve,
    field="url",
    resolve_allowed_names=True,
):
    """The ``Target`` of ``url`` if the server may POST to it; else
    ValidationError. Its ``addresses`` are the ones checked here: every
    address the host resolves to must be public or in the allow-list's
    ranges; a host name in the allow-list accepts whatever it resolves to."""

    def refuse(message):
        raise ValidationError.from_details([{"field": field, "message": message}])

    def reject(message):
        # well-formed, but the server will not call it: 422
        raise WebhookUrlRejected.from_details([{"field": field, "message": message}])

    if not isinstance(url, str) or not url.strip():
        refuse(f"{field} must be a non-empty string.")
    url = url.strip()
    if len(url) > URL_MAX or any(ord(char) < 33 or 127 <= ord(char) for char in url):
        refuse(
            f"{field} must be a URL of at most {URL_MAX} ASCII characters without spaces."
        )
    # What the document's schema states (a string of printable ASCII that
    # starts with http:// or https://) is 400; a URL that meets it and that
    # the server still will not call is 422 (the server's rules, the world).
    if not url.lower().startswith(("https://", "http://")):
        refuse(f"{field} must start with https://.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        reject(f"{field} is not a valid URL (its host or port).")
    scheme = parts.scheme.lower()
    if scheme == "http" and not allow_http:
        reject(f"{field} must use https:// (plain http is not allowed on this server).")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        reject(f"{field} has no host.")
    if parts.username or parts.password:
        reject(f"{field} must not contain credentials.")
    port = port or (443 if scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    names, networks = parse_allowed_hosts(allowed_hosts)
    allowed_name = host in names
    if allowed_name and not resolve_allowed_names:
        return Target(url, scheme, host, port, path, ())
    addresses = _addresses(host, port, resolver, reject, field)
    for address in addresses:
        if allowed_name or _is_public(address):
            continue
        if any(
            address in network
            for network in networks
            if network.version == address.version
        ):
            continue
        reject(
            f"The host of {field} ({host}) is a private, loopback or link-local address; "
            "an administrator must allow it first."
        )
    return Target(url, scheme, host, port, path, tuple(dict.fromkeys(addresses)))


def _ip_or_none(text):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _addresses(host, port, resolver, refuse, field):
    """The host's addresses: itself if it is an IP, else what it resolves to."""
    literal = _ip_or_none(host)
    if literal is not None:
        return [literal]
    try:
        addresses = resolver(host, port)
    except TimeoutError:
        refuse(f"The host of {field} ({host}) did not resolve in time.")
    except (OSError, UnicodeError):
        refuse(f"The host of {field} ({host}) does not resolve.")
    if not addresses:
        refuse(f"The host of {field} ({host}) does not resolve.")
    return addresses


# ----------------------------------------------------------------------
# Sending
# ----------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """What one request gave. ``status`` is None when no status line came.
    ``error`` is None (``delivered``) only for a 2xx answer that ended, or
    reached the byte cap (``truncated``), before the deadline."""

    status: int | None = None
    error: str | None = None
    elapsed_ms: int = 0
    excerpt: str = ""
    bytes_read: int = 0
    peer: str | None = None
    truncated: bool = False

    @property
    def delivered(self):
        return (
            self.error is None and self.status is not None and 200 <= self.status < 300
        )


class _DeadlineExceeded(Exception):
    pass


class _CapReached(Exception):
    pass


class _PeerRefused(Exception):
    pass


class _Clock:
    def __init__(self, seconds, started=None):
        self.seconds = seconds
        self.started = time.monotonic() if started is None else started
        self.end = self.started + seconds
        self.phase = "starting"

    def remaining(self):
        """Seconds left; ``_DeadlineExceeded`` when none."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise _DeadlineExceeded()
        return left

    def elapsed_ms(self):
        return int((time.monotonic() - self.started) * 1000)


class _Wire(io.RawIOBase):
    """The socket as a file for ``http.client``'s parser: each read waits at
    most until the deadline, and no more than ``cap`` bytes are read."""

    def __init__(self, sock, clock, cap):
        super().__init__()
        self.sock = sock
        self.clock = clock
        self.cap = cap
        self.count = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        left = self.cap - self.count
        if left <= 0:
            raise _CapReached()
        view = memoryview(buffer)[:left]
        self.sock.settimeout(self.clock.remaining())
        try:
            size = self.sock.recv_into(view)
        except TimeoutError:
            raise _DeadlineExceeded() from None
        self.count += size
        return size

    def makefile(self, mode):  # what HTTPResponse asks its "socket" for
        return io.BufferedReader(self, _CHUNK)


@functools.cache
def _tls_context():
    # the CA bundle requests uses (certifi) when it is there, the system's else
    try:
        import certifi  # noqa: PLC0415

        cafile = certifi.where()
    except ImportError:
        cafile = None
    return ssl.create_default_context(cafile=cafile)


def _open(address, port, timeout):
    """A TCP socket connected to the IP ``address`` (no DNS: a numeric
    lookup only), with a receive buffer of the size of what is read."""
    family, kind, proto, _name, sockaddr = socket.getaddrinfo(
        str(address), port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        # the peer cannot park more than this in the kernel for us
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, MAX_RESPONSE_BYTES)
        sock.settimeout(timeout)
        sock.connect(sockaddr)
    except BaseException:
        sock.close()
        raise
    return sock


def _connect(target, clock):
    """A socket connected to one of the target's checked addresses, and
    its peer address, which must be one of them."""
    if not target.addresses:
        raise ValueError("the target has no checked address")
    checked = {_unmapped(address) for address in target.addresses}
    error = None
    for index, address in enumerate(target.addresses):
        clock.phase = "connecting"
        # the addresses left share the time left
        share = clock.remaining() / (len(target.addresses) - index)
        try:
            sock = _open(address, target.port, share)
        except OSError as exc:
            error = exc
            continue
        try:
            peer = _unmapped(ipaddress.ip_address(sock.getpeername()[0].split("%")[0]))
        except (OSError, ValueError):
            sock.close()
            raise
        if peer not in checked:
            sock.close()
            raise _PeerRefused(
                f"refused: the connection to {target.host} reached {peer}, "
                "which is not an address checked for it"
            )
        return sock, str(peer)
    if isinstance(error, TimeoutError):
        clock.remaining()  # _DeadlineExceeded if that was the last of the time
    raise error


def _request_bytes(target, body, headers):
    lines = [f"POST {target.path} HTTP/1.1", f"Host: {target.host_header}"]
    for name, value in headers.items():
        value = str(value)
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
            raise ValueError(f"header {name!r} holds a line break")
        lines.append(f"{name}: {value}")
    lines += [f"Content-Length: {len(body)}", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def post(
    target,
    body,
    headers,
    *,
    deadline=DEADLINE_SECONDS,
    cap=MAX_RESPONSE_BYTES,
    started=None,
    ssl_context=None,
):
    """POST ``body`` (bytes) with ``headers`` to the checked ``target``; a
    ``Result``. ``started`` (``time.monotonic()``) is when the deadline
    started running, if before this call (the DNS lookup)."""
    clock = _Clock(deadline, started)
    request = _request_bytes(target, body, headers)
    sock = wire = None
    status = peer = None
    excerpt = b""
    truncated = False
    error = None
    try:
        sock, peer = _connect(target, clock)
        if target.scheme == "https":
            clock.phase = "the TLS handshake"
            sock.settimeout(clock.remaining())
            sock = (ssl_context or _tls_context()).wrap_socket(
                sock, server_hostname=target.host
            )
        clock.phase = "sending"
        sock.settimeout(clock.remaining())
        sock.sendall(request)
        clock.phase = "waiting for the status line and headers"
        wire = _Wire(sock, clock, cap)
        response = http.client.HTTPResponse(wire, method="POST")
        response.begin()
        status = response.status
        clock.phase = "reading the body"
        try:
            while chunk := response.read(_CHUNK):
                if len(excerpt) < EXCERPT_CHARS * 4:
                    excerpt += chunk[: EXCERPT_CHARS * 4 - len(excerpt)]
        except _CapReached:
            truncated = True  # enough: the status decides, the rest is dropped
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except _DeadlineExceeded:
        error = (
            f"timeout: no complete answer within {deadline:g} s "
            f"(still {clock.phase} at the deadline)"
        )
    except TimeoutError:
        error = f"timeout: no complete answer within {deadline:g} s ({clock.phase})"
    except _CapReached:
        error = f"invalid answer: more than {cap} bytes before the end of its headers"
    except _PeerRefused as exc:
        error = str(exc)
    except ssl.SSLCertVerificationError as exc:
        error = f"TLS error: {exc.verify_message or exc.reason}"
    except ssl.SSLError as exc:
        error = f"TLS error: {exc.reason or type(exc).__name__}"
    except http.client.HTTPException as exc:
        error = f"invalid HTTP answer: {type(exc).__name__}"
    except OSError as exc:
        error = f"connection error: {type(exc).__name__}"
        if exc.strerror:
            error += f" ({exc.strerror})"
    finally:
        if sock is not None:
            sock.close()
    return Result(
        status=status,
        error=error,
        elapsed_ms=clock.elapsed_ms(),
        excerpt=excerpt.decode("utf-8", "replace")[:EXCERPT_CHARS],
        bytes_read=wire.count if wire else 0,
        peer=peer,
        truncated=truncated,
    )


def send(
    url,
    body,
    headers,
    *,
    allow_http=False,
    allowed_hosts="",
    deadline=DEADLINE_SECONDS,
    cap=MAX_RESPONSE_BYTES,
    resolver=None,
    ssl_context=None,
):
    """Check ``url`` (ValidationError if the server may not call it), then
    ``post``; the DNS lookup counts against the same deadline."""
    started = time.monotonic()
    target = check_target(
        url,
        allow_http=allow_http,
        allowed_hosts=allowed_hosts,
        resolver=resolver or functools.partial(resolve, timeout=deadline),
    )
    return post(
        target,
        body,
        headers,
        deadline=deadline,
        cap=cap,
        started=started,
        ssl_context=ssl_context,
    )
