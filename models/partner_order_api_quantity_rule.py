# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The quantities a partner may order of a product: a per-partner rule the
admin sets (``partner.order.api.quantity.rule``, in the partner form's API
tab), else the smallest sales packaging of the product (Odoo's
``product.packaging`` with ``sales``). ``GET available_products`` shows
them (``min_quantity``, ``order_multiple``) and the order use cases
(``partner_order_api_orders_create.py``, ``..._orders_change.py``) refuse
what breaks them, through ``_check_order_quantities`` below."""

from odoo import api, fields, models
from odoo.tools import float_compare, float_round

from ..lib import errors

SALES = "sales_team.group_sale_salesman"


class PartnerOrderApiQuantityRule(models.Model):
    _name = "partner.order.api.quantity.rule"
    _description = "Partner Order API: quantities a partner may order of a product"
    _order = "partner_id, product_id"

    partner_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('is_company', '=', True)]",
    )
    product_id = fields.Many2one(
        "product.product",
        required=True,
        ondelete="cascade",
    )
    min_quantity = fields.Integer(
        string="Minimum Quantity",
        help="The API refuses an order line below it (400) and shows it as "
        "min_quantity in available_products. 0: no minimum.",
    )
    order_multiple = fields.Integer(
        help="The API refuses an order line that is not a multiple of it (400) "
        "and shows it as order_multiple in available_products. 0: none. This "
        "rule replaces the product's sales packaging for this partner.",
    )

    _sql_constraints = [
        (
            "partner_product_uniq",
            "unique(partner_id, product_id)",
            "One quantity rule per partner and product.",
        ),
        (
            "quantities_positive",
            "CHECK(min_quantity >= 0 AND order_multiple >= 0)",
            "The minimum quantity and the order multiple may not be negative.",
        ),
    ]


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    order_api_quantity_rule_ids = fields.One2many(
        "partner.order.api.quantity.rule",
        "partner_id",
        string="Order API Quantity Rules",
        help="Minimum quantity and order multiple per product for this partner, "
        "in place of the product's sales packaging (available_products shows "
        "them; POST order refuses what breaks them).",
        groups=SALES,
        copy=False,
    )


class PartnerOrderApiProducts(models.AbstractModel):
    _inherit = "partner.order.api.products"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _quantity_rules(self, partner_sudo, products):
        """{product id: (min_quantity or None, order_multiple or None)} of
        ``products`` for ``partner_sudo``: its rule for the product when the
        admin set one (it wins entirely), else the smallest sales packaging
        of the product in the API company (its quantity is the multiple, no
        minimum), else ``(None, None)``. Two searches for all products."""
        rules = (
            self.env["partner.order.api.quantity.rule"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner_sudo.id),
                    ("product_id", "in", products.ids),
                ]
            )
        )
        result = dict.fromkeys(products.ids, (None, None))
        packagings = (
            self.env["product.packaging"]
            .sudo()
            .search(
                [
                    ("product_id", "in", products.ids),
                    ("sales", "=", True),
                    ("qty", ">", 0),
                    ("company_id", "in", (self.env.company.id, False)),
                ],
                order="qty desc, id desc",
            )
        )
        for packaging in packagings:  # the smallest comes last and stays
            result[packaging.product_id.id] = (None, packaging.qty)
        for rule in rules:
            result[rule.product_id.id] = (
                rule.min_quantity or None,
                rule.order_multiple or None,
            )
        return result

    @api.model
    def _check_order_quantities(self, partner_sudo, checks):
        """400 ``validation_error`` when a quantity breaks its product's
        rule (``_quantity_rules``): ``checks`` is ``[(field, product,
        amount)]``, ``field`` naming the line in the request
        (``lines[0].amount``). Every broken line is named in the details;
        nothing is written before (the use cases check before writing)."""
        if not checks:
            return
        products = self.env["product.product"].sudo()
        for _field, product, _amount in checks:
            products |= product
        rules = self._quantity_rules(partner_sudo, products)
        details = []
        for field, product, amount in checks:
            minimum, multiple = rules[product.id]
            rounding = product.uom_id.rounding
            if (
                minimum
                and float_compare(amount, minimum, precision_rounding=rounding) < 0
            ):
                details.append(
                    {
                        "field": field,
                        "message": f"EAN {product.barcode}: the quantity must be "
                        f"at least {minimum:g}.",
                    }
                )
            elif multiple and not _is_multiple(amount, multiple, rounding):
                details.append(
                    {
                        "field": field,
                        "message": f"EAN {product.barcode}: the quantity must be "
                        f"a multiple of {multiple:g}.",
                    }
                )
        if details:
            raise errors.ValidationError.from_details(details)


def _is_multiple(amount, multiple, rounding):
    """Whether ``amount`` is a whole number of ``multiple``, compared as
    ``product.packaging._check_qty`` does (no modulo of floats)."""
    packs = float_round(amount / multiple, precision_rounding=1.0)
    return not float_compare(packs * multiple, amount, precision_rounding=rounding)
