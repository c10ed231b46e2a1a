# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command
from odoo.tests import tagged

from .common import PartnerOrderApiCase


@tagged("post_install", "-at_install")
class TestApiProducts(PartnerOrderApiCase):
    def test_only_allowed_active_saleable_products_with_ean(self):
        response = self.api("GET", "available_products", key=self.key_a)
        self.assertEqual(response.status_code, 200)
        products = response.json()["products"]
        self.assertEqual(
            sorted(p["ean"] for p in products),
            sorted([self.product_a.barcode, self.product_b.barcode, self.kit.barcode]),
        )
        by_ean = {p["ean"]: p for p in products}
        sensor = by_ean[self.product_a.barcode]
        self.assertEqual(sensor["default_code"], "API-A")
        self.assertIn("API Sensor", sensor["name"])
        self.assertEqual(sensor["currency"], self.currency.name)
        # the partner's pricelist gives 10% off the list price
        self.assertAlmostEqual(sensor["price"], 90.0)
        self.assertAlmostEqual(by_ean[self.kit.barcode]["price"], 45.0)

    def test_each_partner_sees_its_own_catalogue(self):
        products = self.api("GET", "available_products", key=self.key_b).json()[
            "products"
        ]
        self.assertEqual(
            sorted(p["ean"] for p in products),
            sorted([self.product_a.barcode, self.product_b.barcode]),
        )

    def test_price_follows_pricelist_and_excludes_included_tax(self):
        tax = self.env["account.tax"].create(
            {
                "name": "19% incl.",
                "amount": 19,
                "amount_type": "percent",
                "price_include_override": "tax_included",
                "type_tax_use": "sale",
            }
        )
        self.product_b.taxes_id = [Command.set(tax.ids)]
        self.product_b.list_price = 119.0
        products = self.api("GET", "available_products", key=self.key_a).json()[
            "products"
        ]
        price = {p["ean"]: p["price"] for p in products}[self.product_b.barcode]
        # 119 - 10% = 107.1 tax included, 90.0 tax excluded
        self.assertAlmostEqual(price, 90.0)

    def test_removing_a_product_hides_it(self):
        self.partner_a.order_api_product_ids = [Command.unlink(self.product_b.id)]
        products = self.api("GET", "available_products", key=self.key_a).json()[
            "products"
        ]
        self.assertNotIn(self.product_b.barcode, [p["ean"] for p in products])
