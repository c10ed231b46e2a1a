# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Odoo's second door: every public model method is reachable through
``/web/dataset/call_kw`` (and XML-RPC) by any logged-in user, with a context
of the caller's choosing. These tests walk the registry for every public
method this addon defines, call each one as a portal user of partner A with a
context naming partner B, and check that nothing of B was read or changed.
"""

import inspect
import json
import xmlrpc.client

from odoo import Command
from odoo.exceptions import AccessError
from odoo.service.model import get_public_method
from odoo.tests import JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger

from .test_portal import PortalSectionCase

ADDON_MODULE = "odoo.addons.partner_order_api."
# an address the portal tests allow (PortalSectionCase): a save runs, for
# the caller's own partner only
ATTACKER_URL = "http://127.0.0.1:9/attacker-hook"


def addon_public_methods(env):
    """``{(model, method)}``: every method defined in this addon's Python files,
    on any model, that Odoo's RPC layer lets a client call."""
    found = set()
    for model_name in env.registry:
        model = env[model_name]
        for klass in type(model).mro():
            if not getattr(klass, "__module__", "").startswith(ADDON_MODULE):
                continue
            for name, value in vars(klass).items():
                if not inspect.isfunction(value):
                    continue
                try:
                    get_public_method(model, name)
                except (AccessError, AttributeError):
                    continue
                found.add((model_name, name))
    return found


