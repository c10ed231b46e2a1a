# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""18.0.1.5.0, returns (issue 27): the order object shows ``returns``, and
an order whose goods came back stays ``shipped``.

The orders that already have a return (an incoming transfer made as the
return of another one, ``models/order_reader_returns.py``) get their
status computed again (``sale.order._order_api_compute_status`` counts
received returns as shipped) and a new ``updated_at`` with the digest of
their object as it is now: a client syncing with ``updated_since`` reads
them again, with their returns. The other orders' objects only gain an
empty ``returns``; their digests are the lead migration's concern (every
order's object gains fields in this version).
"""

from odoo import SUPERUSER_ID, api

from odoo.addons.partner_order_api.models.sale_order_freshness import SETTLE_BATCH


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute(
        """
        SELECT DISTINCT picking.sale_id
          FROM stock_picking picking
          JOIN stock_picking_type type ON type.id = picking.picking_type_id
         WHERE picking.sale_id IS NOT NULL AND picking.return_id IS NOT NULL
           AND type.code = 'incoming'
      ORDER BY picking.sale_id
        """
    )
    ids = [row[0] for row in cr.fetchall()]
    Order = env["sale.order"]
    for start in range(0, len(ids), SETTLE_BATCH):
        orders = Order.browse(ids[start : start + SETTLE_BATCH])
        env.add_to_compute(Order._fields["order_api_status"], orders)
        orders.flush_recordset(["order_api_status"])
        orders._order_api_store_digests(orders._order_api_digests(), touch=True)
        env.invalidate_all()
