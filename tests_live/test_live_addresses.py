# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Saved delivery addresses under real concurrency (issue 27): orders sent
at once to one new address make one delivery contact, not one per request
(``partner.order.api.orders._delivery_contact_sudo``: the partner's row is
updated before a contact is created; the requests that waited on it fail
to serialize and Odoo runs them again, in a snapshot that sees the
contact)."""

import uuid

from conftest import api, order_body
from live_helpers import _codes, _parallel

CLIENTS = 8


def test_simultaneous_orders_to_one_new_address_make_one_contact(server, world):
    partner_id, _user_id, key = world.partners[1]
    name = f"New Dock {uuid.uuid4().hex[:8]}"
    responses = _parallel(
        CLIENTS,
        lambda _i: api(
            server, "POST", "order", key, json=order_body(world.ean, name=name)
        ),
    )
    assert [r.status_code for r in responses] == [201] * CLIENTS, _codes(responses)
    with world.registry.cursor() as cr:
        cr.execute(
            "SELECT COUNT(*) FROM res_partner"
            " WHERE parent_id = %s AND type = 'delivery' AND name = %s",
            (partner_id, name),
        )
        assert cr.fetchone()[0] == 1
        cr.execute(
            "SELECT COUNT(DISTINCT partner_shipping_id) FROM sale_order"
            " WHERE name = ANY(%s)",
            ([r.json()["biomes_order_id"] for r in responses],),
        )
        assert cr.fetchone()[0] == 1
