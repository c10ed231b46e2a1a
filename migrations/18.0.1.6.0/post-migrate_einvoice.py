# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.6.0: the order object's ``invoices[]`` gain ``formats`` (issue 28,
e-invoices out).

Every invoiced order's object changes shape at the upgrade, not because the
order changed: its digest is taken anew, moving no ``updated_at`` (as
18.0.1.5.0 did for its fields), so that the first real change after the
upgrade is compared with the object as this release makes it.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute("UPDATE sale_order SET order_api_digest = NULL")
    env["sale.order"]._order_api_fill_digests()
    env.flush_all()
