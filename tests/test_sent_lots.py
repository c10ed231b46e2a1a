# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import tagged

from .common import PartnerOrderApiCase


@tagged("post_install", "-at_install")
class TestSentLots(PartnerOrderApiCase):
    def _status(self, order):
        response = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": order.name},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def _api_order(self, lines):
        body = self.order_body(ean=lines[0][0].barcode, amount=lines[0][1])
        response = self.api("POST", "order", key=self.key_a, body=body)
        self.assertEqual(response.status_code, 201, response.text)
        return self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )

    def test_partial_then_full_delivery_with_kit_barcodes(self):
        order = self._api_order([(self.kit, 3)])
        self.assertEqual(self._status(order)["status"], "confirmed")
        # first delivery: one kit with a kit barcode, one lot without
        first = self.deliver(order, lots={self.lot_kit_1: 1, self.lot_kit_2: 1})
        data = self._status(order)
        self.assertEqual(data["status"], "partially_shipped")
        self.assertEqual(data["sent_lots"], ["KB-0001", "KL-2"])
        self.assertEqual(data["delivery_order_name"], first.name)
        self.assertEqual(data["lines"][0]["delivered_quantity"], 2)
        # the backorder ships the rest
        self.deliver(order, lots={self.lot_kit_3: 1})
        data = self._status(order)
        self.assertEqual(data["status"], "shipped")
        self.assertEqual(data["sent_lots"], ["KB-0001", "KL-2", "KB-0003"])
        # the list shows the same
        listed = self.api("GET", "orders", key=self.key_a).json()["orders"]
        self.assertEqual(listed[0]["sent_lots"], ["KB-0001", "KL-2", "KB-0003"])

    def test_same_lot_in_two_deliveries_listed_once(self):
        order = self._api_order([(self.kit, 4)])
        self.deliver(order, lots={self.lot_kit_2: 2})
        self.deliver(order, lots={self.lot_kit_2: 2})
        self.assertEqual(self._status(order)["sent_lots"], ["KL-2"])

    def test_kit_barcode_set_later_shows(self):
        order = self._api_order([(self.kit, 1)])
        self.deliver(order, lots={self.lot_kit_2: 1})
        self.assertEqual(self._status(order)["sent_lots"], ["KL-2"])
        self.lot_kit_2.kit_barcode = "KB-0002"
        self.assertEqual(self._status(order)["sent_lots"], ["KB-0002"])

    def test_returned_lots_no_longer_count(self):
        order = self._api_order([(self.kit, 2)])
        picking = self.deliver(order, lots={self.lot_kit_1: 1, self.lot_kit_3: 1})
        self.assertEqual(self._status(order)["sent_lots"], ["KB-0001", "KB-0003"])
        self.return_lots(picking, {self.lot_kit_1: 1})
        self.assertEqual(self._status(order)["sent_lots"], ["KB-0003"])

    def test_untracked_products_have_no_lots(self):
        order = self._api_order([(self.product_a, 2)])
        self.deliver(order)
        data = self._status(order)
        self.assertEqual(data["status"], "shipped")
        self.assertEqual(data["sent_lots"], [])
