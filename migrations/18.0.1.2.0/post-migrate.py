# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.2.0: order lines as ordered (issue 24).

The lines of the orders placed before store what was ordered from today's
values of their products (``models/sale_order_line.py``,
``fill_ordered_values``): the name in the customer's language without the
internal reference, the EAN and the internal reference, the values the
order objects showed until now. Set-based, by raw SQL writes: no order's
``updated_at`` moves.
"""

from odoo import SUPERUSER_ID, api

from odoo.addons.partner_order_api.models.sale_order_line import (
    fill_ordered_values,
)


def migrate(cr, version):
    if not version:
        return
    fill_ordered_values(api.Environment(cr, SUPERUSER_ID, {}))
