# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""API keys, issue 29: last used (time, address), allowed networks, the
expiry reminder; through the real API, the portal page and the cron."""

import datetime
import re
import time
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.sql_db import db_connect
from odoo.tests import JsonRpcException, tagged
from odoo.tools import config, mute_logger

from ..models import partner_order_api_caller as caller_module
from .common import SCOPE, other_transactions
from .test_portal import PortalSectionCase


class KeysCase(PortalSectionCase):
    def setUp(self):
        super().setUp()
        # what this worker remembers of recorded uses, per test
        caller_module._last_recorded.clear()
        self.addCleanup(caller_module._last_recorded.clear)
        # GET routes on read/write test cursors: a test's read-only cursor
        # cannot open the short read/write one that records the use (in
        # production it is a cursor of its own on the primary)
        patcher = patch.object(self.registry, "test_readonly_enabled", False)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _key(self, user=None, networks=None, name="issue 29 key"):
        """A new key of ``user`` (A by default) and its row."""
        user = user or self.user_a
        secret = self._generate_key(user, name=name)
        row = (
            self.env["res.users.apikeys"]
            .sudo()
            .search([("user_id", "=", user.id), ("name", "=", name)], limit=1)
        )
        if networks:
            row.write({"order_api_allowed_networks": networks})
            self._commit_like()
        return secret, row

    def _commit_like(self):
        """What a commit does to the caches: flush (pre-commit hooks), then
        the post-commit hooks (the test never commits)."""
        self.env.cr.flush()
        self.env.cr.postcommit.run()

    def _get(self, key, address):
        """GET orders with ``key`` from ``address`` (behind a proxy)."""
        with patch.dict(config.options, {"proxy_mode": True}):
            return self.api(
                "GET",
                "orders",
                key=key,
                headers={
                    "X-Forwarded-For": address,
                    "X-Forwarded-Host": "api.example.com",
                },
            )

    def _last_used(self, row):
        self.env.cr.execute(
            "SELECT order_api_last_used_at, order_api_last_used_ip"
            " FROM res_users_apikeys WHERE id = %s",
            [row.id],
        )
        return self.env.cr.fetchone()


@tagged("post_install", "-at_install")
class TestLastUsed(KeysCase):
    def test_a_request_records_when_and_from_where(self):
        key, row = self._key()
        self.assertEqual(self._last_used(row), (None, None))
        self.assertEqual(self._get(key, "203.0.113.5").status_code, 200)
        used_at, address = self._last_used(row)
        self.assertEqual(address, "203.0.113.5")
        # now(): the test's transaction began at most a few minutes ago
        self.assertLess(
            abs(datetime.datetime.now() - used_at), datetime.timedelta(minutes=10)
        )
        # another key of the same user is left alone
        other, other_row = self._key(name="other key")
        self.assertEqual(self._last_used(other_row), (None, None))
        self.assertEqual(self._get(other, "2001:db8::7").status_code, 200)
        self.assertEqual(self._last_used(other_row)[1], "2001:db8::7")
        self.assertEqual(self._last_used(row)[1], "203.0.113.5")

    def test_recorded_at_most_once_a_minute_per_key(self):
        key, row = self._key()
        self.assertEqual(self._get(key, "203.0.113.5").status_code, 200)
        first = self._last_used(row)
        # another worker (nothing remembered here) within the minute: the
        # UPDATE's condition leaves the row alone
        caller_module._last_recorded.clear()
        self.assertEqual(self._get(key, "203.0.113.6").status_code, 200)
        self.assertEqual(self._last_used(row), first)
        # a minute later, it is recorded again
        self.env.cr.execute(
            "UPDATE res_users_apikeys SET order_api_last_used_at ="
            " order_api_last_used_at - interval '61 seconds' WHERE id = %s",
            [row.id],
        )
        caller_module._last_recorded.clear()
        self.assertEqual(self._get(key, "203.0.113.7").status_code, 200)
        self.assertEqual(self._last_used(row)[1], "203.0.113.7")

    def test_a_worker_tries_once_a_minute_per_key(self):
        """Within the minute, the worker that recorded a key's use sends no
        statement for it at all."""
        _key, row = self._key()
        caller = self.env["partner.order.api.caller"]
        caller._record_use(row.id, "203.0.113.5")
        with self.assertLogs("odoo.sql_db", "DEBUG") as queries:
            caller._record_use(row.id, "203.0.113.6")
            self.env.cr.execute("SELECT 1")  # (assertLogs needs one line)
        self.assertNotIn("order_api_last_used", "\n".join(queries.output))
        self.assertEqual(self._last_used(row)[1], "203.0.113.5")

    def test_refused_requests_record_nothing(self):
        key, row = self._key(networks="203.0.113.0/24")
        # a wrong key sharing the prefix; the right key from elsewhere
        self.assert_error(
            self._get(key[:8] + "0" * 32, "203.0.113.5"), 401, "unauthorized"
        )
        self.assert_error(self._get(key, "198.51.100.9"), 403, "forbidden")
        self.assertEqual(self._last_used(row), (None, None))
        self.assertEqual(self._get(key, "203.0.113.5").status_code, 200)
        self.assertEqual(self._last_used(row)[1], "203.0.113.5")

    def test_recording_never_waits_for_a_locked_row(self):
        """On real connections: while another transaction holds the key's
        row, the statement returns at once and changes nothing."""
        dbname = self.env.cr.dbname
        params = {"address": "203.0.113.5", "seconds": 60}
        with db_connect(dbname).cursor() as setup:
            setup.execute(
                "INSERT INTO res_users_apikeys (name, user_id, scope, key, index)"
                " VALUES ('lock test', %s, %s, 'not a hash', 'locktest')"
                " RETURNING id",
                [self.env.ref("base.user_admin").id, SCOPE],
            )
            params["key_id"] = setup.fetchone()[0]
        try:
            with other_transactions(dbname) as (holder_env, recorder_env):
                holder, recorder = holder_env.cr, recorder_env.cr
                holder.execute(
                    "SELECT 1 FROM res_users_apikeys WHERE id = %s FOR UPDATE",
                    [params["key_id"]],
                )
                recorder.execute("SET LOCAL lock_timeout = '5s'")
                start = time.monotonic()
                recorder.execute(caller_module.RECORD_USE_SQL, params)
                self.assertLess(time.monotonic() - start, 2.0)
                self.assertEqual(recorder.rowcount, 0)
                holder.rollback()
                recorder.execute(caller_module.RECORD_USE_SQL, params)
                self.assertEqual(recorder.rowcount, 1)
        finally:
            with db_connect(dbname).cursor() as cleanup:
                cleanup.execute(
                    "DELETE FROM res_users_apikeys WHERE id = %s", [params["key_id"]]
                )

    def test_shown_on_the_portal_page(self):
        key, row = self._key(name="used key")
        self._key(name="unused key")
        self.assertEqual(self._get(key, "2001:db8::42").status_code, 200)
        html = self._page_of(self.user_a)
        used_row = re.search(
            rf'data-key-id="{row.id}".*?</tr>', html, flags=re.DOTALL
        ).group(0)
        self.assertIn("2001:db8::42", used_row)
        self.assertNotIn("Never", used_row)
        self.assertIn("o_poa_key_last_used", used_row)


@tagged("post_install", "-at_install")
class TestAllowedNetworks(KeysCase):
    def test_a_key_is_refused_outside_its_networks(self):
        key, _row = self._key(networks="203.0.113.0/24, 192.0.2.10")
        self.assertEqual(self._get(key, "203.0.113.77").status_code, 200)
        self.assertEqual(self._get(key, "192.0.2.10").status_code, 200)
        refused = self._get(key, "198.51.100.7")
        self.assert_error(refused, 403, "forbidden")
        message = refused.json()["error"]["message"]
        self.assertIn("address", message)
        # the allowed list is not revealed
        self.assertNotIn("203.0.113", refused.text)
        self.assertNotIn("192.0.2", refused.text)
        # keys without networks are accepted from anywhere
        self.assertEqual(self._get(self.key_a, "198.51.100.7").status_code, 200)

    def test_the_refusal_costs_the_partners_budget(self):
        """As other refusals of a valid key do (a partner not enabled, a
        read-only key on a write): the budget's headers, then 429."""
        stamp = time.time_ns()
        partner, user, _key = self._create_partner(
            f"Nets {stamp}", f"nets-{stamp}", self.product_a, enabled=True
        )
        partner.order_api_rate_limit_per_minute = 3
        key, _row = self._key(user=user, networks="203.0.113.0/24")
        for remaining in (2, 1, 0):
            refused = self._get(key, "198.51.100.7")
            self.assert_error(refused, 403, "forbidden")
            self.assertEqual(
                (
                    refused.headers.get("X-RateLimit-Cost"),
                    refused.headers.get("X-RateLimit-Remaining"),
                ),
                ("1", str(remaining)),
            )
        self.assert_error(self._get(key, "198.51.100.7"), 429, "rate_limited")

    def test_ipv6_networks(self):
        key, _row = self._key(networks="2001:db8:1::/48")
        self.assertEqual(self._get(key, "2001:db8:1:ffff::5").status_code, 200)
        self.assert_error(self._get(key, "2001:db8:2::5"), 403, "forbidden")
        self.assert_error(self._get(key, "2001:db9:1::5"), 403, "forbidden")
        self.assert_error(self._get(key, "203.0.113.5"), 403, "forbidden")
        # an IPv4 network does not let an IPv6 client in, nor the reverse;
        # an IPv4-mapped address is its IPv4
        key4, _row4 = self._key(networks="203.0.113.0/24", name="v4 key")
        self.assert_error(self._get(key4, "2001:db8:1::5"), 403, "forbidden")
        self.assertEqual(self._get(key4, "::ffff:203.0.113.9").status_code, 200)

    def test_a_change_takes_effect_at_once_in_every_worker(self):
        key, row = self._key()
        self.assertEqual(self._get(key, "198.51.100.7").status_code, 200)
        generation = self.registry.cache_sequences["default"]
        row.with_user(self.env.ref("base.user_admin")).write(
            {"order_api_allowed_networks": "203.0.113.0/24"}
        )
        self._commit_like()
        self.assertGreater(
            self.registry.cache_sequences["default"],
            generation,
            "the other workers are signalled",
        )
        self.assert_error(self._get(key, "198.51.100.7"), 403, "forbidden")
        row.with_user(self.env.ref("base.user_admin")).write(
            {"order_api_allowed_networks": ""}
        )
        self._commit_like()
        self.assertEqual(self._get(key, "198.51.100.7").status_code, 200)

    def test_networks_that_no_longer_parse_allow_nothing(self):
        """Written around ``write`` (SQL, an import): the key fails closed."""
        key, row = self._key()
        self.env.cr.execute(
            "UPDATE res_users_apikeys SET order_api_allowed_networks = 'garbage'"
            " WHERE id = %s",
            [row.id],
        )
        self.env.registry.clear_cache()
        self.assert_error(self._get(key, "198.51.100.7"), 403, "forbidden")

    def test_the_networks_of_the_key_sent_when_two_share_an_index(self):
        """Two keys of one user sharing their first characters (once in 4
        billion): the networks are those of the key whose hash matches."""
        _old, old_row = self._key(name="old key")
        key, row = self._key(networks="192.0.2.0/24", name="new key")
        self.env.cr.execute(
            "UPDATE res_users_apikeys SET index = %s WHERE id = %s",
            [key[:8], old_row.id],
        )
        self.assertLess(old_row.id, row.id)
        self.env.registry.clear_cache()
        self.assert_error(self._get(key, "198.51.100.7"), 403, "forbidden")
        self.assertEqual(self._get(key, "192.0.2.9").status_code, 200)
        self.assertEqual(self._last_used(row)[1], "192.0.2.9")
        self.assertEqual(self._last_used(old_row), (None, None))

    def test_validated_and_normalized_on_write(self):
        _key, row = self._key()
        admin_row = row.with_user(self.env.ref("base.user_admin"))
        admin_row.write(
            {"order_api_allowed_networks": " 2001:DB8::/48 ,10.0.0.0/8,,10.0.0.0/8"}
        )
        self.assertEqual(row.order_api_allowed_networks, "2001:db8::/48, 10.0.0.0/8")
        for text, expected in (
            ("10.0.0.1/8", "did you mean 10.0.0.0/8"),
            ("not-an-address", "not an IPv4 or IPv6 address"),
            ("2001:db8::/129", "not an IPv4 or IPv6 address"),
            (", ".join(f"10.0.{i}.0/24" for i in range(21)), "At most 20"),
        ):
            with self.assertRaisesRegex(ValidationError, expected):
                admin_row.write({"order_api_allowed_networks": text})
        self.assertEqual(row.order_api_allowed_networks, "2001:db8::/48, 10.0.0.0/8")

    def test_only_administrators_change_them(self):
        """Users have no write right on keys (administrators do), also
        through res.users' self-writeable api_key_ids (Odoo runs its
        commands unelevated): an administrator's networks are not theirs to
        lift, nor is a last use theirs to forge."""
        _key, row = self._key(networks="203.0.113.0/24")
        for vals in (
            {"order_api_allowed_networks": False},
            {"order_api_last_used_ip": "192.0.2.1"},
        ):
            with self.assertRaises(AccessError):
                self.user_a.with_user(self.user_a).write(
                    {"api_key_ids": [Command.update(row.id, vals)]}
                )
            with self.assertRaises(AccessError):
                row.with_user(self.user_a).write(vals)
        self.assertEqual(row.order_api_allowed_networks, "203.0.113.0/24")

    def test_set_when_the_portal_user_makes_the_key(self):
        self.authenticate(self.user_a.login, "poa-a-password")
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as bad:
            self.call_with_identity_check(
                "res.users.apikeys",
                "action_order_api_make_key",
                ["ERP", 90, False, "203.0.113.1/24"],
                "poa-a-password",
            )
        self.assertEqual(str(bad.exception), "odoo.exceptions.ValidationError")
        Keys = self.env["res.users.apikeys"].sudo()
        self.assertFalse(Keys.search([("name", "=", "ERP")]))
        result = self.call_with_identity_check(
            "res.users.apikeys",
            "action_order_api_make_key",
            ["ERP", 90, False, "203.0.113.0/24, 2001:DB8::/48"],
            "poa-a-password",
        )
        self.assertEqual(result["allowed_networks"], "203.0.113.0/24, 2001:db8::/48")
        row = Keys.browse(result["id"])
        self.assertEqual(row.order_api_allowed_networks, result["allowed_networks"])
        self.assertEqual(self._get(result["key"], "2001:db8::1").status_code, 200)
        self.assert_error(self._get(result["key"], "192.0.2.1"), 403, "forbidden")
        html = self._page_of(self.user_a)
        self.assertIn("203.0.113.0/24, 2001:db8::/48", html)


