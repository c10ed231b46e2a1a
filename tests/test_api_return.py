# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""POST order/return (issue 27), end to end over real HTTP: Odoo's own
return of the deliveries, with exactly the lots named and the reason; the
order object's ``returns`` (requested, received, its credit note) beside
unchanged ``deliveries``; the events ``order.return_requested`` and
``order.returned`` received by a real local receiver; and every refusal
(409 ``not_returnable``, 400, 404) writing nothing."""

from odoo.tests import Form, tagged

from ..models.order_reader_returns import _link_credit_notes
from .common_webhook_events import WebhookEventsCase
from .webhook_receiver import WebhookReceiver

RETURN_EVENTS = ["order.return_requested", "order.returned"]
# the tables a return writes to
TABLES = (
    "stock_picking",
    "stock_move",
    "stock_move_line",
    "mail_message",
    "partner_order_api_webhook_event",
)


@tagged("post_install", "-at_install")
class TestOrderReturn(WebhookEventsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # refunds follow what was delivered (and came back)
        (cls.kit | cls.product_a).invoice_policy = "delivery"

    def setUp(self):
        super().setUp()
        self.receiver = WebhookReceiver()
        self.receiver.__enter__()
        self.addCleanup(self.receiver.__exit__, None, None, None)

    def _delivered_order(self):
        """An API order of 3 kits and 2 sensors, delivered: kits of lot
        KL-1 (kit barcode KB-0001) twice and KL-3 (KB-0003) once."""
        body = self.order_body()
        del body["ean"], body["amount"]
        body["lines"] = [
            {"ean": self.kit.barcode, "amount": 3},
            {"ean": self.product_a.barcode, "amount": 2},
        ]
        response = self.api("POST", "order", key=self.key_a, body=body)
        self.assertEqual(response.status_code, 201, response.text)
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        self.delivery = self.deliver(order, lots={self.lot_kit_1: 2, self.lot_kit_3: 1})
        return order

    def _return(self, order, lines, reason=None, key=None):
        body = {"identifiedBy": "biomes", "order_id": order.name, "lines": lines}
        if reason is not None:
            body["reason"] = reason
        return self.api("POST", "order/return", key=key or self.key_a, body=body)

    def _kits(self, amount, *lots):
        return {"ean": self.kit.barcode, "amount": amount, "lots": list(lots)}

    def _sensors(self, amount):
        return {"ean": self.product_a.barcode, "amount": amount}

    def _counts(self):
        self.env.flush_all()
        counts = {}
        for table in TABLES:
            self.env.cr.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            counts[table] = self.env.cr.fetchone()[0]
        return counts

    def _refused(self, order, lines, status, code, *fragments, key=None):
        """``lines`` refused with ``status``/``code`` naming ``fragments``,
        and not a row written."""
        before = self._counts()
        response = self._return(order, lines, reason="no", key=key)
        self.assert_error(response, status, code)
        for fragment in fragments:
            self.assertIn(fragment, response.text)
        self.assertEqual(self._counts(), before, response.text)
        return response

    def _returns(self, order):
        return order.picking_ids.filtered(lambda picking: picking.return_id)

    def _validate(self, picking):
        for move in picking.move_ids:
            move.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_return_with_lots_received_and_credited(self):
        self._subscribe(RETURN_EVENTS)
        order = self._delivered_order()
        invoice = self._invoice(order)
        response = self._return(
            order, [self._kits(1, "KB-0003"), self._sensors(1)], "Damaged in transit"
        )
        self.assertEqual(response.status_code, 201, response.text)
        body = response.json()
        [ret] = self._returns(order)
        self.assertEqual(
            (ret.picking_type_code, ret.state, ret.return_id, ret.sale_id),
            ("incoming", "assigned", self.delivery, order),
        )
        self.assertEqual(ret.order_api_return_reason, "Damaged in transit")
        self.assertIn("Damaged in transit", ret.message_ids[0].body)
        kit_lines = ret.move_line_ids.filtered(lambda sml: sml.product_id == self.kit)
        self.assertEqual(
            [(sml.lot_id, sml.quantity) for sml in kit_lines], [(self.lot_kit_3, 1.0)]
        )
        self.assertEqual(
            body["returns"],
            [
                {
                    "name": ret.name,
                    "state": "requested",
                    "reason": "Damaged in transit",
                    "lines": [
                        {"ean": self.kit.barcode, "quantity": 1.0},
                        {"ean": self.product_a.barcode, "quantity": 1.0},
                    ],
                    "lots": ["KB-0003"],
                    "credit_note": None,
                }
            ],
        )
        # the return is no delivery; what left is as before
        self.assertEqual([d["name"] for d in body["deliveries"]], [self.delivery.name])
        self.assertEqual(body["sent_lots"], ["KB-0001", "KB-0003"])
        [(kind, sent, _request)] = self._send(self.receiver, 1)
        self.assertEqual(kind, "order.return_requested")
        self.assertEqual(sent["returns"][0]["state"], "requested")

        self._validate(ret)
        [(kind, sent, _request)] = self._send(self.receiver, 1)
        self.assertEqual(kind, "order.returned")
        self.assertEqual(sent["returns"][0]["state"], "received")
        status = self._status(order)
        self.assertEqual(
            [line["delivered_quantity"] for line in status["lines"]], [2.0, 1.0]
        )
        # what came back was shipped: nothing more to come
        self.assertEqual(status["status"], "shipped")
        self.assertEqual(
            [line["open_quantity"] for line in status["lines"]], [0.0, 0.0]
        )
        self.assertEqual(status["sent_lots"], ["KB-0001"])
        self.assertEqual(len(status["deliveries"]), 1)
        self.assertIsNone(status["returns"][0]["credit_note"])

        # accounting refunds what came back, from the order
        refund = order._create_invoices(final=True)
        self.assertEqual(refund.move_type, "out_refund")
        refund.action_post()
        status = self._status(order)
        self.assertEqual(status["returns"][0]["credit_note"], refund.name)
        self.assertEqual(
            [i["number"] for i in status["invoices"]], [invoice.name, refund.name]
        )

    def test_refusals_write_nothing(self):
        order = self._delivered_order()
        self._refused(
            order, [self._kits(4, "KB-0001", "KB-0003")], 409, "not_returnable"
        )
        self._refused(order, [self._sensors(3)], 409, "not_returnable", "2 delivered")
        self._refused(order, [self._kits(1, "KL-2")], 409, "not_returnable", "KL-2")
        self._refused(order, [self._kits(3, "KB-0001")], 409, "not_returnable")
        self._refused(
            order,
            [{"ean": self.product_b.barcode, "amount": 1}],
            409,
            "not_returnable",
            self.product_b.barcode,
        )
        self._refused(
            order, [{"ean": self.kit.barcode, "amount": 1}], 400, "validation_error"
        )
        self._refused(
            order, [dict(self._sensors(1), lots=["KL-1"])], 400, "validation_error"
        )
        self._refused(
            order, [self._kits(1, "KB-0001", "KB-0003")], 400, "validation_error"
        )
        self._refused(order, [self._sensors(1)] * 2, 400, "validation_error")
        self._refused(order, [], 400, "validation_error")
        self._refused(order, [self._sensors(1)], 404, "not_found", key=self.key_b)

    def test_a_second_return_counts_the_first(self):
        order = self._delivered_order()
        response = self._return(order, [self._kits(2, "KB-0001"), self._sensors(1)])
        self.assertEqual(response.status_code, 201, response.text)
        # the first is still expected: it counts
        self._refused(order, [self._kits(1, "KB-0001")], 409, "not_returnable")
        self._refused(order, [self._sensors(2)], 409, "not_returnable")
        self._validate(self._returns(order))
        self._refused(
            order, [self._kits(1, "KL-1")], 409, "not_returnable", "came back already"
        )
        response = self._return(order, [self._kits(1, "KL-3"), self._sensors(1)])
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(
            [r["state"] for r in response.json()["returns"]], ["received", "requested"]
        )
        self._refused(order, [self._sensors(1)], 409, "not_returnable")

    def test_orders_with_nothing_to_return(self):
        body = self.order_body(ean=self.kit.barcode, amount=1)
        response = self.api("POST", "order", key=self.key_a, body=body)
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        self._refused(
            order, [self._kits(1, "KL-1")], 409, "not_returnable", "nothing delivered"
        )
        other = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_a, 1)]
        )
        self.deliver(other)
        self._refused(
            other, [self._sensors(1)], 409, "not_returnable", "not placed through"
        )

    def test_back_office_return_records_its_event(self):
        self._subscribe(RETURN_EVENTS)
        order = self._delivered_order()
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_ids=self.delivery.ids,
                active_id=self.delivery.id,
                active_model="stock.picking",
            )
        ).save()
        for line in wizard.product_return_moves:
            line.quantity = 1 if line.product_id == self.product_a else 0
        wizard.action_create_returns()
        [(kind, sent, _request)] = self._send(self.receiver, 1)
        self.assertEqual(kind, "order.return_requested")
        self.assertEqual(
            sent["returns"][0]["lines"],
            [{"ean": self.product_a.barcode, "quantity": 1.0}],
        )
        self.assertIsNone(sent["returns"][0]["reason"])
        self.assertEqual(len(self._returns(order)), 1)

    def test_a_replay_with_its_idempotency_key_returns_once(self):
        order = self._delivered_order()
        body = {
            "identifiedBy": "biomes",
            "order_id": order.name,
            "lines": [self._sensors(1)],
        }
        headers = {"Idempotency-Key": "return-1"}
        first = self.api(
            "POST", "order/return", key=self.key_a, body=body, headers=headers
        )
        self.assertEqual(first.status_code, 201, first.text)
        again = self.api(
            "POST", "order/return", key=self.key_a, body=body, headers=headers
        )
        self.assertEqual(again.status_code, 201, again.text)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again.json(), first.json())
        self.assertEqual(len(self._returns(order)), 1)

    def test_credit_notes_are_matched_to_received_returns_oldest_first(self):
        """The link of ``returns[].credit_note`` (order_reader_returns.py):
        received returns, oldest first, take the refunded quantities of the
        posted credit notes, oldest first, on the order lines they share."""

        def link(notes, *returns):
            rows = [
                {"state": state, "refunded": refunded, "credit_notes": notes}
                for state, refunded in returns
            ]
            _link_credit_notes(rows)
            return [row["credit_note"] for row in rows]

        one = [{"sale_line_id": 1, "quantity": 1.0}]
        both = {"name": "RINV/2", "lines": [{"sale_line_id": 1, "quantity": 2.0}]}
        first = {"name": "RINV/1", "lines": one}
        # one credit note for two returns: both show it
        self.assertEqual(link([both], ("done", one), ("done", one)), ["RINV/2"] * 2)
        # one each, in order; a third return is not refunded yet
        self.assertEqual(
            link([first, both], ("done", one), ("done", one), ("done", one)),
            ["RINV/1", "RINV/2", "RINV/2"],
        )
        self.assertEqual(link([first], ("done", one), ("done", one)), ["RINV/1", None])
        # another order line, a return still expected: none
        other = [{"sale_line_id": 2, "quantity": 1.0}]
        self.assertEqual(
            link([first], ("done", other), ("assigned", one)), [None, None]
        )
