# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Carriers (issue 27): ``GET carriers``, ``carrier_code`` in ``POST
order``, ``order/quote`` and ``orders/batch``, the order object's
``shipping`` (``partner.order.api.addresses``,
``partner_order_api_orders_create.py``, ``order_reader*.py``)."""

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import PartnerOrderApiCase

# what an order refused for its carrier must leave alone
TABLES = ("sale_order", "sale_order_line", "res_partner", "stock_picking")


@tagged("post_install", "-at_install")
class TestApiShipping(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Carrier = cls.env["delivery.carrier"]

        def product(name, price):
            return cls.env["product.product"].create(
                {"name": name, "type": "service", "list_price": price}
            )

        # 10.0 less the partners' 10 % (the pricelist prices a fixed carrier)
        cls.carrier_fixed = Carrier.create(
            {
                "name": "Parcel Fix",
                "delivery_type": "fixed",
                "fixed_price": 10.0,
                "product_id": product("Parcel Fix", 10.0).id,
                "order_api_code": "fix",
            }
        )
        # 4 + 2 per kg
        cls.carrier_rule = Carrier.create(
            {
                "name": "Freight by weight",
                "delivery_type": "base_on_rule",
                "product_id": product("Freight", 0.0).id,
                "order_api_code": "rule",
                "price_rule_ids": [
                    Command.create(
                        {
                            "variable": "weight",
                            "operator": "<=",
                            "max_value": 1000,
                            "list_base_price": 4.0,
                            "list_price": 2.0,
                            "variable_factor": "weight",
                        }
                    )
                ],
            }
        )
        # ships to France only: cannot ship to Berlin
        cls.carrier_far = Carrier.create(
            {
                "name": "France only",
                "delivery_type": "fixed",
                "fixed_price": 3.0,
                "product_id": product("France only", 3.0).id,
                "order_api_code": "far",
                "country_ids": [Command.set(cls.env.ref("base.fr").ids)],
            }
        )
        cls.carrier_b = Carrier.create(
            {
                "name": "B's own",
                "delivery_type": "fixed",
                "fixed_price": 1.0,
                "product_id": product("B's own", 1.0).id,
                "order_api_code": "bee",
            }
        )
        cls.carrier_no_code = Carrier.create(
            {
                "name": "No code",
                "delivery_type": "fixed",
                "fixed_price": 1.0,
                "product_id": product("No code", 1.0).id,
            }
        )
        cls.product_a.weight = 1.5
        cls.partner_a.order_api_carrier_ids = [
            Command.set(
                (
                    cls.carrier_fixed
                    | cls.carrier_rule
                    | cls.carrier_far
                    | cls.carrier_no_code
                ).ids
            )
        ]
        cls.partner_b.order_api_carrier_ids = [Command.set(cls.carrier_b.ids)]

    def _row_counts(self):
        self.env.flush_all()
        counts = {}
        for table in TABLES:
            self.env.cr.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            counts[table] = self.env.cr.fetchone()[0]
        return counts

    def _order(self, response):
        body = response.json()
        self.assertEqual(response.status_code, 201, response.text[:500])
        return body, self.env["sale.order"].search(
            [("name", "=", body["biomes_order_id"])]
        )

    def test_get_carriers_lists_the_partners_own_with_a_code(self):
        response = self.api("GET", "carriers", key=self.key_a)
        self.assertEqual(
            response.json()["carriers"],
            [
                {"code": "far", "name": "France only"},
                {"code": "fix", "name": "Parcel Fix"},
                {"code": "rule", "name": "Freight by weight"},
            ],
        )
        response = self.api("GET", "carriers", key=self.key_b)
        self.assertEqual(
            response.json()["carriers"], [{"code": "bee", "name": "B's own"}]
        )
        # archived: no longer offered
        self.carrier_b.active = False
        response = self.api("GET", "carriers", key=self.key_b)
        self.assertEqual(response.json()["carriers"], [])
        self.assert_error(
            self.api("GET", "carriers", key=self.key_off), 403, "forbidden"
        )

    def test_fixed_carrier_priced_in_the_quote_and_the_order(self):
        body = dict(self.order_body(amount=2), carrier_code="fix")
        before = self._row_counts()
        # a read-only route: a write would be logged ("retrying with a
        # read/write cursor")
        with self.assertNoLogs("odoo.http", "WARNING"):
            quote = self.api("POST", "order/quote", key=self.key_a, body=body).json()
        self.assertEqual(self._row_counts(), before)
        shipping = {"carrier_code": "fix", "carrier": "Parcel Fix", "price": 9.0}
        self.assertEqual(quote["shipping"], shipping)
        self.assertEqual(
            [line["ean"] for line in quote["lines"]], [self.product_a.barcode]
        )
        created, order = self._order(
            self.api("POST", "order", key=self.key_a, body=body)
        )
        self.assertEqual(created["shipping"], shipping)
        self.assertEqual(created["total_cost"], quote["total_cost"])
        self.assertEqual(created["total_tax"], quote["total_tax"])
        # the partner's products only; the delivery line is in total_cost
        self.assertEqual(len(created["lines"]), 1)
        self.assertAlmostEqual(
            created["total_cost"],
            created["lines"][0]["subtotal"] + 9.0 + created["total_tax"],
        )
        self.assertEqual(order.carrier_id, self.carrier_fixed)
        delivery_line = order.order_line.filtered("is_delivery")
        self.assertEqual(delivery_line.price_unit, 9.0)
        self.assertEqual(order.picking_ids.carrier_id, self.carrier_fixed)
        status = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": order.name},
        ).json()
        self.assertEqual(status["shipping"], shipping)
        self.assertEqual(len(status["lines"]), 1)

    def test_rule_carrier_priced_by_weight(self):
        # 2 x 1.5 kg: 4 + 2 * 3
        body = dict(self.order_body(amount=2), carrier_code="rule")
        with self.assertNoLogs("odoo.http", "WARNING"):
            quote = self.api("POST", "order/quote", key=self.key_a, body=body).json()
        self.assertEqual(quote["shipping"]["price"], 10.0)
        created, order = self._order(
            self.api("POST", "order", key=self.key_a, body=body)
        )
        self.assertEqual(created["shipping"]["price"], 10.0)
        self.assertEqual(order.picking_ids.carrier_id, self.carrier_rule)

    def test_no_carrier_no_shipping(self):
        created, order = self._order(
            self.api("POST", "order", key=self.key_a, body=self.order_body())
        )
        self.assertIsNone(created["shipping"])
        self.assertFalse(order.carrier_id)

    def test_not_allowed_carrier_answered_as_unknown_and_nothing_written(self):
        before = self._row_counts()
        answers = []
        for code in ("bee", "no-such-carrier", "fix "):
            body = dict(self.order_body(), carrier_code=code.strip() or code)
            if code == "fix ":
                # B may not choose A's carrier either
                response = self.api("POST", "order", key=self.key_b, body=body)
            else:
                response = self.api("POST", "order", key=self.key_a, body=body)
            self.assert_error(response, 400, "validation_error")
            error = response.json()["error"]
            self.assertEqual(error["details"][0]["field"], "carrier_code")
            answers.append(error["message"].replace(repr(code.strip()), "CODE"))
            quote = self.api("POST", "order/quote", key=self.key_a, body=body)
            if code != "fix ":
                self.assert_error(quote, 400, "validation_error")
        self.assertEqual(len(set(answers)), 1, answers)
        self.assertEqual(self._row_counts(), before)

    def test_carrier_that_cannot_ship_refused_and_nothing_written(self):
        body = dict(self.order_body(), carrier_code="far")
        before = self._row_counts()
        for route in ("order", "order/quote"):
            response = self.api("POST", route, key=self.key_a, body=body)
            self.assert_error(response, 400, "validation_error")
            self.assertEqual(
                response.json()["error"]["details"][0]["field"], "carrier_code"
            )
            self.assertIn("not available for this address", response.text)
        self.assertEqual(self._row_counts(), before)
        # the same carrier to France ships
        body["delivery_address"]["country_code"] = "FR"
        created, _order = self._order(
            self.api("POST", "order", key=self.key_a, body=body)
        )
        self.assertEqual(created["shipping"]["carrier_code"], "far")

    def test_batch_orders_each_with_their_carrier(self):
        orders = [
            dict(self.order_body(), carrier_code="fix"),
            dict(self.order_body(), carrier_code="bee"),
            self.order_body(),
        ]
        response = self.api(
            "POST", "orders/batch", key=self.key_a, body={"orders": orders}
        )
        results = response.json()["results"]
        self.assertEqual([r["status"] for r in results], [201, 400, 201])
        self.assertEqual(results[0]["order"]["shipping"]["price"], 9.0)
        self.assertIsNone(results[2]["order"]["shipping"])

    def test_carrier_code_unique_per_company(self):
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.carrier_b.copy({"order_api_code": "fix"})
        # two companies may use one code for their own carriers
        companies = self.env["res.company"].create(
            [{"name": "Other Co 1"}, {"name": "Other Co 2"}]
        )
        # (a carrier's company is its product's)
        for company in companies:
            product = self.carrier_b.product_id.copy({"company_id": company.id})
            self.carrier_b.copy({"order_api_code": "own", "product_id": product.id})
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.carrier_b.copy({"order_api_code": "own"})
