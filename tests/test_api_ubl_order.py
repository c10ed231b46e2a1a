# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``POST order`` and ``order/quote`` with a UBL Order body (issue 28,
``models/partner_order_api_orders_ubl.py``, ``lib/ubl_order.py``).

The buyer is real: a second company of the database buys from this one
with Odoo's own purchase module, and ``purchase_edi_ubl_bis3`` (installed in
the test database only: ``POA_TEST_EXTRA_MODULES`` in scripts/lib.sh)
makes the XML that is posted as it comes."""

from odoo import Command
from odoo.tests import tagged

from .common import PartnerOrderApiCase

NS = (
    'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2" '
    'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
    'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"'
)
XML = {"Content-Type": "application/xml"}
# what must be the same in the order made from the XML and from its JSON
SAME = ("external_order_id", "status", "total_cost", "total_tax", "currency")
LINE_SAME = ("ean", "product_name", "quantity", "unit_price", "subtotal")


def ubl_order(
    order_id="PO-UBL-1", lines=None, buyer="Partner B", extra="", delivery=""
):
    """A small UBL Order: ``lines`` ``[(item_xml, quantity)]``."""
    lines = lines or [
        (
            '<cac:StandardItemIdentification><cbc:ID schemeID="0160">'
            "4006381333931</cbc:ID></cac:StandardItemIdentification>",
            "2",
        )
    ]
    order_lines = "".join(
        f"<cac:OrderLine><cac:LineItem><cbc:ID>{n}</cbc:ID>"
        f'<cbc:Quantity unitCode="C62">{quantity}</cbc:Quantity>'
        f"<cac:Item><cbc:Name>Item {n}</cbc:Name>{item}</cac:Item>"
        "</cac:LineItem></cac:OrderLine>"
        for n, (item, quantity) in enumerate(lines, 1)
    )
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><Order {NS}>"
        "<cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:order:3</cbc:CustomizationID>"
        f"<cbc:ID>{order_id}</cbc:ID><cbc:IssueDate>2026-12-01</cbc:IssueDate>"
        "<cbc:Note>Ring twice</cbc:Note>"
        "<cac:BuyerCustomerParty><cac:Party><cac:PartyName>"
        f"<cbc:Name>{buyer}</cbc:Name></cac:PartyName></cac:Party>"
        "</cac:BuyerCustomerParty>"
        "<cac:Delivery><cac:DeliveryLocation><cac:Address>"
        "<cbc:StreetName>Main Street 1</cbc:StreetName>"
        "<cbc:CityName>Berlin</cbc:CityName><cbc:PostalZone>10115</cbc:PostalZone>"
        "<cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country>"
        "</cac:Address></cac:DeliveryLocation>"
        "<cac:DeliveryParty><cac:PartyName><cbc:Name>John Doe</cbc:Name>"
        f"</cac:PartyName></cac:DeliveryParty>{delivery}</cac:Delivery>"
        f"{extra}{order_lines}</Order>"
    ).encode()


def sellers_item(code):
    return (
        f"<cac:SellersItemIdentification><cbc:ID>{code}</cbc:ID>"
        "</cac:SellersItemIdentification>"
    )


@tagged("post_install", "-at_install")
class TestApiUblOrder(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.buyer_company = cls.env["res.company"].create(
            {
                "name": "UBL Buyer GmbH",
                "street": "Buyer Road 5",
                "zip": "80331",
                "city": "München",
                "country_id": cls.env.ref("base.de").id,
                "phone": "+49 89 1234",
                "email": "purchasing@buyer.example.com",
            }
        )
        # the seller as the buyer company's vendor
        cls.vendor = cls.env["res.partner"].create(
            {"name": "Our Seller", "company_id": cls.buyer_company.id}
        )

    def _purchase_order_xml(self):
        """A confirmed purchase order of the buyer company (two lines of
        products with barcodes) and its UBL Order, by
        ``purchase_edi_ubl_bis3``."""
        buyer_env = self.env(
            context=dict(
                self.env.context,
                allowed_company_ids=[self.buyer_company.id],
            )
        )
        po = (
            buyer_env["purchase.order"]
            .with_company(self.buyer_company)
            .create(
                {
                    "partner_id": self.vendor.id,
                    "company_id": self.buyer_company.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product_a.id,
                                "product_qty": 3,
                                "taxes_id": [Command.clear()],
                            }
                        ),
                        Command.create(
                            {
                                "product_id": self.product_b.id,
                                "product_qty": 5,
                                "taxes_id": [Command.clear()],
                            }
                        ),
                    ],
                }
            )
        )
        xml = self.env["purchase.edi.xml.ubl_bis3"]._export_order(po)
        return po, xml

    def _order_count(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT COUNT(*) FROM sale_order")
        return self.env.cr.fetchone()[0]

    def test_purchase_order_of_odoo_gives_the_json_order(self):
        po, xml = self._purchase_order_xml()
        self.assertIn(b"4006381333931", xml)
        body = {
            "external_order_id": po.name,
            "lines": [
                {"ean": self.product_a.barcode, "amount": 3},
                {"ean": self.product_b.barcode, "amount": 5},
            ],
            "delivery_address": {
                "name": "UBL Buyer GmbH",
                "street": "Buyer Road 5",
                "zip": "80331",
                "city": "München",
                "country_code": "DE",
                "phone": "+49 89 1234",
                "email": "purchasing@buyer.example.com",
            },
        }
        quote = self.api("POST", "order/quote", key=self.key_a, data=xml, headers=XML)
        self.assertEqual(quote.status_code, 200, quote.text)
        from_json = self.api("POST", "order", key=self.key_a, body=body)
        self.assertEqual(from_json.status_code, 201, from_json.text)
        # the JSON order leaves its external id to the XML one
        json_order = self.env["sale.order"].search(
            [("name", "=", from_json.json()["biomes_order_id"])]
        )
        json_order.order_api_external_id = False
        from_xml = self.api("POST", "order", key=self.key_a, data=xml, headers=XML)
        self.assertEqual(from_xml.status_code, 201, from_xml.text)
        made, expected = from_xml.json(), from_json.json()
        self.assertEqual(made["external_order_id"], po.name)
        for key in SAME + ("delivery_address", "note"):
            self.assertEqual(made[key], expected[key], key)
        for key in ("delivery_address", "total_cost"):
            self.assertEqual(quote.json()[key], made[key], key)
        for other in (expected, quote.json()):
            self.assertEqual(
                [[line[k] for k in LINE_SAME] for line in made["lines"]],
                [[line[k] for k in LINE_SAME] for line in other["lines"]],
            )
        order = self.env["sale.order"].search([("name", "=", made["biomes_order_id"])])
        self.assertEqual(order.partner_id.commercial_partner_id, self.partner_a)
        self.assertEqual(order.partner_shipping_id, json_order.partner_shipping_id)
        # the external id is the JSON order's too: the same 409
        again = self.api("POST", "order", key=self.key_a, data=xml, headers=XML)
        self.assert_error(again, 409, "duplicate_external_order_id")

    def test_buyer_party_never_chooses_the_partner(self):
        # the document names Partner B (another API partner) as the buyer
        response = self.api(
            "POST",
            "order",
            key=self.key_a,
            data=ubl_order(
                buyer="Partner B",
                extra="",
                delivery="<cac:RequestedDeliveryPeriod><cbc:StartDate>2099-01-05"
                "</cbc:StartDate></cac:RequestedDeliveryPeriod>",
            ).replace(
                b"<cbc:Note>",
                b"<cbc:CustomerReference>DEPT-7</cbc:CustomerReference><cbc:Note>",
            ),
            headers=XML,
        )
        self.assertEqual(response.status_code, 201, response.text)
        order = self.env["sale.order"].search(
            [("name", "=", response.json()["biomes_order_id"])]
        )
        self.assertEqual(order.partner_id.commercial_partner_id, self.partner_a)
        self.assertEqual(response.json()["external_order_id"], "PO-UBL-1")
        self.assertEqual(response.json()["note"], "Buyer reference: DEPT-7\nRing twice")
        self.assertEqual(response.json()["requested_delivery_date"], "2099-01-05")
        self.assertEqual(response.json()["delivery_address"]["name"], "John Doe")
        self.assertEqual(
            [(line["ean"], line["quantity"]) for line in response.json()["lines"]],
            [("4006381333931", 2)],
        )

    def test_idempotency_key_covers_the_xml(self):
        headers = dict(XML, **{"Idempotency-Key": "ubl-key-1"})
        first = self.api(
            "POST", "order", key=self.key_a, data=ubl_order(), headers=headers
        )
        self.assertEqual(first.status_code, 201, first.text)
        replay = self.api(
            "POST", "order", key=self.key_a, data=ubl_order(), headers=headers
        )
        self.assertEqual(replay.status_code, 201, replay.text)
        self.assertEqual(replay.headers.get("Idempotent-Replayed"), "true")
        other = self.api(
            "POST", "order", key=self.key_a, data=ubl_order("PO-UBL-2"), headers=headers
        )
        self.assert_error(other, 409, "idempotency_key_reused")

    def test_products_by_sellers_code_among_allowed_only(self):
        # the same internal reference on a product the partner may not
        # order (made first) and on one it may
        self.env["product.product"].create(
            {"name": "UBL other", "default_code": "UBL-DUP", "barcode": "4006381334006"}
        )
        allowed = self.env["product.product"].create(
            {"name": "UBL mine", "default_code": "UBL-DUP", "barcode": "4006381334013"}
        )
        self.partner_a.order_api_product_ids = [Command.link(allowed.id)]
        response = self.api(
            "POST",
            "order",
            key=self.key_a,
            data=ubl_order(lines=[(sellers_item("UBL-DUP"), "1.0")]),
            headers=XML,
        )
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(response.json()["lines"][0]["ean"], "4006381334013")
        # an EAN as the seller's item id; the forbidden product's code
        by_ean = self.api(
            "POST",
            "order/quote",
            key=self.key_a,
            data=ubl_order("PO-2", lines=[(sellers_item("4006381333948"), "4")]),
            headers=XML,
        )
        self.assertEqual(by_ean.json()["lines"][0]["ean"], "4006381333948")
        forbidden = self.api(
            "POST",
            "order/quote",
            key=self.key_a,
            data=ubl_order("PO-3", lines=[(sellers_item("API-X"), "4")]),
            headers=XML,
        )
        self.assert_error(forbidden, 403, "product_not_allowed")

    def test_errors_name_the_xml_element(self):
        before = self._order_count()
        cases = [
            (
                ubl_order(lines=[(sellers_item("4006381333931"), "0")]),
                "cac:OrderLine[1]/cac:LineItem/cbc:Quantity",
            ),
            (
                ubl_order(lines=[(sellers_item("4006381333931"), "2.5")]),
                "cac:OrderLine[1]/cac:LineItem/cbc:Quantity",
            ),
            (
                ubl_order().replace(b"<cbc:CityName>Berlin</cbc:CityName>", b""),
                "cac:Delivery/cac:DeliveryLocation/cac:Address/cbc:CityName",
            ),
            (
                ubl_order().replace(b">DE<", b">ZZ<"),
                "cac:Delivery/cac:DeliveryLocation/cac:Address/"
                "cac:Country/cbc:IdentificationCode",
            ),
            (
                ubl_order(lines=[("", "1")]),
                "cac:OrderLine[1]/cac:LineItem"
                "/cac:Item/cac:StandardItemIdentification/cbc:ID",
            ),
        ]
        for xml, field in cases:
            with self.subTest(field=field):
                response = self.api(
                    "POST", "order", key=self.key_a, data=xml, headers=XML
                )
                self.assert_error(response, 400, "validation_error")
                self.assertEqual(
                    response.json()["error"]["details"][0]["field"],
                    field,
                    response.text,
                )
        self.assertEqual(self._order_count(), before)

    def test_hostile_or_wrong_xml_is_refused(self):
        before = self._order_count()
        laughs = (
            b'<?xml version="1.0"?><!DOCTYPE Order [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        )
        xxe = b'<!DOCTYPE Order [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        order = ubl_order().split(b"?>", 1)[1]
        invoice = (
            order.replace(b"<Order ", b"<Invoice ")
            .replace(b"</Order>", b"</Invoice>")
            .replace(b"xsd:Order-2", b"xsd:Invoice-2")
        )
        cases = {
            "billion laughs": laughs + order.replace(b"Ring twice", b"&c;"),
            "external entity": xxe + order.replace(b"Ring twice", b"&x;"),
            # no "<!DOCTYPE" among the bytes: refused once parsed
            "doctype in UTF-16": (
                '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE Order>'
                + order.decode()
            ).encode("utf-16"),
            "not well-formed": order[:-3],
            "empty": b"",
            "an Invoice": invoice,
            "too large": order.replace(b"Ring twice", b"x" * (1024 * 1024)),
        }
        for name, xml in cases.items():
            with self.subTest(name):
                response = self.api(
                    "POST",
                    "order",
                    key=self.key_a,
                    data=xml,
                    headers={"Content-Type": "text/xml; charset=utf-8"},
                )
                self.assert_error(response, 400, "validation_error")
                self.assertEqual(
                    response.json()["error"]["details"][0]["field"],
                    "body",
                    response.text,
                )
        self.assertIn(
            "UBL 2.1 Order",
            self.api("POST", "order", key=self.key_a, data=invoice, headers=XML).json()[
                "error"
            ]["message"],
        )
        # any other content type: today's answer
        other = self.api(
            "POST",
            "order",
            key=self.key_a,
            data=ubl_order(),
            headers={"Content-Type": "text/plain"},
        )
        self.assert_error(other, 400, "validation_error")
        self.assertIn("must be JSON", other.json()["error"]["message"])
        self.assertEqual(self._order_count(), before)
