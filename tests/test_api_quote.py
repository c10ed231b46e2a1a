# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command
from odoo.tests import tagged

from .common import PartnerOrderApiCase

# the tables a quote must leave alone
TABLES = (
    "sale_order",
    "sale_order_line",
    "res_partner",
    "stock_move",
    "stock_picking",
    "mail_message",
)
# what the quote and the created order both show
LINE_KEYS = (
    "ean",
    "product_name",
    "default_code",
    "quantity",
    "unit_price",
    "subtotal",
)
ORDER_KEYS = (
    "external_order_id",
    "total_cost",
    "total_tax",
    "currency",
    "note",
    "delivery_address",
)


@tagged("post_install", "-at_install")
class TestApiQuote(PartnerOrderApiCase):
    def _row_counts(self):
        self.env.flush_all()
        counts = {}
        for table in TABLES:
            self.env.cr.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            counts[table] = self.env.cr.fetchone()[0]
        return counts

    def _quote(self, body, key=None):
        # the route runs on a read-only cursor: a write would be logged
        # ("retrying with a read/write cursor") and fail this assertion
        with self.assertNoLogs("odoo.http", "WARNING"):
            return self.api("POST", "order/quote", key=key or self.key_a, body=body)

    def _taxed_products(self):
        """product_a with 19 % on top, product_b at 119.0 with 19 % included."""
        tax_excl = self.env["account.tax"].create(
            {"name": "19% quote", "amount": 19, "type_tax_use": "sale"}
        )
        tax_incl = self.env["account.tax"].create(
            {
                "name": "19% incl. quote",
                "amount": 19,
                "price_include_override": "tax_included",
                "type_tax_use": "sale",
            }
        )
        self.product_a.taxes_id = [Command.set(tax_excl.ids)]
        self.product_b.taxes_id = [Command.set(tax_incl.ids)]
        self.product_b.list_price = 119.0

    def test_quote_creates_nothing_and_equals_the_order_post_order_creates(self):
        self._taxed_products()
        # an address no contact of the partner has: the order creates one
        address = self.order_body(name="Quote Receiver", street="Quote Street 7")
        body = {
            "lines": [
                {"ean": self.product_a.barcode, "amount": 3},
                {"ean": self.product_b.barcode, "amount": 2},
                {"ean": self.kit.barcode, "amount": 1},
            ],
            "external_order_id": "QUOTE-1",
            "note": "Leave it at the gate.",
            "delivery_address": address["delivery_address"],
        }
        before = self._row_counts()
        response = self._quote(body)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self._row_counts(), before)
        # asking twice is the same
        self.assertEqual(self._quote(body).json(), response.json())
        self.assertEqual(self._row_counts(), before)
        quote = response.json()

        created = self.api("POST", "order", key=self.key_a, body=body)
        self.assertEqual(created.status_code, 201, created.text)
        order = created.json()
        self.assertEqual(
            {key: quote[key] for key in ORDER_KEYS},
            {key: order[key] for key in ORDER_KEYS},
        )
        self.assertEqual(
            [{key: line[key] for key in LINE_KEYS} for line in quote["lines"]],
            [{key: line[key] for key in LINE_KEYS} for line in order["lines"]],
        )
        # the figures are the real ones: 10 % off; taxes on top / included
        line_a, line_b, line_kit = quote["lines"]
        self.assertEqual((line_a["unit_price"], line_a["subtotal"]), (90.0, 270.0))
        self.assertEqual((line_b["unit_price"], line_b["subtotal"]), (90.0, 180.0))
        self.assertEqual((line_kit["unit_price"], line_kit["subtotal"]), (45.0, 45.0))
        self.assertAlmostEqual(quote["total_tax"], round((270.0 + 180.0) * 0.19, 2))
        self.assertAlmostEqual(quote["total_cost"], 495.0 + quote["total_tax"])
        self.assertEqual(quote["currency"], self.currency.name)
        self.assertTrue(quote["available"])
        # POST order did create what the quote did not
        after = self._row_counts()
        for table in ("sale_order", "res_partner", "stock_move", "stock_picking"):
            self.assertGreater(after[table], before[table], table)

    def test_fiscal_position_of_the_delivery_country(self):
        """Taxes follow the fiscal position Odoo picks for the delivery
        address, as on the order: 19 % becomes 7 % for France."""
        self._taxed_products()
        tax_7 = self.env["account.tax"].create(
            {"name": "7% quote", "amount": 7, "type_tax_use": "sale"}
        )
        self.env["account.fiscal.position"].create(
            {
                "name": "API France",
                "auto_apply": True,
                "country_id": self.env.ref("base.fr").id,
                "sequence": 1,
                "tax_ids": [
                    Command.create(
                        {
                            "tax_src_id": self.product_a.taxes_id.id,
                            "tax_dest_id": tax_7.id,
                        }
                    )
                ],
            }
        )
        body = self.order_body(amount=10, country_code="FR", city="Paris")
        before = self._row_counts()
        quote = self._quote(body).json()
        self.assertEqual(self._row_counts(), before)
        self.assertAlmostEqual(quote["total_tax"], 63.0)  # 7 % of 900
        order = self.api("POST", "order", key=self.key_a, body=body).json()
        self.assertEqual(
            (quote["total_tax"], quote["total_cost"]),
            (order["total_tax"], order["total_cost"]),
        )

    def test_availability_is_the_free_quantity_now(self):
        # the kit: 3 lots of 10 in stock; 5 of them reserved by another order
        other = self.create_order_orm(self.partner_b, self.user_b, [(self.kit, 5)])
        other.picking_ids.action_assign()
        self.assertEqual(other.picking_ids.move_ids.quantity, 5)
        body = {
            "lines": [
                {"ean": self.kit.barcode, "amount": 26},
                {"ean": self.product_a.barcode, "amount": 1000},
                {"ean": self.product_b.barcode, "amount": 500},
            ],
            "delivery_address": self.order_body()["delivery_address"],
        }
        quote = self._quote(body).json()
        kit, sensor, refill = quote["lines"]
        self.assertEqual((kit["available"], kit["available_quantity"]), (False, 25.0))
        self.assertEqual(
            (sensor["available"], sensor["available_quantity"]), (True, 1000.0)
        )
        # not kept in stock: always available, no quantity
        self.assertEqual(
            (refill["available"], refill["available_quantity"]), (True, None)
        )
        self.assertFalse(quote["available"])
        body["lines"][0]["amount"] = 25
        quote = self._quote(body).json()
        self.assertTrue(quote["lines"][0]["available"])
        self.assertTrue(quote["available"])

    def test_same_errors_as_post_order(self):
        self.api(
            "POST",
            "order",
            key=self.key_a,
            body=self.order_body(external_order_id="QUOTE-USED"),
        )
        address = self.order_body()["delivery_address"]
        cases = [
            (self.order_body(ean=self.product_forbidden.barcode), 403),
            (self.order_body(ean="0000000000000"), 403),
            (self.order_body(amount=0), 400),
            (self.order_body(amount=1.5), 400),
            (dict(self.order_body(), lines=[]), 400),
            (dict(self.order_body(), surprise=1), 400),
            ({"ean": self.product_a.barcode, "amount": 1}, 400),
            (dict(self.order_body(), delivery_address=dict(address, city=" ")), 400),
            (self.order_body(country_code="de"), 400),
            (self.order_body(external_order_id="QUOTE-USED"), 409),
        ]
        before = self._row_counts()
        for body, status in cases:
            quote = self._quote(body)
            order = self.api("POST", "order", key=self.key_a, body=body)
            self.assertEqual(quote.status_code, status, (body, quote.text))
            self.assertEqual(
                (quote.status_code, quote.json()), (order.status_code, order.json())
            )
        self.assertEqual(self._row_counts(), before)
        # not JSON; a partner not enabled
        quote = self.api(
            "POST",
            "order/quote",
            key=self.key_a,
            data="{",
            headers={"Content-Type": "application/json"},
        )
        self.assert_error(quote, 400, "validation_error")
        quote = self._quote(self.order_body(), key=self.key_off)
        self.assert_error(quote, 403, "forbidden")
        # another partner's catalogue: the kit is not allowed for B
        self.assert_error(
            self._quote(self.order_body(ean=self.kit.barcode), key=self.key_b),
            403,
            "product_not_allowed",
        )

    def test_existing_delivery_contact_and_read_only_key(self):
        """An address the partner already delivers to is the contact the order
        would use; a read-only key may quote (nothing is written) but not
        order; GET is not a method of the route."""
        self.api("POST", "order", key=self.key_a, body=self.order_body())
        read_only = self._generate_key(
            self.user_a, scope="partner_order_api.readonly", name="read only"
        )
        before = self._row_counts()
        response = self._quote(self.order_body(amount=2), key=read_only)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["lines"][0]["subtotal"], 180.0)
        self.assertEqual(response.json()["delivery_address"]["street"], "Main Street 1")
        self.assertEqual(self._row_counts(), before)
        self.assert_error(
            self.api("POST", "order", key=read_only, body=self.order_body()),
            403,
            "insufficient_scope",
        )
        self.assert_error(
            self.api("GET", "order/quote", key=self.key_a), 405, "method_not_allowed"
        )
