# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Issue 15's integrator, tried as a new user would, against a real
multi-process server and a real webhook receiver: a quote, a batch of three
orders of which one is invalid, order.created, then the warehouse ships and
accounting invoices during a secret rotation (order.shipped and
order.invoiced signed with both secrets), and the invoice's PDF."""

import sys
import time
from pathlib import Path

from conftest import api, order_body
from live_helpers import _validate_delivery
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from webhook_receiver import WebhookReceiver  # noqa: E402


def _events(receiver, event_type, count, timeout=90):
    """The first ``count`` requests of ``event_type`` the receiver got."""
    deadline = time.monotonic() + timeout
    while True:
        found = [
            r
            for r in receiver.requests
            if r["headers"].get("x-webhook-event") == event_type
        ]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def _verifies(secret, request):
    try:
        return Webhook(secret).verify(request["body"], request["headers"])
    except WebhookVerificationError:
        return None


def _set_param(world, name, value):
    with world.registry.cursor() as cr:
        params = world.env(cr)["ir.config_parameter"]
        old = params.get_param(name)
        params.set_param(name, value)
        cr.commit()
    return old


def _quote(server, key, ean):
    """A quote: what the order would be, nothing created."""
    quote = api(server, "POST", "order/quote", key, json=order_body(ean))
    assert quote.status_code == 200, quote.text
    quoted = quote.json()
    assert quoted["total_cost"] > 0 and quoted["lines"][0]["available"]
    listed = api(server, "GET", "orders", key).json()
    assert listed["pagination"]["total_count"] == 0, "a quote creates nothing"
    return quoted


def _batch(server, key, ean, quoted):
    """A batch of three, the second invalid: the two orders created (J-1 at
    the quote's price, J-2)."""
    invalid = dict(order_body(ean), amount=0)
    batch = api(
        server,
        "POST",
        "orders/batch",
        key,
        json={"orders": [order_body(ean, "J-1"), invalid, order_body(ean, "J-2")]},
    )
    assert batch.status_code == 200, batch.text
    results = batch.json()["results"]
    assert [r["status"] for r in results] == [201, 400, 201]
    assert results[1]["error"]["code"] == "validation_error"
    first, second = results[0]["order"], results[2]["order"]
    assert first["total_cost"] == quoted["total_cost"], "the quote's price"
    listed = api(server, "GET", "orders", key).json()
    assert listed["pagination"]["total_count"] == 2
    return first, second


def _rotate_ship_and_invoice(server, world, key, old_secret, name):
    """The partner rotates its secret; the warehouse ships ``name`` and
    accounting invoices it meanwhile: (the new secret, the invoice's
    number)."""
    rotated = api(server, "POST", "webhook/rotate_secret", key)
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["signing_secret"]
    assert new_secret != old_secret
    _validate_delivery(world, name)
    with world.registry.cursor() as cr:
        order = world.env(cr)["sale.order"].search([("name", "=", name)])
        invoice = order._create_invoices()
        invoice.action_post()
        invoice_number = invoice.name
        cr.commit()
    return new_secret, invoice_number


def _assert_signed_with_both(receiver, secrets, name, invoice_number):
    """order.shipped and order.invoiced of ``name``, each signed with both
    ``secrets`` (old, new)."""
    old_secret, new_secret = secrets
    for event_type in ("order.shipped", "order.invoiced"):
        [request] = _events(receiver, event_type, 1)
        signatures = request["headers"]["webhook-signature"].split()
        assert len(signatures) == 2, signatures
        # a receiver holding either secret accepts it
        body = _verifies(old_secret, request)
        assert body is not None and body == _verifies(new_secret, request)
        assert body["biomes_order_id"] == name
    shipped = _verifies(new_secret, _events(receiver, "order.shipped", 1)[0])
    assert shipped["status"] == "shipped"
    invoiced = _verifies(new_secret, _events(receiver, "order.invoiced", 1)[0])
    assert [i["number"] for i in invoiced["invoices"]] == [invoice_number]


def _assert_invoice_documents(server, key, uninvoiced):
    """J-1's invoice as a PDF; the ``uninvoiced`` order's: 404 in JSON."""
    pdf = api(
        server,
        "GET",
        "order/document",
        key,
        params={"identifiedBy": "external", "order_id": "J-1", "type": "invoice"},
    )
    assert pdf.status_code == 200, pdf.text[:300]
    assert pdf.headers["Content-Type"].startswith("application/pdf")
    assert pdf.content.startswith(b"%PDF-")
    assert "filename=" in pdf.headers["Content-Disposition"]
    # the other order has no invoice: 404 in JSON
    missing = api(
        server,
        "GET",
        "order/document",
        key,
        params={
            "identifiedBy": "biomes",
            "order_id": uninvoiced["biomes_order_id"],
            "type": "invoice",
        },
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_an_integrator_quotes_batches_follows_and_downloads(server, world):
    _partner_id, _user_id, _login, key = world.new_partner("Journey Lab")
    # wkhtmltopdf fetches the report's assets from this server
    old_report_url = _set_param(world, "report.url", server.url)
    try:
        with WebhookReceiver() as receiver:
            put = api(server, "PUT", "webhook", key, json={"url": receiver.url})
            assert put.status_code == 200, put.text
            old_secret = put.json()["signing_secret"]
            quoted = _quote(server, key, world.ean)
            first, second = _batch(server, key, world.ean, quoted)
            created = _events(receiver, "order.created", 2)
            assert sorted(
                _verifies(old_secret, r)["external_order_id"] for r in created
            ) == ["J-1", "J-2"]
            name = first["biomes_order_id"]
            new_secret, invoice_number = _rotate_ship_and_invoice(
                server, world, key, old_secret, name
            )
            _assert_signed_with_both(
                receiver, (old_secret, new_secret), name, invoice_number
            )
        # the invoice, as a PDF
        _assert_invoice_documents(server, key, second)
    finally:
        _set_param(world, "report.url", old_report_url or False)
