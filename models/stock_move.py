# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _should_assign_at_confirm(self):
        # API orders are confirmed without reserving stock: simultaneous orders
        # of one product would all update the same stock.quant row and fail
        # with serialization errors. The pickings are reserved right after the
        # order commits, by the reservation cron (stock.picking).
        if self.env.context.get("order_api_defer_reservation"):
            return self._should_bypass_reservation()
        return super()._should_assign_at_confirm()
