# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Webhooks per company (issue 23): a partner's webhook settings are per
company, an order's events go to the webhook of the order's company only,
and who changes a webhook changes that of a company of theirs (API, portal,
backend, and Odoo's RPC door with a context of the caller's choosing).

Real HTTP to the API and to /web/dataset/call_kw and XML-RPC, real local
receivers (webhook_receiver.py), the real sender (the cron's method),
signatures checked with the ``standardwebhooks`` library."""

import inspect
import json
import xmlrpc.client

from standardwebhooks.webhooks import Webhook

from odoo.tests import JsonRpcException, tagged
from odoo.tools import mute_logger

from .common_companies import MultiCompanyCase
from .test_portal import PortalSectionCase
from .test_rpc_surface import addon_public_methods
from .webhook_receiver import WebhookReceiver

# the webhook settings, as ``stored`` reads them (event types: their rows)
EVENT_TYPES = "event_types"
WEBHOOK_COLUMNS = (
    "order_api_webhook_url",
    "order_api_webhook_secret",
    EVENT_TYPES,
    "order_api_webhook_previous_secret",
    "order_api_webhook_previous_secret_expiry",
)
ATTACKER_URL = "http://127.0.0.1:9/attacker"

# what Odoo logs when an environment names a company not the user's
COMPANY_REFUSED = "Access to unauthorized or invalid companies"


class CompanyWebhookCase(MultiCompanyCase, PortalSectionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Event = cls.env["partner.order.api.webhook.event"]
        cls.admin_2 = cls._employee("admin-2", "base.group_system", cls.company_2)

    def setUp(self):
        super().setUp()
        self.r1 = self.enterContext(WebhookReceiver())
        self.r2 = self.enterContext(WebhookReceiver())

    def stored(self, partner, column="order_api_webhook_url"):
        """The setting as stored, per company ({"<company id>": value}): the
        column of the partner's first endpoint there
        (partner.order.api.webhook.endpoint), read with SQL; ``EVENT_TYPES``:
        its chosen types, comma-separated."""
        self.env.flush_all()
        if column == EVENT_TYPES:
            value = """(SELECT string_agg(t.code, ',' ORDER BY t.sequence)
                          FROM partner_order_api_webhook_endpoint_event_type_rel r
                          JOIN partner_order_api_event_type t ON t.id = r.event_type_id
                         WHERE r.endpoint_id = e.id)"""
        elif column.endswith("_expiry"):
            value = "to_char(e.previous_secret_expiry, 'YYYY-MM-DD HH24:MI:SS')"
        else:
            value = "e." + column.removeprefix("order_api_webhook_")
        self.env.cr.execute(
            f"""
            SELECT jsonb_object_agg(company_id::text, value) FILTER (WHERE value IS NOT NULL)
              FROM (SELECT DISTINCT ON (e.company_id) e.company_id, {value} AS value
                      FROM partner_order_api_webhook_endpoint e
                     WHERE e.partner_id = %s
                     ORDER BY e.company_id, e.id) firsts
            """,  # noqa: S608
            [partner.id],
        )
        return self.env.cr.fetchone()[0] or {}

    def put_webhook(self, key, url, **body):
        response = self.api("PUT", "webhook", key, body=dict(body, url=url))
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def order(self, key):
        response = self.order_in(key)
        self.assertEqual(response.status_code, 201, response.text)
        return self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )

    def send(self):
        """Run the sender; what each receiver got: [(event, order name)]."""
        self.Event._cron_send()
        return {
            receiver: [
                (
                    request["headers"]["x-webhook-event"],
                    json.loads(request["body"]).get("biomes_order_id"),
                )
                for request in receiver.requests
            ]
            for receiver in (self.r1, self.r2)
        }

    def readable_by(self, key, name):
        return self.api(
            "GET",
            "order_status",
            key,
            params={"identifiedBy": "biomes", "order_id": name},
        ).status_code


@tagged("post_install", "-at_install")
class TestWebhookPerCompany(CompanyWebhookCase):
    def test_each_company_its_webhook_and_its_orders_only(self):
        """Issue 23, point 2: the users of one partner in two companies set
        their webhooks; each receives its company's orders alone, signed with
        its own secret, and can read every order it is told about."""
        info_2 = self.put_webhook(self.key_s2, self.r2.url)
        info_1 = self.put_webhook(
            self.key_s1, self.r1.url, event_types=["order.shipped"]
        )
        self.assertNotEqual(info_1["signing_secret"], info_2["signing_secret"])
        for key, url, types in (
            (self.key_s1, self.r1.url, ["order.shipped", "ping"]),
            (self.key_s12, self.r1.url, ["order.shipped", "ping"]),
            (self.key_s2, self.r2.url, info_2["event_types"]),
        ):
            got = self.api("GET", "webhook", key).json()
            self.assertEqual((got["url"], got["event_types"]), (url, types))
        self.assertEqual(
            self.stored(self.shared),
            {str(self.company_1.id): self.r1.url, str(self.company_2.id): self.r2.url},
        )
        order_1, order_2 = self.order(self.key_s1), self.order(self.key_s2)
        self.deliver(order_1)
        # delivered from a company-1 environment: still company 2's webhook
        self.deliver(order_2)
        got = self.send()
        self.assertEqual(got[self.r1], [("order.shipped", order_1.name)])
        self.assertEqual(
            sorted(got[self.r2]),
            sorted(
                (event, order_2.name)
                for event in (
                    "order.updated",
                    "order.created",
                    "order.updated",
                    "order.shipped",
                )
            ),
        )
        for receiver, secret, key in (
            (self.r1, info_1["signing_secret"], self.key_s1),
            (self.r2, info_2["signing_secret"], self.key_s2),
        ):
            for request in receiver.requests:
                body = Webhook(secret).verify(request["body"], request["headers"])
                self.assertEqual(self.readable_by(key, body["biomes_order_id"]), 200)
        events = self.Event.search([("partner_id", "=", self.shared.id)])
        self.assertEqual(
            {(e.company_id, e.url) for e in events},
            {(self.company_1, self.r1.url), (self.company_2, self.r2.url)},
        )

    def test_another_companys_webhook_gets_nothing_of_company_1(self):
        """Issue 23, point 2 as reported: only company 2's user set a
        webhook; company 1's orders record no event at all, and the
        company-1 user is never told of an order it gets 404 for."""
        self.put_webhook(self.key_s2, self.r2.url)
        order_1 = self.order(self.key_s1)
        self.deliver(order_1)
        self.assertFalse(self.Event.search([("order_id", "=", order_1.id)]))
        self.assertEqual(self.send()[self.r2], [])
        self.assertFalse(self.api("GET", "webhook", self.key_s1).json()["url"])

    def test_pings_and_secret_rotation_are_the_api_companys(self):
        self.put_webhook(self.key_s1, self.r1.url)
        info_2 = self.put_webhook(self.key_s2, self.r2.url)
        secret_1 = self.shared.sudo().order_api_webhook_secret
        for key in (self.key_s1, self.key_s2):
            ping = self.api("POST", "webhook/test", key)
            self.assertTrue(ping.json()["delivered"], ping.text)
        self.assertEqual(len(self.r1.requests), 1)
        self.assertEqual(len(self.r2.requests), 1)
        request = self.r2.requests[0]
        Webhook(info_2["signing_secret"]).verify(request["body"], request["headers"])
        pings = self.Event.search(
            [("partner_id", "=", self.shared.id), ("event_type", "=", "ping")]
        )
        self.assertEqual(
            {(p.company_id, p.url) for p in pings},
            {(self.company_1, self.r1.url), (self.company_2, self.r2.url)},
        )
        rotated = self.api("POST", "webhook/rotate_secret", self.key_s2).json()
        self.assertTrue(rotated["previous_secret_expires_at"])
        self.assertEqual(self.shared.sudo().order_api_webhook_secret, secret_1)
        self.assertIsNone(
            self.api("GET", "webhook", self.key_s1).json()["previous_secret_expires_at"]
        )
        self.api("DELETE", "webhook", self.key_s2)
        self.assertEqual(
            self.stored(self.shared), {str(self.company_1.id): self.r1.url}
        )

    def test_bound_partner_webhook_is_its_companys(self):
        """A partner restricted to company 2, its user's default company 1:
        the API and the portal page act on company 2's webhook."""
        self.put_webhook(self.key_bound_in, self.r2.url)
        self.assertEqual(self.stored(self.bound), {str(self.company_2.id): self.r2.url})
        self.authenticate(self.user_bound_in.login, "poa-bound-in-password")
        page = self.security_page()
        self.assertIn(self.r2.url, page)
        self.assertIn(self.company_2.name, page)
        order = self.order(self.key_bound_in)
        self.assertEqual(order.company_id, self.company_2)
        self.assertEqual(len(self.send()[self.r2]), 2)


@tagged("post_install", "-at_install")
class TestWebhookChangesStayInTheirCompany(CompanyWebhookCase):
    def test_portal_sets_the_api_companys_webhook_whatever_the_context(self):
        """The portal actions run with a context the client chooses: a
        company-2 user naming company 1 (or the shared user of both naming
        company 2) changes its own API company's webhook only."""
        self.put_webhook(self.key_s1, self.r1.url)
        before_1 = {
            column: self.stored(self.shared, column).get(str(self.company_1.id))
            for column in WEBHOOK_COLUMNS
        }
        for user, company, foreign in (
            (self.user_s2, self.company_2, self.company_1),
            (self.user_s12, self.company_1, self.company_2),
        ):
            login = user.login
            self.authenticate(login, f"{login}-password")
            result = self.call_kw_forged(
                "partner.order.api.portal",
                "action_order_api_save_webhook",
                [self.r2.url if company == self.company_2 else self.r1.url],
                {"allowed_company_ids": [foreign.id]},
                password=f"{login}-password",
            )
            self.assertTrue(result["ok"], result)
        self.assertEqual(
            self.stored(self.shared),
            {str(self.company_1.id): self.r1.url, str(self.company_2.id): self.r2.url},
        )
        self.assertEqual(
            self.stored(self.shared, "order_api_webhook_secret")[
                str(self.company_1.id)
            ],
            before_1["order_api_webhook_secret"],
        )
        self.authenticate(self.user_s2.login, "poa-s2-password")
        page = self.security_page()
        self.assertIn(self.r2.url, page)
        self.assertNotIn(self.r1.url, page)

    def test_backend_manager_of_company_2_changes_company_2s_webhook_only(self):
        """Issue 23, point 1: a sales manager of company 2 only sets the
        shared partner's webhook in the backend: company 2's; naming
        company 1 in the context (JSON-RPC, XML-RPC) is refused; he then
        receives company 2's orders alone and sees where their deliveries
        went in the log, and none of company 1's."""
        self.put_webhook(self.key_s1, self.r1.url)
        self.authenticate(self.manager_2.login, "poa-manager-2-password")
        self.call_kw_forged(
            "res.partner",
            "write",
            [self.shared.ids, {"order_api_webhook_url": self.r2.url}],
            {},
        )
        for context in (
            {"allowed_company_ids": [self.company_1.id]},
            {"allowed_company_ids": [self.company_2.id, self.company_1.id]},
        ):
            with (
                self.subTest(context=context),
                self.assertRaises(JsonRpcException),
                self.assertLogs("odoo.http", "WARNING") as logs,
            ):
                self.call_kw_forged(
                    "res.partner",
                    "write",
                    [self.shared.ids, {"order_api_webhook_url": ATTACKER_URL}],
                    context,
                )
            self.assertIn(COMPANY_REFUSED, "\n".join(logs.output))
        with self.assertRaises(xmlrpc.client.Fault), mute_logger("odoo.http"):
            self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                self.manager_2.id,
                "poa-manager-2-password",
                "res.partner",
                "write",
                [self.shared.ids, {"order_api_webhook_url": ATTACKER_URL}],
                {"context": {"allowed_company_ids": [self.company_1.id]}},
            )
        self.assertEqual(
            self.stored(self.shared),
            {str(self.company_1.id): self.r1.url, str(self.company_2.id): self.r2.url},
        )
        form = self.call_kw_forged(
            "res.partner",
            "read",
            [
                self.shared.ids,
                ["order_api_webhook_url", "order_api_webhook_company_id"],
            ],
            {},
        )[0]
        self.assertEqual(form["order_api_webhook_url"], self.r2.url)
        self.assertEqual(form["order_api_webhook_company_id"][0], self.company_2.id)

        order_1, order_2 = self.order(self.key_s1), self.order(self.key_s2)
        got = self.send()
        self.assertEqual({name for _e, name in got[self.r1]}, {order_1.name})
        self.assertEqual({name for _e, name in got[self.r2]}, {order_2.name})
        log = self.call_kw_forged(
            "partner.order.api.webhook.event",
            "search_read",
            [[("partner_id", "=", self.shared.id)], ["order_id", "url", "state"]],
            {},
        )
        self.assertEqual(len(log), 2)
        self.assertEqual(
            {(row["order_id"][0], row["url"], row["state"]) for row in log},
            {(order_2.id, self.r2.url, "done")},
        )

    def test_rotation_button_of_a_company_2_admin_naming_company_1(self):
        """The backend's rotation elevates: it checks the company first."""
        self.put_webhook(self.key_s1, self.r1.url)
        self.put_webhook(self.key_s2, self.r2.url)
        secrets = self.stored(self.shared, "order_api_webhook_secret")
        self.authenticate(self.admin_2.login, "poa-admin-2-password")
        with (
            self.assertRaises(JsonRpcException) as ctx,
            self.assertLogs("odoo.http", "WARNING") as logs,
        ):
            self.call_kw_forged(
                "res.partner",
                "action_order_api_rotate_webhook_secret",
                [self.shared.ids],
                {"allowed_company_ids": [self.company_1.id]},
            )
        self.assertIn("AccessError", str(ctx.exception))
        self.assertIn(COMPANY_REFUSED, "\n".join(logs.output))
        self.assertEqual(self.stored(self.shared, "order_api_webhook_secret"), secrets)
        self.call_kw_forged(
            "res.partner",
            "action_order_api_rotate_webhook_secret",
            [self.shared.ids],
            {},
        )
        after = self.stored(self.shared, "order_api_webhook_secret")
        company_1, company_2 = str(self.company_1.id), str(self.company_2.id)
        self.assertEqual(after[company_1], secrets[company_1])
        self.assertNotEqual(after[company_2], secrets[company_2])

    def test_rpc_walk_naming_company_1_changes_none_of_its_webhook(self):
        """Every public method of the addon, called by company 2's sales
        manager, admin and portal user with a context naming company 1 (as
        ``/web/dataset/call_kw`` lets any logged-in user): company 1's
        webhook settings of the shared partner stay as they were, and none
        of them is answered."""
        info_1 = self.put_webhook(
            self.key_s1, self.r1.url, event_types=["order.shipped"]
        )
        self.shared._order_api_rotate_webhook_secret()  # a previous secret too
        columns = {c: self.stored(self.shared, c) for c in WEBHOOK_COLUMNS}
        company_1 = str(self.company_1.id)
        before = {c: value.get(company_1) for c, value in columns.items()}
        self.assertTrue(all(before.values()), before)
        secrets = [info_1["signing_secret"], before["order_api_webhook_secret"]]
        methods = addon_public_methods(self.env)
        for user, password in (
            (self.manager_2, "poa-manager-2-password"),
            (self.admin_2, "poa-admin-2-password"),
            (self.user_s2, "poa-s2-password"),
        ):
            self.authenticate(user.login, password)
            for model_name, method_name in sorted(methods):
                try:
                    with mute_logger("odoo.http", "odoo.addons.partner_order_api"):
                        result = self.call_kw_forged(
                            model_name,
                            method_name,
                            self.walk_arguments(model_name, method_name),
                            {"allowed_company_ids": [self.company_1.id]},
                            password=password,
                        )
                except JsonRpcException:
                    continue
                text = json.dumps(result, default=str)
                for secret in secrets:
                    self.assertNotIn(secret, text, (user.login, method_name))
            after = {c: self.stored(self.shared, c).get(company_1) for c in columns}
            self.assertEqual(after, before, user.login)

    # ------------------------------------------------------------------

    def call_kw_forged(self, model, method, args, context, password=None):
        """``model.method(*args)`` through /web/dataset/call_kw with
        ``context``, as the logged-in user; an identity check is passed with
        ``password``."""
        return self.call_with_identity_check(model, method, args, password, context)

    def walk_arguments(self, model_name, method_name):
        """Arguments aimed at the shared partner's webhook: hostile values
        for ``vals``, the shared partner's id for record methods."""
        function = getattr(type(self.env[model_name]), method_name)
        hostile = {
            "order_api_webhook_url": ATTACKER_URL,
            "order_api_webhook_secret": "whsec_AAAA",
            "order_api_webhook_event_type_ids": [
                (6, 0, self.env.ref("partner_order_api.event_type_ping").ids)
            ],
            "order_api_webhook_previous_secret": "whsec_BBBB",
            "order_api_webhook_previous_secret_expiry": "2099-01-01 00:00:00",
        }
        vals = {k: v for k, v in hostile.items() if k in self.env[model_name]._fields}
        by_name = {
            "vals": vals,
            "vals_list": [vals],
            "url": ATTACKER_URL,
            "event_types": ["ping"],
            "name": "attacker",
            "duration": 30,
            "read_only": False,
        }
        params = list(inspect.signature(function).parameters.values())[1:]
        args = [
            by_name.get(param.name)
            for param in params
            if param.default is inspect.Parameter.empty
            and param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ]
        if getattr(function, "_api", None) in ("model", "model_create"):
            return args
        ids = self.shared.ids if model_name == "res.partner" else []
        return [ids, *args]
