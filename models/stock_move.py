# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.tools.sql import column_exists, create_column


class StockMove(models.Model):
    _inherit = "stock.move"

    order_api_ean = fields.Char(
        string="EAN as Shipped",
        compute="_compute_order_api_ean",
        store=True,
        readonly=True,
        help="The product's barcode when this move was made (or its product "
        "changed): the EAN the Partner Order API shows in the order's "
        "deliveries, as shipped, whatever the product's barcode becomes.",
    )

    def _auto_init(self):
        cr = self.env.cr
        # existing moves take their product's barcode of today in one
        # statement (Odoo would compute the new column record by record)
        if not column_exists(cr, self._table, "order_api_ean"):
            create_column(cr, self._table, "order_api_ean", "varchar")
            cr.execute(
                """
                UPDATE stock_move move SET order_api_ean = product.barcode
                  FROM product_product product
                 WHERE product.id = move.product_id AND product.barcode IS NOT NULL
                """
            )
        return super()._auto_init()

    @api.depends("product_id")
    def _compute_order_api_ean(self):
        for move in self:
            move.order_api_ean = move.product_id.barcode or False

    def _should_assign_at_confirm(self):
        # API orders are confirmed without reserving stock: simultaneous orders
        # of one product would all update the same stock.quant row and fail
        # with serialization errors. The pickings are reserved right after the
        # order commits, by the reservation cron (stock.picking).
        if self.env.context.get("order_api_defer_reservation"):
            return self._should_bypass_reservation()
        return super()._should_assign_at_confirm()
