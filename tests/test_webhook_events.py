# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook event types, subscriptions and secret rotation (issue 15).

Real HTTP to the API, a real local receiver (webhook_receiver.py), the real
sender (the cron's method), signatures checked with the ``standardwebhooks``
library as a partner's receiver would."""

import json
from datetime import timedelta

from lxml import etree
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import PartnerOrderApiCase
from .test_portal import PortalSectionCase
from .webhook_receiver import WebhookReceiver

ALL_TYPES = [
    "order.updated",
    "order.created",
    "order.partially_shipped",
    "order.shipped",
    "order.cancelled",
    "order.invoiced",
    "ping",
]


class WebhookEventsCase(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("partner_order_api.webhook_allow_http", "True")
        params.set_param("partner_order_api.webhook_allowed_hosts", "127.0.0.1")
        cls.Event = cls.env["partner.order.api.webhook.event"]

    def _order(self, product=None, amount=1, external_order_id=None):
        body = self.order_body(
            ean=(product or self.product_a).barcode,
            amount=amount,
            external_order_id=external_order_id,
        )
        response = self.api("POST", "order", key=self.key_a, body=body)
        self.assertEqual(response.status_code, 201, response.text)
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        return order, response.json()

    def _status(self, order):
        return self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": order.name},
        ).json()

    def _send(self, receiver, count):
        """Run the sender; the requests that arrived, as
        ``(X-Webhook-Event, body, request)``, in the order they arrived.
        ``count``: how many are expected (more is a failure too)."""
        before = len(receiver.requests)
        self.Event._cron_send()
        requests = receiver.wait_for(before + count, timeout=10)[before:]
        self.assertEqual(
            len(requests),
            count,
            [r["headers"]["x-webhook-event"] for r in requests],
        )
        secret = self.partner_a.sudo().order_api_webhook_secret
        return [
            (
                request["headers"]["x-webhook-event"],
                Webhook(secret).verify(request["body"], request["headers"]),
                request,
            )
            for request in requests
        ]

    def _invoice(self, order):
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        return invoice

    def _subscribe(self, event_types=None, key=None):
        body = {"url": self.receiver.url}
        if event_types is not None:
            body["event_types"] = event_types
        response = self.api("PUT", "webhook", key=key or self.key_a, body=body)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()


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


@tagged("post_install", "-at_install")
class TestWebhookSecretRotation(WebhookEventsCase):
    def setUp(self):
        super().setUp()
        self.receiver = WebhookReceiver()
        self.receiver.__enter__()
        self.addCleanup(self.receiver.__exit__, None, None, None)

    def _signatures(self, request):
        return request["headers"]["webhook-signature"].split(" ")

    def _assert_verifies(self, request, secret, verifies=True):
        webhook = Webhook(secret)
        if verifies:
            self.assertEqual(
                webhook.verify(request["body"], request["headers"]),
                json.loads(request["body"]),
            )
        else:
            with self.assertRaises(WebhookVerificationError):
                webhook.verify(request["body"], request["headers"])

    def test_rotate_endpoint_dual_signatures_during_the_overlap_then_one(self):
        old = self._subscribe(["order.created", "order.shipped"])["signing_secret"]
        response = self.api("POST", "webhook/rotate_secret", key=self.key_a)
        self.assertEqual(response.status_code, 200, response.text)
        rotated = response.json()
        new = rotated["signing_secret"]
        self.assertTrue(new.startswith("whsec_"))
        self.assertNotEqual(new, old)
        self.assertEqual(rotated["url"], self.receiver.url)
        self.assertEqual(
            rotated["event_types"], ["order.created", "order.shipped", "ping"]
        )
        partner_sudo = self.partner_a.sudo()
        self.assertEqual(partner_sudo.order_api_webhook_secret, new)
        self.assertEqual(partner_sudo.order_api_webhook_previous_secret, old)
        expiry = partner_sudo.order_api_webhook_previous_secret_expiry
        self.assertLess(
            abs(expiry - (fields.Datetime.now() + timedelta(hours=24))),
            timedelta(minutes=5),
        )
        self.assertEqual(
            rotated["previous_secret_expires_at"],
            expiry.replace(microsecond=0).isoformat() + "Z",
        )
        # shown once: GET tells the overlap, not the secret
        got = self.api("GET", "webhook", key=self.key_a).json()
        self.assertNotIn("signing_secret", got)
        self.assertEqual(
            got["previous_secret_expires_at"], rotated["previous_secret_expires_at"]
        )

        # during the overlap: two signatures; a receiver holding only the
        # old secret and one holding only the new one both accept it
        order, _created = self._order()
        self.Event._cron_send()
        [request] = self.receiver.wait_for(1)
        self.assertEqual(len(self._signatures(request)), 2)
        self.assertTrue(all(s.startswith("v1,") for s in self._signatures(request)))
        self._assert_verifies(request, old)
        self._assert_verifies(request, new)
        self._assert_verifies(request, "whsec_" + "A" * 43 + "=", verifies=False)
        # so does the test ping
        self.api("POST", "webhook/test", key=self.key_a)
        ping = self.receiver.wait_for(2)[1]
        self._assert_verifies(ping, old)
        self._assert_verifies(ping, new)

        # after the overlap: the new secret alone (also on a retry of an
        # event first sent during it: same webhook-id, one signature)
        partner_sudo.order_api_webhook_previous_secret_expiry = (
            fields.Datetime.now() - timedelta(seconds=1)
        )
        self.assertIsNone(
            self.api("GET", "webhook", key=self.key_a).json()[
                "previous_secret_expires_at"
            ]
        )
        event = self.Event.search([("order_id", "=", order.id)])
        event.action_redeliver()
        self.deliver(order)
        self.Event._cron_send()
        requests = self.receiver.wait_for(4)[2:]
        self.assertEqual(len(requests), 2)
        self.assertEqual(requests[0]["headers"]["webhook-id"], event.message_id)
        for request in requests:
            self.assertEqual(len(self._signatures(request)), 1)
            self._assert_verifies(request, new)
            self._assert_verifies(request, old, verifies=False)

    def test_second_rotation_keeps_only_the_secret_it_replaces(self):
        first = self._subscribe()["signing_secret"]
        second = self.api("POST", "webhook/rotate_secret", key=self.key_a).json()
        third = self.api("POST", "webhook/rotate_secret", key=self.key_a).json()
        partner_sudo = self.partner_a.sudo()
        self.assertEqual(
            partner_sudo.order_api_webhook_previous_secret, second["signing_secret"]
        )
        self.assertEqual(
            partner_sudo._order_api_webhook_signing_secrets(),
            [third["signing_secret"], second["signing_secret"]],
        )
        self.assertNotIn(first, partner_sudo._order_api_webhook_signing_secrets())

    def test_rotate_without_a_secret_yet_has_no_overlap(self):
        rotated = self.api("POST", "webhook/rotate_secret", key=self.key_a).json()
        self.assertTrue(rotated["signing_secret"].startswith("whsec_"))
        self.assertIsNone(rotated["previous_secret_expires_at"])
        self.assertFalse(self.partner_a.sudo().order_api_webhook_previous_secret)

    def test_rotate_endpoint_access(self):
        self._subscribe()
        secret = self.partner_a.sudo().order_api_webhook_secret
        read_only = self._generate_key(self.user_a, scope="partner_order_api.readonly")
        self.assert_error(
            self.api("POST", "webhook/rotate_secret", key=read_only),
            403,
            "insufficient_scope",
        )
        self.assert_error(
            self.api("POST", "webhook/rotate_secret", key=self.key_off),
            403,
            "forbidden",
        )
        self.assert_error(
            self.api("POST", "webhook/rotate_secret"), 401, "unauthorized"
        )
        self.assert_error(
            self.api("GET", "webhook/rotate_secret", key=self.key_a, check=False),
            405,
            "method_not_allowed",
        )
        self.assertEqual(self.partner_a.sudo().order_api_webhook_secret, secret)
        self.assertFalse(self.partner_a.sudo().order_api_webhook_previous_secret)
        # B's rotation is B's own
        self.api("POST", "webhook/rotate_secret", key=self.key_b)
        self.assertEqual(self.partner_a.sudo().order_api_webhook_secret, secret)
        self.assertTrue(self.partner_b.sudo().order_api_webhook_secret)

    def test_backend_rotation_keeps_the_old_secret_for_24_hours(self):
        old = self._subscribe(["order.created"])["signing_secret"]
        admin = new_test_user(
            self.env, login="poa-rot-admin", groups="base.group_system"
        )
        self.partner_a.with_user(admin).action_order_api_rotate_webhook_secret()
        partner_sudo = self.partner_a.sudo()
        new = partner_sudo.order_api_webhook_secret
        self.assertNotEqual(new, old)
        self.assertEqual(partner_sudo.order_api_webhook_previous_secret, old)
        self.assertGreater(
            partner_sudo.order_api_webhook_previous_secret_expiry,
            fields.Datetime.now() + timedelta(hours=23, minutes=55),
        )
        self._order()
        self.Event._cron_send()
        [request] = self.receiver.wait_for(1)
        self._assert_verifies(request, old)
        self._assert_verifies(request, new)

    def test_previous_secret_is_for_administrators_only(self):
        self._subscribe()
        self.api("POST", "webhook/rotate_secret", key=self.key_a)
        manager = new_test_user(
            self.env, login="poa-rot-manager", groups="sales_team.group_sale_manager"
        )
        for user in (self.user_a, manager):
            for name in (
                "order_api_webhook_previous_secret",
                "order_api_webhook_previous_secret_expiry",
            ):
                with (
                    self.subTest(user=user.login, field=name),
                    self.assertRaises(AccessError),
                ):
                    self.partner_a.with_user(user).read([name])
        # the sales manager sets the events on the partner form, which shows
        # them; the secrets stay off it
        self.partner_a.with_user(
            manager
        ).order_api_webhook_event_type_ids = self.env.ref(
            "partner_order_api.event_type_order_shipped"
        )
        with Form(self.partner_a.with_user(manager)) as form:
            self.assertEqual(
                [event.code for event in form.order_api_webhook_event_type_ids],
                ["order.shipped"],
            )
        views = self.env["res.partner"].with_user(manager).get_views([(False, "form")])
        arch = etree.fromstring(views["views"]["form"]["arch"])
        self.assertTrue(arch.xpath("//field[@name='order_api_webhook_event_type_ids']"))
        self.assertFalse(
            arch.xpath("//field[@name='order_api_webhook_previous_secret_expiry']")
        )
        admin_views = self.env["res.partner"].get_views([(False, "form")])
        admin_arch = etree.fromstring(admin_views["views"]["form"]["arch"])
        self.assertTrue(
            admin_arch.xpath(
                "//field[@name='order_api_webhook_previous_secret_expiry']"
            )
        )


@tagged("post_install", "-at_install")
class TestPortalWebhookEvents(PortalSectionCase):
    def portal_action(self, method, args=(), password="poa-a-password"):
        return self.call_with_identity_check(
            "partner.order.api.portal", method, list(args), password
        )

    def test_portal_chooses_events_and_rotates_with_overlap(self):
        self.authenticate(self.user_a.login, "poa-a-password")
        html = self.security_page()
        # the default: every event checked
        for event in ALL_TYPES[:-1]:
            self.assertRegex(
                html,
                rf'<input[^>]*id="o_poa_event_{event.replace(".", "_")}"[^>]*checked',
            )
        with WebhookReceiver() as receiver:
            saved = self.portal_action(
                "action_order_api_save_webhook",
                [receiver.url, ["order.shipped", "order.cancelled"]],
            )
            self.assertTrue(saved["ok"], saved)
            self.assertEqual(
                saved["event_types"], ["order.shipped", "order.cancelled", "ping"]
            )
            self.assertEqual(
                self.partner_a.order_api_webhook_event_type_ids.mapped("code"),
                ["order.shipped", "order.cancelled"],
            )
            for bad in ([], ["order.lost"], "order.shipped"):
                refused = self.portal_action(
                    "action_order_api_save_webhook", [receiver.url, bad]
                )
                self.assertFalse(refused["ok"], bad)
            self.assertEqual(
                self.partner_a.order_api_webhook_event_type_ids.mapped("code"),
                ["order.shipped", "order.cancelled"],
            )
            html = self.security_page()
            self.assertRegex(
                html, r'<input[^>]*id="o_poa_event_order_shipped"[^>]*checked'
            )
            self.assertNotRegex(
                html, r'<input[^>]*id="o_poa_event_order_created"[^>]*checked'
            )

            old = saved["secret"]
            rotated = self.portal_action("action_order_api_rotate_webhook_secret")
            self.assertTrue(rotated["ok"], rotated)
            new = rotated["secret"]
            self.assertNotEqual(new, old)
            expiry = rotated["previous_secret_expires_at"]
            self.assertTrue(expiry)
            self.assertIn(expiry.replace("T", " ").rstrip("Z"), rotated["message"])
            partner_sudo = self.partner_a.sudo()
            self.assertEqual(partner_sudo.order_api_webhook_previous_secret, old)
            self.assertGreater(
                partner_sudo.order_api_webhook_previous_secret_expiry,
                fields.Datetime.now() + timedelta(hours=23, minutes=55),
            )
            test = self.make_jsonrpc_request("/my/order_api/webhook/test", {})
            self.assertTrue(test["ok"], test)
            [request] = receiver.wait_for(1)
        for secret in (old, new):
            Webhook(secret).verify(request["body"], request["headers"])
        html = self.security_page()
        self.assertNotIn(new, html)
        self.assertNotIn(old, html)
        # the page says until when the previous secret signs
        self.assertIn('class="o_poa_previous_secret text-muted"', html)
