# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The "Partner Order API" section of My Account → Connection & Security, and
the API documentation page."""

import datetime
import re
import time
from unittest.mock import patch

from standardwebhooks.webhooks import Webhook

from odoo import Command, http
from odoo.tests import JsonRpcException, tagged
from odoo.tools import config, mute_logger
from odoo.tools.misc import file_path

from odoo.addons.web.controllers.home import Home

from ..lib.costs import WEBHOOK_TEST_COST
from ..lib.pg_slots import slot
from ..models.partner_order_api_rate_limit import burst_for
from ..models.partner_order_api_webhook_event import TIMEOUT
from .common import SCOPE, PartnerOrderApiCase
from .webhook_receiver import WebhookReceiver

TOUR_LOGIN = "poa-tour"
# also in static/src/js/tours/partner_order_api_portal_tour.js
TOUR_PASSWORD = "poa-tour-password"


class PortalSectionCase(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("partner_order_api.webhook_allow_http", "True")
        params.set_param("partner_order_api.webhook_allowed_hosts", "127.0.0.1")

    def call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def call_with_identity_check(self, model, method, args, password, context=None):
        """Call an identity-checked method as the page does: the first answer
        asks for the password, ``run_check`` then runs the method (no
        ``password``: the first answer is the result). ``context``: the
        context the call sends."""
        result = self.call_kw(model, method, args, {"context": context or {}})
        if (
            password
            and isinstance(result, dict)
            and result.get("res_model") == "res.users.identitycheck"
        ):
            check_id = result["res_id"]
            self.call_kw(
                "res.users.identitycheck",
                "write",
                [[check_id], {"password": password, "auth_method": "password"}],
            )
            result = self.call_kw("res.users.identitycheck", "run_check", [[check_id]])
        return result

    def _page_of(self, user):
        self.authenticate(user.login, f"poa-{user.login.split('-')[-1]}-password")
        return self.security_page()

    def security_page(self):
        response = self.url_open("/my/security")
        self.assertEqual(response.status_code, 200)
        return response.text


@tagged("post_install", "-at_install", "is_tour")
class TestPortalTour(PortalSectionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        contact = cls.env["res.partner"].create(
            {
                "name": "Tour Integrator",
                "parent_id": cls.partner_a.id,
                "email": "tour@example.com",
            }
        )
        cls.tour_user = (
            cls.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": contact.name,
                    "login": TOUR_LOGIN,
                    "password": TOUR_PASSWORD,
                    "partner_id": contact.id,
                    "groups_id": [Command.set([cls.env.ref("base.group_portal").id])],
                }
            )
        )

    def _install_tour_hook(self, webhook_url):
        """A route for the tour only (as Odoo's TOTP tours do): the tour posts
        the key it was shown, and learns where the test's webhook receiver is."""
        captured = {}

        def tour_hook(controller, key=None):
            captured["key"] = key
            return {"webhook_url": webhook_url}

        tour_hook.routing_type = "json"
        self.env.registry.clear_cache("routing")
        Home.partner_order_api_tour_hook = http.route(
            "/partner_order_api_test/tour_hook", type="json", auth="user"
        )(tour_hook)

        @self.addCleanup
        def _cleanup():
            del Home.partner_order_api_tour_hook
            self.env.registry.clear_cache("routing")

        return captured

    def _call_from(self, key, address):
        """GET available_products with ``key`` as a client at ``address``
        (behind a proxy that says so)."""
        with patch.dict(config.options, {"proxy_mode": True}):
            return self.api(
                "GET",
                "available_products",
                key=key,
                headers={
                    "X-Forwarded-For": address,
                    "X-Forwarded-Host": "api.example.com",
                },
            )

    def test_integrator_creates_key_sets_webhook_and_sends_test_event(self):
        """From the portal page to a working API call and a received webhook."""
        self.assertIn(
            self.env.ref("partner_order_api.group_order_api_user"),
            self.tour_user.groups_id,
        )
        old_key = self._generate_key(self.tour_user, name="Old ERP key")
        self.assertEqual(self.api("GET", "orders", key=old_key).status_code, 200)
        with WebhookReceiver() as receiver:
            captured = self._install_tour_hook(receiver.url)
            before = datetime.datetime.now()
            self.start_tour(
                "/my/security", "partner_order_api_portal_tour", login=TOUR_LOGIN
            )
            requests = receiver.wait_for(1)
        self.env.invalidate_all()

        # the key shown on the page works in a real API call, from the
        # networks typed on the page only
        key = captured.get("key")
        self.assertTrue(key, "the tour did not hand over the key")
        response = self._call_from(key, "2001:db8:0:1::9")
        self.assertEqual(response.status_code, 200, response.text)
        self.assert_error(self._call_from(key, "198.51.100.9"), 403, "forbidden")
        self.assertIn(
            self.product_a.barcode, [p["ean"] for p in response.json()["products"]]
        )
        # ... and it is a key of this API, for a year, not a global RPC key;
        # the old key was revoked
        self.assert_error(self.api("GET", "orders", key=old_key), 401, "unauthorized")
        key_row = (
            self.env["res.users.apikeys"]
            .sudo()
            .search([("user_id", "=", self.tour_user.id)])
        )
        self.assertEqual(len(key_row), 1)
        self.assertEqual((key_row.name, key_row.scope), ("Tour ERP", SCOPE))
        self.assertEqual(
            key_row.order_api_allowed_networks, "203.0.113.0/24, 2001:db8::/48"
        )
        expected = before + datetime.timedelta(days=365)
        self.assertLess(
            abs(key_row.expiration_date - expected), datetime.timedelta(minutes=5)
        )

        # the webhook URL is saved on the company, with the events chosen on
        # the page (all but order.updated), and the test event arrived, signed
        self.assertEqual(self.partner_a.order_api_webhook_url, receiver.url)
        self.assertEqual(
            self.partner_a.order_api_webhook_event_type_ids.mapped("code"),
            [
                "order.created",
                "order.partially_shipped",
                "order.shipped",
                "order.cancelled",
                "order.invoiced",
                "order.changed",
                "order.return_requested",
                "order.returned",
            ],
        )
        self.assertEqual(len(requests), 1)
        secret = self.partner_a.sudo().order_api_webhook_secret
        payload = Webhook(secret).verify(requests[0]["body"], requests[0]["headers"])
        self.assertEqual(payload["event"], "ping")
        event = self.env["partner.order.api.webhook.event"].search(
            [("partner_id", "=", self.partner_a.id), ("event_type", "=", "ping")]
        )
        self.assertEqual((event.state, event.last_status_code), ("done", 200))


@tagged("post_install", "-at_install")
class TestPortalSection(PortalSectionCase):
    def test_section_shown_to_users_of_enabled_partners_only(self):
        self.authenticate(self.user_a.login, "poa-a-password")
        html = self.security_page()
        self.assertIn("o_partner_order_api_portal", html)
        self.assertIn('href="/partner_order_api/docs"', html)
        # the partner's orders and invoices, in Odoo's own portal pages
        self.assertIn('href="/my/orders"', html)
        self.assertIn('href="/my/invoices"', html)

        # a company the seller turned off: told why, its keys listed to
        # revoke, no new key, no webhook
        self.authenticate(self.user_off.login, "poa-off-password")
        html = self.security_page()
        self.assertIn("o_poa_disabled", html)
        self.assertIn(f'data-key-id="{self.user_off.api_key_ids[:1].id}"', html)
        self.assertIn("o_poa_revoke_key", html)
        self.assertNotIn("o_poa_new_key_form", html)
        self.assertNotIn("o_poa_webhook_form", html)
        self.assertNotIn("o_poa_disabled", self._page_of(self.user_a))

        self.authenticate("admin", "admin")
        self.assertNotIn("o_partner_order_api_portal", self.security_page())

    def test_base_url_is_where_the_page_was_served(self):
        """The Base URL and the curl show the address the portal user
        reached, not a stale ``web.base.url`` (an admin's login refreshes
        it; a portal user's does not)."""
        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", "http://stale.example:8069"
        )
        self.authenticate(self.user_a.login, "poa-a-password")
        html = self.security_page()
        self.assertIn(f'data-base-url="{self.base_url()}/partner_order_api"', html)
        self.assertNotIn("stale.example", html)

    def test_section_lists_only_the_users_own_keys(self):
        self._generate_key(self.user_a, name="second key of A", days=7)
        self.authenticate(self.user_a.login, "poa-a-password")
        html = self.security_page()
        listed = {
            int(i) for i in re.findall(r'o_poa_key_row"[^>]*data-key-id="(\d+)"', html)
        }
        Keys = self.env["res.users.apikeys"].sudo()
        self.assertEqual(
            listed, set(Keys.search([("user_id", "=", self.user_a.id)]).ids)
        )
        self.assertFalse(
            listed & set(Keys.search([("user_id", "=", self.user_b.id)]).ids)
        )
        self.assertIn("second key of A", html)

    def test_durations_follow_the_group_maximum(self):
        Keys = self.env["res.users.apikeys"].with_user(self.user_a)
        self.assertEqual(
            [d for d, _label in Keys._order_api_duration_selection()],
            [30, 90, 180, 365],
        )
        self.env.ref("partner_order_api.group_order_api_user").api_key_duration = 100
        self.assertEqual(
            [d for d, _label in Keys._order_api_duration_selection()], [30, 90, 100]
        )

    def test_make_key_needs_the_password_and_makes_a_scoped_key(self):
        self.authenticate(self.user_a.login, "poa-a-password")
        first = self.call_kw(
            "res.users.apikeys", "action_order_api_make_key", ["ERP", 90, False]
        )
        self.assertEqual(first["res_model"], "res.users.identitycheck")
        self.assertNotIn("key", first)
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.call_with_identity_check(
                "res.users.apikeys",
                "action_order_api_make_key",
                ["ERP", 90, False],
                "wrong",
            )
        result = self.call_with_identity_check(
            "res.users.apikeys",
            "action_order_api_make_key",
            ["ERP", 90, False],
            "poa-a-password",
        )
        self.assertEqual(result["scope"], SCOPE)
        self.assertEqual(self.api("GET", "orders", key=result["key"]).status_code, 200)
        row = (
            self.env["res.users.apikeys"]
            .sudo()
            .search([("user_id", "=", self.user_a.id), ("name", "=", "ERP")])
        )
        self.assertEqual(row.scope, SCOPE)
        # identity checked a moment ago: a read-only key needs no new password
        read_only = self.call_kw(
            "res.users.apikeys", "action_order_api_make_key", ["BI", 30, True]
        )
        self.assertEqual(read_only["scope"], "partner_order_api.readonly")
        response = self.api(
            "POST", "order", key=read_only["key"], body=self.order_body()
        )
        self.assert_error(response, 403, "insufficient_scope")
        # revoking is Odoo's own remove()
        self.call_kw("res.users.apikeys", "remove", [row.ids])
        self.assert_error(
            self.api("GET", "orders", key=result["key"]), 401, "unauthorized"
        )

    def test_make_test_key(self):
        """The form's "Test key": scope partner_order_api.test, whose orders
        are test orders; a key is not both read-only and a test key."""
        self.authenticate(self.user_a.login, "poa-a-password")
        result = self.call_with_identity_check(
            "res.users.apikeys",
            "action_order_api_make_key",
            ["Sandbox", 30, False, "", True],
            "poa-a-password",
        )
        self.assertEqual(result["scope"], "partner_order_api.test")
        self.assertEqual(result["scope_label"], "Order API (test)")
        response = self.api("POST", "order", key=result["key"], body=self.order_body())
        self.assertEqual(response.status_code, 201, response.text)
        self.assertIs(response.json()["test"], True)
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.call_kw(
                "res.users.apikeys",
                "action_order_api_make_key",
                ["Both", 30, True, "", True],
            )

    def test_make_key_refuses_longer_durations_and_disabled_partners(self):
        self.authenticate(self.user_a.login, "poa-a-password")
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.call_with_identity_check(
                "res.users.apikeys",
                "action_order_api_make_key",
                ["ERP", 400, False],
                "poa-a-password",
            )
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.call_with_identity_check(
                "res.users.apikeys",
                "action_order_api_make_key",
                ["  ", 30, False],
                "poa-a-password",
            )
        self.authenticate(self.user_off.login, "poa-off-password")
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.call_with_identity_check(
                "res.users.apikeys",
                "action_order_api_make_key",
                ["ERP", 30, False],
                "poa-off-password",
            )
        self.assertFalse(
            self.env["res.users.apikeys"]
            .sudo()
            .search(
                [
                    ("user_id", "in", (self.user_a | self.user_off).ids),
                    ("name", "=", "ERP"),
                ]
            )
        )

    def portal_action(self, method, args=(), password="poa-a-password"):
        """A webhook action of the portal section, as the page calls it."""
        return self.call_with_identity_check(
            "partner.order.api.portal", method, list(args), password
        )

    def test_webhook_changes_ask_for_the_password(self):
        """Changing the URL, clearing it or rotating the secret asks for the
        password again (Odoo's identity check): nothing changes until then."""
        self.authenticate(self.user_a.login, "poa-a-password")
        with WebhookReceiver() as receiver:
            for method, args in (
                ("action_order_api_save_webhook", [receiver.url]),
                ("action_order_api_rotate_webhook_secret", []),
                ("action_order_api_clear_webhook", []),
            ):
                answer = self.call_kw("partner.order.api.portal", method, args)
                self.assertEqual(
                    answer.get("res_model"), "res.users.identitycheck", method
                )
            partner_sudo = self.partner_a.sudo()
            self.assertFalse(partner_sudo.order_api_webhook_url)
            self.assertFalse(partner_sudo.order_api_webhook_secret)
            # a wrong password does not pass
            check_id = self.call_kw(
                "partner.order.api.portal",
                "action_order_api_save_webhook",
                [receiver.url],
            )["res_id"]
            self.call_kw(
                "res.users.identitycheck",
                "write",
                [[check_id], {"password": "wrong", "auth_method": "password"}],
            )
            with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
                self.call_kw("res.users.identitycheck", "run_check", [[check_id]])
            self.assertFalse(partner_sudo.order_api_webhook_url)
            # the right one does
            saved = self.portal_action("action_order_api_save_webhook", [receiver.url])
            self.assertTrue(saved["ok"], saved)
            self.assertEqual(partner_sudo.order_api_webhook_url, receiver.url)

    def test_webhook_save_reveals_the_secret_once_then_rotate_and_clear(self):
        self.authenticate(self.user_a.login, "poa-a-password")
        invalid = self.portal_action(
            "action_order_api_save_webhook", ["ftp://x.example"]
        )
        self.assertFalse(invalid["ok"])
        self.assertTrue(invalid["message"])
        self.assertFalse(self.partner_a.order_api_webhook_url)

        with WebhookReceiver() as receiver:
            saved = self.portal_action("action_order_api_save_webhook", [receiver.url])
            self.assertTrue(saved["ok"], saved)
            self.assertEqual(
                saved["secret"], self.partner_a.sudo().order_api_webhook_secret
            )
            again = self.portal_action("action_order_api_save_webhook", [receiver.url])
            self.assertTrue(again["ok"])
            self.assertNotIn("secret", again)
            self.assertTrue(again["secret_set"])

            rotated = self.portal_action("action_order_api_rotate_webhook_secret")
            self.assertTrue(rotated["ok"])
            self.assertNotEqual(rotated["secret"], saved["secret"])
            self.assertEqual(
                rotated["secret"], self.partner_a.sudo().order_api_webhook_secret
            )

            test = self.make_jsonrpc_request("/my/order_api/webhook/test", {})
            self.assertTrue(test["ok"], test)
            self.assertEqual(test["status_code"], 200)
            requests = receiver.wait_for(1)
            Webhook(rotated["secret"]).verify(
                requests[0]["body"], requests[0]["headers"]
            )

        html = self.security_page()
        self.assertNotIn(rotated["secret"], html)
        self.assertIn(receiver.url, html)

        cleared = self.portal_action("action_order_api_clear_webhook")
        self.assertTrue(cleared["ok"])
        self.assertFalse(self.partner_a.order_api_webhook_url)
        no_url = self.make_jsonrpc_request("/my/order_api/webhook/test", {})
        self.assertFalse(no_url["ok"])

    def test_webhook_test_reports_a_failed_delivery(self):
        self.authenticate(self.user_a.login, "poa-a-password")
        with WebhookReceiver(statuses=(500,)) as receiver:
            self.portal_action("action_order_api_save_webhook", [receiver.url])
            with mute_logger(
                "odoo.addons.partner_order_api.models.partner_order_api_webhook_event"
            ):
                result = self.make_jsonrpc_request("/my/order_api/webhook/test", {})
        self.assertFalse(result["ok"])
        self.assertIn("HTTP 500", result["message"])
        self.assertEqual(result["status_code"], 500)
        self.assertNotIn("response_time_ms", result)

    def test_webhook_test_is_under_the_partner_budget(self):
        # 10 requests a minute: a bucket of 10 tokens, two tests of 5
        self.assertEqual(burst_for(10), 10)
        self.partner_a.sudo().order_api_rate_limit_per_minute = 10
        Event = self.env["partner.order.api.webhook.event"]
        self.authenticate(self.user_a.login, "poa-a-password")
        with WebhookReceiver() as receiver:
            self.partner_a.sudo().order_api_webhook_url = receiver.url
            answers = [
                self.make_jsonrpc_request("/my/order_api/webhook/test", {})
                for __ in range(4)
            ]
            self.assertEqual([a["ok"] for a in answers], [True, True, False, False])
            refused = answers[2]
            self.assertIn("Too many requests", refused["message"])
            self.assertGreaterEqual(refused["retry_after"], 1)
            self.assertNotIn("webhook_id", refused)
            # nothing sent, nothing logged for the refused ones
            self.assertEqual(len(receiver.wait_for(2)), 2)
            time.sleep(0.3)
            self.assertEqual(len(receiver.requests), 2)
        pings = Event.search(
            [("partner_id", "=", self.partner_a.id), ("event_type", "=", "ping")]
        )
        self.assertEqual(pings.mapped("message_id"), [answers[1]["webhook_id"]])
        self.assertEqual(WEBHOOK_TEST_COST, 5)

    def test_webhook_test_one_at_a_time(self):
        self.authenticate(self.user_a.login, "poa-a-password")
        with WebhookReceiver() as receiver:
            self.partner_a.sudo().order_api_webhook_url = receiver.url
            with slot(self.env.cr.dbname, "webhook_test", self.partner_a.id, 1) as held:
                self.assertTrue(held)
                busy = self.make_jsonrpc_request("/my/order_api/webhook/test", {})
            self.assertFalse(busy["ok"])
            self.assertIn("already being sent", busy["message"])
            self.assertEqual(busy["retry_after"], TIMEOUT)
            self.assertFalse(receiver.requests)
            done = self.make_jsonrpc_request("/my/order_api/webhook/test", {})
            self.assertTrue(done["ok"], done)

    def test_webhook_actions_refuse_disabled_partners(self):
        self.authenticate(self.user_off.login, "poa-off-password")
        for method, args in (
            ("action_order_api_save_webhook", ["https://example.com/hook"]),
            ("action_order_api_rotate_webhook_secret", []),
            ("action_order_api_clear_webhook", []),
        ):
            result = self.portal_action(method, args, password="poa-off-password")
            self.assertFalse(result["ok"], method)
        result = self.make_jsonrpc_request("/my/order_api/webhook/test", {})
        self.assertFalse(result["ok"])
        partner_sudo = self.partner_off.sudo()
        self.assertFalse(partner_sudo.order_api_webhook_url)
        self.assertFalse(partner_sudo.order_api_webhook_secret)

    def test_webhook_actions_need_a_login(self):
        self.authenticate(None, None)
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.make_jsonrpc_request("/my/order_api/webhook/test", {})
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.call_kw(
                "partner.order.api.portal",
                "action_order_api_save_webhook",
                ["https://example.com/h"],
            )


