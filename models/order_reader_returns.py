# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The order object's ``returns``, read: one statement for the returns of
all the orders read at once (``_RETURNS``), and the link of each received
return to the credit note that refunds it. Part of
``partner.order.api.order.reader`` (``order_reader.py`` calls ``_returns``
from ``_fetch``; ``order_reader_shape.py`` shapes each row,
``_prepare_return_values``); its columns are covered by
``ORDER_API_OBJECT_DEPENDS`` (``sale_order_freshness.py``), which the
coverage test checks (tests/test_order_object_coverage.py).

A return is an incoming transfer of the order (its ``sale_id``: the
order's procurement group) made as the return of another one
(``return_id``): what Odoo's return wizard makes, through ``POST
order/return`` or in the back office. ``deliveries`` lists outgoing
transfers only, so a return is never shown as a delivery.

The credit note: Odoo makes none from the return itself; once the goods
are received the lines' delivered quantity drops and accounting invoices
the order, which makes a credit note (``out_refund``) whose lines are
linked to the order's lines. A received return's ``credit_note`` is the
posted credit note that refunds it: received returns, oldest first, take
the refunded quantities of the order's posted credit notes, oldest first,
on the order lines their moves came from (``sale_line_id``, moves that
update the order: ``to_refund``); the first credit note a return takes
from is its ``credit_note``. One credit note of two returns is both
returns'; a return not (yet) refunded has none.
"""

from odoo import api, models

# the returns of the orders (parameters: order ids twice), oldest first,
# with, as JSON columns: a line per product (its EAN as delivered: the
# returned move's), quantities as in ``deliveries`` (done: received; open:
# expected; cancelled: what was expected); the lots of its move lines, a
# kit's barcode in place of its name; what a received return refunds per
# order line; and the posted credit notes of its order with their
# quantities per order line
_RETURNS = """
    WITH rets AS (
        SELECT picking.id, picking.sale_id, picking.name, picking.state,
               picking.order_api_return_reason AS reason
          FROM stock_picking picking
          JOIN stock_picking_type type ON type.id = picking.picking_type_id
         WHERE picking.sale_id = ANY(%s) AND type.code = 'incoming'
           AND picking.return_id IS NOT NULL
    ), moves AS (
        SELECT m.picking_id,
               json_agg(json_build_object('ean', m.barcode, 'quantity', m.quantity)
                        ORDER BY m.first_move) FILTER (WHERE m.quantity > 0)
                   AS move_lines,
               json_agg(json_build_object('sale_line_id', m.sale_line_id,
                                          'quantity', m.refunded))
                   FILTER (WHERE m.refunded > 0) AS refunded
          FROM (SELECT move.picking_id, move.sale_line_id,
                       COALESCE(NULLIF(orig.order_api_ean, ''),
                                NULLIF(move.order_api_ean, '')) AS barcode,
                       MIN(move.id) AS first_move,
                       SUM(CASE WHEN rets.state = 'done'
                                THEN CASE WHEN move.state = 'done'
                                          THEN move.quantity ELSE 0 END
                                WHEN rets.state = 'cancel' OR move.state <> 'cancel'
                                THEN move.product_uom_qty
                                ELSE 0 END) AS quantity,
                       SUM(CASE WHEN move.state = 'done' AND move.to_refund
                                THEN move.quantity ELSE 0 END) AS refunded
                  FROM rets
                  JOIN stock_move move ON move.picking_id = rets.id
             LEFT JOIN stock_move orig ON orig.id = move.origin_returned_move_id
              GROUP BY move.picking_id, move.product_id, move.sale_line_id,
                       COALESCE(NULLIF(orig.order_api_ean, ''),
                                NULLIF(move.order_api_ean, ''))) m
      GROUP BY m.picking_id
    ), lots AS (
        SELECT l.picking_id,
               json_agg(l.label ORDER BY l.first_line, l.lot_id) AS lot_labels
          FROM (SELECT sml.picking_id,
                       COALESCE(NULLIF(lot.kit_barcode, ''), lot.name) AS label,
                       MIN(sml.id) AS first_line, lot.id AS lot_id
                  FROM rets
                  JOIN stock_move_line sml ON sml.picking_id = rets.id
                  JOIN stock_lot lot ON lot.id = sml.lot_id
              GROUP BY sml.picking_id, lot.id, lot.kit_barcode, lot.name) l
      GROUP BY l.picking_id
    ), refunds AS (
        SELECT r.order_id,
               json_agg(json_build_object('name', r.name, 'lines', r.lines)
                        ORDER BY r.id) AS credit_notes
          FROM (SELECT sol.order_id, refund.id, refund.name,
                       json_agg(json_build_object('sale_line_id', sol.id,
                                                  'quantity', aml.quantity))
                           AS lines
                  FROM sale_order_line sol
                  JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                  JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                  JOIN account_move refund ON refund.id = aml.move_id
                 WHERE sol.order_id = ANY(%s)
                   AND refund.move_type = 'out_refund' AND refund.state = 'posted'
              GROUP BY sol.order_id, refund.id, refund.name) r
      GROUP BY r.order_id
    )
    SELECT rets.sale_id, rets.id, rets.name, rets.state, rets.reason,
           moves.move_lines, moves.refunded, lots.lot_labels,
           refunds.credit_notes
      FROM rets
 LEFT JOIN moves ON moves.picking_id = rets.id
 LEFT JOIN lots ON lots.picking_id = rets.id
 LEFT JOIN refunds ON refunds.order_id = rets.sale_id
  ORDER BY rets.sale_id, rets.id
"""


class PartnerOrderApiOrderReader(models.AbstractModel):
    _inherit = "partner.order.api.order.reader"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _returns(self, orders):
        """{order id: [rows]}: the returns of ``orders``, oldest first, in
        one query (``_RETURNS``), each row with its ``credit_note`` (a
        number or None: see the module's docstring)."""
        if not orders:
            return {}
        returns = {}
        for row in self._query(_RETURNS, list(orders.ids), list(orders.ids)):
            returns.setdefault(row["sale_id"], []).append(row)
        for rows in returns.values():
            _link_credit_notes(rows)
        return returns


def _link_credit_notes(rows):
    """Set each row's ``credit_note``: received returns, oldest first,
    take what the order's posted credit notes refund (oldest first) on the
    order lines they refund; a return's credit note is the first it takes
    from."""
    credit_notes = (rows[0]["credit_notes"] or []) if rows else []
    left = [
        {line["sale_line_id"]: 0.0 for line in note["lines"]} for note in credit_notes
    ]
    for index, note in enumerate(credit_notes):
        for line in note["lines"]:
            left[index][line["sale_line_id"]] += line["quantity"] or 0.0
    for row in rows:
        row["credit_note"] = None
        row.pop("credit_notes", None)
        refunds = row["refunded"] or []
        if row["state"] != "done":
            continue
        for refunded in refunds:
            wanted = refunded["quantity"] or 0.0
            for index, note in enumerate(credit_notes):
                available = left[index].get(refunded["sale_line_id"], 0.0)
                take = min(available, wanted)
                if take <= 0:
                    continue
                left[index][refunded["sale_line_id"]] -= take
                wanted -= take
                row["credit_note"] = row["credit_note"] or note["name"]
                if wanted <= 0:
                    break
