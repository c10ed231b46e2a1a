# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Test keys (issue 29; README, "Test keys"): keys scoped
``partner_order_api.test`` place test orders, quotations that never
reserve, ship or invoice, answer ``test: true``, send their webhooks, are
cancelled after 24 hours, and are seen by test keys only.

Real HTTP to the API, a real local webhook receiver, the real sender and
cron methods."""

import ast
import datetime

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_webhook_events import WebhookEventsCase
from .test_api_ubl_order import XML, ubl_order
from .webhook_receiver import WebhookReceiver

TEST_SCOPE = "partner_order_api.test"


@tagged("post_install", "-at_install")
class TestApiTestMode(WebhookEventsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.test_key_a = cls._generate_key(cls.user_a, scope=TEST_SCOPE)

    def _create(self, key, **body):
        response = self.api("POST", "order", key=key, body=self.order_body(**body))
        self.assertEqual(response.status_code, 201, response.text)
        answer = response.json()
        order = self.env["sale.order"].search(
            [("name", "=", answer["biomes_order_id"])]
        )
        return order, answer

    def _status(self, order, key=None):
        return self.api(
            "GET",
            "order_status",
            key=key or self.key_a,
            params={"identifiedBy": "biomes", "order_id": order.name},
        )

    def test_test_order_is_a_quotation_that_answers_like_an_order(self):
        order, answer = self._create(self.test_key_a, amount=2)
        self.assertIs(answer["test"], True)
        self.assertEqual(answer["status"], "confirmed")
        self.assertTrue(order.order_api_test)
        self.assertEqual(order.state, "sent", "a quotation, never confirmed")
        # nothing reserved, shipped or invoiced: no transfer, no move
        self.assertFalse(order.picking_ids)
        self.assertFalse(
            self.env["stock.move"].search(
                [("sale_line_id", "in", order.order_line.ids)]
            )
        )
        self.assertEqual(order.invoice_status, "no")
        with self.assertRaises(UserError):
            order._create_invoices()
        with self.assertRaises(UserError):
            order.action_confirm()
        self.assertEqual(order.state, "sent")
        status = self._status(order, self.test_key_a)
        self.assertEqual(status.json(), answer, "order_status: the same object")
        # a real order answers test: false, and is confirmed
        real, real_answer = self._create(self.key_a)
        self.assertIs(real_answer["test"], False)
        self.assertFalse(real.order_api_test)
        self.assertEqual(real.state, "sale")
        self.assertTrue(real.picking_ids)

    def test_each_key_sees_its_own_mode_only(self):
        test_order, _answer = self._create(self.test_key_a, external_order_id="T-1")
        real_order, _answer = self._create(self.key_a, external_order_id="R-1")
        real_2, _answer = self._create(self.key_a, external_order_id="R-2")
        listed = self.api("GET", "orders", key=self.key_a).json()
        self.assertEqual(
            [o["biomes_order_id"] for o in listed["orders"]],
            [real_2.name, real_order.name],
        )
        self.assertEqual(listed["pagination"]["total_count"], 2)
        self.assertEqual([o["test"] for o in listed["orders"]], [False, False])
        listed = self.api("GET", "orders", key=self.test_key_a).json()
        self.assertEqual(
            [o["biomes_order_id"] for o in listed["orders"]], [test_order.name]
        )
        self.assertIs(listed["orders"][0]["test"], True)
        self.assertEqual(listed["pagination"]["total_count"], 1)
        for key, other in ((self.key_a, test_order), (self.test_key_a, real_order)):
            ref = {"identifiedBy": "biomes", "order_id": other.name}
            self.assert_error(self._status(other, key), 404, "not_found")
            self.assert_error(
                self.api(
                    "GET",
                    "order_status",
                    key=key,
                    params={
                        "identifiedBy": "external",
                        "order_id": other.order_api_external_id,
                    },
                ),
                404,
                "not_found",
            )
            self.assert_error(
                self.api("POST", "order/cancel", key=key, body=ref), 404, "not_found"
            )
            self.assert_error(
                self.api(
                    "POST",
                    "order/change",
                    key=key,
                    body=dict(
                        ref, lines=[{"ean": self.product_a.barcode, "amount": 3}]
                    ),
                ),
                404,
                "not_found",
            )
            self.assert_error(
                self.api(
                    "GET", "order/document", key=key, params=dict(ref, type="order")
                ),
                404,
                "not_found",
            )
        self.assertNotEqual(test_order.state, "cancel")
        self.assertNotEqual(real_order.state, "cancel")

    def test_external_order_id_is_unique_per_mode(self):
        test_order, _answer = self._create(self.test_key_a, external_order_id="X-1")
        real_order, answer = self._create(self.key_a, external_order_id="X-1")
        self.assertIs(answer["test"], False)
        self.assertNotEqual(test_order, real_order)
        for key in (self.test_key_a, self.key_a):
            self.assert_error(
                self.api(
                    "POST",
                    "order",
                    key=key,
                    body=self.order_body(external_order_id="X-1"),
                ),
                409,
                "duplicate_external_order_id",
            )

    def test_idempotency_keys_are_apart_per_mode(self):
        body = self.order_body(external_order_id="I-1")
        headers = {"Idempotency-Key": "same-key"}
        real = self.api("POST", "order", key=self.key_a, body=body, headers=headers)
        self.assertEqual(real.status_code, 201, real.text)
        test = self.api(
            "POST", "order", key=self.test_key_a, body=body, headers=headers
        )
        self.assertEqual(test.status_code, 201, test.text)
        self.assertNotIn("Idempotent-Replayed", test.headers)
        self.assertIs(test.json()["test"], True)
        self.assertNotEqual(
            test.json()["biomes_order_id"], real.json()["biomes_order_id"]
        )
        again = self.api(
            "POST", "order", key=self.test_key_a, body=body, headers=headers
        )
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again.json(), test.json())

    def test_batch_and_ubl_orders_of_a_test_key_are_test_orders(self):
        response = self.api(
            "POST",
            "orders/batch",
            key=self.test_key_a,
            body={"orders": [self.order_body(), self.order_body(amount=2)]},
        )
        self.assertEqual(response.status_code, 200, response.text)
        results = response.json()["results"]
        self.assertEqual([r["status"] for r in results], [201, 201])
        self.assertEqual([r["order"]["test"] for r in results], [True, True])
        orders = self.env["sale.order"].search(
            [("name", "in", [r["order"]["biomes_order_id"] for r in results])]
        )
        self.assertEqual(orders.mapped("order_api_test"), [True, True])
        self.assertEqual(set(orders.mapped("state")), {"sent"})
        self.assertFalse(orders.picking_ids)
        item = (
            '<cac:StandardItemIdentification><cbc:ID schemeID="0160">'
            f"{self.product_a.barcode}</cbc:ID></cac:StandardItemIdentification>"
        )
        response = self.api(
            "POST",
            "order",
            key=self.test_key_a,
            headers=XML,
            data=ubl_order("PO-T-1", lines=[(item, "2")], buyer="Partner A"),
        )
        self.assertEqual(response.status_code, 201, response.text)
        self.assertIs(response.json()["test"], True)
        ubl = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        self.assertTrue(ubl.order_api_test)
        self.assertFalse(ubl.picking_ids)

    def test_change_and_cancel_work_and_return_is_refused(self):
        order, _answer = self._create(self.test_key_a, amount=1)
        ref = {"identifiedBy": "biomes", "order_id": order.name}
        response = self.api(
            "POST",
            "order/change",
            key=self.test_key_a,
            body=dict(ref, lines=[{"ean": self.product_a.barcode, "amount": 3}]),
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["lines"][0]["quantity"], 3)
        self.assertIs(response.json()["test"], True)
        self.assertFalse(order.picking_ids, "a change reserves nothing either")
        response = self.api(
            "POST",
            "order/return",
            key=self.test_key_a,
            body=dict(ref, lines=[{"ean": self.product_a.barcode, "amount": 1}]),
        )
        self.assert_error(response, 409, "not_returnable")
        self.assertIn("test order", response.json()["error"]["message"])
        response = self.api("POST", "order/cancel", key=self.test_key_a, body=ref)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["status"], "cancelled")
        self.assertIs(response.json()["test"], True)
        self.assertEqual(order.state, "cancel")

    def test_webhooks_are_sent_for_test_orders(self):
        with WebhookReceiver() as receiver:
            self.receiver = receiver
            self._subscribe(key=self.test_key_a)
            order, answer = self._create(self.test_key_a)
            sent = self._send(receiver, 2)
            self.assertEqual(
                [kind for kind, _body, _request in sent],
                ["order.updated", "order.created"],
            )
            for _kind, body, _request in sent:
                self.assertEqual(body, answer)
                self.assertIs(body["test"], True)
            self.api(
                "POST",
                "order/cancel",
                key=self.test_key_a,
                body={"identifiedBy": "biomes", "order_id": order.name},
            )
            sent = self._send(receiver, 2)
            self.assertEqual(
                [kind for kind, _body, _request in sent],
                ["order.updated", "order.cancelled"],
            )
            self.assertEqual(sent[1][1]["status"], "cancelled")
            self.assertIs(sent[1][1]["test"], True)

    def test_event_log_of_each_mode(self):
        with WebhookReceiver() as receiver:  # its URL only: nothing is sent
            self.receiver = receiver
            self._subscribe(key=self.test_key_a)
            test_order, _answer = self._create(self.test_key_a)
            real_order, _answer = self._create(self.key_a)
        logged = {}
        for key in (self.key_a, self.test_key_a):
            response = self.api("GET", "webhook/events", key=key)
            self.assertEqual(response.status_code, 200, response.text)
            logged[key] = response.json()["events"]
        self.assertEqual(
            {e["biomes_order_id"] for e in logged[self.key_a]}, {real_order.name}
        )
        self.assertEqual(
            {e["biomes_order_id"] for e in logged[self.test_key_a]}, {test_order.name}
        )
        response = self.api(
            "POST",
            "webhook/events/redeliver",
            key=self.key_a,
            body={"event_id": logged[self.test_key_a][0]["id"]},
        )
        self.assert_error(response, 404, "not_found")

    def _age(self, orders, hours):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sale_order SET create_date = now() at time zone 'utc' - %s"
            " WHERE id = ANY(%s)",
            [datetime.timedelta(hours=hours), orders.ids],
        )
        orders.invalidate_recordset(["create_date"])

    def test_cron_cancels_test_orders_after_24_hours(self):
        with WebhookReceiver() as receiver:  # its URL only: nothing is sent
            self.receiver = receiver
            self._subscribe(key=self.test_key_a)
        old, _answer = self._create(self.test_key_a)
        young, _answer = self._create(self.test_key_a)
        real, _answer = self._create(self.key_a)
        self._age(old | real, 25)
        self._age(young, 23)
        SaleOrder = self.env["sale.order"]
        Event = self.env["partner.order.api.webhook.event"].sudo()
        cancelled = SaleOrder._cron_order_api_cancel_test_orders()
        self.assertEqual(cancelled, old)
        self.assertEqual(old.state, "cancel")
        self.assertEqual(young.state, "sent", "younger than 24 hours: kept")
        self.assertEqual(real.state, "sale", "real orders are never touched")
        self.assertEqual(
            Event.search(
                [("order_id", "=", old.id), ("event_type", "=", "order.cancelled")]
            ).mapped("order_id"),
            old,
            "order.cancelled is sent",
        )
        # idempotent: nothing more to do
        self.assertFalse(SaleOrder._cron_order_api_cancel_test_orders())
        # batched: one per run, the oldest first
        self._age(young, 30)
        other, _answer = self._create(self.test_key_a)
        self._age(other, 26)
        self.assertEqual(
            SaleOrder._cron_order_api_cancel_test_orders(batch_size=1), young
        )
        self.assertEqual(
            SaleOrder._cron_order_api_cancel_test_orders(batch_size=1), other
        )
        cron = self.env.ref("partner_order_api.ir_cron_cancel_test_orders")
        self.assertTrue(cron.active)

    def test_admins_see_test_orders_apart(self):
        test_order, _answer = self._create(self.test_key_a)
        real_order, _answer = self._create(self.key_a)
        action = self.env.ref("partner_order_api.action_order_api_test_orders")
        found = self.env["sale.order"].search(
            [
                *ast.literal_eval(action.domain),
                ("id", "in", (test_order | real_order).ids),
            ]
        )
        self.assertEqual(found, test_order)
        # the quotations open without test orders (a default filter)
        for xmlid in (
            "sale.action_quotations_with_onboarding",
            "sale.action_quotations",
        ):
            self.assertIn(
                "'search_default_order_api_real': 1", self.env.ref(xmlid).context
            )
        view = self.env["sale.order"].get_views([(False, "search")])["views"]["search"]
        self.assertIn('name="order_api_real"', view["arch"])
        self.assertIn('name="order_api_test"', view["arch"])
        form = self.env["sale.order"].get_views([(False, "form")])["views"]["form"]
        self.assertIn("web_ribbon", form["arch"])

    def test_portal_never_shows_test_orders(self):
        test_order, _answer = self._create(self.test_key_a)
        real_order, _answer = self._create(self.key_a)
        Orders = self.env["sale.order"].with_user(self.user_a)
        self.assertEqual(
            Orders.search([("id", "in", (test_order | real_order).ids)]), real_order
        )
        self.assertNotIn(self.user_a.partner_id, test_order.message_partner_ids)
        self.authenticate(self.user_a.login, "poa-a-password")
        response = self.url_open(f"/my/orders/{test_order.id}", allow_redirects=False)
        self.assertNotEqual(response.status_code, 200)
        response = self.url_open(f"/my/orders/{real_order.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 200)

    def test_read_only_and_unscoped_keys_are_live(self):
        """Read-only and unscoped keys read real orders only; a read-only
        key still may not write."""
        test_order, _answer = self._create(self.test_key_a)
        real_order, _answer = self._create(self.key_a)
        read_only = self._generate_key(self.user_a, scope="partner_order_api.readonly")
        unscoped = self._generate_key(self.user_a, scope=None)
        for key in (read_only, unscoped):
            listed = self.api("GET", "orders", key=key).json()["orders"]
            self.assertEqual([o["biomes_order_id"] for o in listed], [real_order.name])
            self.assert_error(self._status(test_order, key), 404, "not_found")
        self.assert_error(
            self.api("POST", "order", key=read_only, body=self.order_body()),
            403,
            "insufficient_scope",
        )
