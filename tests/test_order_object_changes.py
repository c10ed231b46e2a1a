# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``updated_at`` follows every change of the order object, and the order
objects' cache (``sale.order._order_api_json``) never answers an object
older than what the reader sees.

Each change is made the way Odoo makes it (a delivery validated, an invoice
posted and paid, a carrier renamed...). Before it, the order's cached object
is replaced by a stale one that GET orders must then answer: the cache is in
use. After it, GET orders must answer the real object: the change made the
cache's key new (the order's ``updated_at``, or the catalog's version for
data many orders share)."""

import json
import uuid

from odoo import fields
from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.partner_order_api_catalog import CATALOG_VERSION
from ..models.partner_order_api_catalog import TABLE as CATALOG_TABLE
from ..models.partner_order_api_catalog import create_table as create_catalog_table
from ..models.partner_order_api_catalog import prune as prune_catalog
from ..models.sale_order import _object_cache
from .common import PartnerOrderApiCase

STALE_NOTE = "stale object from the cache"


def _commit(cr):
    """Commit a connection of the test's own, never the test's transaction."""
    cr.commit()  # pylint: disable=invalid-commit


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

    # ------------------------------------------------------------------

    def _objects(self, **params):
        self.env.flush_all()
        response = self.api(
            "GET", "orders", key=self.key_a, params={"page_size": 100, **params}
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

    def _assert_follows(self, order, change, moves_updated_at=True):
        """Run ``change()``; return the object of ``order`` before and after.
        The answer after is the real object; with ``moves_updated_at``, the
        order's ``updated_at`` moved and a sync from the old one returns the
        order."""
        before = self._object(order)
        self._make_stale(order)
        change()
        after = self._object(order)
        self.assertNotEqual(after["note"], STALE_NOTE, "a stale object was answered")
        if moves_updated_at:
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
    # data many orders share: the catalog's version is new
    # ------------------------------------------------------------------

    def test_a_product_renamed_and_translated(self):
        """A new catalog version (the delivery slips name products as they
        are now); the order's lines keep the name it was ordered with
        (tests/test_lines_as_ordered.py)."""
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
        self.assertEqual(after["lines"][0]["product_name"], "API Sensor")

    def test_a_new_barcode_in_the_deliveries(self):
        """Delivered lines show the product's barcode now: a new barcode is
        a change of the catalog; the order's lines keep the one ordered."""
        order = self._order()
        __, after = self._assert_follows(
            order, lambda: self.product_a.write({"barcode": "4006381333900"}), False
        )
        self.assertEqual(after["deliveries"][0]["lines"][0]["ean"], "4006381333900")
        self.assertEqual(after["lines"][0]["ean"], "4006381333931")

    def test_a_carrier_renamed(self):
        order = self._order()
        self._outgoing(order).write(
            {"carrier_id": self.carrier.id, "carrier_tracking_ref": "C-1"}
        )
        __, after = self._assert_follows(
            order, lambda: self.carrier.write({"name": "Renamed Express"}), False
        )
        self.assertEqual(after["deliveries"][0]["carrier"], "Renamed Express")

    def test_a_country_code_and_a_currency_rounding(self):
        order = self._order()
        country = self.env["res.country"].create({"name": "Testland", "code": "ZY"})
        order.partner_shipping_id = self.env["res.partner"].create(
            {
                "name": "Testland Dock",
                "parent_id": self.partner_a.id,
                "type": "delivery",
                "country_id": country.id,
            }
        )
        __, after = self._assert_follows(
            order, lambda: country.write({"code": "ZX"}), False
        )
        self.assertEqual(after["delivery_address"]["country_code"], "ZX")
        # amounts are rounded to the currency's rounding when shown
        self._assert_follows(
            order, lambda: order.currency_id.write({"rounding": 0.001}), False
        )

    # ------------------------------------------------------------------

    def test_cached_and_fresh_answers_are_the_same(self):
        for index in range(3):
            order = self._order([(self.kit, 1), (self.product_b, index + 1)])
            self.deliver(order, lots={self.lot_kit_1: 1})
        _object_cache(self.registry).clear()
        fresh = self._objects()
        self.assertTrue(len(_object_cache(self.registry)) >= 3)
        self.assertEqual(self._objects(), fresh)

    def test_the_catalog_version_is_never_the_same_twice(self):
        """Each change is a new version (once per transaction); a prune
        keeps the version of the changes it folds (the same changes: the
        same objects), and the next change is new again."""
        Catalog = self.env["partner.order.api.catalog.mixin"]
        version = self._catalog_version
        seen = [version()]
        Catalog._order_api_catalog_changed()
        seen.append(version())
        # once per transaction: a second change in it is the same version
        Catalog._order_api_catalog_changed()
        self.assertEqual(version(), seen[-1])
        self.env.cr.precommit.data.clear()  # as after a commit
        Catalog._order_api_catalog_changed()
        seen.append(version())
        self.env["partner.order.api.order.tally"]._cron_compact()  # prunes
        self.assertEqual(version(), seen[-1])
        self.env.cr.execute(f"SELECT COUNT(*) FROM {CATALOG_TABLE}")
        self.assertEqual(self.env.cr.fetchone()[0], 1, "folded into one row")
        self.env.cr.precommit.data.clear()
        Catalog._order_api_catalog_changed()
        seen.append(version())
        self.assertEqual(len(set(seen)), len(seen), seen)

    def test_changes_committed_out_of_order_around_a_prune(self):
        """Issue 24: two catalog changes commit out of the order of their
        ids, with the prune in between; the version a reader sees after each
        commit is new, and never one seen before for other changes (the
        first id and the count kept gave (9,1) -> (8,2) -> (9,1))."""
        dbname = self.env.cr.dbname
        with (
            db_connect(dbname).cursor() as first,
            db_connect(dbname).cursor() as second,
            db_connect(dbname).cursor() as pruner,
            db_connect(dbname).cursor() as reader,
        ):
            reader._cnx.autocommit = True
            # a table of its own (a schema first in the search path of these
            # connections): the test's own transaction, which holds an older
            # snapshot of the real one, must not meet rows deleted under it
            schema = f"poa_catalog_{uuid.uuid4().hex[:12]}"
            reader.execute(f"CREATE SCHEMA {schema}")
            self.addCleanup(self._drop_schema, dbname, schema)
            for cr in (first, second, pruner, reader):
                cr.execute(f"SET search_path TO {schema}, public")
            create_catalog_table(reader)
            for cr in (first, second, pruner):
                _commit(cr)

            def read():
                reader.execute(SQL("SELECT %s", CATALOG_VERSION))
                return tuple(reader.fetchone()[0])

            insert = f"INSERT INTO {CATALOG_TABLE} DEFAULT VALUES"
            reader.execute(insert)  # a change committed before (autocommit)
            seen = [read()]
            first.execute(insert)  # id n
            second.execute(insert)  # id n + 1
            _commit(second)
            seen.append(read())
            prune_catalog(pruner)  # folds the two committed ones
            _commit(pruner)
            self.assertEqual(read(), seen[-1], "a prune keeps the version")
            reader.execute(f"SELECT COUNT(*) FROM {CATALOG_TABLE}")
            self.assertEqual(reader.fetchone()[0], 1, "folded")
            _commit(first)
            seen.append(read())
        self.assertEqual(len(set(seen)), len(seen), seen)
        self.assertEqual([v[0] - seen[0][0] for v in seen], [0, 1, 2])

    @staticmethod
    def _drop_schema(dbname, schema):
        with db_connect(dbname).cursor() as cr:
            cr._cnx.autocommit = True
            cr.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    def _catalog_version(self):
        self.env.cr.execute(SQL("SELECT %s", CATALOG_VERSION))
        return tuple(self.env.cr.fetchone()[0])
