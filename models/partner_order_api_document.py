# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``GET order/document``: the PDFs of a partner's order (and the UBL
DespatchAdvice of a delivery: ``partner_order_api_despatch.py``).

wkhtmltopdf fetches a report's assets over HTTP from this very server while
a worker renders: with every HTTP worker rendering, none is left to answer
it, and the server freezes until Odoo kills the workers. So:

- a PDF is rendered only inside a **render slot**, one of
  ``partner_order_api.pdf_render_slots`` (default: one fewer than the HTTP
  workers) held server-wide, across workers and servers, as a PostgreSQL
  advisory lock (``lib/pg_slots.py``: ``slot``); when none is free the
  answer is 503 ``busy`` with ``Retry-After``, at once;
- a PDF once rendered is kept in ``partner.order.api.document.cache``, keyed
  by everything it shows may change with, and served again without
  rendering (and without a slot);
- an invoice accounting already sent (``invoice_pdf_report_id``) is served
  as it was sent: no render, no slot, no cache.
"""

import datetime
import hashlib
import logging
import re

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL, config

from ..lib import errors, log_filters
from ..lib.pg_slots import slot

_logger = logging.getLogger(__name__)

RENDER_SLOTS_PARAM = "partner_order_api.pdf_render_slots"
# a render takes about a second: a client retrying after this finds a slot
BUSY_RETRY_AFTER = 3

# what a document's PDF may change with, read in one statement (besides the
# report and the language): the record, its order and the order's object
# marker, the company (its layout and address), the addresses shown, the
# report and the report templates, the shared data it names (``_SHARED``)
_CACHE_KEY_QUERY = """
SELECT rec.write_date, so.write_date, so.order_api_updated_at,
       company.id, company.write_date, partner.lang,
       (SELECT MAX(p.write_date) FROM res_partner p
         WHERE p.id IN (rec.partner_id, partner.commercial_partner_id,
                        so.partner_id, so.partner_invoice_id, so.partner_shipping_id)),
       (SELECT write_date FROM ir_act_report_xml WHERE id = %s),
       (SELECT MAX(write_date) FROM ir_ui_view WHERE type = 'qweb'),
       (%s)
  FROM %s rec
  JOIN sale_order so ON so.id = %s
  LEFT JOIN res_company company ON company.id = rec.company_id
  LEFT JOIN res_partner partner ON partner.id = rec.partner_id
 WHERE rec.id = %s
