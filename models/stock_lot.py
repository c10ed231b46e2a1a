# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models
from odoo.tools import SQL


class StockLot(models.Model):
    _inherit = "stock.lot"

    kit_barcode = fields.Char(
        help="Barcode printed on a test kit. The Partner Order API shows it in "
        "sent_lots in place of the lot name.",
        index="btree_not_null",
        copy=False,
    )

    def write(self, vals):
        res = super().write(vals)
        if {"kit_barcode", "name"}.intersection(vals):
            # the orders that shipped these lots show their label: found as
            # the order object reads its lots (``sent_lots``, ``deliveries``),
            # through the done move lines of the order's transfers, whether
            # their moves have a sale line or not
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    """
                    SELECT DISTINCT picking.sale_id
                      FROM stock_move_line sml
                      JOIN stock_picking picking ON picking.id = sml.picking_id
                     WHERE sml.lot_id = ANY(%s) AND sml.state = 'done'
                       AND picking.sale_id IS NOT NULL
                    """,
                    self.ids,
                )
            )
            order_ids = [row[0] for row in self.env.cr.fetchall()]
            self.env["sale.order"].browse(order_ids)._order_api_touch()
        return res
