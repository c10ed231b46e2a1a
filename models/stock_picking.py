# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        res = super()._action_done()
        # In the validation's own transaction: the outbox row commits or rolls
        # back with it. Sending happens later, in the webhook cron.
        self.env["partner.order.api.webhook.event"]._record_order_events(self)
        return res
