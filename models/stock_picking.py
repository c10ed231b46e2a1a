# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        res = super()._action_done()
        done = self.filtered(lambda picking: picking.state == "done" and picking.sale_id)
        # deliveries and returns change what the API shows of the order
        done.sale_id._order_api_touch()
        # In the validation's own transaction: the outbox rows commit or roll
        # back with it. Sending happens later, in the webhook cron.
        self.env["partner.order.api.webhook.event"]._record_order_events(
            [
                (picking.sale_id, picking)
                for picking in done
                if picking.picking_type_code == "outgoing" and picking.sale_id.order_api_partner_id
            ]
        )
        return res

    def write(self, vals):
        res = super().write(vals)
        if {"carrier_tracking_ref", "carrier_id"}.intersection(vals):
            # the tracking of the order object
            self.filtered(lambda picking: picking.state == "done").sale_id._order_api_touch()
        return res
