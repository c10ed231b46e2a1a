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
        # the product's own name; the reference is default_code, not "[API-A] ..."
        self.assertEqual(sensor["name"], "API Sensor")
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

    def _product_b_at_119_tax_included(self, name):
        """product_b at 119.0 with a 19 % tax included in its price."""
        tax = self.env["account.tax"].create(
            {
                "name": name,
                "amount": 19,
                "amount_type": "percent",
                "price_include_override": "tax_included",
                "type_tax_use": "sale",
            }
        )
        self.product_b.taxes_id = [Command.set(tax.ids)]
        self.product_b.list_price = 119.0

    def test_price_follows_pricelist_and_excludes_included_tax(self):
        self._product_b_at_119_tax_included("19% incl.")
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

    def _eans_of_b(self):
        self.env.flush_all()
        products = self.api("GET", "available_products", key=self.key_b).json()
        return [p["ean"] for p in products["products"]]

    def test_a_partner_without_products_sees_them_once_allowed(self):
        """Whether a partner has allowed products is remembered by the
        workers with the caller (no query for a partner without any); allowing
        one, from the partner or from the product, is seen at once."""
        self.partner_b.order_api_product_ids = [Command.clear()]
        for _i in range(2):  # the second from what the worker remembers
            self.assertEqual(self._eans_of_b(), [])
        self.partner_b.write(
            {"order_api_product_ids": [Command.link(self.product_b.id)]}
        )
        self.assertEqual(self._eans_of_b(), [self.product_b.barcode])
        self.partner_b.order_api_product_ids = [Command.clear()]
        self.assertEqual(self._eans_of_b(), [])
        self.product_a.write(
            {"order_api_partner_ids": [Command.link(self.partner_b.id)]}
        )
        self.assertEqual(self._eans_of_b(), [self.product_a.barcode])

    def test_tax_basis_is_the_same_for_products_lines_and_totals(self):
        """A product with a price-included tax: the catalogue price, the
        line's unit price and subtotal are all taxes excluded, total_tax holds
        the taxes and total_cost is their sum, in the product's own name."""
        self._product_b_at_119_tax_included("19% incl. (basis)")
        products = self.api("GET", "available_products", key=self.key_a).json()[
            "products"
        ]
        price = {p["ean"]: p["price"] for p in products}[self.product_b.barcode]
        response = self.api(
            "POST",
            "order",
            key=self.key_a,
            body={
                "lines": [
                    {"ean": self.product_b.barcode, "amount": 3},
                    {"ean": self.product_a.barcode, "amount": 2},
                ],
                "delivery_address": self.order_body()["delivery_address"],
            },
        )
        self.assertEqual(response.status_code, 201, response.text)
        order = response.json()
        line_b, line_a = order["lines"]
        self.assertEqual(line_b["product_name"], "API Refill")
        self.assertEqual(line_a["product_name"], "API Sensor")
        self.assertAlmostEqual(line_b["unit_price"], price)  # 90.0, not 107.1
        self.assertAlmostEqual(line_b["subtotal"], 3 * price)
        self.assertAlmostEqual(line_a["unit_price"], 90.0)
        self.assertAlmostEqual(order["total_tax"], round(3 * price * 0.19, 2))
        self.assertAlmostEqual(
            order["total_cost"],
            line_a["subtotal"] + line_b["subtotal"] + order["total_tax"],
        )
        record = self.env["sale.order"].search(
            [("name", "=", order["biomes_order_id"])]
        )
        self.assertAlmostEqual(order["total_tax"], record.amount_tax)
        self.assertAlmostEqual(order["total_cost"], record.amount_total)

    def test_available_quantity_and_sale_delay(self):
        """Free quantity now (on hand less reserved) in the company's
        warehouses, null for a product not kept in stock; the lead time."""
        self.kit.sale_delay = 3
        order = self.create_order_orm(self.partner_b, self.user_b, [(self.kit, 4)])
        order.picking_ids.action_assign()
        # stock in another company's warehouse does not count
        other_company = self.env["res.company"].create({"name": "API Other Co"})
        other_stock = (
            self.env["stock.warehouse"]
            .search([("company_id", "=", other_company.id)], limit=1)
            .lot_stock_id
        )
        self.env["stock.quant"]._update_available_quantity(
            self.product_a, other_stock, 500
        )
        products = self.api("GET", "available_products", key=self.key_a).json()[
            "products"
        ]
        by_ean = {p["ean"]: p for p in products}
        self.assertEqual(
            {
                ean: (p["available_quantity"], p["sale_delay"])
                for ean, p in by_ean.items()
            },
            {
                self.product_a.barcode: (1000.0, 0),
                self.product_b.barcode: (None, 0),  # not kept in stock
                self.kit.barcode: (26.0, 3),  # 30 on hand, 4 reserved
            },
        )

    def test_query_count_does_not_grow_with_the_number_of_products(self):
        Product = self.env["product.product"]
        many = Product.browse()
        stock = self.warehouse.lot_stock_id
        for index in range(10):
            product = Product.create(
                {
                    "name": f"API Count {index}",
                    "default_code": f"API-C{index}",
                    "barcode": f"40063813{index:05d}",
                    "list_price": 10.0 + index,
                    "is_storable": index % 2 == 0,
                    "sale_delay": index,
                }
            )
            if product.is_storable:
                self.env["stock.quant"]._update_available_quantity(
                    product, stock, index + 1
                )
            many |= product
        counts = {}
        for size in (1, 10, 1, 10):
            self.partner_b.order_api_product_ids = [Command.set(many[:size].ids)]
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            response = self.api("GET", "available_products", key=self.key_b)
            counts[size] = self.cr.sql_log_count - before
            self.assertEqual(len(response.json()["products"]), size)
        self.assertLessEqual(counts[10], counts[1], counts)
        products = response.json()["products"]
        self.assertEqual(
            [p["available_quantity"] for p in products],
            [index + 1.0 if index % 2 == 0 else None for index in range(10)],
        )
        self.assertEqual([p["sale_delay"] for p in products], list(range(10)))