class RpcSurfaceCase(PortalSectionCase):
    """Partner B with data of every kind (an API order, a delivery, an
    idempotency row, a webhook event, a key, webhook secrets), read back by
    SQL (``snapshot_b``), and the arguments an attacker aims at it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.partner_b.sudo().write(
            {"order_api_webhook_url": "http://127.0.0.1:9/b-hook"}
        )
        cls.secret_b = cls.partner_b._order_api_webhook_secret()
        # a rotation: B's previous secret still signs, beside a new one
        cls.partner_b._order_api_rotate_webhook_secret()
        cls.partner_b._order_api_set_webhook_event_types(
            ["order.shipped", "order.invoiced"]
        )
        cls.new_secret_b = cls.partner_b.sudo().order_api_webhook_secret
        cls.partner_b.order_api_rate_limit_per_minute = 7
        # B's own data: an API order with a validated delivery (an event), an
        # idempotency entry, an API key
        cls.order_b = (
            env["partner.order.api.orders"]
            .with_user(cls.user_b)
            .with_company(cls.company)
            ._create_order(
                {
                    "lines": [{"ean": cls.product_a.barcode, "amount": 2}],
                    "delivery_address": {
                        "name": "B Secret Site",
                        "street": "Hidden Road 9",
                        "street2": None,
                        "zip": "99999",
                        "city": "Bville",
                        "country_code": "DE",
                    },
                    "external_order_id": "B-SECRET-EXT",
                    "note": None,
                }
            )
        )
        cls.order_b_rec = env["sale.order"].search(
            [("order_api_external_id", "=", "B-SECRET-EXT")]
        )
        env["partner.order.api.idempotency"].sudo().create(
            {
                "partner_id": cls.partner_b.id,
                "company_id": cls.company.id,
                "key": "b-idem-key",
                "fingerprint": "f" * 64,
                "response_status": 201,
                "response_body": json.dumps({"biomes_order_id": "B-SECRET"}),
            }
        )
        cls.event_b = (
            env["partner.order.api.webhook.event"]
            .sudo()
            .create(
                {
                    "partner_id": cls.partner_b.id,
                    "order_id": cls.order_b_rec.id,
                    "payload": json.dumps({"biomes_order_id": cls.order_b_rec.name}),
                    "state": "done",
                }
            )
        )
        cls.key_row_b = (
            env["res.users.apikeys"]
            .sudo()
            .search([("user_id", "=", cls.user_b.id)], limit=1)
        )
        cls.b_secrets = [
            cls.secret_b,
            cls.new_secret_b,
            "B Secret Site",
            "Hidden Road 9",
            "B-SECRET-EXT",
            cls.order_b_rec.name,
            "b-idem-key",
            "http://127.0.0.1:9/b-hook",
        ]

    # ------------------------------------------------------------------

    def snapshot_b(self):
        """B's data as stored, read with SQL (no ORM cache)."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            """
            SELECT order_api_enabled,
                   -- its webhook endpoints (URL, secrets, state) and their events
                   ARRAY(SELECT concat_ws('|', e.id, e.company_id, e.url, e.secret,
                                          e.previous_secret, e.previous_secret_expiry,
                                          e.state, e.disabled_reason)
                           FROM partner_order_api_webhook_endpoint e
                          WHERE e.partner_id = p.id ORDER BY e.id),
                   ARRAY(SELECT r.endpoint_id::text || ':' || t.code
                           FROM partner_order_api_webhook_endpoint e
                           JOIN partner_order_api_webhook_endpoint_event_type_rel r
                             ON r.endpoint_id = e.id
                           JOIN partner_order_api_event_type t ON t.id = r.event_type_id
                          WHERE e.partner_id = p.id ORDER BY 1),
                   order_api_rate_limit_per_minute,
                   ARRAY(SELECT product_id FROM res_partner_order_api_product_rel
                          WHERE partner_id = p.id ORDER BY product_id),
                   ARRAY(SELECT carrier_id FROM res_partner_order_api_carrier_rel
                          WHERE partner_id = p.id ORDER BY carrier_id),
                   ARRAY(SELECT c.id::text || ':' || COALESCE(c.order_api_code, '')
                           FROM delivery_carrier c ORDER BY c.id)
              FROM res_partner p WHERE id = %s
            """,
            [self.partner_b.id],
        )
        partner = cr.fetchone()
        cr.execute(
            """
            SELECT id, state, order_api_external_id, order_api_partner_id, partner_id,
                   partner_shipping_id, amount_total
              FROM sale_order WHERE partner_id = ANY(%s) ORDER BY id
            """,
            [self.partner_b.child_ids.ids + self.partner_b.ids],
        )
        orders = cr.fetchall()
        cr.execute(
            "SELECT key, fingerprint, response_body FROM partner_order_api_idempotency "
            "WHERE partner_id = %s ORDER BY id",
            [self.partner_b.id],
        )
        idempotency = cr.fetchall()
        cr.execute(
            "SELECT id, state, attempt_count, payload FROM partner_order_api_webhook_event "
            "WHERE partner_id = %s ORDER BY id",
            [self.partner_b.id],
        )
        events = cr.fetchall()
        cr.execute(
            "SELECT id, scope, expiration_date FROM res_users_apikeys WHERE user_id = %s "
            "ORDER BY id",
            [self.user_b.id],
        )
        keys = cr.fetchall()
        cr.execute(
            "SELECT active, partner_id FROM res_users WHERE id = %s", [self.user_b.id]
        )
        user = cr.fetchone()
        return partner, orders, idempotency, events, keys, user

    def forged_context(self):
        """Everything a client could put in the context to pose as B."""
        contacts = self.partner_b.child_ids.ids + self.partner_b.ids
        return {
            "partner_order_api_caller": [self.user_a.id, self.partner_b.id, contacts],
            "order_api_partner_id": self.partner_b.id,
            "uid": self.user_b.id,
            "active_test": False,
            "allowed_company_ids": [self.company.id],
            "active_id": self.partner_b.id,
            "active_ids": [self.partner_b.id],
        }

    def records_of_b(self, model_name):
        """The ids of B's records of ``model_name`` (what an attacker aims at)."""
        order = self.order_b_rec
        return {
            "res.partner": self.partner_b.ids,
            "res.users": self.user_b.ids,
            "res.users.apikeys": self.key_row_b.ids,
            "sale.order": order.ids,
            "sale.order.line": order.order_line.ids,
            "stock.picking": order.picking_ids.ids,
            "stock.move": order.picking_ids.move_ids.ids,
            "stock.lot": self.lot_kit_1.ids,
            "product.product": self.product_a.ids,
            "delivery.carrier": self.env["delivery.carrier"].sudo().search([]).ids,
            "product.template": self.product_a.product_tmpl_id.ids,
            "decimal.precision": self.env.ref("product.decimal_product_uom").ids,
            "partner.order.api.webhook.event": self.event_b.ids,
            "partner.order.api.webhook.endpoint": self.partner_b.sudo().order_api_webhook_endpoint_ids.ids,
            "partner.order.api.idempotency": self.env["partner.order.api.idempotency"]
            .sudo()
            .search([("partner_id", "=", self.partner_b.id)])
            .ids,
        }.get(model_name, [])

    def hostile_vals(self, model_name):
        candidates = {
            "order_api_enabled": True,
            "order_api_webhook_url": ATTACKER_URL,
            "order_api_webhook_secret": "whsec_AAAA",
            "order_api_webhook_previous_secret": "whsec_BBBB",
            "order_api_webhook_previous_secret_expiry": "2099-01-01 00:00:00",
            "order_api_webhook_event_type_ids": [
                (6, 0, self.env.ref("partner_order_api.event_type_ping").ids)
            ],
            "order_api_rate_limit_per_minute": 1000000,
            "order_api_product_ids": [(4, self.product_forbidden.id)],  # plain: XML-RPC
            "order_api_carrier_ids": [
                (4, self.env["delivery.carrier"].sudo().search([], limit=1).id)
            ],
            "order_api_code": "PWNED",
            "order_api_partner_ids": [(4, self.partner_a.id)],
            "order_api_external_id": "PWNED",
            "order_api_partner_id": self.partner_a.id,
            "kit_barcode": "PWNED",
            "carrier_tracking_ref": "PWNED",
            "partner_id": self.user_a.partner_id.id,
            "active": False,
            "state": "pending",
            "payload": "{}",
            "digits": 0,
        }
        fields = self.env[model_name]._fields
        return {name: value for name, value in candidates.items() if name in fields}

    def arguments(self, model_name, method_name):
        """Plausible positional arguments for a call of ``method_name``
        aimed at B, and whether the method is a record method."""
        function = getattr(type(self.env[model_name]), method_name)
        api_kind = getattr(function, "_api", None)
        params = list(inspect.signature(function).parameters.values())[1:]
        by_name = {
            "vals": self.hostile_vals(model_name),
            "vals_list": [self.hostile_vals(model_name)],
            "url": ATTACKER_URL,
            "name": "attacker",
            "duration": 30,
            "read_only": False,
            "event_types": ["ping"],
        }
        args = [
            by_name.get(param.name)
            for param in params
            if param.default is inspect.Parameter.empty
            and param.kind
            in (
                inspect.Parameter.POSITIONAL_ONLY,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
            )
        ]
        if api_kind in ("model", "model_create"):
            return args
        return [self.records_of_b(model_name), *args]

    def call_kw_as_page(self, model, method, args, context):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {
                "model": model,
                "method": method,
                "args": args,
                "kwargs": {"context": context},
            },
        )

    def probe(self, methods, password=None):
        """Call each method through call_kw with a context naming B: returns
        ``{(model, method): "refused" | result}``; an identity check is
        passed with ``password`` (then the method runs for the caller)."""
        outcomes = {}
        for model_name, method_name in sorted(methods):
            args = self.arguments(model_name, method_name)
            try:
                with mute_logger("odoo.http", "odoo.addons.partner_order_api"):
                    result = self.call_kw_as_page(
                        model_name, method_name, args, self.forged_context()
                    )
                    if (
                        password
                        and isinstance(result, dict)
                        and result.get("res_model") == "res.users.identitycheck"
                    ):
                        check_id = result["res_id"]
                        self.call_kw(
                            "res.users.identitycheck",
                            "write",
                            [[check_id], {"password": password}],
                        )
                        result = self.call_kw(
                            "res.users.identitycheck", "run_check", [[check_id]]
                        )
            except JsonRpcException:
                result = "refused"
            outcomes[model_name, method_name] = result
        return outcomes

    def assert_nothing_of_b(self, outcomes):
        for (model_name, method_name), result in outcomes.items():
            text = json.dumps(result, default=str)
            for secret in self.b_secrets:
                self.assertNotIn(
                    secret,
                    text,
                    f"{model_name}.{method_name} answered B's data {secret!r}",
                )


