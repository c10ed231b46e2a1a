# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fill a benchmark database: one partner with N API orders.

1. ``seed()`` (once, in the template database): S orders through the real
   flows, in this process through Odoo's registry, one committed transaction
   each as in production: the API's service creates and confirms them as the
   partner's portal user, the reservation cron (``_cron_order_api_reserve``)
   reserves their deliveries, the warehouse user (admin) validates them with
   the lots the reservation picked (80 % fully, 10 % partly with a backorder,
   10 % left reserved), half of the done deliveries get a carrier and a
   tracking reference, a third of the kit lots carry a kit barcode.
2. ``replicate.py`` copies the seed's rows in SQL until the partner has N
   orders, and checks the copies over HTTP.

Imports ``common`` of bench/.
"""

import datetime
import time

from common import env, log, registry

SCOPE = "partner_order_api"
SEED_ORDERS = 250
EXT_PREFIX = "BENCH-"
ADDRESSES = [
    {
        "name": f"Lab {index}",
        "street": f"Bench Street {index}",
        "zip": f"{10115 + index}",
        "city": "Berlin",
        "country_code": "DE",
    }
    for index in range(8)
]


def ext_id(index):
    return f"{EXT_PREFIX}{index:07d}"


# ----------------------------------------------------------------------------
# Actors: the benchmarked partner (read side) and a writer partner (POST order,
# webhooks), so that writing never changes N.
# ----------------------------------------------------------------------------
def _make_partner(e, name, products, pricelist):
    company = e["res.partner"].create(
        {
            "name": name,
            "is_company": True,
            "order_api_enabled": True,
            "order_api_product_ids": [(6, 0, products.ids)],
            "property_product_pricelist": pricelist.id if pricelist else False,
            "country_id": e.ref("base.de").id,
        }
    )
    contact = e["res.partner"].create(
        {
            "name": f"{name} Integrator",
            "parent_id": company.id,
            "email": f"{company.id}@bench.example",
        }
    )
    user = (
        e["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": contact.name,
                "login": f"bench-{company.id}@bench.example",
                "partner_id": contact.id,
                "groups_id": [(6, 0, e.ref("base.group_portal").ids)],
            }
        )
    )
    expiration = datetime.datetime.now() + datetime.timedelta(days=365)
    key = (
        e["res.users.apikeys"]
        .with_user(user)
        .sudo()
        ._generate(SCOPE, "bench", expiration)
    )
    return company, user, key


def seed(db, count=SEED_ORDERS):
    """Actors, stock and ``count`` orders through the real flows; returns the
    facts later steps need (stored in ir.config_parameter bench.* too)."""
    reg = registry(db)
    t0 = time.monotonic()
    actors = _seed_actors(reg, count)
    _seed_orders(reg, actors, count)
    log(
        f"seed: {count} orders created through the service in {time.monotonic() - t0:.0f} s"
    )
    unflagged = _seed_reservations(reg, actors["partner_id"])
    log(
        f"seed: deliveries reserved by the cron at {time.monotonic() - t0:.0f} s "
        f"({unflagged} left unreserved by it, reserved with action_assign)"
    )
    order_ids = _seed_validations(reg, actors)
    statuses = _seed_statuses(reg, order_ids)
    elapsed = time.monotonic() - t0
    log(f"seed: deliveries validated; statuses {statuses}; {elapsed:.0f} s in all")
    return {
        "seed_seconds": elapsed,
        "statuses": statuses,
        "unflagged_pickings": unflagged,
    }


def _seed_actors(reg, count):
    """The settings, the stock (sensors, kit lots) and the three partners,
    committed; ``{"uid", "partner_id", "kit_id", "kit_ean", "sensor_ean",
    "nutrient_ean"}`` for the next steps."""
    with reg.cursor() as cr:
        e = env(cr)
        params = e["ir.config_parameter"]
        params.set_param("partner_order_api.rate_limit_per_minute", "0")
        params.set_param("partner_order_api.webhook_allow_http", "True")
        params.set_param("partner_order_api.webhook_allowed_hosts", "127.0.0.1")
        sensor = e.ref("partner_order_api.demo_product_soil_sensor")
        nutrient = e.ref("partner_order_api.demo_product_nutrient_pack")
        kit = e.ref("partner_order_api.demo_product_test_kit")
        _seed_stock(e, sensor, kit, count)
        partner, user = _seed_partners(e, sensor, nutrient, kit, count)
        cr.commit()
        return {
            "uid": user.id,
            "partner_id": partner.id,
            "kit_id": kit.id,
            "kit_ean": kit.barcode,
            "sensor_ean": sensor.barcode,
            "nutrient_ean": nutrient.barcode,
        }


def _seed_stock(e, sensor, kit, count):
    """Sensors without end, and kit lots (a third with a kit barcode) of 6
    each, in the warehouse's stock."""
    warehouse = e["stock.warehouse"].search(
        [("company_id", "=", e.company.id)], limit=1
    )
    stock = warehouse.lot_stock_id
    Quant = e["stock.quant"]
    Quant._update_available_quantity(sensor, stock, 10_000_000)
    lots = e["stock.lot"].create(
        [
            {
                "name": f"BKIT-{index:06d}",
                "product_id": kit.id,
                "kit_barcode": f"KB-{index:06d}" if index % 3 == 0 else False,
            }
            for index in range(1, count // 2 + 2)
        ]
    )
    for lot in lots:
        Quant._update_available_quantity(kit, stock, 6, lot_id=lot)


def _seed_partners(e, sensor, nutrient, kit, count):
    """The benchmarked partner, the writer and the empty partner, their
    facts in ``bench.*`` parameters: (the benchmarked partner, its user)."""
    products = sensor | nutrient | kit
    pricelist = e.ref("partner_order_api.demo_pricelist")
    partner, user, key = _make_partner(e, "Bench Partner GmbH", products, pricelist)
    writer, writer_user, writer_key = _make_partner(
        e, "Bench Writer GmbH", sensor | nutrient, pricelist
    )
    # e.g. the empty authenticated request: a partner with no product
    _empty, _empty_user, empty_key = _make_partner(
        e, "Bench Empty GmbH", e["product.product"], None
    )
    params = e["ir.config_parameter"]
    for name, value in {
        "bench.partner_id": partner.id,
        "bench.user_id": user.id,
        "bench.key": key,
        "bench.writer_id": writer.id,
        "bench.writer_user_id": writer_user.id,
        "bench.writer_key": writer_key,
        "bench.empty_key": empty_key,
        "bench.seed_orders": count,
    }.items():
        params.set_param(name, str(value))
    return partner, user


def _seed_orders(reg, actors, count):
    """The orders, as the API creates them (one transaction each)."""
    for index in range(count):
        lines = []
        if index % 10 != 9:
            lines.append({"ean": actors["kit_ean"], "amount": 1 + index % 2})
        if index % 3 != 1:
            lines.append({"ean": actors["sensor_ean"], "amount": 1 + index % 3})
        if index % 4 == 0 or index % 10 == 9:
            lines.append({"ean": actors["nutrient_ean"], "amount": 2})
        payload = {
            "lines": lines,
            "external_order_id": ext_id(index + 1),
            "note": f"Bench order {index + 1}, please ship fast"
            if index % 7 == 0
            else None,
            "delivery_address": dict(ADDRESSES[index % len(ADDRESSES)], street2=None),
        }
        with reg.cursor() as cr:
            env(cr, actors["uid"])["partner.order.api.service"]._create_order(payload)


def _seed_reservations(reg, partner_id):
    """The reservation cron reserves the deliveries, committing each
    picking; the number of deliveries it was never asked to reserve."""
    with reg.cursor() as cr:
        Picking = env(cr)["stock.picking"]
        while Picking.search_count([("order_api_reservation_pending", "=", True)]):
            Picking._cron_order_api_reserve(limit=1000)
            cr.commit()
        # A delivery whose non-storable line is reserved at confirmation is
        # already 'assigned' when _order_api_defer_reservation looks at it, so
        # it is never flagged and its storable lines stay unreserved: the
        # warehouse checks availability itself (action_assign).
        left = Picking.search(
            [
                ("sale_id.order_api_partner_id", "=", partner_id),
                ("move_ids.state", "in", ("confirmed", "partially_available")),
            ]
        )
        unflagged = len(left)
        for picking in left:
            picking.action_assign()
            cr.commit()
    return unflagged


def _seed_validations(reg, actors):
    """The warehouse (admin) validates: 80 % fully, 10 % partly, 10 % not
    yet; half of the done deliveries get a carrier and a tracking
    reference. The ids of the seed's orders."""
    with reg.cursor() as cr:
        e = env(cr)
        order_ids = (
            e["sale.order"]
            .search([("order_api_partner_id", "=", actors["partner_id"])], order="id")
            .ids
        )
        carrier_ids = e["delivery.carrier"].search([], order="id").ids
    admin = 2
    for index, order_id in enumerate(order_ids):
        kind = index % 10
        if kind == 9:
            continue
        with reg.cursor() as cr:
            order = env(cr, admin)["sale.order"].browse(order_id)
            picking = order.picking_ids.filtered(lambda p: p.state == "assigned")
            assert len(picking) == 1, (order.name, order.picking_ids.mapped("state"))
            _pick(picking, order, kind, actors["kit_id"])
            result = picking.with_context(
                skip_backorder=True, skip_sms=True
            ).button_validate()
            assert result is True or isinstance(result, dict), result
            assert picking.state == "done", (order.name, picking.state)
            if index % 2 == 0 and carrier_ids:
                picking.write(
                    {
                        "carrier_id": carrier_ids[index % len(carrier_ids)],
                        "carrier_tracking_ref": f"TRK{index + 1:08d}",
                    }
                )
    return order_ids


def _pick(picking, order, kind, kit_id):
    """Every move of ``picking`` picked as reserved; for a partial delivery
    (``kind`` 8), the kits alone, the rest going to the backorder."""
    for move in picking.move_ids:
        if kind == 8 and move.product_id.id != kit_id:
            move.quantity = 0  # not picked: goes to the backorder
            move.picked = False
        else:
            assert move.quantity == move.product_uom_qty, (
                order.name,
                move.product_id.name,
            )
            move.picked = True


def _seed_statuses(reg, order_ids):
    """``{order_api_status: count}`` of the seed's orders."""
    with reg.cursor() as cr:
        e = env(cr)
        statuses = {}
        for order in e["sale.order"].browse(order_ids):
            statuses[order.order_api_status] = (
                statuses.get(order.order_api_status, 0) + 1
            )
    return statuses


def facts(db):
    with registry(db).cursor() as cr:
        params = env(cr)["ir.config_parameter"]
        keys = (
            "partner_id",
            "user_id",
            "key",
            "writer_id",
            "writer_user_id",
            "writer_key",
            "empty_key",
            "seed_orders",
        )
        result = {name: params.get_param(f"bench.{name}") for name in keys}
    for name in ("partner_id", "user_id", "writer_id", "writer_user_id", "seed_orders"):
        result[name] = int(result[name])
    return result
