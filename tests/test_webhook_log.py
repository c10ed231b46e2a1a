# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhook event log (``GET webhook/events``, ``POST
webhook/events/redeliver``; ``models/partner_order_api_webhook_log.py``):
every attempt, with a real receiver and the real sender; confined to the
caller's partner; 30 days; failed events sent again."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..lib import webhook
from .common_webhook_events import WebhookEventsCase
from .webhook_receiver import WebhookReceiver


@tagged("post_install", "-at_install")
class TestWebhookLog(WebhookEventsCase):
    def setUp(self):
        super().setUp()
        # refused once, then accepted
        self.receiver = WebhookReceiver(statuses=(500, 200))
        self.receiver.__enter__()
        self.addCleanup(self.receiver.__exit__, None, None, None)

    def _events(self, key=None, **params):
        response = self.api(
            "GET", "webhook/events", key=key or self.key_a, params=params
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def _due_now(self, events):
        events.sudo().write({"next_attempt_at": fields.Datetime.now()})

    def test_the_log_shows_each_attempt(self):
        self._subscribe(["order.created"])
        order, _created = self._order()
        self._send(self.receiver, 1)  # answered 500: retried later
        event = self.Event.search([("order_id", "=", order.id)])
        self.assertEqual(event.state, "pending")
        self._due_now(event)
        self._send(self.receiver, 1)  # answered 200
        log = self._events()
        [shown] = [e for e in log["events"] if e["biomes_order_id"] == order.name]
        self.assertEqual(shown["id"], event.message_id)
        self.assertEqual(shown["type"], "order.created")
        self.assertEqual(shown["state"], "delivered")
        self.assertEqual(shown["endpoint_id"], event.endpoint_id.id)
        self.assertTrue(event.endpoint_id)
        self.assertEqual([a["status_code"] for a in shown["attempts"]], [500, 200])
        self.assertTrue(shown["attempts"][0]["error"])
        self.assertIsNone(shown["attempts"][1]["error"])
        # the receiver is on the loopback (an allowed host): its answer stays
        # with the seller
        self.assertEqual({a["response_excerpt"] for a in shown["attempts"]}, {None})
        # filters
        self.assertEqual(
            [e["id"] for e in self._events(order_id=order.name)["events"]],
            [event.message_id],
        )
        self.assertFalse(self._events(status="failed")["events"])
        self.assertFalse(self._events(type="order.shipped")["events"])
        self.assertFalse(self._events(since="2099-01-01T00:00:00Z")["events"])
        self.assertEqual(
            self._events(status="delivered")["pagination"]["total_count"], 1
        )
        # another partner sees none of it, and cannot send it again
        self.assertFalse(self._events(key=self.key_b)["events"])
        response = self.api(
            "POST",
            "webhook/events/redeliver",
            key=self.key_b,
            body={"event_id": event.message_id},
        )
        self.assert_error(response, 404, "not_found")
        # older than the log's 30 days: gone from it
        self.env.cr.execute(
            "UPDATE partner_order_api_webhook_event SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=31), event.id),
        )
        self.assertFalse(self._events(order_id=order.name)["events"])

    def test_failed_events_sent_again(self):
        self._subscribe(["order.created"])
        first, _created = self._order()
        second, _created = self._order()
        events = self.Event.search([("order_id", "in", (first | second).ids)])
        # retries ran out: one failed attempt each
        events.sudo().write({"deadline": fields.Datetime.now() - timedelta(hours=1)})
        self.receiver.statuses = [500]
        with mute_logger(
            "odoo.addons.partner_order_api.models.partner_order_api_webhook_event"
        ):
            self._send(self.receiver, 2)
        self.assertEqual(set(events.mapped("state")), {"failed"})
        self.assertEqual(self._events(status="failed")["pagination"]["total_count"], 2)
        response = self.api(
            "POST",
            "webhook/events/redeliver",
            key=self.key_a,
            body={"since": "2020-01-01T00:00:00Z", "status": "failed"},
        )
        self.assertEqual(response.status_code, 202, response.text)
        self.assertEqual(response.json()["queued"], 2)
        self.assertEqual(set(events.mapped("state")), {"pending"})
        self.receiver.statuses = [200]
        sent = self._send(self.receiver, 2)
        # the same webhook-id, signed anew
        self.assertEqual(
            {request["headers"]["webhook-id"] for _kind, _body, request in sent},
            set(events.mapped("message_id")),
        )
        self.assertEqual(set(events.mapped("state")), {"done"})
        # one event again, though delivered
        response = self.api(
            "POST",
            "webhook/events/redeliver",
            key=self.key_a,
            body={"event_id": events[0].message_id},
        )
        self.assertEqual(response.json()["queued"], 1)
        self.assertEqual(events[0].state, "pending")
        # a time, and nothing failed since: nothing queued
        response = self.api(
            "POST",
            "webhook/events/redeliver",
            key=self.key_a,
            body={"since": "2020-01-01T00:00:00Z", "status": "failed"},
        )
        self.assertEqual(response.json()["queued"], 0)

    def test_redeliver_takes_one_way_of_choosing(self):
        for body in (
            {},
            {"event_id": "msg_x", "since": "2026-01-01T00:00:00Z"},
            {"since": "2026-01-01T00:00:00Z"},
            {"since": "2026-01-01T00:00:00Z", "status": "delivered"},
            {"event_id": "msg_x", "status": "failed"},
        ):
            response = self.api(
                "POST", "webhook/events/redeliver", key=self.key_a, body=body
            )
            self.assert_error(response, 400, "validation_error")
        response = self.api(
            "POST",
            "webhook/events/redeliver",
            key=self.key_a,
            body={"event_id": "msg_unknown"},
        )
        self.assert_error(response, 404, "not_found")

    def test_excerpt_kept_from_public_addresses_only(self):
        """What a receiver answered is shown only when it was reached at a
        public address: an address the seller allowed may be its own."""
        self._subscribe(["order.created"])
        order, _created = self._order()
        event = self.Event.search([("order_id", "=", order.id)])
        Attempt = self.env["partner.order.api.webhook.attempt"]
        public = Attempt._record(
            event,
            webhook.Result(
                status=400, error="HTTP 400", excerpt="bad sig", peer="8.8.8.8"
            ),
        )
        private = Attempt._record(
            event,
            webhook.Result(
                status=400, error="HTTP 400", excerpt="secret", peer="10.1.2.3"
            ),
        )
        self.assertEqual(public.response_excerpt, "bad sig")
        self.assertFalse(private.response_excerpt)
        self.assertTrue(webhook.public_peer("8.8.8.8"))
        self.assertFalse(webhook.public_peer("127.0.0.1"))
        self.assertFalse(webhook.public_peer(None))
