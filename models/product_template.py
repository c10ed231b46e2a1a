# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from .res_partner import SALES


class ProductTemplate(models.Model):
    _inherit = "product.template"

    order_api_partner_ids = fields.Many2many(
        comodel_name="res.partner",
        string="Allowed for API Partners",
        compute="_compute_order_api_partner_ids",
        search="_search_order_api_partner_ids",
        help="Partners that may order a variant of this product through the "
        "Partner Order API.",
        groups=SALES,
    )

    def _compute_order_api_partner_ids(self):
        for template in self:
            template.order_api_partner_ids = template.with_context(
                active_test=False
            ).product_variant_ids.order_api_partner_ids

    def _search_order_api_partner_ids(self, operator, value):
        return [("product_variant_ids.order_api_partner_ids", operator, value)]
