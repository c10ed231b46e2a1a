# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import datetime
import inspect
import xmlrpc.client

from odoo.tests import tagged

from ..controllers.main import PartnerOrderApiController
from ..controllers.portal import OrderApiDocs
from ..lib import openapi
from .common import API, PartnerOrderApiCase


@tagged("post_install", "-at_install")
class TestApiAuth(PartnerOrderApiCase):
    def test_routes_declare_the_api_key_as_their_auth_method(self):
        """Each route of the API says who may call it: its operations with
        ``auth="partner_order_api"`` (the bearer key, checked by
        ``ir.http._auth_method_partner_order_api``), the document alone
        without."""
        auths = {}
        for controller in (PartnerOrderApiController, OrderApiDocs):
            for _name, method in inspect.getmembers(controller, inspect.isfunction):
                routing = getattr(method, "original_routing", None)
                for path in (routing or {}).get("routes", []):
                    auths[path] = routing["auth"]
        self.assertEqual(auths.pop(f"{API}/openapi.json"), "none")
        self.assertEqual(auths.pop(f"{API}/docs"), "public")
        self.assertEqual(auths.pop(API), "none")  # the 404/405 fallback
        self.assertEqual(auths.pop(f"{API}/<path:subpath>"), "none")
        self.assertEqual(
            set(auths),
            {op.route_path for op in openapi.OPERATIONS if op.authenticate},
        )
        self.assertEqual(set(auths.values()), {"partner_order_api"}, auths)

    def test_valid_scoped_key(self):
        response = self.api("GET", "available_products", key=self.key_a)
        self.assertEqual(response.status_code, 200)

    def test_missing_header(self):
        response = self.api("GET", "available_products")
        self.assert_error(response, 401, "unauthorized")
        self.assertIn("Bearer", response.headers["WWW-Authenticate"])
        # the contract's own message, saying what to send
        self.assertIn(
            "Missing Authorization header", response.json()["error"]["message"]
        )

    def test_not_bearer_and_garbage(self):
        for header in (
            f"Basic {self.key_a}",
            "Bearer",
            "Bearer ",
            f"Token {self.key_a}",
            "Bearer not-a-key",
            "Bearer " + "x" * 5000,
            f"Bearer {self.key_a[:-1]}0"
            if self.key_a[-1] != "0"
            else f"Bearer {self.key_a[:-1]}1",
        ):
            response = self.api("GET", "orders", headers={"Authorization": header})
            self.assert_error(response, 401, "unauthorized")

    def test_bearer_is_case_insensitive(self):
        response = self.api(
            "GET", "orders", headers={"Authorization": f"bearer {self.key_a}"}
        )
        self.assertEqual(response.status_code, 200)

    def test_expired_key(self):
        key = self._generate_key(self.user_a, name="expired")
        self.env.cr.execute(
            "UPDATE res_users_apikeys SET expiration_date = %s WHERE user_id = %s AND name = 'expired'",
            [datetime.datetime.now() - datetime.timedelta(minutes=1), self.user_a.id],
        )
        self.assert_error(self.api("GET", "orders", key=key), 401, "unauthorized")

    def test_revoked_key(self):
        key = self._generate_key(self.user_a, name="revoked")
        self.assertEqual(self.api("GET", "orders", key=key).status_code, 200)
        self.env["res.users.apikeys"].sudo().search(
            [("user_id", "=", self.user_a.id), ("name", "=", "revoked")]
        )._remove()
        self.assert_error(self.api("GET", "orders", key=key), 401, "unauthorized")

    def test_inactive_user(self):
        self.user_b.active = False
        self.assert_error(
            self.api("GET", "orders", key=self.key_b), 401, "unauthorized"
        )

    def test_global_key_works_other_scopes_do_not(self):
        global_key = self._generate_key(self.user_a, scope=None, name="global")
        self.assertEqual(self.api("GET", "orders", key=global_key).status_code, 200)
        other_scope = self._generate_key(
            self.user_a, scope="some_other_app", name="other"
        )
        self.assert_error(
            self.api("GET", "orders", key=other_scope), 401, "unauthorized"
        )

    def test_scoped_key_cannot_open_xmlrpc(self):
        common = xmlrpc.client.ServerProxy(self.xmlrpc_url + "common")
        self.assertFalse(
            common.authenticate(self.env.cr.dbname, self.user_a.login, self.key_a, {})
        )

    def test_disabled_partner_is_forbidden(self):
        self.assert_error(self.api("GET", "orders", key=self.key_off), 403, "forbidden")
        self.assert_error(
            self.api("GET", "available_products", key=self.key_off), 403, "forbidden"
        )
        response = self.api("POST", "order", key=self.key_off, body=self.order_body())
        self.assert_error(response, 403, "forbidden")
        self.assertFalse(
            self.env["sale.order"].search(
                [("partner_id", "child_of", self.partner_off.id)]
            )
        )

    def test_session_cookie_does_not_replace_the_key(self):
        self.authenticate(self.user_a.login, "poa-a-password")
        response = self.api("GET", "orders")
        self.assert_error(response, 401, "unauthorized")
        self.assertNotIn("Set-Cookie", response.headers)

    def test_every_contact_of_the_company_shares_its_orders(self):
        colleague = self.env["res.partner"].create(
            {"name": "Colleague", "parent_id": self.partner_a.id}
        )
        colleague_user = (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Colleague",
                    "login": "poa-colleague",
                    "partner_id": colleague.id,
                    "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])],
                }
            )
        )
        colleague_key = self._generate_key(colleague_user)
        created = self.api(
            "POST",
            "order",
            key=self.key_a,
            body=self.order_body(external_order_id="SHARED-1"),
        )
        self.assertEqual(created.status_code, 201)
        response = self.api(
            "GET",
            "order_status",
            key=colleague_key,
            params={"identifiedBy": "external", "order_id": "SHARED-1"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json()["biomes_order_id"], created.json()["biomes_order_id"]
        )

    def test_request_id_is_echoed_or_generated(self):
        response = self.api(
            "GET", "orders", key=self.key_a, headers={"X-Request-Id": "client-42"}
        )
        self.assertEqual(response.headers["X-Request-Id"], "client-42")
        response = self.api(
            "GET",
            "orders",
            key=self.key_a,
            headers={"X-Request-Id": "bad id with spaces"},
        )
        self.assertNotEqual(response.headers["X-Request-Id"], "bad id with spaces")
        self.assertEqual(len(response.headers["X-Request-Id"]), 32)
        error = self.api("GET", "orders")
        self.assertTrue(error.headers["X-Request-Id"])

    def test_verified_keys_are_cached_by_hash_and_forgotten_on_revoke(self):
        caller = self.env["partner.order.api.caller"]
        key = self._generate_key(self.user_a, name="cached")
        self.env.registry.clear_cache()
        before = self.cr.sql_log_count
        self.assertEqual(
            caller._authenticate(f"Bearer {key}"), (self.user_a.id, False, False)
        )
        self.assertGreater(
            self.cr.sql_log_count - before, 0, "first check reads the key"
        )
        before = self.cr.sql_log_count
        self.assertEqual(
            caller._authenticate(f"Bearer {key}"), (self.user_a.id, False, False)
        )
        self.assertEqual(self.cr.sql_log_count - before, 0, "then it is remembered")
        # the cache knows the key only by a hash
        cache_keys = [
            k
            for k in self.env.registry._Registry__caches["default"].d
            if "_verified_key" in str(k)
        ]
        self.assertTrue(cache_keys)
        self.assertFalse([k for k in cache_keys if key in str(k)])
        self.env["res.users.apikeys"].sudo().search(
            [("user_id", "=", self.user_a.id), ("name", "=", "cached")]
        )._remove()
        with self.assertRaises(Exception) as raised:
            caller._authenticate(f"Bearer {key}")
        self.assertEqual(getattr(raised.exception, "code", None), "unauthorized")
