# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The examples of ``POST order/return`` (issue 27), recorded by
``scripts/gen_examples.py`` through ``record`` (``gen_examples_record.py``):
an order of two test kits is placed through the API (not kept as an
example), delivered through the ORM in a committed transaction (lots
KITLOT-0001 and KITLOT-0002 of the demo data, kit barcodes KIT-A7F3-0001
and KIT-A7F3-0002), then one kit is returned by its kit barcode, and a
return of more than the lot holds is refused."""

RETURN_NAME = "WH/IN/00007"  # the placeholder of the return's name
ADDRESS = {  # gen_examples_record.ADDRESS (which imports this module)
    "name": "John Doe",
    "street": "Main Street 1",
    "zip": "10115",
    "city": "Berlin",
    "country_code": "DE",
}


def _deliver(odoo, registry, order_name):
    """Validate the delivery of ``order_name`` with one kit of each of the
    demo lots 1 and 2, committed; the name the next return will get."""
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        order = env["sale.order"].search([("name", "=", order_name)])
        picking = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "done"
        )
        lots = [env.ref(f"partner_order_api.demo_lot_kit_{n}") for n in (1, 2)]
        for move in picking.move_ids:
            move.move_line_ids.unlink()
            for lot in lots:
                env["stock.move.line"].create(
                    dict(move._prepare_move_line_vals(quantity=1), lot_id=lot.id)
                )
            move.picked = True
        picking.button_validate()
        sequence = picking.picking_type_id.return_picking_type_id.sequence_id
        return sequence.get_next_char(sequence.number_next_actual)


def record_return(rec, ctx):
    """A return by kit barcode, and its refusal (409 ``not_returnable``)."""
    odoo, registry = ctx["odoo"], ctx["registry"]
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        ean = env.ref("partner_order_api.demo_product_test_kit").barcode
    answer = rec.call("createOrder", "", "POST", "order", keep=False,
                      body={"lines": [{"ean": ean, "amount": 2}], "delivery_address": ADDRESS})  # fmt: skip
    if answer.status_code != 201:
        raise SystemExit(f"order for the return example: {answer.text}")
    name = answer.json()["biomes_order_id"]
    rec.masker.add(_deliver(odoo, registry, name), RETURN_NAME)
    rec.call("returnOrder", "Return one test kit, by its kit barcode", "POST", "order/return",
             body={"identifiedBy": "biomes", "order_id": name, "reason": "Damaged in transit",
                   "lines": [{"ean": ean, "amount": 1, "lots": ["KIT-A7F3-0001"]}]})  # fmt: skip
    rec.call("returnOrder", "409: more than the lot holds", "POST", "order/return",
             body={"identifiedBy": "biomes", "order_id": name,
                   "lines": [{"ean": ean, "amount": 2, "lots": ["KIT-A7F3-0002"]}]})  # fmt: skip
