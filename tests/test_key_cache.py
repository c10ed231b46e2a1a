# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The verified-key cache and the failed-authentication budget."""

import datetime
import ipaddress
import secrets
import time
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import config

from ..lib import errors
from ..models.partner_order_api_rate_limit import (
    DEFAULT_AUTH_FAILURE_LIMIT,
    DEFAULT_LIMIT,
)
from .common import SCOPE, PartnerOrderApiCase

# every client address a test of this process used (_address)
_USED_ADDRESSES = set()


@tagged("post_install", "-at_install")
class TestKeyCache(PartnerOrderApiCase):
    def _verified_entries(self):
        """The keys of the ORM cache's entries of ``_verified_key``."""
        lru = self.env.registry._Registry__caches["default"]
        return {k for k in list(lru.d) if "_verified_key" in str(k)}

    def _lru_size(self):
        return len(self.env.registry._Registry__caches["default"])

    def test_unknown_keys_are_not_cached(self):
        """Random bearer tokens leave Odoo's shared ORM cache alone: no entry
        for them, nothing evicted (the valid key stays remembered)."""
        caller = self.env["partner.order.api.caller"]
        self.assertEqual(self.api("GET", "orders", key=self.key_a).status_code, 200)
        # a first refused key warms what every request reads (parameters...)
        self.assert_error(
            self.api("GET", "orders", key=secrets.token_hex(20)), 401, "unauthorized"
        )
        entries, size = self._verified_entries(), self._lru_size()
        self.assertEqual(len(entries), 1, "the valid key is remembered")
        for _i in range(25):
            response = self.api("GET", "orders", key=secrets.token_hex(20))
            self.assert_error(response, 401, "unauthorized")
            # a token sharing the index (first 8 characters) of a real key
            # goes as far as Odoo's pbkdf2 check
            with self.assertRaises(errors.Unauthorized):
                caller._authenticate(f"Bearer {self.key_b[:8]}{secrets.token_hex(16)}")
        self.assertEqual(self._verified_entries(), entries)
        self.assertEqual(self._lru_size(), size)

    def test_a_key_is_refused_the_moment_it_expires(self):
        """The expiry is remembered with the verified key and compared on
        every hit: no minute of grace."""
        expires = fields.Datetime.now() + datetime.timedelta(seconds=3)
        key = (
            self.env["res.users.apikeys"]
            .with_user(self.user_a)
            .sudo()
            ._generate(SCOPE, "short-lived", expires)
        )
        self.assertEqual(self.api("GET", "orders", key=key).status_code, 200)
        self.assertEqual(len(self._verified_entries()), 1, "the key is remembered")
        deadline = expires.replace(tzinfo=datetime.UTC).timestamp() + 0.2
        time.sleep(max(0.0, deadline - time.time()))
        self.assert_error(self.api("GET", "orders", key=key), 401, "unauthorized")
        with self.assertRaises(errors.Unauthorized):
            self.env["partner.order.api.caller"]._authenticate(f"Bearer {key}")

    def test_revocation_is_signalled_after_the_commit(self):
        """Revoking clears the verified keys of every worker AFTER the
        revoking transaction commits (a post-commit hook that also signals
        the other workers through the database): a request that checked the
        key on a snapshot older than the commit cannot bring it back."""
        caller = self.env["partner.order.api.caller"]
        registry = self.env.registry
        key = self._generate_key(self.user_a, name="to revoke")
        caller._authenticate(f"Bearer {key}")
        self.assertEqual(len(self._verified_entries()), 1)
        generation = registry.cache_sequences["default"]
        self.env["res.users.apikeys"].sudo().search(
            [("user_id", "=", self.user_a.id), ("name", "=", "to revoke")]
        )._remove()
        hooks = [
            getattr(f, "__qualname__", repr(f)) for f in self.env.cr.postcommit._funcs
        ]
        self.assertTrue(
            any("._forget." in name for name in hooks),
            f"no post-commit invalidation: {hooks}",
        )
        self.assertEqual(registry.cache_sequences["default"], generation)
        # what a commit does: flush (pre-commit hooks), COMMIT, post-commit
        # hooks (the test never commits)
        self.env.cr.flush()
        self.env.cr.postcommit.run()
        self.assertGreater(
            registry.cache_sequences["default"],
            generation,
            "the other workers are signalled",
        )
        self.assertFalse(self._verified_entries())
        with self.assertRaises(errors.Unauthorized):
            caller._authenticate(f"Bearer {key}")

    def test_deactivating_a_user_is_signalled_after_the_commit(self):
        caller = self.env["partner.order.api.caller"]
        registry = self.env.registry
        self.assertEqual(
            caller._authenticate(f"Bearer {self.key_b}")[0], self.user_b.id
        )
        generation = registry.cache_sequences["default"]
        self.user_b.active = False
        self.env.cr.flush()
        self.env.cr.postcommit.run()
        self.assertGreater(registry.cache_sequences["default"], generation)
        with self.assertRaises(errors.Unauthorized):
            caller._authenticate(f"Bearer {self.key_b}")