@tagged("post_install", "-at_install")
class TestRpcSurface(RpcSurfaceCase):
    def test_walk_finds_the_addon_methods_and_no_use_case(self):
        methods = addon_public_methods(self.env)
        # the walk is not empty: it sees the buttons and the portal actions
        for expected in (
            ("res.partner", "action_order_api_rotate_webhook_secret"),
            ("res.partner", "write"),
            ("partner.order.api.portal", "action_order_api_save_webhook"),
            ("res.users.apikeys", "action_order_api_make_key"),
            ("partner.order.api.webhook.event", "action_redeliver"),
        ):
            self.assertIn(expected, methods)
        # ... and no use case of the API or helper of the portal is public
        for model in (
            "partner.order.api.caller",
            "partner.order.api.orders",
            "partner.order.api.products",
            "partner.order.api.addresses",
            "partner.order.api.webhook.settings",
            "partner.order.api.order.reader",
            "partner.order.api.document",
            "partner.order.api.forecast.pending",
            "partner.order.api.webhook.log",
            "partner.order.api.webhook.attempt",
            "partner.order.api.account",
            "partner.order.api.quantity.rule",
        ):
            self.assertFalse(
                {m for m in methods if m[0] == model},
                f"{model}'s methods must all be private",
            )
        portal = {m[1] for m in methods if m[0] == "partner.order.api.portal"}
        self.assertEqual(
            portal,
            {
                "action_order_api_save_webhook",
                "action_order_api_clear_webhook",
                "action_order_api_rotate_webhook_secret",
            },
        )

    def test_every_public_method_as_portal_user_of_a_posing_as_b(self):
        methods = addon_public_methods(self.env)
        self.assertGreater(len(methods), 10)
        before = self.snapshot_b()
        self.authenticate(self.user_a.login, "poa-a-password")
        outcomes = self.probe(methods, password="poa-a-password")
        self.assertEqual(self.snapshot_b(), before, "B's data changed")
        self.assert_nothing_of_b(outcomes)
        # what did run ran for A: the portal's save reached A's own webhook
        # (the attacker's URL is allowed here), nothing of B
        saved = outcomes["partner.order.api.portal", "action_order_api_save_webhook"]
        self.assertNotEqual(saved, "refused")
        self.assertEqual(
            self.partner_a.sudo().with_company(self.company).order_api_webhook_url,
            ATTACKER_URL,
        )
        refused = {m for m, result in outcomes.items() if result == "refused"}
        for button in (
            ("res.partner", "action_order_api_rotate_webhook_secret"),
            ("res.partner", "action_view_order_api_orders"),
            ("res.partner", "action_view_order_api_webhook_events"),
            ("res.partner", "action_view_order_api_products"),
            ("partner.order.api.webhook.event", "action_redeliver"),
            ("res.partner", "write"),
            # what triggers the orders showing shared data (order_object_shared.py)
            ("decimal.precision", "write"),
        ):
            self.assertIn(button, refused)

    def test_every_public_method_as_the_public_user(self):
        methods = addon_public_methods(self.env)
        before = self.snapshot_b()
        self.authenticate(None, None)
        outcomes = self.probe(methods)
        self.assertEqual(self.snapshot_b(), before)
        self.assert_nothing_of_b(outcomes)
        self.assertEqual(set(outcomes.values()), {"refused"})

    def test_every_public_method_through_xmlrpc(self):
        """The same door with the portal user's password (XML-RPC)."""
        methods = addon_public_methods(self.env)
        before = self.snapshot_b()
        common = xmlrpc.client.ServerProxy(f"{self.base_url()}/xmlrpc/2/common")
        self.assertEqual(  # the login works: refusals below are the methods'
            common.authenticate(
                self.env.cr.dbname, self.user_a.login, "poa-a-password", {}
            ),
            self.user_a.id,
        )
        proxy = xmlrpc.client.ServerProxy(
            f"{self.base_url()}/xmlrpc/2/object", allow_none=True
        )
        answers = {}
        for model_name, method_name in sorted(methods):
            args = self.arguments(model_name, method_name)
            try:
                with mute_logger("odoo.http", "odoo.addons.partner_order_api"):
                    answers[model_name, method_name] = proxy.execute_kw(
                        self.env.cr.dbname,
                        self.user_a.id,
                        "poa-a-password",
                        model_name,
                        method_name,
                        args,
                        {"context": self.forged_context()},
                    )
            except xmlrpc.client.Fault:
                answers[model_name, method_name] = "refused"
        self.assertEqual(self.snapshot_b(), before)
        self.assert_nothing_of_b(answers)
        # calls reached methods, not only the door's refusal: a method that
        # checks nothing answered (the settings' values, public in Odoo;
        # but purchase_stock's part reads ir.module.module, refused to a
        # portal user: it comes with the test-only purchase_edi_ubl_bis3,
        # scripts/lib.sh, and then other methods show it)
        if self.env["ir.module.module"]._get("purchase_stock").state != "installed":
            self.assertIsInstance(answers["res.config.settings", "get_values"], dict)
        self.assertTrue([a for a in answers.values() if a != "refused"])

    def test_reproduction_forged_caller_context_on_the_service(self):
        """Issue 12, reproduction 1: list_orders & co. with a forged caller."""
        self.authenticate(self.user_a.login, "poa-a-password")
        orders, webhook = (
            "partner.order.api.orders",
            "partner.order.api.webhook.settings",
        )
        for model, method, args in (
            (orders, "list_orders", [[], 1, 100, {"sort": "created_desc"}]),
            (orders, "_list_orders", [[], 1, 100, {"sort": "created_desc"}]),
            (orders, "get_order_status", [[], "external", "B-SECRET-EXT"]),
            (orders, "_get_order_status", [[], "external", "B-SECRET-EXT"]),
            (webhook, "get_webhook", [[]]),
            (webhook, "set_webhook", [[], ATTACKER_URL]),
            (webhook, "_set_webhook", [[], ATTACKER_URL]),
            (orders, "cancel_order", [[], "external", "B-SECRET-EXT"]),
            (orders, "_cancel_order", [[], "external", "B-SECRET-EXT"]),
            (orders, "change_order", [[], {"identified_by": "external"}]),
            (orders, "_change_order", [[], {"identified_by": "external"}, True]),
            (orders, "_apply_change", [[], {"lines": [], "address": None}]),
            (orders, "_lock_order", [[], 0]),
            (orders, "_return_order", [[], "external", "B-SECRET-EXT", [], None]),
            (orders, "create_order", [[], {"lines": [], "delivery_address": {}}]),
            ("partner.order.api.caller", "_partner_id", [[]]),
            ("partner.order.api.order.reader", "_find", [[], 0, "external", "X"]),
        ):
            with self.subTest(method=method), mute_logger("odoo.http"):
                with self.assertRaises(JsonRpcException):
                    self.call_kw_as_page(model, method, args, self.forged_context())
        self.assertEqual(self.order_b_rec.state, "sale")

    def test_reproduction_rotate_secret_of_another_partner(self):
        """Issue 12, reproduction 2: the backend button on any partner id."""
        before = self.snapshot_b()
        self.authenticate(self.user_a.login, "poa-a-password")
        for partner in (self.partner_b, self.partner_a):
            with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as ctx:
                self.call_kw_as_page(
                    "res.partner",
                    "action_order_api_rotate_webhook_secret",
                    [partner.ids],
                    {},
                )
            self.assertIn("AccessError", str(ctx.exception))
        self.assertEqual(self.snapshot_b(), before)
        # salespeople and sales managers cannot either; administrators can
        manager = self.env["res.users"].create(
            {
                "name": "Sales Manager",
                "login": "poa-sales-manager",
                "groups_id": [
                    Command.set([self.env.ref("sales_team.group_sale_manager").id])
                ],
            }
        )
        with self.assertRaises(AccessError):
            self.partner_b.with_user(manager).action_order_api_rotate_webhook_secret()
        self.partner_b.action_order_api_rotate_webhook_secret()
        self.env.invalidate_all()
        self.assertNotEqual(
            self.partner_b.sudo().order_api_webhook_secret, self.secret_b
        )

    def test_partner_price_of_another_partner_is_not_readable_by_context(self):
        """product.product.order_api_partner_price reads the partner from the
        context: only salespeople get a partner's price by naming it."""
        pricelist_b = self.env["product.pricelist"].create(
            {
                "name": "B only",
                "currency_id": self.currency.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "3_global",
                            "compute_price": "fixed",
                            "fixed_price": 1.23,
                        }
                    )
                ],
            }
        )
        self.partner_b.property_product_pricelist = pricelist_b
        salesman_price = self.product_a.with_context(
            order_api_partner_id=self.partner_b.id
        ).order_api_partner_price
        self.assertEqual(salesman_price, 1.23)
        self.env.invalidate_all()
        with self.assertRaises(AccessError):  # portal users read no product
            _price = (
                self.product_a.with_user(self.user_a)
                .with_context(order_api_partner_id=self.partner_b.id)
                .order_api_partner_price
            )
        warehouse_user = new_test_user(
            self.env, login="poa-warehouse", groups="stock.group_stock_user"
        )
        price = (
            self.product_a.with_user(warehouse_user)
            .with_context(order_api_partner_id=self.partner_b.id)
            .order_api_partner_price
        )
        self.assertEqual(price, self.product_a.lst_price)

    def test_quantity_rules_of_another_partner_not_readable(self):
        """A portal user reads no quantity rule (B's included), neither
        directly nor through B's partner, whatever the context."""
        rule = self.env["partner.order.api.quantity.rule"].create(
            {"partner_id": self.partner_b.id, "product_id": self.product_a.id}
        )
        self.authenticate(self.user_a.login, "poa-a-password")
        for model, method, args in (
            ("partner.order.api.quantity.rule", "search_read", [[]]),
            ("partner.order.api.quantity.rule", "read", [rule.ids]),
            (
                "partner.order.api.quantity.rule",
                "write",
                [rule.ids, {"order_multiple": 1}],
            ),
            (
                "res.partner",
                "read",
                [self.partner_b.ids, ["order_api_quantity_rule_ids"]],
            ),
        ):
            with (
                mute_logger("odoo.http"),
                self.assertRaises(JsonRpcException, msg=f"{model}.{method}"),
            ):
                self.call_kw_as_page(model, method, args, self.forged_context())
        self.assertEqual(rule.order_multiple, 0)
