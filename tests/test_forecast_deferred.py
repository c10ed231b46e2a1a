# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fairness of the forecast's trigger (issue 27): a transaction that moves
stock of a product makes anew the objects of the orders waiting for it
only when they are few (``FORECAST_INLINE_LIMIT``, patched small here: a
setting, not Odoo); beyond, it records the product
(``partner.order.api.forecast.pending``) and the refresh cron makes them,
``updated_at`` and ``expected_date`` right once it has run.
"""

import datetime
import logging
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import tagged

from ..models import partner_order_api_forecast_pending as pending_module
from ..models import stock_move
from .common import PartnerOrderApiCase, committed_row, other_transactions

_PENDING = "partner.order.api.forecast.pending"
_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestForecastDeferred(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product_out = cls.env["product.product"].create(
            {
                "name": "API Sold Out Deferred",
                "default_code": "API-OUT-D",
                "barcode": "5901234123457",
                "list_price": 20.0,
                "type": "consu",
                "is_storable": True,
                "taxes_id": [Command.clear()],
            }
        )
        cls.partner_a.order_api_product_ids = [Command.link(cls.product_out.id)]

    def _waiting_orders(self, count):
        return [
            self.create_order_orm(self.partner_a, self.user_a, [(self.product_out, 1)])
            for _index in range(count)
        ]

    def _receipt(self, quantity, when):
        warehouse = self.warehouse
        suppliers = self.env.ref("stock.stock_location_suppliers")
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "location_id": suppliers.id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "scheduled_date": when,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.product_out.name,
                            "product_id": self.product_out.id,
                            "product_uom_qty": quantity,
                            "product_uom": self.product_out.uom_id.id,
                            "location_id": suppliers.id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                            "date": when,
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        return receipt

    def _settle(self):
        """What the transaction does before it commits."""
        self.env["sale.order"]._order_api_settle()
        self.env.invalidate_all()

    def _status(self, order):
        response = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": order.name},
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def _stamps(self, orders):
        """{order id: (updated_at, digest)} as stored."""
        self.env.cr.execute(
            "SELECT id, order_api_updated_at, order_api_digest FROM sale_order"
            " WHERE id = ANY(%s)",
            [[order.id for order in orders]],
        )
        return {row[0]: (row[1], bytes(row[2])) for row in self.env.cr.fetchall()}

    def _pending_products(self):
        self.env.cr.execute("SELECT product_id FROM partner_order_api_forecast_pending")
        return [row[0] for row in self.env.cr.fetchall()]

    def test_beyond_the_limit_the_cron_refreshes(self):
        orders = self._waiting_orders(3)
        self._settle()
        before = {order.id: self._status(order) for order in orders}
        self.assertIsNone(before[orders[0].id]["lines"][0]["expected_date"])
        self.assertFalse(self._pending_products())
        stamps = self._stamps(orders)
        when = fields.Datetime.now().replace(microsecond=0) + datetime.timedelta(days=5)
        with patch.object(stock_move, "FORECAST_INLINE_LIMIT", 2):
            self._receipt(10, when)
            self._settle()
            # the receipt's transaction made none of the three anew: neither
            # their updated_at nor their digest moved (a read meanwhile may
            # show the new date or a worker's cached object: README)
            self.assertEqual(self._stamps(orders), stamps)
            self.assertEqual(self._pending_products(), [self.product_out.id])
            cron = self.env.ref("partner_order_api.ir_cron_forecast_refresh")
            self.assertTrue(
                self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
            )
            self.env[_PENDING]._cron_refresh()
        self.assertFalse(self._pending_products())
        for order in orders:
            after = self._status(order)
            self.assertGreater(after["updated_at"], before[order.id]["updated_at"])
            self.assertEqual(
                after["lines"][0]["expected_date"], when.date().isoformat()
            )
        # nothing pending: the cron does nothing
        stamps = self._stamps(orders)
        self.env[_PENDING]._cron_refresh()
        self.assertEqual(self._stamps(orders), stamps)

    def test_within_the_limit_inline(self):
        orders = self._waiting_orders(2)
        self._settle()
        before = self._status(orders[0])
        when = fields.Datetime.now().replace(microsecond=0) + datetime.timedelta(days=3)
        with patch.object(stock_move, "FORECAST_INLINE_LIMIT", 2):
            self._receipt(10, when)
            self._settle()
        self.assertFalse(self._pending_products())
        after = self._status(orders[0])
        self.assertGreater(after["updated_at"], before["updated_at"])
        self.assertEqual(after["lines"][0]["expected_date"], when.date().isoformat())

    def test_a_product_pending_twice_is_refreshed_once(self):
        orders = self._waiting_orders(3)
        self._settle()
        when = fields.Datetime.now().replace(microsecond=0) + datetime.timedelta(days=5)
        with patch.object(stock_move, "FORECAST_INLINE_LIMIT", 2):
            receipt = self._receipt(10, when)
            self._settle()
            receipt.move_ids.date = when + datetime.timedelta(days=1)
            self._settle()
            self.assertEqual(self._pending_products(), [self.product_out.id] * 2)
            # run as Odoo runs the cron record (its code, its user)
            self.env.ref(
                "partner_order_api.ir_cron_forecast_refresh"
            ).method_direct_trigger()
            self.env.invalidate_all()
        self.assertFalse(self._pending_products())
        later = (when + datetime.timedelta(days=1)).date().isoformat()
        for order in orders:
            self.assertEqual(self._status(order)["lines"][0]["expected_date"], later)

    def test_a_partners_order_of_the_product_defers(self):
        """Another partner's POST order of the product (its move is a change
        of the forecast) pays for none of the orders waiting for it."""
        orders = self._waiting_orders(3)
        self._settle()
        stamps = self._stamps(orders)
        self.partner_b.order_api_product_ids = [Command.link(self.product_out.id)]
        with patch.object(stock_move, "FORECAST_INLINE_LIMIT", 2):
            body = self.order_body(ean=self.product_out.barcode, amount=1)
            response = self.api("POST", "order", key=self.key_b, body=body)
            self.assertEqual(response.status_code, 201, response.text)
            self._settle()
        self.assertEqual(self._stamps(orders), stamps)
        self.assertIn(self.product_out.id, self._pending_products())
        self.env[_PENDING]._cron_refresh()
        self.assertFalse(self._pending_products())

    def test_a_run_out_of_time_goes_on_where_it_stopped(self):
        """One order per batch and no time: each run makes one order and
        leaves the rest, with where it stopped, to the next."""
        orders = self._waiting_orders(3)
        self._settle()
        stamps = self._stamps(orders)
        when = fields.Datetime.now().replace(microsecond=0) + datetime.timedelta(days=5)
        with (
            patch.object(stock_move, "FORECAST_INLINE_LIMIT", 2),
            patch.object(pending_module, "SETTLE_BATCH", 1),
            patch.object(pending_module, "CRON_TIME_BUDGET", -1),
        ):
            self._receipt(10, when)
            self._settle()
            for done in range(1, 4):
                self.env[_PENDING]._cron_refresh()
                self.env.invalidate_all()
                now = self._stamps(orders)
                moved = [
                    order.id for order in orders if now[order.id] != stamps[order.id]
                ]
                self.assertEqual(moved, [order.id for order in orders[:done]])
                self.assertEqual(
                    bool(self._pending_products()), done < 3, f"after run {done}"
                )
        for order in orders:
            self.assertEqual(
                self._status(order)["lines"][0]["expected_date"],
                when.date().isoformat(),
            )

    def test_forecast_candidates_are_not_locked(self):
        """A transaction that moves a product's stock makes the orders
        waiting for it candidates without locking their rows: while another
        transaction holds one of those orders (as a change of it does),
        this one goes on. Locked, orders of one product placed at once by
        several partners waited on each other's rows and failed to
        serialize (50 simultaneous orders: 500s, tests_live)."""
        dbname = self.env.cr.dbname
        row = committed_row(
            dbname,
            "SELECT sol.order_id, move.product_id FROM stock_move move"
            " JOIN sale_order_line sol ON sol.id = move.sale_line_id"
            " WHERE move.state IN ('waiting', 'confirmed', 'partially_available')"
            " ORDER BY sol.order_id LIMIT 1",
        )
        self.assertTrue(row, "no committed order waits for a product")
        order_id, product_id = row
        with other_transactions(dbname) as (first, env):
            first["sale.order"].browse(order_id)._order_api_mark_changed()
            env.cr.execute("SET lock_timeout = '300ms'")
            env.cr.precommit.data[stock_move.FORECAST_PRODUCTS] = {product_id}
            stock_move.mark_forecast_candidates(env)  # no LockNotAvailable
            self.assertIn(order_id, env["sale.order"]._order_api_settle_at_commit())