@tagged("post_install", "-at_install")
class TestExpiryReminder(KeysCase):
    def _expiring(self, name, expires_in, lifetime, user=None, scope=SCOPE):
        """A key expiring in ``expires_in`` days, made ``lifetime`` days
        before it expires."""
        user = user or self.user_a
        expiration = fields.Datetime.now() + datetime.timedelta(days=expires_in)
        self.env["res.users.apikeys"].with_user(user).sudo()._generate(
            scope, name, expiration
        )
        row = (
            self.env["res.users.apikeys"]
            .sudo()
            .search([("user_id", "=", user.id), ("name", "=", name)])
        )
        self.env.cr.execute(
            "UPDATE res_users_apikeys SET create_date = %s WHERE id = %s",
            [expiration - datetime.timedelta(days=lifetime), row.id],
        )
        return row

    def _mails(self, rows):
        return self.env["mail.mail"].search(
            [("model", "=", "res.users.apikeys"), ("res_id", "in", rows.ids)]
        )

    def _remind(self):
        self.env["res.users.apikeys"]._cron_order_api_expiry_reminder()
        self.env.invalidate_all()

    def test_reminded_once_from_14_days_before(self):
        # 14 days before: the (and the README's) promise
        due = self._expiring("due", 13, 30)
        due_b = self._expiring("due of B", 2, 90, user=self.user_b)
        just = self._expiring("just due", 13.99, 30)
        later = self._expiring("later", 14.5, 30)
        expired = self._expiring("expired", -1, 30)
        other = self._expiring("rpc key", 3, 30, scope="rpc")
        short = self._expiring("short-lived", 5, 13)
        self._remind()
        for row in due | due_b | just:
            mail = self._mails(row)
            self.assertEqual(len(mail), 1, row.name)
            self.assertEqual(mail.state, "outgoing", "queued, not sent")
            self.assertEqual(mail.recipient_ids, row.user_id.partner_id)
            self.assertIn(row.name, mail.subject)
            self.assertIn("/my/security", mail.body_html)
            self.assertTrue(row.order_api_expiry_reminded_at)
        self.assertFalse(self._mails(later | expired | other | short))
        # once per key: the next days send nothing more
        self._remind()
        self.assertEqual(len(self._mails(due | due_b | just)), 3)
        # the later key's day comes
        self.env.cr.execute(
            "UPDATE res_users_apikeys SET expiration_date = expiration_date"
            " - interval '1 day', create_date = create_date - interval '1 day'"
            " WHERE id = %s",
            [later.id],
        )
        self._remind()
        self.assertEqual(len(self._mails(later)), 1)
        self.assertEqual(len(self._mails(due | due_b | just)), 3)

    def test_reminders_are_batched(self):
        """One statement finds the keys, whatever their number: the queries
        do not grow with them (mail rendering aside)."""
        rows = self.env["res.users.apikeys"]
        for i in range(6):
            rows |= self._expiring(f"batch {i}", 3, 30)
        with self.assertLogs("odoo.sql_db", "DEBUG") as queries:
            self._remind()
        self.assertEqual(len(self._mails(rows)), 6)
        updates = [
            line
            for line in queries.output
            if "UPDATE" in line and "order_api_expiry_reminded_at" in line
        ]
        self.assertEqual(len(updates), 1, updates)


