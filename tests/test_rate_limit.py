# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import time

from odoo.tests import tagged

from .common import PartnerOrderApiCase


@tagged("post_install", "-at_install")
class TestRateLimit(PartnerOrderApiCase):
    def test_budget_per_key_then_429(self):
        self.partner_a.order_api_rate_limit_per_minute = 3
        key = self._generate_key(self.user_a, name=f"rate {time.time_ns()}")
        remaining = []
        for _ in range(3):
            response = self.api("GET", "orders", key=key)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.headers["X-RateLimit-Limit"], "3")
            remaining.append(int(response.headers["X-RateLimit-Remaining"]))
        self.assertEqual(remaining, [2, 1, 0])
        limited = self.api("GET", "orders", key=key)
        self.assert_error(limited, 429, "rate_limited")
        self.assertGreaterEqual(int(limited.headers["Retry-After"]), 1)
        self.assertEqual(limited.headers["X-RateLimit-Remaining"], "0")
        # writes are counted too, and refused without touching data
        before = self.env["sale.order"].search_count([])
        self.assert_error(
            self.api("POST", "order", key=key, body=self.order_body()),
            429,
            "rate_limited",
        )
        self.assertEqual(self.env["sale.order"].search_count([]), before)
        # another key of the same user has its own budget
        other = self._generate_key(self.user_a, name=f"rate other {time.time_ns()}")
        self.assertEqual(self.api("GET", "orders", key=other).status_code, 200)

    def test_system_default_and_off(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("partner_order_api.rate_limit_per_minute", "120")
        key = self._generate_key(self.user_b, name=f"rate default {time.time_ns()}")
        response = self.api("GET", "available_products", key=key)
        self.assertEqual(response.headers["X-RateLimit-Limit"], "120")
        self.assertEqual(response.headers["X-RateLimit-Remaining"], "29")
        params.set_param("partner_order_api.rate_limit_per_minute", "0")
        response = self.api("GET", "available_products", key=key)
        self.assertNotIn("X-RateLimit-Limit", response.headers)

    def test_unauthenticated_requests_carry_no_rate_headers(self):
        response = self.api("GET", "orders")
        self.assertNotIn("X-RateLimit-Limit", response.headers)
