# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import (
    Form,
    HttpCase,
    JsonRpcException,
    TransactionCase,
    new_test_user,
    tagged,
)
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestAdminFields(TransactionCase):
    """The contract's admin-side names, their rights, views and the group sync."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company_partner = cls.env["res.partner"].create(
            {"name": "Admin Co", "is_company": True}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Admin Co Buyer", "parent_id": cls.company_partner.id}
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="poa-admin-portal",
            groups="base.group_portal",
            partner_id=cls.contact.id,
        )
        cls.salesman = new_test_user(
            cls.env, login="poa-salesman", groups="sales_team.group_sale_salesman"
        )
        cls.sales_manager = new_test_user(
            cls.env, login="poa-sales-manager", groups="sales_team.group_sale_manager"
        )
        cls.group = cls.env.ref("partner_order_api.group_order_api_user")
        cls.product = cls.env["product.product"].create(
            {"name": "Admin P", "barcode": "4006381333900"}
        )

    def test_contract_fields_exist_with_their_types(self):
        expected = {
            ("res.partner", "order_api_enabled"): ("boolean", None),
            ("res.partner", "order_api_product_ids"): ("many2many", "product.product"),
            ("res.partner", "order_api_webhook_url"): ("char", None),
            ("res.partner", "order_api_webhook_secret"): ("char", None),
            ("sale.order", "order_api_external_id"): ("char", None),
            ("stock.lot", "kit_barcode"): ("char", None),
        }
        for (model, name), (ftype, comodel) in expected.items():
            field = self.env[model]._fields.get(name)
            self.assertTrue(field, f"{model}.{name} is missing")
            self.assertEqual(field.type, ftype, f"{model}.{name}")
            if comodel:
                self.assertEqual(field.comodel_name, comodel)
            if name.startswith("order_api_webhook_"):
                # the current company's first webhook endpoint
                # (partner.order.api.webhook.endpoint): read, written and
                # searched as a stored field is
                self.assertTrue(field.inverse, f"{model}.{name} must be writable")
                self.assertTrue(
                    name == "order_api_webhook_secret" or field.search,
                    f"{model}.{name} must be searchable",
                )
                continue
            self.assertTrue(field.store, f"{model}.{name} must be stored")
        # beside them: the webhook's events, the current company's choice
        # (on its first endpoint too)
        field = self.env["res.partner"]._fields["order_api_webhook_event_type_ids"]
        self.assertEqual(
            (field.type, field.comodel_name),
            ("many2many", "partner.order.api.event.type"),
        )

    def test_admin_sets_fields_through_the_orm_api(self):
        # no DNS in tests: the admin allow-list names the host
        self.env["ir.config_parameter"].sudo().set_param(
            "partner_order_api.webhook_allowed_hosts", "partner.example"
        )
        self.company_partner.write(
            {
                "order_api_enabled": True,
                "order_api_product_ids": [Command.set(self.product.ids)],
                "order_api_webhook_url": "https://partner.example/hook",
            }
        )
        data = self.company_partner.read(
            ["order_api_enabled", "order_api_product_ids", "order_api_webhook_url"]
        )[0]
        # admins find the partners with a webhook as before
        Partner = self.env["res.partner"]
        self.assertIn(
            self.company_partner,
            Partner.search([("order_api_webhook_url", "!=", False)]),
        )
        self.assertNotIn(
            self.company_partner,
            Partner.search([("order_api_webhook_url", "=", False)]),
        )
        self.assertEqual(
            Partner.search(
                [("order_api_webhook_url", "=", "https://partner.example/hook")]
            ),
            self.company_partner,
        )
        self.assertTrue(data["order_api_enabled"])
        self.assertEqual(data["order_api_product_ids"], self.product.ids)
        self.assertEqual(data["order_api_webhook_url"], "https://partner.example/hook")

    def test_webhook_secret_is_for_admins_only(self):
        self.company_partner.order_api_webhook_secret = "whsec_c2VjcmV0"
        with self.assertRaises(AccessError):
            self.company_partner.with_user(self.sales_manager).read(
                ["order_api_webhook_secret"]
            )
        self.assertNotIn(
            "order_api_webhook_secret",
            self.env["res.partner"].with_user(self.sales_manager).fields_get(),
        )
        self.assertEqual(
            self.company_partner.order_api_webhook_secret, "whsec_c2VjcmV0"
        )

    def test_salesman_reads_portal_user_does_not_write(self):
        partner = self.company_partner.with_user(self.salesman)
        self.assertFalse(partner.order_api_enabled)
        self.assertFalse(partner.order_api_product_ids)
        with self.assertRaises(AccessError):
            self.company_partner.with_user(self.portal_user).write(
                {"order_api_enabled": True}
            )

    def test_views_show_the_fields(self):
        checks = [
            (
                "res.partner",
                "form",
                ["order_api_enabled", "order_api_product_ids", "order_api_webhook_url"],
            ),
            ("sale.order", "form", ["order_api_external_id", "order_api_partner_id"]),
            ("sale.order", "list", ["order_api_external_id"]),
            ("sale.order", "search", ["order_api_external_id"]),
            ("stock.lot", "form", ["kit_barcode"]),
            ("stock.lot", "list", ["kit_barcode"]),
        ]
        for model, view_type, fields in checks:
            arch = self.env[model].get_views([(False, view_type)])["views"][view_type][
                "arch"
            ]
            for field in fields:
                self.assertIn(
                    f'name="{field}"', arch, f"{field} not in {model} {view_type}"
                )

    def test_form_enables_partner_and_adds_products(self):
        with Form(self.company_partner.with_user(self.sales_manager)) as form:
            form.order_api_enabled = True
            form.order_api_product_ids.add(self.product)
        self.assertTrue(self.company_partner.order_api_enabled)
        self.assertEqual(self.company_partner.order_api_product_ids, self.product)

    def test_order_api_group_follows_enable_switch(self):
        self.assertNotIn(self.group, self.portal_user.groups_id)
        self.company_partner.order_api_enabled = True
        self.assertIn(self.group, self.portal_user.groups_id)
        self.assertGreaterEqual(self.group.api_key_duration, 365)
        # a portal user created later for the enabled partner gets it too
        other = self.env["res.partner"].create(
            {"name": "Late", "parent_id": self.company_partner.id}
        )
        late_user = new_test_user(
            self.env, login="poa-late", groups="base.group_portal", partner_id=other.id
        )
        self.assertIn(self.group, late_user.groups_id)
        # internal users never get it
        self.assertNotIn(self.group, self.salesman.groups_id)
        self.company_partner.order_api_enabled = False
        self.assertNotIn(self.group, self.portal_user.groups_id)
        self.assertNotIn(self.group, late_user.groups_id)

    def test_install_leaves_odoos_own_portal_keys_off(self):
        """The addon's portal section makes keys scoped to this API; the
        install does not open Odoo's own dialog, which makes unscoped keys
        (XML-RPC/JSON-RPC), to every portal user."""
        self.assertFalse(
            self.env["ir.config_parameter"].sudo().get_param("portal.allow_api_keys")
        )
        self.company_partner.order_api_enabled = True
        Description = self.env["res.users.apikeys.description"]
        with self.assertRaises(AccessError):
            Description.with_user(self.portal_user).check_access_make_key()

    def test_external_id_unique_per_partner(self):
        other = self.env["res.partner"].create({"name": "Other Co", "is_company": True})
        SaleOrder = self.env["sale.order"]
        vals = {"order_api_external_id": "EXT-1"}
        SaleOrder.create(
            dict(
                vals,
                partner_id=self.contact.id,
                order_api_partner_id=self.company_partner.id,
            )
        )
        # the same id for another partner is fine, and so are orders without one
        SaleOrder.create(dict(vals, partner_id=other.id, order_api_partner_id=other.id))
        SaleOrder.create(
            {
                "partner_id": self.contact.id,
                "order_api_partner_id": self.company_partner.id,
            }
        )
        SaleOrder.create(
            {
                "partner_id": self.contact.id,
                "order_api_partner_id": self.company_partner.id,
            }
        )
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.cr.savepoint(),
        ):
            SaleOrder.create(
                dict(
                    vals,
                    partner_id=self.contact.id,
                    order_api_partner_id=self.company_partner.id,
                )
            )


# the API configuration of a partner: sales users and managers read it
CONFIG_FIELDS = [
    "order_api_enabled",
    "order_api_product_ids",
    "order_api_webhook_url",
    "order_api_webhook_event_type_ids",
    "order_api_rate_limit_per_minute",
]


@tagged("post_install", "-at_install")
class TestConfigFieldsForSalesOnly(HttpCase):
    """The webhook URL (it may carry a token), the events, the allowed
    products and the budget are not every employee's to read; the partner
    form still opens for them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "partner_order_api.webhook_allowed_hosts", "partner.example"
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Config P", "barcode": "4006381333931"}
        )
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Config Co",
                "is_company": True,
                "phone": "+49 30 1234",
                "order_api_enabled": True,
                "order_api_product_ids": [Command.set(cls.product.ids)],
                "order_api_webhook_url": "https://partner.example/hook?token=s3cr3t",
                "order_api_webhook_event_type_ids": [
                    Command.set(
                        cls.env.ref("partner_order_api.event_type_order_shipped").ids
                    )
                ],
                "order_api_rate_limit_per_minute": 60,
            }
        )
        cls.employee = new_test_user(
            cls.env, login="poa-employee", groups="base.group_user"
        )
        cls.stock_user = new_test_user(
            cls.env, login="poa-stock-user", groups="stock.group_stock_user"
        )
        cls.salesman = new_test_user(
            cls.env, login="poa-cfg-salesman", groups="sales_team.group_sale_salesman"
        )

    def test_plain_employees_cannot_read_the_configuration(self):
        for user in (self.employee, self.stock_user):
            partner = self.partner.with_user(user)
            for name in CONFIG_FIELDS:
                with self.subTest(user=user.login, field=name):
                    with self.assertRaises(AccessError):
                        partner.read([name])
                    with self.assertRaises(AccessError):
                        partner.search_read([("id", "=", partner.id)], [name])
                    partner.invalidate_recordset()
                    with self.assertRaises(AccessError):
                        getattr(partner, name)
            self.assertFalse(
                set(CONFIG_FIELDS)
                & set(self.env["res.partner"].with_user(user).fields_get())
            )
            # nor through the product: the same relation
            with self.assertRaises(AccessError):
                self.product.with_user(user).read(["order_api_partner_ids"])
            data = partner.read(["name", "phone", "email", "parent_id"])[0]
            self.assertEqual(data["phone"], "+49 30 1234")

    def test_plain_employees_open_the_partner_form(self):
        for user in (self.employee, self.stock_user):
            Partner = self.env["res.partner"].with_user(user)
            views = Partner.get_views([(False, "form"), (False, "search")])
            form = views["views"]["form"]["arch"]
            self.assertIn('name="phone"', form)
            self.assertNotIn("order_api_webhook_url", form)
            self.assertNotIn("order_api_enabled", views["views"]["search"]["arch"])
            # the form's fields, one by one: none of this addon's refuses
            # (Odoo's own sales and invoice statistics refuse a plain
            # employee, without this addon too)
            record = Partner.browse(self.partner.id)
            refused = set()
            for name in views["models"]["res.partner"]["fields"]:
                try:
                    record.web_read({name: {}})
                except AccessError:
                    refused.add(name)
                record.invalidate_recordset()
            self.assertFalse({name for name in refused if "order_api" in name})
            data = record.web_read({"name": {}, "phone": {}, "child_ids": {}})
            self.assertEqual(data[0]["name"], "Config Co")

    def test_non_sales_users_still_create_and_edit_partners(self):
        # an Inventory administrator (contact creation, no sales rights):
        # the API's write hooks, constraints and tracking read nothing it
        # may not read
        manager = new_test_user(
            self.env, login="poa-stock-manager", groups="stock.group_stock_manager"
        )
        Partner = self.env["res.partner"].with_user(manager)
        company = Partner.create({"name": "Carrier Co", "is_company": True})
        contact = Partner.create({"name": "Driver", "parent_id": company.id})
        contact.write({"phone": "+49 30 5678", "parent_id": self.partner.id})
        Partner.browse(self.partner.id).write({"phone": "+49 30 9999"})
        self.assertEqual(contact.sudo().commercial_partner_id, self.partner)
        self.assertEqual(self.partner.phone, "+49 30 9999")
        with self.assertRaises(AccessError):
            Partner.browse(self.partner.id).write({"order_api_enabled": False})

    def test_salespeople_read_the_configuration(self):
        partner = self.partner.with_user(self.salesman)
        data = partner.read(CONFIG_FIELDS)[0]
        self.assertEqual(
            data["order_api_webhook_url"], "https://partner.example/hook?token=s3cr3t"
        )
        self.assertEqual(data["order_api_product_ids"], self.product.ids)
        self.assertEqual(data["order_api_rate_limit_per_minute"], 60)
        self.assertEqual(
            data["order_api_webhook_event_type_ids"],
            self.env.ref("partner_order_api.event_type_order_shipped").ids,
        )
        form = partner.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="order_api_webhook_url"', form)

    def _call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def test_rpc_door_refuses_plain_employees(self):
        for user in (self.employee, self.stock_user):
            self.authenticate(user.login, user.login)
            for method, args, kwargs in (
                ("read", [[self.partner.id], ["order_api_webhook_url"]], {}),
                (
                    "search_read",
                    [[["id", "=", self.partner.id]]],
                    {"fields": ["order_api_webhook_url"]},
                ),
                (
                    "web_read",
                    [[self.partner.id]],
                    {"specification": {"order_api_webhook_url": {}}},
                ),
            ):
                with (
                    self.subTest(user=user.login, method=method),
                    self.assertRaises(JsonRpcException) as raised,
                    mute_logger("odoo.http"),
                ):
                    self._call_kw("res.partner", method, args, kwargs)
                self.assertIn("AccessError", str(raised.exception))
            ordinary = self._call_kw(
                "res.partner", "read", [[self.partner.id], ["name", "phone"]]
            )
            self.assertEqual(ordinary[0]["phone"], "+49 30 1234")
        self.authenticate(self.salesman.login, self.salesman.login)
        url = self._call_kw(
            "res.partner", "read", [[self.partner.id], ["order_api_webhook_url"]]
        )[0]["order_api_webhook_url"]
        self.assertEqual(url, "https://partner.example/hook?token=s3cr3t")
