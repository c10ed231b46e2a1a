# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Odoo's return wizard (``stock.return.picking``) on an API order: a
return made in the back office records ``order.return_requested`` in the
outbox, as ``POST order/return`` does (which runs this wizard too,
``partner_order_api_orders_return.py``, and records its event itself once
the return's lots and reason are set: context ``order_api_return``)."""

from odoo import models


class StockReturnPicking(models.TransientModel):
    _inherit = "stock.return.picking"

    def _create_return(self):
        new_picking = super()._create_return()
        if (
            not self.env.context.get("order_api_return")
            and new_picking._order_api_is_return()
            and new_picking.sale_id.order_api_partner_id
        ):
            self.env["partner.order.api.webhook.event"]._record_order_events(
                [(new_picking.sale_id, new_picking)], "order.return_requested"
            )
        return new_picking