@tagged("post_install", "-at_install")
class TestFailedAuthentications(PartnerOrderApiCase):
    """Refused keys whose prefix (Odoo's key index) matches a stored key cost
    a pbkdf2 check: they are counted per client address (Odoo's proxy_mode
    decides what the address is) and prefix, and beyond the limit keys with
    that prefix from that address are answered 429 before they are checked.
    Nothing else is held back: keys of unknown prefixes cost no check and
    are counted nowhere, and a valid key is never refused for its
    neighbours' failures. The buckets live outside the test transaction:
    each test uses addresses of its own."""

    LIMIT = 3
    # Odoo's pbkdf2 check: the query of res.users.apikeys._check_credentials
    KEY_CHECK = "INNER JOIN res_users u"

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(
            "partner_order_api.auth_failure_limit_per_minute", str(self.LIMIT)
        )

    def _address(self, version=4):
        """A client address no other test of this run used: the budgets of
        failed authentications are committed (the API's own connections)
        and kept a minute, so an address drawn twice would find the
        guesses of an earlier test (CI met it once in 250)."""
        while True:
            if version == 6:
                address = str(
                    ipaddress.IPv6Address(f"2001:db8:{secrets.randbits(16):x}::1")
                )
            else:
                address = str(
                    ipaddress.IPv4Address("198.51.100.1") + secrets.randbelow(250)
                )
            if address not in _USED_ADDRESSES:
                _USED_ADDRESSES.add(address)
                return address

    def _from(self, address):
        """Headers a reverse proxy adds (Odoo reads them in proxy_mode)."""
        return {"X-Forwarded-For": address, "X-Forwarded-Host": "api.example.com"}

    def _guess(self, key):
        """A wrong key sharing ``key``'s prefix: Odoo checks it by pbkdf2."""
        return key[:8] + secrets.token_hex(16)

    def _get(self, key, address):
        return self.api("GET", "orders", key=key, headers=self._from(address))

    def test_guesses_of_a_stored_prefix_are_blocked_before_any_check(self):
        address, other = self._address(), self._address()
        with patch.dict(config.options, {"proxy_mode": True}):
            for _i in range(self.LIMIT):
                self.assert_error(
                    self._get(self._guess(self.key_b), address), 401, "unauthorized"
                )
            limited = self._get(self._guess(self.key_b), address)
            self.assert_error(limited, 429, "rate_limited")
            self.assertGreaterEqual(int(limited.headers["Retry-After"]), 1)
            self.assertIn("failed authentications", limited.json()["error"]["message"])
            self.assertNotIn("X-RateLimit-Limit", limited.headers)
            # the same prefix from another address is not concerned
            self.assert_error(
                self._get(self._guess(self.key_b), other), 401, "unauthorized"
            )
            # nor other keys from the blocked address, verified or not yet
            self.assertEqual(self._get(self.key_a, address).status_code, 200)
            fresh = self._generate_key(self.user_a, name=f"fresh {time.time_ns()}")
            self.assertEqual(self._get(fresh, address).status_code, 200)
        # no pbkdf2 check while the prefix is blocked there
        caller = self.env["partner.order.api.caller"]
        with (
            self.assertLogs("odoo.sql_db", "DEBUG") as queries,
            self.assertRaises(errors.RateLimited),
        ):
            caller._authenticate(f"Bearer {self._guess(self.key_b)}", address)
        self.assertIn("partner_order_api_rate_bucket", "\n".join(queries.output))
        self.assertNotIn(self.KEY_CHECK, "\n".join(queries.output))

    def test_a_valid_key_is_never_locked_out_by_its_neighbours(self):
        """Issue 22's reproduction: many wrong keys from one (shared)
        address, then valid keys from it, verified or not."""
        address = self._address()
        with patch.dict(config.options, {"proxy_mode": True}):
            self.assertEqual(self._get(self.key_a, address).status_code, 200)
            for _i in range(10 * self.LIMIT + 1):
                self.assert_error(
                    self._get(secrets.token_hex(20), address), 401, "unauthorized"
                )
            self.assertEqual(self._get(self.key_a, address).status_code, 200)
            fresh = self._generate_key(self.user_a, name=f"fresh {time.time_ns()}")
            self.assertEqual(self._get(fresh, address).status_code, 200)
            # a key this worker verified passes even while guesses of its
            # own prefix are blocked there
            for _i in range(self.LIMIT + 1):
                self._get(self._guess(self.key_a), address)
            self.assert_error(
                self._get(self._guess(self.key_a), address), 429, "rate_limited"
            )
            self.assertEqual(self._get(self.key_a, address).status_code, 200)

    def test_unknown_prefixes_cost_no_check_and_write_nothing(self):
        address = self._address()
        caller = self.env["partner.order.api.caller"]
        self.env.cr.execute("SELECT count(*) FROM partner_order_api_rate_bucket")
        before = self.env.cr.fetchone()[0]
        with self.assertLogs("odoo.sql_db", "DEBUG") as queries:
            for _i in range(self.LIMIT + 2):
                with self.assertRaises(errors.Unauthorized):
                    caller._authenticate(f"Bearer {secrets.token_hex(20)}", address)
        self.assertNotIn(self.KEY_CHECK, "\n".join(queries.output))
        self.env.cr.execute("SELECT count(*) FROM partner_order_api_rate_bucket")
        self.assertEqual(self.env.cr.fetchone()[0], before)

    def test_an_ipv6_client_is_counted_by_its_64(self):
        first = self._address(6)
        neighbour = str(ipaddress.IPv6Address(first) + 0xBEEF)
        with patch.dict(config.options, {"proxy_mode": True}):
            for _i in range(self.LIMIT):
                self.assert_error(
                    self._get(self._guess(self.key_b), first), 401, "unauthorized"
                )
            self.assert_error(
                self._get(self._guess(self.key_b), neighbour), 429, "rate_limited"
            )

    def test_forwarded_headers_are_ignored_without_proxy_mode(self):
        """Without proxy_mode the address is the socket's: a client cannot
        choose a fresh address per attempt."""
        with patch.dict(config.options, {"proxy_mode": False}):
            for _i in range(self.LIMIT + 1):
                response = self._get(self._guess(self.key_b), self._address())
                if response.status_code == 429:
                    break
                self.assert_error(response, 401, "unauthorized")
            self.assert_error(response, 429, "rate_limited")

    def test_zero_turns_it_off(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "partner_order_api.auth_failure_limit_per_minute", "0"
        )
        address = self._address()
        with patch.dict(config.options, {"proxy_mode": True}):
            for _i in range(self.LIMIT + 2):
                self.assert_error(
                    self._get(self._guess(self.key_b), address), 401, "unauthorized"
                )

    def test_production_defaults_together(self):
        """Issue 25: with no setting at all (every partner's budget on, 120
        a minute, and 30 failed authentications a minute), guesses of a
        stored prefix are blocked from their address, and a valid key from
        it is let in within its partner's budget."""
        params = self.env["ir.config_parameter"].sudo()
        params.search(
            [
                (
                    "key",
                    "in",
                    [
                        "partner_order_api.rate_limit_per_minute",
                        "partner_order_api.auth_failure_limit_per_minute",
                    ],
                )
            ]
        ).unlink()
        Buckets = self.env["partner.order.api.rate.bucket"]
        self.assertEqual(
            (Buckets._limit_for(self.partner_a), Buckets._auth_failure_limit()),
            (DEFAULT_LIMIT, DEFAULT_AUTH_FAILURE_LIMIT),
        )
        address = self._address()
        with patch.dict(config.options, {"proxy_mode": True}):
            for _i in range(DEFAULT_AUTH_FAILURE_LIMIT):
                self.assert_error(
                    self._get(self._guess(self.key_b), address), 401, "unauthorized"
                )
            self.assert_error(
                self._get(self._guess(self.key_b), address), 429, "rate_limited"
            )
            valid = self._get(self.key_a, address)
            self.assertEqual(valid.status_code, 200)
            self.assertEqual(valid.headers["X-RateLimit-Limit"], str(DEFAULT_LIMIT))


