# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import contextlib
import logging
import time
from datetime import timedelta

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..lib.pg_slots import slot
from ..lib.webhook import Result
from ..models.partner_order_api_webhook_event import TIMEOUT
from ..models.partner_order_api_webhook_ping import NOT_DELIVERED
from .common import PartnerOrderApiCase
from .webhook_receiver import WebhookReceiver, closed_port_url

EVENT_LOGGER = "odoo.addons.partner_order_api.models.partner_order_api_webhook_event"


EVENT_LOGGER = "odoo.addons.partner_order_api.models.partner_order_api_webhook_event"


@contextlib.contextmanager
def _statements(seen):
    """Record ``(time.monotonic(), statement)`` of every SQL statement run
    meanwhile (Odoo logs them on ``odoo.sql_db`` at DEBUG)."""

    class Recorder(logging.Handler):
        def emit(self, record):
            message = record.getMessage()
            seen.append((time.monotonic(), message.split(": ", 1)[-1]))

    logger = logging.getLogger("odoo.sql_db")
    handler = Recorder(logging.DEBUG)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


@tagged("post_install", "-at_install")
class TestWebhook(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("partner_order_api.webhook_allow_http", "True")
        params.set_param("partner_order_api.webhook_allowed_hosts", "127.0.0.1")
        cls.Event = cls.env["partner.order.api.webhook.event"]
        cls.cron = cls.env.ref("partner_order_api.ir_cron_webhook_send")
        # these tests are the delivery guarantees of the webhook, run with
        # one event per validated delivery: a subscription to the delivery
        # events alone (test_webhook_events.py covers the others, and the
        # order.updated sent beside each)
        cls.partner_a._order_api_set_webhook_event_types(
            ["order.partially_shipped", "order.shipped"]
        )

    def _order(self, product=None, amount=1, external_order_id=None):
        body = self.order_body(
            ean=(product or self.product_a).barcode,
            amount=amount,
            external_order_id=external_order_id,
        )
        response = self.api("POST", "order", key=self.key_a, body=body)
        self.assertEqual(response.status_code, 201, response.text)
        return self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )

    def _status(self, order, key=None):
        return self.api(
            "GET",
            "order_status",
            key=key or self.key_a,
            params={"identifiedBy": "biomes", "order_id": order.name},
        ).json()

    def _events(self, order):
        return self.Event.search([("order_id", "=", order.id)], order="id")

    def _verify(self, request, partner=None):
        secret = (partner or self.partner_a).sudo().order_api_webhook_secret
        self.assertTrue(secret.startswith("whsec_"))
        return Webhook(secret).verify(request["body"], request["headers"])

    def _make_due(self, events):
        events.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})

    def test_validated_delivery_posts_signed_order_status(self):
        with WebhookReceiver() as receiver:
            self.partner_a.order_api_webhook_url = receiver.url
            order = self._order(amount=2, external_order_id="WH-1")
            triggers_before = self.env["ir.cron.trigger"].search_count(
                [("cron_id", "=", self.cron.id)]
            )
            self.deliver(order)
            event = self._events(order)
            self.assertEqual(len(event), 1)
            self.assertEqual(event.state, "pending")
            # the sender cron is woken at once
            self.assertGreater(
                self.env["ir.cron.trigger"].search_count(
                    [("cron_id", "=", self.cron.id)]
                ),
                triggers_before,
            )
            self.assertEqual(
                receiver.requests, [], "nothing is sent inside the validation"
            )
            self.Event._cron_send()
            requests = receiver.wait_for(1)
        self.assertEqual(len(requests), 1)
        request = requests[0]
        payload = self._verify(request)
        self.assertEqual(payload, self._status(order))
        self.assertEqual(payload["status"], "shipped")
        self.assertEqual(payload["external_order_id"], "WH-1")
        self.assertEqual(request["headers"]["webhook-id"], event.message_id)
        self.assertEqual(request["headers"]["x-webhook-event"], "order.shipped")
        self.assertTrue(
            request["headers"]["content-type"].startswith("application/json")
        )
        self.assertEqual(
            (event.state, event.attempt_count, event.last_status_code),
            ("done", 1, 200),
        )
        self.assertTrue(event.delivered_at)

    def test_forged_signature_is_detected(self):
        with WebhookReceiver() as receiver:
            self.partner_a.order_api_webhook_url = receiver.url
            self.deliver(self._order())
            self.Event._cron_send()
            request = receiver.wait_for(1)[0]
        tampered = dict(
            request, body=request["body"].replace(b'"shipped"', b'"cancelled"')
        )
        with self.assertRaises(WebhookVerificationError):
            self._verify(tampered)
        other_secret = "whsec_" + "A" * 43 + "="
        with self.assertRaises(WebhookVerificationError):
            Webhook(other_secret).verify(request["body"], request["headers"])

    def test_500_then_200_same_webhook_id(self):
        with WebhookReceiver(statuses=(500, 200)) as receiver:
            self.partner_a.order_api_webhook_url = receiver.url
            order = self._order()
            self.deliver(order)
            event = self._events(order)
            with mute_logger(EVENT_LOGGER):
                self.Event._cron_send()
            self.assertEqual(
                (event.state, event.attempt_count, event.last_status_code),
                ("pending", 1, 500),
            )
            self.assertEqual(event.last_error, "HTTP 500")
            delay = event.next_attempt_at - event.last_attempt_at
            self.assertEqual(delay, timedelta(minutes=1))
            # not due yet: the cron leaves it alone
            self.Event._cron_send()
            self.assertEqual(len(receiver.requests), 1)
            self._make_due(event)
            self.Event._cron_send()
            requests = receiver.wait_for(2)
        self.assertEqual(len(requests), 2)
        self.assertEqual(
            requests[0]["headers"]["webhook-id"], requests[1]["headers"]["webhook-id"]
        )
        self.assertEqual(requests[0]["body"], requests[1]["body"])
        for request in requests:
            self._verify(request)
        self.assertEqual(
            (event.state, event.attempt_count, event.last_status_code), ("done", 2, 200)
        )

    def test_receiver_down_then_picked_up_by_the_cron(self):
        self.partner_a.order_api_webhook_url = closed_port_url()
        order = self._order()
        self.deliver(order)
        event = self._events(order)
        with mute_logger(EVENT_LOGGER):
            self.Event._cron_send()
        self.assertEqual(event.state, "pending")
        self.assertIn("connection error", event.last_error)
        # the receiver is back (here: at a new address), the retry time comes
        with WebhookReceiver() as receiver:
            self.partner_a.order_api_webhook_url = receiver.url
            self._make_due(event)
            self.Event._cron_send()
            requests = receiver.wait_for(1)
        self.assertEqual(len(requests), 1)
        self.assertEqual(requests[0]["headers"]["webhook-id"], event.message_id)
        self.assertEqual(event.state, "done")

    def test_hanging_receiver_does_not_touch_the_validation(self):
        with WebhookReceiver(hang=TIMEOUT + 1) as receiver:
            self.partner_a.order_api_webhook_url = receiver.url
            order = self._order()
            picking = self.deliver(order)
            self.assertEqual(picking.state, "done")
            self.assertEqual(receiver.requests, [])
            event = self._events(order)
            with mute_logger(EVENT_LOGGER):
                self.Event._cron_send()
            self.assertEqual(
                event.last_error,
                f"timeout: no complete answer within {TIMEOUT} s (still waiting "
                "for the status line and headers at the deadline)",
            )
            self.assertEqual(event.state, "pending")
        self.assertEqual(picking.state, "done")
        self.assertEqual(order.order_line.qty_delivered, 1)

    def test_rolled_back_validation_sends_nothing(self):
        with WebhookReceiver() as receiver:
            self.partner_a.order_api_webhook_url = receiver.url
            order = self._order()
            with self.assertRaises(RuntimeError), self.env.cr.savepoint():
                self.deliver(order)
                self.assertEqual(len(self._events(order)), 1)
                raise RuntimeError(
                    "the warehouse transaction fails after the validation"
                )
            self.env.invalidate_all()
            self.assertFalse(self._events(order))
            self.Event._cron_send()
            self.assertEqual(receiver.requests, [])

    def test_partial_delivery_then_backorder_send_two_events(self):
        with WebhookReceiver() as receiver:
            self.partner_a.order_api_webhook_url = receiver.url
            order = self._order(product=self.kit, amount=2)
            self.deliver(order, lots={self.lot_kit_1: 1})
            self.deliver(order, lots={self.lot_kit_3: 1})
            events = self._events(order)
            self.assertEqual(len(events), 2)
            self.Event._cron_send()
            requests = receiver.wait_for(2)
        bodies = [self._verify(request) for request in requests]
        self.assertEqual(
            [b["status"] for b in bodies], ["partially_shipped", "shipped"]
        )
        self.assertEqual(bodies[0]["sent_lots"], ["KB-0001"])
        self.assertEqual(bodies[1]["sent_lots"], ["KB-0001", "KB-0003"])
        self.assertEqual(len({r["headers"]["webhook-id"] for r in requests}), 2)

    def test_no_event_without_url_or_for_other_orders(self):
        order = self._order()
        self.deliver(order)
        self.assertFalse(self._events(order))
        # an order entered in Odoo is not an API order
        self.partner_a.order_api_webhook_url = "http://127.0.0.1:9/hook"
        manual = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_a, 1)]
        )
        self.deliver(manual)
        self.assertFalse(self._events(manual))

    def test_retry_schedule_then_failed(self):
        self.partner_a.order_api_webhook_url = "http://127.0.0.1:9/hook"
        order = self._order()
        self.deliver(order)
        event = self._events(order)
        delays = []
        with mute_logger(EVENT_LOGGER):
            while event.state == "pending" and len(delays) < 30:
                self.assertTrue(event._start_attempt())
                event._finish_attempt(Result(status=503, error="HTTP 503"))
                if event.next_attempt_at:
                    delays.append(event.next_attempt_at - event.last_attempt_at)
                    # time passes until the next attempt
                    event.deadline -= delays[-1]
        self.assertEqual(
            delays[:7],
            [
                timedelta(minutes=1),
                timedelta(minutes=5),
                timedelta(minutes=30),
                timedelta(hours=2),
                timedelta(hours=5),
                timedelta(hours=10),
                timedelta(hours=10),
            ],
        )
        self.assertEqual(event.state, "failed")
        total = sum(delays, timedelta())
        self.assertGreater(total, timedelta(days=2, hours=12))
        self.assertLessEqual(total, timedelta(days=3))

    def test_redeliver(self):
        with WebhookReceiver() as receiver:
            self.partner_a.order_api_webhook_url = receiver.url
            order = self._order()
            self.deliver(order)
            event = self._events(order)
            self.Event._cron_send()
            event.action_redeliver()
            self.assertEqual(event.state, "pending")
            self.Event._cron_send()
            requests = receiver.wait_for(2)
        self.assertEqual(len(requests), 2)
        self.assertEqual(requests[1]["headers"]["webhook-id"], event.message_id)
        self.assertEqual(event.state, "done")

    def test_only_sales_managers_redeliver(self):
        self.partner_a.order_api_webhook_url = "http://127.0.0.1:9/hook"
        order = self._order()
        self.deliver(order)
        event = self._events(order)
        salesman = new_test_user(
            self.env, login="poa-wh-salesman", groups="sales_team.group_sale_salesman"
        )
        manager = new_test_user(
            self.env, login="poa-wh-manager", groups="sales_team.group_sale_manager"
        )
        self.assertEqual(
            event.with_user(salesman).state, "pending"
        )  # salespeople read the log
        with self.assertRaises(AccessError):
            event.with_user(salesman).action_redeliver()
        event.with_user(manager).action_redeliver()
        self.assertEqual(event.state, "pending")

    def test_private_addresses_refused_unless_allowed(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("partner_order_api.webhook_allowed_hosts", "")
        for url in (
            "http://127.0.0.1:8080/hook",
            "https://10.1.2.3/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/hook",
            "https://localhost/hook",
            "ftp://partner.example/hook",
        ):
            with self.assertRaises(ValidationError, msg=url):
                self.partner_a.order_api_webhook_url = url
        params.set_param(
            "partner_order_api.webhook_allowed_hosts", "10.0.0.0/8, localhost"
        )
        self.partner_a.order_api_webhook_url = "https://10.1.2.3/hook"
        self.partner_a.order_api_webhook_url = "https://localhost/hook"
        params.set_param("partner_order_api.webhook_allow_http", "False")
        with self.assertRaises(ValidationError):
            self.partner_a.order_api_webhook_url = "http://10.1.2.3/hook"

    def test_url_checked_again_at_delivery_time(self):
        with WebhookReceiver() as receiver:
            self.partner_a.order_api_webhook_url = receiver.url
            order = self._order()
            self.deliver(order)
            # the admin withdraws the allowance before the event is sent
            self.env["ir.config_parameter"].sudo().set_param(
                "partner_order_api.webhook_allowed_hosts", ""
            )
            event = self._events(order)
            with mute_logger(EVENT_LOGGER):
                self.Event._cron_send()
            self.assertEqual(receiver.requests, [])
        self.assertIn("private", event.last_error)
        self.assertEqual(event.state, "pending")


@tagged("post_install", "-at_install")
class TestWebhookApi(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("partner_order_api.webhook_allow_http", "True")
        params.set_param("partner_order_api.webhook_allowed_hosts", "127.0.0.1")

    def test_register_read_and_delete(self):
        response = self.api("GET", "webhook", key=self.key_a)
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.json()["url"])
        self.assertFalse(response.json()["signing_secret_set"])
        put = self.api(
            "PUT", "webhook", key=self.key_a, body={"url": "http://127.0.0.1:8765/hook"}
        )
        self.assertEqual(put.status_code, 200, put.text)
        secret = put.json()["signing_secret"]
        self.assertTrue(secret.startswith("whsec_"))
        self.assertEqual(
            self.partner_a.order_api_webhook_url, "http://127.0.0.1:8765/hook"
        )
        self.assertEqual(self.partner_a.sudo().order_api_webhook_secret, secret)
        # the secret is shown once
        again = self.api(
            "PUT", "webhook", key=self.key_a, body={"url": "http://127.0.0.1:8766/hook"}
        )
        self.assertNotIn("signing_secret", again.json())
        self.assertEqual(self.partner_a.sudo().order_api_webhook_secret, secret)
        got = self.api("GET", "webhook", key=self.key_a).json()
        self.assertEqual(got["url"], "http://127.0.0.1:8766/hook")
        self.assertTrue(got["signing_secret_set"])
        self.assertNotIn("signing_secret", got)
        # the other partner's webhook is its own
        self.assertIsNone(self.api("GET", "webhook", key=self.key_b).json()["url"])
        deleted = self.api("DELETE", "webhook", key=self.key_a)
        self.assertEqual(deleted.status_code, 200)
        self.assertIsNone(deleted.json()["url"])
        self.assertFalse(self.partner_a.order_api_webhook_url)

    def test_bad_urls_and_bodies(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "partner_order_api.webhook_allowed_hosts", ""
        )
        for body in (
            {},
            {"url": None},
            {"url": 42},
            {"url": ""},
            {"url": "not a url"},
            {"url": "ftp://partner.example/x"},
        ):
            response = self.api("PUT", "webhook", key=self.key_a, body=body)
            self.assert_error(response, 400, "validation_error")
        # well formed, but the server will not call them: 422, not 400
        rejected = "http://127.0.0.1/h https://192.168.1.1/h https://no-such.example/h"
        rejected += " https://user:pw@partner.example/h https://partner.example:99999/h"
        for url in rejected.split():
            response = self.api("PUT", "webhook", key=self.key_a, body={"url": url})
            self.assert_error(response, 422, "webhook_url_rejected")
            self.assertEqual(response.json()["error"]["details"][0]["field"], "url")
        response = self.api(
            "PUT",
            "webhook",
            key=self.key_a,
            data=b"[1]",
            headers={"Content-Type": "application/json"},
        )
        self.assert_error(response, 400, "validation_error")
        self.assertFalse(self.partner_a.order_api_webhook_url)

    def test_auth_and_methods(self):
        self.assert_error(self.api("GET", "webhook"), 401, "unauthorized")
        self.assert_error(
            self.api("PUT", "webhook", key=self.key_off, body={"url": "x"}),
            403,
            "forbidden",
        )
        self.assert_error(
            self.api("POST", "webhook", key=self.key_a, check=False),
            405,
            "method_not_allowed",
        )
        self.assert_error(
            self.api("GET", "webhook/test", key=self.key_a, check=False),
            405,
            "method_not_allowed",
        )

    def test_send_test_event(self):
        self.assert_error(
            self.api("POST", "webhook/test", key=self.key_a), 409, "webhook_not_set"
        )
        with WebhookReceiver() as receiver:
            self.api("PUT", "webhook", key=self.key_a, body={"url": receiver.url})
            response = self.api("POST", "webhook/test", key=self.key_a)
            requests = receiver.wait_for(1)
        self.assertEqual(response.status_code, 200)
        result = response.json()
        self.assertTrue(result["delivered"])
        self.assertEqual(result["status_code"], 200)
        self.assertEqual(len(requests), 1)
        secret = self.partner_a.sudo().order_api_webhook_secret
        body = Webhook(secret).verify(requests[0]["body"], requests[0]["headers"])
        self.assertEqual(body["event"], "ping")
        self.assertEqual(requests[0]["headers"]["x-webhook-event"], "ping")
        self.assertEqual(requests[0]["headers"]["webhook-id"], result["webhook_id"])
        logged = self.env["partner.order.api.webhook.event"].search(
            [("message_id", "=", result["webhook_id"])]
        )
        self.assertEqual((logged.event_type, logged.state), ("ping", "done"))

    def test_send_test_event_to_a_failing_receiver(self):
        with WebhookReceiver(statuses=(500,)) as receiver:
            self.api("PUT", "webhook", key=self.key_a, body={"url": receiver.url})
            response = self.api("POST", "webhook/test", key=self.key_a)
        result = response.json()
        self.assertFalse(result["delivered"])
        self.assertEqual(result["status_code"], 500)
        self.assertEqual(result["error"], NOT_DELIVERED)

    def test_test_answer_tells_delivered_and_status_only(self):
        # a refused connection and a receiver's 500 get the same coarse
        # error: no connection detail, no timing (nothing for a port scan)
        self.partner_a.order_api_webhook_url = closed_port_url()
        with mute_logger(EVENT_LOGGER):
            refused = self.api("POST", "webhook/test", key=self.key_a).json()
        self.assertEqual(
            set(refused),
            {"success", "delivered", "webhook_id", "url", "status_code", "error"},
        )
        self.assertEqual(
            (refused["delivered"], refused["status_code"], refused["error"]),
            (False, None, NOT_DELIVERED),
        )
        # the administrators' log keeps the details
        logged = self.env["partner.order.api.webhook.event"].search(
            [("message_id", "=", refused["webhook_id"])]
        )
        self.assertTrue(logged.last_error)
        self.assertNotEqual(logged.last_error, NOT_DELIVERED)
        with WebhookReceiver() as receiver:
            self.partner_a.order_api_webhook_url = receiver.url
            delivered = self.api("POST", "webhook/test", key=self.key_a).json()
        self.assertEqual(
            (delivered["delivered"], delivered["status_code"], delivered["error"]),
            (True, 200, None),
        )
        self.assertNotIn("response_time_ms", delivered)

    def test_one_test_in_flight_per_partner(self):
        Event = self.env["partner.order.api.webhook.event"]
        with WebhookReceiver() as receiver:
            self.partner_a.order_api_webhook_url = receiver.url
            self.partner_b.sudo().order_api_webhook_url = receiver.url
            # another worker (or server) sends A's test now: it holds A's slot
            with slot(self.env.cr.dbname, "webhook_test", self.partner_a.id, 1) as held:
                self.assertTrue(held)
                before = Event.search_count([("event_type", "=", "ping")])
                refused = self.api("POST", "webhook/test", key=self.key_a)
                # B's test is not A's to wait for
                other = self.api("POST", "webhook/test", key=self.key_b)
                self.assertEqual(len(receiver.wait_for(1)), 1)
                self.assertEqual(
                    Event.search_count([("event_type", "=", "ping")]), before + 1
                )
            self.assert_error(refused, 429, "concurrency_limited")
            self.assertEqual(refused.headers["Retry-After"], str(TIMEOUT))
            self.assertTrue(other.json()["delivered"])
            self.assertEqual(
                receiver.requests[0]["headers"]["webhook-id"],
                other.json()["webhook_id"],
            )
            # once A's other test is over, A's next one goes
            again = self.api("POST", "webhook/test", key=self.key_a)
            self.assertTrue(again.json()["delivered"])
            self.assertEqual(len(receiver.wait_for(2)), 2)

    def test_pings_do_not_fill_the_event_log(self):
        Event = self.env["partner.order.api.webhook.event"]
        with WebhookReceiver() as receiver:
            self.partner_a.order_api_webhook_url = receiver.url
            self.partner_b.sudo().order_api_webhook_url = receiver.url
            b_ping = Event._send_ping(self.partner_b)
            for __ in range(40):
                last = Event._send_ping(self.partner_a)
            answer = self.api("POST", "webhook/test", key=self.key_a).json()
            receiver.wait_for(42)
        pings = Event.search(
            [("partner_id", "=", self.partner_a.id), ("event_type", "=", "ping")]
        )
        self.assertEqual(pings.mapped("message_id"), [answer["webhook_id"]])
        self.assertFalse(last.exists())
        # another partner's ping and every order event stay
        self.assertTrue(b_ping.exists())

    def test_first_ping_writes_the_new_secret_after_the_call(self):
        # an admin set the URL: no secret yet; the ping makes it, and it is
        # stored only once the receiver answered (no row written, so none
        # locked, while the worker waits)
        partner_sudo = self.partner_a.sudo()
        partner_sudo.order_api_webhook_secret = False
        self.env.flush_all()
        seen = []
        with WebhookReceiver() as receiver:
            partner_sudo.order_api_webhook_url = receiver.url
            self.env.flush_all()
            with _statements(seen):
                event = self.env["partner.order.api.webhook.event"]._send_ping(
                    self.partner_a
                )
            [request] = receiver.wait_for(1)
        secret = partner_sudo.order_api_webhook_secret
        self.assertTrue(secret)
        Webhook(secret).verify(request["body"], request["headers"])
        self.assertEqual(event.state, "done")
        writes = [
            at
            for at, query in seen
            if query.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        ]
        self.assertTrue(writes)
        self.assertGreater(min(writes), request["received_at"])
