# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The API company's setup (issue 23; README, "Several companies: what each
company needs"): a company that cannot take the order (no warehouse, no
pricelist for the partner while pricelists are on, another company's
pricelist) answers 409 ``not_configured`` naming what is missing, on
``POST order``, ``POST order/quote`` and each order of ``POST orders/batch``
alike, creates nothing, and is logged once as a warning."""

from odoo import Command
from odoo.tests import tagged

from .common_companies import MultiCompanyCase

SETUP_LOGGER = "odoo.addons.partner_order_api.models.partner_order_api_company_setup"


@tagged("post_install", "-at_install")
class TestCompanySetup(MultiCompanyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # company 3 has no warehouse (archived by the fixture)
        cls.user_s3, cls.key_s3 = cls._portal_user(cls.shared, "s3", cls.company_3)
        # company 4: a warehouse of its own (stock makes one), set up alike
        cls.company_4 = cls.env["res.company"].create(
            {"name": "PO API Company Four", "currency_id": cls.currency.id}
        )
        cls.env.user.company_ids |= cls.company_4
        cls.user_s4, cls.key_s4 = cls._portal_user(cls.shared, "s4", cls.company_4)
        cls.pricelist_group = cls.env.ref("product.group_product_pricelist")
        cls.env.ref("base.group_user").implied_ids |= cls.pricelist_group

    def setUp(self):
        super().setUp()
        # "logged once" is per worker and Odoo cache: start each test afresh
        self.env.registry.clear_cache()

    def _counts(self):
        """What a request might create: orders, delivery contacts."""
        return (
            self.env["sale.order"].search_count([]),
            self.env["res.partner"].search_count(
                [("type", "=", "delivery"), ("parent_id", "=", self.shared.id)]
            ),
        )

    def _answers(self, key, *names):
        """POST order, order/quote and orders/batch (two orders) of the same
        body with ``key``: each is 409 ``not_configured`` whose message names
        ``names``; nothing is created. The messages, all the same."""
        before = self._counts()
        body = self.order_body()
        messages = []
        for route in ("order", "order/quote"):
            response = self.api("POST", route, key, body=body)
            self.assert_error(response, 409, "not_configured")
            messages.append(response.json()["error"]["message"])
        batch = self.api(
            "POST",
            "orders/batch",
            key,
            body={"orders": [body, self.order_body(external_order_id="SETUP-2")]},
        )
        self.assertEqual(batch.status_code, 200, batch.text)
        for result in batch.json()["results"]:
            self.assertEqual(result["status"], 409, result)
            self.assertEqual(result["error"]["code"], "not_configured")
            messages.append(result["error"]["message"])
        self.assertEqual(len(set(messages)), 1, messages)
        for name in names:
            self.assertIn(name, messages[0])
        self.assertEqual(self._counts(), before)
        return messages[0]

    def _quote_and_order(self, key):
        """``POST order/quote`` (200) then ``POST order`` (201) of the same
        body with ``key``: both answers and the order created."""
        quote = self.api("POST", "order/quote", key, body=self.order_body())
        self.assertEqual(quote.status_code, 200, quote.text)
        response = self.order_in(key)
        self.assertEqual(response.status_code, 201, response.text)
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        return quote, response, order

    def test_company_without_warehouse_is_not_configured(self):
        """Company 3 has no warehouse: the order was a 400
        ``validation_error`` (Odoo's "configure your warehouse") and its quote
        a 200; both are now the seller's 409, naming the company and where
        to set one up, logged once as a warning."""
        with self.assertLogs(SETUP_LOGGER, "WARNING") as logs:
            message = self._answers(self.key_s3, self.company_3.name)
        self.assertIn("has no warehouse", message)
        self.assertIn("Warehouses", message)
        self.assertEqual(len(logs.records), 1, logs.output)
        self.assertIn(self.company_3.name, logs.output[0])
        # once per worker: the next requests do not log it again
        with self.assertNoLogs(SETUP_LOGGER, "WARNING"):
            self.assert_error(self.order_in(self.key_s3), 409, "not_configured")
        # the same partner in a company set up correctly still orders
        self.assertEqual(self.order_in(self.key_s1).status_code, 201)
        # a warehouse made active again: company 3 takes orders
        self.env["stock.warehouse"].with_context(active_test=False).search(
            [("company_id", "=", self.company_3.id)]
        ).active = True
        response = self.order_in(self.key_s3)
        self.assertEqual(response.status_code, 201, response.text)

    def test_no_pricelist_for_the_partner_is_not_configured(self):
        """With pricelists on, a company where Odoo resolves no pricelist for
        the partner (none of the company nor of no company is active): 409 on
        the order, the quote and the batch alike, naming the partner and the
        company. With pricelists off, the same company takes the order,
        without a pricelist."""
        self.env["product.pricelist"].search(
            [("company_id", "in", [self.company_4.id, False])]
        ).action_archive()
        self.env.invalidate_all()
        self.assertFalse(
            self.shared.with_company(self.company_4).property_product_pricelist
        )
        with self.assertLogs(SETUP_LOGGER, "WARNING") as logs:
            message = self._answers(self.key_s4, self.shared.name, self.company_4.name)
        self.assertIn("no pricelist", message)
        self.assertEqual(len(logs.records), 1, logs.output)
        # company 2 (the partner's pricelist there) is not concerned
        order_2 = self.order_in(self.key_s2)
        self.assertEqual(order_2.status_code, 201, order_2.text)
        # Pricelists switched off: no pricelist is no setup error
        self.env.ref("base.group_user").implied_ids = [
            Command.unlink(self.pricelist_group.id)
        ]
        quote, response, order = self._quote_and_order(self.key_s4)
        self.assertEqual(order.company_id, self.company_4)
        self.assertFalse(order.pricelist_id)

    def test_another_companys_pricelist_is_not_configured(self):
        """The partner's pricelist in company 4 set (by mistake) to company
        2's: Odoo would put it on a company-4 order; the API answers 409 on
        the order, the quote and the batch alike. Given a pricelist of
        company 4, the order and the quote use it."""
        self.shared.with_company(
            self.company_4
        ).specific_property_product_pricelist = self.pricelist_2
        with self.assertLogs(SETUP_LOGGER, "WARNING") as logs:
            message = self._answers(self.key_s4, self.shared.name, self.company_4.name)
        self.assertEqual(len(logs.records), 1, logs.output)
        self.assertIn("another company", message)
        self.assertNotIn(self.pricelist_2.name, message)
        # the prices it offers say the same: not another company's prices
        products = self.api("GET", "available_products", self.key_s4)
        self.assert_error(products, 409, "not_configured")
        self.assertEqual(products.json()["error"]["message"], message)
        pricelist_4 = self.env["product.pricelist"].create(
            {
                "name": "API Company Four prices",
                "currency_id": self.currency.id,
                "company_id": self.company_4.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "3_global",
                            "compute_price": "percentage",
                            "percent_price": 50,
                        }
                    )
                ],
            }
        )
        self.shared.with_company(
            self.company_4
        ).specific_property_product_pricelist = pricelist_4
        quote, response, order = self._quote_and_order(self.key_s4)
        self.assertEqual(order.pricelist_id, pricelist_4)
        offered = {
            p["ean"]: p["price"]
            for p in self.api("GET", "available_products", self.key_s4).json()[
                "products"
            ]
        }
        self.assertEqual(offered[self.product_a.barcode], order.order_line.price_unit)
        self.assertEqual(
            quote.json()["total_cost"], response.json()["total_cost"], quote.text
        )
