# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Despatch data out (issue 28): a delivery in two packages (one named by
a valid SSCC, one not) with lots, expiry dates and weights shows them in
the order object (``deliveries[]``: ``weight``, ``packages``,
``lines[].lots``), in the ``order.shipped`` webhook body, and as a UBL 2.1
DespatchAdvice (``GET order/document?type=despatch_advice``) that
validates against the OASIS schema (tests/data/ubl21/). Expiry dates come
from ``product_expiry`` when the test database has it, null otherwise
(``order_reader_despatch.py``)."""

import datetime

from odoo.tests import tagged

from ..lib import gs1
from .common import PartnerOrderApiCase
from .ubl_schema import assert_valid

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
SSCC = "376123450000000016"  # GS1 check digit 6
EXPIRY_1 = datetime.datetime(2027, 6, 30, 10, 0, 0)
EXPIRY_2 = datetime.datetime(2027, 9, 30, 8, 0, 0)


@tagged("post_install", "-at_install")
class TestApiDespatch(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        assert gs1.sscc(SSCC) == SSCC
        cls.has_expiry = "expiration_date" in cls.env["stock.lot"]._fields
        cls.product_a.weight = 0.5
        cls.kit.weight = 0.2
        cls.pallet_type = cls.env["stock.package.type"].create(
            {"name": "EUR pallet", "base_weight": 20.0}
        )
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "Despatch Express",
                "delivery_type": "fixed",
                "product_id": cls.env["product.product"]
                .create({"name": "Despatch Express shipping", "type": "service"})
                .id,
            }
        )

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def _order(self, external_order_id):
        body = self.order_body(external_order_id=external_order_id)
        del body["ean"], body["amount"]
        body["lines"] = [
            {"ean": self.product_a.barcode, "amount": 3},
            {"ean": self.kit.barcode, "amount": 2},
        ]
        response = self.api("POST", "order", key=self.key_a, body=body)
        self.assertEqual(response.status_code, 201, response.text)
        return self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )

    def _ship_in_two_packages(self, order):
        """Validate the order's delivery: the sensors on a pallet named by
        an SSCC, the kits (one of lot KL-1, one of KL-2) in a box with a
        shipping weight of its own."""
        if self.has_expiry:
            self.lot_kit_1.expiration_date = EXPIRY_1
            self.lot_kit_2.expiration_date = EXPIRY_2
        Package = self.env["stock.quant.package"]
        self.pallet = Package.create(
            {"name": SSCC, "package_type_id": self.pallet_type.id}
        )
        self.box = Package.create({"name": "BOX-DESADV-1", "shipping_weight": 1.25})
        picking = self._outgoing(order)
        picking.carrier_id = self.carrier
        for move in picking.move_ids:
            move.move_line_ids.unlink()
            if move.product_id == self.kit:
                parts = [(1, self.lot_kit_1), (1, self.lot_kit_2)]
                package = self.box
            else:
                parts = [(3, False)]
                package = self.pallet
            for quantity, lot in parts:
                self.env["stock.move.line"].create(
                    {
                        "move_id": move.id,
                        "picking_id": picking.id,
                        "product_id": move.product_id.id,
                        "product_uom_id": move.product_uom.id,
                        "location_id": move.location_id.id,
                        "location_dest_id": move.location_dest_id.id,
                        "lot_id": lot and lot.id,
                        "quantity": quantity,
                        "result_package_id": package.id,
                    }
                )
            move.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        picking.carrier_tracking_ref = "DX-0001"
        return picking

    def _status(self, order, key=None):
        response = self.api(
            "GET",
            "order_status",
            key=key or self.key_a,
            params={"identifiedBy": "biomes", "order_id": order.name},
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def _despatch_advice(self, order, key=None, name=None):
        params = {
            "identifiedBy": "biomes",
            "order_id": order.name,
            "type": "despatch_advice",
        }
        if name:
            params["delivery_order_name"] = name
        return self.api("GET", "order/document", key=key or self.key_a, params=params)

    def _expiry(self, value):
        return value.isoformat() + "Z" if self.has_expiry else None

    # ------------------------------------------------------------------
    # tests
    # ------------------------------------------------------------------

    def test_two_packages_in_the_object_the_webhook_and_the_despatch_advice(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("partner_order_api.webhook_allow_http", "True")
        params.set_param("partner_order_api.webhook_allowed_hosts", "127.0.0.1")
        self.partner_a.sudo().order_api_webhook_url = "http://127.0.0.1:9/hook"
        order = self._order("EXT-DESADV-1")
        picking = self._ship_in_two_packages(order)
        delivery = self._status(order)["deliveries"][0]
        # the object: Odoo's own weights, both packages, lots with expiry
        self.assertEqual(delivery["weight"], 22.75)
        self.assertAlmostEqual(picking.shipping_weight, 22.75)
        self.assertAlmostEqual(
            self.pallet.with_context(picking_id=picking.id).weight, 21.5
        )
        self.assertEqual(
            delivery["packages"],
            [
                {
                    "name": SSCC,
                    "sscc": SSCC,
                    "package_type": "EUR pallet",
                    "weight": 21.5,
                },
                {
                    "name": "BOX-DESADV-1",
                    "sscc": None,
                    "package_type": None,
                    "weight": 1.25,
                },
            ],
        )
        self.assertEqual(
            delivery["lines"],
            [
                {"ean": self.product_a.barcode, "quantity": 3.0, "lots": []},
                {
                    "ean": self.kit.barcode,
                    "quantity": 2.0,
                    "lots": [
                        {"name": "KL-1", "expiry_date": self._expiry(EXPIRY_1)},
                        {"name": "KL-2", "expiry_date": self._expiry(EXPIRY_2)},
                    ],
                },
            ],
        )
        self.assertEqual(delivery["lots"], ["KB-0001", "KL-2"])  # as before
        # the webhook body is the same object
        event = self.env["partner.order.api.webhook.event"].search(
            [("order_id", "=", order.id), ("picking_id", "=", picking.id)],
            order="id desc",
            limit=1,
        )
        self.assertTrue(event, "the delivery recorded an event")
        payload = self.env["partner.order.api.order.reader"]._serialize(order)[0]
        self.assertIn(f'"sscc":"{SSCC}"', event.payload.replace(" ", ""))
        self.assertEqual(payload["deliveries"][0], delivery)
        # the DespatchAdvice
        response = self._despatch_advice(order)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/xml")
        self.assertIn("WH_OUT_", response.headers["Content-Disposition"])
        root = assert_valid("DespatchAdvice", response.content)
        self._check_despatch_advice(root, order, picking)

    def _check_despatch_advice(self, root, order, picking):
        def texts(path):
            return [node.text for node in root.xpath(path, namespaces=NS)]

        self.assertEqual(texts("cbc:ID"), [picking.name])
        self.assertEqual(texts("cac:OrderReference/cbc:ID"), ["EXT-DESADV-1"])
        self.assertEqual(texts("cac:OrderReference/cbc:SalesOrderID"), [order.name])
        shipment = "cac:Shipment/"
        self.assertEqual(texts(shipment + "cbc:GrossWeightMeasure"), ["22.75"])
        self.assertEqual(
            root.xpath(shipment + "cbc:GrossWeightMeasure/@unitCode", namespaces=NS),
            ["KGM"],
        )
        self.assertEqual(
            texts(shipment + "cac:Consignment/cbc:CarrierAssignedID"), ["DX-0001"]
        )
        self.assertEqual(
            texts(shipment + "cac:Delivery/cac:CarrierParty/cac:PartyName/cbc:Name"),
            ["Despatch Express"],
        )
        units = root.xpath(shipment + "cac:TransportHandlingUnit/cbc:ID", namespaces=NS)
        self.assertEqual(
            [(unit.text, unit.get("schemeID")) for unit in units],
            [(SSCC, "SSCC"), ("BOX-DESADV-1", None)],
        )
        lines = root.xpath("cac:DespatchLine", namespaces=NS)
        got = []
        for line in lines:

            def one(path, line=line):
                values = line.xpath(path, namespaces=NS)
                return values[0] if values else None

            got.append(
                (
                    one("cbc:DeliveredQuantity/text()"),
                    one("cbc:DeliveredQuantity/@unitCode"),
                    one("cac:OrderLineReference/cbc:LineID/text()"),
                    one("cac:Item/cac:StandardItemIdentification/cbc:ID/text()"),
                    one("cac:Item/cac:StandardItemIdentification/cbc:ID/@schemeID"),
                    one("cac:Item//cbc:LotNumberID/text()"),
                    one("cac:Item//cbc:ExpiryDate/text()"),
                    one("cac:Shipment/cac:TransportHandlingUnit/cbc:ID/text()"),
                )
            )
        expiry_1 = "2027-06-30" if self.has_expiry else None
        expiry_2 = "2027-09-30" if self.has_expiry else None
        self.assertEqual(
            got,
            [
                ("3", "C62", "1", self.product_a.barcode, "0160", None, None, SSCC),
                (
                    "1",
                    "C62",
                    "2",
                    self.kit.barcode,
                    "0160",
                    "KL-1",
                    expiry_1,
                    "BOX-DESADV-1",
                ),
                (
                    "1",
                    "C62",
                    "2",
                    self.kit.barcode,
                    "0160",
                    "KL-2",
                    expiry_2,
                    "BOX-DESADV-1",
                ),
            ],
        )

    def test_package_change_moves_updated_at(self):
        order = self._order("EXT-DESADV-2")
        self._ship_in_two_packages(order)
        before = self._status(order)
        self.box.shipping_weight = 2.0
        after = self._status(order)
        self.assertEqual(after["deliveries"][0]["packages"][1]["weight"], 2.0)
        self.assertGreater(after["updated_at"], before["updated_at"])
        self.pallet.name = "PALLET-1"
        renamed = self._status(order)
        self.assertEqual(renamed["deliveries"][0]["packages"][0]["sscc"], None)
        self.assertGreater(renamed["updated_at"], after["updated_at"])

    def test_not_done_delivery_is_not_found(self):
        order = self._order("EXT-DESADV-3")
        open_picking = self._outgoing(order)
        self.assert_error(self._despatch_advice(order), 404, "not_found")
        self.assert_error(
            self._despatch_advice(order, name=open_picking.name), 404, "not_found"
        )

    def test_other_partners_delivery_is_not_found(self):
        order = self._order("EXT-DESADV-4")
        picking = self._ship_in_two_packages(order)
        self.assertEqual(self._despatch_advice(order).status_code, 200)
        # A's order asked by B
        self.assert_error(
            self._despatch_advice(order, key=self.key_b, name=picking.name),
            404,
            "not_found",
        )
        # B's own order, naming A's delivery
        response = self.api(
            "POST", "order", key=self.key_b, body=self.order_body(amount=1)
        )
        self.assertEqual(response.status_code, 201, response.text)
        order_b = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        self.deliver(order_b)
        self.assert_error(
            self._despatch_advice(order_b, key=self.key_b, name=picking.name),
            404,
            "not_found",
        )
        self.assertEqual(
            self._despatch_advice(order_b, key=self.key_b).status_code, 200
        )

    def test_no_package_no_lot(self):
        """A delivery shipped unpacked: no package, its weight the goods'."""
        order = self._order("EXT-DESADV-5")
        self.deliver(order, lots={self.lot_kit_3: 2})
        delivery = self._status(order)["deliveries"][0]
        self.assertEqual(delivery["packages"], [])
        self.assertEqual(delivery["weight"], 1.9)
        self.assertEqual(delivery["lines"][0]["lots"], [])
        self.assertEqual(delivery["lines"][1]["lots"][0]["name"], "KL-3")
        root = assert_valid("DespatchAdvice", self._despatch_advice(order).content)
        self.assertFalse(root.xpath("//cac:TransportHandlingUnit", namespaces=NS))
