# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The order object's ``invoices``: what the reader
(``partner.order.api.order.reader``, ``order_reader.py``) reads of the
posted invoices and credit notes of the orders, in one query."""

from odoo import api, models


class PartnerOrderApiOrderReader(models.AbstractModel):
    _inherit = "partner.order.api.order.reader"

    @api.model
    def _invoices(self, orders):
        """{order id: [rows]}: the posted customer invoices and credit notes
        of ``orders`` (their ``invoice_ids``: the moves of their lines'
        invoice lines), oldest first, in one query."""
        if not orders:
            return {}
        invoices = {}
        for row in self._query(_INVOICES, list(orders.ids)):
            invoices.setdefault(row["order_id"], []).append(row)
        return invoices


# _invoices: the posted invoices of the orders (ids), with what decides
# their e-invoice formats (lib/einvoice.py): the buyer's country and its
# eInvoice format in the invoice's company (a company-dependent field)
_INVOICES = """
    SELECT DISTINCT sol.order_id, move.id, move.name, move.move_type,
           move.state, move.payment_state, move.invoice_date,
           move.invoice_date_due, move.amount_total,
           move.amount_residual, currency.name AS currency,
           currency.rounding, buyer_country.code AS buyer_country_code,
           buyer.invoice_edi_format_store ->> move.company_id::text
               AS buyer_edi_format
      FROM sale_order_line sol
      JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
      JOIN account_move_line aml ON aml.id = rel.invoice_line_id
      JOIN account_move move ON move.id = aml.move_id
 LEFT JOIN res_currency currency ON currency.id = move.currency_id
 LEFT JOIN res_partner buyer ON buyer.id = move.commercial_partner_id
 LEFT JOIN res_country buyer_country ON buyer_country.id = buyer.country_id
     WHERE sol.order_id = ANY(%s)
       AND move.move_type IN ('out_invoice', 'out_refund')
       AND move.state = 'posted'
  ORDER BY sol.order_id, move.invoice_date, move.id
"""
