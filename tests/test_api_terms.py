# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Prices and terms that apply to the partner (issue 28): the pricelist's
quantity tiers (``price_breaks``) applied at their thresholds, the quantity
rules of packagings and per-partner rules, enforced on every route that
orders; ``GET account``'s figures as Odoo's accounting has them."""

import datetime

from odoo import Command, fields
from odoo.tests import tagged

from .common import PartnerOrderApiCase
from .common_companies import MultiCompanyCase


def post_invoice(env, partner, product, price, due):
    """A posted customer invoice of ``partner`` (one untaxed line of
    ``price``) due on ``due``, made 30 days before, without payment terms."""
    invoice = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": due - datetime.timedelta(days=30),
            "invoice_date_due": due,
            "invoice_payment_term_id": False,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "quantity": 1,
                        "price_unit": price,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
    )
    invoice.action_post()
    return invoice


@tagged("post_install", "-at_install")
class TestPriceBreaks(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # product_b (list 10.0): 10.00 from 1, 9.00 from 10, 8.00 from 100
        cls.tiers = cls.env["product.pricelist.item"].create(
            [
                {
                    "pricelist_id": cls.pricelist.id,
                    "applied_on": "0_product_variant",
                    "product_id": cls.product_b.id,
                    "min_quantity": quantity,
                    "compute_price": "fixed",
                    "fixed_price": price,
                }
                for quantity, price in ((1, 10.0), (10, 9.0), (100, 8.0))
            ]
        )

    def _products(self, key=None):
        response = self.api("GET", "available_products", key=key or self.key_a)
        self.assertEqual(response.status_code, 200, response.text)
        return {p["ean"]: p for p in response.json()["products"]}

    def test_price_breaks_listed_and_follow_rule_changes(self):
        products = self._products()
        refill = products[self.product_b.barcode]
        self.assertEqual(refill["price"], 10.0)
        self.assertEqual(
            refill["price_breaks"],
            [
                {"min_quantity": 1.0, "price": 10.0},
                {"min_quantity": 10.0, "price": 9.0},
                {"min_quantity": 100.0, "price": 8.0},
            ],
        )
        # the 10 % off every product: one price whatever the quantity
        self.assertEqual(products[self.product_a.barcode]["price_breaks"], [])
        # a rule changed shows in the next answer
        self.tiers[1].fixed_price = 8.5
        refill = self._products()[self.product_b.barcode]
        self.assertEqual(
            refill["price_breaks"][1], {"min_quantity": 10.0, "price": 8.5}
        )

    def test_no_query_per_product(self):
        """The tiers of 1 or 2 products priced alike (10 % off, a fixed
        price from 100) cost the same number of queries."""
        self.env["product.pricelist.item"].create(
            [
                {
                    "pricelist_id": self.pricelist.id,
                    "applied_on": "0_product_variant",
                    "product_id": product.id,
                    "min_quantity": 100,
                    "compute_price": "fixed",
                    "fixed_price": 1.0,
                }
                for product in self.product_a | self.kit
            ]
        )
        Products = self.env["partner.order.api.products"]
        counts = []
        # (the first call fills Odoo's registry caches: not counted)
        for products in (self.kit, self.product_a, self.product_a | self.kit):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            breaks = Products._price_breaks(
                self.pricelist, products, self.currency, self.partner_a
            )
            counts.append(self.env.cr.sql_log_count - before)
            self.assertTrue(all(breaks.values()))
        self.assertEqual(counts[1], counts[2])

    def test_tiers_applied_at_their_thresholds(self):
        expected = {9: 10.0, 10: 9.0, 99: 9.0, 100: 8.0}
        for amount, price in expected.items():
            body = self.order_body(self.product_b.barcode, amount)
            quote = self.api("POST", "order/quote", key=self.key_a, body=body)
            self.assertEqual(quote.status_code, 200, quote.text)
            self.assertEqual(quote.json()["lines"][0]["unit_price"], price, amount)
        for amount in (9, 100):
            body = self.order_body(self.product_b.barcode, amount)
            created = self.api("POST", "order", key=self.key_a, body=body)
            self.assertEqual(created.status_code, 201, created.text)
            self.assertEqual(
                created.json()["lines"][0]["unit_price"], expected[amount], amount
            )


@tagged("post_install", "-at_install")
class TestQuantityRules(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the sensor comes by 12 (a sales packaging; a bigger one of 48)
        cls.env["product.packaging"].create(
            [
                {"name": "Box of 48", "product_id": cls.product_a.id, "qty": 48},
                {"name": "Box of 12", "product_id": cls.product_a.id, "qty": 12},
                {
                    "name": "Pallet (not for sale)",
                    "product_id": cls.product_a.id,
                    "qty": 5,
                    "sales": False,
                },
            ]
        )

    def _rule_for_b(self, minimum=24, multiple=6):
        return self.env["partner.order.api.quantity.rule"].create(
            {
                "partner_id": self.partner_b.id,
                "product_id": self.product_a.id,
                "min_quantity": minimum,
                "order_multiple": multiple,
            }
        )

    def _sensor(self, key):
        products = self.api("GET", "available_products", key=key).json()["products"]
        return {p["ean"]: p for p in products}[self.product_a.barcode]

    def assert_refused(self, response, message, field="lines[0].amount"):
        self.assert_error(response, 400, "validation_error")
        detail = response.json()["error"]["details"][0]
        self.assertEqual(detail["field"], field)
        self.assertIn(message, detail["message"])

    def _orders_count(self):
        return self.env["sale.order"].search_count(
            [
                (
                    "partner_id.commercial_partner_id",
                    "in",
                    (self.partner_a | self.partner_b).ids,
                )
            ]
        )

    def test_packaging_is_the_order_multiple(self):
        sensor = self._sensor(self.key_a)
        self.assertEqual((sensor["order_multiple"], sensor["min_quantity"]), (12, None))
        # a product without packaging nor rule: no rule
        kit = {
            p["ean"]: p
            for p in self.api("GET", "available_products", key=self.key_a).json()[
                "products"
            ]
        }[self.kit.barcode]
        self.assertEqual((kit["order_multiple"], kit["min_quantity"]), (None, None))
        before = self._orders_count()
        body = {
            "lines": [
                {"ean": self.kit.barcode, "amount": 1},
                {"ean": self.product_a.barcode, "amount": 13},
            ],
            "delivery_address": self.order_body()["delivery_address"],
        }
        response = self.api("POST", "order", key=self.key_a, body=body)
        self.assert_refused(response, "multiple of 12", "lines[1].amount")
        self.assertEqual(self._orders_count(), before)
        for route in ("order/quote", "order"):
            response = self.api(
                "POST", route, key=self.key_a, body=self.order_body(amount=13)
            )
            self.assert_refused(response, "multiple of 12")
        self.assertEqual(self._orders_count(), before)
        response = self.api(
            "POST", "order", key=self.key_a, body=self.order_body(amount=24)
        )
        self.assertEqual(response.status_code, 201, response.text)

    def test_partner_rule_beats_the_packaging(self):
        self._rule_for_b()
        sensor = self._sensor(self.key_b)
        self.assertEqual((sensor["min_quantity"], sensor["order_multiple"]), (24, 6))
        # partner A still orders by the box of 12
        self.assertEqual(self._sensor(self.key_a)["order_multiple"], 12)
        response = self.api(
            "POST", "order", key=self.key_b, body=self.order_body(amount=18)
        )
        self.assert_refused(response, "at least 24")
        response = self.api(
            "POST", "order", key=self.key_b, body=self.order_body(amount=27)
        )
        self.assert_refused(response, "multiple of 6")
        # 30: not a box of 12, but the partner's multiple
        response = self.api(
            "POST", "order", key=self.key_b, body=self.order_body(amount=30)
        )
        self.assertEqual(response.status_code, 201, response.text)

    def test_batch_and_change_keep_the_rules(self):
        body = {"orders": [self.order_body(amount=13), self.order_body(amount=24)]}
        response = self.api("POST", "orders/batch", key=self.key_a, body=body)
        self.assertEqual(response.status_code, 200, response.text)
        results = response.json()["results"]
        self.assertEqual([r["status"] for r in results], [400, 201])
        self.assertEqual(results[0]["error"]["details"][0]["field"], "lines[0].amount")
        name = results[1]["order"]["biomes_order_id"]
        change = {
            "identifiedBy": "biomes",
            "order_id": name,
            "lines": [
                {"ean": self.kit.barcode, "amount": 1},
                {"ean": self.product_a.barcode, "amount": 30},
            ],
        }
        response = self.api("POST", "order/change", key=self.key_a, body=change)
        self.assert_refused(response, "multiple of 12", "lines[1].amount")
        order = self.env["sale.order"].search([("name", "=", name)])
        self.assertEqual(order.order_line.mapped("product_uom_qty"), [24.0])
        change["lines"][1]["amount"] = 36
        response = self.api("POST", "order/change", key=self.key_a, body=change)
        self.assertEqual(response.status_code, 200, response.text)
        # a line removed (0) breaks no rule
        change["lines"] = [{"ean": self.product_a.barcode, "amount": 0}]
        response = self.api("POST", "order/change", key=self.key_a, body=change)
        self.assertEqual(response.status_code, 200, response.text)

    def test_portal_user_cannot_read_rules(self):
        rule = self._rule_for_b()
        Rule = self.env["partner.order.api.quantity.rule"].with_user(self.user_a)
        with self.assertRaises(Exception):  # noqa: B017 (AccessError)
            Rule.search([("id", "=", rule.id)]).read(["min_quantity"])


@tagged("post_install", "-at_install")
class TestAccount(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # "today" as the API decides it: the calling user's day (its time
        # zone; UTC without one), which near midnight is not the test
        # environment's
        caller = cls.env["res.partner"].with_user(cls.user_a)
        today = fields.Date.context_today(caller.with_context(tz=cls.user_a.tz))
        cls.today = today
        # A: 100.00 due 10 days ago, 40.00 paid; 200.00 due today
        cls.overdue = cls._invoice(
            cls.partner_a, 100.0, today - datetime.timedelta(days=10)
        )
        cls.due_today = cls._invoice(cls.partner_a, 200.0, today)
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.overdue.ids
        ).create({"amount": 40.0})._create_payments()
        # B's invoice never shows to A
        cls.other = cls._invoice(
            cls.partner_b, 70.0, today - datetime.timedelta(days=5)
        )
        cls.company.account_use_credit_limit = True
        cls.partner_a.credit_limit = 5000.0
        cls.term = cls.env.ref("account.account_payment_term_30days")
        cls.partner_a.property_payment_term_id = cls.term

    @classmethod
    def _invoice(cls, partner, price, due):
        return post_invoice(cls.env, partner, cls.product_b, price, due)

    def test_account_as_the_partner_ledger_shows_it(self):
        response = self.api("GET", "account", key=self.key_a)
        self.assertEqual(response.status_code, 200, response.text)
        account = response.json()["account"]
        self.partner_a.invalidate_recordset(["credit"])
        ledger = self.partner_a.with_company(self.company).credit
        self.assertAlmostEqual(ledger, 260.0)
        self.assertEqual(account["open_balance"], ledger)
        self.assertEqual(account["overdue_amount"], 60.0)
        self.assertEqual(account["payment_terms"], self.term.name)
        self.assertEqual(account["credit_limit"], 5000.0)
        self.assertEqual(account["currency"], self.currency.name)
        self.assertEqual(
            account["open_invoices"],
            [
                {
                    "number": self.overdue.name,
                    "due_date": (self.today - datetime.timedelta(days=10)).isoformat(),
                    "amount_residual": 60.0,
                },
                {
                    "number": self.due_today.name,
                    "due_date": self.today.isoformat(),
                    "amount_residual": 200.0,
                },
            ],
        )

    def test_other_partner_sees_only_its_own(self):
        # a limit set, but the seller does not use credit limits
        self.company.account_use_credit_limit = False
        self.partner_b.credit_limit = 300.0
        account = self.api("GET", "account", key=self.key_b).json()["account"]
        self.assertEqual(account["open_balance"], 70.0)
        self.assertEqual(account["overdue_amount"], 70.0)
        self.assertIsNone(account["credit_limit"])
        self.assertIsNone(account["payment_terms"])
        self.assertEqual(
            [i["number"] for i in account["open_invoices"]], [self.other.name]
        )

    def test_read_only_key_and_disabled_partner(self):
        readonly = self._generate_key(self.user_a, scope="partner_order_api.readonly")
        response = self.api("GET", "account", key=readonly)
        self.assertEqual(response.status_code, 200, response.text)
        self.assert_error(
            self.api("GET", "account", key=self.key_off), 403, "forbidden"
        )


@tagged("post_install", "-at_install")
class TestAccountCompanies(MultiCompanyCase):
    def test_account_confined_to_the_api_company(self):
        """The shared customer's invoice of company 1 counts for its users
        working in company 1, never for those working in company 2."""
        invoice = post_invoice(
            self.env, self.shared, self.product_a, 50.0, datetime.date.today()
        )
        self.assertEqual(invoice.company_id, self.company_1)
        account = self.api("GET", "account", key=self.key_s1).json()["account"]
        self.assertEqual(account["open_balance"], 50.0)
        self.assertEqual(
            [i["number"] for i in account["open_invoices"]], [invoice.name]
        )
        account = self.api("GET", "account", key=self.key_s2).json()["account"]
        self.assertEqual(account["open_balance"], 0.0)
        self.assertEqual(account["open_invoices"], [])
        self.assertEqual(account["currency"], self.currency_2.name)
