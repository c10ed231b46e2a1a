# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``GET order/document`` in a server-wide render slot, and kept in the
shared document cache: served again without rendering while nothing it
shows changed, even with every render slot taken."""

import base64
import datetime
from unittest.mock import patch

import psycopg2

from odoo import fields
from odoo.tests import tagged
from odoo.tools import config

from odoo.addons.partner_order_api.models import (
    partner_order_api_document_cache as cache_module,
)

from .common_documents import DocumentsCase


@tagged("post_install", "-at_install")
class TestApiDocumentsCache(DocumentsCase):
    # ------------------------------------------------------------------
    # Render slots and the document cache
    # ------------------------------------------------------------------

    def test_no_render_slot_free_answers_503_busy_and_renders_nothing(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "partner_order_api.pdf_render_slots", "2"
        )
        held = self._hold_render_slots()
        self.assertEqual(len(held), 2)
        attachments = self.env["ir.attachment"].search_count([])
        response = self._document("order")
        self.assert_error(response, 503, "busy")
        self.assertEqual(response.headers["Retry-After"], "3")
        self.assertIn("retry", response.json()["error"]["message"])
        self.assertFalse(self.assets.paths)  # wkhtmltopdf did not run
        self.assertEqual(self._cached(), [])
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        # one slot free again (the other still held): the PDF is rendered
        held[0].release()
        response = self._document("order")
        self.assert_pdf(response, f"{self.order.name}.pdf")
        self.assertTrue(self.assets.paths)
        self.assertEqual(
            [content for __, content in self._cached()], [response.content]
        )

    def test_an_unchanged_document_is_served_again_without_rendering(self):
        first = self._document("order")
        self.assert_pdf(first, f"{self.order.name}.pdf")
        ((key, content),) = self._cached()
        self.assertEqual(content, first.content)
        # the API answers what the cache holds: a marker put there instead
        marker = b"%PDF-1.4\n% the cached confirmation\n%%EOF\n"
        self._cache_sql(
            "UPDATE partner_order_api_document_cache SET content = %(content)s"
            " WHERE key = %(key)s RETURNING id",
            {"key": key, "content": psycopg2.Binary(base64.b64encode(marker))},
        )
        self.assets.paths.clear()
        again = self._document("order")
        self.assert_pdf(again, f"{self.order.name}.pdf")
        self.assertEqual(again.content, marker)
        self.assertFalse(self.assets.paths)  # nothing rendered
        # the order changes (its object's updated_at moves): rendered anew
        self.order.order_api_note = "Leave it at the back door."
        fresh = self._document("order")
        self.assert_pdf(fresh, f"{self.order.name}.pdf")
        self.assertNotEqual(fresh.content, marker)
        self.assertTrue(self.assets.paths)
        self.assertEqual(len(self._cached()), 2)

    def test_a_delivery_slip_and_an_invoice_are_kept_too_each_under_its_own_key(self):
        picking, __ = self._ship_partially()
        # (an invoice posted moves the order's updated_at, part of every key)
        invoice = self._invoice()
        slip = self._document("delivery_slip")
        self.assert_pdf(slip, picking.name.replace("/", "_") + ".pdf")
        rendered = self._document("invoice")
        self.assert_pdf(rendered, invoice.name.replace("/", "_") + ".pdf")
        cached = dict(self._cached())
        self.assertEqual(
            sorted(cached.values()), sorted([slip.content, rendered.content])
        )
        # served again from the cache, with every render slot taken
        self._hold_render_slots()
        self.assertEqual(self._document("delivery_slip").content, slip.content)
        self.assertEqual(self._document("invoice").content, rendered.content)
        # the invoice changes (a later transaction: a later write_date; in
        # this test's one transaction, moved by hand): its PDF must be
        # rendered again, and cannot be now
        invoice.ref = "PO-4711"
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move SET write_date = write_date + interval '1 second'"
            " WHERE id = %s",
            [invoice.id],
        )
        self.assert_error(self._document("invoice"), 503, "busy")

    def test_a_cached_document_is_served_while_every_render_slot_is_taken(self):
        first = self._document("order")
        self.assert_pdf(first, f"{self.order.name}.pdf")
        self._hold_render_slots()
        self.assets.paths.clear()
        again = self._document("order")
        self.assert_pdf(again, f"{self.order.name}.pdf")
        self.assertEqual(again.content, first.content)
        self.assertFalse(self.assets.paths)
        # another order's confirmation is not in the cache: it waits
        other = self.create_order_orm(
            self.partner_a, self.user_a, [(self.product_a, 1)]
        )
        self.assert_error(self._document("order", order=other), 503, "busy")

    def test_the_invoice_accounting_sent_needs_no_render_slot(self):
        invoice = self._invoice()
        legal = b"%PDF-1.4\n% the invoice accounting sent\n%%EOF\n"
        invoice.invoice_pdf_report_file = base64.b64encode(legal)
        self._hold_render_slots()
        response = self._document("invoice")
        self.assert_pdf(response, invoice.name.replace("/", "_") + ".pdf")
        self.assertEqual(response.content, legal)
        self.assertEqual(self._cached(), [])  # kept by accounting, not here

    def test_render_slots_default_to_fewer_than_the_http_workers(self):
        document = self.env["partner.order.api.document"]
        param = "partner_order_api.pdf_render_slots"
        for workers, setting, expected in (
            (0, False, 2),  # threaded
            (2, False, 1),
            (5, False, 4),
            (5, "3", 3),
            (5, "0", 4),
            (5, "many", 4),
        ):
            self.env["ir.config_parameter"].sudo().set_param(param, setting)
            with patch.dict(config.options, {"workers": workers}):
                self.assertEqual(document._render_slots(), expected, (workers, setting))

    def test_the_autovacuum_keeps_the_newest_rows_of_the_last_days(self):
        Cache = self.env["partner.order.api.document.cache"]
        now = fields.Datetime.now()
        old = Cache.create(
            {"key": "old", "created_at": now - datetime.timedelta(days=8)}
        )
        # newer than any row this database kept (an hour ahead): the newest
        newest = now + datetime.timedelta(hours=1)
        recent = Cache.create(
            [
                {"key": f"k{i}", "created_at": newest - datetime.timedelta(seconds=i)}
                for i in range(cache_module.MAX_ROWS + 2)
            ]
        )
        Cache._gc_documents()
        self.assertFalse(old.exists())
        self.assertEqual(recent.exists(), recent[: cache_module.MAX_ROWS])

    def test_the_cache_key_follows_what_the_pdf_shows(self):
        document = self.env["partner.order.api.document"]
        order = self.order.sudo()
        ref = "sale.action_report_saleorder"

        def key():
            self.env.cr.flush()  # as a commit would: updated_at settled
            return document._cache_key(ref, order, order)

        keys = [key()]
        self.assertEqual(key(), keys[0])  # stable
        # the caller's language
        self.env["res.lang"]._activate_lang("fr_FR")
        self.assertNotEqual(
            document.with_context(lang="fr_FR")._cache_key(ref, order, order), keys[0]
        )
        # the report
        picking_ref = "stock.action_report_delivery"
        self.assertNotEqual(document._cache_key(picking_ref, order, order), keys[0])
        # the customer's language
        self.env.cr.execute(
            "UPDATE res_partner SET lang = 'xx_XX' WHERE id = %s", [order.partner_id.id]
        )
        keys.append(key())
        # the order object (updated_at)
        self.order.order_api_note = "Ring twice."
        keys.append(key())
        # the shared data it names: a product's name, written, then imported
        # in French by raw SQL (no write date moves), a unit's name
        self.product_a.name = "Sensor, renamed"
        keys.append(key())
        self.env.cr.execute(
            'UPDATE product_template SET name = name || \'{"fr_FR": "Capteur"}\''
            " WHERE id = %s",
            [self.product_a.product_tmpl_id.id],
        )
        keys.append(key())
        self.env.cr.execute(
            'UPDATE uom_uom SET name = name || \'{"fr_FR": "Pièces"}\' WHERE id = %s',
            [self.product_a.uom_id.id],
        )
        keys.append(key())
        # the company (its address, its layout), the customer's address
        for table, record in (
            ("res_company", order.company_id),
            ("res_partner", order.partner_id),
            ("sale_order", order),
        ):
            self.env.cr.execute(
                f"UPDATE {table} SET write_date = write_date + interval '1 second'"
                " WHERE id = %s",
                [record.id],
            )
            keys.append(key())
        self.assertEqual(len(set(keys)), len(keys), keys)