@tagged("post_install", "-at_install")
class TestDocsPage(PartnerOrderApiCase):
    REDOC = "/partner_order_api/static/lib/redoc/redoc.standalone.js"

    def test_docs_page_loads_redoc_from_the_addon(self):
        response = self.url_open("/partner_order_api/docs")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Type"].startswith("text/html"))
        html = response.text
        self.assertIn('spec-url="/partner_order_api/openapi.json"', html)
        scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
        self.assertEqual(scripts, [self.REDOC])
        self.assertNotRegex(html, r'(src|href)="(https?:)?//')
        csp = response.headers["Content-Security-Policy"]
        self.assertIn("img-src 'self' data: blob:", csp)
        self.assertIn("script-src 'self';", csp)

        script = self.url_open(self.REDOC)
        self.assertEqual(script.status_code, 200)
        self.assertIn("Redoc", script.text[:2000])
        self.assertTrue(file_path("partner_order_api/static/lib/redoc/LICENSE"))

    def fetch_proxy(self, url):
        # called by the test browser for every request leaving the server
        self.outside_requests.append(url)
        return super().fetch_proxy(url)

    def test_docs_page_renders_in_the_browser_without_outside_requests(self):
        # Redoc's footer logo is on Redocly's CDN: the page's CSP keeps the
        # browser from fetching it.
        self.outside_requests = []
        # Redoc has rendered the document: its title and its operations
        ready = (
            "document.querySelector('redoc h1')?.textContent"
            ".includes('Partner Order API')"
            " && document.querySelectorAll('redoc h2').length > 3"
        )
        self.browser_js(
            "/partner_order_api/docs", "console.log('test successful')", ready=ready
        )
        self.assertEqual(self.outside_requests, [])
