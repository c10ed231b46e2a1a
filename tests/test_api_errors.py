# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import API, PartnerOrderApiCase


@tagged("post_install", "-at_install")
class TestApiErrors(PartnerOrderApiCase):
    def test_unknown_routes_are_json_404(self):
        for path in (
            f"{API}/nope",
            f"{API}/orders/extra",
            f"{API}/",
            API,
            f"{API}/order_status/S001",
        ):
            for method in ("GET", "POST"):
                response = self.api(method, path, key=self.key_a, check=False)
                self.assertEqual(response.status_code, 404, f"{method} {path}")
                self.assertEqual(response.json()["error"]["code"], "not_found")
                self.assertTrue(response.headers["X-Request-Id"])

    def test_wrong_methods_are_json_405(self):
        for method, route, allowed in (
            ("POST", "orders", "GET"),
            ("DELETE", "orders", "GET"),
            ("PUT", "available_products", "GET"),
            ("POST", "order_status", "GET"),
            ("GET", "order", "POST"),
            ("PATCH", "order", "POST"),
        ):
            response = self.api(method, route, key=self.key_a, check=False)
            self.assert_error(response, 405, "method_not_allowed")
            self.assertIn(allowed, response.headers["Allow"])

    def test_errors_need_no_key_to_be_json(self):
        self.assert_error(
            self.api("GET", "order", check=False), 405, "method_not_allowed"
        )
        self.assert_error(self.api("GET", "nope", check=False), 404, "not_found")

    def test_unexpected_error_is_json_500_without_internals(self):
        service_cls = type(self.env["partner.order.api.orders"])
        original = service_cls._list_orders

        def broken(service, page, page_size):
            raise RuntimeError("secret internal detail")

        service_cls._list_orders = broken
        try:
            with mute_logger("odoo.addons.partner_order_api.error_handlers"):
                response = self.api(
                    "GET",
                    "orders",
                    key=self.key_a,
                    headers={"X-Request-Id": "trace-500"},
                )
        finally:
            service_cls._list_orders = original
        self.assert_error(response, 500, "internal_error")
        self.assertNotIn("secret", response.text)
        self.assertNotIn("Traceback", response.text)
        self.assertIn("trace-500", response.json()["error"]["message"])

    def test_openapi_document_is_served_without_key(self):
        response = self.api("GET", "openapi.json", check=False)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.headers["Content-Type"], "application/json; charset=utf-8"
        )
        document = response.json()
        self.assertTrue(document["openapi"].startswith("3.1"))
        for route in ("available_products", "orders", "order_status", "order"):
            self.assertIn(f"{API}/{route}", document["paths"])

    def test_head_of_get_route(self):
        response = self.api("HEAD", "orders", key=self.key_a, check=False)
        self.assertEqual(response.status_code, 200)

    def test_unknown_query_parameters_are_refused(self):
        """A mistyped filter is a 400 naming it, on every kind of route (with
        a query model, without one, a write), before anything runs: a sync
        that mistypes ``updated_since`` must not re-read every order."""
        orders_before = self.env["sale.order"].search_count([])
        messages = []
        for method, route, params, body in (
            (
                "GET",
                "orders",
                {"sort": "updated_asc", "update_since": "2030-01-01T00:00:00Z"},
                None,
            ),
            ("GET", "available_products", {"page": "2"}, None),
            ("GET", "order_status", {"identifiedBy": "orderId", "order": "1"}, None),
            ("POST", "order", {"dry_run": "1"}, self.order_body()),
        ):
            response = self.api(
                method, route, key=self.key_a, params=params, body=body, check=False
            )
            self.assert_error(response, 400, "validation_error")
            fields = [d["field"] for d in response.json()["error"]["details"]]
            known = {"sort", "identifiedBy"}
            self.assertEqual(fields, sorted(set(params) - known), route)
            messages.append(response.json()["error"]["message"])
        # the message names the mistake and what the route takes
        self.assertIn("update_since is not a query parameter", messages[0])
        self.assertIn("updated_since", messages[0])
        self.assertEqual(self.env["sale.order"].search_count([]), orders_before)
        # declared parameters still pass
        response = self.api(
            "GET",
            "orders",
            key=self.key_a,
            params={"updated_since": "2030-01-01T00:00:00Z"},
        )
        self.assertEqual(response.status_code, 200)

    def test_every_answer_carries_the_api_version(self):
        """``X-API-Version``: the installed release's two numbers after
        Odoo's series, on success, on errors before and after
        authentication, and on the public document."""
        installed = (
            self.env["ir.module.module"]
            .search([("name", "=", "partner_order_api")])
            .latest_version
        )
        expected = ".".join(installed.split(".")[2:4])
        for method, route, key, status in (
            ("GET", "available_products", self.key_a, 200),
            ("GET", "nope", self.key_a, 404),
            ("GET", "orders", None, 401),
            ("GET", "openapi.json", None, 200),
        ):
            response = self.api(method, route, key=key, check=False)
            self.assertEqual(response.status_code, status, route)
            self.assertEqual(response.headers.get("X-API-Version"), expected, route)
