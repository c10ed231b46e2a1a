# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The company rule (README, "Several companies"): a request works in its
caller's API company alone (the partner's company when the partner is
restricted to one, else the user's default company), and so do the orders
it reads and creates, their external ids, idempotency keys and products."""

from odoo.tests import tagged

from .common_companies import MultiCompanyCase


@tagged("post_install", "-at_install")
class TestCompanyRule(MultiCompanyCase):
    def _order(self, response):
        self.assertEqual(response.status_code, 201, response.text)
        return self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )

    def test_order_goes_to_the_users_default_company(self):
        order_1 = self._order(self.order_in(self.key_s1))
        order_2 = self._order(self.order_in(self.key_s2))
        self.assertEqual(order_1.company_id, self.company_1)
        self.assertEqual(order_2.company_id, self.company_2)
        # company 2: its warehouse, its pricelist (another currency)
        self.assertEqual(order_2.warehouse_id, self.warehouse_2)
        self.assertEqual(order_2.pricelist_id, self.pricelist_2)
        self.assertEqual(order_2.currency_id, self.currency_2)
        answer = self.api(
            "GET",
            "order_status",
            self.key_s2,
            params={"identifiedBy": "biomes", "order_id": order_2.name},
        ).json()
        self.assertEqual(answer["currency"], self.currency_2.name)

    def test_reads_are_the_api_company_only(self):
        """A user allowed in two companies lists its default company's
        orders alone, and another company's order is not found: the same
        partner's users of each company see their own company's orders."""
        order_1 = self._order(self.order_in(self.key_s1))
        order_2 = self._order(self.order_in(self.key_s2))
        for key, mine, other in (
            (self.key_s1, order_1, order_2),
            (self.key_s12, order_1, order_2),
            (self.key_s2, order_2, order_1),
        ):
            listed = self.api("GET", "orders", key).json()
            self.assertEqual(
                [o["biomes_order_id"] for o in listed["orders"]], [mine.name]
            )
            self.assertEqual(listed["pagination"]["total_count"], 1)
            self.assertEqual(
                self.api(
                    "GET",
                    "order_status",
                    key,
                    params={"identifiedBy": "biomes", "order_id": other.name},
                ).status_code,
                404,
            )

    def test_products_are_the_api_company_ones(self):
        """A product of the user's other company is not offered and not
        orderable (403 product_not_allowed), although the partner's tab
        lists it; the API company's own are."""
        for key, offered, refused in (
            (self.key_s12, self.product_c1, self.product_c2),
            (self.key_s2, self.product_c2, self.product_c1),
        ):
            eans = {
                p["ean"]
                for p in self.api("GET", "available_products", key).json()["products"]
            }
            self.assertIn(offered.barcode, eans)
            self.assertIn(self.product_a.barcode, eans)
            self.assertNotIn(refused.barcode, eans)
            self.assert_error(
                self.order_in(key, ean=refused.barcode), 403, "product_not_allowed"
            )
            self._order(self.order_in(key, ean=offered.barcode))

    def test_external_order_id_is_unique_per_company(self):
        """An external id used in company 2 is free in company 1 (where that
        order cannot be read), and looked up there it is company 1's."""
        self._order(self.order_in(self.key_s2, external_order_id="EXT-CO"))
        self.assert_error(
            self.order_in(self.key_s2, external_order_id="EXT-CO"),
            409,
            "duplicate_external_order_id",
        )
        quote = self.api(
            "POST",
            "order/quote",
            self.key_s1,
            body=self.order_body(external_order_id="EXT-CO"),
        )
        self.assertEqual(quote.status_code, 200, quote.text)
        order_1 = self._order(self.order_in(self.key_s1, external_order_id="EXT-CO"))
        self.assertEqual(order_1.company_id, self.company_1)
        found = self.api(
            "GET",
            "order_status",
            self.key_s1,
            params={"identifiedBy": "external", "order_id": "EXT-CO"},
        ).json()
        self.assertEqual(found["biomes_order_id"], order_1.name)
        batch = self.api(
            "POST",
            "orders/batch",
            self.key_s1,
            body={"orders": [self.order_body(external_order_id="EXT-CO")]},
        ).json()
        self.assertEqual(batch["results"][0]["status"], 409)

    def test_idempotency_key_is_per_company(self):
        """The same Idempotency-Key and body in another company creates that
        company's order: it never replays another company's order object."""
        headers = {"Idempotency-Key": "same-key-1"}
        body = self.order_body()
        first = self.api("POST", "order", self.key_s2, body=body, headers=headers)
        self.assertEqual(first.status_code, 201, first.text)
        other = self.api("POST", "order", self.key_s1, body=body, headers=headers)
        self.assertEqual(other.status_code, 201, other.text)
        self.assertNotIn("Idempotent-Replayed", other.headers)
        self.assertNotEqual(
            other.json()["biomes_order_id"], first.json()["biomes_order_id"]
        )
        self.assertEqual(
            self._order(other).company_id,
            self.company_1,
        )
        again = self.api("POST", "order", self.key_s2, body=body, headers=headers)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(
            again.json()["biomes_order_id"], first.json()["biomes_order_id"]
        )

    def test_customer_bound_to_a_company_orders_there_only(self):
        """A partner restricted to company 2: its user allowed there works in
        company 2 whatever its default company, priced with its company-2
        pricelist; its user not allowed there is refused with a message that
        names the company, on every route, and nothing is created."""
        order = self._order(self.order_in(self.key_bound_in))
        self.assertEqual(order.company_id, self.company_2)
        self.assertEqual(order.pricelist_id, self.pricelist_2)
        count = self.env["sale.order"].search_count([])
        for method, route, body in (
            ("POST", "order", self.order_body()),
            ("POST", "order/quote", self.order_body()),
            ("GET", "orders", None),
            ("GET", "available_products", None),
            ("GET", "webhook", None),
        ):
            response = self.api(method, route, self.key_bound_out, body=body)
            self.assert_error(response, 403, "forbidden")
            self.assertIn(self.company_2.name, response.json()["error"]["message"])
        self.assertEqual(self.env["sale.order"].search_count([]), count)

    def test_company_change_is_seen_at_once(self):
        """A user given another default company, a user no longer allowed in
        its partner's company, a partner no longer restricted: the next
        request follows (what workers remember of the caller is forgotten)."""
        self.assertEqual(
            self._order(self.order_in(self.key_s12)).company_id, self.company_1
        )
        self.user_s12.company_id = self.company_2
        self.assertEqual(
            self._order(self.order_in(self.key_s12)).company_id, self.company_2
        )
        self.assertEqual(
            self._order(self.order_in(self.key_bound_in)).company_id, self.company_2
        )
        self.user_bound_in.company_ids -= self.company_2
        self.assert_error(self.order_in(self.key_bound_in), 403, "forbidden")
        self.bound.company_id = False
        self.assertEqual(
            self._order(self.order_in(self.key_bound_in)).company_id, self.company_1
        )
