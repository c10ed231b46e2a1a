# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhook secret rotation (issue 15): through the API, in the backend and
in the portal, where the partner also chooses its event types. Both
secrets sign during the overlap, then the new one alone.

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

from .common_webhook_events import ALL_TYPES, WebhookEventsCase
from .test_portal import PortalSectionCase
from .webhook_receiver import WebhookReceiver


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
