# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import time

from odoo import Command
from odoo.tests import tagged

from ..lib.pg_slots import CONNECTIONS
from ..models.partner_order_api_rate_limit import _bucket_name
from .common import PartnerOrderApiCase


class RateLimitCase(PartnerOrderApiCase):
    """The buckets live in PostgreSQL outside the test transaction, so every
    test makes partners of its own (new ids, new buckets)."""

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


@tagged("post_install", "-at_install")
class TestRateLimit(RateLimitCase):
    """The budget is the partner's: all its users and keys together."""

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


@tagged("post_install", "-at_install")
class TestRequestCost(RateLimitCase):
    """Each request takes what it costs the server (``lib.costs``), and says
    so in X-RateLimit-Cost; a cost beyond the bucket's capacity is let in on
    a full bucket, which the partner then waits to refill."""

    def assert_cost(self, response, cost, before):
        """``cost`` taken from the ``before`` tokens of the previous answer
        (plus what refilled since: at 30 a minute, half a token a second);
        returns the tokens left."""
        self.assertEqual(response.headers.get("X-RateLimit-Cost"), str(cost))
        remaining = int(response.headers["X-RateLimit-Remaining"])
        self.assertIn(remaining - (before - cost), (0, 1), response.text[:300])
        return remaining

    def _invalid_orders(self, count):
        """A batch of ``count`` orders that each fail validation: each one
        still costs its token."""
        return {"orders": [{"ean": "0", "amount": 0}] * count}

    def test_each_request_takes_its_cost(self):
        _partner, _user, key = self._partner(limit=30)  # holds 30
        left = self.assert_cost(self.api("GET", "available_products", key=key), 1, 30)
        response = self.api("GET", "orders?page_size=50", key=key)
        left = self.assert_cost(response, 1, left)
        response = self.api("GET", "orders?page_size=100", key=key)
        left = self.assert_cost(response, 2, left)
        response = self.api(
            "GET",
            "order/document?identifiedBy=biomes&order_id=NOPE&type=order",
            key=key,
        )
        self.assert_error(response, 404, "not_found")
        left = self.assert_cost(response, 5, left)
        response = self.api(
            "POST", "orders/batch", key=key, body=self._invalid_orders(7)
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        left = self.assert_cost(response, 7, left)
        # a body validation refuses as a whole costs what a read costs
        response = self.api("POST", "orders/batch", key=key, body={"orders": "x"})
        self.assert_error(response, 400, "validation_error")
        left = self.assert_cost(response, 1, left)
        # an order or a quote: one token per 10 lines, whatever the answer
        lines = [{"ean": f"0{index}", "amount": 1} for index in range(25)]
        response = self.api("POST", "order/quote", key=key, body={"lines": lines})
        self.assertIn(response.status_code, (400, 403), response.text[:300])
        self.assert_cost(response, 3, left)

    def test_a_batch_of_100_makes_the_partner_wait(self):
        """Issue 22's reproduction 4: a burst of batches is not a burst of
        thousands of orders. At 120 a minute (a capacity of 30), a batch
        of 100 is let in on a full bucket, and the next waits ~35 s."""
        _partner, _user, key = self._partner(limit=120)
        response = self.api(
            "POST", "orders/batch", key=key, body=self._invalid_orders(100)
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertEqual(response.headers["X-RateLimit-Cost"], "100")
        self.assertEqual(response.headers["X-RateLimit-Remaining"], "0")
        before = self.env["sale.order"].search_count([])
        limited = self.api(
            "POST", "orders/batch", key=key, body={"orders": [self.order_body()]}
        )
        self.assert_error(limited, 429, "rate_limited")
        self.assertGreaterEqual(int(limited.headers["Retry-After"]), 30)
        self.assertEqual(limited.headers["X-RateLimit-Cost"], "0")
        self.assertEqual(self.env["sale.order"].search_count([]), before)
        # a refused request takes nothing: the debt is unchanged
        self.assert_error(self.api("GET", "orders", key=key), 429, "rate_limited")


@tagged("post_install", "-at_install")
class TestConcurrency(RateLimitCase):
    """A partner's requests in flight are bounded on every worker and server
    together: each holds one of the partner's slots (PostgreSQL advisory
    locks) until it is answered. The test holds slots itself, as a running
    request of that partner would."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(
            "partner_order_api.max_concurrent_requests", "2"
        )
        self.held = []
        self.addCleanup(lambda: [held.release() for held in self.held])

    def _hold(self, partner, count=2):
        held = CONNECTIONS.hold(self.env.cr.dbname)
        self.held.append(held)
        return held.try_slot("partner_requests", partner.id, count)

    def assert_slots_free(self, partner):
        """Both slots can be taken now: no request kept one."""
        held = CONNECTIONS.hold(self.env.cr.dbname)
        try:
            self.assertIsNotNone(held.try_slot("partner_requests", partner.id, 2))
            self.assertIsNotNone(held.try_slot("partner_requests", partner.id, 2))
        finally:
            held.release()

    def test_beyond_its_slots_a_partner_gets_429_and_takes_nothing(self):
        partner, _user, key = self._partner(limit=30)  # holds 30, 1 every 2 s
        _other, _other_user, other_key = self._partner(limit=30)
        self.assertEqual(self._hold(partner), 0)
        response = self.api("GET", "orders", key=key)
        self.assertEqual(response.status_code, 200)
        self.assert_budget(response, 30, 29)
        self.assertEqual(self._hold(partner), 1)
        for _i in range(4):
            limited = self.api("GET", "orders", key=key)
            self.assert_error(limited, 429, "concurrency_limited")
            self.assertEqual(limited.headers["Retry-After"], "1")
            self.assertNotIn("X-RateLimit-Cost", limited.headers)
        # nothing written either
        before = self.env["sale.order"].search_count([])
        self.assert_error(
            self.api("POST", "order", key=key, body=self.order_body()),
            429,
            "concurrency_limited",
        )
        self.assertEqual(self.env["sale.order"].search_count([]), before)
        # another partner is not concerned
        self.assertEqual(self.api("GET", "orders", key=other_key).status_code, 200)
        self.held.pop().release()
        response = self.api("GET", "orders", key=key)
        self.assertEqual(response.status_code, 200)
        # the 5 refused requests took no token: 28 left (29 if one refilled)
        self.assertIn(response.headers["X-RateLimit-Remaining"], ("28", "29"))

    def test_every_answer_gives_its_slot_back(self):
        partner, user, key = self._partner(limit=3)
        read_only = self._generate_key(
            user, scope="partner_order_api.readonly", name="read only"
        )
        answers = [
            self.api("GET", "orders", key=key),  # 200
            self.api(
                "GET", "order_status?identifiedBy=biomes&order_id=NOPE", key=key
            ),  # 404
            self.api("POST", "order", key=read_only, body=self.order_body()),  # 403
            self.api("GET", "orders", key=key),  # 429 rate_limited
        ]
        self.assertEqual([a.status_code for a in answers], [200, 404, 403, 429])
        self.assert_slots_free(partner)


@tagged("post_install", "-at_install")
class TestRefill(RateLimitCase):
    """The rate itself, measured: tokens after a known wait."""

    def _age(self, name, seconds):
        """The bucket ``name`` as if last seen ``seconds`` ago (a known wait,
        without sleeping)."""
        CONNECTIONS.fetchone(
            self.env.cr.dbname,
            "UPDATE partner_order_api_rate_bucket"
            " SET refreshed_at = refreshed_at - make_interval(secs => %(s)s)"
            " WHERE bucket = %(bucket)s RETURNING tokens",
            {"s": seconds, "bucket": _bucket_name(name)},
        )

    def test_a_bucket_refills_at_its_limit_a_minute(self):
        Bucket = self.env["partner.order.api.rate.bucket"]
        name = ("refill", time.time_ns())
        limit, burst = 120, 30  # 2 tokens a second
        self.assertTrue(Bucket._take(name, limit, burst, cost=burst).allowed)
        self.assertFalse(Bucket._take(name, limit, burst).allowed)  # empty
        self._age(name, 5)  # 5 seconds: 10 tokens back
        budget = Bucket._take(name, limit, burst)
        self.assertTrue(budget.allowed)
        # 10 refilled, 1 taken: 9, within one token (the statements' own time)
        self.assertIn(budget.remaining, (8, 9))
        self._age(name, 60)  # a minute: full again, never more than the burst
        self.assertEqual(Bucket._take(name, limit, burst).remaining, burst - 1)

    def test_a_mark_is_the_time_of_its_last_touch(self):
        """The caller's last write on a standby (``_mark``): the bucket's
        ``refreshed_at`` moves to the time of each mark, at once, on the
        API's own connection (committed whatever the request does)."""
        Bucket = self.env["partner.order.api.rate.bucket"]
        name = ("write", time.time_ns())
        query = (
            "SELECT refreshed_at, clock_timestamp()::timestamp"
            " FROM partner_order_api_rate_bucket WHERE bucket = %(bucket)s"
        )
        params = {"bucket": _bucket_name(name)}
        Bucket._mark(name)
        first, now = CONNECTIONS.fetchone(self.env.cr.dbname, query, params)
        self.assertLessEqual(first, now)
        self._age(name, 60)
        Bucket._mark(name)
        second, __ = CONNECTIONS.fetchone(self.env.cr.dbname, query, params)
        self.assertGreaterEqual(second, first, "a mark is the time it was made")
