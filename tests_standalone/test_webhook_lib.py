# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""lib/webhook.py: Standard Webhooks signatures and the SSRF guard."""

import ipaddress
import json
import time

import pytest
from conftest import load_lib
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

webhook = load_lib("webhook")
errors = load_lib("errors")


def fake_resolver(table):
    def resolve(host, port):
        if host not in table:
            raise OSError("no such host")
        return [ipaddress.ip_address(a) for a in table[host]]

    return resolve


PUBLIC = fake_resolver(
    {
        "partner.example": ["93.184.216.34"],
        "rebind.example": ["93.184.216.34", "10.0.0.5"],
        "internal.example": ["192.168.1.20"],
        "v6.example": ["2606:2800:220:1:248:1893:25c8:1946"],
        "mapped.example": ["::ffff:127.0.0.1"],
    }
)


def test_new_secret_format_and_uniqueness():
    secrets = {webhook.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        assert secret.startswith("whsec_")
        Webhook(secret)  # decodes as base64


def test_signature_verifies_with_standardwebhooks():
    secret = webhook.new_secret()
    body = json.dumps(
        {"success": True, "biomes_order_id": "S00042", "city": "München"},
        ensure_ascii=False,
    )
    timestamp = int(time.time())
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhook.sign(secret, "msg_1", timestamp, body),
    }
    assert Webhook(secret).verify(body.encode(), headers)["city"] == "München"
    # another id, body or secret does not verify
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.encode(), dict(headers, **{"webhook-id": "msg_2"}))
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("S00042", "S00043").encode(), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(webhook.new_secret()).verify(body.encode(), headers)


def check(url, **kwargs):
    kwargs.setdefault("resolver", PUBLIC)
    return webhook.check_url(url, **kwargs)


@pytest.mark.parametrize(
    "url",
    [
        "https://partner.example/hook",
        "https://partner.example:8443/hook?x=1",
        "https://93.184.216.34/hook",
        "https://v6.example/hook",
        "  https://partner.example/hook  ",
    ],
)
def test_public_https_urls_accepted(url):
    assert check(url) == url.strip()


@pytest.mark.parametrize(
    "url",
    [
        None,
        42,
        "",
        "partner.example/hook",
        "ftp://partner.example/hook",
        "javascript:alert(1)",
        "http://partner.example/hook",
        "https:///hook",
        "https://user:pw@partner.example/hook",
        "https://partner.example/with space",
        "https://partner.example/\x00",
        "https://bücher.example/hook",
        "https://partner.example:99999/hook",
        "https://unknown.example/hook",
        "https://127.0.0.1/hook",
        "https://127.1/hook",
        "https://10.0.0.1/hook",
        "https://172.16.5.4/hook",
        "https://192.168.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://[fd00::1]/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://internal.example/hook",
        "https://rebind.example/hook",
        "https://mapped.example/hook",
        "https://" + "a" * 3000 + ".example/",
    ],
)
def test_refused_urls(url):
    resolver = (
        fake_resolver({"127.1": ["127.0.0.1"]})
        if url == "https://127.1/hook"
        else PUBLIC
    )
    with pytest.raises(errors.ValidationError) as info:
        check(url, resolver=resolver)
    assert info.value.details[0]["field"] == "url"
    # a well-formed URL the server will not call is 422, not malformed input
    rejected = (
        isinstance(url, str)
        and url.startswith(("https://", "http://"))
        and len(url) < 2048
        and all(33 <= ord(char) < 127 for char in url)
    )
    if rejected:
        assert (info.value.status, info.value.code) == (422, "webhook_url_rejected")
    else:
        assert (info.value.status, info.value.code) == (400, "validation_error")


def test_plain_http_only_when_allowed():
    assert (
        check("http://partner.example/hook", allow_http=True)
        == "http://partner.example/hook"
    )


def test_allow_list_by_name_ip_and_cidr():
    assert check("https://internal.example/hook", allowed_hosts="internal.example")
    assert check("https://internal.example/hook", allowed_hosts="192.168.1.0/24")
    assert check("https://10.1.2.3/hook", allowed_hosts=" 10.0.0.0/8 , other.example ")
    assert check("https://[fd00::5]/hook", allowed_hosts="fd00::/8")
    assert check(
        "https://localhost/hook", allowed_hosts="LOCALHOST", resolver=fake_resolver({})
    )
    # a range of the other IP version, or another range, does not allow it
    with pytest.raises(errors.ValidationError):
        check("https://10.1.2.3/hook", allowed_hosts="192.168.0.0/16, ::/0")
    # every address of a name must be allowed or public
    with pytest.raises(errors.ValidationError):
        check("https://rebind.example/hook", allowed_hosts="192.168.0.0/16")
    assert check("https://rebind.example/hook", allowed_hosts="10.0.0.0/8")


def test_parse_allowed_hosts():
    names, networks = webhook.parse_allowed_hosts(
        "a.example, 10.0.0.0/8,,127.0.0.1 , B.Example."
    )
    assert names == {"a.example", "b.example"}
    assert [str(n) for n in networks] == ["10.0.0.0/8", "127.0.0.1/32"]


# 6to4 (2002::/16) and Teredo (2001::/32) addresses carry an IPv4 address
# inside, which the relay may deliver to: refused as private ones are, as
# literals and as what a name resolves to, with a public IPv4 inside too
TUNNELLED = {
    "6to4 of 192.168.1.1": "2002:c0a8:101::1",
    "6to4 of 8.8.8.8": "2002:808:808::1",
    "Teredo": "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "Teredo, another": "2001:0:5ef5:79fd::1",
}
FORBIDDEN_MESSAGE = (
    "The host of url ({host}) is a private, loopback or link-local address; "
    "an administrator must allow it first."
)


@pytest.mark.parametrize("address", TUNNELLED.values(), ids=TUNNELLED.keys())
def test_6to4_and_teredo_targets_refused(address):
    for url, host, resolver in (
        (f"https://[{address}]/hook", address, PUBLIC),
        (
            "https://tunnel.example/hook",
            "tunnel.example",
            fake_resolver({"tunnel.example": [address]}),
        ),
    ):
        with pytest.raises(errors.ValidationError) as info:
            check(url, resolver=resolver)
        assert info.value.message == FORBIDDEN_MESSAGE.format(host=host)
        assert info.value.details == [
            {"field": "url", "message": FORBIDDEN_MESSAGE.format(host=host)}
        ]
    # the same message as any other forbidden target
    with pytest.raises(errors.ValidationError) as private:
        check("https://[fd00::1]/hook")
    assert private.value.message == FORBIDDEN_MESSAGE.format(host="fd00::1")


def test_6to4_and_teredo_targets_allowed_by_the_admin_list():
    assert check("https://[2002:c0a8:101::1]/hook", allowed_hosts="2002::/16")
    assert check("https://[2001:0:5ef5:79fd::1]/hook", allowed_hosts="2001::/32")
    # a neighbouring public range stays public
    assert check("https://[2003::1]/hook")
