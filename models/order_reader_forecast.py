# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""When each line of an order object is expected to ship: its
``expected_date`` and ``available_now`` (issue 27), part of
``partner.order.api.order.reader`` (``order_reader.py`` reads the rest of
the object, ``order_reader_shape.py`` shapes it).

Made from Odoo's own forecast, for all the lines of a batch of orders at
once: one statement (``_LINE_MOVES``: the lines' open moves and the
scheduled date of their transfer) and one ORM read of the forecast of the
moves not reserved (``stock.move``'s ``forecast_availability`` and
``forecast_expected_date``: Odoo's forecasted report, a fixed number of
queries per warehouse, whatever the number of orders).

A line's open moves (neither done nor cancelled, of its product):

- all reserved (``assigned``): ``available_now`` is true and
  ``expected_date`` the latest scheduled date of their transfers;
- otherwise ``available_now`` is false; each move not reserved is covered
  when Odoo's forecast covers its quantity (stock on hand not promised to
  an earlier move, or incoming receipts): its date is the later of the
  receipt's date (``forecast_expected_date``; none when stock covers it)
  and its transfer's scheduled date; ``expected_date`` is the latest date
  of the line's moves when every one is covered, null when one is not;
- no open move (nothing open, or an order not confirmed or cancelled):
  ``expected_date`` null and ``available_now`` false: nothing is waiting
  to leave.

Dates are the UTC dates of Odoo's datetimes. What a line depends on beyond
its own order (a receipt, another order's reservation) is watched by the
stock moves (``stock_move.py``, ``order_api_forecast_changed``), which make
the orders waiting for the product candidates (``sale_order_freshness.py``).
"""

from odoo import api, models
from odoo.tools import float_compare

# the open moves of the lines of the orders (parameter: order ids): a move
# neither done nor cancelled, of the line's product, and the scheduled date
# of its transfer
_LINE_MOVES = """
    SELECT move.id, move.sale_line_id, move.state, picking.scheduled_date
      FROM sale_order_line sol
      JOIN stock_move move ON move.sale_line_id = sol.id
 LEFT JOIN stock_picking picking ON picking.id = move.picking_id
     WHERE sol.order_id = ANY(%s) AND sol.display_type IS NULL
       AND move.product_id = sol.product_id
       AND move.state NOT IN ('done', 'cancel')
  ORDER BY move.id
"""
# the forecast fields of stock.move the lines are made of (not stored)
FORECAST_FIELDS = ("forecast_availability", "forecast_expected_date")


class PartnerOrderApiOrderReader(models.AbstractModel):
    _inherit = "partner.order.api.order.reader"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _line_forecasts(self, order_ids):
        """{line id: (expected date or None, available now)} of the lines
        of the orders ``order_ids`` that have an open move (the module's
        docstring says how): one statement and one forecast of the moves
        not reserved, whoever reads (in sudo: the forecast reads every
        move of the product in the warehouse)."""
        if not order_ids:
            return {}
        rows = self._query(_LINE_MOVES, list(order_ids))
        waiting = (
            self.env["stock.move"]
            .sudo()
            .browse([row["id"] for row in rows if row["state"] != "assigned"])
        )
        covered = {}
        if waiting:
            # computed, not stored: what another move changed since they
            # were read in this transaction is read anew
            waiting.invalidate_recordset(list(FORECAST_FIELDS))
            for move in waiting:
                enough = (
                    float_compare(
                        move.forecast_availability,
                        move.product_qty,
                        precision_rounding=move.product_id.uom_id.rounding,
                    )
                    >= 0
                )
                covered[move.id] = (enough, move.forecast_expected_date or None)
        by_line = {}
        for row in rows:
            by_line.setdefault(row["sale_line_id"], []).append(row)
        return {
            line_id: _line_forecast(moves, covered)
            for line_id, moves in by_line.items()
        }


def _line_forecast(moves, covered):
    """``(expected date or None, available now)`` of a line from its open
    moves (rows of ``_LINE_MOVES``) and ``covered`` ({move id: (covered,
    receipt's date or None)} of the moves not reserved)."""
    dates = []
    for row in moves:
        scheduled = row["scheduled_date"]
        if row["state"] != "assigned":
            enough, incoming = covered[row["id"]]
            if not enough:
                return None, False
            scheduled = max(filter(None, (incoming, scheduled)), default=None)
        if scheduled:
            dates.append(scheduled)
    available = all(row["state"] == "assigned" for row in moves)
    return (max(dates).date() if dates else None), available
