# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The series of writes the bench times: POST order beside the bare ORM
doing the same work in this process (and the round trip, and an empty
authenticated request), POST orders/batch beside 100 POST order, and the
webhook latency of a delivery validated here.

Imports ``common`` and ``fill`` of bench/, and tests/webhook_receiver.py.
"""

import sys
import time

import fill
from common import BENCH_DIR, env, interleave, registry

sys.path.insert(0, str(BENCH_DIR.parent / "tests"))
from webhook_receiver import WebhookReceiver  # noqa: E402

BATCH_SIZE = 100


def orm_create_order(reg, facts, eans, address, index):
    """The bare ORM doing what POST order does, committed, in this process:
    the products resolved by barcode among those the partner may order, the
    external id checked unused, the country found by code, the delivery
    contact searched by its address (created when missing), then create +
    action_confirm (with the API's deferred reservation)."""
    with reg.cursor() as cr:
        e = env(cr)
        partner = e["res.partner"].browse(facts["writer_id"])
        user = e["res.users"].browse(facts["writer_user_id"])
        company = e.company
        by_ean = {}
        for product in partner.order_api_product_ids.filtered(
            lambda p: (
                p.active
                and p.sale_ok
                and p.barcode
                and p.company_id in (company, company.browse())
            )
        ).sorted("id"):
            by_ean.setdefault(product.barcode, product)
        lines = [(by_ean[ean], amount) for ean, amount in eans]
        external_id = f"ORM-{index}-{time.time_ns()}"
        assert not e["sale.order"].search_count(
            [
                ("order_api_partner_id", "=", partner.id),
                ("order_api_external_id", "=", external_id),
            ],
            limit=1,
        )
        country = e["res.country"].search(
            [("code", "=", address["country_code"])], limit=1
        )
        contact_vals = {
            "name": address["name"],
            "street": address["street"],
            "street2": address.get("street2") or False,
            "zip": address["zip"],
            "city": address["city"],
            "country_id": country.id,
        }
        Partner = e["res.partner"]
        shipping = Partner.search(
            [("parent_id", "=", partner.id), ("type", "=", "delivery")]
            + [(field, "=", value) for field, value in contact_vals.items()],
            order="id",
            limit=1,
        ) or Partner.create(dict(contact_vals, parent_id=partner.id, type="delivery"))
        vals = {
            "partner_id": user.partner_id.id,
            "partner_shipping_id": shipping.id,
            "order_api_partner_id": partner.id,
            "order_api_external_id": external_id,
            "client_order_ref": external_id,
            "company_id": company.id,
            "pricelist_id": partner.property_product_pricelist.id,
            "order_line": [
                (0, 0, {"product_id": product.id, "product_uom_qty": qty})
                for product, qty in lines
            ],
        }
        order = e["sale.order"].create(vals)
        order.with_context(order_api_defer_reservation=True).action_confirm()
        order.picking_ids._order_api_defer_reservation()


_EANS = {}


def order_lines(db):
    """[(product id, ean, amount)] of the benchmark's POST order: 2 lines."""
    if db not in _EANS:
        with registry(db).cursor() as cr:
            e = env(cr)
            sensor = e.ref("partner_order_api.demo_product_soil_sensor")
            nutrient = e.ref("partner_order_api.demo_product_nutrient_pack")
            _EANS[db] = [
                (sensor.id, sensor.barcode, 2),
                (nutrient.id, nutrient.barcode, 1),
            ]
    return _EANS[db]


def order_body(db, external_id=None):
    return {
        "lines": [
            {"ean": ean, "amount": amount} for _pid, ean, amount in order_lines(db)
        ],
        "external_order_id": external_id or f"API-{time.time_ns()}",
        "delivery_address": dict(fill.ADDRESSES[0]),
    }


def measure_post(client, db, facts, rounds, warmup, rng):
    """POST order beside the bare ORM doing the same work in this process,
    the round trip of a request (GET /web/health), and an empty
    authenticated request."""
    reg = registry(db)
    eans = [(ean, amount) for _pid, ean, amount in order_lines(db)]
    address = fill.ADDRESSES[0]
    key = facts["writer_key"]

    def api_post():
        resp = client.api("POST", "order", key=key, json=order_body(db))
        assert resp.status_code == 201

    orm_index = iter(range(10**9))
    funcs = {
        "api_post_order": api_post,
        "orm_create_confirm": lambda: orm_create_order(
            reg, facts, eans, address, next(orm_index)
        ),
        "rtt_health": client.health,
        "empty_request": lambda: client.api(
            "GET", "available_products", key=facts["empty_key"]
        ),
    }
    return interleave(funcs, rounds, warmup, rng)


def measure_batch(client, db, facts, rounds, warmup, rng):
    """POST orders/batch of BATCH_SIZE two-line orders (one request) beside
    BATCH_SIZE POST order calls of the same orders one after the other (a
    client's loop), each series timed whole; every order is checked
    created (201). New external ids each time: nothing is refused."""
    key = facts["writer_key"]

    def batch():
        orders = [order_body(db) for _i in range(BATCH_SIZE)]
        resp = client.api("POST", "orders/batch", key=key, json={"orders": orders})
        statuses = [result["status"] for result in resp.json()["results"]]
        assert statuses == [201] * BATCH_SIZE, statuses

    def singles():
        for _i in range(BATCH_SIZE):
            resp = client.api("POST", "order", key=key, json=order_body(db))
            assert resp.status_code == 201

    return interleave(
        {"api_batch_100": batch, "api_post_order_x100": singles}, rounds, warmup, rng
    )


def measure_webhooks(client, db, facts, count, port=0):
    reg = registry(db)
    latencies = []
    with WebhookReceiver(port=port) as receiver:
        # the delivery events alone: one request per validated delivery, as
        # the latency below counts them
        client.api(
            "PUT",
            "webhook",
            key=facts["writer_key"],
            json={
                "url": receiver.url,
                "event_types": ["order.partially_shipped", "order.shipped"],
            },
        )
        # the reservation cron of the server reserves what POST created
        # (before the deliveries are validated here: a validation beside the
        # cron's reservation of the same lots makes PostgreSQL refuse one of
        # them, which Odoo logs as an error)
        deadline = time.monotonic() + 300
        while True:
            with reg.cursor() as cr:
                cr.execute(
                    "SELECT count(*) FROM stock_picking WHERE order_api_reservation_pending"
                )
                pending = cr.fetchone()[0]
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(1)
        with reg.cursor() as cr:
            e = env(cr)
            pickings = e["stock.picking"].search(
                [
                    ("sale_id.order_api_partner_id", "=", facts["writer_id"]),
                    ("state", "in", ("assigned", "confirmed")),
                    ("picking_type_code", "=", "outgoing"),
                ],
                order="id",
                limit=count,
            )
            picking_ids = pickings.ids
        assert len(picking_ids) == count, (
            f"only {len(picking_ids)} reserved deliveries for webhooks"
        )
        for picking_id in picking_ids:
            expected = len(receiver.requests) + 1
            with reg.cursor() as cr:
                picking = env(cr, 2)["stock.picking"].browse(picking_id)
                if any(move.state != "assigned" for move in picking.move_ids):
                    picking.action_assign()  # see fill.seed: the cron skipped it
                for move in picking.move_ids:
                    move.picked = True
                picking.with_context(
                    skip_sms=True, skip_backorder=True
                ).button_validate()
                assert picking.state == "done"
                cr.commit()
                committed = time.monotonic()
            seen = receiver.wait_for(expected, timeout=90)
            if len(seen) < expected:
                latencies.append(float("inf"))
                continue
            latencies.append(seen[expected - 1]["received_at"] - committed)
            time.sleep(0.2)
    return latencies
