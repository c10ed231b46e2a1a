# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The admin side: the partner's "Order API" tab, settings, views, and who
may do what (sales managers configure, salespeople read, portal users see
only their own section)."""

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import PartnerOrderApiCase


@tagged("post_install", "-at_install")
class TestBackend(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env,
            login="poa-salesman",
            groups="sales_team.group_sale_salesman_all_leads,base.group_partner_manager",
        )
        cls.manager = new_test_user(
            cls.env,
            login="poa-manager",
            groups="sales_team.group_sale_manager,base.group_partner_manager",
        )
        cls.ping = cls.env["partner.order.api.webhook.event"].create(
            {
                "event_type": "ping",
                "partner_id": cls.partner_a.id,
                "payload": "{}",
                "state": "failed",
            }
        )

    def _arch(self, model, view_type, user):
        views = self.env[model].with_user(user).get_views([(False, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    # ------------------------------------------------------------------
    # An admin enables a second partner from the backend alone
    # ------------------------------------------------------------------

    def test_sales_manager_enables_a_partner_and_chooses_its_products(self):
        company = self.env["res.partner"].create(
            {
                "name": "Second Lab",
                "is_company": True,
                "property_product_pricelist": self.pricelist.id,
            }
        )
        contact = self.env["res.partner"].create(
            {"name": "Second Integrator", "parent_id": company.id}
        )
        user = (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": contact.name,
                    "login": "poa-second",
                    "password": "poa-second-password",
                    "partner_id": contact.id,
                    "groups_id": [Command.set([self.env.ref("base.group_portal").id])],
                }
            )
        )
        group = self.env.ref("partner_order_api.group_order_api_user")
        self.assertNotIn(group, user.groups_id)

        with Form(company.with_user(self.manager)) as form:
            form.order_api_enabled = True
            form.order_api_product_ids.add(self.product_a)
            form.order_api_product_ids.add(self.kit)
            self.assertEqual(form.order_api_portal_user_count, 1)

        self.assertTrue(company.order_api_enabled)
        self.assertEqual(company.order_api_product_ids, self.product_a | self.kit)
        self.assertIn(group, user.groups_id)

        # the price the tab shows is the price the API answers
        key = self._generate_key(user)
        products = {
            p["ean"]: p
            for p in self.api("GET", "available_products", key=key).json()["products"]
        }
        self.assertEqual(set(products), {self.product_a.barcode, self.kit.barcode})
        shown = company.with_context(
            order_api_partner_id=company.id
        ).order_api_product_ids
        for product in shown:
            self.assertEqual(
                product.order_api_partner_price, products[product.barcode]["price"]
            )
        self.assertEqual(
            self.product_a.with_context(
                order_api_partner_id=company.id
            ).order_api_partner_price,
            90.0,
        )
        self.assertEqual(company.order_api_key_count, 1)
        # as the web client reads the form: the view's context, evaluated
        # before the record is loaded, carries no partner
        read = company.web_read(
            {
                "order_api_product_ids": {
                    "fields": {"barcode": {}, "order_api_partner_price": {}},
                    "context": {"active_test": True, "order_api_partner_id": False},
                }
            }
        )
        shown = {
            line["barcode"]: line["order_api_partner_price"]
            for line in read[0]["order_api_product_ids"]
        }
        self.assertEqual(
            shown, {ean: product["price"] for ean, product in products.items()}
        )
        self.assertNotEqual(shown[self.product_a.barcode], self.product_a.lst_price)

    def test_partner_tab_counts_and_smart_buttons(self):
        response = self.api("POST", "order", key=self.key_a, body=self.order_body())
        self.assertEqual(response.status_code, 201, response.text)
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        self._generate_key(self.user_a, name="second")
        partners = self.partner_a | self.partner_b | self.partner_off
        self.assertEqual(
            [
                (
                    p.order_api_portal_user_count,
                    p.order_api_key_count,
                    p.order_api_order_count,
                    p.order_api_webhook_event_count,
                )
                for p in partners
            ],
            [(1, 2, 1, 1), (1, 1, 0, 0), (1, 1, 0, 0)],
        )
        self.assertEqual(self.partner_a.order_api_portal_user_ids, self.user_a)
        # a contact shows its company's figures
        contact = self.user_a.partner_id
        self.assertEqual(contact.order_api_order_count, 1)

        action = self.partner_a.action_view_order_api_orders()
        self.assertEqual(self.env["sale.order"].search(action["domain"]), order)
        action = self.partner_a.action_view_order_api_webhook_events()
        self.assertEqual(
            self.env["partner.order.api.webhook.event"].search(action["domain"]),
            self.ping,
        )
        action = self.partner_b.action_view_order_api_products()
        self.assertEqual(
            self.env["product.product"].search(action["domain"]),
            self.product_a | self.product_b,
        )

    def test_partner_tab_figures_take_a_fixed_number_of_queries(self):
        names = [
            "order_api_portal_user_count",
            "order_api_key_count",
            "order_api_order_count",
            "order_api_webhook_event_count",
        ]

        def queries(partners):
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            partners.read(names)
            return self.cr.sql_log_count - start

        one = queries(self.partner_a)
        self.assertEqual(
            queries(self.partner_a | self.partner_b | self.partner_off), one
        )

    # ------------------------------------------------------------------
    # Access rights: sales manager, salesperson, portal user
    # ------------------------------------------------------------------

    def test_salesperson_reads_but_does_not_configure(self):
        partner = self.partner_a.with_user(self.salesman)
        values = partner.read(
            [
                "order_api_enabled",
                "order_api_product_ids",
                "order_api_webhook_url",
                "order_api_key_count",
            ]
        )[0]
        self.assertTrue(values["order_api_enabled"])
        partner.phone = "+49 30 123456"  # an ordinary edit still works
        for vals in (
            {"order_api_enabled": False},
            {"order_api_product_ids": [Command.link(self.product_forbidden.id)]},
            {"order_api_webhook_url": "https://example.com/hook"},
            {"order_api_rate_limit_per_minute": 100000},
        ):
            with self.assertRaises(AccessError):
                partner.write(vals)
        # the same relation from the product side
        stock_user = new_test_user(
            self.env,
            login="poa-stock-user",
            groups="stock.group_stock_manager,sales_team.group_sale_salesman",
        )
        for user in (self.salesman, stock_user):
            with self.assertRaises(AccessError):
                self.product_forbidden.with_user(user).write(
                    {"order_api_partner_ids": [Command.link(self.partner_a.id)]}
                )
            with self.assertRaises(AccessError):
                self.env["product.product"].with_user(user).create(
                    {
                        "name": "Sneaky product",
                        "order_api_partner_ids": [Command.link(self.partner_a.id)],
                    }
                )
        self.product_forbidden.with_user(stock_user).write({"list_price": 998.0})
        self.assertFalse(self.partner_a.order_api_rate_limit_per_minute)
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesman).create(
                {"name": "Sneaky", "is_company": True, "order_api_enabled": True}
            )
        with self.assertRaises(AccessError):
            partner.read(["order_api_webhook_secret"])
        self.assertTrue(self.partner_a.order_api_enabled)
        self.assertNotIn(self.product_forbidden, self.partner_a.order_api_product_ids)

        events = self.env["partner.order.api.webhook.event"].with_user(self.salesman)
        self.assertIn(self.ping, events.search([]))
        with self.assertRaises(AccessError):
            self.ping.with_user(self.salesman).write({"state": "pending"})
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.salesman).create({})

        # the tab shows the switch and the products read-only
        arch = self._arch("res.partner", "form", self.salesman)
        page = arch.xpath("//page[@name='order_api']")[0]
        for name in (
            "order_api_enabled",
            "order_api_webhook_url",
            "order_api_product_ids",
        ):
            nodes = page.xpath(f".//field[@name='{name}']")
            self.assertEqual([n.get("readonly") for n in nodes], ["1"], name)
        self.assertFalse(page.xpath(".//field[@name='order_api_webhook_secret']"))

    def test_sales_manager_configures(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("partner_order_api.webhook_allow_http", "False")
        params.set_param("partner_order_api.webhook_allowed_hosts", "")
        partner = self.partner_b.with_user(self.manager)
        partner.write(
            {
                "order_api_product_ids": [Command.link(self.kit.id)],
                "order_api_webhook_url": "https://93.184.215.14/hook",
            }
        )
        partner.order_api_enabled = False
        self.assertFalse(self.partner_b.order_api_enabled)
        partner.order_api_rate_limit_per_minute = 30
        with self.assertRaises(ValidationError):
            partner.order_api_rate_limit_per_minute = -1
        self.assertEqual(self.partner_b.order_api_rate_limit_per_minute, 30)
        self.product_forbidden.with_user(self.manager).write(
            {"order_api_partner_ids": [Command.link(self.partner_b.id)]}
        )
        self.assertIn(self.product_forbidden, self.partner_b.order_api_product_ids)
        self.assertIn(self.kit, self.partner_b.order_api_product_ids)
        with self.assertRaises(ValidationError):
            partner.order_api_webhook_url = "http://127.0.0.1/hook"
        events = self.env["partner.order.api.webhook.event"].with_user(self.manager)
        self.assertIn(self.ping, events.search([("state", "=", "failed")]))
        arch = self._arch("res.partner", "form", self.manager)
        page = arch.xpath("//page[@name='order_api']")[0]
        for name in (
            "order_api_enabled",
            "order_api_webhook_url",
            "order_api_product_ids",
        ):
            nodes = page.xpath(f".//field[@name='{name}']")
            self.assertEqual(len(nodes), 1, name)
            self.assertNotEqual(nodes[0].get("readonly"), "1", name)

    def test_portal_user_sees_only_its_own_partner(self):
        partner_a = self.partner_a.with_user(self.user_a)
        # the API configuration is the seller's, its own partner's included:
        # the portal section shows what it needs through the portal model
        with self.assertRaises(AccessError):
            partner_a.read(["order_api_enabled"])
        self.assertEqual(partner_a.read(["name"])[0]["name"], self.partner_a.name)
        with self.assertRaises(AccessError):
            self.partner_b.with_user(self.user_a).read(["order_api_product_ids"])
        with self.assertRaises(AccessError):
            partner_a.read(["order_api_webhook_secret"])
        with self.assertRaises(AccessError):
            partner_a.write({"order_api_webhook_url": "https://example.com/hook"})
        with self.assertRaises(AccessError):
            self.env["partner.order.api.webhook.event"].with_user(self.user_a).search(
                []
            )
        keys = self.env["res.users.apikeys"].with_user(self.user_a).search([])
        self.assertEqual(keys.user_id, self.user_a)

    # ------------------------------------------------------------------
    # Settings
    # ------------------------------------------------------------------

    def test_settings(self):
        group = self.env.ref("partner_order_api.group_order_api_user")
        self.assertEqual(
            self.env["res.config.settings"].create({}).order_api_key_duration, 365
        )
        settings = self.env["res.config.settings"].create(
            {
                "order_api_key_duration": 90,
                "order_api_webhook_allowed_hosts": "10.0.0.0/8, erp.internal",
                "order_api_webhook_allow_http": True,
            }
        )
        settings.execute()
        self.assertEqual(group.api_key_duration, 90)
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(
            params.get_param("partner_order_api.webhook_allowed_hosts"),
            "10.0.0.0/8, erp.internal",
        )
        self.assertEqual(
            params.get_param("partner_order_api.webhook_allow_http"), "True"
        )
        self.assertEqual(
            self.env["res.config.settings"].create({}).order_api_key_duration, 90
        )
        keys = self.env["res.users.apikeys"].with_user(self.user_a)
        self.assertEqual(
            [d for d, _label in keys._order_api_duration_selection()], [30, 90]
        )
        # the webhook URL check follows the settings
        self.partner_b.order_api_webhook_url = "http://10.1.2.3/hook"
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"order_api_key_duration": 0})

    def test_settings_menu_and_view(self):
        menu = self.env.ref("partner_order_api.menu_partner_order_api_settings")
        self.assertEqual(
            menu.parent_id,
            self.env.ref("partner_order_api.menu_partner_order_api_root"),
        )
        arch = self._arch(
            "res.config.settings", "form", self.env.ref("base.user_admin")
        )
        for name in (
            "order_api_key_duration",
            "order_api_webhook_allowed_hosts",
            "order_api_webhook_allow_http",
        ):
            self.assertTrue(arch.xpath(f"//field[@name='{name}']"), name)

    # ------------------------------------------------------------------
    # Products, orders, lots
    # ------------------------------------------------------------------

    def test_products_filter_allowed_for_partner(self):
        Product = self.env["product.product"].with_user(self.salesman)
        self.assertEqual(
            Product.search([("order_api_partner_ids", "=", self.partner_b.id)]),
            self.product_a | self.product_b,
        )
        Template = self.env["product.template"].with_user(self.salesman)
        self.assertEqual(
            Template.search([("order_api_partner_ids", "=", self.partner_b.id)]),
            (self.product_a | self.product_b).product_tmpl_id,
        )
        self.assertIn(
            self.partner_b, self.product_a.product_tmpl_id.order_api_partner_ids
        )
        self.assertNotIn(
            self.product_forbidden.product_tmpl_id,
            Template.search([("order_api_partner_ids", "!=", False)]),
        )
        for model in ("product.template", "product.product"):
            arch = self._arch(model, "search", self.salesman)
            self.assertTrue(arch.xpath("//field[@name='order_api_partner_ids']"), model)
            self.assertTrue(arch.xpath("//filter[@name='order_api_allowed']"), model)

    def test_sale_order_and_lot_views_show_the_api_fields(self):
        admin = self.env.ref("base.user_admin")
        form = self._arch("sale.order", "form", admin)
        self.assertTrue(form.xpath("//div[hasclass('o_order_api_marker')]"))
        self.assertTrue(form.xpath("//field[@name='order_api_external_id']"))
        listing = self._arch("sale.order", "list", admin)
        self.assertTrue(listing.xpath("//field[@name='order_api_partner_id']"))
        self.assertTrue(listing.xpath("//field[@name='order_api_external_id']"))
        search = self._arch("sale.order", "search", admin)
        self.assertTrue(search.xpath("//filter[@name='order_api']"))
        self.assertTrue(search.xpath("//filter[@name='groupby_order_api_partner']"))
        self.assertTrue(search.xpath("//field[@name='order_api_external_id']"))
        for view_type in ("form", "list"):
            arch = self._arch("stock.lot", view_type, admin)
            self.assertTrue(arch.xpath("//field[@name='kit_barcode']"), view_type)

    def test_webhook_delivery_log_filters(self):
        arch = self._arch("partner.order.api.webhook.event", "search", self.manager)
        for name in ("failed", "pending"):
            self.assertTrue(arch.xpath(f"//filter[@name='{name}']"), name)
        arch = self._arch("partner.order.api.webhook.event", "list", self.manager)
        self.assertTrue(arch.xpath("//button[@name='action_redeliver']"))