"""
# The shared data a document names, as one fingerprint: its products (their
# variant names are made of their template's name, translations included,
# and their attribute values, in their order; their codes), every unit,
# carrier, currency and country (few rows, read whole). Raw SQL writes
# (a translation import) are seen: the translations are compared, not only
# write dates. Parameters: the table of the document's lines, its column
# naming the document, the document's id.
_SHARED = """
SELECT md5(string_agg(part, ',' ORDER BY part)) FROM (
    SELECT concat_ws('|', 'p', pp.id, pp.write_date, pp.default_code, pp.barcode,
                     pp.combination_indices, pp.active, tmpl.write_date,
                     tmpl.name::text) AS part
      FROM product_product pp
      JOIN product_template tmpl ON tmpl.id = pp.product_tmpl_id
     WHERE pp.id IN (SELECT product_id FROM %(lines)s WHERE %(document)s = %(id)s)
    UNION ALL
    SELECT concat_ws('|', 'v', ptav.id, ptav.ptav_active, ptav.attribute_line_id,
                     ptav.write_date, pav.name::text, pav.sequence, pav.write_date,
                     attr.name::text, attr.sequence, line.sequence, line.active,
                     line.write_date)
      FROM product_template_attribute_value ptav
      JOIN product_attribute_value pav ON pav.id = ptav.product_attribute_value_id
      JOIN product_attribute attr ON attr.id = ptav.attribute_id
      JOIN product_template_attribute_line line ON line.id = ptav.attribute_line_id
     WHERE ptav.product_tmpl_id IN (
               SELECT pp.product_tmpl_id FROM product_product pp
                WHERE pp.id IN (SELECT product_id FROM %(lines)s
                                 WHERE %(document)s = %(id)s))
    UNION ALL
    SELECT concat_ws('|', 'u', id, write_date, name::text, rounding) FROM uom_uom
    UNION ALL
    SELECT concat_ws('|', 'c', id, write_date, name::text) FROM delivery_carrier
    UNION ALL
    SELECT concat_ws('|', 'm', id, write_date, name, symbol, rounding, position)
      FROM res_currency
    UNION ALL
    SELECT concat_ws('|', 'k', id, write_date, code, name::text) FROM res_country
) parts
"""
# the lines of each kind of document: (table, column naming the document)
_LINES = {
    "stock.picking": ("stock_move", "picking_id"),
    "account.move": ("account_move_line", "move_id"),
    "sale.order": ("sale_order_line", "order_id"),
}


class PartnerOrderApiDocument(models.AbstractModel):
    _name = "partner.order.api.document"
    _description = "Partner Order API: order documents (PDF)"

    def _register_hook(self):
        """Odoo's warning for wkhtmltopdf's known notices is logged at INFO
        while the API renders (``lib/log_filters.py``)."""
        super()._register_hook()
        log_filters.install(
            "odoo.addons.base.models.ir_actions_report",
            log_filters.KnownNoticesFilter(),
        )

    def _get_order_document(
        self, identified_by, order_id, doc_type, selector=None, xml_format=None
    ):
        """``(bytes, file name)`` of a document of the partner's order
        (found as ``order_status`` finds it: the reader's ``_find``):
        ``invoice`` (a posted invoice or credit note: ``selector`` its
        number, else the latest), ``delivery_slip`` (a done outgoing
        delivery: ``selector`` its name, else the latest),
        ``despatch_advice`` (the same delivery as a UBL DespatchAdvice, a
        ``.xml`` file) or ``order`` (the confirmation); ``invoice_xml``: the
        invoice's e-invoice in ``xml_format``
        (``partner_order_api_document_xml.py``). NotFound when the order has
        no such document. Rendered by Odoo's own reports, elevated: the order was
        checked to be the partner's, and the documents are the customer's."""
        caller = self.env["partner.order.api.caller"]
        caller._partner_sudo()  # enabled?
        order_sudo = self.env["partner.order.api.order.reader"]._find(
            caller._partner_id(), identified_by, order_id
        )
        if doc_type == "invoice_xml":
            return self._invoice_xml(order_sudo, selector, xml_format)
        if doc_type == "invoice":
            invoice_sudo = self._order_invoice_sudo(order_sudo, selector)
            legal_pdf = invoice_sudo.invoice_pdf_report_id
            if legal_pdf:
                # the PDF accounting sent to the customer, as the portal serves it
                return legal_pdf.raw, _file_name(invoice_sudo.name)
            return (
                self._pdf("account.account_invoices", invoice_sudo, order_sudo),
                _file_name(invoice_sudo.name),
            )
        if doc_type == "despatch_advice":  # partner_order_api_despatch.py
            picking_sudo = self._order_delivery_sudo(order_sudo, selector)
            return (
                self._despatch_advice(order_sudo, picking_sudo),
                _file_name(picking_sudo.name, ".xml"),
            )
        if doc_type == "delivery_slip":
            picking_sudo = self._order_delivery_sudo(order_sudo, selector)
            return (
                self._pdf("stock.action_report_delivery", picking_sudo, order_sudo),
                _file_name(picking_sudo.name),
            )
        return (
            self._pdf("sale.action_report_saleorder", order_sudo, order_sudo),
            _file_name(order_sudo.name),
        )

    def _order_invoice_sudo(self, order_sudo, number=None):
        """The order's posted invoice or credit note numbered ``number``, or
        without a number the latest (by invoice date, then id)."""
        invoices = order_sudo.invoice_ids.filtered(
            lambda move: (
                move.state == "posted"
                and move.move_type in ("out_invoice", "out_refund")
            )
        )
        if number is not None:
            invoices = invoices.filtered(lambda move: move.name == number)
            if not invoices:
                raise errors.NotFound(
                    f"Order {order_sudo.name} has no posted invoice {number!r}."
                )
        if not invoices:
            raise errors.NotFound(f"Order {order_sudo.name} has no posted invoice.")
        return invoices.sorted(
            lambda move: (move.invoice_date or datetime.date.min, move.id)
        )[-1]

    def _order_delivery_sudo(self, order_sudo, name=None):
        """The order's done outgoing delivery named ``name``, or without a
        name the latest done one (the deliveries of the order object:
        ``picking.sale_id``)."""
        domain = [
            ("sale_id", "=", order_sudo.id),
            ("picking_type_code", "=", "outgoing"),
            ("state", "=", "done"),
        ]
        if name is not None:
            domain.append(("name", "=", name))
        picking = (
            self.env["stock.picking"]
            .sudo()
            .search(domain, order="date_done DESC, id DESC", limit=1)
        )
        if not picking:
            raise errors.NotFound(
                f"Order {order_sudo.name} has no done delivery"
                + (f" {name!r}." if name is not None else ".")
            )
        return picking

    # ------------------------------------------------------------------
    # cached, or rendered in a slot
    # ------------------------------------------------------------------

    def _pdf(self, report_ref, record_sudo, order_sudo):
        """The PDF of ``report_ref`` for ``record_sudo`` (a document of
        ``order_sudo``): the cached one when the document did not change
        since it was rendered; otherwise rendered now, in a render slot
        (503 ``busy`` when none is free), and kept for the next time."""
        return self._rendered(
            self._cache_key(report_ref, record_sudo, order_sudo),
            lambda: self._render_pdf(report_ref, record_sudo),
            check=lambda: self._check_wkhtmltopdf(report_ref),
        )

    def _rendered(self, key, render, check=None):
        """The document cached for ``key``, or else ``render()``'s, made
        now in a render slot (503 ``busy`` when none is free; ``check()``
        first, before a slot is taken for nothing) and kept for the next
        time: PDFs and generated e-invoices alike."""
        Cache = self.env["partner.order.api.document.cache"]
        content = Cache._lookup(key)
        if content is not None:
            return content
        if check is not None:
            check()
        with slot(self.env.cr.dbname, "pdf_render", 0, self._render_slots()) as taken:
            if not taken:
                raise errors.Busy(BUSY_RETRY_AFTER)
            content = render()
        Cache._store(key, content)
        return content

    def _cache_key(self, report_ref, record_sudo, order_sudo, extra=()):
        """SHA-256 of what the PDF of ``report_ref`` for ``record_sudo`` may
        change with (``_CACHE_KEY_QUERY``, the report, the language, and
        ``extra``), read in the request's snapshot with the record: a cached
        PDF is never older than what the request sees. ``report_ref`` that
        names no report (an e-invoice's builder) reads no report."""
        report = self.env.ref(report_ref, raise_if_not_found=False)
        self.env.flush_all()  # read in SQL: nothing pending left out
        lines, document = _LINES[record_sudo._name]
        shared = SQL(
            _SHARED,
            lines=SQL.identifier(lines),
            document=SQL.identifier(document),
            id=record_sudo.id,
        )
        self.env.cr.execute(
            SQL(
                _CACHE_KEY_QUERY,
                report.id if report else None,
                shared,
                SQL.identifier(record_sudo._table),
                order_sudo.id,
                record_sudo.id,
            )
        )
        row = self.env.cr.fetchone()
        parts = (
            report_ref,
            record_sudo._name,
            record_sudo.id,
            self.env.lang,
            *row,
            *extra,
        )
        return hashlib.sha256("\x1f".join(map(repr, parts)).encode("utf-8")).hexdigest()

    def _render_slots(self):
        """How many PDFs may be rendered at once, server-wide: the system
        parameter ``partner_order_api.pdf_render_slots`` when it is a
        positive integer, else one fewer than the HTTP workers (so that one
        is always left to serve wkhtmltopdf the report's assets), or 2 when
        Odoo runs threaded (``workers`` = 0)."""
        value = self.env["ir.config_parameter"].sudo().get_param(RENDER_SLOTS_PARAM)
        try:
            count = int(value or 0)
        except ValueError:
            count = 0
        if count > 0:
            return count
        workers = config["workers"]
        return max(1, workers - 1) if workers else 2

    def _report(self, record_sudo):
        return (
            self.env["ir.actions.report"]
            .sudo()
            .with_company(record_sudo.company_id)
            .with_context(force_report_rendering=True)
        )

    def _check_wkhtmltopdf(self, report_ref):
        """DocumentUnavailable when wkhtmltopdf cannot render here (before a
        slot is taken for nothing)."""
        state = self.env["ir.actions.report"].get_wkhtmltopdf_state()
        if state in _WKHTMLTOPDF_UNUSABLE:
            _logger.warning(
                "Partner Order API: cannot render %s: %s",
                report_ref,
                _WKHTMLTOPDF_UNUSABLE[state],
            )
            raise errors.DocumentUnavailable(
                "PDF documents cannot be rendered on this server right now "
                "(wkhtmltopdf is not available); retry later or ask the seller."
            )

    def _render_pdf(self, report_ref, record_sudo):
        """The PDF of ``report_ref`` for ``record_sudo``, rendered now, in
        the record's company. Always a real PDF: Odoo's test mode would
        answer HTML (``force_report_rendering``). These reports save no
        attachment, so rendering writes nothing (the route is read-only).
        DocumentUnavailable when wkhtmltopdf fails."""
        try:
            with log_filters.rendering():
                content, report_type = self._report(record_sudo)._render_qweb_pdf(
                    report_ref, record_sudo.ids
                )
        except UserError as exc:
            _logger.warning(
                "Partner Order API: rendering %s of %s failed: %s",
                report_ref,
                record_sudo,
                exc,
            )
            raise errors.DocumentUnavailable(
                "The PDF could not be rendered right now; retry later or ask the "
                "seller."
            ) from exc
        if report_type != "pdf" or not content.startswith(b"%PDF-"):
            _logger.error(
                "Partner Order API: %s of %s was not rendered as a PDF (%s)",
                report_ref,
                record_sudo,
                report_type,
            )
            raise errors.InternalError("The document was not rendered as a PDF.")
        return content


# ir.actions.report.get_wkhtmltopdf_state() values that rule out a PDF, with
# what the administrator should do
_WKHTMLTOPDF_UNUSABLE = {
    "install": "wkhtmltopdf is not installed (Debian: apt-get install "
    "wkhtmltopdf; then restart Odoo)",
    "broken": "wkhtmltopdf does not answer (reinstall it; then restart Odoo)",
    # a single worker would wait for itself: wkhtmltopdf fetches the report's
    # assets from this server while the worker renders
    "workers": "Odoo runs with a single worker: start it with --workers=2 or more",
}


def _file_name(name, suffix=".pdf"):
    """``INV/2026/00042`` -> ``INV_2026_00042.pdf``: ASCII letters, digits,
    ``.``, ``_`` and ``-`` only, so that it is safe in any header."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name or "document").strip("_") + suffix
