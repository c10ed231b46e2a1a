# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""POST order/change against a real multi-process server (issue 27): two
changes of one order at once are made one after the other (the order's row
is locked first, ``models/partner_order_api_orders_change.py``), and a
change waits for a transaction that holds the order."""

import threading
import time

from conftest import api, order_body
from live_helpers import _codes, _parallel


def _order(server, key, ean, amount=2):
    body = order_body(ean)
    body["amount"] = amount
    response = api(server, "POST", "order", key, json=body)
    assert response.status_code == 201, response.text
    return response.json()["biomes_order_id"]


def _change(server, key, name, ean, amount):
    return api(
        server,
        "POST",
        "order/change",
        key,
        json={
            "identifiedBy": "biomes",
            "order_id": name,
            "lines": [{"ean": ean, "amount": amount}],
        },
    )


def test_concurrent_changes_of_one_order_are_serialized(server, world):
    """Two changes of one order at once, five times: each answers 200 (Odoo
    replays the one PostgreSQL refused, on the first's result) or 409, and
    the order ends with the quantity of the last one committed: its answer
    is the order as it is, and the open delivery moves that quantity. (Many
    more at once on one order may exhaust Odoo's retries: 500 with
    Retry-After, as for any request.)"""
    _partner_id, _user_id, key = world.partners[3]
    name = _order(server, key, world.ean)
    for round_ in range(5):
        responses = _parallel(
            2, lambda i, r=round_: _change(server, key, name, world.ean, 3 + 2 * r + i)
        )
        codes = _codes(responses)
        assert all(code in ((200, None), (409, "not_changeable")) for code in codes), [
            r.text[:300] for r in responses
        ]
        status = api(
            server,
            "GET",
            "order_status",
            key,
            params={"identifiedBy": "biomes", "order_id": name},
        ).json()
        last = max(
            (r.json() for r in responses if r.status_code == 200),
            key=lambda answer: answer["updated_at"],
        )
        assert last["lines"] == status["lines"]
        quantity = status["lines"][0]["quantity"]
        assert quantity in (3 + 2 * round_, 4 + 2 * round_)
        with world.registry.cursor() as cr:
            order = world.env(cr)["sale.order"].search([("name", "=", name)])
            moves = order.picking_ids.move_ids.filtered(lambda m: m.state != "cancel")
            assert sum(moves.mapped("product_uom_qty")) == quantity


def test_a_change_waits_for_the_transaction_holding_the_order(server, world):
    """A transaction holds the order's row: a change, even one that changes
    nothing, answers only once it ended, so it never answers an order that a
    concurrent change is still writing."""
    _partner_id, _user_id, key = world.partners[4]
    name = _order(server, key, world.ean)
    answers = []
    with world.registry.cursor() as cr:
        cr.execute("SELECT id FROM sale_order WHERE name = %s FOR UPDATE", [name])
        thread = threading.Thread(
            target=lambda: answers.append(_change(server, key, name, world.ean, 2))
        )
        thread.start()
        time.sleep(3)
        assert not answers, "answered while another transaction held the order"
        cr.rollback()
    thread.join(60)
    assert answers and answers[0].status_code == 200, answers


def test_no_server_error_logged_by_changes(server):
    """No WARNING, ERROR or traceback (scripts/test.sh fails on any WARNING
    of a server log): the conflicts were replayed, none was logged."""
    problems = [
        line
        for line in server.log_lines(" WARNING ", " ERROR ", " CRITICAL ", "Traceback")
        if line
    ]
    assert not problems, problems
