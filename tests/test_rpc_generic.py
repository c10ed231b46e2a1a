# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Odoo's generic methods (``read``, ``search_read``, ``web_read``,
``web_search_read``, ``read_group``, ``fields_get``) reach every field this
addon adds, on its own models and on Odoo's, through JSON-RPC, for any
logged-in user (issue 25). Each is called for each such field, as a portal
user of partner A and as an employee without sales rights: a field the user
may not read (the model's access rights, the field's ``groups``) must be
refused (and left out of ``fields_get``), and what a call answers must hold
nothing of partner B.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import JsonRpcException, new_test_user, tagged
from odoo.tools import convert_file, mute_logger

from .test_rpc_surface import RpcSurfaceCase

ADDON = "partner_order_api"


def addon_fields(env):
    """``{model: [field names]}``: the stored or computed fields this addon
    defines, on its own models and on the models it extends."""
    result = {}
    for model_name in env.registry:
        model = env[model_name]
        if model._abstract or model._transient:
            continue
        names = sorted(
            name
            for name, field in model._fields.items()
            if ADDON in (field._modules or ()) and name != "id"  # ids tell nothing
        )
        if names:
            result[model_name] = names
    return result


@tagged("post_install", "-at_install")
class TestRpcGenericMethods(RpcSurfaceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the access rights as this copy of the addon ships them (loaded at
        # install: loaded again here, so that the test judges the file)
        convert_file(cls.env, ADDON, "security/ir.model.access.csv", {}, mode="update")

    def _calls(self, model_name, fname):
        """(method, positional arguments) of each generic read of ``fname``,
        aimed at B's records where the method takes records."""
        ids = self.records_of_b(model_name) or self._shared_ids(model_name)
        return [
            ("read", [ids, [fname]]),
            ("search_read", [[], [fname]]),
            ("web_read", [ids, {fname: {}}]),
            ("web_search_read", [[], {fname: {}}]),
            ("read_group", [[], [fname], [fname]]),
        ]

    def _shared_ids(self, model_name):
        """Records of a model B has none of (shared data, technical rows):
        some that exist, or one made for the test (an empty call proves
        nothing: Odoo reads no rights for no records)."""
        model = self.env[model_name].sudo()
        ids = model.search([], limit=2).ids
        if not ids and model_name == "partner.order.api.rate.bucket":
            ids = model.create(
                {"bucket": "poa-test", "tokens": 1, "refreshed_at": "2026-01-01"}
            ).ids
        if not ids and model_name == "partner.order.api.forecast.pending":
            ids = model.create({"product_id": 1, "create_date": "2026-01-01"}).ids
        if not ids and model_name == "partner.order.api.webhook.attempt":
            event = (
                self.env["partner.order.api.webhook.event"].sudo().search([], limit=1)
            )
            if not event:
                event = event.create(
                    {
                        "partner_id": self.partner_b.id,
                        "company_id": self.env.company.id,
                        "payload": "{}",
                    }
                )
            ids = model.create({"event_id": event.id, "at": "2026-01-01"}).ids
        if not ids and model_name == "partner.order.api.webhook.sequence":
            # on B's endpoint (set up before the snapshot): nothing of B's
            # is added by the test itself
            endpoint = (
                self.env["partner.order.api.webhook.endpoint"]
                .sudo()
                .search([("partner_id", "=", self.partner_b.id)], limit=1)
            )
            ids = model.create(
                {"order_id": self.order_b_rec.id, "endpoint_id": endpoint.id, "last": 1}
            ).ids
        if not ids and model_name == "partner.order.api.document.cache":
            # written by the API's own connection, emptied by the tests
            # that fill it: one made here
            ids = model.create(
                {"key": "poa-test", "content": b"JVBERg==", "created_at": "2026-01-01"}
            ).ids
        if not ids and model_name == "partner.order.api.webhook.subscription":
            # read by the migrations only (18.0.1.6.0 made them endpoints)
            ids = model.create(
                {"partner_id": self.partner_b.id, "company_id": self.env.company.id}
            ).ids
        if not ids and model_name == "auth_totp.device":
            # Odoo's trusted browsers inherit the API keys' model, and with
            # it the fields this addon adds to keys: one of B's user
            model.with_user(self.user_b)._generate(
                "browser", "poa-test", fields.Datetime.now() + timedelta(days=30)
            )
            ids = model.search([], limit=2).ids
        if not ids and model_name == "partner.order.api.quantity.rule":
            ids = model.create(
                {
                    "partner_id": self.partner_b.id,
                    "product_id": self.product_a.id,
                    "order_multiple": 6,
                }
            ).ids
        self.assertTrue(ids, f"no {model_name} to aim at")
        return ids

    def _in_groups(self, user, model_name, fname):
        groups = self.env[model_name]._fields[fname].groups
        return not groups or user.has_groups(groups)

    def _may_read(self, user, model_name, fname):
        return self.env["ir.model.access"].with_user(user).check(
            model_name, "read", raise_exception=False
        ) and self._in_groups(user, model_name, fname)

    def _probe(self, user, password):
        """Every generic read of every addon field as ``user``: returns the
        number of calls answered (refusals checked on the way)."""
        self.authenticate(user.login, password)
        answered = 0
        for model_name, names in addon_fields(self.env).items():
            listed = self.call_kw(model_name, "fields_get", [names])
            for fname in names:
                allowed = self._may_read(user, model_name, fname)
                self.assertEqual(  # (its groups decide, not the model's rights)
                    fname in listed,
                    self._in_groups(user, model_name, fname),
                    f"{model_name}.{fname} in fields_get",
                )
                for method, args in self._calls(model_name, fname):
                    try:
                        with mute_logger("odoo.http"):
                            result = self.call_kw(model_name, method, args)
                    except JsonRpcException:
                        continue  # refused (or meaningless for this field)
                    self.assertTrue(
                        allowed,
                        f"{user.login} read {model_name}.{fname} ({method}): "
                        f"{str(result)[:300]}",
                    )
                    self.assert_nothing_of_b({(model_name, method): result})
                    answered += 1
        return answered

    def test_as_a_portal_user_of_a(self):
        before = self.snapshot_b()
        self.assertGreater(self._probe(self.user_a, "poa-a-password"), 0)
        self.assertEqual(self.snapshot_b(), before)

    def test_as_an_employee_without_sales_rights(self):
        employee = new_test_user(
            self.env,
            login="poa-plain-employee",
            groups="base.group_user",
            password="poa-plain-employee-password",
        )
        before = self.snapshot_b()
        self.assertGreater(self._probe(employee, "poa-plain-employee-password"), 0)
        self.assertEqual(self.snapshot_b(), before)