@tagged("post_install", "-at_install")
class TestCallerFacts(PartnerOrderApiCase):
    """What a worker remembers of a caller (its commercial partner, its API
    switches, the user's company: ``partner.order.api.caller._facts``) costs no query on a
    warm request, and every change to it is seen by the next request."""

    CALLER_QUERY = "JOIN res_partner contact"

    def test_a_contact_of_a_contact_calls_as_its_commercial_partner(self):
        """Issue 25: a user whose partner's parent is not its commercial
        partner (a buyer filed under a department contact) acts for the
        commercial partner, not for the department."""
        department = self.env["res.partner"].create(
            {"name": "Purchasing", "parent_id": self.partner_a.id}
        )
        # a contact of the department, with a portal user and a key
        user, key = self._portal_user(department, f"buyer-{time.time_ns()}")
        self.assertEqual(user.partner_id.parent_id, department)
        self.assertEqual(user.partner_id.commercial_partner_id, self.partner_a)
        order = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_a, 1)]
        )
        response = self.api("GET", "orders", key=key)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertIn(
            order.name, [o["biomes_order_id"] for o in response.json()["orders"]]
        )

    def _statements(self, method, route, key, status=200):
        with self.assertLogs("odoo.sql_db", "DEBUG") as logs:
            response = self.api(method, route, key=key)
        self.assertEqual(response.status_code, status, response.text)
        return response, "\n".join(logs.output)

    def test_a_warm_request_reads_neither_user_nor_partner(self):
        __, first = self._statements("GET", "available_products", self.key_a)
        self.assertIn(self.CALLER_QUERY, first, "a cold worker reads the caller")
        response, warm = self._statements("GET", "available_products", self.key_a)
        self.assertNotIn(self.CALLER_QUERY, warm)
        self.assertNotIn('FROM "res_users"', warm, "env.company from the facts")
        self.assertTrue(response.json()["products"])
        # another user of the same worker is not answered from A's facts
        response, other = self._statements("GET", "orders", self.key_b)
        self.assertIn(self.CALLER_QUERY, other)

    def test_disabling_the_partner_refuses_its_next_request(self):
        self.assertEqual(self.api("GET", "orders", key=self.key_a).status_code, 200)
        self.partner_a.order_api_enabled = False
        self.assert_error(self.api("GET", "orders", key=self.key_a), 403, "forbidden")
        self.partner_a.order_api_enabled = True
        self.assertEqual(self.api("GET", "orders", key=self.key_a).status_code, 200)

    def test_a_new_partner_limit_applies_to_the_next_request(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "partner_order_api.rate_limit_per_minute", "120"
        )
        response = self.api("GET", "orders", key=self.key_a)
        self.assertEqual(response.headers["X-RateLimit-Limit"], "120")
        self.partner_a.order_api_rate_limit_per_minute = 7
        response = self.api("GET", "orders", key=self.key_a)
        self.assertEqual(response.headers["X-RateLimit-Limit"], "7")

    def test_a_contact_moved_to_another_company_calls_as_that_company(self):
        order_b = self.create_order_orm(
            self.partner_b, self.user_b, [(self.product_b, 1)]
        )
        self.assertEqual(self.api("GET", "orders", key=self.key_a).status_code, 200)
        status = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": order_b.name},
        )
        self.assert_error(status, 404, "not_found")
        # the integrator's contact now works for B
        self.user_a.partner_id.parent_id = self.partner_b
        status = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": order_b.name},
        )
        self.assertEqual(status.status_code, 200, status.text)
        self.assertEqual(status.json()["biomes_order_id"], order_b.name)

    def test_the_users_company_is_read_again_when_it_changes(self):
        company_2 = self.env["res.company"].create({"name": "API Second Company"})
        self.user_a.write({"company_ids": [Command.link(company_2.id)]})
        caller = self.env["partner.order.api.caller"].with_user(self.user_a)
        self.assertEqual(caller.env.company, self.user_a.company_id)
        self.assertEqual(self.api("GET", "orders", key=self.key_a).status_code, 200)
        self.user_a.company_id = company_2
        facts = self.env["partner.order.api.caller"]._facts
        entries = [
            k
            for k in self.env.registry._Registry__caches["default"].d
            if "._facts" in str(k)
        ]
        self.assertFalse(entries, "forgotten when the user's company changed")
        self.assertEqual(
            facts(self.user_a.id, 0, -1)[1], company_2.id, "read again: the new one"
        )
