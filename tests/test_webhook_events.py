# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook event types and subscriptions (issue 15; the secret rotation:
``test_webhook_events_rotation.py``).

Real HTTP to the API, a real local receiver (webhook_receiver.py), the real
sender (the cron's method), signatures checked with the ``standardwebhooks``
library as a partner's receiver would."""

from odoo.tests import tagged

from .common_webhook_events import ALL_TYPES, WebhookEventsCase
from .webhook_receiver import WebhookReceiver


@tagged("post_install", "-at_install")
class TestWebhookEventTypes(WebhookEventsCase):
    def setUp(self):
        super().setUp()
        self.receiver = WebhookReceiver()
        self.receiver.__enter__()
        self.addCleanup(self.receiver.__exit__, None, None, None)

    def test_every_event_at_its_moment_for_the_default_subscription(self):
        """No event_types: all of them. Each moment of an API order sends its
        event, with the order_status body of that moment, nothing from inside
        the business transaction."""
        info = self._subscribe()
        self.assertEqual(info["event_types"], ALL_TYPES)
        self.assertFalse(self.partner_a.order_api_webhook_event_type_ids)

        order, created = self._order(
            product=self.kit, amount=2, external_order_id="E-1"
        )
        self.assertEqual(self.receiver.requests, [], "nothing sent inside the request")
        sent = self._send(self.receiver, 2)
        self.assertEqual(
            [kind for kind, _body, _request in sent],
            ["order.updated", "order.created"],
            "order.updated goes with every event",
        )
        for _kind, body, _request in sent:
            self.assertEqual(body, created, "the body is the create answer")
            self.assertEqual(body, self._status(order), "... the order_status body")
            self.assertEqual(body["status"], "confirmed")
        first_ids = {request["headers"]["webhook-id"] for _k, _b, request in sent}

        # a partial delivery, the rest in a backorder: order.updated as
        # before, and order.partially_shipped beside it
        self.deliver(order, lots={self.lot_kit_1: 1})
        self.assertEqual(self.receiver.requests[2:], [])
        sent = self._send(self.receiver, 2)
        self.assertEqual(
            [kind for kind, _body, _request in sent],
            ["order.updated", "order.partially_shipped"],
        )
        status = self._status(order)
        self.assertEqual(status["status"], "partially_shipped")
        for _kind, body, _request in sent:
            self.assertEqual(body, status)
        ids = {request["headers"]["webhook-id"] for _k, _b, request in sent}
        self.assertEqual(len(ids | first_ids), 4, "each event its own webhook-id")

        # the backorder: everything delivered
        self.deliver(order, lots={self.lot_kit_3: 1})
        sent = self._send(self.receiver, 2)
        self.assertEqual(
            [kind for kind, _body, _request in sent],
            ["order.updated", "order.shipped"],
        )
        status = self._status(order)
        self.assertEqual(status["status"], "shipped")
        self.assertEqual(status["sent_lots"], ["KB-0001", "KB-0003"])
        for _kind, body, _request in sent:
            self.assertEqual(body, status)

        # accounting posts the invoice
        self._invoice(order)
        self.assertEqual(len(self.receiver.requests), 6, "nothing sent by posting")
        sent = self._send(self.receiver, 2)
        self.assertEqual(
            [kind for kind, _body, _request in sent],
            ["order.updated", "order.invoiced"],
        )
        for _kind, body, _request in sent:
            self.assertEqual(body, self._status(order))
        logged = self.Event.search([("order_id", "=", order.id)], order="id")
        self.assertEqual(
            logged.mapped("event_type"),
            [
                "order.updated",
                "order.created",
                "order.updated",
                "order.partially_shipped",
                "order.updated",
                "order.shipped",
                "order.updated",
                "order.invoiced",
            ],
        )
        self.assertEqual(set(logged.mapped("state")), {"done"})

    def test_full_delivery_at_once_is_shipped(self):
        self._subscribe(["order.shipped", "order.partially_shipped"])
        order, _created = self._order(amount=3)
        self.deliver(order)
        [(kind, body, _request)] = self._send(self.receiver, 1)
        self.assertEqual((kind, body["status"]), ("order.shipped", "shipped"))

    def test_cancellation_sends_order_cancelled_with_order_updated(self):
        self._subscribe()
        order, _created = self._order(external_order_id="E-C")
        self._send(self.receiver, 2)  # order.updated, order.created
        response = self.api(
            "POST",
            "order/cancel",
            key=self.key_a,
            body={"identifiedBy": "external", "order_id": "E-C"},
        )
        self.assertEqual(response.status_code, 200, response.text)
        sent = self._send(self.receiver, 2)
        self.assertEqual(
            [kind for kind, _body, _request in sent],
            ["order.updated", "order.cancelled"],
        )
        for _kind, body, _request in sent:
            self.assertEqual(body, self._status(order))
            self.assertEqual(body["status"], "cancelled")

    def test_subscription_filters_the_events(self):
        info = self._subscribe(["order.invoiced", "order.shipped"])
        self.assertEqual(
            info["event_types"], ["order.shipped", "order.invoiced", "ping"]
        )
        self.assertEqual(
            self.partner_a.order_api_webhook_event_type_ids.mapped("code"),
            ["order.shipped", "order.invoiced"],
        )
        order, _created = self._order(product=self.kit, amount=2)
        self.deliver(order, lots={self.lot_kit_1: 1})
        self.Event._cron_send()
        self.assertFalse(self.Event.search([("order_id", "=", order.id)]))
        self.deliver(order, lots={self.lot_kit_3: 1})
        [(kind, _body, _request)] = self._send(self.receiver, 1)
        self.assertEqual(kind, "order.shipped")
        self._invoice(order)
        [(kind, _body, _request)] = self._send(self.receiver, 1)
        self.assertEqual(kind, "order.invoiced")
        # the test ping is always sent, whatever the subscription
        ping = self.api("POST", "webhook/test", key=self.key_a).json()
        self.assertTrue(ping["delivered"])
        self.assertEqual(
            self.receiver.requests[-1]["headers"]["x-webhook-event"], "ping"
        )

    def test_clients_that_know_only_order_updated_hear_of_every_change(self):
        """A subscription to order.updated alone (what a client written
        before event types knows) receives one order.updated per change:
        creation, each validated delivery (as before), invoicing and
        cancellation, with the same headers and the order_status body of
        that moment."""
        info = self._subscribe(["order.updated"])
        self.assertEqual(info["event_types"], ["order.updated", "ping"])
        order, _created = self._order(product=self.kit, amount=2)
        self.deliver(order, lots={self.lot_kit_1: 1})
        self.deliver(order, lots={self.lot_kit_3: 1})
        self._invoice(order)
        other, _created = self._order(external_order_id="E-OLD")
        self.api(
            "POST",
            "order/cancel",
            key=self.key_a,
            body={"identifiedBy": "external", "order_id": "E-OLD"},
        )
        sent = self._send(self.receiver, 6)
        self.assertEqual(
            [
                (kind, body["biomes_order_id"], body["status"])
                for kind, body, _r in sent
            ],
            [
                ("order.updated", order.name, "confirmed"),
                ("order.updated", order.name, "partially_shipped"),
                ("order.updated", order.name, "shipped"),
                ("order.updated", order.name, "shipped"),
                ("order.updated", other.name, "confirmed"),
                ("order.updated", other.name, "cancelled"),
            ],
        )
        for _kind, _body, request in sent:
            self.assertEqual(
                set(request["headers"])
                & {"webhook-id", "webhook-timestamp", "webhook-signature"},
                {"webhook-id", "webhook-timestamp", "webhook-signature"},
            )
            self.assertEqual(len(request["headers"]["webhook-signature"].split()), 1)

    def test_invoice_events_one_per_posting_and_never_for_credit_notes(self):
        self._subscribe(["order.invoiced"])
        order, _created = self._order(amount=2)
        invoice = self._invoice(order)
        # posted again after a correction: a second event
        invoice.button_draft()
        invoice.action_post()
        # a credit note is not an invoice
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "test"})
        )
        refund = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        refund.action_post()
        self.assertEqual(refund.state, "posted")
        events = self.Event.search([("order_id", "=", order.id)])
        self.assertEqual(events.mapped("event_type"), ["order.invoiced"] * 2)
        sent = self._send(self.receiver, 2)
        self.assertEqual({kind for kind, _b, _r in sent}, {"order.invoiced"})
        # no event for an order entered in Odoo
        manual = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_a, 1)]
        )
        self._invoice(manual)
        self.assertFalse(self.Event.search([("order_id", "=", manual.id)]))

    def test_posting_is_not_held_by_a_hanging_receiver(self):
        with WebhookReceiver(hang=30) as hanging:
            self.partner_a.order_api_webhook_url = hanging.url
            order, _created = self._order()
            invoice = self._invoice(order)
            self.assertEqual(hanging.requests, [])
        self.assertEqual(invoice.state, "posted")
        event = self.Event.search(
            [("order_id", "=", order.id), ("event_type", "=", "order.invoiced")]
        )
        self.assertEqual(event.state, "pending")

    def test_put_event_types_validation(self):
        self._subscribe(["order.shipped"])
        for event_types in ([], ["order.refunded"], "order.shipped", [1], {"a": 1}):
            with self.subTest(event_types=event_types):
                response = self.api(
                    "PUT",
                    "webhook",
                    key=self.key_a,
                    body={"url": self.receiver.url, "event_types": event_types},
                )
                self.assert_error(response, 400, "validation_error")
                error = response.json()["error"]
                self.assertIn("event_types", error["message"])
                self.assertEqual(error["details"][0]["field"], "event_types")
        self.assertEqual(
            self.partner_a.order_api_webhook_event_type_ids.mapped("code"),
            ["order.shipped"],
        )
        got = self.api("GET", "webhook", key=self.key_a).json()
        self.assertEqual(got["event_types"], ["order.shipped", "ping"])
        # listing every order event is all; so is leaving event_types out
        self._subscribe(ALL_TYPES[:-1])
        self.assertFalse(self.partner_a.order_api_webhook_event_type_ids)
        self._subscribe(["order.created"])
        info = self._subscribe()
        self.assertEqual(info["event_types"], ALL_TYPES)
        self.assertFalse(self.partner_a.order_api_webhook_event_type_ids)
        # null too; ping alone receives no order event
        info = self._subscribe(["ping"])
        self.assertEqual(info["event_types"], ["ping"])
        self._order()
        self.assertFalse(self.Event.search([("partner_id", "=", self.partner_a.id)]))
        response = self.api(
            "PUT",
            "webhook",
            key=self.key_a,
            body={"url": self.receiver.url, "event_types": None},
        )
        self.assertEqual(response.json()["event_types"], ALL_TYPES)
