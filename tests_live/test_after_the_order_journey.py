# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Issue 27's integrator, after the order is placed, against a real
multi-process server and a real webhook receiver: a quote and an order with
a carrier, a US address with its state, a requested date and PO line
references; a dry run of a change that changes nothing, then the change
(``order.changed``); the warehouse ships the changed quantity, accounting
invoices it; a return announced (``order.return_requested``), refused
beyond what was delivered, received (``order.returned``) and refunded by a
credit note that the order's ``returns`` names."""

import datetime
import json
import sys
import time
from pathlib import Path

import psycopg2.errors
from conftest import api
from test_integrator_journey import _events

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from webhook_receiver import WebhookReceiver  # noqa: E402


def _setup(world):
    """A product invoiced on delivered quantities, a fixed-price carrier
    with a code, and a partner that may order and choose them:
    ``(key, ean, carrier code)``."""
    stamp = time.time_ns() // 1000
    with world.registry.cursor() as cr:
        env = world.env(cr)
        product = env["product.product"].create(
            {
                "name": "After Lab Kit",
                "barcode": f"98{stamp % 10**11:011d}",
                "list_price": 20.0,
                "type": "consu",
                "is_storable": True,
                "invoice_policy": "delivery",
            }
        )
        stock = env.ref("stock.stock_location_stock")
        env["stock.quant"]._update_available_quantity(product, stock, 1000)
        carrier = env["delivery.carrier"].create(
            {
                "name": f"Lab Express {stamp}",
                "delivery_type": "fixed",
                "fixed_price": 7.5,
                "order_api_code": f"lab-{stamp}",
                "product_id": env["product.product"]
                .create({"name": "Lab Express shipping", "type": "service"})
                .id,
            }
        )
        product_ids, ean = product.ids, product.barcode
        carrier_id, code = carrier.id, carrier.order_api_code
        cr.commit()
    partner_id, _user_id, _login, key = world.new_partner(
        "After Lab", product_ids=product_ids
    )
    with world.registry.cursor() as cr:
        env = world.env(cr)
        env["res.partner"].browse(partner_id).order_api_carrier_ids = env[
            "delivery.carrier"
        ].browse(carrier_id)
        cr.commit()
    return key, ean, code


def _body(ean, code):
    requested = datetime.date.today() + datetime.timedelta(days=10)
    return {
        "lines": [{"ean": ean, "amount": 1, "customer_reference": "PO-9/1"}],
        "external_order_id": "AFTER-1",
        "carrier_code": code,
        "requested_delivery_date": requested.isoformat(),
        "ship_complete": True,
        "delivery_address": {
            "name": "Lab Receiving",
            "company_name": "After Lab Inc.",
            "street": "1 Market Street",
            "zip": "94105",
            "city": "San Francisco",
            "state_code": "CA",
            "country_code": "US",
            "phone": "+1 415 555 0100",
            "email": "receiving@lab.example",
        },
    }


def _order_with_a_carrier(server, key, ean, code):
    """The quote and the order agree: the carrier's price as ``shipping``,
    the state, the date and the line's reference kept."""
    body = _body(ean, code)
    quote = api(server, "POST", "order/quote", key, json=body)
    assert quote.status_code == 200, quote.text
    created = api(server, "POST", "order", key, json=body)
    assert created.status_code == 201, created.text
    order = created.json()
    # the carrier's rated price (7.5, as the partner's pricelist prices it)
    assert 0 < order["shipping"]["price"] <= 7.5
    assert order["shipping"] == quote.json()["shipping"]
    for answer in (quote.json(), order):
        assert answer["shipping"]["carrier_code"] == code
        assert answer["requested_delivery_date"] == body["requested_delivery_date"]
        assert answer["ship_complete"] is True
        assert answer["delivery_address"]["state_code"] == "CA"
        assert answer["lines"][0]["customer_reference"] == "PO-9/1"
    assert order["total_cost"] == quote.json()["total_cost"]
    return order


def _reserved(world, name):
    """The order's object once the reservation cron has reserved its
    delivery: the cron runs after the order's commit and may move
    ``updated_at`` (the object shows what is available now), so a
    baseline taken before it is not one."""
    for _attempt in range(100):
        with world.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM stock_picking p JOIN sale_order o"
                " ON o.id = p.sale_id WHERE o.name = %s"
                " AND p.order_api_reservation_pending",
                [name],
            )
            if not cr.fetchone()[0]:
                return
        time.sleep(0.2)
    raise AssertionError(f"the reservation cron never reserved {name}")


