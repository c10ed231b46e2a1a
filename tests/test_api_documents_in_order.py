# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The order object's ``invoices`` and ``deliveries``, and
``lines[].open_quantity`` (the documents an order shows;
``test_api_documents.py`` downloads them)."""

from odoo import fields
from odoo.tests import tagged

from .common_documents import DocumentsCase


@tagged("post_install", "-at_install")
class TestApiDocumentsInOrder(DocumentsCase):
    # ------------------------------------------------------------------
    # The order object: invoices
    # ------------------------------------------------------------------

    def test_invoices_are_the_posted_ones_credit_notes_included(self):
        draft = self._invoice(post=False)
        self.assertEqual(self._status()["invoices"], [])
        draft.invoice_date = fields.Date.to_date("2026-11-24")
        draft.action_post()
        (invoice,) = self._status()["invoices"]
        self.assertEqual(
            invoice,
            {
                "number": draft.name,
                "move_type": "out_invoice",
                "state": "posted",
                "payment_state": "not_paid",
                "invoice_date": "2026-11-24",
                "due_date": draft.invoice_date_due.isoformat(),
                "amount_total": self.currency.round(draft.amount_total),
                "amount_residual": self.currency.round(draft.amount_total),
                "currency": self.currency.name,
                # a buyer in Germany (lib/einvoice.py)
                "formats": ["ubl_bis3", "xrechnung", "facturx"],
            },
        )
        self.assertGreater(invoice["amount_total"], 0)
        refund = draft._reverse_moves(
            [{"invoice_date": fields.Date.to_date("2026-11-25")}]
        )
        self.assertEqual(
            [entry["number"] for entry in self._status()["invoices"]], [draft.name]
        )
        refund.action_post()
        invoices = self._status()["invoices"]
        self.assertEqual(
            [(entry["number"], entry["move_type"]) for entry in invoices],
            [(draft.name, "out_invoice"), (refund.name, "out_refund")],
        )
        self.assertEqual(invoices[1]["amount_total"], invoice["amount_total"])
        # the list shows the same entries
        listed = self.api("GET", "orders", key=self.key_a).json()["orders"]
        (mine,) = [o for o in listed if o["biomes_order_id"] == self.order.name]
        self.assertEqual(mine["invoices"], invoices)
        # another partner's orders show none of them
        self.assertNotIn(
            self.order.name,
            [
                o["biomes_order_id"]
                for o in self.api("GET", "orders", key=self.key_b).json()["orders"]
            ],
        )

    # ------------------------------------------------------------------
    # The order object: deliveries, open quantities
    # ------------------------------------------------------------------

    def test_deliveries_lots_and_open_quantity_after_a_partial_delivery(self):
        body = self._status()
        (pending,) = body["deliveries"]
        self.assertEqual(pending["name"], self.first.name)
        self.assertIn(pending["state"], ("confirmed", "assigned"))
        self.assertIsNone(pending["date_done"])
        self.assertEqual(pending["lots"], [])
        self.assertEqual(
            pending["lines"],
            [
                {"ean": self.product_a.barcode, "quantity": 3.0, "lots": []},
                {"ean": self.kit.barcode, "quantity": 2.0, "lots": []},
            ],
        )
        self.assertEqual([line["open_quantity"] for line in body["lines"]], [3.0, 2.0])

        first, backorder = self._ship_partially()
        self.assertEqual(first, self.first)
        body = self._status()
        self.assertEqual(body["status"], "partially_shipped")
        done, rest = body["deliveries"]
        self.assertEqual(done, self._expected_done_delivery(first))
        self._check_backorder_and_lines(body, rest, backorder, done)
        # the backorder ships with the other kit: each delivery keeps its lots
        self.deliver(self.order, lots={self.lot_kit_2: 1})
        body = self._status()
        self.assertEqual(body["status"], "shipped")
        self.assertEqual(
            [(d["state"], d["lots"]) for d in body["deliveries"]],
            [("done", ["KB-0001"]), ("done", ["KL-2"])],
        )
        self.assertEqual([line["open_quantity"] for line in body["lines"]], [0.0, 0.0])
        self.assertEqual(body["sent_lots"], ["KB-0001", "KL-2"])

    def _expected_done_delivery(self, first):
        return {
            "name": first.name,
            "state": "done",
            "scheduled_date": first.scheduled_date.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "date_done": first.date_done.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "carrier": "Parcel Express",
            "tracking_ref": "TR-1",
            "tracking_url": "https://track.example/TR-1",
            "lines": [
                {"ean": self.product_a.barcode, "quantity": 1.0, "lots": []},
                {
                    "ean": self.kit.barcode,
                    "quantity": 1.0,
                    # the lot by its name (its kit barcode in ``lots``)
                    "lots": [{"name": "KL-1", "expiry_date": None}],
                },
            ],
            "lots": ["KB-0001"],
            # issue 28: unpacked, its products weigh nothing here
            "weight": 0.0,
            "packages": [],
        }

    def _check_backorder_and_lines(self, body, rest, backorder, done):
        first = self.first
        self.assertEqual(rest["name"], backorder.name)
        self.assertNotEqual(rest["state"], "done")
        self.assertIsNone(rest["tracking_url"])
        self.assertEqual(rest["lots"], [])
        self.assertEqual(
            rest["lines"],
            [
                {"ean": self.product_a.barcode, "quantity": 2.0, "lots": []},
                {"ean": self.kit.barcode, "quantity": 1.0, "lots": []},
            ],
        )
        self.assertEqual(
            [
                (line["quantity"], line["delivered_quantity"], line["open_quantity"])
                for line in body["lines"]
            ],
            [(3.0, 1.0, 2.0), (2.0, 1.0, 1.0)],
        )
        # unchanged: sent_lots and tracking
        self.assertEqual(body["sent_lots"], ["KB-0001"])
        self.assertEqual(
            body["tracking"],
            [
                {
                    "delivery_order_name": first.name,
                    "carrier": "Parcel Express",
                    "tracking_ref": "TR-1",
                    "date_done": done["date_done"],
                }
            ],
        )

    def test_cancelled_order_has_no_open_quantity_and_shows_its_cancelled_delivery(
        self,
    ):
        order = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_a, 4)]
        )
        order.with_context(disable_cancel_warning=True).action_cancel()
        body = self._status(order)
        self.assertEqual(body["status"], "cancelled")
        self.assertEqual(body["lines"][0]["open_quantity"], 0.0)
        (delivery,) = body["deliveries"]
        self.assertEqual(delivery["state"], "cancel")
        self.assertEqual(
            delivery["lines"],
            [{"ean": self.product_a.barcode, "quantity": 4.0, "lots": []}],
        )
