# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class StockLot(models.Model):
    _inherit = "stock.lot"

    kit_barcode = fields.Char(
        help="Barcode printed on a test kit. The Partner Order API shows it in "
        "sent_lots in place of the lot name; changing it updates the orders "
        "that shipped the lot.",
        index="btree_not_null",
        copy=False,
    )
