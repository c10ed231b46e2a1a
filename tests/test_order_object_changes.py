# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``updated_at`` moves exactly when the order object changes, and the
order objects' cache (``partner.order.api.order.reader._json``) never
answers an object older than what the reader sees
(``sale_order_freshness.py``).

Each change is made the way Odoo makes it (a delivery validated, an invoice
posted and paid, a carrier renamed or translated, stock reserved...). For a
change the client can see, the order's cached object is first replaced by a
stale one that GET orders must then answer (the cache is in use); after the
change GET orders must answer the real object, with a new ``updated_at``.
For every change, the answer equals the one made with an empty cache, and
``updated_at`` moved if and only if the object (less ``updated_at``)
differs."""

import base64
import json
from unittest.mock import patch

import psycopg2.errors

from odoo import fields
from odoo.tests import tagged

from ..models import sale_order_freshness
from ..models.order_reader import _object_cache
from .common import PartnerOrderApiCase, other_transactions

STALE_NOTE = "stale object from the cache"


def _shown(order_object):
    """The object as a client compares it: every field but ``updated_at``."""
    return {key: value for key, value in order_object.items() if key != "updated_at"}


@tagged("post_install", "-at_install")
class TestOrderObjectChanges(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "Change Express",
                "delivery_type": "fixed",
                "product_id": cls.env["product.product"]
                .create({"name": "Change Shipping", "type": "service"})
                .id,
            }
        )

    def setUp(self):
        super().setUp()
        # objects a previous test cached for ids its rollback freed
        _object_cache(self.registry).clear()
        self.request_headers = {}

    # ------------------------------------------------------------------

    def _objects(self, **params):
        response = self.api(
            "GET",
            "orders",
            key=self.key_a,
            params={"page_size": 100, **params},
            headers=self.request_headers,
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def _object(self, order):
        found = [
            o for o in self._objects()["orders"] if o["biomes_order_id"] == order.name
        ]
        self.assertEqual(len(found), 1)
        return found[0]

    def _make_stale(self, order):
        """Replace the cached object of ``order`` by a stale copy, and check
        that GET orders answers it."""
        self._object(order)  # cached now
        cache = _object_cache(self.registry)
        keys = [key for key in list(cache) if key[0] == order.id]
        self.assertTrue(keys, "the order's object is in the cache")
        for key in keys:  # (with older ones, of its earlier versions)
            stale = json.loads(cache[key])
            stale["note"] = STALE_NOTE
            cache[key] = json.dumps(stale).encode()
        self.assertEqual(self._object(order)["note"], STALE_NOTE)

    def _assert_follows(self, order, change, visible=True):
        """Run ``change()``, which the client sees (``visible``) or not;
        return the object of ``order`` before and after. The answer after
        is the one an empty cache makes; ``updated_at`` moved iff the
        object differs, and a sync from the old one then returns the
        order."""
        before = self._object(order)
        if visible:
            self._make_stale(order)
        change()
        after = self._object(order)
        self.assertNotEqual(after["note"], STALE_NOTE, "a stale object was answered")
        _object_cache(self.registry).clear()
        self.assertEqual(self._object(order), after, "cached and fresh differ")
        self.assertEqual(_shown(after) != _shown(before), visible, "seen or not")
        if visible:
            self.assertGreater(after["updated_at"], before["updated_at"])
            synced = self._objects(
                sort="updated_asc", updated_since=before["updated_at"]
            )
            self.assertIn(order.name, [o["biomes_order_id"] for o in synced["orders"]])
        else:
            self.assertEqual(after["updated_at"], before["updated_at"])
        return before, after

    def _order(self, lines=None):
        return self.create_order_orm(
            self.partner_a, self.user_a, lines or [(self.product_a, 2)]
        )

    # ------------------------------------------------------------------
    # the order's own records: updated_at moves
    # ------------------------------------------------------------------

    def test_a_validated_delivery(self):
        order = self._order()
        __, after = self._assert_follows(order, lambda: self.deliver(order))
        self.assertEqual(after["status"], "shipped")
        self.assertEqual(after["deliveries"][0]["state"], "done")
        self.assertEqual(after["lines"][0]["delivered_quantity"], 2)

    def test_an_open_delivery_rescheduled_and_tracked(self):
        order = self._order()
        picking = self._outgoing(order)
        new_date = fields.Datetime.to_datetime("2030-01-02 08:30:00")
        __, after = self._assert_follows(
            order, lambda: picking.write({"scheduled_date": new_date})
        )
        self.assertEqual(
            after["deliveries"][0]["scheduled_date"], new_date.isoformat() + "Z"
        )
        __, after = self._assert_follows(
            order,
            lambda: picking.write(
                {"carrier_id": self.carrier.id, "carrier_tracking_ref": "OPEN-1"}
            ),
        )
        self.assertEqual(after["deliveries"][0]["tracking_ref"], "OPEN-1")
        self.assertEqual(after["deliveries"][0]["carrier"], "Change Express")

    def test_an_invoice_posted_then_paid(self):
        order = self._order()
        self.deliver(order)
        invoice = order._create_invoices()
        __, after = self._assert_follows(order, invoice.action_post)
        self.assertEqual(len(after["invoices"]), 1)
        self.assertEqual(after["invoices"][0]["payment_state"], "not_paid")

        def pay():
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({})._create_payments()

        __, after = self._assert_follows(order, pay)
        self.assertIn(after["invoices"][0]["payment_state"], ("paid", "in_payment"))
        self.assertEqual(after["invoices"][0]["amount_residual"], 0)

    def test_the_delivery_address_edited(self):
        order = self._order()
        address = self.env["res.partner"].create(
            {
                "name": "Dock 1",
                "parent_id": self.partner_a.id,
                "type": "delivery",
                "street": "Old Street 1",
            }
        )
        order.partner_shipping_id = address
        __, after = self._assert_follows(
            order, lambda: address.write({"street": "New Street 2"})
        )
        self.assertEqual(after["delivery_address"]["street"], "New Street 2")

    def test_a_line_quantity_and_a_kit_barcode(self):
        order = self._order([(self.kit, 1), (self.product_a, 1)])
        __, after = self._assert_follows(
            order,
            lambda: order.order_line.filtered(
                lambda line: line.product_id == self.product_a
            ).write({"product_uom_qty": 3}),
        )
        self.assertEqual(
            [line["quantity"] for line in after["lines"]], [1, 3], after["lines"]
        )
        self.deliver(order, lots={self.lot_kit_2: 1})
        self.assertEqual(self._object(order)["sent_lots"], ["KL-2"])
        __, after = self._assert_follows(
            order, lambda: self.lot_kit_2.write({"kit_barcode": "KB-0002"})
        )
        self.assertEqual(after["sent_lots"], ["KB-0002"])

    def test_a_lot_shipped_on_a_move_added_by_hand(self):
        """Issue 24: a lot shipped on a delivery move without a sale line
        shows in the order's ``sent_lots`` (read through the delivery's
        order); renaming it or its kit barcode moves the order too (the
        orders to move are found the way the object reads the lots)."""
        order = self._order([(self.product_a, 1)])
        picking = self._outgoing(order)
        move = self.env["stock.move"].create(
            {
                "name": "added by hand",
                "picking_id": picking.id,
                "product_id": self.kit.id,
                "product_uom_qty": 1,
                "product_uom": self.kit.uom_id.id,
                "location_id": picking.location_id.id,
                "location_dest_id": picking.location_dest_id.id,
            }
        )
        move._action_confirm()
        self.deliver(order, lots={self.lot_kit_3: 1})
        # sale_stock gives such a move a sale line when the delivery is
        # done; one that has none (an import, another module's kit) is
        # still the order's delivery, and its lots are the order's
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE stock_move SET sale_line_id = NULL WHERE id = %s", [move.id]
        )
        move.invalidate_recordset(["sale_line_id"])
        self.assertEqual(self._object(order)["sent_lots"], ["KB-0003"])
        __, after = self._assert_follows(
            order, lambda: self.lot_kit_3.write({"kit_barcode": "KB-0033"})
        )
        self.assertEqual(after["sent_lots"], ["KB-0033"])
        __, after = self._assert_follows(
            order,
            lambda: self.lot_kit_3.write({"kit_barcode": False, "name": "KL-33"}),
        )
        self.assertEqual(after["sent_lots"], ["KL-33"])

    def test_a_cancellation(self):
        order = self._order()
        __, after = self._assert_follows(order, order._action_cancel)
        self.assertEqual(after["status"], "cancelled")

    def test_what_the_object_does_not_show_moves_nothing(self):
        order = self._order()
        before = self._object(order)
        order.write({"client_order_ref": "internal reference"})
        self.assertEqual(self._object(order)["updated_at"], before["updated_at"])

    # ------------------------------------------------------------------
    # shared data: stored as ordered and shipped, or triggering its orders
    # ------------------------------------------------------------------

    def test_a_product_renamed_translated_and_rebarcoded(self):
        """Lines show products as ordered, deliveries the EANs their moves
        stored: nothing the client sees changes, ``updated_at`` stays."""
        order = self._order()
        template = self.product_a.product_tmpl_id
        __, after = self._assert_follows(
            order, lambda: template.write({"name": "Sensor Mk II"}), False
        )
        self.assertEqual(after["lines"][0]["product_name"], "API Sensor")
        __, after = self._assert_follows(
            order,
            lambda: template.update_field_translations(
                "name", {"en_US": "Sensor Mk III"}
            ),
            False,
        )
        __, after = self._assert_follows(
            order, lambda: self.product_a.write({"barcode": "4006381333900"}), False
        )
        self.assertEqual(after["deliveries"][0]["lines"][0]["ean"], "4006381333931")
        self.assertEqual(after["lines"][0]["ean"], "4006381333931")

    def _carried_order(self):
        order = self._order()
        self._outgoing(order).write(
            {"carrier_id": self.carrier.id, "carrier_tracking_ref": "C-1"}
        )
        return order

    def test_a_carrier_renamed(self):
        order = self._carried_order()
        __, after = self._assert_follows(
            order, lambda: self.carrier.write({"name": "Renamed Express"})
        )
        self.assertEqual(after["deliveries"][0]["carrier"], "Renamed Express")
        __, after = self._assert_follows(
            order,
            lambda: self.carrier.write(
                {"tracking_url": "https://track.example/<shipmenttrackingnumber>"}
            ),
        )
        self.assertEqual(
            after["deliveries"][0]["tracking_url"], "https://track.example/C-1"
        )

    def _speak_french(self):
        """Carriers are named in the request's language."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.request_headers = {"Accept-Language": "fr-FR"}

    def test_a_carrier_translated(self):
        """A translation in any language moves ``updated_at`` (the digest
        compares every language); a French reader sees it."""
        self._speak_french()
        order = self._carried_order()
        __, after = self._assert_follows(
            order,
            lambda: self.carrier.update_field_translations(
                "name", {"fr_FR": "Express Modifié"}
            ),
        )
        self.assertEqual(after["deliveries"][0]["carrier"], "Express Modifié")

    def test_a_carrier_name_imported_from_a_po_file(self):
        """Issue 24: Settings › Translations › Import writes by raw SQL;
        French clients read the carrier's new name at once."""
        self._speak_french()
        order = self._carried_order()
        self.env["ir.model.data"].create(
            {
                "module": "partner_order_api",
                "name": "test_change_express",
                "model": "delivery.carrier",
                "res_id": self.carrier.id,
            }
        )
        po = (
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            "#. module: partner_order_api\n"
            "#: model:delivery.carrier,name:partner_order_api.test_change_express\n"
            'msgid "Change Express"\nmsgstr "Express Importé"\n'
        )
        wizard = self.env["base.language.import"].create(
            {
                "name": "French",
                "code": "fr_FR",
                "filename": "fr.po",
                "data": base64.b64encode(po.encode()),
                "overwrite": True,
            }
        )
        __, after = self._assert_follows(order, wizard.import_lang)
        self.assertEqual(after["deliveries"][0]["carrier"], "Express Importé")

    def test_a_country_code_and_a_currency_rounding(self):
        order = self._order([(self.product_b, 1)])
        order.order_line.price_unit = 10.25
        country = self.env["res.country"].create({"name": "Testland", "code": "ZY"})
        order.partner_shipping_id = self.env["res.partner"].create(
            {
                "name": "Testland Dock",
                "parent_id": self.partner_a.id,
                "type": "delivery",
                "country_id": country.id,
            }
        )
        __, after = self._assert_follows(order, lambda: country.write({"code": "ZX"}))
        self.assertEqual(after["delivery_address"]["country_code"], "ZX")
        self.assertEqual(after["lines"][0]["unit_price"], 10.25)
        # amounts are rounded to the currency's rounding when shown (Odoo
        # refuses fewer decimals once a currency has journal entries)
        currency = self.env["res.currency"].create(
            {"name": "ZYC", "symbol": "Z", "rounding": 0.01}
        )
        self.env.cr.execute(
            "UPDATE sale_order SET currency_id = %s WHERE id = %s",
            [currency.id, order.id],
        )
        order.invalidate_recordset(["currency_id"])
        order.modified(["currency_id"])
        __, after = self._assert_follows(
            order, lambda: currency.write({"rounding": 1.0})
        )
        self.assertEqual(after["lines"][0]["unit_price"], 10.0)

    def test_the_quantities_precision(self):
        """Open quantities are shown rounded to it: an order of 1.5 units
        changes, one of 2 does not."""
        fractional = self._order([(self.product_b, 1.5)])
        whole = self._order([(self.product_b, 2)])
        precision = self.env.ref("product.decimal_product_uom")
        __, after = self._assert_follows(
            fractional, lambda: precision.write({"digits": 0})
        )
        self.assertEqual(after["lines"][0]["open_quantity"], 2)
        self._assert_follows(whole, lambda: precision.write({"digits": 1}), False)

    # ------------------------------------------------------------------
    # noise: what Odoo changes and the client cannot see
    # ------------------------------------------------------------------

    def test_stock_reserved_again(self):
        """Issue 24: the scheduler reserving an open delivery moved
        ``updated_at`` with nothing visible."""
        order = self._order()
        self._assert_follows(order, lambda: self._reserve_again(order), False)

    def test_a_draft_invoice_cancelled(self):
        order = self._order()
        self.deliver(order)
        invoice = order._create_invoices()
        self._assert_follows(order, invoice.button_cancel, False)

    def test_the_shipping_contact_merged_into_its_duplicate(self):
        order = self._order()
        values = {
            "parent_id": self.partner_a.id,
            "type": "delivery",
            "street": "Dock Street 1",
            "city": "Gent",
        }
        address = self.env["res.partner"].create(dict(values, name="Dock"))
        duplicate = self.env["res.partner"].create(dict(values, name="Dock"))
        order.partner_shipping_id = address
        wizard = self.env["base.partner.merge.automatic.wizard"].create({})
        self._assert_follows(
            order, lambda: wizard._merge((address | duplicate).ids, duplicate), False
        )
        self.assertEqual(order.partner_shipping_id, duplicate)

    # ------------------------------------------------------------------

    def test_cached_and_fresh_answers_are_the_same(self):
        for index in range(3):
            order = self._order([(self.kit, 1), (self.product_b, index + 1)])
            self.deliver(order, lots={self.lot_kit_1: 1})
        _object_cache(self.registry).clear()
        fresh = self._objects()
        self.assertTrue(len(_object_cache(self.registry)) >= 3)
        self.assertEqual(self._objects(), fresh)

    def test_settled_before_an_answer_made_in_the_transaction(self):
        """An object made in the changing transaction (a webhook, a create
        response) shows the ``updated_at`` it commits with."""
        order = self._order()
        before = self._object(order)
        order.order_api_note = "changed in this transaction"
        made = self.env["partner.order.api.order.reader"]._serialize(order)[0]
        self.assertGreater(made["updated_at"], before["updated_at"])
        self.assertEqual(self._object(order), made)

    # ------------------------------------------------------------------
    # the back office keeps working
    # ------------------------------------------------------------------

    def _reserve_again(self, order):
        picking = self._outgoing(order)
        picking.do_unreserve()
        picking.action_assign()

    def test_many_candidates_are_marked_changed_without_comparing(self):
        """Past ``COMPARE_LIMIT`` candidates in one transaction, orders are
        marked changed in one statement, not made anew one by one."""
        orders = [self._order(), self._order()]
        before = [self._object(order)["updated_at"] for order in orders]
        with patch.object(sale_order_freshness, "COMPARE_LIMIT", 1):
            for order in orders:  # nothing visible
                self._reserve_again(order)
            self.env.cr.flush()
        after = [self._object(order)["updated_at"] for order in orders]
        self.assertTrue(all(a > b for a, b in zip(after, before, strict=True)))

    def test_an_object_that_cannot_be_made_never_blocks_the_change(self):
        order = self._order()
        before = self._object(order)

        def broken(records):
            raise ValueError("a bug in the serializer")

        SaleOrder = type(self.env["sale.order"])
        logger = "odoo.addons.partner_order_api.models.sale_order_freshness"
        with (
            patch.object(SaleOrder, "_order_api_digests", broken),
            self.assertLogs(logger, "ERROR"),
        ):
            order.order_api_note = "written all the same"
            self.env.cr.flush()  # as the commit would
        after = self._object(order)
        self.assertEqual(after["note"], "written all the same")
        self.assertGreater(after["updated_at"], before["updated_at"])

    def test_two_transactions_changing_one_order_meet_on_its_row(self):
        """The reservation cron and a cancellation of one order: the second
        to mark it changed waits for the first's lock on the order's row,
        before either writes its moves, and is refused with a concurrency
        error Odoo retries, logged as no error."""
        order_id = self.env.ref("sale.sale_order_1").id  # committed (demo)
        with other_transactions(self.env.cr.dbname) as (first, second):
            first["sale.order"].browse(order_id)._order_api_mark_changed()
            second.cr.execute("SET lock_timeout = '300ms'")
            with (
                self.assertRaises(psycopg2.errors.LockNotAvailable),
                self.assertNoLogs("odoo.sql_db", "ERROR"),
            ):
                second["sale.order"].browse(order_id)._order_api_mark_changed()
