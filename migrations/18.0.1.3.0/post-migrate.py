# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.3.0: an order object changes when it differs (issue 24).

The catalog's version and its table go: shared data the object shows now
triggers its orders, which are compared before their ``updated_at`` moves
(``models/sale_order_freshness.py``). Every order takes the digest of its
object as it is now, without moving ``updated_at``; the moves of existing
deliveries took their product's EAN of today when the column was made
(``models/stock_move.py``).
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    cr.execute("DROP TABLE IF EXISTS partner_order_api_catalog_change")
    api.Environment(cr, SUPERUSER_ID, {})["sale.order"]._order_api_fill_digests()
