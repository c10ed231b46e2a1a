# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The data of the differential test of the order object
(test_order_object_differential.py): two API partners, one reading in
English, one in French, with orders that make every field of the object
non-trivial: deliveries (done, open, partly reserved), lots (one with a kit
barcode), a carrier with a tracking link, invoices (posted, draft), a
variant product, a delivery address in a country of its own, amounts in a
currency of their own.

Everything the changes of the test touch is made here, for this test
(carrier, products, attributes, country, currency, unit of measure, lots,
contacts), so that the changes leave the other tests' data alone; the
company's name, the one shared record a change renames, is given back at
the end (``restore``). Committed through the in-process registry, as
tests_live/conftest.py does.
"""

import time

# the variant's attributes: "Legs" has one value (so the variant's name
# does not show it) until a change adds a second one
LEGS = ("Custom", "Steel")
COLORS = ("White", "Black")


def commit(world, func):
    """Run ``func(env)`` in a new transaction, commit it and signal the
    caches it invalidated to the other processes, as Odoo's request and
    cron runners do; ``func``'s result. The registry is brought up to date
    first."""
    registry = world.registry.check_signaling()
    with registry.manage_changes(), registry.cursor() as cr:
        # the transaction flushes the environments it still holds (a weak
        # set) when it commits: keep this one, and flush it
        env = world.env(cr)
        result = func(env)
        env.flush_all()
        cr.commit()
    return result


def _free_code(env, model, field, candidates):
    for code in candidates:
        if (
            not env[model]
            .with_context(active_test=False)
            .search_count([(field, "=", code)])
        ):
            return code
    raise AssertionError(f"no free {model}.{field} among {candidates}")


def free_country_code(env):
    return _free_code(
        env,
        "res.country",
        "code",
        [f"{a}{b}" for a in "QX" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"],
    )


def _xmlid(env, record, name):
    """An ``__export__`` external id, as Odoo gives exported records: what a
    translation file names a record by."""
    env["ir.model.data"].create(
        {
            "module": "__export__",
            "name": name,
            "model": record._name,
            "res_id": record.id,
        }
    )
    return f"__export__.{name}"


class OrderObjectWorld:
    """Ids of everything the differential test reads and changes."""

    def __init__(self, world):
        self.world = world
        self.stamp = time.time_ns() // 1000
        commit(world, self._shared)
        commit(world, self._products)
        self.partners = {}
        for lang in ("en_US", "fr_FR"):
            self.partners[lang] = self._partner(lang)
        commit(world, self._orders)

    # -- shared records ---------------------------------------------------

    def _shared(self, env):
        stamp = self.stamp
        env["res.lang"]._activate_lang("fr_FR")
        company = env.company
        self.company_id = company.id
        self.company_name = company.name
        # the orders' currencies: one for the invoiced orders, one for orders
        # never invoiced (Odoo refuses a coarser rounding once a currency
        # has journal entries)
        self.currency_id, self.pricelist_id = self._currency(env, "Diff Pricelist")
        self.quote_currency_id, self.quote_pricelist_id = self._currency(
            env, "Diff Quote Pricelist"
        )
        self.country_id = (
            env["res.country"]
            .create({"name": f"Diffland {stamp}", "code": free_country_code(env)})
            .id
        )
        self.uom_id = (
            env["uom.uom"]
            .create(
                {
                    "name": f"Diff Roll {stamp}",
                    "category_id": env.ref("uom.product_uom_categ_unit").id,
                    "uom_type": "bigger",
                    "factor_inv": 2.0,
                    "rounding": 0.01,
                }
            )
            .id
        )
        shipping = env["product.product"].create(
            {"name": f"Diff Shipping {stamp}", "type": "service", "list_price": 0}
        )
        carrier = env["delivery.carrier"].create(
            {
                "name": f"Diff Carrier {stamp}",
                "delivery_type": "fixed",
                "fixed_price": 0,
                "product_id": shipping.id,
                "tracking_url": "https://track.example/diff/<shipmenttrackingnumber>",
            }
        )
        self.carrier_id = carrier.id
        self.carrier_xmlid = _xmlid(env, carrier, f"diff_carrier_{stamp}")

    def _currency(self, env, name):
        """A currency of its own (rate 1, rounding 0.01) and a pricelist in
        it: their ids."""
        code = _free_code(
            env,
            "res.currency",
            "name",
            [f"Q{a}{b}" for a in "DEFGH" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"],
        )
        currency = env["res.currency"].create(
            {"name": code, "symbol": code, "rounding": 0.01, "active": True}
        )
        env["res.currency.rate"].create(
            {"currency_id": currency.id, "rate": 1.0, "company_id": env.company.id}
        )
        pricelist = env["product.pricelist"].create(
            {
                "name": f"{name} {self.stamp}",
                "currency_id": currency.id,
                "company_id": env.company.id,
            }
        )
        return currency.id, pricelist.id

    # -- products -----------------------------------------------------------

    def _product(self, env, key, price, **vals):
        """A product ``key`` sold by the unit (or ``uom``), with a barcode
        and an internal reference."""
        stamp = self.stamp
        number = len(self.products) + 1
        product = env["product.product"].create(
            {
                "name": f"Diff {key.title()} {stamp}",
                "barcode": f"97{stamp % 10**9:09d}{number:02d}",
                "default_code": f"DIFF-{key.upper()}-{stamp}",
                "list_price": price,
                "type": "consu",
                "is_storable": True,
                "invoice_policy": "order",
                **vals,
            }
        )
        self.products[key] = product.id
        return product

    def _stock(self, env, product, quantity, lot=None):
        location = (
            env["stock.warehouse"]
            .search([("company_id", "=", env.company.id)], limit=1)
            .lot_stock_id
        )
        env["stock.quant"]._update_available_quantity(
            product, location, quantity, lot_id=lot
        )

    def _products(self, env):
        self.products = {}
        stamp = self.stamp
        widget = self._product(env, "widget", 12.5)
        self.widget_xmlid = _xmlid(
            env, widget.product_tmpl_id, f"diff_widget_tmpl_{stamp}"
        )
        self._stock(env, widget, 1000)
        kit = self._product(env, "kit", 30.25, tracking="lot")
        lots = env["stock.lot"].create(
            [
                {
                    "name": f"DIFF-LOT-1-{stamp}",
                    "product_id": kit.id,
                    "kit_barcode": f"KIT-1-{stamp}",
                },
                {"name": f"DIFF-LOT-2-{stamp}", "product_id": kit.id},
            ]
        )
        self.lot_ids = lots.ids
        # the first lot holds one kit at a time (E1 and F1 get another one):
        # a delivery of two ships both lots
        self._stock(env, kit, 1, lots[0])
        self._stock(env, kit, 100, lots[1])
        for key, price, quantity in (("scarce", 7.75, 4), ("old", 3.3, 100)):
            self._stock(env, self._product(env, key, price), quantity)
        gauze = self._product(
            env, "gauze", 4.4, uom_id=self.uom_id, uom_po_id=self.uom_id
        )
        self._stock(env, gauze, 100)
        self._product(env, "bolt", 0.35, is_storable=False)
        self._desk(env)

    def _desk(self, env):
        """A template with two attributes: "Legs" with one value, "Color"
        with two; its (Custom, White) variant is named "... (White)"."""
        stamp = self.stamp
        attributes = {}
        for name, values in (("Legs", LEGS), ("Color", COLORS)):
            attribute = env["product.attribute"].create(
                {
                    "name": f"Diff {name} {stamp}",
                    "create_variant": "always",
                    "value_ids": [(0, 0, {"name": value}) for value in values],
                }
            )
            attributes[name] = attribute
        self.steel_value_id = attributes["Legs"].value_ids[1].id
        self.legs_attribute_id = attributes["Legs"].id
        template = env["product.template"].create(
            {
                "name": f"Diff Desk {stamp}",
                "type": "consu",
                "list_price": 99.9,
                "invoice_policy": "order",
                "attribute_line_ids": [
                    (
                        0,
                        0,
                        {
                            "attribute_id": attributes["Legs"].id,
                            "value_ids": [(6, 0, attributes["Legs"].value_ids[:1].ids)],
                            "sequence": 1,
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "attribute_id": attributes["Color"].id,
                            "value_ids": [(6, 0, attributes["Color"].value_ids.ids)],
                            "sequence": 2,
                        },
                    ),
                ],
            }
        )
        self.desk_template_id = template.id
        white = template.product_variant_ids.filtered(
            lambda variant: (
                "White" in variant.product_template_attribute_value_ids.mapped("name")
            )
        )
        white.write(
            {
                "barcode": f"96{stamp % 10**9:09d}01",
                "default_code": f"DIFF-DESK-{stamp}",
            }
        )
        self.products["desk"] = white.id

    # -- partners -------------------------------------------------------------

    def _partner(self, lang):
        """An API partner reading in ``lang``: its company, buyer (the
        portal user's contact), shipping address and a duplicate of it
        (same name and address), and the buyer's key."""
        tag = lang[:2].upper()
        allowed = [
            self.products[k]
            for k in ("widget", "kit", "scarce", "old", "gauze", "desk")
        ]
        company_id, user_id, _login, key = self.world.new_partner(
            f"Diff {tag}", buyer=f"Diff Buyer {tag}", product_ids=allowed
        )

        def setup(env):
            company = env["res.partner"].browse(company_id)
            user = env["res.users"].browse(user_id)
            user.partner_id.lang = lang
            user.lang = lang
            pricelist = env["product.pricelist"].browse(self.pricelist_id)
            (company | user.partner_id).property_product_pricelist = pricelist
            address = {
                "parent_id": company.id,
                "type": "delivery",
                "name": f"Diff Dock {tag}",
                "street": f"{tag} Quay 1",
                "street2": "Gate 4",
                "zip": "12345",
                "city": f"Diff City {tag}",
                "country_id": self.country_id,
                "email": f"dock-{tag.lower()}-{self.stamp}@diff.example",
            }
            ship, dup = env["res.partner"].create([address, address])
            return {
                "company_id": company_id,
                "buyer_id": user.partner_id.id,
                "ship_id": ship.id,
                "dup_id": dup.id,
                "key": key,
                "orders": {},
                "names": {},
            }

        return commit(self.world, setup)

    # -- orders -----------------------------------------------------------------

    def _order(self, env, partner, tag, lines, state="sale", pricelist=None):
        """An order of ``partner`` of ``lines`` ((product key, quantity,
        discount)) in ``pricelist`` (by default the invoiced orders' one),
        confirmed (or marked sent); its deliveries get the carrier."""
        order = env["sale.order"].create(
            {
                "partner_id": partner["buyer_id"],
                "partner_shipping_id": partner["ship_id"],
                "pricelist_id": pricelist or self.pricelist_id,
                "carrier_id": self.carrier_id,
                "client_order_ref": tag,
                "order_api_external_id": f"EXT-{tag}-{self.stamp}",
                "order_api_note": f"Order {tag}: ring the bell",
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.products[key],
                            "product_uom_qty": quantity,
                            "discount": discount,
                        },
                    )
                    for key, quantity, discount in lines
                ],
            }
        )
        if state == "sent":
            order.action_quotation_sent()
        else:
            order.action_confirm()
            order.picking_ids.filtered(
                lambda p: not p.carrier_id
            ).carrier_id = self.carrier_id
        partner["orders"][tag] = order.id
        partner["names"][tag] = order.name
        return order

    def _orders(self, env):
        en, fr = self.partners["en_US"], self.partners["fr_FR"]
        # E1: shipped (both lots), tracked, invoiced; paid, unpaid, returned
        e1 = self._order(env, en, "E1", [("widget", 3, 33.33), ("kit", 2, 0)])
        kit = env["product.product"].browse(self.products["kit"])
        self._stock(env, kit, 1, env["stock.lot"].browse(self.lot_ids[0]))
        # E2: to ship in two parts; invoiced, then reversed
        e2 = self._order(env, en, "E2", [("widget", 5, 0), ("desk", 1, 0)])
        # E3: to ship, invoice in draft: posted, reset
        e3 = self._order(env, en, "E3", [("widget", 1, 0), ("gauze", 2, 0)])
        # E4: 10 of 4 in stock, partly reserved
        self._order(env, en, "E4", [("scarce", 10, 0), ("old", 1, 0)])
        # E5: to ship and cancel, its invoice a draft to cancel
        e5 = self._order(env, en, "E5", [("widget", 2, 0)])
        self._order(env, en, "E6", [("bolt", 4, 0)], state="sent")
        f1 = self._order(env, fr, "F1", [("widget", 2, 0), ("kit", 2, 0)])
        # F2, F3: in the currency never invoiced
        quote = self.quote_pricelist_id
        self._order(
            env, fr, "F2", [("desk", 1, 0), ("gauze", 1, 12.5)], pricelist=quote
        )
        self._order(env, fr, "F3", [("bolt", 2, 0)], state="sent", pricelist=quote)
        for order, ref in ((e1, f"TR-E1-{self.stamp}"), (f1, f"TR-F1-{self.stamp}")):
            picking = order.picking_ids
            validate(picking)
            picking.carrier_tracking_ref = ref
        for order in (e1, e2, f1):
            order._create_invoices().action_post()
        for order in (e3, e5):
            order._create_invoices()

    # -- the end ------------------------------------------------------------------

    def restore(self):
        """Give back what the test changed of the database's shared records."""

        def rename(env):
            env["res.company"].browse(self.company_id).name = self.company_name

        commit(self.world, rename)

    def order_ref(self, env, tag):
        """The order ``tag`` (E1..., F1...)."""
        for partner in self.partners.values():
            if tag in partner["orders"]:
                return env["sale.order"].browse(partner["orders"][tag])
        raise KeyError(tag)


def validate(picking, quantities=None):
    """Validate ``picking`` as the warehouse does: every move done in full,
    or in ``quantities`` ({product id: quantity}); a backorder is made for
    the rest (the wizard's "Create Backorder")."""
    for move in picking.move_ids:
        quantity = (quantities or {}).get(move.product_id.id, move.product_uom_qty)
        if move.quantity != quantity:
            move.quantity = quantity
        move.picked = True
    action = picking.button_validate()
    if isinstance(action, dict) and action.get("res_model") == (
        "stock.backorder.confirmation"
    ):
        wizard = (
            picking.env["stock.backorder.confirmation"]
            .with_context(**action["context"])
            .create({})
        )
        wizard.process()
    assert picking.state == "done", picking.state


# the documents a kind of change acts on (test_order_object_differential.py)
def open_picking(order):
    return order.picking_ids.filtered(
        lambda p: (
            p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )
    )


def done_picking(order):
    return order.picking_ids.filtered(
        lambda p: p.picking_type_code == "outgoing" and p.state == "done"
    )[:1]


def invoice_of(order, state):
    return order.invoice_ids.filtered(
        lambda move: move.state == state and move.move_type == "out_invoice"
    )
