# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""lib/webhook.py's sending: the pinned connection (DNS rebinding), the
peer check, TLS on the host name, the total deadline and the byte cap.

Real servers on the loopback (tests/webhook_receiver.py); DNS answers come
from a patched ``socket.getaddrinfo``. Deadlines are shortened through
``post``/``send``'s own ``deadline`` argument to keep the tests quick.
"""

import ipaddress
import shutil
import socket
import ssl
import subprocess
import time

import pytest
from conftest import REPO, _load, load_lib

webhook = load_lib("webhook")
errors = load_lib("errors")
receivers = _load("poa_webhook_receiver", REPO / "tests" / "webhook_receiver.py")
WebhookReceiver = receivers.WebhookReceiver
RawReceiver = receivers.RawReceiver

BODY = b'{"success":true,"biomes_order_id":"S00042"}'
HEADERS = {"Content-Type": "application/json", "webhook-id": "msg_1"}
CAP = webhook.MAX_RESPONSE_BYTES


def rebinding_dns(monkeypatch, name, first, then, everything_after=False):
    """Patch ``socket.getaddrinfo``: ``name`` resolves to ``first`` once,
    then to ``then``; with ``everything_after``, every lookup after the
    first one of ``name`` (numeric ones too) answers ``then``. Returns the
    list of hosts looked up."""
    real = socket.getaddrinfo
    calls = []

    def fake(host, port, *args, **kwargs):
        calls.append(host)
        if host == name:
            return real(
                first if calls.count(name) == 1 else then, port, *args, **kwargs
            )
        if everything_after and name in calls:
            return real(then, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return calls


def send(url, **kwargs):
    kwargs.setdefault("allow_http", True)
    return webhook.send(url, BODY, HEADERS, **kwargs)


# ----------------------------------------------------------------------
# DNS rebinding
# ----------------------------------------------------------------------


def test_connects_to_the_checked_address_not_to_a_second_answer(monkeypatch):
    good, evil = receivers.same_port_receivers(
        lambda port: WebhookReceiver(host="127.0.0.2", port=port),
        lambda port: WebhookReceiver(host="127.0.0.1", port=port),
    )
    with good, evil:
        calls = rebinding_dns(monkeypatch, "hook.test", "127.0.0.2", "127.0.0.1")
        result = send(
            f"http://hook.test:{good.port}/hook?x=1", allowed_hosts="127.0.0.2"
        )
        received = good.wait_for(1)
        assert calls.count("hook.test") == 1
        # the name now answers the forbidden address: a second lookup, as
        # requests/urllib3 do, would have gone there
        assert socket.getaddrinfo("hook.test", 80)[0][4][0] == "127.0.0.1"
        time.sleep(0.3)
        assert evil.requests == []
    assert result.delivered, result
    assert result.peer == "127.0.0.2"
    assert len(received) == 1
    request = received[0]
    assert request["path"] == "/hook?x=1"
    assert request["headers"]["host"] == f"hook.test:{good.port}"
    assert request["headers"]["webhook-id"] == "msg_1"
    assert request["headers"]["connection"] == "close"
    assert request["body"] == BODY


def test_a_socket_that_reaches_an_unchecked_address_is_refused(monkeypatch):
    """A public address first, 127.0.0.1 for every lookup after it: the
    connection lands on the loopback, the peer check closes it before a
    byte of the request is sent."""
    with WebhookReceiver() as local:
        rebinding_dns(
            monkeypatch,
            "rebind.test",
            "93.184.216.34",
            "127.0.0.1",
            everything_after=True,
        )
        result = send(f"http://rebind.test:{local.port}/hook")
        time.sleep(0.3)
        assert local.requests == []
    assert not result.delivered
    assert result.status is None
    assert result.error == (
        "refused: the connection to rebind.test reached 127.0.0.1, "
        "which is not an address checked for it"
    )


def test_a_private_first_answer_is_refused_before_connecting(monkeypatch):
    with RawReceiver("silent") as local:
        rebinding_dns(monkeypatch, "inside.test", "127.0.0.1", "127.0.0.1")
        with pytest.raises(errors.ValidationError) as info:
            send(f"http://inside.test:{local.port}/hook")
        time.sleep(0.2)
        assert local.connections == []
    assert "private, loopback or link-local" in info.value.message


def test_ip_literal_and_allowed_name_still_work():
    with WebhookReceiver() as receiver:
        literal = send(receiver.url, allowed_hosts="127.0.0.1")
        # an allowed name accepts whatever it resolves to (::1 and/or
        # 127.0.0.1: the receiver listens on the latter only, the sender
        # tries the next address)
        named = send(
            f"http://localhost:{receiver.port}/hook", allowed_hosts="localhost"
        )
        received = receiver.wait_for(2)
    assert literal.delivered and literal.peer == "127.0.0.1"
    assert named.delivered and named.peer == "127.0.0.1"
    assert received[0]["headers"]["host"] == f"127.0.0.1:{receiver.port}"
    assert received[1]["headers"]["host"] == f"localhost:{receiver.port}"


def test_check_target_returns_what_it_checked():
    def resolver(host, port):
        assert (host, port) == ("partner.example", 8443)
        return [ipaddress.ip_address("93.184.216.34")]

    target = webhook.check_target(
        "https://Partner.Example.:8443/a/b?c=d#frag", resolver=resolver
    )
    assert target.addresses == (ipaddress.ip_address("93.184.216.34"),)
    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "partner.example",
        8443,
        "/a/b?c=d",
    )
    assert target.host_header == "partner.example:8443"
    assert webhook.check_target("https://93.184.216.34/").host_header == (
        "93.184.216.34"
    )
    v6 = webhook.check_target("https://[2606:2800:220:1:248:1893:25c8:1946]:444")
    assert v6.host_header == "[2606:2800:220:1:248:1893:25c8:1946]:444"
    assert v6.path == "/"


# ----------------------------------------------------------------------
# TLS: server name and certificate on the host name, socket on the pin
# ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=hook.test",
            "-addext",
            "subjectAltName=DNS:hook.test",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_receiver(certificate):
    cert, key = certificate
    receiver = WebhookReceiver(host="127.0.0.2")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    receiver.server_names = []
    context.sni_callback = lambda _sock, name, _ctx: receiver.server_names.append(name)
    receiver.server.socket = context.wrap_socket(
        receiver.server.socket, server_side=True
    )
    receiver.server.handle_error = lambda *args: None  # refused handshakes
    with receiver:
        yield receiver


def test_tls_uses_the_host_name_for_sni_and_the_certificate(
    monkeypatch, certificate, tls_receiver
):
    rebinding_dns(monkeypatch, "hook.test", "127.0.0.2", "127.0.0.1")
    client = ssl.create_default_context(cafile=str(certificate[0]))
    result = webhook.send(
        f"https://hook.test:{tls_receiver.port}/hook",
        BODY,
        HEADERS,
        allowed_hosts="127.0.0.2",
        ssl_context=client,
    )
    received = tls_receiver.wait_for(1)
    assert result.delivered, result
    assert result.peer == "127.0.0.2"
    assert tls_receiver.server_names == ["hook.test"]
    assert received[0]["headers"]["host"] == f"hook.test:{tls_receiver.port}"


def test_tls_certificate_of_another_name_is_refused(
    monkeypatch, certificate, tls_receiver
):
    rebinding_dns(monkeypatch, "other.test", "127.0.0.2", "127.0.0.2")
    client = ssl.create_default_context(cafile=str(certificate[0]))
    result = webhook.send(
        f"https://other.test:{tls_receiver.port}/hook",
        BODY,
        HEADERS,
        allowed_hosts="127.0.0.2",
        ssl_context=client,
    )
    assert not result.delivered
    assert result.error.startswith("TLS error: Hostname mismatch"), result.error
    assert tls_receiver.server_names == ["other.test"]
    assert tls_receiver.requests == []


def test_tls_with_the_default_trust_store_refuses_a_self_signed_certificate(
    monkeypatch, tls_receiver
):
    rebinding_dns(monkeypatch, "hook.test", "127.0.0.2", "127.0.0.2")
    result = send(
        f"https://hook.test:{tls_receiver.port}/hook", allowed_hosts="127.0.0.2"
    )
    assert not result.delivered
    assert result.error.startswith("TLS error: self-signed certificate"), result.error


# ----------------------------------------------------------------------
# One total deadline
# ----------------------------------------------------------------------


def _timed(func):
    start = time.monotonic()
    result = func()
    return result, time.monotonic() - start


@pytest.mark.parametrize(
    "behaviour, phase, status",
    [
        ("trickle", "reading the body", 200),
        ("trickle_head", "waiting for the status line and headers", None),
        ("silent", "waiting for the status line and headers", None),
    ],
)
def test_slow_receivers_are_cut_off_at_the_deadline(behaviour, phase, status):
    with RawReceiver(behaviour, interval=0.4, length=100) as receiver:
        result, took = _timed(
            lambda: send(receiver.url, allowed_hosts="127.0.0.1", deadline=2)
        )
        connections = receiver.wait_closed(1, timeout=5)
    assert 1.9 <= took < 4, took
    assert not result.delivered
    assert result.status == status
    assert result.error == (
        f"timeout: no complete answer within 2 s (still {phase} at the deadline)"
    )
    assert 1900 <= result.elapsed_ms < 4000
    # the connection was closed by the sender, long before the receiver was done
    assert len(connections) == 1 and connections[0]["closed_at"]
    assert connections[0]["request"].endswith(BODY)


def test_a_slow_dns_answer_counts_against_the_deadline(monkeypatch):
    real = socket.getaddrinfo

    def slow(host, *args, **kwargs):
        if host == "slow.test":
            time.sleep(3)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    start = time.monotonic()
    with pytest.raises(errors.ValidationError) as info:
        send("https://slow.test/hook", deadline=1)
    assert time.monotonic() - start < 2.5
    assert info.value.message == "The host of url (slow.test) did not resolve in time."


def test_resolve_with_and_without_a_time_limit():
    assert ipaddress.ip_address("127.0.0.1") in webhook.resolve("127.0.0.1", 80, 5)
    assert ipaddress.ip_address("127.0.0.1") in webhook.resolve("127.0.0.1", 80)
    with pytest.raises(OSError):
        webhook.resolve("no-such-host.invalid", 80, 5)


# ----------------------------------------------------------------------
# The byte cap
# ----------------------------------------------------------------------


def test_a_50_mb_body_is_not_read():
    with RawReceiver("huge", size=50 * 1024 * 1024) as receiver:
        result, took = _timed(lambda: send(receiver.url, allowed_hosts="127.0.0.1"))
        connections = receiver.wait_closed(1, timeout=10)
    # the status decides: a 2xx with a large body is delivered, its body cut
    assert result.delivered, result
    assert result.truncated
    assert result.bytes_read <= CAP
    assert result.excerpt == "x" * webhook.EXCERPT_CHARS
    assert took < 5
    # what the receiver got rid of before the connection was closed: the
    # cap plus the kernel's buffers, nowhere near 50 MB
    assert connections[0]["reset"]
    assert connections[0]["sent"] < 2 * 1024 * 1024, connections[0]["sent"]


def test_a_huge_error_body_is_not_read():
    with RawReceiver("huge", size=50 * 1024 * 1024, status=500) as receiver:
        result = send(receiver.url, allowed_hosts="127.0.0.1")
        connections = receiver.wait_closed(1, timeout=10)
    assert not result.delivered
    assert (result.status, result.error) == (500, "HTTP 500")
    assert result.bytes_read <= CAP
    assert connections[0]["sent"] < 2 * 1024 * 1024


def test_endless_headers_are_cut_at_the_cap():
    with RawReceiver("huge_headers", size=50 * 1024 * 1024) as receiver:
        result = send(receiver.url, allowed_hosts="127.0.0.1")
        connections = receiver.wait_closed(1, timeout=10)
    assert not result.delivered
    assert result.status is None
    assert result.error == (
        f"invalid answer: more than {CAP} bytes before the end of its headers"
    )
    assert result.bytes_read == CAP
    assert connections[0]["sent"] < 2 * 1024 * 1024


# ----------------------------------------------------------------------
# Ordinary answers
# ----------------------------------------------------------------------


def test_statuses_and_errors():
    with WebhookReceiver(statuses=(204, 500, 302)) as receiver:
        ok = send(receiver.url, allowed_hosts="127.0.0.1")
        failed = send(receiver.url, allowed_hosts="127.0.0.1")
        redirected = send(receiver.url, allowed_hosts="127.0.0.1")
    assert ok.delivered and ok.status == 204 and ok.error is None
    assert not failed.delivered
    assert (failed.status, failed.error, failed.excerpt) == (500, "HTTP 500", "nope")
    # redirects are not followed
    assert (redirected.status, redirected.error) == (302, "HTTP 302")
    assert len(receiver.requests) == 3


def test_nobody_listening():
    url = receivers.closed_port_url()
    result = send(url, allowed_hosts="127.0.0.1")
    assert not result.delivered
    assert (
        result.error == "connection error: ConnectionRefusedError (Connection refused)"
    )


def test_a_receiver_that_hangs_up_without_answering():
    with RawReceiver("hang_up") as receiver:
        result = send(receiver.url, allowed_hosts="127.0.0.1")
    assert not result.delivered
    assert result.error == "invalid HTTP answer: RemoteDisconnected"


def test_header_values_cannot_split_the_request():
    target = webhook.check_target(
        "http://127.0.0.1:9/hook", allow_http=True, allowed_hosts="127.0.0.1"
    )
    with pytest.raises(ValueError):
        webhook.post(target, BODY, {"X-Evil": "a\r\nHost: other"}, deadline=1)
