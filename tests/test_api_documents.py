# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``GET order/document``: real PDFs rendered by wkhtmltopdf (the order
confirmation, delivery slips, invoices), who may download which, and the
answers when it cannot (``test_api_documents_cache.py``: render slots and
the shared document cache)."""

import base64
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from odoo.addons.base.models import ir_actions_report

from .common_documents import DocumentsCase


@tagged("post_install", "-at_install")
class TestApiDocuments(DocumentsCase):
    # ------------------------------------------------------------------
    # GET order/document
    # ------------------------------------------------------------------

    def test_a_selector_of_another_type_is_ignored(self):
        response = self._document("order", invoice_number="INV/1999/00001")
        self.assert_pdf(response, f"{self.order.name}.pdf")
        self._ship_partially()
        response = self._document("delivery_slip", invoice_number="INV/1999/00001")
        self.assert_pdf(response, self.first.name.replace("/", "_") + ".pdf")

    def test_order_confirmation_pdf(self):
        attachments = self.env["ir.attachment"].search_count([])
        response = self._document("order")
        self.assert_pdf(response, f"{self.order.name}.pdf")
        # wkhtmltopdf really ran, and asked report.url for the report's assets
        self.assertTrue(self.assets.paths)
        # the route is read-only: rendering wrote nothing (no attachment saved)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        # by the partner's own order id too
        self.order.order_api_external_id = "EXT-DOC-1"
        response = self.api(
            "GET",
            "order/document",
            key=self.key_a,
            params={
                "identifiedBy": "external",
                "order_id": "EXT-DOC-1",
                "type": "order",
            },
        )
        self.assert_pdf(response, f"{self.order.name}.pdf")

    def test_delivery_slip_pdf(self):
        # nothing done yet: no delivery slip
        response = self._document("delivery_slip")
        self.assert_error(response, 404, "not_found")
        first, backorder = self._ship_partially()
        self.assert_pdf(
            self._document("delivery_slip"), first.name.replace("/", "_") + ".pdf"
        )
        self.assert_pdf(
            self._document("delivery_slip", delivery_order_name=first.name),
            first.name.replace("/", "_") + ".pdf",
        )
        # the backorder is not done, and another order's delivery is not this one's
        for name in (backorder.name, "WH/OUT/99999"):
            response = self._document("delivery_slip", delivery_order_name=name)
            self.assert_error(response, 404, "not_found")
        second = self.deliver(self.order, lots={self.lot_kit_2: 1})
        # without a name: the latest done delivery
        self.assert_pdf(
            self._document("delivery_slip"), second.name.replace("/", "_") + ".pdf"
        )

    def test_invoice_pdf(self):
        response = self._document("invoice")
        self.assert_error(response, 404, "not_found")
        self.assertIn("no posted invoice", response.json()["error"]["message"])
        self._ship_partially()
        # two invoices: the sensors first, the kits later
        first = self.order._create_invoices()
        kits = first.invoice_line_ids.filtered(lambda line: line.product_id == self.kit)
        first.write({"invoice_line_ids": [Command.delete(kits.id)]})
        first.action_post()
        draft = self._invoice(post=False)
        self.assertNotEqual(first, draft)
        self.assert_pdf(
            self._document("invoice"), first.name.replace("/", "_") + ".pdf"
        )
        # a draft is no document of the order's, an unknown number neither
        for number in (draft.name or "/", "INV/1999/00001"):
            response = self._document("invoice", invoice_number=number)
            self.assert_error(response, 404, "not_found")
        draft.action_post()
        # several: invoice_number picks one; without it, the latest
        self.assert_pdf(
            self._document("invoice", invoice_number=first.name),
            first.name.replace("/", "_") + ".pdf",
        )
        self.assert_pdf(
            self._document("invoice"), draft.name.replace("/", "_") + ".pdf"
        )
        refund = first._reverse_moves()
        refund.action_post()
        self.assert_pdf(
            self._document("invoice", invoice_number=refund.name),
            refund.name.replace("/", "_") + ".pdf",
        )

    def test_invoice_pdf_sent_by_accounting_is_answered_as_sent(self):
        invoice = self._invoice()
        legal = b"%PDF-1.4\n% the invoice accounting sent\n%%EOF\n"
        invoice.invoice_pdf_report_file = base64.b64encode(legal)
        self.assertTrue(invoice.invoice_pdf_report_id)
        response = self._document("invoice", invoice_number=invoice.name)
        self.assert_pdf(response, invoice.name.replace("/", "_") + ".pdf")
        self.assertEqual(response.content, legal)
        self.assertFalse(self.assets.paths)  # nothing rendered

    def test_another_partners_order_is_not_found(self):
        self._ship_partially()
        self._invoice()
        for doc_type in ("order", "delivery_slip", "invoice"):
            response = self._document(doc_type, key=self.key_b)
            self.assert_error(response, 404, "not_found")
            self.assertEqual(
                response.headers["Content-Type"], "application/json; charset=utf-8"
            )
        response = self.api(
            "GET",
            "order/document",
            key=self.key_a,
            params={"identifiedBy": "biomes", "order_id": "S-NONE", "type": "order"},
        )
        self.assert_error(response, 404, "not_found")

    def test_bad_parameters(self):
        base = {"identifiedBy": "biomes", "order_id": self.order.name}
        for params, field in (
            (base, "type"),
            (dict(base, type="receipt"), "type"),
            (dict(base, type="order", identifiedBy="name"), "identifiedBy"),
            ({"type": "order", "identifiedBy": "biomes"}, "order_id"),
            (dict(base, type="invoice", invoice_number=""), "invoice_number"),
        ):
            response = self.api("GET", "order/document", key=self.key_a, params=params)
            self.assert_error(response, 400, "validation_error")
            self.assertEqual(
                response.json()["error"]["details"][0]["field"], field, params
            )
        response = self.api("GET", "order/document", params=dict(base, type="order"))
        self.assert_error(response, 401, "unauthorized")
        response = self._document("order", key=self.key_off)
        self.assert_error(response, 403, "forbidden")

    def test_without_wkhtmltopdf_the_answer_is_503_json(self):
        """As when Odoo found no wkhtmltopdf binary at start-up (its
        ``wkhtmltopdf_state``, which ``get_wkhtmltopdf_state`` answers)."""
        with (
            patch.object(ir_actions_report, "wkhtmltopdf_state", "install"),
            self.assertLogs(
                "odoo.addons.partner_order_api.models.partner_order_api_document",
                "WARNING",
            ) as logs,
        ):
            response = self._document("order")
        self.assert_error(response, 503, "document_unavailable")
        self.assertIn("wkhtmltopdf", response.json()["error"]["message"])
        self.assertIn("wkhtmltopdf is not installed", logs.output[0])
        # a PDF accounting already sent needs no rendering
        invoice = self._invoice()
        invoice.invoice_pdf_report_file = base64.b64encode(b"%PDF-1.4\n%%EOF\n")
        with patch.object(ir_actions_report, "wkhtmltopdf_state", "install"):
            response = self._document("invoice")
        self.assert_pdf(response, invoice.name.replace("/", "_") + ".pdf")

    def test_read_only_key_may_download(self):
        key = self._generate_key(self.user_a, scope="partner_order_api.readonly")
        self.assert_pdf(self._document("order", key=key), f"{self.order.name}.pdf")
