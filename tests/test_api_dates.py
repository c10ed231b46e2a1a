# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Dates and references a buyer plans with (issue 27): the planning
members of ``POST order`` and ``POST order/quote`` (stored, shown, bad ones
refused with nothing written), the lines' ``expected_date`` and
``available_now`` following Odoo's forecast (a receipt confirmed, received,
a reservation) through every read, the cached page included, and
``restock_date`` in ``available_products``."""

import datetime

from odoo import Command, fields
from odoo.tests import tagged

from .common import PartnerOrderApiCase


def _in_days(days):
    return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days)).date()


@tagged("post_install", "-at_install")
class TestApiDates(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a storable product partner A may order, none of it in stock
        cls.product_out = cls.env["product.product"].create(
            {
                "name": "API Sold Out",
                "default_code": "API-OUT",
                "barcode": "4006381333993",
                "list_price": 20.0,
                "type": "consu",
                "is_storable": True,
                "taxes_id": [Command.clear()],
            }
        )
        cls.partner_a.order_api_product_ids = [Command.link(cls.product_out.id)]

    def _planned_body(self, **extra):
        body = self.order_body()
        del body["ean"], body["amount"]
        body["lines"] = [
            {
                "ean": self.product_a.barcode,
                "amount": 2,
                "customer_reference": "PO-77/1",
            },
            {"ean": self.kit.barcode, "amount": 1},
        ]
        body.update(extra)
        return body

    def _status(self, order):
        response = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": order.name},
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def _listed(self, order):
        response = self.api("GET", "orders", key=self.key_a, params={"page_size": 100})
        self.assertEqual(response.status_code, 200, response.text)
        (listed,) = [
            o for o in response.json()["orders"] if o["biomes_order_id"] == order.name
        ]
        return listed

    def _receipt(self, product, quantity, when):
        """A receipt of ``quantity`` of ``product`` scheduled at ``when``,
        confirmed."""
        warehouse = self.warehouse
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "scheduled_date": when,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "product_uom": product.uom_id.id,
                            "location_id": self.env.ref(
                                "stock.stock_location_suppliers"
                            ).id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                            "date": when,
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        return receipt

    # ------------------------------------------------------------------
    # What the buyer sends
    # ------------------------------------------------------------------

    def test_planning_members_stored_and_shown(self):
        requested = _in_days(10)
        body = self._planned_body(
            requested_delivery_date=requested.isoformat(), ship_complete=True
        )
        response = self.api("POST", "order", key=self.key_a, body=body)
        self.assertEqual(response.status_code, 201, response.text)
        data = response.json()
        order = self.env["sale.order"].search([("name", "=", data["biomes_order_id"])])
        self.assertEqual(order.commitment_date.date(), requested)
        self.assertEqual(order.picking_policy, "one")
        by_product = {line.product_id: line for line in order.order_line}
        self.assertEqual(
            by_product[self.product_a].order_api_customer_reference, "PO-77/1"
        )
        self.assertFalse(by_product[self.kit].order_api_customer_reference)
        self.assertEqual(data["requested_delivery_date"], requested.isoformat())
        self.assertIs(data["ship_complete"], True)
        self.assertEqual(
            [line["customer_reference"] for line in data["lines"]], ["PO-77/1", None]
        )
        # the delivery is scheduled for the requested date
        self.assertEqual(self._outgoing(order).scheduled_date.date(), requested)
        status = self._status(order)
        self.assertEqual(status["requested_delivery_date"], requested.isoformat())
        self.assertEqual(self._listed(order)["lines"], status["lines"])

    def test_ship_complete_false_and_omitted(self):
        response = self.api(
            "POST",
            "order",
            key=self.key_a,
            body=self._planned_body(ship_complete=False),
        )
        self.assertEqual(response.status_code, 201, response.text)
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        self.assertEqual(order.picking_policy, "direct")
        self.assertIs(response.json()["ship_complete"], False)
        self.assertIsNone(response.json()["requested_delivery_date"])
        self.assertFalse(order.commitment_date)
        # omitted: the order's default, as before
        default = self.env["sale.order"].new({}).picking_policy
        response = self.api("POST", "order", key=self.key_a, body=self.order_body())
        self.assertEqual(response.status_code, 201, response.text)
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        self.assertEqual(order.picking_policy, default)

    def test_quote_shows_the_planning_members(self):
        requested = _in_days(3)
        before = self.env["sale.order"].search_count([])
        response = self.api(
            "POST",
            "order/quote",
            key=self.key_a,
            body=self._planned_body(
                requested_delivery_date=requested.isoformat(), ship_complete=True
            ),
        )
        self.assertEqual(response.status_code, 200, response.text)
        quote = response.json()
        self.assertEqual(quote["requested_delivery_date"], requested.isoformat())
        self.assertIs(quote["ship_complete"], True)
        self.assertEqual(
            [line["customer_reference"] for line in quote["lines"]], ["PO-77/1", None]
        )
        self.assertEqual(self.env["sale.order"].search_count([]), before)

    def test_bad_planning_members_refused_nothing_written(self):
        before = self.env["sale.order"].search_count([])
        yesterday = _in_days(-1).isoformat()
        cases = [
            ({"requested_delivery_date": yesterday}, "requested_delivery_date"),
            ({"requested_delivery_date": "2026-13-01"}, "requested_delivery_date"),
            ({"requested_delivery_date": "tomorrow"}, "requested_delivery_date"),
            (
                {"requested_delivery_date": "2030-01-01T10:00:00Z"},
                "requested_delivery_date",
            ),
            ({"ship_complete": "yes"}, "ship_complete"),
            ({"ship_complete": 1}, "ship_complete"),
        ]
        for extra, field in cases:
            for route in ("order", "order/quote"):
                response = self.api(
                    "POST", route, key=self.key_a, body=self._planned_body(**extra)
                )
                self.assert_error(response, 400, "validation_error")
                fields_named = [d["field"] for d in response.json()["error"]["details"]]
                self.assertEqual(fields_named, [field], (route, extra))
        body = self._planned_body()
        body["lines"][0]["customer_reference"] = "R" * 101
        response = self.api("POST", "order", key=self.key_a, body=body)
        self.assert_error(response, 400, "validation_error")
        self.assertEqual(
            [d["field"] for d in response.json()["error"]["details"]],
            ["lines[0].customer_reference"],
        )
        # in a batch: that order alone
        response = self.api(
            "POST",
            "orders/batch",
            key=self.key_a,
            body={
                "orders": [
                    self._planned_body(requested_delivery_date=yesterday),
                    self._planned_body(),
                ]
            },
        )
        self.assertEqual(response.status_code, 200, response.text)
        results = response.json()["results"]
        self.assertEqual([r["status"] for r in results], [400, 201])
        self.assertEqual(
            results[0]["error"]["details"][0]["field"], "requested_delivery_date"
        )
        self.assertEqual(self.env["sale.order"].search_count([]), before + 1)

    def test_today_is_accepted(self):
        today = _in_days(0).isoformat()
        response = self.api(
            "POST",
            "order",
            key=self.key_a,
            body=self._planned_body(requested_delivery_date=today),
        )
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(response.json()["requested_delivery_date"], today)

    # ------------------------------------------------------------------
    # When it ships: the forecast, never stale
    # ------------------------------------------------------------------

    def test_expected_date_follows_the_receipt_and_the_reservation(self):
        body = self.order_body(ean=self.product_out.barcode, amount=3)
        response = self.api("POST", "order", key=self.key_a, body=body)
        self.assertEqual(response.status_code, 201, response.text)
        (line,) = response.json()["lines"]
        self.assertIsNone(line["expected_date"])
        self.assertIs(line["available_now"], False)
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        first = self._status(order)
        self.assertEqual(self._listed(order)["updated_at"], first["updated_at"])
        # a receipt scheduled for D is confirmed: the order waits for it
        when = fields.Datetime.now().replace(microsecond=0) + datetime.timedelta(days=5)
        receipt = self._receipt(self.product_out, 5, when)
        second = self._status(order)
        self.assertGreater(second["updated_at"], first["updated_at"])
        self.assertEqual(second["lines"][0]["expected_date"], when.date().isoformat())
        self.assertIs(second["lines"][0]["available_now"], False)
        listed = self._listed(order)  # the cached page: made anew
        self.assertEqual(listed["updated_at"], second["updated_at"])
        self.assertEqual(listed["lines"], second["lines"])
        # rescheduled: the date follows
        later = when + datetime.timedelta(days=2)
        receipt.move_ids.date = later
        third = self._status(order)
        self.assertGreater(third["updated_at"], second["updated_at"])
        self.assertEqual(third["lines"][0]["expected_date"], later.date().isoformat())
        # received: Odoo reserves it for the waiting delivery at once
        receipt.move_ids.quantity = 5
        receipt.move_ids.picked = True
        receipt._action_done()
        delivery = self._outgoing(order)
        scheduled = delivery.scheduled_date.date().isoformat()
        fourth = self._status(order)
        self.assertGreater(fourth["updated_at"], third["updated_at"])
        self.assertEqual(fourth["lines"][0]["expected_date"], scheduled)
        self.assertIs(fourth["lines"][0]["available_now"], True)
        self.assertEqual(self._listed(order)["lines"], fourth["lines"])
        # unreserved: in stock, covered, not ready to leave
        delivery.do_unreserve()
        fifth = self._status(order)
        self.assertGreater(fifth["updated_at"], fourth["updated_at"])
        self.assertEqual(fifth["lines"][0]["expected_date"], scheduled)
        self.assertIs(fifth["lines"][0]["available_now"], False)
        self.assertEqual(self._listed(order)["lines"], fifth["lines"])
        # reserved again: available now
        delivery.action_assign()
        self.assertIs(self._status(order)["lines"][0]["available_now"], True)
        # delivered: nothing open
        self.deliver(order)
        sixth = self._status(order)
        self.assertIsNone(sixth["lines"][0]["expected_date"])
        self.assertIs(sixth["lines"][0]["available_now"], False)

    def test_a_cancelled_receipt_leaves_the_order_uncovered(self):
        order = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_out, 2)]
        )
        when = fields.Datetime.now().replace(microsecond=0) + datetime.timedelta(days=4)
        receipt = self._receipt(self.product_out, 5, when)
        self.assertEqual(
            self._status(order)["lines"][0]["expected_date"], when.date().isoformat()
        )
        self._listed(order)
        receipt.action_cancel()
        status = self._status(order)
        self.assertIsNone(status["lines"][0]["expected_date"])
        self.assertEqual(self._listed(order)["lines"], status["lines"])

    def test_another_order_taking_the_stock_moves_the_date(self):
        """Three in stock, an API order of three waiting for the reservation
        cron: covered, expected on its delivery's date. An order entered in
        Odoo reserves the three first: the API order is no longer covered;
        its object changes though nothing of it did."""
        self.env["stock.quant"]._update_available_quantity(
            self.product_out, self.warehouse.lot_stock_id, 3
        )
        body = self.order_body(ean=self.product_out.barcode, amount=3)
        response = self.api("POST", "order", key=self.key_a, body=body)
        self.assertEqual(response.status_code, 201, response.text)
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        before = self._status(order)
        self.assertEqual(
            before["lines"][0]["expected_date"],
            self._outgoing(order).scheduled_date.date().isoformat(),
        )
        self.assertIs(before["lines"][0]["available_now"], False)
        self._listed(order)
        other = self.create_order_orm(
            self.partner_b, self.user_b, [(self.product_out, 3)]
        )
        self.assertEqual(self._outgoing(other).state, "assigned")
        after = self._status(order)
        self.assertGreater(after["updated_at"], before["updated_at"])
        self.assertIsNone(after["lines"][0]["expected_date"])
        self.assertEqual(self._listed(order)["lines"], after["lines"])

    def test_line_forecasts_in_a_fixed_number_of_statements(self):
        orders = [
            self.create_order_orm(self.partner_a, self.user_a, [(product, 1)])
            for product in (self.product_out, self.product_out, self.product_a)
        ]
        self._forecast_queries(orders)  # the registry's caches warm
        # (the forecast reads every move of the product: those of both
        # orders of the sold-out product, whichever are asked for)
        self.assertEqual(
            self._forecast_queries(orders[:2]), self._forecast_queries(orders)
        )

    def _forecast_queries(self, orders):
        """The statements ``_line_forecasts`` runs for ``orders``."""
        reader = self.env["partner.order.api.order.reader"]
        self.env.flush_all()
        self.env.invalidate_all()
        count = self.cr.sql_log_count
        forecasts = reader._line_forecasts([order.id for order in orders])
        self.assertEqual(len(forecasts), len(orders))
        return self.cr.sql_log_count - count

    # ------------------------------------------------------------------
    # available_products
    # ------------------------------------------------------------------

    def test_restock_date(self):
        def products():
            response = self.api("GET", "available_products", key=self.key_a)
            self.assertEqual(response.status_code, 200, response.text)
            return {p["ean"]: p for p in response.json()["products"]}

        listed = products()
        self.assertIsNone(listed[self.product_out.barcode]["restock_date"])
        self.assertIsNone(listed[self.product_a.barcode]["restock_date"])
        when = fields.Datetime.now().replace(microsecond=0) + datetime.timedelta(days=6)
        self._receipt(self.product_out, 5, when + datetime.timedelta(days=3))
        self._receipt(self.product_out, 5, when)
        self._receipt(self.product_a, 5, when)
        listed = products()
        self.assertEqual(
            listed[self.product_out.barcode]["restock_date"], when.date().isoformat()
        )
        # free quantity above 0: null, whatever is incoming
        self.assertIsNone(listed[self.product_a.barcode]["restock_date"])
        # not kept in stock: null
        self.assertIsNone(listed[self.product_b.barcode]["restock_date"])
