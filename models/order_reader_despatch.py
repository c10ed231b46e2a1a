# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The order object's despatch data, read (issue 28): each delivery's
``weight`` and ``packages``, and its lines' ``lots`` with their expiry
date. One statement for the deliveries of all the orders read at once
(``despatch_statement``). Part of ``partner.order.api.order.reader``
(``order_reader.py`` calls ``_despatch`` from ``_fetch``;
``order_reader_shape.py`` shapes each delivery,
``_prepare_delivery_values``); its columns are covered by
``ORDER_API_OBJECT_DEPENDS`` (``sale_order_freshness.py``), which the
coverage test checks (tests/test_order_object_coverage.py).

What it reads:

- packages: the ``stock.quant.package`` records the delivery's move lines
  put goods in (``result_package_id``; a done delivery's done move lines,
  an open one's current ones), each with its type and weight: its
  ``shipping_weight`` when set, else what Odoo computes for it in that
  delivery (``stock.quant.package._get_weight(picking_id)``: its type's
  base weight plus its move lines' products). ``sscc`` is decided in
  Python (``lib/gs1.py``).
- weight: the delivery's shipping weight as Odoo computes it
  (``stock.picking._compute_shipping_weight``: the goods not in a package
  plus each package's weight) when it has move lines, else its estimated
  ``weight`` (its moves'). A product's weight is taken as its move stored
  it (``stock.move.weight``, ``stock_delivery``): what was shipped, not
  the product as it is now, as lines' EANs are.
- lots per delivery line (a product and its EAN as shipped, the key of
  ``deliveries[].lines``): the lots of a done delivery's done move lines,
  by name, with their expiry date (``stock.lot.expiration_date``) when
  ``product_expiry`` is installed. That module is optional: the statement
  names the column only when the registry has the field
  (``has_expiry``), else reads NULL, so it never refers to a column that
  does not exist.

Weights are in the database's weight unit (Settings, Inventory: kilograms
by default, pounds when set so), as Odoo shows them.
"""

from odoo import api, models

EXPIRY_PLACEHOLDER = "/*expiry*/NULL::timestamp"

# the despatch data of the orders' outgoing deliveries (parameter: order
# ids): per delivery its weight, its packages (as JSON) and the lots of its
# lines (as JSON, keyed by product and EAN as ``_DELIVERIES`` groups them)
_DESPATCH = """
    WITH picks AS (
        SELECT picking.id, picking.state, picking.weight
          FROM stock_picking picking
          JOIN stock_picking_type type ON type.id = picking.picking_type_id
         WHERE picking.sale_id = ANY(%s) AND type.code = 'outgoing'
    ), smls AS (
        SELECT sml.picking_id, sml.id, sml.result_package_id, sml.lot_id,
               move.product_id, NULLIF(move.order_api_ean, '') AS barcode,
               CASE WHEN COALESCE(move.product_qty, 0) = 0 THEN 0
                    ELSE sml.quantity_product_uom * move.weight / move.product_qty
                END AS weight
          FROM picks
          JOIN stock_move_line sml ON sml.picking_id = picks.id
          JOIN stock_move move ON move.id = sml.move_id
         WHERE picks.state <> 'done' OR sml.state = 'done'
    ), packs AS (
        SELECT p.picking_id,
               json_agg(json_build_object(
                   'id', p.package_id, 'name', p.name,
                   'package_type', p.package_type, 'weight', p.weight)
                   ORDER BY p.first_line, p.package_id)
                   AS packages,
               SUM(p.weight) AS weight
          FROM (SELECT smls.picking_id, pack.id AS package_id, pack.name,
                       ptype.name AS package_type, MIN(smls.id) AS first_line,
                       COALESCE(NULLIF(pack.shipping_weight, 0),
                                COALESCE(ptype.base_weight, 0) + SUM(smls.weight))
                           AS weight
                  FROM smls
                  JOIN stock_quant_package pack ON pack.id = smls.result_package_id
             LEFT JOIN stock_package_type ptype ON ptype.id = pack.package_type_id
              GROUP BY smls.picking_id, pack.id, pack.name, pack.shipping_weight,
                       ptype.name, ptype.base_weight) p
      GROUP BY p.picking_id
    ), bulk AS (
        SELECT smls.picking_id, COUNT(*) AS line_count,
               SUM(CASE WHEN smls.result_package_id IS NULL
                        THEN smls.weight ELSE 0 END) AS weight
          FROM smls
      GROUP BY smls.picking_id
    ), lots AS (
        SELECT l.picking_id,
               json_agg(json_build_object(
                   'product_id', l.product_id, 'ean', l.barcode,
                   'name', l.name, 'expiry_date', l.expiry_date)
                   ORDER BY l.first_line, l.lot_id) AS line_lots
          FROM (SELECT smls.picking_id, smls.product_id, smls.barcode,
                       lot.id AS lot_id, lot.name,
                       /*expiry*/NULL::timestamp AS expiry_date,
                       MIN(smls.id) AS first_line
                  FROM smls
                  JOIN picks ON picks.id = smls.picking_id
                  JOIN stock_lot lot ON lot.id = smls.lot_id
                 WHERE picks.state = 'done'
              GROUP BY smls.picking_id, smls.product_id, smls.barcode,
                       lot.id, lot.name) l
      GROUP BY l.picking_id
    )
    SELECT picks.id,
           CASE WHEN bulk.line_count > 0
                THEN bulk.weight + COALESCE(packs.weight, 0)
                ELSE picks.weight
            END AS weight,
           packs.packages, lots.line_lots
      FROM picks
 LEFT JOIN packs ON packs.picking_id = picks.id
 LEFT JOIN bulk ON bulk.picking_id = picks.id
 LEFT JOIN lots ON lots.picking_id = picks.id
"""


def has_expiry(env):
    """Whether this registry's lots have ``expiration_date``
    (``product_expiry`` installed)."""
    return "expiration_date" in env["stock.lot"]._fields


def despatch_statement(expiry):
    """``_DESPATCH`` reading the lots' expiry date (``expiry``: the
    registry has ``stock.lot.expiration_date``) or NULL."""
    if expiry:
        return _DESPATCH.replace(EXPIRY_PLACEHOLDER, "lot.expiration_date")
    return _DESPATCH


class PartnerOrderApiOrderReader(models.AbstractModel):
    _inherit = "partner.order.api.order.reader"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _despatch(self, order_ids):
        """{picking id: row} of the outgoing deliveries of the orders
        ``order_ids``, in one query (``despatch_statement``): ``weight``,
        ``packages`` (dicts of id, name, package_type, weight) and
        ``line_lots`` ({(product id, EAN): [{name, expiry_date}]})."""
        if not order_ids:
            return {}
        statement = despatch_statement(has_expiry(self.env))
        result = {}
        for row in self._query(statement, list(order_ids)):
            line_lots = {}
            for lot in row.pop("line_lots") or []:
                key = (lot.pop("product_id"), lot.pop("ean"))
                line_lots.setdefault(key, []).append(lot)
            row["line_lots"] = line_lots
            result[row.pop("id")] = row
        return result
