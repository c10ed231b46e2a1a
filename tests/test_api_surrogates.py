# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A lone surrogate ("\\ud800") anywhere in a body is bad input (400), also
where the fields would not look (an unknown member) and with an
Idempotency-Key, whose fingerprint hashes the whole body."""

from odoo.tests import tagged

from .common import PartnerOrderApiCase


@tagged("post_install", "-at_install")
class TestLoneSurrogates(PartnerOrderApiCase):
    def _counts(self):
        return (
            self.env["sale.order"].search_count([]),
            self.env["partner.order.api.idempotency"].sudo().search_count([]),
        )

    def _post(self, route, body, idempotency_key):
        # json.dumps writes a lone surrogate as the escape "\ud800", as a
        # client's JSON encoder would
        return self.api(
            "POST",
            route,
            key=self.key_a,
            body=body,
            headers={"Idempotency-Key": idempotency_key},
        )

    def assert_refused(self, response, field):
        self.assert_error(response, 400, "validation_error")
        error = response.json()["error"]
        self.assertEqual([d["field"] for d in error["details"]], [field])
        self.assertIn("lone surrogate", error["message"])

    def test_post_order(self):
        before = self._counts()
        for body, field in (
            (dict(self.order_body(), comment="\ud800"), "comment"),
            (dict(self.order_body(), **{"x\udfff": 1}), "x\\udfff"),
            (self.order_body(name="John \ud83d Doe"), "delivery_address.name"),
            (
                {
                    "lines": [
                        {"ean": self.product_a.barcode, "amount": 1, "x": "\ud800"}
                    ],
                    "delivery_address": self.order_body()["delivery_address"],
                },
                "lines[0].x",
            ),
        ):
            self.assert_refused(self._post("order", body, "surrogate-1"), field)
        self.assertEqual(self._counts(), before)
        # the same key with a clean body is still free
        response = self._post("order", self.order_body(), "surrogate-1")
        self.assertEqual(response.status_code, 201, response.text)

    def test_post_order_cancel(self):
        created = self.api("POST", "order", key=self.key_a, body=self.order_body())
        self.assertEqual(created.status_code, 201)
        name = created.json()["biomes_order_id"]
        before = self._counts()
        response = self._post(
            "order/cancel",
            {"identifiedBy": "biomes", "order_id": name, "reason": "\ud800"},
            "surrogate-cancel",
        )
        self.assert_refused(response, "reason")
        self.assertEqual(self._counts(), before)
        order = self.env["sale.order"].search([("name", "=", name)])
        self.assertNotEqual(order.state, "cancel")
