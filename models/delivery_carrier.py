# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""``delivery.carrier.order_api_code``: the code partners send as
``carrier_code`` (``POST order``, ``order/quote``, ``orders/batch``) and
read in ``GET carriers`` and the order object's ``shipping``. Which
carriers a partner may choose is ``res.partner.order_api_carrier_ids``
(``res_partner.py``); the use cases are ``partner.order.api.addresses``
(``partner_order_api_addresses.py``)."""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .res_partner import SALES


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    order_api_code = fields.Char(
        string="Order API Code",
        help="The code partners send as carrier_code in the Partner Order API "
        "to ship an order with this carrier, and read in GET carriers and the "
        "order's shipping. Unique per company. Empty: not offered in the API.",
        groups=SALES,
        copy=False,
        index="btree_not_null",
    )

    @api.constrains("order_api_code", "company_id")
    def _check_order_api_code(self):
        """One carrier per code in each company, a carrier of no company
        counting in all of them (a SQL unique index cannot compare the two:
        the check is the ORM's, as for the partner's other API settings)."""
        for carrier in self.sudo().filtered("order_api_code"):
            domain = [
                ("id", "!=", carrier.id),
                ("order_api_code", "=", carrier.order_api_code),
            ]
            if carrier.company_id:
                domain.append(("company_id", "in", [carrier.company_id.id, False]))
            clash = self.sudo().with_context(active_test=False).search(domain, limit=1)
            if clash:
                raise ValidationError(
                    _(
                        "The Order API code %(code)s is already used by the "
                        "carrier %(carrier)s in the same company.",
                        code=carrier.order_api_code,
                        carrier=clash.name,
                    )
                )
