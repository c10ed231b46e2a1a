# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Delivery addresses (issue 27): ``state_code``, ``phone``, ``email``,
``company_name`` in ``delivery_address``; ``GET addresses`` and
``delivery_address_id`` (``partner.order.api.addresses``,
``partner_order_api_orders_create.py``)."""

from odoo.tests import tagged

from .common import PartnerOrderApiCase

US_ADDRESS = {
    "name": "Receiving Dock",
    "company_name": "Acme Labs Inc.",
    "street": "500 Terry Francine St",
    "zip": "94158",
    "city": "San Francisco",
    "state_code": "CA",
    "country_code": "US",
    "phone": "+1 415 555 0100",
    "email": "dock@acme-labs.example",
}


@tagged("post_install", "-at_install")
class TestApiAddresses(PartnerOrderApiCase):
    def _contacts(self, partner):
        return self.env["res.partner"].search(
            [("parent_id", "=", partner.id), ("type", "=", "delivery")]
        )

    def _post(self, body, key=None, route="order"):
        return self.api("POST", route, key=key or self.key_a, body=body)

    def _us_body(self, **changes):
        body = self.order_body()
        body["delivery_address"] = dict(US_ADDRESS, **changes)
        return body

    def test_us_address_with_a_state_stored_and_shown(self):
        quote = self._post(self._us_body(), route="order/quote")
        self.assertEqual(quote.status_code, 200, quote.text[:300])
        expected = dict(US_ADDRESS, street2=None)
        self.assertEqual(quote.json()["delivery_address"], expected)
        self.assertFalse(self._contacts(self.partner_a))
        response = self._post(self._us_body())
        self.assertEqual(response.status_code, 201, response.text[:300])
        self.assertEqual(response.json()["delivery_address"], expected)
        contact = self._contacts(self.partner_a)
        self.assertEqual(len(contact), 1)
        self.assertEqual(contact.state_id, self.env.ref("base.state_us_5"))
        self.assertEqual(
            (contact.phone, contact.email, contact.company_name),
            (US_ADDRESS["phone"], US_ADDRESS["email"], US_ADDRESS["company_name"]),
        )
        # the same address again: the same contact
        self.assertEqual(self._post(self._us_body()).status_code, 201)
        self.assertEqual(self._contacts(self.partner_a), contact)

    def test_state_required_where_odoo_requires_one(self):
        for changes in ({"state_code": None}, {"state_code": "ZZ"}):
            for route in ("order", "order/quote"):
                response = self._post(self._us_body(**changes), route=route)
                self.assert_error(response, 400, "validation_error")
                self.assertEqual(
                    response.json()["error"]["details"][0]["field"],
                    "delivery_address.state_code",
                )
        self.assertFalse(self._contacts(self.partner_a))
        self.assertFalse(
            self.env["sale.order"].search(
                [("partner_id", "=", self.user_a.partner_id.id)]
            )
        )
        # Germany requires none
        self.assertEqual(self._post(self.order_body()).status_code, 201)

    def test_invalid_email_refused(self):
        response = self._post(self._us_body(email="not an address"))
        self.assert_error(response, 400, "validation_error")
        self.assertIn("delivery_address.email", response.text)

    def test_saved_address_listed_and_reused(self):
        created = self._post(self._us_body()).json()
        contact = self._contacts(self.partner_a)
        addresses = self.api("GET", "addresses", key=self.key_a).json()["addresses"]
        self.assertEqual(addresses, [dict(US_ADDRESS, id=contact.id, street2=None)])
        body = self.order_body()
        del body["delivery_address"]
        body["delivery_address_id"] = contact.id
        quote = self._post(body, route="order/quote").json()
        self.assertEqual(quote["delivery_address"], created["delivery_address"])
        response = self._post(body)
        self.assertEqual(response.status_code, 201, response.text[:300])
        self.assertEqual(
            response.json()["delivery_address"], created["delivery_address"]
        )
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        self.assertEqual(order.partner_shipping_id, contact)
        self.assertEqual(self._contacts(self.partner_a), contact)

    def test_other_ids_answer_not_found(self):
        self._post(self._us_body(), key=self.key_b)
        foreign = self._contacts(self.partner_b)
        self.assertTrue(foreign)
        # another partner's address, A's own company, A's user's contact, none
        for address_id in (
            foreign.id,
            self.partner_a.id,
            self.user_a.partner_id.id,
            2**31 - 1,
        ):
            body = self.order_body()
            del body["delivery_address"]
            body["delivery_address_id"] = address_id
            for route in ("order", "order/quote"):
                self.assert_error(self._post(body, route=route), 404, "not_found")
        self.assertFalse(self._contacts(self.partner_a))

    def test_exactly_one_of_address_and_id(self):
        body = self.order_body()
        body["delivery_address_id"] = 1
        response = self._post(body)
        self.assert_error(response, 400, "validation_error")
        self.assertEqual(
            response.json()["error"]["details"][0]["field"], "delivery_address_id"
        )
        del body["delivery_address"], body["delivery_address_id"]
        response = self._post(body)
        self.assert_error(response, 400, "validation_error")
        self.assertIn("delivery_address is required", response.text)
        for bad in ("12", True, 0, -3, 1.5):
            body["delivery_address_id"] = bad
            self.assert_error(self._post(body), 400, "validation_error")

    def test_addresses_confined_to_the_caller(self):
        self._post(self._us_body(), key=self.key_b)
        self._post(self.order_body(name="A's own"))
        mine = self.api("GET", "addresses", key=self.key_a).json()["addresses"]
        theirs = self.api("GET", "addresses", key=self.key_b).json()["addresses"]
        self.assertEqual([a["name"] for a in mine], ["A's own"])
        self.assertEqual([a["name"] for a in theirs], ["Receiving Dock"])
        self.assert_error(
            self.api("GET", "addresses", key=self.key_off), 403, "forbidden"
        )
