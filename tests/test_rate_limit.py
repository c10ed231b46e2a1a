# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import time

from odoo import Command
from odoo.tests import tagged

from .common import PartnerOrderApiCase


@tagged("post_install", "-at_install")
class TestRateLimit(PartnerOrderApiCase):
    """The budget is the partner's: all its users and keys together. The
    buckets live in PostgreSQL outside the test transaction, so every test
    makes partners of its own (new ids, new buckets)."""

    def _partner(self, enabled=True, limit=0):
        stamp = time.time_ns()
        partner, user, key = self._create_partner(
            f"Rate {stamp}", f"rate-{stamp}", self.product_a, enabled=enabled
        )
        partner.order_api_rate_limit_per_minute = limit
        return partner, user, key

    def _colleague(self, partner):
        """A second portal user of ``partner``, with a key of its own."""
        stamp = time.time_ns()
        contact = self.env["res.partner"].create(
            {"name": f"Colleague {stamp}", "parent_id": partner.id}
        )
        user = (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": contact.name,
                    "login": f"rate-colleague-{stamp}",
                    "partner_id": contact.id,
                    "groups_id": [Command.set([self.env.ref("base.group_portal").id])],
                }
            )
        )
        return user, self._generate_key(user, name="colleague")

    def assert_budget(self, response, limit, remaining):
        self.assertEqual(
            (
                response.headers.get("X-RateLimit-Limit"),
                response.headers.get("X-RateLimit-Remaining"),
            ),
            (str(limit), str(remaining)),
            response.text[:300],
        )

    def test_budget_per_partner_shared_by_its_users_and_keys_then_429(self):
        partner, user, key = self._partner(limit=3)
        _colleague, colleague_key = self._colleague(partner)
        # two users, two keys: one budget of 3
        for used_key, remaining in ((key, 2), (colleague_key, 1), (key, 0)):
            response = self.api("GET", "orders", key=used_key)
            self.assertEqual(response.status_code, 200)
            self.assert_budget(response, 3, remaining)
        limited = self.api("GET", "orders", key=colleague_key)
        self.assert_error(limited, 429, "rate_limited")
        self.assertGreaterEqual(int(limited.headers["Retry-After"]), 1)
        self.assert_budget(limited, 3, 0)
        # writes are counted too, and refused without touching data
        before = self.env["sale.order"].search_count([])
        self.assert_error(
            self.api("POST", "order", key=key, body=self.order_body()),
            429,
            "rate_limited",
        )
        self.assertEqual(self.env["sale.order"].search_count([]), before)
        # a new key brings no new budget
        fresh = self._generate_key(user, name=f"fresh {time.time_ns()}")
        self.assert_error(self.api("GET", "orders", key=fresh), 429, "rate_limited")
        # another partner has its own
        _other, _other_user, other_key = self._partner(limit=3)
        response = self.api("GET", "orders", key=other_key)
        self.assertEqual(response.status_code, 200)
        self.assert_budget(response, 3, 2)

    def test_disabled_partner_gets_403_with_the_headers_and_they_count(self):
        _partner, _user, key = self._partner(enabled=False, limit=3)
        for remaining in (2, 1, 0):
            response = self.api("GET", "available_products", key=key)
            self.assert_error(response, 403, "forbidden")
            self.assert_budget(response, 3, remaining)
        limited = self.api("GET", "available_products", key=key)
        self.assert_error(limited, 429, "rate_limited")
        self.assert_budget(limited, 3, 0)

    def test_insufficient_scope_carries_the_headers_and_counts(self):
        _partner, user, _key = self._partner(limit=3)
        read_only = self._generate_key(
            user, scope="partner_order_api.readonly", name="read only"
        )
        response = self.api("POST", "order", key=read_only, body=self.order_body())
        self.assert_error(response, 403, "insufficient_scope")
        self.assert_budget(response, 3, 2)
        response = self.api("GET", "orders", key=read_only)
        self.assertEqual(response.status_code, 200)
        self.assert_budget(response, 3, 1)

    def test_system_default_burst_and_off(self):
        """120 a minute by default: the bucket holds a burst of 30 (a quarter
        of the limit, at least 30), so Remaining starts at 29, and a key
        gets back 2 a second. Limit is the rate, Remaining what may be sent
        now."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("partner_order_api.rate_limit_per_minute", "120")
        _partner, _user, key = self._partner()
        response = self.api("GET", "available_products", key=key)
        self.assert_budget(response, 120, 29)
        response = self.api("GET", "available_products", key=key)
        # 28, or 29 when a refill of 2 tokens a second came in between
        self.assertEqual(response.headers["X-RateLimit-Limit"], "120")
        self.assertIn(response.headers["X-RateLimit-Remaining"], ("28", "29"))
        params.set_param("partner_order_api.rate_limit_per_minute", "0")
        response = self.api("GET", "available_products", key=key)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("X-RateLimit-Limit", response.headers)
        self.assertNotIn("X-RateLimit-Remaining", response.headers)

    def test_unauthenticated_requests_carry_no_rate_headers(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "partner_order_api.rate_limit_per_minute", "120"
        )
        for key in (None, "not-a-key"):
            response = self.api("GET", "orders", key=key)
            self.assert_error(response, 401, "unauthorized")
            self.assertNotIn("X-RateLimit-Limit", response.headers)
            self.assertNotIn("X-RateLimit-Remaining", response.headers)
