# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

from .res_partner import SALES, check_groupby_access


class ProductProduct(models.Model):
    _inherit = "product.product"

    order_api_partner_ids = fields.Many2many(
        comodel_name="res.partner",
        relation="res_partner_order_api_product_rel",
        column1="product_id",
        column2="partner_id",
        string="Allowed for API Partners",
        help="Partners that may order this product through the Partner Order API.",
        copy=False,
        groups=SALES,
    )
    # The price the API shows to one partner: set ``order_api_partner_id`` in
    # the context (the partner form's "Order API" tab does).
    order_api_partner_price = fields.Monetary(
        string="Partner Price",
        compute="_compute_order_api_partner_price",
        currency_field="order_api_partner_currency_id",
        help="Unit price (tax excluded) that the Partner Order API shows to this "
        "partner: its pricelist's price for quantity 1.",
    )
    order_api_partner_currency_id = fields.Many2one(
        "res.currency", compute="_compute_order_api_partner_price"
    )

    def _read_group_groupby(self, groupby_spec, query):
        # which partners may order a product is for salespeople (SALES)
        check_groupby_access(self, groupby_spec)
        return super()._read_group_groupby(groupby_spec, query)

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("order_api_partner_ids") for vals in vals_list):
            self.env["res.partner"]._order_api_check_can_configure()
            # whether the partners have allowed products (see res.partner's
            # write)
            self.env["partner.order.api.caller"]._forget()
        return super().create(vals_list)

    def write(self, vals):
        # the same relation as res.partner.order_api_product_ids: the same
        # managers decide which partner may order what
        if "order_api_partner_ids" in vals:
            self.env["res.partner"]._order_api_check_can_configure()
            self.env["partner.order.api.caller"]._forget()
        return super().write(vals)

    @api.depends_context("order_api_partner_id", "company")
    def _compute_order_api_partner_price(self):
        # the partner comes from the context, which is client input on RPC
        # routes: only salespeople get another partner's prices
        partner = self.env["res.partner"]
        if self.env.su or self.env.user.has_group("sales_team.group_sale_salesman"):
            partner = partner.browse(self.env.context.get("order_api_partner_id"))
        partner = partner.exists().sudo().commercial_partner_id
        pricelist = partner.property_product_pricelist
        currency = pricelist.currency_id or self.env.company.currency_id
        products = self.filtered("id")
        if partner and pricelist and products:
            prices = pricelist._get_products_price(products, 1.0, currency=currency)
        else:
            prices = {product.id: product.lst_price for product in products}
        products_uc = self.env["partner.order.api.products"]
        for product in self:
            product.order_api_partner_currency_id = currency
            price = prices.get(product.id, product.lst_price)
            product.order_api_partner_price = (
                products_uc._price_tax_excluded(product, price, currency, partner)
                if partner
                else price
            )
