# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Stock moves: the EAN a move shipped (``order_api_ean``), the deferred
reservation of API orders, and the trigger of the lines' forecast
(issue 27).

An order line's ``expected_date`` and ``available_now``
(``order_reader_forecast.py``) come from Odoo's forecast of its product,
made of every move of that product in the warehouse: a receipt confirmed,
rescheduled, received or cancelled, another order's move created or
reserved, an inventory adjustment (a done move). Any change of what the
forecast reads of a move (``FORECAST_DEPENDS``) records its product in the
transaction (``order_api_forecast_changed``, a trigger like the order's
``order_api_object_changed``); before the transaction commits, and before
an answer is made in it, ``mark_forecast_candidates`` finds, in one
statement for all those products, the orders with a move of them waiting
for stock (not reserved, neither done nor cancelled) and makes them
candidates: ``sale_order_freshness.py`` compares their objects and moves
the ``updated_at`` of those that differ. Orders whose moves are all
reserved do not depend on other records (their dates are their own
transfers'), and are candidates through their own moves.

The cost, bounded per transaction (fairness: no partner's waiting orders
slow down another's order or the warehouse's receipt): a transaction that
changes the stock of a product makes anew the objects of the orders
waiting for it (about a third of a millisecond each, and the forecast of
the product once), and locks their rows as any candidate's
(``_order_api_mark_changed``), only when they are at most
``FORECAST_INLINE_LIMIT``: their ``updated_at`` moves in that very
transaction. Beyond, it makes none of them: it records the products
(``partner.order.api.forecast.pending``, one INSERT) and wakes the refresh
cron, which makes them in its own transactions within seconds
(``partner_order_api_forecast_pending.py``). Reserved orders cost
nothing; the reservation cron keeps the waiting set to what is short.
"""

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

# the products whose forecast may have changed in this transaction: a set
# of ids in the cursor's precommit data (``mark_forecast_candidates``)
FORECAST_PRODUCTS = "partner_order_api.forecast_products"
# what Odoo's forecast of a product reads of its moves
FORECAST_DEPENDS = (
    "product_id",
    "state",
    "date",
    "reservation_date",
    "priority",
    "product_uom_qty",
    "product_qty",
    "quantity",
    "location_id",
    "location_dest_id",
    "location_final_id",
    "move_orig_ids",
)
# at most this many orders waiting for the products a transaction moved
# are made anew in it (inline); beyond, the refresh cron makes them
FORECAST_INLINE_LIMIT = 50
# the orders waiting for the products (ids): a move of a line, of one of
# them, not reserved, neither done nor cancelled
_WAITING_ORDERS = """
    SELECT DISTINCT sol.order_id
      FROM stock_move move
      JOIN sale_order_line sol ON sol.id = move.sale_line_id
     WHERE move.product_id = ANY(%s)
       AND move.state IN ('waiting', 'confirmed', 'partially_available')
"""


def waiting_orders(env, product_ids, limit=None):
    """The ids of the orders waiting for ``product_ids`` (``_WAITING_ORDERS``),
    at most ``limit`` of them."""
    query = SQL(_WAITING_ORDERS, list(product_ids))
    if limit is not None:
        query = SQL("%s LIMIT %s", query, limit)
    env.cr.execute(query)
    return [row[0] for row in env.cr.fetchall()]


def mark_forecast_candidates(env):
    """Make the orders waiting for the products whose moves changed in
    this transaction (``FORECAST_PRODUCTS``) candidates, in one statement:
    called by ``sale.order._order_api_settle`` once the recomputations
    have run. More than ``FORECAST_INLINE_LIMIT`` of them: none is made a
    candidate here; the products are left to the refresh cron
    (``partner_order_api_forecast_pending.py``), so that no transaction
    pays for the orders others left waiting."""
    products = env.cr.precommit.data.pop(FORECAST_PRODUCTS, None)
    if not products:
        return
    order_ids = waiting_orders(env, sorted(products), FORECAST_INLINE_LIMIT + 1)
    if len(order_ids) > FORECAST_INLINE_LIMIT:
        env["partner.order.api.forecast.pending"].sudo()._defer(sorted(products))
    elif order_ids:
        env["sale.order"].sudo().browse(order_ids)._order_api_mark_changed(lock=False)


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
    order_api_forecast_changed = fields.Boolean(
        string="Partner API Forecast Trigger",
        compute="_compute_order_api_forecast_changed",
        store=True,
        readonly=True,
        copy=False,
        help="Technical: recomputed whenever the forecast of this move's "
        "product may have changed, which makes the API orders waiting for "
        "that product compare their expected dates.",
    )

    def _auto_init(self):
        cr = self.env.cr
        # the trigger's column exists before the field is added: Odoo
        # computes it for no existing move (sale_order_freshness.py)
        if not column_exists(cr, self._table, "order_api_forecast_changed"):
            create_column(cr, self._table, "order_api_forecast_changed", "boolean")
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

    @api.depends(*FORECAST_DEPENDS)
    def _compute_order_api_forecast_changed(self):
        """A trigger, not a value: records the moves' products in the
        transaction (``mark_forecast_candidates``)."""
        product_ids = {
            move.product_id.id for move in self if isinstance(move.product_id.id, int)
        }
        if product_ids:
            data = self.env.cr.precommit.data
            products = data.get(FORECAST_PRODUCTS)
            if products is None:
                products = data[FORECAST_PRODUCTS] = set()
                # settle runs before the transaction commits
                self.env["sale.order"]._order_api_settle_at_commit()
            products.update(product_ids)
        self.order_api_forecast_changed = False

    def _should_assign_at_confirm(self):
        # API orders are confirmed without reserving stock: simultaneous orders
        # of one product would all update the same stock.quant row and fail
        # with serialization errors. The pickings are reserved right after the
        # order commits, by the reservation cron (stock.picking).
        if self.env.context.get("order_api_defer_reservation"):
            return self._should_bypass_reservation()
        return super()._should_assign_at_confirm()
