# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # a posted customer invoice of an API order: order.invoiced, one per
        # posting and order, queued in the posting's own transaction (the
        # outbox: sent later by the webhook cron, never from here)
        invoices = posted.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "posted"
        )
        pairs = [
            (order, None)
            for invoice in invoices.sudo()
            for order in invoice.invoice_line_ids.sale_line_ids.order_id
            if order.order_api_partner_id
        ]
        self.env["partner.order.api.webhook.event"]._record_order_events(
            pairs, "order.invoiced"
        )
        return posted