@tagged("post_install", "-at_install")
class TestKeysBackend(KeysCase):
    def test_user_forms_show_last_use_and_networks(self):
        """The user form's API Keys tab (administrators: the networks
        editable) and the user's own preferences show them."""
        Users = self.env["res.users"]
        form = Users.get_view(self.env.ref("base.view_users_form").id, "form")
        arch = form["arch"]
        keys_page = re.search(
            r'<page[^>]*name="order_api_keys".*?</page>', arch, flags=re.DOTALL
        ).group(0)
        for name in (
            "order_api_allowed_networks",
            "order_api_last_used_at",
            "order_api_last_used_ip",
        ):
            self.assertIn(f'name="{name}"', keys_page)
        self.assertNotRegex(
            keys_page, r'name="order_api_allowed_networks"[^>]*readonly="(1|True)"'
        )
        preferences = Users.get_view(
            self.env.ref("base.view_users_form_simple_modif").id, "form"
        )["arch"]
        self.assertIn('name="order_api_last_used_ip"', preferences)

    def test_models_inheriting_the_keys_have_the_columns(self):
        """Odoo's trusted browsers (``auth_totp.device``, installed with
        the test databases) inherit the keys' model and this addon's fields
        with it: their own table has the columns, so Odoo's 2FA pages and
        any read of them still work."""
        Devices = self.env["auth_totp.device"].sudo()
        Devices.with_user(self.user_a)._generate(
            "browser",
            "poa trusted browser",
            fields.Datetime.now() + datetime.timedelta(days=30),
        )
        names = ["order_api_last_used_at", "order_api_allowed_networks"]
        with self.assertNoLogs("odoo.sql_db", "ERROR"):
            rows = Devices.search_read([("user_id", "=", self.user_a.id)], names)
        self.assertEqual([row["order_api_allowed_networks"] for row in rows], [False])

    def test_an_administrator_sets_networks_through_the_user_form(self):
        key, row = self._key()
        admin = self.env.ref("base.user_admin")
        self.user_a.with_user(admin).write(
            {
                "api_key_ids": [
                    Command.update(
                        row.id, {"order_api_allowed_networks": "192.0.2.0/24"}
                    )
                ]
            }
        )
        self._commit_like()
        self.assertEqual(row.order_api_allowed_networks, "192.0.2.0/24")
        self.assert_error(self._get(key, "198.51.100.7"), 403, "forbidden")
        self.assertEqual(self._get(key, "192.0.2.200").status_code, 200)