def _change(server, world, key, ean, name):
    """A dry run answers the changed order and changes nothing; the change
    itself raises the quantity to 3."""
    _reserved(world, name)
    before = _status(server, key)
    change = {
        "identifiedBy": "external",
        "order_id": "AFTER-1",
        "lines": [{"ean": ean, "amount": 3}],
    }
    dry = api(server, "POST", "order/change", key, json=dict(change, dry_run=True))
    assert dry.status_code == 200, dry.text
    assert dry.json()["lines"][0]["quantity"] == 3
    assert dry.json()["total_cost"] > before["total_cost"]
    status = _status(server, key)
    assert status["lines"][0]["quantity"] == 1
    assert status["updated_at"] == before["updated_at"], "a dry run changes nothing"
    changed = api(
        server,
        "POST",
        "order/change",
        key,
        json=change,
        headers={"Idempotency-Key": f"after-{time.time_ns()}"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["lines"][0]["quantity"] == 3
    return changed.json()


def _status(server, key):
    answer = api(
        server,
        "GET",
        "order_status",
        key,
        params={"identifiedBy": "external", "order_id": "AFTER-1"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _in_odoo(world, name, action):
    """Run ``action(order)`` as the back office, committed; retried as Odoo
    retries a request on a serialization failure (the server's crons work
    on the same order)."""
    for attempt in range(5):
        try:
            with world.registry.cursor() as cr:
                order = world.env(cr)["sale.order"].search([("name", "=", name)])
                result = action(order)
                cr.commit()
                return result
        except psycopg2.errors.SerializationFailure:
            if attempt == 4:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


def _invoice(order):
    invoice = order._create_invoices()
    invoice.action_post()
    return invoice.name


def _ship(order):
    """The warehouse ships everything the order's open delivery holds."""
    picking = order.picking_ids.filtered(
        lambda p: (
            p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )
    )
    for move in picking.move_ids:
        move.quantity = move.product_uom_qty
        move.picked = True
    # (skip_sms: stock_sms would ask whether to text the phone of the address)
    answer = picking.with_context(skip_sms=True).button_validate()
    assert picking.state == "done", (answer, picking.mapped("state"))


def _receive_return(order):
    [picking] = order.picking_ids.filtered(
        lambda p: p.return_id and p.state not in ("done", "cancel")
    )
    for move in picking.move_ids:
        move.quantity = move.product_uom_qty
        move.picked = True
    picking.with_context(skip_sms=True).button_validate()
    assert picking.state == "done"


def _refund(order):
    refund = order._create_invoices(final=True)
    assert refund.move_type == "out_refund", refund.move_type
    refund.action_post()
    return refund.name


def _return(server, world, key, ean, name):
    """One unit announced back, more refused, the goods received."""
    body = {
        "identifiedBy": "external",
        "order_id": "AFTER-1",
        "lines": [{"ean": ean, "amount": 1}],
        "reason": "damaged in transit",
    }
    returned = api(server, "POST", "order/return", key, json=body)
    assert returned.status_code == 201, returned.text
    [request] = returned.json()["returns"]
    assert (request["state"], request["reason"]) == ("requested", body["reason"])
    assert request["lines"] == [{"ean": ean, "quantity": 1.0}]
    too_many = dict(body, lines=[{"ean": ean, "amount": 3}])
    refused = api(server, "POST", "order/return", key, json=too_many)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "not_returnable"
    _in_odoo(world, name, _receive_return)


def test_an_integrator_changes_ships_and_returns(server, world):
    key, ean, code = _setup(world)
    with WebhookReceiver() as receiver:
        put = api(server, "PUT", "webhook", key, json={"url": receiver.url})
        assert put.status_code == 200, put.text
        order = _order_with_a_carrier(server, key, ean, code)
        name = order["biomes_order_id"]
        _change(server, world, key, ean, name)
        [changed] = _events(receiver, "order.changed", 1)
        assert json.loads(changed["body"])["lines"][0]["quantity"] == 3
        _in_odoo(world, name, _ship)
        shipped = _status(server, key)
        assert shipped["status"] == "shipped"
        assert shipped["lines"][0]["delivered_quantity"] == 3
        _in_odoo(world, name, _invoice)
        _return(server, world, key, ean, name)
        assert _events(receiver, "order.return_requested", 1)
        [received] = _events(receiver, "order.returned", 1)
        assert json.loads(received["body"])["returns"][0]["state"] == "received"
    back = _status(server, key)
    assert back["lines"][0]["delivered_quantity"] == 2
    assert back["status"] == "shipped"
    refund = _in_odoo(world, name, _refund)
    refunded = _status(server, key)
    assert refunded["returns"][0]["credit_note"] == refund
    assert refund in [invoice["number"] for invoice in refunded["invoices"]]
