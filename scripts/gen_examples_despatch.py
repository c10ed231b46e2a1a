# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The examples of the despatch data (issue 28), recorded by
``scripts/gen_examples.py`` through ``record`` (``gen_examples_record.py``):
an order of three soil sensors and two test kits is placed through the API
(not kept as an example), delivered through the ORM in a committed
transaction in two packages (the sensors on a pallet named by an SSCC, the
kits, lots KITLOT-0001 and KITLOT-0002 of the demo data, in a box with a
shipping weight), then the order's ``deliveries`` and its UBL
DespatchAdvice are recorded."""

import datetime

ADDRESS = {  # gen_examples_record.ADDRESS (which imports this module)
    "name": "John Doe",
    "street": "Main Street 1",
    "zip": "10115",
    "city": "Berlin",
    "country_code": "DE",
}
PALLET_SSCC = "340123450000000017"  # a valid SSCC (GS1 check digit 7)


def _deliver_in_packages(odoo, registry, order_name):
    """Validate the delivery of ``order_name`` in two packages, committed
    (expiry dates on the kits' lots when ``product_expiry`` is installed);
    the delivery's name."""
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        order = env["sale.order"].search([("name", "=", order_name)])
        picking = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "done"
        )
        lots = [env.ref(f"partner_order_api.demo_lot_kit_{n}") for n in (1, 2)]
        if "expiration_date" in env["stock.lot"]._fields:
            for months, lot in enumerate(lots, start=6):
                lot.expiration_date = datetime.datetime(2027, months, 30, 12, 0)
        Package = env["stock.quant.package"]
        pallet = Package.create(
            {
                "name": PALLET_SSCC,
                "package_type_id": env.ref(
                    "partner_order_api.demo_package_type_pallet"
                ).id,
            }
        )
        box = Package.create({"name": "BOX-0001", "shipping_weight": 1.2})
        kit = env.ref("partner_order_api.demo_product_test_kit")
        for move in picking.move_ids:
            move.move_line_ids.unlink()
            if move.product_id == kit:
                for lot in lots:
                    env["stock.move.line"].create(
                        dict(
                            move._prepare_move_line_vals(quantity=1),
                            lot_id=lot.id,
                            result_package_id=box.id,
                        )  # fmt: skip
                    )
            else:
                env["stock.move.line"].create(
                    dict(
                        move._prepare_move_line_vals(quantity=move.product_uom_qty),
                        result_package_id=pallet.id,
                    )  # fmt: skip
                )
            move.picked = True
        picking.button_validate()
        picking.carrier_id = env.ref("partner_order_api.demo_carrier_express")
        picking.carrier_tracking_ref = "PX123456789DE"
        return picking.name


def record_despatch(rec, ctx):
    """The order's deliveries with packages, lots and expiry, and its UBL
    DespatchAdvice."""
    odoo, registry = ctx["odoo"], ctx["registry"]
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        sensor = env.ref("partner_order_api.demo_product_soil_sensor").barcode
        kit = env.ref("partner_order_api.demo_product_test_kit").barcode
    answer = rec.call("createOrder", "", "POST", "order", keep=False,
                      body={"lines": [{"ean": sensor, "amount": 3}, {"ean": kit, "amount": 2}],
                            "external_order_id": "PO-DESADV-1",
                            "delivery_address": ADDRESS})  # fmt: skip
    if answer.status_code != 201:
        raise SystemExit(f"order for the despatch example: {answer.text}")
    name = answer.json()["biomes_order_id"]
    delivery = _deliver_in_packages(odoo, registry, name)
    masked = rec.masker.text(delivery)
    rec.masker.add(delivery.replace("/", "_"), masked.replace("/", "_"))
    rec.call("getOrderStatus", "Shipped in two packages, with lots and expiry dates",
             "GET", "order_status?identifiedBy=external&order_id=PO-DESADV-1")  # fmt: skip
    rec.call("getOrderDocument", "The delivery as a UBL DespatchAdvice (XML)", "GET",
             f"order/document?identifiedBy=external&order_id=PO-DESADV-1"
             f"&type=despatch_advice&delivery_order_name={delivery}")  # fmt: skip
    _forget_expiry(odoo, registry)


def _forget_expiry(odoo, registry):
    """The demo lots' expiry dates back to none, committed: the examples
    recorded before this one (a return of the same kits) then read what
    they read on a new database, run after run."""
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if "expiration_date" in env["stock.lot"]._fields:
            for n in (1, 2):
                env.ref(f"partner_order_api.demo_lot_kit_{n}").expiration_date = False
        cr.commit()
